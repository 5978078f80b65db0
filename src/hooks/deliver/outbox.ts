/**
 * The durable outbox: hook intents journalled before their first attempt, their attempts and
 * results, and the keys seen for deduplication, replayed into memory on start.
 */
import type { AttemptOutcome, HookIntent, IntentResult } from '../types.js';
import { JsonlStore } from './jsonl-store.js';

/** File name of the journal inside the state dir. */
export const OUTBOX_FILE = 'outbox.jsonl';

/** How long done keys and seen keys are remembered for deduplication. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** One line of the journal. */
export type JournalRecord =
  | { t: 'intent'; intent: HookIntent }
  | { t: 'attempt'; id: string; n: number; at: number; outcome: AttemptOutcome }
  // hook and key let a done record stand alone once compaction has dropped its intent line.
  | { t: 'done'; id: string; result: IntentResult; at: number; hook?: string; key?: string }
  | { t: 'seen'; key: string; at: number };

/** Tuning and hooks for {@link Outbox.open}. */
export interface OutboxOptions {
  /**
   * Compact when more than this many done records still have their intent line in the journal.
   * @default 1000
   */
  compactThreshold?: number;
  /**
   * How long done and seen keys are kept for deduplication.
   * @default 7 days
   */
  retentionMs?: number;
  /** Clock (unix ms). @default Date.now */
  now?: () => number;
  /** Receives failures of background compaction (the journal is left intact when one fails). */
  onError?: (err: Error) => void;
}

interface PendingEntry {
  intent: HookIntent;
  attempts: number;
  last?: { at: number; outcome: AttemptOutcome };
}

interface DoneEntry {
  id: string;
  result: IntentResult;
  at: number;
}

/** Durable outbox: an append-only JSONL journal in `<stateDir>/outbox.jsonl`, fsynced before `add` resolves. */
export class Outbox {
  /** Pending intents found in the journal when it was opened. */
  readonly recovered: number;
  /** Bytes of a torn last line (a write cut short by a crash) dropped from the journal when it was opened. */
  readonly tornBytes: number;
  /** Corrupt lines set aside when the journal was opened (0 when none), and the copy of the original file. */
  quarantined: { lines: number; copy: string } | undefined;

  private readonly pendingById = new Map<string, PendingEntry>();
  private readonly pendingByKey = new Map<string, string>();
  private readonly doneByKey = new Map<string, DoneEntry>();
  private readonly seen = new Map<string, number>();
  /** Done records whose intent line is still in the journal: what compaction would reclaim. */
  private reclaimable = 0;
  private compacting = false;
  private closed = false;
  private readonly threshold: number;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly onError: (err: Error) => void;

  private constructor(
    /** The journal, or undefined for a memory-only outbox. */
    private readonly store: JsonlStore<JournalRecord> | undefined,
    options: OutboxOptions,
    records: JournalRecord[],
    tornBytes: number,
  ) {
    this.threshold = options.compactThreshold ?? 1000;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
    for (const record of records) this.apply(record);
    this.recovered = this.pendingById.size;
    this.tornBytes = tornBytes;
  }

  /** Opens (creating dir 0700 and file 0600 if needed) and replays the journal; compacts it when large. */
  static async open(stateDir: string, options: OutboxOptions = {}): Promise<Outbox> {
    // A corrupt line costs that record only: the rest of the journal is still delivered.
    const opened = await JsonlStore.open(stateDir, OUTBOX_FILE, { kind: 'outbox journal', check: checkRecord, onBadLine: 'quarantine' });
    try {
      const outbox = new Outbox(opened.store, options, opened.records, opened.tornBytes);
      outbox.quarantined = opened.quarantined;
      if (outbox.reclaimable > outbox.threshold) await outbox.compact();
      return outbox;
    } catch (err) {
      await opened.store.close().catch(() => {});
      throw err;
    }
  }

  /** A memory-only outbox (dry-run without a state dir): same behaviour, nothing survives a restart. */
  static memory(options: OutboxOptions = {}): Outbox {
    return new Outbox(undefined, options, [], 0);
  }

  /** Persists the intent (fdatasync) and resolves true, or resolves false without writing when its hook+key is already pending or done. */
  async add(intent: HookIntent): Promise<boolean> {
    const [added] = await this.addAll([intent]);
    return added === true;
  }

  /**
   * {@link add} for many intents in one journal write and one fdatasync: resolves, once all the new
   * ones are durable, with one flag per intent (false for a hook+key already pending or done, or
   * repeated earlier in `intents`). A failed write adds none of them.
   */
  async addAll(intents: readonly HookIntent[]): Promise<boolean[]> {
    const flags: boolean[] = [];
    const added: Array<{ intent: HookIntent; key: string }> = [];
    for (const intent of intents) {
      const key = hookKey(intent.hook, intent.idempotencyKey);
      if (this.pendingByKey.has(key) || this.isDone(key)) {
        flags.push(false);
        continue;
      }
      if (this.pendingById.has(intent.id)) {
        for (const a of added) this.unreserve(a.intent.id, a.key);
        throw new Error(`outbox: intent id ${intent.id} is already pending`);
      }
      // Reserved before the write so a concurrent add of the same key sees it at once.
      this.pendingById.set(intent.id, { intent, attempts: 0 });
      this.pendingByKey.set(key, intent.id);
      added.push({ intent, key });
      flags.push(true);
    }
    if (added.length === 0) return flags;
    try {
      await this.append(
        added.map(({ intent }) => ({ t: 'intent', intent })),
        true,
      );
    } catch (err) {
      for (const a of added) this.unreserve(a.intent.id, a.key);
      throw err;
    }
    return flags;
  }

  private unreserve(id: string, key: string): void {
    this.pendingById.delete(id);
    this.pendingByKey.delete(key);
  }

  /** Journals attempt number `n` of a pending intent (not fsynced: losing it after a crash only repeats a backoff step). */
  async recordAttempt(id: string, n: number, outcome: AttemptOutcome): Promise<void> {
    const entry = this.pendingById.get(id);
    if (entry === undefined) throw new Error(`outbox: no pending intent ${id}`);
    const at = this.now();
    entry.attempts = Math.max(entry.attempts, n);
    entry.last = { at, outcome };
    await this.append([{ t: 'attempt', id, n, at, outcome }], false);
  }

  /** Marks a pending intent done with its final result (fdatasync before resolving). */
  async complete(id: string, result: IntentResult): Promise<void> {
    const entry = this.pendingById.get(id);
    if (entry === undefined) throw new Error(`outbox: no pending intent ${id}`);
    const at = this.now();
    const record: JournalRecord = { t: 'done', id, result, at, hook: entry.intent.hook, key: entry.intent.idempotencyKey };
    await this.append([record], true);
    this.apply(record);
    if (this.reclaimable > this.threshold && !this.compacting) {
      // In the background: the caller's result is already durable and must not wait on a rewrite.
      this.compact().catch((err: unknown) => this.onError(err as Error));
    }
  }

  /** Intents not yet done, oldest (by createdAt) first. */
  pending(): HookIntent[] {
    return [...this.pendingById.values()].map((e) => e.intent).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Attempts journalled for an intent (0 when none or unknown). */
  attempts(id: string): number {
    return this.pendingById.get(id)?.attempts ?? 0;
  }

  /** Whether an intent for this hook and idempotency key was completed within the retention period. */
  hasDone(hook: string, key: string): boolean {
    return this.isDone(hookKey(hook, key));
  }

  /** Adds `key` to the persisted dedupe set (fdatasync); false when it was already seen within the retention period. */
  async markSeen(key: string): Promise<boolean> {
    const at = this.now();
    const previous = this.seen.get(key);
    if (previous !== undefined && at - previous < this.retentionMs) return false;
    this.seen.set(key, at);
    try {
      await this.append([{ t: 'seen', key, at }], true);
    } catch (err) {
      if (previous === undefined) this.seen.delete(key);
      else this.seen.set(key, previous);
      throw err;
    }
    return true;
  }

  /** Atomically rewrites the journal to pending intents (with attempt counts) and unexpired done and seen keys. */
  async compact(): Promise<void> {
    if (this.store === undefined) {
      this.prune();
      this.reclaimable = 0;
      return;
    }
    this.compacting = true;
    try {
      await this.store.replace(() => {
        this.prune();
        this.reclaimable = 0;
        return this.snapshot();
      });
    } finally {
      this.compacting = false;
    }
  }

  /** The records that rebuild the current state. */
  private snapshot(): JournalRecord[] {
    const records: JournalRecord[] = [];
    for (const entry of this.pendingById.values()) {
      records.push({ t: 'intent', intent: entry.intent });
      if (entry.attempts > 0 && entry.last !== undefined) {
        records.push({ t: 'attempt', id: entry.intent.id, n: entry.attempts, at: entry.last.at, outcome: entry.last.outcome });
      }
    }
    for (const [key, done] of this.doneByKey) {
      const [hook, idempotencyKey] = splitHookKey(key);
      records.push({ t: 'done', id: done.id, result: done.result, at: done.at, hook, key: idempotencyKey });
    }
    for (const [key, at] of this.seen) records.push({ t: 'seen', key, at });
    return records;
  }

  /** Waits for queued writes, then closes the journal; later writes reject. */
  async close(): Promise<void> {
    this.closed = true;
    await this.store?.close();
  }

  /** Forgets done and seen keys older than the retention period. */
  private prune(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [key, done] of this.doneByKey) if (done.at < cutoff) this.doneByKey.delete(key);
    for (const [key, at] of this.seen) if (at < cutoff) this.seen.delete(key);
  }

  private isDone(key: string): boolean {
    const done = this.doneByKey.get(key);
    return done !== undefined && this.now() - done.at < this.retentionMs;
  }

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'intent': {
        // A compaction that ran while an add was queued has already written this intent once.
        if (this.pendingById.has(record.intent.id)) return;
        const key = hookKey(record.intent.hook, record.intent.idempotencyKey);
        this.pendingById.set(record.intent.id, { intent: record.intent, attempts: 0 });
        this.pendingByKey.set(key, record.intent.id);
        return;
      }
      case 'attempt': {
        // Attempts of an intent dropped by compaction (already done) are history only.
        const entry = this.pendingById.get(record.id);
        if (entry !== undefined) {
          entry.attempts = Math.max(entry.attempts, record.n);
          entry.last = { at: record.at, outcome: record.outcome };
        }
        return;
      }
      case 'done': {
        const entry = this.pendingById.get(record.id);
        if (entry !== undefined) {
          const key = hookKey(entry.intent.hook, entry.intent.idempotencyKey);
          this.pendingById.delete(record.id);
          this.pendingByKey.delete(key);
          this.doneByKey.set(key, { id: record.id, result: record.result, at: record.at });
          this.reclaimable++;
        } else if (record.hook !== undefined && record.key !== undefined) {
          this.doneByKey.set(hookKey(record.hook, record.key), { id: record.id, result: record.result, at: record.at });
        }
        return;
      }
      case 'seen':
        this.seen.set(record.key, record.at);
        return;
    }
  }

  private append(records: JournalRecord[], sync: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('outbox is closed'));
    return this.store?.append(records, sync) ?? Promise.resolve();
  }
}

function checkRecord(value: unknown): JournalRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  const has = (o: Record<string, unknown>, fields: Record<string, string>): boolean =>
    Object.entries(fields).every(([name, type]) => typeof o[name] === type);
  switch (r['t']) {
    case 'intent': {
      const i = r['intent'];
      if (i === null || typeof i !== 'object') return undefined;
      const ok = has(i as Record<string, unknown>, { id: 'string', hook: 'string', idempotencyKey: 'string', createdAt: 'number' });
      return ok ? (value as JournalRecord) : undefined;
    }
    case 'attempt':
      return has(r, { id: 'string', n: 'number', outcome: 'object' }) ? (value as JournalRecord) : undefined;
    case 'done':
      return has(r, { id: 'string', result: 'string', at: 'number' }) ? (value as JournalRecord) : undefined;
    case 'seen':
      return has(r, { key: 'string', at: 'number' }) ? (value as JournalRecord) : undefined;
    default:
      return undefined;
  }
}

function hookKey(hook: string, key: string): string {
  // NUL cannot appear in a configured hook name, so the pair splits back unambiguously.
  return `${hook}\u0000${key}`;
}

function splitHookKey(joined: string): [string, string] {
  const i = joined.indexOf('\u0000');
  return [joined.slice(0, i), joined.slice(i + 1)];
}
