/**
 * An append-only JSONL file in a state directory: created 0600 in a 0700 directory, a torn last
 * line cut on open, corrupt lines quarantined, one writer at a time, fdatasync on request with
 * group commit (appends queued while a write runs share the next write and its one fdatasync),
 * atomic rewrite and size-based rotation. The outbox journal and the audit trail both live in one.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { installedCrashPointCallback } from './crash-points.js';
import { parseJsonlLines } from './jsonl-lines.js';

/** How a store reads and grows its file. */
export interface JsonlStoreOptions<T> {
  /** What the file is, for error messages (`outbox journal`). */
  kind: string;
  /** Checks one decoded line; undefined = not a valid record. */
  check: (value: unknown) => T | undefined;
  /**
   * A bad line before the last: `throw`, or `quarantine`: the file is copied aside to
   * `<file>.quarantine-<unix ms>`, then rewritten with the valid records only (the copy keeps everything).
   */
  onBadLine: 'throw' | 'quarantine';
  /**
   * Read at most this many bytes from the end when opening (bounds start-up on a big file).
   * @default the whole file
   */
  tailBytes?: number;
  /**
   * Before an append would grow the file past this size, rename it to `<file>.1` (replacing that) and start anew.
   * @default never
   */
  rotateAtBytes?: number;
}

/** A store just opened, with what its file held. */
export interface OpenedJsonl<T> {
  store: JsonlStore<T>;
  /** Records read (all of them, or those in the tail read). */
  records: T[];
  /** Bytes of a torn last line cut from the file. */
  tornBytes: number;
  /** Set when corrupt lines were quarantined: how many, and where the original file was copied. */
  quarantined?: { lines: number; copy: string };
}

interface Batch {
  chunks: Buffer[];
  sync: boolean;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

const APPEND_FLAGS = fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT;

/** One append-only JSONL file; see the module comment. */
export class JsonlStore<T> {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Appends not yet handed to a write; the next queued flush takes them all. */
  private batch: Batch | undefined;

  private constructor(
    /** The file's path. */
    readonly path: string,
    private readonly dir: string,
    private fh: FileHandle | undefined,
    private size: number,
    private readonly rotateAtBytes: number | undefined,
  ) {}

  /** Opens `<dir>/<fileName>` (creating both), reads its records and cuts a torn last line. */
  static async open<T>(dir: string, fileName: string, options: JsonlStoreOptions<T>): Promise<OpenedJsonl<T>> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, fileName);
    const fh = await open(path, APPEND_FLAGS, 0o600);
    try {
      const { size } = await fh.stat();
      const readFrom = options.tailBytes === undefined ? 0 : Math.max(0, size - options.tailBytes);
      const content = Buffer.alloc(size - readFrom);
      if (content.length > 0) await fh.read(content, 0, content.length, readFrom);
      const { records, goodBytes, badLines } = parseJsonlLines(content, {
        check: options.check,
        onBadLine: options.onBadLine === 'throw' ? 'throw' : 'skip',
        startsMidLine: readFrom > 0,
        name: `${options.kind} ${path}`,
      });
      const tornBytes = content.length - goodBytes;
      if (badLines > 0) {
        // Copied aside whole, then only the valid records are kept: the agent goes on with them.
        const copy = `${path}.quarantine-${Date.now()}`;
        await copyFile(path, copy);
        await fh.close();
        const store = new JsonlStore<T>(path, dir, undefined, 0, options.rotateAtBytes);
        await store.reopen();
        await store.replace(() => records);
        return { store, records, tornBytes, quarantined: { lines: badLines, copy } };
      }
      if (tornBytes > 0) {
        // Cut the torn tail so the next append starts on a fresh line.
        await fh.truncate(readFrom + goodBytes);
        await fh.datasync();
      }
      // A new file's directory entry must be durable too, or the first fsynced record could vanish with it.
      if (size === 0) await syncDir(dir);
      return { store: new JsonlStore<T>(path, dir, fh, readFrom + goodBytes, options.rotateAtBytes), records, tornBytes };
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Appends records as lines, in call order; with `sync`, resolves after fdatasync. Appends made
   * while a write runs are written together next, with one fdatasync for all (group commit). A
   * failed write is cut back off the file and fails every append it carried.
   */
  append(records: readonly T[], sync: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.path} is closed`));
    // Serialised here, so a record that cannot be written fails its own caller only.
    const data = toLines(records);
    return new Promise<void>((resolve, reject) => {
      if (this.batch === undefined) {
        const batch: Batch = { chunks: [], sync: false, waiters: [] };
        this.batch = batch;
        this.enqueue(() => this.flush(batch)).catch(() => {});
      }
      this.batch.chunks.push(data);
      this.batch.sync ||= sync;
      this.batch.waiters.push({ resolve, reject });
    });
  }

  private async flush(batch: Batch): Promise<void> {
    // Later appends start the next batch while this one is written.
    if (this.batch === batch) this.batch = undefined;
    const data = batch.chunks.length === 1 ? batch.chunks[0]! : Buffer.concat(batch.chunks);
    try {
      if (this.rotateAtBytes !== undefined && this.size > 0 && this.size + data.length > this.rotateAtBytes) await this.rotate();
      const fh = this.writable();
      try {
        if (batch.sync) {
          // Test-only seam: a crash with half a synced batch written leaves a torn line to recover from.
          const half = Math.floor(data.length / 2);
          await writeAll(fh, data.subarray(0, half));
          installedCrashPointCallback()?.('journal-mid-write');
          await writeAll(fh, data.subarray(half));
          await fh.datasync();
        } else {
          await writeAll(fh, data);
        }
        this.size += data.length;
      } catch (err) {
        // Cut a partial line (e.g. ENOSPC) so later records do not follow garbage in the middle of the file.
        await fh.truncate(this.size).catch(() => {});
        throw err;
      }
    } catch (err) {
      for (const w of batch.waiters) w.reject(err);
      throw err;
    }
    for (const w of batch.waiters) w.resolve();
  }

  /**
   * Atomically replaces the whole file with the records `build` returns (written and fsynced aside,
   * then renamed over it). `build` runs after every earlier write, so it sees what they recorded.
   */
  replace(build: () => readonly T[]): Promise<void> {
    // Appends made from now on go to the new file, after the rewrite.
    this.batch = undefined;
    return this.enqueue(async () => {
      const fh = this.writable();
      const data = toLines(build());
      const tmp = `${this.path}.tmp`;
      const out = await open(tmp, 'w', 0o600);
      try {
        await writeAll(out, data);
        await out.sync();
      } finally {
        await out.close();
      }
      // Swap handles around the rename: the old handle would keep appending to the unlinked file.
      await fh.close();
      this.fh = undefined;
      try {
        await rename(tmp, this.path);
        this.size = data.length;
        await syncDir(this.dir);
      } finally {
        // Reopened whether or not the rename happened: either file is complete.
        await this.reopen();
      }
    });
  }

  /** Resolves once every write queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }

  /** Waits for queued writes, then closes the file; later writes reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    try {
      await rename(this.path, `${this.path}.1`);
    } finally {
      await this.reopen();
    }
  }

  /** (Re)opens the file for appending and takes its size. */
  private async reopen(): Promise<void> {
    this.fh = await open(this.path, APPEND_FLAGS, 0o600);
    this.size = (await this.fh.stat()).size;
  }

  /** Runs `task` after every earlier write: one writer at a time, so lines never interleave. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => {});
    return run;
  }

  private writable(): FileHandle {
    if (this.fh === undefined) throw new Error(`${this.path} is not open`);
    return this.fh;
  }
}

function toLines(records: readonly unknown[]): Buffer {
  return Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''));
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await fh.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some platforms refuse fsync on a directory; there the rename is as durable as the OS makes it.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await fh.close();
  }
}
