/**
 * Several agents, one ensemble: three agents with each other as peers. All up → one effective
 * delivery per incident, sent by the lowest-ranked agent; two agents frozen (SIGSTOP, the minority
 * side of a partition for the third) → the third never fires.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { HookReceiver } from '../harness/hook-receiver.js';
import { freePort } from '../harness/ports.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const SECRET = 'peers-secret-0123456789';

describe.skipIf(!zookeeperInstalled())('three agents with peers', () => {
  let dir: string;
  let ensemble: ZkEnsemble;
  let receiver: HookReceiver;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-peers-'));
    fs.writeFileSync(path.join(dir, 'secret'), SECRET);
    // The peers' deadline must stay below the 1 s interval.
    fs.writeFileSync(path.join(dir, 'peers.yml'), 'hooks:\n  peerTimeout: 500ms\n');
    receiver = new HookReceiver([SECRET]);
    await receiver.start();
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    // Ports are fixed up front so each agent can name the others as peers.
    const ports = [await freePort(), await freePort(), await freePort()];
    const names = ['agent-a', 'agent-b', 'agent-c'];
    for (let i = 0; i < 3; i++) {
      const peers = ports.filter((_, j) => j !== i).flatMap((p) => ['--peer', `http://127.0.0.1:${p}`]);
      agents.push(
        await startAgent(
          [
            '--config',
            path.join(dir, 'peers.yml'),
            '--ensemble',
            `local=${ensemble.connectString}`,
            '--interval',
            '1s',
            '--timeout',
            '500ms',
            '--log-level',
            'info',
            '--hook-url',
            receiver.url,
            '--hook-secret-file',
            path.join(dir, 'secret'),
            '--state-dir',
            path.join(dir, names[i]!),
            '--agent-id',
            names[i]!,
            ...peers,
          ],
          20_000,
          {},
          ports[i],
        ),
      );
    }
    for (const agent of agents) {
      await waitFor('healthy', async () =>
        (await agent.json<EnsembleState>('/api/v1/ensembles/local')).quorum === 'healthy' ? true : undefined,
      );
    }
  });

  afterAll(async () => {
    for (const agent of agents) {
      agent.child.kill('SIGCONT');
      await agent.stop();
    }
    await receiver?.stop();
    await ensemble?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('all agents up: one quorum_at_risk delivery, sent by the lowest-ranked agent', async () => {
    const leader = (await ensemble.leader())!;
    const follower = ensemble.nodes.find((n) => n !== leader)!;
    await follower.kill();
    await waitFor('at_risk delivered', () => Promise.resolve(receiver.of('quorum_at_risk').length > 0 ? true : undefined), 20_000);
    // Negative check: another agent would send within a few rounds of the first; 4 s covers them.
    await sleep(4000);
    expect(receiver.of('quorum_at_risk')).toHaveLength(1);
    expect(receiver.requests.filter((r) => r.body.event === 'quorum_at_risk')).toHaveLength(1);
    expect(receiver.of('quorum_at_risk')[0]!.body.agent).toMatchObject({ id: 'agent-a' });
    expect(receiver.of('quorum_at_risk')[0]!.verified).toBe(true);
    follower.start();
    await ensemble.waitServing(30_000);
    await waitFor('restored delivered', () => Promise.resolve(receiver.of('quorum_restored').length > 0 ? true : undefined), 20_000);
  });

  it('two agents frozen: the third, alone, never fires', async () => {
    // Lets late requests of the previous scenario land before the count below is taken.
    await sleep(2000);
    const sent = receiver.requests.length;
    agents[0]!.child.kill('SIGSTOP');
    agents[1]!.child.kill('SIGSTOP');
    const third = agents[2]!;
    const leader = (await ensemble.leader())!;
    const follower = ensemble.nodes.find((n) => n !== leader)!;
    await follower.kill();
    await waitFor('third agent sees at_risk', async () =>
      (await third.json<EnsembleState>('/api/v1/ensembles/local')).quorum === 'at_risk' ? true : undefined,
    );
    // Negative check: alone, the third agent must not fire; 6 s is many rounds in which it could.
    await sleep(6000);
    expect(receiver.requests.length).toBe(sent);
    expect(third.output()).not.toContain('"msg":"hook intent"');
    agents[0]!.child.kill('SIGCONT');
    agents[1]!.child.kill('SIGCONT');
    follower.start();
    await ensemble.waitServing(30_000);
  });
});
