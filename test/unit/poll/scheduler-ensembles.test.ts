/**
 * Each ensemble's rounds run on their own timer, and the shared limiter takes turns between ensembles:
 * an ensemble of hung nodes (accept, never answer) does not hold back another ensemble's rounds.
 * Fake four-letter-word listeners on loopback (port 0).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../src/config/types.js';
import type { NodeSample } from '../../../src/commands/index.js';
import { laneMax, PollScheduler, type RoundStats } from '../../../src/poll/scheduler.js';
import { startFakeZkServer, type FakeZkServer } from '../../harness/fake-zk-server.js';
import { fixture } from '../parse/fixtures.js';

const servers: FakeZkServer[] = [];
let scheduler: PollScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(behaviour: 'normal' | 'hang'): Promise<FakeZkServer> {
  const server = await startFakeZkServer({ replies: { srvr: fixture('zookeeper-3.8.0/leader/srvr.txt') }, behaviour });
  servers.push(server);
  return server;
}

const ensembleOf = (name: string, ports: number[]): AgentConfig['ensembles'][number] =>
  ({
    name,
    servers: ports.map((port) => ({ host: '127.0.0.1', port })),
    transport: 'fourletter',
    commands: ['srvr'],
    confIntervalMs: 60_000,
    discovery: false,
  }) as unknown as AgentConfig['ensembles'][number];

describe('PollScheduler across ensembles', () => {
  it('keeps a healthy ensemble’s cadence while another ensemble’s round waits on hung nodes', async () => {
    const hung = await Promise.all(Array.from({ length: 10 }, () => fake('hang')));
    const healthy = await fake('normal');
    // One slot for everything: without turns between ensembles, the healthy node would queue behind
    // all 10 hung polls (10 × 400 ms) every round.
    const config = {
      ensembles: [
        ensembleOf(
          'hung',
          hung.map((s) => s.port),
        ),
        ensembleOf('healthy', [healthy.port]),
      ],
      intervalMs: 1000,
      fastIntervalMs: 200,
      timeoutMs: 400,
      maxReplyBytes: 65_536,
      concurrency: 1,
    } as unknown as AgentConfig;
    const rounds: RoundStats[] = [];
    const healthyDone = new Promise<void>((resolve, reject) => {
      scheduler = new PollScheduler(config, {
        onEnsemble: () => undefined,
        onRoundEnd: (stats) => {
          rounds.push(stats);
          if (rounds.filter((r) => r.ensemble === 'healthy').length === 4) resolve();
        },
        onOverrun: () => undefined,
        onError: reject,
      });
      scheduler.start();
    });
    await healthyDone;
    // The hung ensemble's first round needs 10 timeouts in a row (4 s) through the one slot; the
    // healthy one finished 4 rounds before it, each waiting for at most one hung poll.
    expect(rounds.some((r) => r.ensemble === 'hung')).toBe(false);
  });

  it('lays a fresh mntr reply out at once and hands on (and carries) only the chosen keys, as numbers under their own names', async () => {
    const node = await startFakeZkServer({
      replies: { srvr: fixture('zookeeper-3.8.0/leader/srvr.txt'), mntr: fixture('zookeeper-3.8.0/leader/mntr.txt') },
    });
    servers.push(node);
    const config = {
      ensembles: [{ ...ensembleOf('one', [node.port]), commands: ['srvr', 'mntr'] }],
      intervalMs: 60_000,
      fastIntervalMs: 100,
      timeoutMs: 1000,
      maxReplyBytes: 65_536,
      concurrency: 4,
    } as unknown as AgentConfig;
    const samples: NodeSample[] = [];
    const twoRounds = new Promise<void>((resolve, reject) => {
      scheduler = new PollScheduler(
        config,
        {
          onEnsemble: (_ensemble, round) => {
            samples.push(...round);
            if (samples.length === 2) resolve();
          },
          onRoundEnd: () => undefined,
          onOverrun: () => undefined,
          onError: reject,
        },
        Date.now,
        ['global_sessions', 'num_alive_connections', 'no_such_key'],
      );
      scheduler.start();
    });
    await twoRounds;
    const [asked, carried] = samples as [NodeSample, NodeSample];
    const kept = [
      { key: 'global_sessions', value: 1 },
      { key: 'num_alive_connections', value: 1 },
    ];
    // The first round asked mntr: laid out whole (every numeric line of the 3.8 leader's reply), entries thinned.
    expect(asked.roundPolledAt).toBe(asked.polledAt);
    expect(asked.mntrLaidOut?.numbers.length).toBeGreaterThan(500);
    expect(asked.mntrLaidOut?.layout.plan.length).toBeGreaterThan(400);
    expect(asked.mntr?.ok && asked.mntr.value.entries).toEqual(kept);
    // The second is a fast-lane round that carries mntr from the first: no layout of its own.
    expect(carried.roundPolledAt).toBe(asked.polledAt);
    expect(carried.polledAt).toBeGreaterThan(asked.polledAt);
    expect(carried.mntrLaidOut).toBeUndefined();
    expect(carried.mntr?.ok && carried.mntr.value.entries).toEqual(kept);
  });

  it('keeps one slot per other ensemble from any one ensemble, up to half of them', () => {
    expect(laneMax(64, 1)).toBe(64);
    expect(laneMax(64, 2)).toBe(63);
    expect(laneMax(64, 200)).toBe(32);
    expect(laneMax(1, 5)).toBe(1);
  });
});
