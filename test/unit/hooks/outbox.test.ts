import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, OUTBOX_FILE } from '../../../src/hooks/deliver/outbox.js';
import type { HookIntent } from '../../../src/hooks/types.js';

/** A minimal intent; `n` keeps ids, keys and creation times distinct and ordered. */
function intent(n: number, hook = 'pager'): HookIntent {
  const idempotencyKey = `kafka/quorum_lost/${n}`;
  return {
    id: `id-${n}`,
    idempotencyKey,
    hook,
    event: 'quorum_lost',
    ensemble: 'kafka',
    createdAt: 1_000 + n,
    payload: { event: 'quorum_lost', idempotencyKey, ensemble: 'kafka', agent: { id: 'a1', version: '0.1.0' }, triggeredAt: 1_000 + n },
  };
}

function journalLines(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, OUTBOX_FILE), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let dir: string;
const open: Outbox[] = [];
async function openOutbox(options?: Parameters<typeof Outbox.open>[1]): Promise<Outbox> {
  const outbox = await Outbox.open(dir, options);
  open.push(outbox);
  return outbox;
}

beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'zk-outbox-')), 'state');
});
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe('Outbox', () => {
  it('creates the state dir 0700 and the journal 0600', async () => {
    const outbox = await openOutbox();
    await outbox.add(intent(1));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, OUTBOX_FILE)).mode & 0o777).toBe(0o600);
  });

  it('keeps an added intent pending across a reopen', async () => {
    const first = await openOutbox();
    expect(await first.add(intent(1))).toBe(true);
    expect(await first.add(intent(2))).toBe(true);
    await first.close();
    const second = await openOutbox();
    expect(second.recovered).toBe(2);
    expect(second.tornBytes).toBe(0);
    expect(second.pending()).toEqual([intent(1), intent(2)]);
  });

  it('lists pending intents oldest first', async () => {
    const outbox = await openOutbox();
    await outbox.add(intent(3));
    await outbox.add(intent(1));
    await outbox.add(intent(2));
    expect(outbox.pending().map((i) => i.id)).toEqual(['id-1', 'id-2', 'id-3']);
  });

  it('writes the journal format documented in docs/webhooks.md', async () => {
    const outbox = await openOutbox({ now: () => 5_000 });
    await outbox.add(intent(1));
    await outbox.recordAttempt('id-1', 1, { kind: 'retry', status: 503 });
    await outbox.complete('id-1', 'delivered');
    await outbox.markSeen('fp/2024');
    expect(journalLines(dir)).toEqual([
      { t: 'intent', intent: intent(1) },
      { t: 'attempt', id: 'id-1', n: 1, at: 5_000, outcome: { kind: 'retry', status: 503 } },
      { t: 'done', id: 'id-1', result: 'delivered', at: 5_000, hook: 'pager', key: 'kafka/quorum_lost/1' },
      { t: 'seen', key: 'fp/2024', at: 5_000 },
    ]);
  });

  it('drops a torn last line and truncates it away', async () => {
    const first = await openOutbox();
    await first.add(intent(1));
    await first.add(intent(2));
    await first.close();
    const path = join(dir, OUTBOX_FILE);
    const good = statSync(path).size;
    const torn = JSON.stringify({ t: 'intent', intent: intent(3) }).slice(0, 40);
    appendFileSync(path, torn);

    const second = await openOutbox();
    expect(second.tornBytes).toBe(torn.length);
    expect(second.recovered).toBe(2);
    expect(second.pending().map((i) => i.id)).toEqual(['id-1', 'id-2']);
    expect(statSync(path).size).toBe(good);
    // Appends after recovery start on a clean line.
    await second.add(intent(4));
    await second.close();
    const third = await openOutbox();
    expect(third.tornBytes).toBe(0);
    expect(third.pending().map((i) => i.id)).toEqual(['id-1', 'id-2', 'id-4']);
  });

  it('quarantines a line damaged in the middle and goes on with every valid record', async () => {
    const first = await openOutbox();
    await first.add(intent(1));
    await first.close();
    const path = join(dir, OUTBOX_FILE);
    appendFileSync(path, 'not json\n');
    appendFileSync(path, JSON.stringify({ t: 'intent', intent: intent(2) }) + '\n');
    const damaged = readFileSync(path, 'utf8');
    const second = await Outbox.open(dir);
    expect(second.pending().map((i) => i.id)).toEqual(['id-1', 'id-2']);
    expect(second.quarantined?.lines).toBe(1);
    // The original is kept whole beside the journal; the journal keeps the valid records only.
    expect(readFileSync(second.quarantined!.copy, 'utf8')).toBe(damaged);
    expect(readFileSync(path, 'utf8')).not.toContain('not json');
    await second.close();
    const third = await Outbox.open(dir);
    expect([third.quarantined, third.pending().length]).toEqual([undefined, 2]);
    await third.close();
  });

  it('forgets a completed intent but remembers its key across a reopen', async () => {
    const first = await openOutbox();
    await first.add(intent(1));
    await first.add(intent(2));
    await first.recordAttempt('id-1', 1, { kind: 'delivered', status: 200 });
    await first.complete('id-1', 'delivered');
    expect(first.pending().map((i) => i.id)).toEqual(['id-2']);
    await first.close();

    const second = await openOutbox();
    expect(second.pending().map((i) => i.id)).toEqual(['id-2']);
    expect(second.hasDone('pager', 'kafka/quorum_lost/1')).toBe(true);
    expect(second.hasDone('other', 'kafka/quorum_lost/1')).toBe(false);
    expect(await second.add({ ...intent(1), id: 'id-1b' })).toBe(false);
  });

  it('is idempotent on hook + idempotency key, not on key alone', async () => {
    const outbox = await openOutbox();
    expect(await outbox.add(intent(1))).toBe(true);
    expect(await outbox.add({ ...intent(1), id: 'another' })).toBe(false);
    expect(await outbox.add({ ...intent(1, 'chat'), id: 'for-chat' })).toBe(true);
    expect(outbox.pending().map((i) => i.id)).toEqual(['id-1', 'for-chat']);
    expect(journalLines(dir)).toHaveLength(2);
  });

  it('counts attempts across a reopen', async () => {
    const first = await openOutbox();
    await first.add(intent(1));
    await first.recordAttempt('id-1', 1, { kind: 'retry', error: 'network error: ECONNREFUSED' });
    await first.recordAttempt('id-1', 2, { kind: 'retry', status: 500 });
    expect(first.attempts('id-1')).toBe(2);
    await first.close();
    const second = await openOutbox();
    expect(second.attempts('id-1')).toBe(2);
    expect(second.attempts('unknown')).toBe(0);
  });

  it('remembers seen keys across a reopen and forgets them after the retention period', async () => {
    let now = 10_000;
    const first = await openOutbox({ now: () => now, retentionMs: 1_000 });
    expect(await first.markSeen('fp-1/2024-01-01T00:00:00Z')).toBe(true);
    expect(await first.markSeen('fp-1/2024-01-01T00:00:00Z')).toBe(false);
    await first.close();

    const second = await openOutbox({ now: () => now, retentionMs: 1_000 });
    expect(await second.markSeen('fp-1/2024-01-01T00:00:00Z')).toBe(false);
    expect(await second.markSeen('fp-2/2024-01-01T00:00:00Z')).toBe(true);
    now += 1_000;
    expect(await second.markSeen('fp-1/2024-01-01T00:00:00Z')).toBe(true);
  });

  it('answers a concurrent duplicate markSeen once', async () => {
    const outbox = await openOutbox();
    expect(await Promise.all([outbox.markSeen('k'), outbox.markSeen('k')])).toEqual([true, false]);
  });

  it('compacts to pending intents with their attempt counts, done keys and seen keys', async () => {
    const outbox = await openOutbox({ now: () => 7_000 });
    for (let n = 1; n <= 5; n++) await outbox.add(intent(n));
    await outbox.recordAttempt('id-2', 1, { kind: 'retry', status: 502 });
    await outbox.recordAttempt('id-2', 2, { kind: 'retry', status: 503 });
    for (const n of [1, 3, 4]) await outbox.complete(`id-${n}`, 'delivered');
    await outbox.markSeen('fp');
    await outbox.compact();

    expect(journalLines(dir)).toEqual([
      { t: 'intent', intent: intent(2) },
      { t: 'attempt', id: 'id-2', n: 2, at: 7_000, outcome: { kind: 'retry', status: 503 } },
      { t: 'intent', intent: intent(5) },
      { t: 'done', id: 'id-1', result: 'delivered', at: 7_000, hook: 'pager', key: 'kafka/quorum_lost/1' },
      { t: 'done', id: 'id-3', result: 'delivered', at: 7_000, hook: 'pager', key: 'kafka/quorum_lost/3' },
      { t: 'done', id: 'id-4', result: 'delivered', at: 7_000, hook: 'pager', key: 'kafka/quorum_lost/4' },
      { t: 'seen', key: 'fp', at: 7_000 },
    ]);
    // The journal stays appendable after the swap.
    await outbox.add(intent(6));
    await outbox.close();

    const reopened = await openOutbox({ now: () => 7_000 });
    expect(reopened.pending().map((i) => i.id)).toEqual(['id-2', 'id-5', 'id-6']);
    expect(reopened.attempts('id-2')).toBe(2);
    expect(reopened.hasDone('pager', 'kafka/quorum_lost/3')).toBe(true);
    expect(await reopened.markSeen('fp')).toBe(false);
  });

  it('drops done and seen keys older than the retention period when compacting', async () => {
    let now = 0;
    const outbox = await openOutbox({ now: () => now, retentionMs: 100 });
    await outbox.add(intent(1));
    await outbox.complete('id-1', 'rejected');
    await outbox.markSeen('old');
    now = 500;
    await outbox.markSeen('new');
    await outbox.compact();
    expect(journalLines(dir)).toEqual([{ t: 'seen', key: 'new', at: 500 }]);
  });

  it('compacts on open when more than the threshold of done records can be reclaimed', async () => {
    const first = await openOutbox({ compactThreshold: 1_000_000 });
    for (let n = 1; n <= 12; n++) await first.add(intent(n));
    for (let n = 1; n <= 11; n++) await first.complete(`id-${n}`, 'delivered');
    await first.close();
    expect(journalLines(dir)).toHaveLength(23);

    const second = await openOutbox({ compactThreshold: 10 });
    expect(second.pending().map((i) => i.id)).toEqual(['id-12']);
    // One pending intent plus eleven standalone done keys.
    expect(journalLines(dir)).toHaveLength(12);
    expect(journalLines(dir)[0]).toEqual({ t: 'intent', intent: intent(12) });
  });

  it('compacts in the background once completions pass the threshold', async () => {
    const outbox = await openOutbox({ compactThreshold: 3 });
    for (let n = 1; n <= 5; n++) await outbox.add(intent(n));
    for (let n = 1; n <= 4; n++) await outbox.complete(`id-${n}`, 'delivered');
    // The next write queues behind the compaction, so once it lands the rewrite is done.
    await outbox.markSeen('after');
    expect(
      journalLines(dir)
        .filter((r) => r['t'] === 'intent')
        .map((r) => (r['intent'] as HookIntent).id),
    ).toEqual(['id-5']);
  });

  it('never interleaves lines from concurrent writers', async () => {
    const outbox = await openOutbox();
    const big = 'x'.repeat(200_000);
    await Promise.all(
      Array.from({ length: 40 }, (_, n) => {
        const i = intent(n);
        return outbox.add({ ...i, payload: { ...i.payload, alert: big } });
      }),
    );
    await Promise.all(Array.from({ length: 40 }, (_, n) => outbox.recordAttempt(`id-${n}`, 1, { kind: 'retry', status: 500 })));
    const lines = journalLines(dir);
    expect(lines).toHaveLength(80);
    expect(new Set(lines.slice(0, 40).map((r) => (r['intent'] as HookIntent).id)).size).toBe(40);
    await outbox.close();
    const reopened = await openOutbox();
    expect(reopened.pending()).toHaveLength(40);
  });

  it('adds a key once when the same intent is added concurrently', async () => {
    const outbox = await openOutbox();
    expect(await Promise.all([outbox.add(intent(1)), outbox.add({ ...intent(1), id: 'dup' })])).toEqual([true, false]);
    expect(journalLines(dir)).toHaveLength(1);
  });

  it('rejects writes after close', async () => {
    const outbox = await openOutbox();
    await outbox.close();
    await expect(outbox.add(intent(1))).rejects.toThrow('outbox is closed');
  });

  it('works in memory without a state dir', async () => {
    const outbox = Outbox.memory();
    expect(await outbox.add(intent(1))).toBe(true);
    expect(await outbox.add(intent(1))).toBe(false);
    await outbox.complete('id-1', 'dry_run');
    expect(outbox.pending()).toEqual([]);
    expect(outbox.hasDone('pager', 'kafka/quorum_lost/1')).toBe(true);
    await outbox.close();
  });

  it('keeps every acknowledged intent when the process is killed with SIGKILL', async () => {
    // A child adds intents as fast as it can and prints each id once add() resolved; it is killed mid-stream.
    const outboxModule = fileURLToPath(new URL('../../../src/hooks/deliver/outbox.ts', import.meta.url));
    const script = join(dir, '..', 'writer.mts');
    writeFileSync(
      script,
      `import { Outbox } from ${JSON.stringify(outboxModule)};
const outbox = await Outbox.open(${JSON.stringify(dir)});
for (let n = 0; ; n++) {
  const key = 'k/' + n;
  await outbox.add({ id: 'id-' + n, idempotencyKey: key, hook: 'pager', event: 'quorum_lost', createdAt: n,
    payload: { event: 'quorum_lost', idempotencyKey: key, agent: { id: 'a', version: '0' }, triggeredAt: n, alert: 'y'.repeat(n % 5000) } });
  process.stdout.write('id-' + n + '\\n');
}
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.split('\n').length > 60) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));

    const acknowledged = out.split('\n').filter((l) => l !== '');
    const reopened = await openOutbox();
    const pending = new Set(reopened.pending().map((i) => i.id));
    for (const id of acknowledged) expect(pending.has(id)).toBe(true);
  }, 30_000);
});
