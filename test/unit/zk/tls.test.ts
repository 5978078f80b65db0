import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendFourLetterWord } from '../../../src/zk/four-letter.js';
import { loadZkTls, TlsFileError } from '../../../src/zk/tls-files.js';
import { tlsFailureDetail } from '../../../src/zk/tls.js';
import { CertDir, type KeyPair } from '../../harness/certs.js';

const ANY_DURATION: unknown = expect.any(Number);

describe('tlsFailureDetail', () => {
  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate signed by an unknown CA (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'],
    ['CERT_HAS_EXPIRED', 'certificate expired (CERT_HAS_EXPIRED)'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate name mismatch: not valid for "zk1" (ERR_TLS_CERT_ALTNAME_INVALID)'],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'server requires a client certificate it trusts (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)',
    ],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'server does not speak TLS on this port (ERR_SSL_WRONG_VERSION_NUMBER)'],
  ])('%s → %s', (code, detail) => {
    expect(tlsFailureDetail(code, 'zk1')).toBe(detail);
  });

  it('leaves socket errors to the caller', () => {
    expect(tlsFailureDetail('ECONNREFUSED', 'zk1')).toBeUndefined();
  });
});

describe('four-letter words over TLS against a local TLS server', () => {
  let certs: CertDir;
  let ca: KeyPair;
  let expired: KeyPair;
  let valid: KeyPair;
  const servers: tls.Server[] = [];

  /** A TLS server answering every connection with a srvr-like line, then closing. */
  async function serve(pair: KeyPair): Promise<number> {
    const server = tls.createServer({ cert: fs.readFileSync(pair.certFile), key: fs.readFileSync(pair.keyFile) }, (socket) => {
      socket.once('data', () => socket.end('Mode: standalone\n'));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  beforeAll(() => {
    certs = new CertDir();
    ca = certs.ca('unit-ca');
    valid = certs.leaf(ca, { name: 'valid', altNames: ['IP:127.0.0.1'] });
    expired = certs.leaf(ca, { name: 'expired', altNames: ['IP:127.0.0.1'], notBefore: '20200101000000Z', notAfter: '20200102000000Z' });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    certs.remove();
  });

  const limits = { timeoutMs: 2000, maxBytes: 1024 };

  it('reads the reply when the certificate chains to the CA', async () => {
    const port = await serve(valid);
    const tlsOpts = loadZkTls({ caFile: ca.certFile, insecureSkipVerify: false });
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port }, 'srvr', { ...limits, tls: tlsOpts });
    expect(reply).toEqual({ ok: true, body: 'Mode: standalone\n', durationMs: ANY_DURATION });
  });

  it('an expired certificate: reason tls, detail expired', async () => {
    const port = await serve(expired);
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port }, 'srvr', {
      ...limits,
      tls: loadZkTls({ caFile: ca.certFile, insecureSkipVerify: false }),
    });
    expect(reply).toEqual({ ok: false, reason: 'tls', detail: 'certificate expired (CERT_HAS_EXPIRED)', durationMs: ANY_DURATION });
  });

  it('settings whose files were not read: reason tls, nothing sent in plaintext', async () => {
    const port = await serve(valid);
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port }, 'srvr', {
      ...limits,
      tls: { caFile: ca.certFile, insecureSkipVerify: false },
    });
    expect(reply).toEqual({ ok: false, reason: 'tls', detail: 'TLS files were not loaded', durationMs: ANY_DURATION });
  });

  it('loadZkTls names an unreadable file, a non-PEM file and a key that does not match', () => {
    const missing = `${certs.dir}/missing.pem`;
    expect(() => loadZkTls({ caFile: missing, insecureSkipVerify: false })).toThrow(new TlsFileError(missing, 'no such file'));
    const notPem = `${certs.dir}/not.pem`;
    fs.writeFileSync(notPem, 'hello\n');
    expect(() => loadZkTls({ caFile: notPem, insecureSkipVerify: false })).toThrow(new TlsFileError(notPem, 'holds no PEM certificate'));
    expect(() => loadZkTls({ certFile: valid.certFile, keyFile: expired.keyFile, insecureSkipVerify: false })).toThrow(
      new TlsFileError(expired.keyFile, `is not the key of ${valid.certFile}`),
    );
  });
});
