/**
 * Every query of the rendered dashboards (panels, annotations, variables), run through the HTTP API
 * of a real Prometheus scraping a real agent that watches a real 3-voter ensemble. Variables are
 * filled in as Grafana would for one value each; `$server` is tried with every node, since some
 * series exist only on the leader or only on followers. Queries marked fault-only (NEEDS_FAULT) must
 * be empty while healthy and have series after the faults: kill the leader, wait for a new one, kill
 * that one too (quorum lost: an election the agent can see), restart the first, then the second.
 * The agent runs with one hook in dry-run (recorded, never sent; no state dir needed), since it exports
 * the failover-hook series only when hooks are configured: every hook counter, per hook and result,
 * starts at 0, so the hook panels have series from the start and none of them is fault-only.
 * What the queries return while healthy is recorded in beforeAll, before any fault, so the tests do
 * not depend on the order they run in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS, NEEDS_FAULT, expandVariables, promRegexEscape, queriesOf, type DashboardQuery } from '../../dashboards/src/index.js';
import { startAgent, type AgentProcess } from '../harness/agent-process.js';
import { closeClient, connectClient, watchPath, writeZnodes } from '../harness/client.js';
import { PrometheusProcess, prometheusInstalled } from '../harness/prometheus.js';
import { waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled, type ZkNode } from '../harness/zookeeper.js';

/** Job name of the scrape config: a common choice, not the project's name. */
const JOB = 'zookeeper';
/** `$job` as the dashboards default it: All, i.e. the allValue `.*`. No job name needs choosing. */
const ALL_JOBS = '.*';
/** A hook the agent never calls: with --dry-run it records each intent and sends nothing. */
const HOOK_FLAGS = ['--dry-run', '--hook-url', 'http://127.0.0.1:9/unused'];
/** What Grafana would put in for its built-in variables at a 1 s scrape interval. */
const BUILTINS = { __rate_interval: '1m', __range: '5m', __interval: '15s' };

/** One dashboard query, with the file it comes from. */
type Query = DashboardQuery & { file: string };

const queries: Query[] = DASHBOARDS.flatMap(({ file, build }) =>
  // Through JSON, as Grafana reads the file: only what the serialised dashboard holds counts.
  queriesOf(JSON.parse(JSON.stringify(build())) as ReturnType<typeof build>).map((q) => ({ ...q, file })),
);
const promQueries = queries.filter((q) => q.kind !== 'variable');
const faultOnly = promQueries.filter((q) => NEEDS_FAULT.has(q.expr));
const healthy = promQueries.filter((q) => !NEEDS_FAULT.has(q.expr));
// A poll can time out on a loaded machine without any injected fault: its error counter is not
// required to be empty before the fault, only present after it.
const POLL_ERRORS = 'zookeeper_exporter_poll_errors_total';

let ensemble: ZkEnsemble;
let agent: AgentProcess;
let prom: PrometheusProcess;
let startedAt: number;
/** What the queries returned while healthy, before any fault (see beforeAll). */
let whileHealthy: { empty: string[]; nanOnly: string[]; faultOnlyWithData: string[] };

interface Sample {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

async function api<T>(pathname: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${prom.url}${pathname}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; error?: string; data: T };
  if (body.status !== 'success') throw new Error(`${pathname} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
  return body.data;
}

/** The query with variables filled in for `server` (regex-escaped, as Grafana does for `=~`). */
function expand(q: Query, server: string): string {
  return expandVariables(q.expr, { job: ALL_JOBS, ensemble: 'local', server: promRegexEscape(server), ...BUILTINS });
}

/** Series the query returns as Grafana would run it: instant at now, otherwise over the test so far. */
async function run(q: Query, server: string): Promise<Sample[]> {
  const expr = expand(q, server);
  if (q.kind === 'instant') return (await api<{ result: Sample[] }>('/api/v1/query', { query: expr })).result;
  const now = Date.now() / 1000;
  return (await api<{ result: Sample[] }>('/api/v1/query_range', { query: expr, start: String(startedAt), end: String(now), step: '1' }))
    .result;
}

/** Nodes for which the query returns at least one series (one run when it does not use `$server`). */
async function serversWithData(q: Query): Promise<string[]> {
  const servers = q.expr.includes('$server') ? ensemble.nodes.map((n) => n.address) : [ensemble.nodes[0]!.address];
  const found: string[] = [];
  for (const server of servers) if ((await run(q, server)).length > 0) found.push(server);
  return found;
}

/** `where` of every query in `list` whose series hold no finite sample (e.g. 0/0 while nothing happens). */
async function nanOnly(list: Query[]): Promise<string[]> {
  const out: string[] = [];
  for (const q of list) {
    const servers = q.expr.includes('$server') ? ensemble.nodes.map((n) => n.address) : [ensemble.nodes[0]!.address];
    const samples = (await Promise.all(servers.map((s) => run(q, s))))
      .flat()
      .flatMap((r) => (r.values ?? (r.value ? [r.value] : [])).map((v) => Number(v[1])));
    if (samples.length > 0 && !samples.some(Number.isFinite)) out.push(`${q.file} ${q.where}`);
  }
  return out;
}

/** `where: expr` of every query in `list` that returns no series for any node. */
async function empty(list: Query[]): Promise<string[]> {
  const out: string[] = [];
  for (const q of list) if ((await serversWithData(q)).length === 0) out.push(`${q.file} ${q.where}: ${q.expr}`);
  return out;
}

async function leader(): Promise<ZkNode> {
  return (await waitFor('a serving leader', () => ensemble.leader(), 30_000)).value;
}

describe.skipIf(!zookeeperInstalled() || !prometheusInstalled())('dashboards against a real ensemble, agent and Prometheus', () => {
  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    // The write canary runs so the canary panels have series, as on an ensemble that has one.
    agent = await startAgent([
      '--ensemble',
      `local=${ensemble.connectString}`,
      '--interval',
      '1s',
      '--timeout',
      '500ms',
      '--canary-path',
      '/zk-ensemble-exporter/canary',
      ...HOOK_FLAGS,
    ]);
    prom = await PrometheusProcess.start({ targets: [new URL(agent.url).host], intervalSeconds: 1, job: JOB });
    startedAt = Date.now() / 1000;
    // rate()/increase() need two samples in the window: wait for a few scrapes of every node.
    await waitFor('three scrapes of every node', async () => {
      const r = await prom.query(`count_over_time(zookeeper_up{job="${JOB}", ensemble="local"}[1m]) >= 3`);
      return r.length === ensemble.nodes.length ? r : undefined;
    });
    // Then traffic, so rates, latencies, fsyncs, sessions and watches have something to show.
    const client = await connectClient(ensemble.connectString);
    try {
      await writeZnodes(client, '/dashboards', 20);
      await watchPath(client, '/dashboards');
    } finally {
      await closeClient(client);
    }
    await waitFor('Prometheus to see the writes', async () => {
      const r = await prom.query(`sum(increase(zookeeper_mntr_fsynctime_count{job="${JOB}", ensemble="local"}[1m])) > 0`);
      return r.length > 0 ? r : undefined;
    });
    const faultOnlyWithData: string[] = [];
    for (const q of faultOnly) {
      if (q.expr.includes(POLL_ERRORS)) continue;
      if ((await serversWithData(q)).length > 0) faultOnlyWithData.push(`${q.file} ${q.where}`);
    }
    whileHealthy = { empty: await empty(healthy), nanOnly: await nanOnly(healthy), faultOnlyWithData };
  });

  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
    await ensemble?.stop();
  });

  it('extracts every query of both dashboards, and marks some as fault-only', () => {
    expect(promQueries.length).toBeGreaterThan(60);
    // The failover-hooks row (collapsed) is included, and none of its queries waits for a fault.
    const hookQueries = promQueries.filter((q) => q.expr.includes('zookeeper_hook_'));
    expect(hookQueries.length).toBeGreaterThanOrEqual(6);
    expect(hookQueries.filter((q) => NEEDS_FAULT.has(q.expr))).toEqual([]);
    expect(new Set(faultOnly.map((q) => q.expr))).toEqual(new Set(NEEDS_FAULT.keys()));
    expect(queries.filter((q) => q.kind === 'variable')).toHaveLength(6);
  });

  it('variable queries list the job, the ensemble and every server', async () => {
    const values = async (q: Query): Promise<string[]> => {
      const m = /^label_values\((.+), (\w+)\)$/.exec(q.expr);
      if (!m) throw new Error(`not label_values: ${q.expr}`);
      const match = expandVariables(m[1]!, { job: ALL_JOBS, ensemble: 'local' });
      const series = await api<Array<Record<string, string>>>('/api/v1/series', { 'match[]': match, start: String(startedAt) });
      return [...new Set(series.map((s) => s[m[2]!]!))].sort();
    };
    for (const q of queries.filter((x) => x.kind === 'variable')) {
      const got = await values(q);
      const name = q.where.replace('variable ', '');
      const want = { job: [JOB], ensemble: ['local'], server: ensemble.nodes.map((n) => n.address).sort() }[name];
      expect(got, `${q.file} ${q.where}`).toEqual(want);
    }
  });

  it('while healthy, every query not marked fault-only returns series, and the fault-only ones none', () => {
    expect(whileHealthy.empty).toEqual([]);
    // ZooKeeper's windowed election time is 0/0 until an election happens within the window.
    expect(whileHealthy.nanOnly).toEqual(['zookeeper-ensemble-overview.json panel "Election duration" D']);
    expect(whileHealthy.faultOnlyWithData).toEqual([]);
  });

  it('after the leader is killed, then its successor too, and both restarted, the fault-only queries return series too', async () => {
    const first = await leader();
    await first.kill();
    const second = (
      await waitFor(
        'a new leader',
        async () => {
          const l = await ensemble.leader();
          return l && l !== first ? l : undefined;
        },
        30_000,
      )
    ).value;
    await waitFor(
      'Prometheus to see the leader change',
      async () => {
        const r = await prom.query(`zookeeper_ensemble_leader_changes_total{job="${JOB}", ensemble="local"} >= 1`);
        return r.length > 0 ? r : undefined;
      },
      20_000,
    );
    // A killed leader is usually replaced well within one poll interval, so the agent sees a leader
    // change but no election. Killing the successor too leaves one voter without quorum: an election
    // the agent sees for as long as it lasts, ended by restarting the first leader.
    await second.kill();
    await waitFor(
      'Prometheus to see the election',
      async () => {
        const r = await prom.query(`zookeeper_ensemble_election_in_progress{job="${JOB}", ensemble="local"} == 1`);
        return r.length > 0 ? r : undefined;
      },
      20_000,
    );
    first.start();
    await leader();
    second.start();
    await ensemble.waitServing(30_000, ensemble.nodes);

    // Counters and the election histogram need a second sample after they move before rate() shows them.
    const { elapsedMs } = await waitFor(
      'every fault-only query to return series',
      async () => {
        const missing = await empty(faultOnly);
        return missing.length === 0 ? true : undefined;
      },
      30_000,
      1000,
    ).catch(async (err: unknown) => {
      throw new Error(`still empty:\n${(await empty(faultOnly)).join('\n')}`, { cause: err });
    });
    console.log(`${faultOnly.length} fault-only queries had series ${elapsedMs} ms after every node served again`);
    // The agent's election histogram appears at its first observation, which rate() cannot see: the
    // windowed p95 and mean stay 0/0 unless the agent also caught the first, fast election (a poll
    // landing in its sub-second leaderless gap). Everything else has real values.
    const windowed = [
      'zookeeper-ensemble-overview.json panel "Election duration" A',
      'zookeeper-ensemble-overview.json panel "Election duration" B',
    ];
    const nan = await nanOnly(faultOnly);
    console.log(`fault-only queries with no finite value yet: ${JSON.stringify(nan)}`);
    expect(nan.filter((w) => !windowed.includes(w))).toEqual([]);

    // The election the agent saw has a real duration.
    const mean = faultOnly.find((q) => q.expr.startsWith('max by (ensemble) (zookeeper_ensemble_election_duration_seconds_sum'))!;
    const [series] = await prom.query(expand(mean, first.address));
    expect(Number(series!.value[1])).toBeGreaterThan(0);
    expect(Number(series!.value[1])).toBeLessThan(60);

    // And nothing that had data while healthy lost it.
    await waitFor(
      'every query to have a series after the fault',
      async () => ((await empty(healthy)).length === 0 ? true : undefined),
      10_000,
      1000,
    ).catch(async (err: unknown) => {
      throw new Error(`lost their series:\n${(await empty(healthy)).join('\n')}`, { cause: err });
    });
  });
});
