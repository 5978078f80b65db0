/**
 * The shipped alert rules against the real thing: a 3-node ensemble, the agent polling it every
 * second, and Prometheus scraping the agent under the job name `zookeeper` (a common choice, not the
 * project's name) and evaluating alerts/zookeeper-ensemble-exporter.rules.yml exactly as committed:
 * same file, same `for`s, same selectors. Two nodes killed: ZookeeperQuorumLost fires within its
 * shipped `for` (30s) and the independent per-node ZookeeperQuorumLostPerNode is at least pending;
 * the nodes restarted: both resolve.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFAULT_RUNBOOK_URL, RULES_FILE, durationSeconds } from '../../alerts/rules.js';
import { startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { PrometheusProcess, prometheusInstalled } from '../harness/prometheus.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENSEMBLE = 'live';
/** Not the project's name: the shipped rules must not depend on what the scrape job is called. */
const JOB = 'zookeeper';
/** Alerts about the ensemble's quorum: none may be pending or firing while it is healthy. */
const QUORUM_ALERTS = [
  'ZookeeperQuorumLost',
  'ZookeeperQuorumLostPerNode',
  'ZookeeperQuorumAtRisk',
  'ZookeeperNoLeader',
  'ZookeeperSplitBrain',
];
const LOST = ['ZookeeperQuorumLost', 'ZookeeperQuorumLostPerNode'];
/** The shipped `for` of ZookeeperQuorumLost, in ms. */
const QUORUM_LOST_FOR_MS = durationSeconds(DEFAULT_CONFIG.for.ZookeeperQuorumLost) * 1000;

interface ActiveAlert {
  state: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

describe.skipIf(!zookeeperInstalled() || !prometheusInstalled())(
  'shipped alert rules on a live ensemble, scraped as job "zookeeper"',
  () => {
    let ensemble: ZkEnsemble;
    let agent: AgentProcess;
    let prometheus: PrometheusProcess;
    const timings: Record<string, number> = {};

    /** Alerts of this ensemble in Prometheus, by name → state (`pending` or `firing`). */
    const active = async (): Promise<Map<string, ActiveAlert>> => {
      const alerts = await prometheus.alerts();
      return new Map(alerts.filter((a) => a.labels.ensemble === ENSEMBLE).map((a) => [a.labels.alertname!, a]));
    };
    const scalar = async (expr: string): Promise<number | undefined> => {
      const [first] = await prometheus.query(expr);
      return first === undefined ? undefined : Number(first.value[1]);
    };
    /** Latest evaluation time (ms) of the rule group holding the quorum alerts. */
    const quorumGroupEvaluatedAt = async (): Promise<number | undefined> => {
      const res = await fetch(`${prometheus.url}/api/v1/rules`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { data: { groups: Array<{ name: string; lastEvaluation: string }> } };
      const group = body.data.groups.find((g) => g.name === 'zookeeper-ensemble-exporter.quorum');
      return group === undefined ? undefined : Date.parse(group.lastEvaluation);
    };

    beforeAll(async () => {
      ensemble = await ZkEnsemble.start({ voters: 3 });
      await ensemble.waitServing();
      agent = await startAgent([
        '--ensemble',
        `${ENSEMBLE}=${ensemble.connectString}`,
        '--interval',
        '1s',
        '--timeout',
        '500ms',
        '--log-level',
        'warn',
      ]);
      // The committed file itself, not a re-rendering: what an operator copies is what is tested.
      prometheus = await PrometheusProcess.start({
        targets: [new URL(agent.url).host],
        ruleFiles: [path.join(root, RULES_FILE)],
        intervalSeconds: 1,
        job: JOB,
      });
    });

    afterAll(async () => {
      await prometheus?.stop();
      await agent?.stop();
      await ensemble?.stop();
      console.info(`alerts-live timings (ms): ${JSON.stringify(timings)}`);
    });

    it('loads the shipped rules with their shipped `for`s', async () => {
      const res = await fetch(`${prometheus.url}/api/v1/rules?type=alert`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { data: { groups: Array<{ rules: Array<{ name: string; duration: number }> }> } };
      const rules = body.data.groups.flatMap((g) => g.rules);
      expect(rules.find((r) => r.name === 'ZookeeperQuorumLost')?.duration).toBe(QUORUM_LOST_FOR_MS / 1000);
      expect(rules).toHaveLength(Object.keys(DEFAULT_CONFIG.for).length);
    });

    it('healthy: the rules see 3 serving voters under job "zookeeper" and no quorum alert is pending or firing', async () => {
      const { elapsedMs } = await waitFor(
        'Prometheus to record 3 serving voters of 3',
        async () => {
          const serving = await scalar(`ensemble:zookeeper_voters_serving:sum{job="${JOB}",ensemble="${ENSEMBLE}"}`);
          const configured = await scalar(`ensemble:zookeeper_voters_configured:count{job="${JOB}",ensemble="${ENSEMBLE}"}`);
          const healthy = await scalar(`zookeeper_ensemble_quorum_state{job="${JOB}",ensemble="${ENSEMBLE}",state="healthy"}`);
          return serving === 3 && configured === 3 && healthy === 1 ? true : undefined;
        },
        20_000,
        250,
      );
      timings['start→rules see healthy'] = elapsedMs;
      // Negative check over a bounded window: 5 rule evaluations (1 s apart) after the healthy state was
      // recorded. An alert whose condition held would be listed as pending from its first evaluation on
      // (the shipped `for`s are far longer than the window, so "pending" is what to look for).
      const from = Date.now();
      const seen = new Set<string>();
      await waitFor(
        'five evaluations of the quorum rules',
        async () => {
          for (const name of (await active()).keys()) if (QUORUM_ALERTS.includes(name)) seen.add(name);
          const at = await quorumGroupEvaluatedAt();
          return at !== undefined && at >= from + 5_000 ? true : undefined;
        },
        15_000,
        250,
      );
      expect([...seen]).toEqual([]);
      const targets = await prometheus.targets();
      expect(targets.map((t) => t.health)).toEqual(['up']);
    });

    it('two of three nodes killed: ZookeeperQuorumLost fires within its shipped `for`; ZookeeperQuorumLostPerNode is raised too', async () => {
      const killedAt = Date.now();
      await Promise.all([ensemble.nodes[0]!.kill(), ensemble.nodes[1]!.kill()]);
      // Bound: the shipped `for` plus a few seconds of polling, scraping and evaluating (1 s each).
      const { value: alerts } = await waitFor(
        'ZookeeperQuorumLost firing and ZookeeperQuorumLostPerNode raised',
        async () => {
          const alerts = await active();
          for (const name of LOST) {
            const state = alerts.get(name)?.state;
            if (state !== undefined) timings[`kill→${name} ${state}`] ??= Date.now() - killedAt;
          }
          return alerts.get('ZookeeperQuorumLost')?.state === 'firing' && alerts.has('ZookeeperQuorumLostPerNode') ? alerts : undefined;
        },
        QUORUM_LOST_FOR_MS + 15_000,
        250,
      );
      // Not before its `for`: the alert really waited.
      expect(timings['kill→ZookeeperQuorumLost firing']).toBeGreaterThanOrEqual(QUORUM_LOST_FOR_MS);
      const lost = alerts.get('ZookeeperQuorumLost')!;
      const perNode = alerts.get('ZookeeperQuorumLostPerNode')!;
      expect(lost.labels).toMatchObject({ severity: 'critical', ensemble: ENSEMBLE, job: JOB });
      expect(perNode.labels).toMatchObject({ severity: 'critical', ensemble: ENSEMBLE, job: JOB });
      // Both name the nodes that do not serve (the templates look series up with the alert's own job).
      for (const alert of [lost, perNode]) {
        for (const node of ensemble.nodes.slice(0, 2)) expect(alert.annotations.description).toContain(node.address);
        expect(alert.annotations.description).toContain(`Ensemble ${ENSEMBLE}`);
      }
      expect(lost.annotations.description).toContain('a majority is 2');
      expect(perNode.annotations.description).toContain('of 3 configured voters');
      // Absolute: the link opens from a pager.
      expect(lost.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_URL}#zookeeperquorumlost`);
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
      // The alerts resolve once a majority serves again; the third voter reaches the recording rule
      // one agent poll, one scrape and one rule evaluation after it serves.
      await waitFor(
        'all three voters serving in the recording rule',
        async () => ((await scalar(`ensemble:zookeeper_voters_serving:sum{job="${JOB}",ensemble="${ENSEMBLE}"}`)) === 3 ? true : undefined),
        15_000,
        250,
      );
    });
  },
);
