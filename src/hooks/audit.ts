import { constants as fsConstants } from 'node:fs';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry } from './types.js';

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
  private entries: AuditEntry[] = [];
  private queue: string[] = [];
  private writing: Promise<void> | undefined;
  private fh: FileHandle | undefined;
  private size = 0;
  private closed = false;
  private readonly capacity: number;
  private readonly maxFileBytes: number;
  private readonly onError: (err: Error) => void;

  private constructor(
    /** The trail's path, or undefined when kept in memory only. */
    readonly path: string | undefined,
    options: AuditLogOptions,
  ) {
    this.capacity = options.capacity ?? 500;
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.onError = options.onError ?? (() => {});
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError(`audit capacity must be a positive integer, got ${this.capacity}`);
    }
  }

  /** Opens `<stateDir>/audit.jsonl` for appending and loads its last entries into memory. */
  static async open(stateDir: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const log = new AuditLog(join(stateDir, AUDIT_FILE), options);
    const fh = await open(log.path!, fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o600);
    try {
      const { size } = await fh.stat();
      const readFrom = Math.max(0, size - TAIL_READ_LIMIT);
      const buf = Buffer.alloc(size - readFrom);
      if (buf.length > 0) await fh.read(buf, 0, buf.length, readFrom);
      let end = buf.lastIndexOf(0x0a) + 1;
      if (end < buf.length && (readFrom === 0 || end > 0)) {
        // A torn last line (crash mid-write) is cut, or the next entry would be glued onto it.
        await fh.truncate(readFrom + end);
      } else {
        end = buf.length;
      }
      log.size = readFrom + end;
      let lines = buf.subarray(0, end).toString('utf8').split('\n');
      // Reading from the middle of the file starts inside a line.
      if (readFrom > 0) lines = lines.slice(1);
      for (const line of lines.slice(-log.capacity - 1)) {
        if (line === '') continue;
        try {
          log.entries.push(JSON.parse(line) as AuditEntry);
        } catch {
          // A damaged line in history is not worth refusing to start over.
        }
      }
      if (log.entries.length > log.capacity) log.entries = log.entries.slice(-log.capacity);
      log.fh = fh;
      return log;
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  /** An audit trail kept in memory only (no state dir). */
  static inMemory(capacity = 500): AuditLog {
    return new AuditLog(undefined, { capacity });
  }

  /** Appends an entry (in memory at once; to the file in order, one write at a time). */
  record(entry: AuditEntry): void {
    this.entries.push(entry);
    // Trimmed in batches so a full buffer does not copy on every entry.
    if (this.entries.length >= this.capacity * 2) this.entries = this.entries.slice(-this.capacity);
    if (this.path === undefined || this.closed) return;
    this.queue.push(JSON.stringify(entry) + '\n');
    this.writing ??= this.drain();
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
    while (this.writing !== undefined) await this.writing;
  }

  /** Writes what is queued, then closes the file; later entries stay in memory only. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const data = Buffer.from(this.queue.join(''));
        this.queue = [];
        try {
          if (this.size > 0 && this.size + data.length > this.maxFileBytes) await this.rotate();
          const fh = this.fh;
          if (fh === undefined) throw new Error('audit trail is not open');
          let offset = 0;
          while (offset < data.length) offset += (await fh.write(data, offset, data.length - offset)).bytesWritten;
          this.size += data.length;
        } catch (err) {
          this.onError(err as Error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async rotate(): Promise<void> {
    const path = this.path!;
    await this.fh?.close();
    this.fh = undefined;
    try {
      await rename(path, `${path}.1`);
    } finally {
      this.fh = await open(path, fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o600);
      this.size = (await this.fh.stat()).size;
    }
  }
}
