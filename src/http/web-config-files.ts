/**
 * Reads the web config file and the certificate files it names, once at start. Every problem is a
 * {@link WebConfigError} naming the field; file contents and hashes are never put in a message.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { parseWebConfig, type ClientAuthType, type TlsVersion } from './web-config.js';
import { describeReadError } from '../model/read-error.js';

/** A web config that cannot be used; `path` is where (`web.config.file`), `reason` the field and why. */
export class WebConfigError extends Error {
  readonly path = 'web.config.file';
  constructor(readonly reason: string) {
    super(`web.config.file: ${reason}`);
    this.name = 'WebConfigError';
  }
}

/** TLS of the listeners with the files' contents. */
export interface WebTls {
  cert: string;
  key: string;
  ca?: string;
  clientAuthType: ClientAuthType;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
}

/** What the listeners enforce: TLS (optional) and basic-auth users (none: no basic auth). */
export interface WebSecurity {
  tls?: WebTls;
  basicAuthUsers: ReadonlyMap<string, string>;
}

/** Reads and checks `file` and the files it names; throws {@link WebConfigError}. */
export function loadWebConfig(file: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): WebSecurity {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new WebConfigError(`${file}: ${describeReadError(err)}`);
  }
  const parsed = parseWebConfig(text);
  if (!parsed.ok) throw new WebConfigError(parsed.problems.join('; '));
  const { tls, basicAuthUsers } = parsed.config;
  if (tls === undefined) return { basicAuthUsers };
  const read = (field: string, path: string, marker: RegExp, what: string): string => {
    let contents: string;
    try {
      contents = readFile(path);
    } catch (err) {
      throw new WebConfigError(`tls_server_config.${field}: ${path}: ${describeReadError(err)}`);
    }
    if (!marker.test(contents)) throw new WebConfigError(`tls_server_config.${field}: ${path}: holds no PEM ${what}`);
    return contents;
  };
  const cert = read('cert_file', tls.certFile, /-----BEGIN CERTIFICATE-----/, 'certificate');
  const key = read('key_file', tls.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key');
  const ca =
    tls.clientCaFile === undefined ? undefined : read('client_ca_file', tls.clientCaFile, /-----BEGIN CERTIFICATE-----/, 'certificate');
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new WebConfigError(`tls_server_config.key_file: ${tls.keyFile}: is not the key of cert_file ${tls.certFile}`);
  }
  return {
    tls: {
      cert,
      key,
      ...(ca === undefined ? {} : { ca }),
      clientAuthType: tls.clientAuthType,
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
    },
    basicAuthUsers,
  };
}
