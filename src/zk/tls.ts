/**
 * TLS to ZooKeeper nodes: the client settings of one ensemble, the socket options they become, and
 * how a failed handshake is named. Pure: the files are read by `tls-files.ts`.
 */
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';

/** An ensemble's `tls` settings as configured: file paths and switches. */
export interface ZkTlsSettings {
  /** PEM CA bundle the node's certificate must chain to; absent: the system's trusted CAs. */
  caFile?: string;
  /** PEM client certificate, for nodes with `ssl.clientAuth=need`; goes with `keyFile`. */
  certFile?: string;
  /** PEM private key of `certFile`. */
  keyFile?: string;
  /** Name the node's certificate must carry; absent: the host polled. */
  serverName?: string;
  /** Accept any certificate (no chain or name check). Explicit opt-in only. */
  insecureSkipVerify: boolean;
}

/** An ensemble's TLS settings with the files' contents, read once at start and on reload. */
export interface ZkTls extends ZkTlsSettings {
  /** Marks the files as read; a transport refuses settings without it rather than falling back to plaintext. */
  loaded: true;
  ca?: string;
  cert?: string;
  key?: string;
}

/** True when `tls` carries its files' contents. */
export function isLoaded(tls: ZkTlsSettings | ZkTls): tls is ZkTls {
  return (tls as Partial<ZkTls>).loaded === true;
}

/** The `tls.connect` options of one connection to `host`. */
export function connectOptions(tls: ZkTls, host: string, port: number): ConnectionOptions {
  const servername = tls.serverName ?? host;
  return {
    host,
    port,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    // SNI must not be an IP address (RFC 6066); the name check still uses `servername` below.
    ...(isIpLiteral(servername) ? {} : { servername }),
    rejectUnauthorized: !tls.insecureSkipVerify,
    // The name is checked against the configured name, not `host`, which may be an IP address.
    checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert),
  };
}

function isIpLiteral(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}

/** OpenSSL's and Node's codes for a certificate chain that does not lead to a trusted CA. */
const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Alerts a server sends when it wants a (different) client certificate. */
const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/** Codes of a peer that answered something other than TLS. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

/**
 * The `detail` of a TLS failure from Node's error `code`, or undefined when the code is not about TLS
 * (a refused or reset TCP connection stays `refused`). `name` is the name the certificate was checked against.
 */
export function tlsFailureDetail(code: string, name: string): string | undefined {
  if (UNKNOWN_CA.has(code)) return `certificate signed by an unknown CA (${code})`;
  if (code === 'CERT_HAS_EXPIRED') return `certificate expired (${code})`;
  if (code === 'CERT_NOT_YET_VALID') return `certificate not yet valid (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `certificate name mismatch: not valid for ${JSON.stringify(name)} (${code})`;
  if (CLIENT_CERT_REFUSED.has(code)) return `server requires a client certificate it trusts (${code})`;
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') return `handshake refused by the server (${code})`;
  if (NOT_TLS.has(code)) return `server does not speak TLS on this port (${code})`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_')) return `TLS handshake failed (${code})`;
  return undefined;
}

/** The name a node's certificate is checked against. */
export function expectedName(tls: ZkTlsSettings, host: string): string {
  return tls.serverName ?? host;
}
