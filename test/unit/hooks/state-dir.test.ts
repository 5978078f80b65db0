import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireStateDir, LOCK_FILE, ownerAlive, parseOwner } from '../../../src/hooks/deliver/state-dir.js';

describe('ownerAlive', () => {
  const probes = (alive: boolean, ticks: number | undefined) => ({ isAlive: () => alive, startTicks: () => ticks });
  const table: Array<[string, boolean, number | undefined, number | undefined, boolean]> = [
    ['dead pid', false, 5, 5, false],
    ['live pid, same start time', true, 5, 5, true],
    ['live pid reused by another process', true, 5, 9, false],
    ['live pid, start time unknown now (no /proc): the safe side', true, 5, undefined, true],
    ['live pid, lock without a start time', true, undefined, 9, true],
  ];
  for (const [name, alive, recorded, now, expected] of table) {
    it(name, () => {
      const owner = { pid: 42, agentId: 'a', ...(recorded !== undefined ? { startTicks: recorded } : {}) };
      expect(ownerAlive(owner, probes(alive, now))).toBe(expected);
    });
  }
});

describe('parseOwner', () => {
  it('reads a lock and refuses anything else', () => {
    expect(parseOwner('{"pid":7,"agentId":"x","startTicks":3}\n')).toEqual({ pid: 7, agentId: 'x', startTicks: 3 });
    expect([parseOwner(''), parseOwner('{"pid":0,"agentId":"x"}'), parseOwner('{"pid":7}')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('acquireStateDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates missing levels 0700, tightens an existing 0755 dir, and releases its lock', async () => {
    const created = join(dir, 'a', 'b');
    const held = await acquireStateDir(created, 'agent-1');
    expect(statSync(created).mode & 0o777).toBe(0o700);
    expect(parseOwner(readFileSync(join(created, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, agentId: 'agent-1' });
    await held.release();
    const existing = join(dir, 'open');
    mkdirSync(existing, { mode: 0o755 });
    chmodSync(existing, 0o755);
    const again = await acquireStateDir(existing, 'agent-1');
    expect([statSync(existing).mode & 0o777, again.permissionWarning]).toEqual([0o700, undefined]);
    await again.release();
    expect(() => statSync(join(existing, LOCK_FILE))).toThrow('ENOENT');
  });

  it('refuses a dir locked by a live process, naming its pid and agent id', async () => {
    const held = await acquireStateDir(dir, 'first');
    await expect(acquireStateDir(dir, 'second')).rejects.toThrow(
      `state dir ${dir} is locked by another agent: pid ${process.pid}, agent id "first" (${join(dir, LOCK_FILE)})`,
    );
    await held.release();
  });

  it('takes over the lock of a process that is gone', async () => {
    // A pid that existed and has exited: a child that ran to its end.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(gone.stdout), agentId: 'old' }));
    const held = await acquireStateDir(dir, 'new');
    expect(held.tookOverFrom).toEqual({ pid: Number(gone.stdout), agentId: 'old' });
    await held.release();
  });

  it('fails with the path and reason when the dir cannot be created', async () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    await expect(acquireStateDir(join(file, 'x'), 'a')).rejects.toThrow(
      `state dir ${join(file, 'x')}: cannot use ${join(file, 'x')}: ENOTDIR`,
    );
    // The path that made fs.mkdir({ recursive: true }) loop forever.
    await expect(acquireStateDir('/proc/forbidden/x', 'a')).rejects.toThrow(
      'state dir /proc/forbidden/x: cannot create /proc/forbidden: ENOENT',
    );
  });
});
