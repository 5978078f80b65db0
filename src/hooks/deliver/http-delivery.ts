/**
 * HTTP delivery of outbox intents: one signed POST per attempt, per-hook concurrency limits, and
 * the retry policy of `decide/retry.ts` applied with timers.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { HookTargetConfig } from '../../config/types.js';
import { renderTemplate } from '../../model/template.js';
import { idempotencyHeaderValue } from '../decide/header-key.js';
import { afterRetryableAttempt, backoffDelay, classifyResponse, tooOld } from '../decide/retry.js';
import { SIGNATURE_HEADER, signatureHeader } from '../signing.js';
import { standardWebhookHeaders } from '../standard-webhooks.js';
import type { AttemptOutcome, AuditEntry, HookIntent, IntentResult } from '../types.js';
import { installedCrashPointCallback, type CrashPointCallback } from './crash-points.js';
import type { Outbox } from './outbox.js';

/** The `User-Agent` sent with every hook request. */
const USER_AGENT = 'zk-ensemble-exporter';

/** What a {@link Deliverer} needs. */
export interface DelivererOptions {
  targets: HookTargetConfig[];
  outbox: Outbox;
  /** Signing secrets; the first signs `X-Zk-Signature`, every one signs `webhook-signature`. Empty: requests go unsigned. */
  secrets: string[];
  /** Record intents and a `dry_run` result; send nothing. */
  dryRun: boolean;
  audit: (e: AuditEntry) => void;
  /** Records several entries at once (one file write); absent: `audit` is called for each. */
  auditAll?: (entries: AuditEntry[]) => void;
  /** Called once per intent with its final result. */
  onResult?: (intent: HookIntent, result: IntentResult) => void;
  /** Receives internal failures (journal writes); the intent is retried after backoff. */
  onError?: (err: Error, intent: HookIntent) => void;
  /** @default globalThis.fetch */
  fetchImpl?: typeof fetch;
  /** Clock (unix ms). @default Date.now */
  now?: () => number;
  /** Uniform [0, 1) source for jitter. @default Math.random */
  random?: () => number;
  /** Waits between attempts; the default is a timer that {@link Deliverer.stop} cancels. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called at the two moments a crash is most harmful (intent persisted but not sent; request sent
   * but its result not recorded), so crash-recovery tests can kill the process exactly there.
   * @default the callback installed through `crash-points.ts` (none in production)
   */
  failpoint?: CrashPointCallback;
}

/** Snapshot of delivery state for metrics. */
export interface DelivererStats {
  /** Intents waiting for a slot or for their next retry, per hook. */
  queueDepth: Record<string, number>;
  /** Requests in flight, per hook. */
  inFlight: Record<string, number>;
  /** Age of the oldest intent not yet done (undefined when none). */
  oldestPendingAgeMs: number | undefined;
  /** Final results since start, per hook. */
  results: Record<string, Record<IntentResult, number>>;
  /** Intents dead-lettered since start (all hooks). */
  deadLetters: number;
}

interface HookState {
  target: HookTargetConfig;
  limiter: LimitFunction;
  inFlight: number;
  backingOff: number;
  results: Record<IntentResult, number>;
}

type Step = { kind: 'done' } | { kind: 'retry'; delayMs: number } | { kind: 'stopped' };

/** Delivers outbox intents as signed POSTs with timeouts, jittered backoff, dead-lettering and per-hook limits. */
export class Deliverer {
  private readonly hooks = new Map<string, HookState>();
  /** Intents being driven (queued, in flight or backing off), by id. */
  private readonly active = new Map<string, HookIntent>();
  private readonly attemptsInFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly failpoint: CrashPointCallback | undefined;
  private deadLetters = 0;
  private stopped = false;

  constructor(private readonly options: DelivererOptions) {
    for (const target of options.targets) {
      if (this.hooks.has(target.name)) throw new Error(`duplicate hook target ${target.name}`);
      this.hooks.set(target.name, {
        target,
        limiter: pLimit(target.concurrency),
        inFlight: 0,
        backingOff: 0,
        results: zeroResults(),
      });
    }
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => this.timerSleep(ms));
    this.failpoint = options.failpoint ?? installedCrashPointCallback();
  }

  /** Persists the intent, then schedules it; false (audited as `duplicate`) when its hook+key is pending or done. */
  async submit(intent: HookIntent): Promise<boolean> {
    const [added] = await this.submitAll([intent]);
    return added === true;
  }

  /**
   * {@link submit} for many intents: one journal write and one fdatasync for all (a payload of 500
   * alerts costs one write, not 500), then each is audited and scheduled. Resolves once every new
   * intent is durable, with one flag per intent.
   */
  async submitAll(intents: readonly HookIntent[]): Promise<boolean[]> {
    if (this.stopped) throw new Error('deliverer is stopped');
    // Refused before persisting: a journalled intent for no target could only be dead-lettered later.
    for (const intent of intents) if (!this.hooks.has(intent.hook)) throw new Error(`unknown hook ${intent.hook}`);
    const added = await this.options.outbox.addAll(intents);
    const entries: AuditEntry[] = [];
    intents.forEach((intent, i) => {
      entries.push(
        added[i]
          ? this.entry('intent', intent)
          : this.entry('duplicate', intent, { detail: 'an intent with this idempotency key is already pending or done' }),
      );
    });
    this.auditAll(entries);
    if (added.some((a) => a)) this.failpoint?.('after-persist');
    const finishing: Array<Promise<void>> = [];
    intents.forEach((intent, i) => {
      if (!added[i]) return;
      if (this.options.dryRun) finishing.push(this.finish(intent, 'dry_run'));
      else this.schedule(intent);
    });
    await Promise.all(finishing);
    return added;
  }

  /** Schedules every pending intent in the outbox (those left by a previous run); not in dry-run. */
  start(): void {
    if (this.stopped || this.options.dryRun) return;
    for (const intent of this.options.outbox.pending()) this.schedule(intent);
  }

  /** Stops retry timers and waits for requests in flight (each bounded by its timeout); pending intents stay in the outbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    this.timers.clear();
    while (this.attemptsInFlight.size > 0) await Promise.allSettled([...this.attemptsInFlight]);
  }

  /** Queue, in-flight and result counters for metrics. */
  stats(): DelivererStats {
    const queueDepth: Record<string, number> = {};
    const inFlight: Record<string, number> = {};
    const results: Record<string, Record<IntentResult, number>> = {};
    for (const [name, state] of this.hooks) {
      queueDepth[name] = state.limiter.pendingCount + state.backingOff;
      inFlight[name] = state.inFlight;
      results[name] = { ...state.results };
    }
    const oldest = this.options.outbox.pending()[0];
    return {
      queueDepth,
      inFlight,
      oldestPendingAgeMs: oldest === undefined ? undefined : Math.max(0, this.now() - oldest.createdAt),
      results,
      deadLetters: this.deadLetters,
    };
  }

  /** Whether a delivery to `hook` (optionally with an idempotency key starting with the prefix) is not finished yet. */
  isInFlight(hook: string, idempotencyKeyPrefix?: string): boolean {
    for (const intent of this.active.values()) {
      if (intent.hook !== hook) continue;
      if (idempotencyKeyPrefix === undefined || intent.idempotencyKey.startsWith(idempotencyKeyPrefix)) return true;
    }
    return false;
  }

  private schedule(intent: HookIntent): void {
    if (this.active.has(intent.id)) return;
    this.active.set(intent.id, intent);
    void this.drive(intent);
  }

  /** Runs attempts for one intent until it is done or the deliverer stops. */
  private async drive(intent: HookIntent): Promise<void> {
    try {
      const state = this.hooks.get(intent.hook);
      if (state === undefined) {
        // The hook was removed from the config while this intent waited in the outbox.
        await this.finish(intent, 'dead_lettered', `hook ${intent.hook} is not configured`);
        return;
      }
      for (;;) {
        const attempt = state.limiter(() => this.attempt(intent, state));
        this.attemptsInFlight.add(attempt);
        let step: Step;
        try {
          step = await attempt;
        } finally {
          this.attemptsInFlight.delete(attempt);
        }
        if (step.kind !== 'retry') return;
        state.backingOff++;
        try {
          await this.sleep(step.delayMs);
        } finally {
          state.backingOff--;
        }
        if (this.stopped) return;
      }
    } catch (err) {
      // Only reachable when finishing an unknown hook fails; the intent stays pending for the next start.
      this.options.onError?.(err as Error, intent);
    } finally {
      // Done, stopped or failed: whatever is still pending is picked up again by the next start().
      this.active.delete(intent.id);
    }
  }

  private async attempt(intent: HookIntent, state: HookState): Promise<Step> {
    if (this.stopped) return { kind: 'stopped' };
    const { target } = state;
    const n = this.options.outbox.attempts(intent.id) + 1;
    try {
      const expired = tooOld(target, intent.createdAt, this.now(), n);
      if (expired !== undefined) {
        await this.finish(intent, 'dead_lettered', expired);
        return { kind: 'done' };
      }
      let body: string;
      try {
        body = target.template === undefined ? JSON.stringify(intent.payload) : renderTemplate(target.template, intent.payload);
      } catch (err) {
        await this.finish(intent, 'rejected', (err as Error).message);
        return { kind: 'done' };
      }

      const headers = this.headersFor(intent, target, body);
      if (typeof headers === 'string') {
        // No retry could ever send it: dead-lettered now, with the reason, rather than after max age.
        await this.finish(intent, 'dead_lettered', headers);
        return { kind: 'done' };
      }

      state.inFlight++;
      let outcome: AttemptOutcome;
      let retryAfterMs: number | undefined;
      try {
        ({ outcome, retryAfterMs } = await this.send(target, headers, body));
      } finally {
        state.inFlight--;
      }
      this.failpoint?.('after-send');
      await this.options.outbox.recordAttempt(intent.id, n, outcome);
      this.audit('attempt', intent, { attempt: n, outcome });

      if (outcome.kind === 'delivered') {
        await this.finish(intent, 'delivered');
        return { kind: 'done' };
      }
      if (outcome.kind === 'rejected') {
        await this.finish(intent, 'rejected', `HTTP ${outcome.status}`);
        return { kind: 'done' };
      }
      const next = afterRetryableAttempt({ target, n, createdAt: intent.createdAt, now: this.now(), retryAfterMs, random: this.random });
      if (next.kind === 'dead_letter') {
        await this.finish(intent, 'dead_lettered', next.reason);
        return { kind: 'done' };
      }
      return next;
    } catch (err) {
      // A journal write failed; the request may have gone out, so retrying keeps delivery at-least-once.
      this.options.onError?.(err as Error, intent);
      return { kind: 'retry', delayMs: backoffDelay(target, n, this.random()) };
    }
  }

  /** The request headers, or why they cannot be built (naming the header, never its value: it may be a credential). */
  private headersFor(intent: HookIntent, target: HookTargetConfig, body: string): Headers | string {
    const headers = new Headers({ 'Content-Type': 'application/json', 'User-Agent': USER_AGENT });
    const set = (name: string, value: string): string | undefined => {
      try {
        headers.set(name, value);
        return undefined;
      } catch {
        return `request cannot be sent: header ${name} has an invalid value`;
      }
    };
    for (const [name, value] of Object.entries(target.headers ?? {})) {
      const problem = set(name, value);
      if (problem !== undefined) return problem;
    }
    // Set last so configured headers cannot replace the protocol's own. Always a valid value.
    const key = idempotencyHeaderValue(intent.idempotencyKey);
    const problem = set('Idempotency-Key', key);
    if (problem !== undefined) return problem;
    const seconds = Math.floor(this.now() / 1000);
    const secret = this.options.secrets[0];
    if (secret !== undefined) headers.set(SIGNATURE_HEADER, signatureHeader(body, secret, seconds));
    // Standard Webhooks: webhook-id is the Idempotency-Key value; every secret signs (rotation).
    for (const [name, value] of Object.entries(standardWebhookHeaders(key, seconds, body, this.options.secrets))) headers.set(name, value);
    return headers;
  }

  /** One POST; never throws for network trouble, which is an outcome like any status. */
  private async send(
    target: HookTargetConfig,
    headers: Headers,
    body: string,
  ): Promise<{ outcome: AttemptOutcome; retryAfterMs?: number }> {
    let response: Response;
    try {
      response = await this.fetchImpl(target.url, {
        method: 'POST',
        headers,
        body,
        // A redirect would turn the POST into a GET; it is reported as the 3xx it is.
        redirect: 'manual',
        signal: AbortSignal.timeout(target.timeoutMs),
      });
    } catch (err) {
      return { outcome: { kind: 'retry', error: describeFetchError(err, target.timeoutMs) } };
    }
    // The body is not needed; cancelling frees the connection without waiting for it.
    await response.body?.cancel().catch(() => {});
    return classifyResponse(response.status, response.headers.get('retry-after'), this.now(), target.maxBackoffMs);
  }

  private async finish(intent: HookIntent, result: IntentResult, detail?: string): Promise<void> {
    await this.options.outbox.complete(intent.id, result);
    this.active.delete(intent.id);
    const state = this.hooks.get(intent.hook);
    if (state !== undefined) state.results[result]++;
    if (result === 'dead_lettered') this.deadLetters++;
    this.audit('result', intent, detail === undefined ? { result } : { result, detail });
    this.options.onResult?.(intent, result);
  }

  private audit(type: AuditEntry['type'], intent: HookIntent, extra: Partial<AuditEntry> = {}): void {
    this.auditAll([this.entry(type, intent, extra)]);
  }

  // Many entries reach the trail in one call, so the audit file takes them in one write.
  private auditAll(entries: AuditEntry[]): void {
    if (entries.length === 0) return;
    if (this.options.auditAll) this.options.auditAll(entries);
    else for (const entry of entries) this.options.audit(entry);
  }

  private entry(type: AuditEntry['type'], intent: HookIntent, extra: Partial<AuditEntry> = {}): AuditEntry {
    const entry: AuditEntry = {
      at: this.now(),
      type,
      intentId: intent.id,
      hook: intent.hook,
      event: intent.event,
      idempotencyKey: intent.idempotencyKey,
      ...extra,
    };
    if (intent.ensemble !== undefined) entry.ensemble = intent.ensemble;
    return entry;
  }

  private timerSleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const handle = {
        timer: setTimeout(() => {
          this.timers.delete(handle);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(handle);
    });
  }
}

/** A short reason for a failed fetch: error codes only, since messages can quote the URL and its credentials. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError') return `timeout after ${timeoutMs}ms`;
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === 'string') return `network error: ${code}`;
  return `network error: ${e?.cause?.name ?? e?.name ?? 'unknown'}`;
}

function zeroResults(): Record<IntentResult, number> {
  return { delivered: 0, rejected: 0, dead_lettered: 0, suppressed: 0, dry_run: 0 };
}
