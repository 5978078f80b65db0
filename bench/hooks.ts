/**
 * Hook figures. First, in process: the cost of one maintenance-window check (the previous start of
 * a cron expression), paid per due hook and per ensemble at every scrape. Then hook latency: time
 * from the second node kill (quorum lost) to the receipt of the signed `quorum_lost` hook at a real
 * receiver; real 3-node ensemble, agent at a 1 s interval, `for: 0s`. Median of 5 runs.
 * Then receiver throughput: alerts accepted per second by a real agent whose 202 waits for the
 * fsync (4 concurrent posters, 500 alerts per request, state dir on the temp disk), and the time
 * the outbox takes to replay the journal that run left, as at a restart.
 * `--windows-only` skips the ensemble; `--accept-only` runs the throughput figure alone.
 * Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { windowOccurrence } from '../src/hooks/decide/maintenance.js';
import { Outbox, OUTBOX_FILE } from '../src/hooks/deliver/outbox.js';
import { startAgent, waitFor } from '../test/harness/agent-process.js';
import { HookReceiver } from '../test/harness/hook-receiver.js';
import { ZkEnsemble } from '../test/harness/zookeeper.js';

const RUNS = 5;

/** Mean time of one window check over a spread of instants, for three typical windows. */
function windowCheckMicros(): number {
  const windows = [
    { cron: '0 2 * * *', durationMs: 3600_000 },
    { cron: '*/10 * * * *', durationMs: 25 * 60_000 },
    { cron: '0 23 * * 6', durationMs: 3 * 3600_000, timezone: 'Europe/Paris' },
  ];
  const start = Date.UTC(2025, 2, 1);
  const check = (i: number): void => {
    for (const window of windows) windowOccurrence(window, new Date(start + i * 37_000));
  };
  // Warm-up so the figure is the steady state, not the JIT's first passes.
  for (let i = 0; i < 300; i++) check(i);
  const checks = 3000;
  const began = performance.now();
  for (let i = 0; i < checks; i++) check(i);
  return ((performance.now() - began) * 1000) / (checks * windows.length);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-bench-hooks-'));
  const receiver = new HookReceiver(['bench-secret']);
  await receiver.start();
  fs.writeFileSync(path.join(dir, 'secret'), 'bench-secret');
  const ensemble = await ZkEnsemble.start({ voters: 3 });
  await ensemble.waitServing();
  fs.writeFileSync(
    path.join(dir, 'agent.yml'),
    `ensembles:
  - name: bench
    servers: [${ensemble.nodes.map((n) => `"${n.address}"`).join(', ')}]
hooks:
  stateDir: ${path.join(dir, 'state')}
  secretFiles: [${path.join(dir, 'secret')}]
  targets: [{ name: pager, url: "${receiver.url}" }]
  rules:
    - { event: quorum_lost, hook: pager, for: 0s, cooldown: 0s }
`,
  );
  const agent = await startAgent([
    '--config',
    path.join(dir, 'agent.yml'),
    '--interval',
    '1s',
    '--timeout',
    '500ms',
    '--log-level',
    'warn',
  ]);
  const latencies: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      await waitFor(
        'healthy',
        async () => ((await agent.json<{ quorum: string }>('/api/v1/ensembles/bench')).quorum === 'healthy' ? true : undefined),
        60_000,
      );
      const leader = (await ensemble.leader())!;
      const [first, second] = ensemble.nodes.filter((n) => n !== leader);
      const before = receiver.of('quorum_lost').length;
      await first!.kill();
      await sleep(1500);
      await second!.kill();
      const killedAt = Date.now();
      await waitFor('quorum_lost hook', () => Promise.resolve(receiver.of('quorum_lost').length > before ? true : undefined), 30_000, 10);
      latencies.push(receiver.of('quorum_lost')[before]!.at - killedAt);
      first!.start();
      second!.start();
      await ensemble.waitServing(60_000);
    }
  } finally {
    await agent.stop();
    await ensemble.stop();
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log('\nhook latency: second kill → quorum_lost hook received (interval 1 s, for 0s)');
  console.log(`  runs (ms):   ${latencies.join(', ')}`);
  console.log(`  median (ms): ${sorted[Math.floor(sorted.length / 2)]}   target ≤ 1000`);
}

/** Alerts per second the receiver answers 202 to, every one fsynced before its answer. */
async function acceptThroughput(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-bench-accept-'));
  const receiver = new HookReceiver([]);
  await receiver.start();
  fs.writeFileSync(path.join(dir, 'token'), 'bench-token');
  const agent = await startAgent([
    '--ensemble',
    'bench=127.0.0.1:1',
    '--alert-hook-url',
    process.env.BENCH_URL ?? receiver.url,
    '--receiver-token-file',
    path.join(dir, 'token'),
    '--state-dir',
    path.join(dir, 'state'),
    '--log-level',
    'warn',
  ]);
  const perRequest = 500;
  const requests = 40;
  const posters = 4;
  let next = 0;
  const body = (r: number): string =>
    JSON.stringify({
      version: '4',
      status: 'firing',
      alerts: Array.from({ length: perRequest }, (_, i) => ({
        status: 'firing',
        labels: { alertname: 'Bench', n: String(i) },
        annotations: {},
        startsAt: '2025-03-01T10:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: `r${r}a${i}`,
      })),
    });
  const bodies = Array.from({ length: requests }, (_, r) => body(r));
  try {
    const began = performance.now();
    await Promise.all(
      Array.from({ length: posters }, async () => {
        for (let r = next++; r < requests; r = next++) {
          const res = await fetch(`${agent.url}/api/v1/alertmanager`, {
            method: 'POST',
            headers: { authorization: 'Bearer bench-token', 'content-type': 'application/json' },
            body: bodies[r],
          });
          if (res.status !== 202) throw new Error(`HTTP ${res.status}`);
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    console.log(`receiver: ${((requests * perRequest) / seconds).toFixed(0)} alerts accepted per second (202 after fsync)   target ≥ 5000`);
  } finally {
    await agent.stop();
  }
  try {
    // Recovery at start: the journal the run above left (every accepted intent, plus their delivery
    // records) replayed by the outbox as an agent restarting on this state dir does before it serves.
    const journal = fs.statSync(path.join(dir, 'state', OUTBOX_FILE)).size;
    const began = performance.now();
    const outbox = await Outbox.open(path.join(dir, 'state'));
    const ms = performance.now() - began;
    console.log(
      `outbox recovery: ${(journal / 1e6).toFixed(1)} MB journal, ${outbox.pending().length} intents pending, replayed in ${ms.toFixed(0)} ms`,
    );
    await outbox.close();
  } finally {
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`maintenance window check: ${windowCheckMicros().toFixed(0)} µs per window (cron-parser prev())`);
const figures = process.argv.includes('--accept-only')
  ? acceptThroughput()
  : acceptThroughput().then(() => (process.argv.includes('--windows-only') ? undefined : main()));
figures.catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
