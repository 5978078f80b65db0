/**
 * Retry policy of hook deliveries: how a response is classed, how long to wait before the next
 * attempt (full jitter, or the receiver's Retry-After) and when to give up (maximum age). Pure:
 * the clock and the random source come in from the caller.
 */
import type { HookTargetConfig } from '../../config/types.js';
import type { AttemptOutcome } from '../types.js';

/** Statuses retried besides 5xx: request timeout, too early, too many requests. */
const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

/** An attempt's outcome, with the wait the receiver asked for (429/503 with `Retry-After`). */
export interface ClassifiedResponse {
  outcome: AttemptOutcome;
  retryAfterMs?: number;
}

/** Classes an HTTP status: 2xx delivered, 5xx/408/425/429 retried, anything else rejected (3xx included: redirects are not followed). */
export function classifyResponse(status: number, retryAfter: string | null, nowMs: number, capMs: number): ClassifiedResponse {
  if (status >= 200 && status < 300) return { outcome: { kind: 'delivered', status } };
  if (status >= 500 || RETRY_STATUSES.has(status)) {
    const honoursRetryAfter = status === 429 || status === 503;
    const retryAfterMs = honoursRetryAfter ? parseRetryAfter(retryAfter, nowMs, capMs) : undefined;
    return retryAfterMs === undefined ? { outcome: { kind: 'retry', status } } : { outcome: { kind: 'retry', status }, retryAfterMs };
  }
  return { outcome: { kind: 'rejected', status } };
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from now, capped; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, nowMs: number, capMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = Math.max(0, date - nowMs);
  }
  return Math.min(capMs, ms);
}

/** Full jitter after attempt `n`: uniform in [0, min(max, initial·2^(n-1))), from a uniform [0, 1) `random`. */
export function backoffDelay(target: Pick<HookTargetConfig, 'initialBackoffMs' | 'maxBackoffMs'>, n: number, random: number): number {
  const cap = Math.min(target.maxBackoffMs, target.initialBackoffMs * 2 ** Math.min(n - 1, 52));
  return Math.floor(random * cap);
}

/** What follows a failed attempt `n`: wait `delayMs`, or dead-letter now when the wait alone would pass the maximum age. */
export type RetryStep = { kind: 'retry'; delayMs: number } | { kind: 'dead_letter'; reason: string };

/** Decides the step after a retryable outcome of attempt `n` of an intent created at `createdAt` (`random` is asked only when there is no Retry-After). */
export function afterRetryableAttempt(input: {
  target: HookTargetConfig;
  n: number;
  createdAt: number;
  now: number;
  retryAfterMs: number | undefined;
  random: () => number;
}): RetryStep {
  const { target, n } = input;
  const delayMs = input.retryAfterMs ?? backoffDelay(target, n, input.random());
  if (input.now + delayMs - input.createdAt > target.maxAgeMs) {
    // Waiting would only reach the age check; counting the dead letter now tells the operator sooner.
    return { kind: 'dead_letter', reason: `max age ${target.maxAgeMs}ms would be exceeded before attempt ${n + 1}` };
  }
  return { kind: 'retry', delayMs };
}

/** Why an intent is too old to attempt (`n` is the attempt about to start), or undefined when it may go. */
export function tooOld(target: HookTargetConfig, createdAt: number, now: number, n: number): string | undefined {
  return now - createdAt > target.maxAgeMs ? `max age ${target.maxAgeMs}ms exceeded before attempt ${n}` : undefined;
}
