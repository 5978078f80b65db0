/**
 * The web config file (`--web.config.file`) as the Prometheus exporter-toolkit writes it: TLS for the
 * listeners and basic-auth users with bcrypt hashes. Parsed and checked here, strictly (unknown keys
 * are rejected); the files it names are read by `web-config-files.ts`. Pure.
 */
import { parseDocument } from 'yaml';

/** exporter-toolkit's client certificate policies (Go's `tls.ClientAuthType` names). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;

/** One of {@link CLIENT_AUTH_TYPES}. */
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** TLS versions as the file writes them, and as Node names them. */
const VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

/** A Node TLS protocol version name. */
export type TlsVersion = (typeof VERSIONS)[keyof typeof VERSIONS];

/** `tls_server_config` after checks and defaults: file paths, not contents. */
export interface WebTlsSettings {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  clientAuthType: ClientAuthType;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
}

/** The whole web config after checks. */
export interface WebConfig {
  tls?: WebTlsSettings;
  /** user → bcrypt hash (never logged). */
  basicAuthUsers: ReadonlyMap<string, string>;
}

/** Result of {@link parseWebConfig}: the config, or every problem as `field: message`. */
export type WebConfigResult = { ok: true; config: WebConfig } | { ok: false; problems: string[] };

const TOP_KEYS = ['tls_server_config', 'basic_auth_users'];
const TLS_KEYS = ['cert_file', 'key_file', 'client_ca_file', 'client_auth_type', 'min_version', 'max_version'];
/** Clients that present a certificate have it checked against `client_ca_file`. */
const VERIFYING: readonly ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];
/** A bcrypt hash: `$2a$`, `$2b$` or `$2y$` (what `htpasswd -B` writes), cost, 22 + 31 characters. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/** Parses and checks the text of a web config file. An empty file means: no TLS, no users. */
export function parseWebConfig(text: string): WebConfigResult {
  const problems: string[] = [];
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) return { ok: false, problems: doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]!}`) };
  const raw: unknown = doc.toJS() ?? {};
  if (!isMapping(raw)) return { ok: false, problems: [`must be a mapping, got ${describe(raw)}`] };
  unknownKeys(raw, TOP_KEYS, '', problems);

  let tls: WebTlsSettings | undefined;
  if (raw.tls_server_config !== undefined && raw.tls_server_config !== null) tls = checkTls(raw.tls_server_config, problems);

  const users = new Map<string, string>();
  const given = raw.basic_auth_users;
  if (given !== undefined && given !== null) {
    if (!isMapping(given)) problems.push(`basic_auth_users: must be a mapping of user to bcrypt hash, got ${describe(given)}`);
    else
      for (const [user, hash] of Object.entries(given)) {
        // The hash itself is never repeated in a message.
        if (user === '' || user.includes(':'))
          problems.push(`basic_auth_users: ${JSON.stringify(user)}: a user name must be non-empty without ":"`);
        else if (typeof hash !== 'string' || !BCRYPT.test(hash)) {
          problems.push(`basic_auth_users.${user}: must be a bcrypt hash ($2y$, $2b$ or $2a$, as htpasswd -B makes)`);
        } else users.set(user, hash);
      }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { ...(tls ? { tls } : {}), basicAuthUsers: users } };
}

function checkTls(section: unknown, problems: string[]): WebTlsSettings | undefined {
  const at = 'tls_server_config';
  if (!isMapping(section)) {
    problems.push(`${at}: must be a mapping, got ${describe(section)}`);
    return undefined;
  }
  unknownKeys(section, TLS_KEYS, `${at}.`, problems);
  const file = (key: string, required: boolean): string | undefined => {
    const value = section[key];
    if (value === undefined || value === null || value === '') {
      if (required) problems.push(`${at}.${key}: is required`);
      return undefined;
    }
    if (typeof value !== 'string') problems.push(`${at}.${key}: must be a file path, got ${describe(value)}`);
    return typeof value === 'string' ? value : undefined;
  };
  const certFile = file('cert_file', true);
  const keyFile = file('key_file', true);
  const clientCaFile = file('client_ca_file', false);
  const clientAuthType = oneOf(section.client_auth_type, CLIENT_AUTH_TYPES, 'NoClientCert', `${at}.client_auth_type`, problems);
  const minName = oneOf(section.min_version, Object.keys(VERSIONS) as Array<keyof typeof VERSIONS>, 'TLS12', `${at}.min_version`, problems);
  const maxName = oneOf(section.max_version, Object.keys(VERSIONS) as Array<keyof typeof VERSIONS>, 'TLS13', `${at}.max_version`, problems);
  if (clientAuthType !== undefined && VERIFYING.includes(clientAuthType) && clientCaFile === undefined) {
    problems.push(`${at}.client_ca_file: is required by client_auth_type ${clientAuthType}`);
  }
  if (clientCaFile !== undefined && clientAuthType !== undefined && !VERIFYING.includes(clientAuthType)) {
    // exporter-toolkit refuses this too: a CA that would never be used is a misconfiguration.
    problems.push(`${at}.client_auth_type: must be VerifyClientCertIfGiven or RequireAndVerifyClientCert when client_ca_file is set`);
  }
  if (minName !== undefined && maxName !== undefined && minName > maxName) {
    problems.push(`${at}.min_version: ${minName} is above max_version ${maxName}`);
  }
  if (certFile === undefined || keyFile === undefined || clientAuthType === undefined || minName === undefined || maxName === undefined) {
    return undefined;
  }
  return {
    certFile,
    keyFile,
    ...(clientCaFile === undefined ? {} : { clientCaFile }),
    clientAuthType,
    minVersion: VERSIONS[minName],
    maxVersion: VERSIONS[maxName],
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, at: string, problems: string[]): T | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${at}: must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  return undefined;
}

function unknownKeys(section: Record<string, unknown>, known: readonly string[], prefix: string, problems: string[]): void {
  for (const key of Object.keys(section)) {
    if (!known.includes(key)) problems.push(`${prefix}${key}: unknown key; expected one of ${known.join(', ')}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a mapping' : (JSON.stringify(value) ?? typeof value);
}
