/**
 * `/probe` against a real 3-voter ensemble, through a real agent process that watches another
 * (unreachable) ensemble of its own: the probe reports the probed ensemble from one round and leaves
 * the agent's own state and /metrics alone.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { nodeTruth } from '../harness/four-letter.js';
import { freePort } from '../harness/ports.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

let ensemble: ZkEnsemble;
let agent: AgentProcess;
/** A loopback port nothing listens on. */
let deadPort: number;

async function probe(query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`${agent.url}/probe?${query}`, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe.skipIf(!zookeeperInstalled())('/probe on a real 3-voter ensemble', () => {
  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    deadPort = await freePort();
    agent = await startAgent(['--ensemble', `own=127.0.0.1:${await freePort()}`, '--interval', '1s', '--timeout', '500ms']);
  });

  afterAll(async () => {
    await agent?.stop();
    await ensemble?.stop();
  });

  it('with every address: probe_success 1, the leader and a healthy quorum, and output that passes promtool', async () => {
    const { status, body, type } = await probe(`target=${ensemble.connectString}&ensemble=probed`, {
      'X-Prometheus-Scrape-Timeout-Seconds': '5',
    });
    expect(status, body).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0.0.4/);
    expect(body).toContain('\nprobe_success 1\n');
    expect(sampleValue(body, 'probe_duration_seconds', {})).toBeLessThan(4.5);
    for (const node of ensemble.nodes) {
      const truth = await nodeTruth(node.clientPort);
      if (!truth) throw new Error(`${node.address} stopped serving`);
      expect(sampleValue(body, 'zookeeper_up', { ensemble: 'probed', server: node.address })).toBe(1);
      expect(sampleValue(body, 'zookeeper_ensemble_leader', { ensemble: 'probed', server: node.address })).toBe(
        truth.mode === 'leader' ? 1 : 0,
      );
    }
    expect(sampleValue(body, 'zookeeper_ensemble_quorum_state', { ensemble: 'probed', state: 'healthy' })).toBe(1);
    expect(sampleValue(body, 'zookeeper_ensemble_voters', { ensemble: 'probed' })).toBe(3);
    expect(sampleValue(body, 'zookeeper_ensemble_membership_from_conf', { ensemble: 'probed' })).toBe(1);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    // The agent's own exposition knows nothing of the probed ensemble.
    expect(await agent.metrics()).not.toContain('ensemble="probed"');
  });

  it('with a dead port among the addresses: that node down with its reason, probe_success still 1', async () => {
    const [first, second] = ensemble.nodes;
    const dead = `127.0.0.1:${deadPort}`;
    const { status, body } = await probe(`target=${first!.address},${second!.address},${dead}&ensemble=probed`);
    expect(status, body).toBe(200);
    expect(body).toContain('\nprobe_success 1\n');
    expect(sampleValue(body, 'zookeeper_up', { ensemble: 'probed', server: dead })).toBe(0);
    expect(
      sampleValue(body, 'zookeeper_exporter_command_result', { ensemble: 'probed', server: dead, command: 'srvr', reason: 'refused' }),
    ).toBe(1);
  });

  it('with only a dead port: probe_success 0', async () => {
    const { status, body } = await probe(`target=127.0.0.1:${deadPort}&ensemble=probed`);
    expect(status, body).toBe(200);
    expect(body).toContain('\nprobe_success 0\n');
  });

  it('with an unparsable target: 400 and the reason', async () => {
    const { status, body } = await probe('target=not-an-address&ensemble=probed');
    expect(status).toBe(400);
    expect(body).toBe('bad target: "not-an-address" has no port; expected HOST:PORT\n');
  });
});
