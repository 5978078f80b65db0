/**
 * Alertmanager push with real processes: a real 3-node ensemble, the real agent and two real
 * Alertmanagers. Two nodes die → both Alertmanagers show ZookeeperQuorumLost soon after the agent
 * sees the loss; the nodes return → the alert is resolved in both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { sampleValue, startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { AlertmanagerProcess } from '../harness/alertmanager.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

// Alertmanager 0.25 ignores basic auth it was not told to check; the credentials prove the agent
// moves them out of the URL (fetch refuses URLs with credentials) and never logs them.
const PASSWORD = 'am-password-never-logged';
const EXTERNAL_URL = 'http://zk-agent.example:9141';

/** Alertmanager's own view: `GET /api/v2/alerts` (firing alerts; resolved ones are left out). */
interface ListedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

const NULL_RECEIVER = ['route:', '  receiver: "null"', 'receivers:', '  - name: "null"', ''].join('\n');

let ensemble: ZkEnsemble;
let am1: AlertmanagerProcess;
let am2: AlertmanagerProcess;
let agent: AgentProcess;

async function alertsOf(am: AlertmanagerProcess): Promise<ListedAlert[]> {
  const res = await fetch(`http://${am.address}/api/v2/alerts`, { signal: AbortSignal.timeout(2000) });
  return (await res.json()) as ListedAlert[];
}

async function quorumLostIn(am: AlertmanagerProcess): Promise<ListedAlert | undefined> {
  return (await alertsOf(am)).find((a) => a.labels.alertname === 'ZookeeperQuorumLost' && a.labels.ensemble === 'local');
}

async function quorum(want: string): Promise<EnsembleState> {
  const { value } = await waitFor(
    `quorum ${want}`,
    async () => {
      const s = await agent.json<EnsembleState>('/api/v1/ensembles/local');
      return s.quorum === want ? s : undefined;
    },
    60_000,
  );
  return value;
}

describe.skipIf(!zookeeperInstalled())('Alertmanager push', () => {
  beforeAll(async () => {
    [am1, am2] = await Promise.all([AlertmanagerProcess.start(NULL_RECEIVER), AlertmanagerProcess.start(NULL_RECEIVER)]);
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    agent = await startAgent([
      '--ensemble',
      `local=${ensemble.connectString}`,
      '--alertmanager-url',
      `http://${am1.address}`,
      '--alertmanager-url',
      `http://ops:${PASSWORD}@${am2.address}/`,
      '--external-url',
      EXTERNAL_URL,
      '--interval',
      '1s',
      '--timeout',
      '500ms',
      '--log-level',
      'debug',
    ]);
    await quorum('healthy');
  });

  afterAll(async () => {
    await agent?.stop();
    await ensemble?.stop();
    await am1?.stop();
    await am2?.stop();
  });

  it('two nodes down → ZookeeperQuorumLost in both Alertmanagers within 2 s of the agent seeing it; back → resolved in both', async () => {
    expect(await quorumLostIn(am1)).toBeUndefined();
    await Promise.all([ensemble.nodes[0]!.kill(), ensemble.nodes[1]!.kill()]);
    const lost = await quorum('lost');
    // quorumSince is when the agent's round saw the loss; both clocks are this machine's.
    const seenAt = lost.quorumSince;
    const found = await Promise.all(
      [am1, am2].map(async (am) => {
        const { value } = await waitFor('ZookeeperQuorumLost in Alertmanager', () => quorumLostIn(am), 10_000, 50);
        return { value, afterMs: Date.now() - seenAt };
      }),
    );
    console.log(
      `agent saw quorum lost → visible in Alertmanager 1 after ${found[0]!.afterMs} ms, in Alertmanager 2 after ${found[1]!.afterMs} ms`,
    );
    for (const { afterMs } of found) expect(afterMs).toBeLessThan(2000);

    for (const { value: alert } of found) {
      expect(alert.labels).toEqual({
        alertname: 'ZookeeperQuorumLost',
        ensemble: 'local',
        severity: 'critical',
        source: 'zk-ensemble-exporter',
      });
      expect(alert.status.state).toBe('active');
      expect(alert.generatorURL).toBe(`${EXTERNAL_URL}/#ensemble-local`);
      expect(alert.annotations.summary).toBe('ZooKeeper ensemble local has lost quorum');
      // endsAt lies three resend intervals (30 s by default) ahead, so a dead agent's alert expires.
      expect(Date.parse(alert.endsAt) - Date.parse(alert.startsAt)).toBeGreaterThanOrEqual(85_000);
    }

    ensemble.nodes[0]!.start();
    ensemble.nodes[1]!.start();
    await ensemble.waitServing(60_000);
    await quorum('healthy');
    const resolved = await waitFor(
      'ZookeeperQuorumLost resolved in both Alertmanagers',
      async () => ((await quorumLostIn(am1)) === undefined && (await quorumLostIn(am2)) === undefined ? true : undefined),
      10_000,
      50,
    );
    console.log(`agent healthy again → resolved in both Alertmanagers after ${resolved.elapsedMs} ms`);

    const metrics = await agent.metrics();
    for (const label of [am1.address, am2.address]) {
      expect(sampleValue(metrics, 'zookeeper_exporter_alertmanager_posts_total', { alertmanager: label })).toBeGreaterThanOrEqual(2);
      expect(sampleValue(metrics, 'zookeeper_exporter_alertmanager_push_errors_total', { alertmanager: label })).toBe(0);
    }
    expect(metrics).not.toContain(PASSWORD);
    expect(agent.output()).not.toContain(PASSWORD);
  });
});
