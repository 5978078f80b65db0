import { describe, expect, it } from 'vitest';
import type { HookTargetConfig } from '../../../src/config/types.js';
import { afterRetryableAttempt, backoffDelay, classifyResponse, parseRetryAfter, tooOld } from '../../../src/hooks/decide/retry.js';

const NOW = 1_700_000_000_000;
const TARGET: HookTargetConfig = {
  name: 'pager',
  url: 'http://127.0.0.1:1/',
  timeoutMs: 2_000,
  maxAgeMs: 60_000,
  concurrency: 1,
  initialBackoffMs: 1_000,
  maxBackoffMs: 16_000,
};

describe('classifyResponse', () => {
  const table: Array<[number, string | null, ReturnType<typeof classifyResponse>]> = [
    [200, null, { outcome: { kind: 'delivered', status: 200 } }],
    [204, '5', { outcome: { kind: 'delivered', status: 204 } }],
    [302, null, { outcome: { kind: 'rejected', status: 302 } }],
    [400, null, { outcome: { kind: 'rejected', status: 400 } }],
    [408, null, { outcome: { kind: 'retry', status: 408 } }],
    [425, null, { outcome: { kind: 'retry', status: 425 } }],
    [429, '3', { outcome: { kind: 'retry', status: 429 }, retryAfterMs: 3_000 }],
    [503, '120', { outcome: { kind: 'retry', status: 503 }, retryAfterMs: 16_000 }],
    // Retry-After is only honoured where HTTP gives it that meaning (429, 503).
    [500, '3', { outcome: { kind: 'retry', status: 500 } }],
    [503, 'soon', { outcome: { kind: 'retry', status: 503 } }],
  ];
  for (const [status, retryAfter, expected] of table) {
    it(`${status} Retry-After ${retryAfter ?? '-'}`, () => {
      expect(classifyResponse(status, retryAfter, NOW, TARGET.maxBackoffMs)).toEqual(expected);
    });
  }
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, capped', () => {
    expect(parseRetryAfter('12', 0, 60_000)).toBe(12_000);
    expect(parseRetryAfter('120', 0, 60_000)).toBe(60_000);
    expect(parseRetryAfter(new Date(NOW + 5_000).toUTCString(), NOW, 60_000)).toBe(5_000);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW, 60_000)).toBe(0);
    expect(parseRetryAfter('soon', 0, 60_000)).toBeUndefined();
    expect(parseRetryAfter(null, 0, 60_000)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('is full jitter under a cap that doubles per attempt up to the maximum', () => {
    const caps = [1, 2, 3, 4, 5, 6, 60].map((n) => backoffDelay(TARGET, n, 0.999_999_9) + 1);
    expect(caps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000]);
    expect(backoffDelay(TARGET, 3, 0)).toBe(0);
    expect(backoffDelay(TARGET, 3, 0.5)).toBe(2_000);
  });
});

describe('afterRetryableAttempt', () => {
  const random = (): number => 0.5;

  it('waits the jittered backoff when there is no Retry-After', () => {
    expect(afterRetryableAttempt({ target: TARGET, n: 2, createdAt: NOW, now: NOW, retryAfterMs: undefined, random })).toEqual({
      kind: 'retry',
      delayMs: 1_000,
    });
  });

  it('waits what Retry-After asked for, without drawing a random number', () => {
    const draws: number[] = [];
    const step = afterRetryableAttempt({
      target: TARGET,
      n: 2,
      createdAt: NOW,
      now: NOW,
      retryAfterMs: 7_000,
      random: () => draws.push(1),
    });
    expect([step, draws]).toEqual([{ kind: 'retry', delayMs: 7_000 }, []]);
  });

  it('dead-letters at once when the wait alone would pass the maximum age', () => {
    expect(afterRetryableAttempt({ target: TARGET, n: 3, createdAt: NOW, now: NOW + 58_000, retryAfterMs: 3_000, random })).toEqual({
      kind: 'dead_letter',
      reason: 'max age 60000ms would be exceeded before attempt 4',
    });
    expect(afterRetryableAttempt({ target: TARGET, n: 3, createdAt: NOW, now: NOW + 57_000, retryAfterMs: 3_000, random })).toEqual({
      kind: 'retry',
      delayMs: 3_000,
    });
  });
});

describe('tooOld', () => {
  it('refuses an attempt once the intent is older than the maximum age', () => {
    expect(tooOld(TARGET, NOW, NOW + 60_000, 2)).toBeUndefined();
    expect(tooOld(TARGET, NOW, NOW + 60_001, 2)).toBe('max age 60000ms exceeded before attempt 2');
  });
});
