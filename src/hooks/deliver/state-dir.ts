/**
 * The hook state directory: created (one level at a time), made 0700, checked writable, and held
 * by one agent at a time through a lock file. Errors name the path and the reason, never file content.
 *
 * The lock: `<dir>/agent.lock` created with O_EXCL, holding the pid, the agent id and, on Linux,
 * the process start time (field 22 of `/proc/<pid>/stat`). A lock whose pid is not alive, or whose
 * pid is alive but started at another time (the pid was reused by an unrelated process), is stale
 * and taken over. Without `/proc` a live pid is always taken as the holder: refusing to start is
 * safer than two agents delivering the same intents. Take-over re-reads the file just before
 * removing it, so two agents racing for one stale lock can only both win in the short window
 * between that read and the unlink.
 */
import { constants as fsConstants, readFileSync } from 'node:fs';
import { chmod, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** File name of the lock inside the state dir. */
export const LOCK_FILE = 'agent.lock';

/** The state dir cannot be used (uncreatable, unwritable, or held by another agent): the agent must not start. */
export class StateDirError extends Error {
  override readonly name = 'StateDirError';
}

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  agentId: string;
  /** Process start time in clock ticks since boot (Linux), to tell a reused pid from the holder. */
  startTicks?: number;
}

/** A state dir prepared and locked by this process. */
export interface HeldStateDir {
  dir: string;
  /** Set when the dir could not be made 0700 (e.g. not its owner): to be logged loudly. */
  permissionWarning?: string;
  /** Set when a stale lock was taken over. */
  tookOverFrom?: LockOwner;
  /** Removes the lock file if it is still this process's. */
  release(): Promise<void>;
}

/** Creates (0700), checks and locks `dir` for this process; throws {@link StateDirError} with the path and reason. */
export async function acquireStateDir(dir: string, agentId: string): Promise<HeldStateDir> {
  const absolute = resolve(dir);
  await createDir(absolute);
  const permissionWarning = await tighten(absolute);
  const self: LockOwner = { pid: process.pid, agentId, ...startTicksOf(process.pid) };
  const lockPath = join(absolute, LOCK_FILE);
  const tookOverFrom = await lock(lockPath, self);
  return {
    dir: absolute,
    ...(permissionWarning !== undefined ? { permissionWarning } : {}),
    ...(tookOverFrom !== undefined ? { tookOverFrom } : {}),
    async release() {
      const held = await readOwner(lockPath).catch(() => undefined);
      if (held?.pid === self.pid) await unlink(lockPath).catch(() => {});
    },
  };
}

/** Whether the owner recorded in a lock is still the running process that wrote it. Pure given its probes. */
export function ownerAlive(
  owner: LockOwner,
  probes: { isAlive(pid: number): boolean; startTicks(pid: number): number | undefined },
): boolean {
  if (!probes.isAlive(owner.pid)) return false;
  if (owner.startTicks === undefined) return true;
  const now = probes.startTicks(owner.pid);
  // Unknown start time (no /proc): assume the holder, the safe side.
  return now === undefined || now === owner.startTicks;
}

// fs.mkdir({ recursive: true }) loops forever on some paths under /proc in Node 20; one level at a time ends.
async function createDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = await stat(d);
      if (!s.isDirectory()) throw new StateDirError(`state dir ${dir}: ${d} is not a directory`);
      break;
    } catch (err) {
      if (err instanceof StateDirError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dirname(d) === d) throw new StateDirError(`state dir ${dir}: cannot use ${d}: ${code ?? 'error'}`);
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d, { mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new StateDirError(`state dir ${dir}: cannot create ${d}: ${code ?? 'error'}`);
    }
  }
}

/** Makes the dir 0700; returns a warning instead of failing when that is not allowed. */
async function tighten(dir: string): Promise<string | undefined> {
  const mode = (await stat(dir)).mode & 0o777;
  if (mode === 0o700) return undefined;
  try {
    await chmod(dir, 0o700);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return `state dir ${dir} has mode 0${mode.toString(8)} and cannot be made 0700 (${code}); other users may read hook payloads`;
  }
}

async function lock(lockPath: string, self: LockOwner): Promise<LockOwner | undefined> {
  let staleSeen: LockOwner | undefined;
  // Two rounds: the second follows the removal of a stale lock.
  for (let round = 0; round < 2; round++) {
    try {
      const fh = await open(lockPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
      try {
        await fh.writeFile(JSON.stringify(self) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      return round === 0 ? undefined : staleSeen;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new StateDirError(`state dir ${dirname(lockPath)}: not writable (${code ?? 'error'} on ${lockPath})`);
    }
    const owner = await readOwner(lockPath).catch(() => undefined);
    if (owner !== undefined && ownerAlive(owner, PROCESS_PROBES)) {
      throw new StateDirError(
        `state dir ${dirname(lockPath)} is locked by another agent: pid ${owner.pid}, agent id "${owner.agentId}" (${lockPath})`,
      );
    }
    // Dead holder, reused pid, or an unreadable lock (a crash while it was being written): stale.
    const again = await readFile(lockPath, 'utf8').catch(() => undefined);
    const before = owner === undefined ? undefined : JSON.stringify(owner);
    if (again !== undefined && owner !== undefined && JSON.stringify(parseOwner(again)) !== before) continue;
    staleSeen = owner ?? { pid: 0, agentId: 'unreadable lock' };
    await unlink(lockPath).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StateDirError(`state dir ${dirname(lockPath)}: cannot remove stale lock (${code ?? 'error'})`);
    });
  }
  throw new StateDirError(`state dir ${dirname(lockPath)}: another agent took the lock at the same time`);
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  return parseOwner(await readFile(lockPath, 'utf8'));
}

/** Parses a lock file's content; undefined when it is not one. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isInteger(v.pid) || (v.pid ?? 0) <= 0 || typeof v.agentId !== 'string') return undefined;
    return { pid: v.pid!, agentId: v.agentId, ...(Number.isInteger(v.startTicks) ? { startTicks: v.startTicks! } : {}) };
  } catch {
    return undefined;
  }
}

const PROCESS_PROBES = {
  isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: alive, owned by another user.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
  startTicks(pid: number): number | undefined {
    return startTicksOf(pid).startTicks;
  },
};

function startTicksOf(pid: number): { startTicks?: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isInteger(ticks) ? { startTicks: ticks } : {};
  } catch {
    return {};
  }
}
