/**
 * The scheduler's side of discovery, against fake four-letter-word listeners on loopback (port 0):
 * members a seed's `conf` lists are polled in the same round, a member never seen answering is handed
 * on without a sample, and an address answering as another server id is dropped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeSample } from '../../../src/commands/index.js';
import type { AgentConfig } from '../../../src/config/types.js';
import { PollScheduler, type PolledEnsemble } from '../../../src/poll/scheduler.js';
import { startFakeZkServer, type FakeZkServer } from '../../harness/fake-zk-server.js';
import { freePort } from '../../harness/ports.js';
import { fixture } from '../parse/fixtures.js';

const servers: FakeZkServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A `conf` reply of server `id`, listing members with their client ports (dynamic form). */
function confText(id: number, clientPorts: Record<number, number>): string {
  const members = Object.entries(clientPorts).map(
    ([member, port]) => `server.${member}=127.0.0.1:${20000 + Number(member)}:${30000 + Number(member)}:participant;127.0.0.1:${port}`,
  );
  return [`clientPort=${clientPorts[id]}`, `serverId=${id}`, 'peerType=0', 'membership: ', ...members, 'version=100000000'].join('\n');
}

async function fakeNode(role: 'leader' | 'follower', conf: string): Promise<FakeZkServer> {
  const server = await startFakeZkServer({ replies: { srvr: fixture(`zookeeper-3.8.0/${role}/srvr.txt`), conf } });
  servers.push(server);
  return server;
}

/** Runs one round with `seed` as the only configured server; returns what the listener was handed. */
async function oneRound(seedPort: number): Promise<{ ensemble: PolledEnsemble; samples: NodeSample[] }> {
  const config = {
    ensembles: [
      {
        name: 'e',
        servers: [{ host: '127.0.0.1', port: seedPort }],
        transport: 'fourletter',
        commands: ['srvr', 'conf'],
        confIntervalMs: 60_000,
        discovery: true,
      },
    ],
    intervalMs: 1000,
    timeoutMs: 500,
    maxReplyBytes: 65_536,
    concurrency: 8,
  } as unknown as AgentConfig;
  let handed: { ensemble: PolledEnsemble; samples: NodeSample[] } | undefined;
  const scheduler = new PollScheduler(config, {
    onEnsemble: (ensemble, samples) => (handed = { ensemble, samples }),
    onRoundEnd: () => undefined,
    onOverrun: () => undefined,
    onError: (err) => {
      throw err;
    },
  });
  await scheduler.runOnce();
  if (!handed) throw new Error('the round handed nothing over');
  return handed;
}

describe('PollScheduler with discovery', () => {
  // The seed is recognised by the id its own conf reports, so the port its member line gives does not
  // matter: port 1 stands for "some spelling of the seed".
  const SEED_LINE_PORT = 1;

  it('polls the members the seed’s conf lists in the same round; one never seen answering comes without a sample', async () => {
    // Free, but nobody listens there: connections are refused.
    const closedPort = await freePort();
    const leader = await fakeNode('leader', confText(2, { 1: SEED_LINE_PORT, 2: 2181, 3: closedPort }));
    const seed = await fakeNode('follower', confText(1, { 1: SEED_LINE_PORT, 2: leader.port, 3: closedPort }));

    const { ensemble, samples } = await oneRound(seed.port);
    expect(samples.map((s) => s.server)).toEqual([`127.0.0.1:${seed.port}`, `127.0.0.1:${leader.port}`]);
    expect(ensemble.discovered).toEqual([
      { target: { host: '127.0.0.1', port: leader.port }, server: `127.0.0.1:${leader.port}`, serverId: 2, voter: true },
      { target: { host: '127.0.0.1', port: closedPort }, server: `127.0.0.1:${closedPort}`, serverId: 3, voter: true, failure: 'refused' },
    ]);
  });

  it('drops a discovered address whose node answers as another server id', async () => {
    // Listed as server 2, but the node there says it is server 7.
    const impostor = await fakeNode('leader', confText(7, { 7: 2181 }));
    const seed = await fakeNode('follower', confText(1, { 1: SEED_LINE_PORT, 2: impostor.port }));

    const { ensemble, samples } = await oneRound(seed.port);
    expect(ensemble.discovered).toEqual([]);
    expect(samples.map((s) => s.server)).toEqual([`127.0.0.1:${seed.port}`]);
  });
});
