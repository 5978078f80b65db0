import type zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanaryRunner } from '../../src/zk/canary-runner.js';
import type { CanaryRound } from '../../src/zk/canary-types.js';
import { digestAclId } from '../../src/zk/canary-znode.js';
import { closeClient, connectClient } from '../harness/client.js';
import { waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const CREDENTIALS = { user: 'canary', password: 'not-a-real-secret' };

/** Promisified client calls the test needs. */
function call<T>(run: (done: (err: unknown, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    run((err, value) => (err ? reject(new Error(err instanceof Error ? err.message : JSON.stringify(err))) : resolve(value))),
  );
}

/** Runs a canary until its first round and returns that round. */
async function firstRound(
  server: string,
  options: { chroot?: string; credentials?: typeof CREDENTIALS; agentId: string },
): Promise<CanaryRound> {
  const rounds: CanaryRound[] = [];
  const runner = new CanaryRunner({
    agentId: options.agentId,
    ensembles: [
      { ensemble: 'one', servers: [server], path: '/zk-ensemble-exporter/canary', intervalMs: 1000, timeoutMs: 2000, ...options },
    ],
    onRound: (round) => rounds.push(round),
    onError: () => undefined,
  });
  runner.start();
  try {
    return (await waitFor('a canary round', () => Promise.resolve(rounds[0]), 15_000)).value;
  } finally {
    await runner.stop();
  }
}

describe.skipIf(!zookeeperInstalled())('write canary: digest ACL and chroot', () => {
  let ensemble: ZkEnsemble;
  let admin: zookeeper.Client;

  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 1 });
    await ensemble.waitServing();
    admin = await connectClient(ensemble.nodes[0]!.address);
    await call((done) => admin.mkdirp('/kafka', done));
  });

  afterAll(async () => {
    try {
      if (admin) await closeClient(admin);
    } finally {
      await ensemble?.stop();
    }
  });

  it('writes inside the chroot with an ACL for its own user, which another user cannot use', async () => {
    const server = ensemble.nodes[0]!.address;
    const znode = `/kafka/zk-ensemble-exporter/canary/owner@${server}`;
    // Holds the canary's own session open while the ACL is inspected: a second runner with the same
    // id then shares the znode's name, a runner with other credentials is refused.
    const rounds: CanaryRound[] = [];
    const owner = new CanaryRunner({
      agentId: 'owner',
      ensembles: [
        {
          ensemble: 'one',
          servers: [server],
          path: '/zk-ensemble-exporter/canary',
          chroot: '/kafka',
          intervalMs: 500,
          timeoutMs: 2000,
          credentials: CREDENTIALS,
        },
      ],
      onRound: (round) => rounds.push(round),
      onError: () => undefined,
    });
    owner.start();
    try {
      await waitFor('a successful probe', () => Promise.resolve(rounds.some((r) => r.nodes[0]?.ok) ? true : undefined), 15_000);
      // Reading an ACL needs READ or ADMIN on the znode (ZooKeeper 3.6+): the test's client authenticates as the canary.
      admin.addAuthInfo('digest', Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`));
      const acls = await call<zookeeper.ACL[]>((done) => admin.getACL(znode, done));
      // The library stores the permission bits as `permission` (its typings say `perms`).
      expect(acls.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: (a as unknown as { permission: number }).permission }))).toEqual([
        { scheme: 'digest', id: digestAclId(CREDENTIALS), perms: 31 },
      ]);
      const parentAcls = await call<zookeeper.ACL[]>((done) => admin.getACL('/kafka/zk-ensemble-exporter/canary', done));
      expect(parentAcls.map((a) => a.id.scheme)).toEqual(['digest']);
      // Nothing was written outside the chroot.
      const outside = await new Promise<unknown>((resolve) => admin.exists('/zk-ensemble-exporter', (err, stat) => resolve(err ?? stat)));
      expect(outside).toBeFalsy();

      const stranger = await firstRound(server, { chroot: '/kafka', credentials: { user: 'other', password: 'x' }, agentId: 'stranger' });
      expect(stranger.nodes[0]).toMatchObject({ ok: false, wrote: false, failedOp: 'create', reason: 'no_auth' });
    } finally {
      await owner.stop();
    }
    // Closing the session deleted the ephemeral.
    expect(await new Promise<unknown>((resolve) => admin.exists(znode, (err, stat) => resolve(err ?? stat)))).toBeFalsy();
  });

  it('fails with no_node when the chroot does not exist (one-shot round)', async () => {
    const server = ensemble.nodes[0]!.address;
    const runner = new CanaryRunner({
      agentId: 'nochroot',
      ensembles: [
        { ensemble: 'one', servers: [server], path: '/zk-ensemble-exporter/canary', chroot: '/missing', intervalMs: 1000, timeoutMs: 2000 },
      ],
      onRound: () => undefined,
      onError: () => undefined,
    });
    const [round] = await runner.runOnce();
    expect(round?.nodes[0]).toMatchObject({ server, ok: false, failedOp: 'create', reason: 'no_node' });
  });
});
