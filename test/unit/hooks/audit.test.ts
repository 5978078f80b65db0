import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HooksConfig } from '../../../src/config/types.js';
import { AUDIT_FILE, AuditLog } from '../../../src/hooks/deliver/audit.js';
import { HookService } from '../../../src/hooks/service.js';
import type { AuditEntry } from '../../../src/hooks/types.js';

function entry(n: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: n,
    type: 'attempt',
    intentId: `id-${n}`,
    hook: 'pager',
    ensemble: 'kafka',
    attempt: 1,
    outcome: { kind: 'delivered', status: 200 },
    ...extra,
  };
}

function fileLines(dir: string, name = AUDIT_FILE): AuditEntry[] {
  return readFileSync(join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
}

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'zk-audit-')), 'state');
});
afterEach(() => {
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe('AuditLog', () => {
  it('appends JSONL in order and keeps entries in memory, newest last', async () => {
    const log = await AuditLog.open(dir);
    for (let n = 1; n <= 5; n++) log.record(entry(n));
    expect(log.recent().map((e) => e.at)).toEqual([1, 2, 3, 4, 5]);
    await log.close();
    expect(fileLines(dir)).toEqual([1, 2, 3, 4, 5].map((n) => entry(n)));
    expect(statSync(join(dir, AUDIT_FILE)).mode & 0o777).toBe(0o600);
  });

  it('limits and filters by hook, ensemble and type', () => {
    const log = AuditLog.inMemory();
    log.record(entry(1, { type: 'intent' }));
    log.record(entry(2, { hook: 'chat' }));
    log.record(entry(3, { ensemble: 'hbase' }));
    log.record(entry(4, { type: 'result', result: 'delivered' }));
    log.record({ at: 5, type: 'pause', ensemble: 'kafka', by: 'ops', detail: 'maintenance' });
    expect(log.recent(2).map((e) => e.at)).toEqual([4, 5]);
    expect(log.recent(0)).toEqual([]);
    expect(log.recent(undefined, { hook: 'pager' }).map((e) => e.at)).toEqual([1, 3, 4]);
    expect(log.recent(undefined, { ensemble: 'kafka' }).map((e) => e.at)).toEqual([1, 2, 4, 5]);
    expect(log.recent(undefined, { type: 'pause' }).map((e) => e.at)).toEqual([5]);
    expect(log.recent(1, { hook: 'pager', ensemble: 'kafka' }).map((e) => e.at)).toEqual([4]);
  });

  it('keeps only the last N in memory but every entry in the file', async () => {
    const log = await AuditLog.open(dir, { capacity: 3 });
    for (let n = 1; n <= 10; n++) log.record(entry(n));
    expect(log.recent().map((e) => e.at)).toEqual([8, 9, 10]);
    expect(log.recent(100).map((e) => e.at)).toEqual([8, 9, 10]);
    await log.close();
    expect(fileLines(dir)).toHaveLength(10);
  });

  it('loads the tail of an existing trail on open', async () => {
    const first = await AuditLog.open(dir);
    for (let n = 1; n <= 8; n++) first.record(entry(n));
    await first.close();
    const second = await AuditLog.open(dir, { capacity: 4 });
    expect(second.recent().map((e) => e.at)).toEqual([5, 6, 7, 8]);
    second.record(entry(9));
    await second.close();
    expect(fileLines(dir).map((e) => e.at)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('cuts a torn last line so the next entry starts on its own line', async () => {
    const first = await AuditLog.open(dir);
    first.record(entry(1));
    await first.close();
    appendFileSync(join(dir, AUDIT_FILE), '{"at":2,"ty');
    const second = await AuditLog.open(dir);
    expect(second.recent().map((e) => e.at)).toEqual([1]);
    second.record(entry(3));
    await second.close();
    expect(fileLines(dir).map((e) => e.at)).toEqual([1, 3]);
  });

  it('skips a damaged line in history', async () => {
    const first = await AuditLog.open(dir);
    await first.close();
    writeFileSync(join(dir, AUDIT_FILE), `${JSON.stringify(entry(1))}\nnot json\n${JSON.stringify(entry(2))}\n`);
    const second = await AuditLog.open(dir);
    expect(second.recent().map((e) => e.at)).toEqual([1, 2]);
    await second.close();
  });

  it('quarantines a corrupt line in the middle: the file is copied aside and the valid records are kept', async () => {
    mkdirSync(dir, { recursive: true });
    const damaged = `${JSON.stringify(entry(1))}\n{"at":2,"type":\n${JSON.stringify(entry(3))}\n`;
    writeFileSync(join(dir, AUDIT_FILE), damaged);
    const before = Date.now();
    const log = await AuditLog.open(dir);
    const after = Date.now();

    expect(log.quarantined?.lines).toBe(1);
    const copy = log.quarantined!.copy;
    const match = /^(.*)\.quarantine-(\d+)$/.exec(copy);
    expect(match?.[1]).toBe(join(dir, AUDIT_FILE));
    expect(Number(match?.[2])).toBeGreaterThanOrEqual(before);
    expect(Number(match?.[2])).toBeLessThanOrEqual(after);
    // The copy keeps everything, the damaged line included.
    expect(readFileSync(copy, 'utf8')).toBe(damaged);
    expect(log.recent()).toEqual([entry(1), entry(3)]);
    log.record(entry(4));
    await log.close();
    expect(fileLines(dir)).toEqual([entry(1), entry(3), entry(4)]);

    // Nothing left to set aside on the next open.
    const again = await AuditLog.open(dir);
    expect(again.quarantined).toBeUndefined();
    expect(again.recent().map((e) => e.at)).toEqual([1, 3, 4]);
    await again.close();
    expect(readdirSync(dir).filter((f) => f.startsWith(`${AUDIT_FILE}.quarantine-`))).toHaveLength(1);
  });

  it('reports a quarantined audit line in the hook store counter and the error log', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, AUDIT_FILE), `${JSON.stringify(entry(1))}\nnot json\n${JSON.stringify(entry(2))}\n`);
    const logged: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    const config: HooksConfig = {
      dryRun: true,
      agentId: 'agent-a',
      stateDir: dir,
      secretFiles: [],
      targets: [],
      rules: [],
      alertRoutes: [],
      maintenance: [],
      peers: [],
      peerTimeoutMs: 1000,
      receiverTokenFiles: [],
      maxBodyBytes: 65_536,
    };
    const hooks = new HookService({ config, log, agentVersion: 'test', intervalMs: 1000 });
    await hooks.start();
    const counted: Array<[string, Record<string, string>, number]> = [];
    hooks.addFamilies(
      {
        family: (name) => ({ add: (value, labels) => void counted.push([name, labels, value]) }),
      },
      [],
    );
    await hooks.stop();

    expect(counted.filter(([name]) => name === 'zookeeper_hook_store_quarantined_lines_total')).toEqual([
      ['zookeeper_hook_store_quarantined_lines_total', { file: 'outbox' }, 0],
      ['zookeeper_hook_store_quarantined_lines_total', { file: 'audit' }, 1],
    ]);
    const errors = logged.filter((l) => l['msg'] === 'corrupt lines in the hook store were set aside; going on with every valid record');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 50, file: 'audit', lines: 1 });
    expect(String(errors[0]!['copy']).slice(join(dir, AUDIT_FILE).length)).toMatch(/^\.quarantine-\d+$/);
    expect(String(errors[0]!['copy']).startsWith(join(dir, AUDIT_FILE))).toBe(true);
    expect(fileLines(dir).map((e) => e.at)).toEqual([1, 2]);
  });

  it('rotates to audit.jsonl.1 past the size limit', async () => {
    const one = JSON.stringify(entry(1)).length + 1;
    const log = await AuditLog.open(dir, { maxFileBytes: one * 3 });
    for (let n = 1; n <= 4; n++) {
      log.record(entry(n));
      await log.flush();
    }
    await log.close();
    expect(fileLines(dir, `${AUDIT_FILE}.1`).map((e) => e.at)).toEqual([1, 2, 3]);
    expect(fileLines(dir).map((e) => e.at)).toEqual([4]);
  });

  it('writes nothing in memory-only mode', async () => {
    const log = AuditLog.inMemory(2);
    log.record(entry(1));
    log.record(entry(2));
    log.record(entry(3));
    await log.close();
    expect(log.path).toBeUndefined();
    expect(log.recent().map((e) => e.at)).toEqual([2, 3]);
  });
});
