import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecrets } from '../../../src/hooks/deliver/secret-files.js';
import { signatureHeader, verifySignature } from '../../../src/hooks/signing.js';
import { signingKey, standardWebhookHeaders, standardWebhookSignature } from '../../../src/hooks/standard-webhooks.js';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const BODY = '{"event":"quorum_lost","ensemble":"kafka"}';
const NOW = 1_700_000_000;

describe('signatureHeader', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', 'shh').update(`${NOW}.${BODY}`).digest('hex');
    expect(signatureHeader(BODY, 'shh', NOW)).toBe(`t=${NOW},v1=${expected}`);
  });

  it('refuses a fractional timestamp', () => {
    expect(() => signatureHeader(BODY, 'shh', 1.5)).toThrow('signature timestamp must be a non-negative integer of unix seconds, got 1.5');
  });
});

describe('verifySignature', () => {
  it('accepts its own signature', () => {
    expect(verifySignature(signatureHeader(BODY, 'shh', NOW), BODY, ['shh'], NOW)).toEqual({ ok: true });
  });

  it('accepts a signature by the second secret during rotation', () => {
    const header = signatureHeader(BODY, 'old-key', NOW);
    expect(verifySignature(header, BODY, ['new-key', 'old-key'], NOW + 10)).toEqual({ ok: true });
  });

  it('accepts when any of several v1 entries matches', () => {
    const byNew = signatureHeader(BODY, 'new-key', NOW).split(',')[1]!;
    const byOld = signatureHeader(BODY, 'old-key', NOW).split(',')[1]!;
    expect(verifySignature(`t=${NOW}, ${byNew}, ${byOld}`, BODY, ['old-key'], NOW)).toEqual({ ok: true });
  });

  it('rejects a tampered body', () => {
    const header = signatureHeader(BODY, 'shh', NOW);
    expect(verifySignature(header, BODY.replace('kafka', 'hbase'), ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'signature mismatch: no v1 matches any configured secret',
    });
  });

  it('rejects a wrong secret', () => {
    expect(verifySignature(signatureHeader(BODY, 'other', NOW), BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'signature mismatch: no v1 matches any configured secret',
    });
  });

  it('rejects an old timestamp', () => {
    expect(verifySignature(signatureHeader(BODY, 'shh', NOW - 301), BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'timestamp too old: 301s before now, tolerance 300s',
    });
    expect(verifySignature(signatureHeader(BODY, 'shh', NOW - 300), BODY, ['shh'], NOW)).toEqual({ ok: true });
  });

  it('rejects a timestamp from the future', () => {
    expect(verifySignature(signatureHeader(BODY, 'shh', NOW + 60), BODY, ['shh'], NOW, 30)).toEqual({
      ok: false,
      reason: 'timestamp in the future: 60s after now, tolerance 30s',
    });
  });

  it('rejects an old signature moved onto a fresh timestamp', () => {
    const v1 = signatureHeader(BODY, 'shh', NOW - 1000).split(',')[1]!;
    expect(verifySignature(`t=${NOW},${v1}`, BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'signature mismatch: no v1 matches any configured secret',
    });
  });

  it('says why a malformed header is rejected', () => {
    const v1 = 'v1=' + 'a'.repeat(64);
    expect(verifySignature(undefined, BODY, ['shh'], NOW)).toEqual({ ok: false, reason: 'missing X-Zk-Signature header' });
    expect(verifySignature(`t=${NOW},${v1}`, BODY, [], NOW)).toEqual({ ok: false, reason: 'no signing secret configured' });
    expect(verifySignature(v1, BODY, ['shh'], NOW)).toEqual({ ok: false, reason: 'malformed X-Zk-Signature header: no t=' });
    expect(verifySignature(`t=${NOW}`, BODY, ['shh'], NOW)).toEqual({ ok: false, reason: 'malformed X-Zk-Signature header: no v1=' });
    expect(verifySignature(`t=${NOW},v1=abc`, BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'malformed v1 signature: expected 64 hex digits',
    });
    expect(verifySignature(`t=soon,${v1}`, BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'malformed timestamp: expected unix seconds',
    });
    expect(verifySignature(`t=${NOW},t=${NOW},${v1}`, BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'malformed X-Zk-Signature header: more than one t=',
    });
    expect(verifySignature(`t=${NOW};${v1}`, BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'malformed timestamp: expected unix seconds',
    });
    expect(verifySignature('garbage', BODY, ['shh'], NOW)).toEqual({
      ok: false,
      reason: 'malformed X-Zk-Signature header: element without "="',
    });
  });

  it('ignores schemes other than v1', () => {
    const header = signatureHeader(BODY, 'shh', NOW).replace(',', ',v0=deadbeef,');
    expect(verifySignature(header, BODY, ['shh'], NOW)).toEqual({ ok: true });
  });
});

describe('loadSecrets', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads files first in order, then the env value split on commas and newlines, trimmed', () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-secrets-'));
    writeFileSync(join(dir, 'a'), '  file-a\n');
    writeFileSync(join(dir, 'b'), 'file-b');
    expect(loadSecrets({ env: ' env-1 ,, env-2\nenv-3\n', files: [join(dir, 'a'), join(dir, 'b')] })).toEqual([
      'file-a',
      'file-b',
      'env-1',
      'env-2',
      'env-3',
    ]);
  });

  it('returns nothing when nothing is configured', () => {
    expect(loadSecrets({})).toEqual([]);
    expect(loadSecrets({ env: ' , \n' })).toEqual([]);
  });

  it('names an unreadable file without revealing any secret', () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-secrets-'));
    const missing = join(dir, 'missing');
    let message = '';
    try {
      loadSecrets({ env: 'env-secret-value', files: [missing] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(`hook secret file ${missing} cannot be read (ENOENT)`);
    expect(message).not.toContain('env-secret-value');
  });

  it('names a file it may not read', () => {
    // root reads any file regardless of mode, so the check only means something for other users.
    if (process.getuid?.() === 0) return;
    dir = mkdtempSync(join(tmpdir(), 'zk-secrets-'));
    const file = join(dir, 'locked');
    writeFileSync(file, 'top-secret');
    chmodSync(file, 0o000);
    expect(() => loadSecrets({ files: [file] })).toThrow(`hook secret file ${file} cannot be read (EACCES)`);
  });

  it('names an empty file', () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-secrets-'));
    const file = join(dir, 'empty');
    writeFileSync(file, ' \n');
    expect(() => loadSecrets({ files: [file] })).toThrow(`hook secret file ${file} is empty`);
  });

  it('round-trips with secrets it loaded', () => {
    const secrets = loadSecrets({ env: 'k1,k2' });
    expect(verifySignature(signatureHeader(BODY, secrets[0]!, NOW), BODY, secrets, NOW)).toEqual({ ok: true });
  });
});

describe('Standard Webhooks headers', () => {
  // A key given in the specification's form, as Standard Webhooks libraries generate them.
  const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
  const WHSEC = `whsec_${KEY.toString('base64')}`;
  const ID = 'pager/kafka/quorum_lost/e7/1a2b3c4d/2026-11-25T10:10:00Z';
  // The package checks the timestamp against the real clock, so the headers are signed "now".
  const now = (): number => Math.floor(Date.now() / 1000);

  it('sends webhook-id, webhook-timestamp and a v1 signature the standardwebhooks package verifies', () => {
    const t = now();
    const headers = standardWebhookHeaders(ID, t, BODY, [WHSEC]);
    expect(headers['webhook-id']).toBe(ID);
    expect(headers['webhook-timestamp']).toBe(String(t));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(WHSEC).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('signs "<id>.<timestamp>.<body>" with the decoded key bytes, base64', () => {
    const expected = createHmac('sha256', KEY).update(`${ID}.${NOW}.${BODY}`).digest('base64');
    expect(standardWebhookSignature(ID, NOW, BODY, [WHSEC])).toBe(`v1,${expected}`);
  });

  it('signs once per secret, space-separated, so a receiver holding either key accepts during rotation', () => {
    const other = `whsec_${Buffer.from('another key of thirty-two bytes!').toString('base64')}`;
    const headers = standardWebhookHeaders(ID, now(), BODY, [WHSEC, other]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(WHSEC).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(other).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('keys a plain secret with its UTF-8 bytes: the package verifies it as a raw key', () => {
    const plain = 'test-secret-0123456789';
    const headers = standardWebhookHeaders(ID, now(), BODY, [plain]);
    expect(new Webhook(Buffer.from(plain, 'utf8'), { format: 'raw' }).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    // The same key in the specification's form: `whsec_` + base64 of those bytes.
    expect(new Webhook(`whsec_${Buffer.from(plain).toString('base64')}`).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('fails verification of a tampered body and of a wrong key', () => {
    const headers = standardWebhookHeaders(ID, now(), BODY, [WHSEC]);
    expect(() => new Webhook(WHSEC).verify(BODY.replace('kafka', 'other'), headers)).toThrow(WebhookVerificationError);
    const wrong = `whsec_${Buffer.from('not the key that signed this one').toString('base64')}`;
    expect(() => new Webhook(wrong).verify(BODY, headers)).toThrow('No matching signature found');
  });

  it('omits webhook-signature without secrets but keeps the id and timestamp', () => {
    expect(standardWebhookHeaders(ID, NOW, BODY, [])).toEqual({ 'webhook-id': ID, 'webhook-timestamp': String(NOW) });
  });

  it('decodes a whsec_ key wrapped over several lines', () => {
    const b64 = KEY.toString('base64');
    expect(signingKey(`whsec_${b64.slice(0, 20)}\n${b64.slice(20)}`)).toEqual(KEY);
  });

  it('refuses a whsec_ secret that is not base64, without quoting it', () => {
    expect(() => signingKey('whsec_not*base64')).toThrow(new RangeError('the whsec_ secret is not valid base64 after the prefix'));
    expect(() => signingKey('whsec_')).toThrow(new RangeError('the whsec_ secret has no key after the prefix'));
  });

  it('refuses a fractional timestamp', () => {
    expect(() => standardWebhookSignature(ID, 1.5, BODY, [WHSEC])).toThrow(
      'webhook timestamp must be a non-negative integer of unix seconds, got 1.5',
    );
  });
});

describe('loadSecrets with whsec_ secrets', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('keeps a valid whsec_ secret as written', () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-secrets-'));
    writeFileSync(join(dir, 'w'), 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n');
    expect(loadSecrets({ files: [join(dir, 'w')] })).toEqual(['whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=']);
  });

  it('names a file whose whsec_ secret is not base64, without its content', () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-secrets-'));
    const file = join(dir, 'bad');
    writeFileSync(file, 'whsec_s3cr3t!value');
    let message = '';
    try {
      loadSecrets({ files: [file] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(`hook secret file ${file}: the whsec_ secret is not valid base64 after the prefix`);
    expect(message).not.toContain('s3cr3t');
  });

  it('names a bad environment entry by its position, without its content', () => {
    expect(() => loadSecrets({ env: 'plain-one, whsec_s3cr3t!value' })).toThrow(
      'hook secret 2 of the environment: the whsec_ secret is not valid base64 after the prefix',
    );
  });
});
