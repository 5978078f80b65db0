/**
 * Reads the CA, certificate and key files of each ensemble's TLS settings, once at start (and on
 * reload), so no poll ever touches the disk. The contents never leave the transports: never logged.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { ZkTls, ZkTlsSettings } from './tls.js';
import { describeReadError } from '../model/read-error.js';

/** An unreadable or unusable TLS file; `path` is the file, `reason` says why (never its contents). */
export class TlsFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'TlsFileError';
  }
}

/** Reads every file `settings` names; throws {@link TlsFileError} for the first one that cannot be used. */
export function loadZkTls(settings: ZkTlsSettings, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ZkTls {
  const read = (path: string | undefined, marker: RegExp, what: string): string | undefined => {
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      throw new TlsFileError(path, describeReadError(err));
    }
    if (!marker.test(text)) throw new TlsFileError(path, `holds no PEM ${what}`);
    return text;
  };
  const loaded: ZkTls = {
    ...settings,
    loaded: true,
    ...some('ca', read(settings.caFile, /-----BEGIN CERTIFICATE-----/, 'certificate')),
    ...some('cert', read(settings.certFile, /-----BEGIN CERTIFICATE-----/, 'certificate')),
    ...some('key', read(settings.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key')),
  };
  if (loaded.cert !== undefined && loaded.key !== undefined) {
    // A pair that does not match fails every handshake; say so at start instead.
    try {
      createSecureContext({ cert: loaded.cert, key: loaded.key });
    } catch {
      throw new TlsFileError(settings.keyFile!, `is not the key of ${settings.certFile!}`);
    }
  }
  return loaded;
}

/** The config with each ensemble's TLS files read; throws {@link TlsFileError} on the first unusable file. */
export function withZkTls<C extends { ensembles: ReadonlyArray<{ tls?: ZkTlsSettings }> }>(
  config: C,
  readFile?: (path: string) => string,
): C {
  return { ...config, ensembles: config.ensembles.map((e) => (e.tls ? { ...e, tls: loadZkTls(e.tls, readFile) } : e)) };
}

function some<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
