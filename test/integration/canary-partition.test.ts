import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { canaryZnode } from '../../src/zk/canary-znode.js';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-partition-'));
  let ensemble: UserEnsemble | undefined;
  let agent: AgentProcess | undefined;

  afterAll(async () => {
    try {
      await agent?.stop();
    } finally {
      await partitions.cleanup();
      ensemble?.removeFiles();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(partitions.leftoverRules()).toEqual([]);
  });

  it('reports writable 0 within 2 s of the cut, long before srvr changes, and writable again under the new leader', async () => {
    ensemble = await UserEnsemble.start(partitions, 3);
    await ensemble.waitServing();
    const nodes = ensemble.nodes;
    const config = path.join(dir, 'agent.yml');
    fs.writeFileSync(
      config,
      [
        'interval: 1s',
        'timeout: 900ms',
        'hooks:',
        `  agentId: ${AGENT_ID}`,
        '  dryRun: true',
        'ensembles:',
        '  - name: part',
        `    servers: [${nodes.map((n) => `"${n.server}"`).join(', ')}]`,
        '    canary:',
        `      path: ${PATH}`,
        '      interval: 1s',
        '      timeout: 1s',
        '',
      ].join('\n'),
    );
    agent = await startAgent(['--config', config, '--log-level', 'warn']);
    const a = agent;
    const writable = async (): Promise<number | undefined> =>
      sampleValue(await a.metrics(), 'zookeeper_ensemble_writable', { ensemble: 'part' });

    await waitFor(
      'the canary up on every node',
      async () => {
        const text = await a.metrics();
        return nodes.every((n) => sampleValue(text, 'zookeeper_canary_up', { ensemble: 'part', server: n.server }) === 1)
          ? true
          : undefined;
      },
      20_000,
    );
    // Healthy and quiet: 3 s covers three canary rounds at the 1 s interval, none may fail.
    await holdsFor(3000, async () => {
      const text = await a.metrics();
      expect(sampleValue(text, 'zookeeper_ensemble_writable', { ensemble: 'part' })).toBe(1);
      for (const n of nodes) expect(sampleValue(text, 'zookeeper_canary_up', { ensemble: 'part', server: n.server })).toBe(1);
    });
    expect((await a.json<EnsembleState>('/api/v1/ensembles/part')).writable).toBe(true);

    const leader = await ensemble.leader();
    expect(leader).toBeDefined();
    const cutAt = Date.now();
    partitions.isolatePeerTraffic(leader!, [ensemble.ports.quorum, ensemble.ports.election]);

    await waitFor('writable 0', async () => ((await writable()) === 0 ? true : undefined), 10_000, 20);
    const detectionMs = Date.now() - cutAt;
    // ZooKeeper's own answers have not changed yet (they do after ~10.5 s): only the canary knows.
    expect(await ensemble.mode(leader!)).toBe('leader');
    console.log(`canary detection: zookeeper_ensemble_writable 0 on /metrics ${detectionMs} ms after the cut`);
    expect(detectionMs).toBeLessThanOrEqual(2000);
    const stalled = await a.json<EnsembleState>('/api/v1/ensembles/part');
    expect(stalled.writable).toBe(false);
    expect(stalled.canary?.writesStalled).toBe(true);
    expect(stalled.canary?.nodes.every((n) => !n.wrote && n.reason === 'timeout')).toBe(true);
    expect(await a.metrics()).toMatch(/^zookeeper_canary_failures_total\{ensemble="part",server="[^"]+",reason="timeout"\} [1-9]/m);

    await waitFor('writable 1 again', async () => ((await writable()) === 1 ? true : undefined), 30_000, 50);
    const recoveryMs = Date.now() - cutAt;
    const newLeader = await waitFor('a new leader', async () => (await ensemble!.leader()) ?? undefined, 10_000);
    console.log(`canary recovery: writable 1 ${recoveryMs} ms after the cut; new leader ${newLeader.value.server}`);
    expect(newLeader.value.id).not.toBe(leader!.id);
    const after = await a.json<EnsembleState>('/api/v1/ensembles/part');
    expect(after.timeline.filter((t) => t.kind === 'writes_stalled').map((t) => (t.kind === 'writes_stalled' ? t.phase : ''))).toEqual([
      'started',
      'ended',
    ]);

    // One znode per node per agent, whatever sessions came and went.
    const expected = nodes.map((n) => canaryZnode(PATH, AGENT_ID, n.server).slice(PATH.length + 1));
    const children = await canaryChildren(newLeader.value.server);
    expect(children.length).toBeLessThanOrEqual(3);
    for (const child of children) expect(expected).toContain(child);

    // Stopping the agent closes the sessions, which deletes their ephemerals; the cut-off node's
    // session went with its quorum, so its znode goes when that session expires (10 s session timeout).
    expect(await a.stop()).toBe(0);
    agent = undefined;
    const left = await waitFor(
      'no canary znodes left',
      async () => ((await canaryChildren(newLeader.value.server)).length === 0 ? true : undefined),
      20_000,
      200,
    );
    console.log(`canary znodes gone ${left.elapsedMs} ms after the agent stopped`);
  });
});
