import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { idempotencyHeaderValue, MAX_PLAIN_KEY_LENGTH } from '../../../src/hooks/decide/header-key.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s, 'utf8').digest('hex')}`;

describe('idempotencyHeaderValue', () => {
  it('keeps a key that is already a safe header value, so receivers keep deduplicating across versions', () => {
    const key = 'pager/alert/6f1c2a/2025-03-01T10:00:00.123Z/firing';
    expect(idempotencyHeaderValue(key)).toBe(key);
  });

  const unsafe: Array<[string, string]> = [
    ['CR/LF', 'pager/alert/ab\r\nX-Injected: 1/2025/firing'],
    ['non-Latin-1', 'pager/alert/指纹/2025/firing'],
    ['Latin-1 but not ASCII', 'pager/alert/é/2025/firing'],
    ['a space', 'pager/alert/a b/2025/firing'],
    ['a NUL', 'pager/alert/a\u0000b'],
    ['too long', 'k'.repeat(MAX_PLAIN_KEY_LENGTH + 1)],
  ];
  for (const [name, key] of unsafe) {
    it(`hashes a key with ${name} to a stable safe token`, () => {
      expect(idempotencyHeaderValue(key)).toBe(sha(key));
      // Valid for the platform's own header check, the one that used to throw before every send.
      expect(() => new Headers({ 'Idempotency-Key': idempotencyHeaderValue(key) })).not.toThrow();
    });
  }
});
