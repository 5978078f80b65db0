/**
 * Soak (a bench, not a CI test): a real 3-node ensemble whose leader is killed and restarted every
 * 20–30 s, watched by one agent at its default timing with hooks on (a real local receiver that
 * counts deliveries by idempotency key). Ground truth comes from the nodes themselves: the bench asks
 * every node `srvr` every 250 ms and counts each new leader epoch it sees.
 *
 *   npm run soak                    # one hour (SOAK_MINUTES overrides)
 *   npm run soak -- --minutes 2     # a short run
 *
 * Prints, at start and end: the agent's heap used, RSS, open fds and active handles (they should be
 * flat); then the leader changes the bench caused and observed, the agent's
 * `zookeeper_ensemble_leader_changes_total`, and the hooks received (effective, i.e. new keys, and
 * repeated keys), as a table and one JSON line. Asserts nothing; a mismatch is printed as such.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleValue, startAgent, waitFor, type AgentProcess } from '../test/harness/agent-process.js';
import { nodeTruth } from '../test/harness/four-letter.js';
import { HookReceiver } from '../test/harness/hook-receiver.js';
import { ZkEnsemble } from '../test/harness/zookeeper.js';

const argv = process.argv.slice(2);
const MINUTES = argv.includes('--minutes') ? Number(argv[argv.indexOf('--minutes') + 1]) : Number(process.env.SOAK_MINUTES ?? 60);
const TRUTH_EVERY_MS = 250;

/** The agent's resource figures, from its own /metrics (prom-client's process and Node.js series). */
interface Resources {
  heapUsedMiB: number;
  rssMiB: number;
  openFds: number;
  activeHandles: number;
}

async function resources(agent: AgentProcess): Promise<Resources> {
  const text = await agent.metrics();
  const one = (name: string): number => sampleValue(text, name, {}) ?? NaN;
  return {
    heapUsedMiB: one('nodejs_heap_size_used_bytes') / 2 ** 20,
    rssMiB: one('process_resident_memory_bytes') / 2 ** 20,
    openFds: one('process_open_fds'),
    // Exported per handle type only (`nodejs_active_handles{type=…}`): summed here.
    activeHandles: text
      .split('\n')
      .filter((line) => line.startsWith('nodejs_active_handles{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0),
  };
}

async function agentLeaderChanges(agent: AgentProcess): Promise<number> {
  return sampleValue(await agent.metrics(), 'zookeeper_ensemble_leader_changes_total', { ensemble: 'soak' }) ?? NaN;
}

/**
 * Watches the nodes' own `srvr`: the newest leader epoch (high 32 bits of a leader's zxid) and how
 * many times a newer one appeared after the first.
 */
class TruthWatcher {
  epoch: bigint | undefined;
  leaderPort: number | undefined;
  changes = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly ports: readonly number[]) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const truths = await Promise.all(this.ports.map((port) => nodeTruth(port, 500)));
        truths.forEach((truth, i) => {
          if (truth?.mode !== 'leader') return;
          const epoch = truth.zxid >> 32n;
          if (this.epoch !== undefined && epoch > this.epoch) this.changes++;
          if (this.epoch === undefined || epoch >= this.epoch) {
            this.epoch = epoch;
            this.leaderPort = this.ports[i];
          }
        });
        await sleep(TRUTH_EVERY_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-soak-'));
  const receiver = new HookReceiver(['soak-secret']);
  await receiver.start();
  fs.writeFileSync(path.join(dir, 'secret'), 'soak-secret');
  const ensemble = await ZkEnsemble.start({ voters: 3 });
  const truth = new TruthWatcher(ensemble.nodes.map((n) => n.clientPort));
  let agent: AgentProcess | undefined;
  try {
    await ensemble.waitServing(90_000);
    fs.writeFileSync(
      path.join(dir, 'agent.yml'),
      `ensembles:
  - name: soak
    servers: [${ensemble.nodes.map((n) => `"${n.address}"`).join(', ')}]
hooks:
  stateDir: ${path.join(dir, 'state')}
  secretFiles: [${path.join(dir, 'secret')}]
  targets: [{ name: receiver, url: "${receiver.url}" }]
  rules:
    - { event: leader_changed, hook: receiver, for: 0s, cooldown: 0s }
    - { event: quorum_at_risk, hook: receiver, for: 0s, cooldown: 0s }
    - { event: quorum_restored, hook: receiver, for: 0s, cooldown: 0s }
`,
    );
    agent = await startAgent(['--config', path.join(dir, 'agent.yml'), '--log-level', 'warn']);
    truth.start();
    await waitFor('a leader seen by the bench', () => Promise.resolve(truth.leaderPort), 60_000);
    await waitFor(
      'the agent to see the ensemble healthy',
      async () => ((await agent!.json<{ quorum: string }>('/api/v1/ensembles/soak')).quorum === 'healthy' ? true : undefined),
      60_000,
    );
    const agentChanges0 = await agentLeaderChanges(agent);
    const truthChanges0 = truth.changes;
    const start = await resources(agent);
    console.log(`soak: ${MINUTES} min, leader killed and restarted every 20–30 s; start ${JSON.stringify(start)}`);
    const endAt = Date.now() + MINUTES * 60_000;
    let kills = 0;
    while (Date.now() + 20_000 < endAt) {
      await sleep(20_000 + Math.random() * 10_000);
      const leader = ensemble.nodes.find((n) => n.clientPort === truth.leaderPort);
      if (!leader) continue;
      const epoch = truth.epoch!;
      await leader.kill();
      kills++;
      // A new leader (a newer epoch) before the old one comes back as a follower.
      await waitFor('a new leader', () => Promise.resolve(truth.epoch! > epoch ? true : undefined), 60_000, 50);
      leader.start();
      await ensemble.waitServing(90_000);
      console.log(
        `kill ${kills}: new leader 127.0.0.1:${truth.leaderPort}, epoch ${truth.epoch}; bench saw ${truth.changes - truthChanges0} changes`,
      );
    }
    // Settle: the agent's view and the hooks catch up with the last change (bounded wait).
    await waitFor(
      'the agent to see the ensemble healthy again',
      async () => ((await agent!.json<{ quorum: string }>('/api/v1/ensembles/soak')).quorum === 'healthy' ? true : undefined),
      60_000,
    );
    const realChanges = truth.changes - truthChanges0;
    await waitFor(
      'the agent to count every change',
      async () => ((await agentLeaderChanges(agent!)) - agentChanges0 >= realChanges ? true : undefined),
      30_000,
    ).catch(() => undefined);
    await waitFor(
      'every leader_changed hook',
      () => Promise.resolve(receiver.of('leader_changed').length >= realChanges ? true : undefined),
      30_000,
    ).catch(() => undefined);
    const end = await resources(agent);
    const agentChanges = (await agentLeaderChanges(agent)) - agentChanges0;
    const keys = new Map<string, number>();
    for (const request of receiver.requests) keys.set(request.idempotencyKey, (keys.get(request.idempotencyKey) ?? 0) + 1);
    const repeatedKeys = [...keys.values()].filter((n) => n > 1).length;
    const unverified = receiver.requests.filter((r) => !r.verified).length;
    const leaderHooks = receiver.of('leader_changed').length;
    console.log(`\n${'resource'.padEnd(16)}${'start'.padStart(10)}${'end'.padStart(10)}`);
    for (const key of Object.keys(start) as Array<keyof Resources>)
      console.log(`${key.padEnd(16)}${start[key].toFixed(1).padStart(10)}${end[key].toFixed(1).padStart(10)}`);
    console.log(`\n${'count'.padEnd(44)}${'value'.padStart(8)}`);
    const counts: Array<[string, number]> = [
      ['leaders killed', kills],
      ['leader changes seen by the bench (srvr epochs)', realChanges],
      ['agent zookeeper_ensemble_leader_changes_total', agentChanges],
      ['leader_changed hooks (distinct keys)', leaderHooks],
      ['hook requests received', receiver.requests.length],
      ['hook requests, distinct keys', receiver.effective.length],
      ['keys received more than once', repeatedKeys],
      ['requests failing signature check', unverified],
    ];
    for (const [name, value] of counts) console.log(`${name.padEnd(44)}${String(value).padStart(8)}`);
    const exact = agentChanges === realChanges && leaderHooks === realChanges;
    console.log(
      exact
        ? 'every leader change counted exactly once, one hook each'
        : 'MISMATCH: agent count or hooks differ from the leader changes the nodes showed',
    );
    console.log(
      JSON.stringify({
        bench: 'soak',
        minutes: MINUTES,
        start,
        end,
        kills,
        realChanges,
        agentChanges,
        leaderHooks,
        requests: receiver.requests.length,
        distinctKeys: receiver.effective.length,
        repeatedKeys,
        unverified,
        exact,
      }),
    );
  } finally {
    await truth.stop();
    await agent?.stop();
    await ensemble.stop();
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
