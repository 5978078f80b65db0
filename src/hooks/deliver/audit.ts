/** The audit trail of hook decisions and deliveries: kept in memory for the API and appended to `<stateDir>/audit.jsonl`. */
import type { AuditEntry } from '../types.js';
import { JsonlStore } from './jsonl-store.js';

/** File name of the audit trail inside the state dir. */
export const AUDIT_FILE = 'audit.jsonl';

/** Filter for {@link AuditLog.recent}; every given field must match. */
export interface AuditFilter {
  hook?: string;
  ensemble?: string;
  type?: AuditEntry['type'];
}

/** Tuning and hooks for {@link AuditLog.open}. */
export interface AuditLogOptions {
  /**
   * Entries kept in memory for the API.
   * @default 500
   */
  capacity?: number;
  /**
   * Size after which `audit.jsonl` is renamed to `audit.jsonl.1` (replacing it) and a new file started.
   * @default 64 MiB
   */
  maxFileBytes?: number;
  /** Receives write failures; the in-memory trail keeps working. */
  onError?: (err: Error) => void;
}

/** Bytes read backwards from the end of an existing trail to refill memory; bounds startup time on a big file. */
const TAIL_READ_LIMIT = 8 * 1024 * 1024;

/** Audit trail appended to `<stateDir>/audit.jsonl` (not fsynced: the outbox is the durable record) and kept in memory. */
export class AuditLog {
  /** Corrupt lines set aside when the trail was opened, and the copy of the original file. */
  quarantined: { lines: number; copy: string } | undefined;
  private entries: AuditEntry[] = [];
  private closed = false;
  private readonly capacity: number;
  private readonly onError: (err: Error) => void;

  private constructor(
    private readonly store: JsonlStore<AuditEntry> | undefined,
    options: AuditLogOptions,
  ) {
    this.capacity = options.capacity ?? 500;
    this.onError = options.onError ?? (() => {});
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError(`audit capacity must be a positive integer, got ${this.capacity}`);
    }
  }

  /** The trail's path, or undefined when kept in memory only. */
  get path(): string | undefined {
    return this.store?.path;
  }

  /** Opens `<stateDir>/audit.jsonl` for appending and loads its last entries into memory. */
  static async open(stateDir: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    const opened = await JsonlStore.open<AuditEntry>(stateDir, AUDIT_FILE, {
      kind: 'audit trail',
      check: checkEntry,
      // A damaged line in history is not worth refusing to start over: set aside and reported.
      onBadLine: 'quarantine',
      tailBytes: TAIL_READ_LIMIT,
      rotateAtBytes: options.maxFileBytes ?? 64 * 1024 * 1024,
    });
    const log = new AuditLog(opened.store, options);
    log.entries = opened.records.slice(-log.capacity);
    log.quarantined = opened.quarantined;
    return log;
  }

  /** An audit trail kept in memory only (no state dir). */
  static inMemory(capacity = 500): AuditLog {
    return new AuditLog(undefined, { capacity });
  }

  /** Appends an entry (in memory at once; to the file in order, one write at a time). */
  record(entry: AuditEntry): void {
    this.recordAll([entry]);
  }

  /** Appends several entries, in order, handed to the file as one append. */
  recordAll(entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.entries.push(entry);
    // Trimmed in batches so a full buffer does not copy on every entry.
    if (this.entries.length >= this.capacity * 2) this.entries = this.entries.slice(-this.capacity);
    if (this.store === undefined || this.closed) return;
    this.store.append(entries, false).catch((err: unknown) => this.onError(err as Error));
  }

  /** The latest entries matching `filter`, newest last, at most `limit` (default: all kept). */
  recent(limit?: number, filter: AuditFilter = {}): AuditEntry[] {
    const kept = this.entries.slice(-this.capacity);
    const matching = kept.filter(
      (e) =>
        (filter.hook === undefined || e.hook === filter.hook) &&
        (filter.ensemble === undefined || e.ensemble === filter.ensemble) &&
        (filter.type === undefined || e.type === filter.type),
    );
    if (limit === undefined) return matching;
    return limit <= 0 ? [] : matching.slice(-limit);
  }

  /** Resolves once every entry recorded so far has been written. */
  async flush(): Promise<void> {
    await this.store?.idle();
  }

  /** Writes what is queued, then closes the file; later entries stay in memory only. */
  async close(): Promise<void> {
    this.closed = true;
    await this.store?.close();
  }
}

// Entries are written by this module only; an object with a timestamp and a type is one of them.
function checkEntry(value: unknown): AuditEntry | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  return typeof e['at'] === 'number' && typeof e['type'] === 'string' ? (value as AuditEntry) : undefined;
}
