/**
 * Hook figures. First, in process: the cost of one maintenance-window check (the previous start of
 * a cron expression), paid per due hook and per ensemble at every scrape. Then hook latency: time
 * from the second node kill (quorum lost) to the receipt of the signed `quorum_lost` hook at a real
 * receiver; real 3-node ensemble, agent at a 1 s interval, `for: 0s`. Median of 5 runs.
 * `--windows-only` skips the ensemble. Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { windowOccurrence } from '../src/hooks/decide/maintenance.js';
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

console.log(`maintenance window check: ${windowCheckMicros().toFixed(0)} µs per window (cron-parser prev())`);
(process.argv.includes('--windows-only') ? Promise.resolve() : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
