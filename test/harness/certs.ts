/**
 * Certificates made by the tests themselves with the `openssl` CLI (and `keytool` for Java
 * truststores): CAs, server and client certificates, expired ones, and the PKCS#12 stores ZooKeeper reads.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A PEM key and certificate on disk. */
export interface KeyPair {
  keyFile: string;
  certFile: string;
}

/** What a leaf certificate is for and who it names. */
export interface LeafSpec {
  /** Subject CN. */
  name: string;
  /** subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1`. */
  altNames?: string[];
  /** `serverAuth` (default) or `clientAuth`. */
  usage?: 'serverAuth' | 'clientAuth';
  /** Validity as `YYYYMMDDHHMMSSZ`; both set: an exact (e.g. already expired) window. */
  notBefore?: string;
  notAfter?: string;
}

/** A directory of test certificates; {@link remove} deletes it. */
export class CertDir {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-certs-'));

  /** A self-signed CA. */
  ca(name: string): KeyPair {
    const pair = this.paths(name);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      pair.keyFile,
      '-out',
      pair.certFile,
    ]);
    return pair;
  }

  /** A certificate signed by `ca`. */
  leaf(ca: KeyPair, spec: LeafSpec): KeyPair {
    const pair = this.paths(spec.name);
    const csr = path.join(this.dir, `${spec.name}.csr`);
    openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${spec.name}`,
      '-keyout',
      pair.keyFile,
      '-out',
      csr,
    ]);
    const ext = path.join(this.dir, `${spec.name}.ext`);
    const lines = ['basicConstraints=CA:FALSE', `extendedKeyUsage=${spec.usage ?? 'serverAuth'}`];
    if (spec.altNames?.length) lines.push(`subjectAltName=${spec.altNames.join(',')}`);
    fs.writeFileSync(ext, `${lines.join('\n')}\n`);
    if (spec.notBefore !== undefined && spec.notAfter !== undefined) {
      this.signWindow(ca, csr, ext, pair.certFile, spec.notBefore, spec.notAfter);
    } else {
      openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        ca.certFile,
        '-CAkey',
        ca.keyFile,
        '-CAcreateserial',
        '-days',
        '30',
        '-extfile',
        ext,
        '-out',
        pair.certFile,
      ]);
    }
    return pair;
  }

  /** A PKCS#12 keystore of `pair` (with its chain) for ZooKeeper's `ssl.keyStore`. */
  keyStore(pair: KeyPair, ca: KeyPair, password: string): string {
    const file = pair.certFile.replace(/\.pem$/, '.keystore.p12');
    openssl([
      'pkcs12',
      '-export',
      '-inkey',
      pair.keyFile,
      '-in',
      pair.certFile,
      '-certfile',
      ca.certFile,
      '-passout',
      `pass:${password}`,
      '-out',
      file,
    ]);
    return file;
  }

  /** A PKCS#12 truststore holding `ca` as a trusted entry (what Java's `ssl.trustStore` needs). */
  trustStore(ca: KeyPair, password: string): string {
    const file = ca.certFile.replace(/\.pem$/, '.truststore.p12');
    execFileSync(
      'keytool',
      ['-importcert', '-noprompt', '-alias', 'ca', '-file', ca.certFile, '-keystore', file, '-storetype', 'PKCS12', '-storepass', password],
      { stdio: 'pipe' },
    );
    return file;
  }

  /** Deletes every file. */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private paths(name: string): KeyPair {
    return { keyFile: path.join(this.dir, `${name}.key.pem`), certFile: path.join(this.dir, `${name}.pem`) };
  }

  /** `openssl x509` cannot backdate; `openssl ca` can, given a throwaway database. */
  private signWindow(ca: KeyPair, csr: string, ext: string, out: string, notBefore: string, notAfter: string): void {
    const db = path.join(this.dir, `db-${path.basename(out, '.pem')}`);
    fs.mkdirSync(db);
    fs.writeFileSync(path.join(db, 'index.txt'), '');
    fs.writeFileSync(path.join(db, 'serial'), '01\n');
    const conf = path.join(db, 'ca.cnf');
    fs.writeFileSync(
      conf,
      [
        '[ca]',
        'default_ca=test',
        '[test]',
        `dir=${db}`,
        'database=$dir/index.txt',
        'serial=$dir/serial',
        'new_certs_dir=$dir',
        'default_md=sha256',
        'policy=any',
        'copy_extensions=none',
        '[any]',
        'commonName=supplied',
        '',
      ].join('\n'),
    );
    openssl([
      'ca',
      '-batch',
      '-config',
      conf,
      '-cert',
      ca.certFile,
      '-keyfile',
      ca.keyFile,
      '-in',
      csr,
      '-out',
      out,
      '-startdate',
      notBefore,
      '-enddate',
      notAfter,
      '-extfile',
      ext,
      '-notext',
    ]);
  }
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}
