/**
 * Scenario 7: 5 voters: margin 2; kill two → at_risk; kill a third → lost. Real ensemble, real agent.
 * Each test first starts any node an earlier one killed (allServing), so neither depends on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { nodeTruth } from '../harness/four-letter.js';
import { waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

describe.skipIf(!zookeeperInstalled())('scenario 7: 5 voters', () => {
  let ensemble: ZkEnsemble;
  let agent: AgentProcess;
  const state = () => agent.json<EnsembleState>('/api/v1/ensembles/five');

  /** Every node running and serving, and the agent seeing all five healthy: margin 2. */
  async function allServing(): Promise<EnsembleState> {
    for (const n of ensemble.nodes) n.start();
    await ensemble.waitServing(45_000, ensemble.nodes);
    const { value } = await waitFor(
      'healthy with margin 2',
      async () => {
        const s = await state();
        return s.quorum === 'healthy' && s.margin === 2 ? s : undefined;
      },
      30_000,
    );
    return value;
  }

  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 5 });
    await ensemble.waitServing(45_000);
    agent = await startAgent([
      '--ensemble',
      `five=${ensemble.connectString}`,
      '--interval',
      '1s',
      '--timeout',
      '500ms',
      '--log-level',
      'warn',
    ]);
  });
  afterAll(async () => {
    await agent?.stop();
    await ensemble?.stop();
  });

  it('all five healthy: majority 3, margin 2', async () => {
    const s = await allServing();
    expect([s.voters, s.majority, s.healthyVoters]).toEqual([5, 3, 5]);
    expect(sampleValue(await agent.metrics(), 'zookeeper_ensemble_quorum_margin', { ensemble: 'five' })).toBe(2);
  });

  it('two followers killed: at_risk, margin 0; a third: lost', async () => {
    await allServing();
    const { value: leader } = await waitFor('a leader', () => ensemble.leader());
    const followers = ensemble.nodes.filter((n) => n !== leader);
    await Promise.all([followers[0]!.kill(), followers[1]!.kill()]);
    const { value: atRisk } = await waitFor('at_risk', async () => {
      const s = await state();
      return s.quorum === 'at_risk' ? s : undefined;
    });
    expect([atRisk.healthyVoters, atRisk.margin]).toEqual([3, 0]);
    expect((await nodeTruth(leader.clientPort))?.mode).toBe('leader');

    await followers[2]!.kill();
    const { value: lost } = await waitFor('lost', async () => {
      const s = await state();
      return s.quorum === 'lost' ? s : undefined;
    });
    expect(lost.margin).toBeLessThan(0);
    const metrics = await agent.metrics();
    expect(sampleValue(metrics, 'zookeeper_ensemble_quorum_state', { ensemble: 'five', state: 'lost' })).toBe(1);
    expect(sampleValue(metrics, 'zookeeper_ensemble_quorum_state', { ensemble: 'five', state: 'healthy' })).toBe(0);
  });
});
