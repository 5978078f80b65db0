/**
 * The alert rules against the real thing: a 3-node ensemble, the agent polling it every second, and
 * Prometheus scraping the agent and evaluating the rules (rendered from alerts/rules.ts with every
 * `for` shortened). Two nodes killed: the agent's ZookeeperQuorumLost and the independent per-node
 * ZookeeperQuorumLostPerNode both fire; the nodes restarted: both resolve.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forAll, renderRules, resolveConfig } from '../../alerts/rules.js';
import { startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { PrometheusProcess, prometheusInstalled } from '../harness/prometheus.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const ENSEMBLE = 'live';
/** Alerts about the ensemble's quorum: none may be pending or firing while it is healthy. */
const QUORUM_ALERTS = ['ZookeeperQuorumLost', 'ZookeeperQuorumLostPerNode', 'ZookeeperQuorumAtRisk', 'ZookeeperNoLeader', 'ZookeeperSplitBrain'];
const LOST = ['ZookeeperQuorumLost', 'ZookeeperQuorumLostPerNode'];
/** Short enough for a test, long enough that `for` is exercised (several 1 s evaluations). */
const FOR = '3s';

describe.skipIf(!zookeeperInstalled() || !prometheusInstalled())('alert rules on a live ensemble', () => {
  let ensemble: ZkEnsemble;
  let agent: AgentProcess;
  let prometheus: PrometheusProcess;
  let dir: string;
  const timings: Record<string, number> = {};

  /** Alerts of this ensemble in Prometheus, by name → state (`pending` or `firing`). */
  const active = async (): Promise<Map<string, { state: string; labels: Record<string, string>; annotations: Record<string, string> }>> => {
    const alerts = await prometheus.alerts();
    return new Map(alerts.filter((a) => a.labels.ensemble === ENSEMBLE).map((a) => [a.labels.alertname!, a]));
  };
  const scalar = async (expr: string): Promise<number | undefined> => {
    const [first] = await prometheus.query(expr);
    return first === undefined ? undefined : Number(first.value[1]);
  };

  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    agent = await startAgent(['--ensemble', `${ENSEMBLE}=${ensemble.connectString}`, '--interval', '1s', '--timeout', '500ms', '--log-level', 'warn']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-alerts-live-'));
    const rules = path.join(dir, 'zookeeper-ensemble-exporter.rules.yml');
    // Same generator, same selector (the harness scrapes as job zookeeper-ensemble-exporter); only the timing differs.
    fs.writeFileSync(rules, renderRules(resolveConfig({ for: forAll(FOR), agentInterval: '1s' })));
    prometheus = await PrometheusProcess.start({ targets: [new URL(agent.url).host], ruleFiles: [rules], intervalSeconds: 1 });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await agent?.stop();
    await ensemble?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    console.info(`alerts-live timings (ms): ${JSON.stringify(timings)}`);
  });

  it('healthy: the rules see 3 serving voters and no quorum alert is pending or firing', async () => {
    const { elapsedMs } = await waitFor('Prometheus to record 3 serving voters of 3', async () => {
      const serving = await scalar(`ensemble:zookeeper_voters_serving:sum{ensemble="${ENSEMBLE}"}`);
      const configured = await scalar(`ensemble:zookeeper_voters_configured:count{ensemble="${ENSEMBLE}"}`);
      const healthy = await scalar(`zookeeper_ensemble_quorum_state{ensemble="${ENSEMBLE}",state="healthy"}`);
      return serving === 3 && configured === 3 && healthy === 1 ? true : undefined;
    }, 20_000, 250);
    timings['start→rules see healthy'] = elapsedMs;
    // Several evaluations past `for`: anything that would fire on a healthy ensemble has had its chance.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const alerts = await active();
    expect(QUORUM_ALERTS.filter((name) => alerts.has(name)), JSON.stringify([...alerts.values()])).toEqual([]);
    const targets = await prometheus.targets();
    expect(targets.map((t) => t.health)).toEqual(['up']);
  });

  it('two of three nodes killed: ZookeeperQuorumLost and ZookeeperQuorumLostPerNode fire', async () => {
    const killedAt = Date.now();
    await Promise.all([ensemble.nodes[0]!.kill(), ensemble.nodes[1]!.kill()]);
    const { value: alerts } = await waitFor(
      'both quorum-lost alerts firing',
      async () => {
        const alerts = await active();
        for (const name of LOST) {
          const state = alerts.get(name)?.state;
          if (state !== undefined) timings[`kill→${name} ${state}`] ??= Date.now() - killedAt;
        }
        return LOST.every((name) => alerts.get(name)?.state === 'firing') ? alerts : undefined;
      },
      30_000,
      250,
    );
    const lost = alerts.get('ZookeeperQuorumLost')!;
    const perNode = alerts.get('ZookeeperQuorumLostPerNode')!;
    expect(lost.labels).toMatchObject({ severity: 'critical', ensemble: ENSEMBLE, job: 'zookeeper-ensemble-exporter' });
    expect(perNode.labels).toMatchObject({ severity: 'critical', ensemble: ENSEMBLE, job: 'zookeeper-ensemble-exporter' });
    // Both name the nodes that do not serve: the two killed ones at least (the survivor answers "not serving").
    for (const alert of [lost, perNode]) {
      for (const node of ensemble.nodes.slice(0, 2)) expect(alert.annotations.description).toContain(node.address);
      expect(alert.annotations.description).toContain(`Ensemble ${ENSEMBLE}`);
    }
    expect(lost.annotations.runbook_url).toBe('docs/runbooks.md#zookeeperquorumlost');
    expect(perNode.annotations.description).toContain('of 3 configured voters');
  });

  it('nodes restarted: both resolve', async () => {
    const restartedAt = Date.now();
    ensemble.nodes[0]!.start();
    ensemble.nodes[1]!.start();
    await ensemble.waitServing();
    timings['restart→serving'] = Date.now() - restartedAt;
    await waitFor(
      'both quorum-lost alerts resolved',
      async () => {
        const alerts = await active();
        for (const name of LOST) if (!alerts.has(name)) timings[`restart→${name} resolved`] ??= Date.now() - restartedAt;
        return LOST.some((name) => alerts.has(name)) ? undefined : true;
      },
      30_000,
      250,
    );
    expect(await scalar(`ensemble:zookeeper_voters_serving:sum{ensemble="${ENSEMBLE}"}`)).toBe(3);
    // Nodes rejoin one by one (a moment at risk is possible): the ensemble then settles with no quorum alert.
    await waitFor(
      'no quorum alert at all',
      async () => {
        const alerts = await active();
        return QUORUM_ALERTS.some((name) => alerts.has(name)) ? undefined : true;
      },
      15_000,
      250,
    );
  });
});
