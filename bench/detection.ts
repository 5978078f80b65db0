/**
 * Detection at default settings: a real 3-node ensemble and the agent started with no timing flags
 * at all (interval 5s, fastInterval 1s, timeout 2s), one `quorum_lost` rule (`for: 0s`, no cooldown)
 * pointing at a real local receiver. Each run kills a follower and measures the time until the
 * agent's reported quorum state changes, then kills the second follower and measures the time until
 * the reported state is `lost` and until the signed hook is received. Median of 5 runs.
 *
 * Floor, measured in the same run: the bench process asking the killed node `srvr` itself every
 * 20 ms; the time until ZooKeeper's own answer shows the change (a refused connection). The agent
 * cannot see a death before the node's port shows it.
 *
 *   npx tsx bench/detection.ts [--runs N] [--json]
 *
 * Prints figures; asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgent, waitFor, type AgentProcess } from '../test/harness/agent-process.js';
import { askNode } from '../test/harness/four-letter.js';
import { HookReceiver } from '../test/harness/hook-receiver.js';
import { ZkEnsemble, type ZkNode } from '../test/harness/zookeeper.js';

const argv = process.argv.slice(2);
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || 5;
const POLL_MS = 20;
const TARGET = { stateChangeP50Ms: 1500, hookP50Ms: 2000 };

/** One run's figures, in ms after the kill. */
interface Run {
  /** First kill: until the agent's quorum state is no longer `healthy`. */
  stateChange: number;
  /** Floor: until the killed node refuses `srvr`. */
  stateChangeFloor: number;
  /** Second kill: until the agent reports `lost`. */
  lost: number;
  /** Second kill: until the `quorum_lost` hook is received. */
  hook: number;
  /** Floor: until the second killed node refuses `srvr`. */
  lostFloor: number;
}

/** Milliseconds from `since` until `probe` resolves true, probing every {@link POLL_MS}. */
async function until(since: number, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error('timed out');
    await sleep(POLL_MS);
  }
}

async function quorumOf(agent: AgentProcess): Promise<string> {
  return (await agent.json<{ quorum: string }>('/api/v1/ensembles/bench')).quorum;
}

/** True when the node at `port` does not answer srvr as a serving leader or follower. */
async function notServing(port: number): Promise<boolean> {
  const reply = await askNode(port, 'srvr', 500).catch(() => '');
  return !/^Mode: (leader|follower|standalone)$/m.test(reply);
}

/** A run's figures in whole milliseconds. */
const rounded = (run: Run): Record<keyof Run, number> => ({
  stateChange: Math.round(run.stateChange),
  stateChangeFloor: Math.round(run.stateChangeFloor),
  lost: Math.round(run.lost),
  hook: Math.round(run.hook),
  lostFloor: Math.round(run.lostFloor),
});

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-bench-detection-'));
  const receiver = new HookReceiver(['bench-secret']);
  await receiver.start();
  fs.writeFileSync(path.join(dir, 'secret'), 'bench-secret');
  const ensemble = await ZkEnsemble.start({ voters: 3 });
  let agent: AgentProcess | undefined;
  const runs: Run[] = [];
  try {
    await ensemble.waitServing(60_000);
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
    // No timing flags: the defaults are what is measured.
    agent = await startAgent(['--config', path.join(dir, 'agent.yml'), '--log-level', 'warn']);
    for (let run = 0; run < RUNS; run++) {
      await waitFor('healthy', async () => ((await quorumOf(agent!)) === 'healthy' ? true : undefined), 90_000);
      const leader = (await waitFor('a leader', () => ensemble.leader(), 60_000)).value;
      const [first, second] = ensemble.nodes.filter((n) => n !== leader) as [ZkNode, ZkNode];
      // Kills land at a random phase of the agent's ticks, as real failures do.
      await sleep(Math.random() * 1000);
      let killedAt = performance.now();
      await first.kill();
      const [stateChange, stateChangeFloor] = await Promise.all([
        until(killedAt, async () => (await quorumOf(agent!)) !== 'healthy'),
        until(killedAt, () => notServing(first.clientPort)),
      ]);
      await sleep(1500 + Math.random() * 1000);
      const before = receiver.of('quorum_lost').length;
      killedAt = performance.now();
      await second.kill();
      const [lost, hook, lostFloor] = await Promise.all([
        until(killedAt, async () => (await quorumOf(agent!)) === 'lost'),
        until(killedAt, () => Promise.resolve(receiver.of('quorum_lost').length > before)),
        until(killedAt, () => notServing(second.clientPort)),
      ]);
      runs.push({ stateChange, stateChangeFloor, lost, hook, lostFloor });
      console.log(`run ${run + 1}: ${JSON.stringify(rounded(runs.at(-1)!))}`);
      first.start();
      second.start();
      await ensemble.waitServing(90_000);
    }
  } finally {
    await agent?.stop();
    await ensemble.stop();
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const m = (key: keyof Run): number => Math.round(median(runs.map((r) => r[key])));
  const rows = [
    {
      figure: 'one node killed → reported quorum state changes',
      p50Ms: m('stateChange'),
      floorMs: m('stateChangeFloor'),
      targetMs: TARGET.stateChangeP50Ms,
    },
    { figure: 'second node killed → reported quorum lost', p50Ms: m('lost'), floorMs: m('lostFloor'), targetMs: undefined },
    { figure: 'second node killed → quorum_lost hook received', p50Ms: m('hook'), floorMs: m('lostFloor'), targetMs: TARGET.hookP50Ms },
  ];
  console.log(
    `\ndetection at default settings (no timing flags), median of ${runs.length} runs; floor = the killed node's port refusing srvr, probed every ${POLL_MS} ms by the bench`,
  );
  console.log(`${'figure'.padEnd(52)}${'p50 ms'.padStart(8)}${'floor ms'.padStart(10)}${'target'.padStart(9)}`);
  for (const r of rows)
    console.log(
      `${r.figure.padEnd(52)}${String(r.p50Ms).padStart(8)}${String(r.floorMs).padStart(10)}${(r.targetMs ? `≤${r.targetMs}` : '').padStart(9)}`,
    );
  console.log(JSON.stringify({ bench: 'detection', runs: runs.map(rounded), figures: rows }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
