import { afterAll, describe, expect, it } from 'vitest';
import { deriveEnsemble } from '../../src/ensemble/derive.js';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { applyCanaryRound } from '../../src/ensemble/writes.js';
import { addCanaryFamilies } from '../../src/metrics/canary-families.js';
import { addEnsembleFamilies } from '../../src/metrics/ensemble-families.js';
import { FamilySet, renderFamilies } from '../../src/metrics/family.js';
import { CanaryRunner } from '../../src/zk/canary-runner.js';
import { canaryZnode } from '../../src/zk/canary-znode.js';
import { sampleValue } from '../harness/agent-process.js';
import { closeClient, connectClient } from '../harness/client.js';
import { partitionUnsupported, Partitions, UserEnsemble } from '../harness/partition.js';
import { holdsFor, waitFor } from '../harness/wait.js';

const unsupported = partitionUnsupported();
const PATH = '/zk-ensemble-exporter/canary';
const AGENT_ID = 'canary-partition-test';

/** Children of the canary path, read through one node of the serving majority. */
async function canaryChildren(server: string): Promise<string[]> {
  const client = await connectClient(server);
  try {
    return await new Promise<string[]>((resolve, reject) =>
      client.getChildren(PATH, (err, children) => (err ? reject(new Error(String(err))) : resolve(children))),
    );
  } finally {
    await closeClient(client);
  }
}

describe.skipIf(unsupported !== undefined)('write canary: a leader cut off from its quorum', () => {
  const partitions = new Partitions();
  let ensemble: UserEnsemble | undefined;
  let runner: CanaryRunner | undefined;

  afterAll(async () => {
    try {
      await runner?.stop();
    } finally {
      await partitions.cleanup();
      ensemble?.removeFiles();
    }
    expect(partitions.leftoverRules()).toEqual([]);
  });

  it('reports writable 0 within 2 s of the cut, long before srvr changes, and writable again under the new leader', async () => {
    ensemble = await UserEnsemble.start(partitions, 3);
    await ensemble.waitServing();
    const nodes = ensemble.nodes;
    const input = { name: 'part', servers: nodes.map((n) => ({ host: n.address, port: ensemble!.ports.client })) };
    // The canary updates the ensemble state as the agent does: a poll-derived state plus each canary round.
    let state: EnsembleState = deriveEnsemble(undefined, input, [], Date.now()).state;
    const errors: unknown[] = [];
    runner = new CanaryRunner({
      agentId: AGENT_ID,
      ensembles: [{ ensemble: 'part', servers: nodes.map((n) => n.server), path: PATH, intervalMs: 1000, timeoutMs: 1000 }],
      onRound: (round) => {
        state = applyCanaryRound(state, round).state;
      },
      onError: (err) => errors.push(err),
    });
    const exposition = (): string => {
      const set = new FamilySet();
      addEnsembleFamilies(set, [state]);
      addCanaryFamilies(set, [state]);
      return renderFamilies(set.all());
    };
    const writable = (): number | undefined => sampleValue(exposition(), 'zookeeper_ensemble_writable', { ensemble: 'part' });
    runner.start();

    await waitFor(
      'the canary up on every node',
      async () => (nodes.every((n) => sampleValue(exposition(), 'zookeeper_canary_up', { ensemble: 'part', server: n.server }) === 1) ? true : undefined),
      15_000,
    );
    // Healthy and quiet: 3 s covers three canary rounds at the 1 s interval, none may fail.
    await holdsFor(3000, () => {
      expect(writable()).toBe(1);
      for (const n of nodes) expect(sampleValue(exposition(), 'zookeeper_canary_up', { ensemble: 'part', server: n.server })).toBe(1);
    });

    const leader = await ensemble.leader();
    expect(leader).toBeDefined();
    const cutAt = Date.now();
    partitions.isolatePeerTraffic(leader!, [ensemble.ports.quorum, ensemble.ports.election]);

    const stalled = await waitFor('writable 0', async () => (writable() === 0 ? true : undefined), 10_000, 20);
    const detectionMs = Date.now() - cutAt;
    // ZooKeeper's own answers have not changed yet (they do after ~10.5 s): only the canary knows.
    expect(await ensemble.mode(leader!)).toBe('leader');
    console.log(`canary detection: writable 0 ${detectionMs} ms after the cut (wait ${stalled.elapsedMs} ms)`);
    expect(detectionMs).toBeLessThanOrEqual(2000);
    expect(state.canary?.writesStalled).toBe(true);
    expect(state.canary?.nodes.every((n) => !n.wrote && n.reason === 'timeout')).toBe(true);

    const recovered = await waitFor('writable 1 again', async () => (writable() === 1 ? true : undefined), 30_000, 50);
    const newLeader = await waitFor('a new leader', async () => (await ensemble!.leader()) ?? undefined, 10_000);
    console.log(`canary recovery: writable 1 ${Date.now() - cutAt} ms after the cut (wait ${recovered.elapsedMs} ms); new leader ${newLeader.value.server}`);
    expect(newLeader.value.id).not.toBe(leader!.id);
    const ended = state.timeline.filter((t) => t.kind === 'writes_stalled');
    expect(ended.map((t) => (t.kind === 'writes_stalled' ? t.phase : ''))).toEqual(['started', 'ended']);

    // One znode per node per agent, whatever sessions came and went.
    const expected = nodes.map((n) => canaryZnode(PATH, AGENT_ID, n.server).slice(PATH.length + 1));
    const children = await canaryChildren(newLeader.value.server);
    expect(children.length).toBeLessThanOrEqual(3);
    for (const child of children) expect(expected).toContain(child);
    expect(errors).toEqual([]);

    // Closing the sessions deletes their ephemerals; the cut-off node's session dies with its quorum,
    // so its znode goes when that session expires (bounded by the session timeout, 10 s).
    await runner.stop();
    runner = undefined;
    const left = await waitFor('no canary znodes left', async () => ((await canaryChildren(newLeader.value.server)).length === 0 ? true : undefined), 20_000, 200);
    console.log(`canary znodes gone ${left.elapsedMs} ms after the canary stopped`);
  });
});
