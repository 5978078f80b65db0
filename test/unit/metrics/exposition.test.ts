/**
 * Golden exposition: the whole /metrics text for a fixed set of replies, compared byte for byte with
 * test/golden/metrics.prom, and the `--compat dabealu` families with test/golden/metrics-dabealu.prom.
 *
 * After an intended change to the exposition, rewrite both files and review the diff:
 *
 *   UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/metrics/exposition.test.ts
 *   git diff test/golden
 *
 * Input: ensemble `e` of four nodes polled once — 10.0.0.1 follower, 10.0.0.3 leader and 10.0.0.4
 * observer answer with the captured 3.8.0 replies (srvr, mntr, wchs, conf; the leader also the opt-in
 * stat, isro, envi and cons, with two client sessions open), 10.0.0.2 times out on
 * every command — plus the ensemble state deriveEnsemble makes of that round and fixed self-metrics.
 * Times and durations are fixed; the Node.js version in zookeeper_exporter_build_info is replaced by
 * `NODE_VERSION`. The goldens are also linted with `promtool check metrics`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import client from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import { AgentMetrics } from '../../../src/metrics/agent-metrics.js';
import { addDabealuFamilies } from '../../../src/metrics/compat-dabealu.js';
import { addEnsembleFamilies } from '../../../src/metrics/ensemble-families.js';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';
import { addNodeFamilies } from '../../../src/metrics/node-families.js';
import { NodeStore } from '../../../src/state/store.js';
import { capturedSample, ensembleConfig, failedSample, T0, withOptInWords } from './captured.js';

const GOLDEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden');
const GOLDEN = path.join(GOLDEN_DIR, 'metrics.prom');
const GOLDEN_DABEALU = path.join(GOLDEN_DIR, 'metrics-dabealu.prom');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** When the round ended (epoch ms). */
const ROUND_END = T0 + 80;

function fixedRound(): { store: NodeStore; agent: AgentMetrics } {
  const config = ensembleConfig('e', ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
  const samples = [
    capturedSample('follower', '10.0.0.1:2181'),
    failedSample('10.0.0.2:2181', 'timeout'),
    withOptInWords(capturedSample('leader', '10.0.0.3:2181'), 'leader'),
    capturedSample('observer', '10.0.0.4:2181'),
  ];
  const store = new NodeStore();
  store.record(samples, ROUND_END);
  const { state } = deriveEnsemble(undefined, config, samples, ROUND_END);
  // The same families, in the same order, as Agent's /metrics without --compat: the per-node ones
  // through the text cache, written once per record by the first scrape.
  const agent = new AgentMetrics((set) => addEnsembleFamilies(set, [state]), { nodes: () => store.all() });
  agent.roundsTotal.inc();
  agent.roundDuration.observe(0.08);
  agent.lastRoundTimestamp.set(ROUND_END / 1000);
  agent.electionDuration.observe({ ensemble: 'e' }, 2.5);
  return { store, agent };
}

/** Renders families through a fresh prom-client registry: the reference the agent's own renderer must match. */
async function renderWithPromClient(build: (set: FamilySet) => void): Promise<string> {
  const set = new FamilySet();
  build(set);
  const registry = new client.Registry();
  for (const family of set.all()) {
    if (family.values.length > 0) registry.registerMetric(family as unknown as client.Metric);
  }
  return registry.metrics();
}

const NODE_LABEL = `nodejs="${process.version}"`;

let exposition = '';
let dabealu = '';

beforeAll(async () => {
  const { store, agent } = fixedRound();
  const rendered = await agent.render();
  // Normalise the one value that depends on the machine; fail loudly if the label ever moves.
  expect(rendered.split(NODE_LABEL)).toHaveLength(2);
  exposition = rendered.replace(NODE_LABEL, 'nodejs="NODE_VERSION"');
  const compat = new FamilySet();
  addDabealuFamilies(compat, store.all());
  dabealu = renderFamilies(compat.all());
  // The agent writes scrape-time families itself (for speed): it must match prom-client's format.
  expect(dabealu).toBe(await renderWithPromClient((set) => addDabealuFamilies(set, store.all())));
  const nodes = new FamilySet();
  addNodeFamilies(nodes, store.all());
  expect(renderFamilies(nodes.all())).toBe(await renderWithPromClient((set) => addNodeFamilies(set, store.all())));
  if (UPDATE) {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(GOLDEN, exposition);
    fs.writeFileSync(GOLDEN_DABEALU, dabealu);
  }
});

/** `name{labels}` of every sample line. */
function sampleIds(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.slice(0, line.lastIndexOf(' ')));
}

describe('golden /metrics exposition', () => {
  it('matches test/golden/metrics.prom byte for byte', () => {
    expect(exposition).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('matches test/golden/metrics-dabealu.prom byte for byte (--compat dabealu families)', () => {
    expect(dabealu).toBe(fs.readFileSync(GOLDEN_DABEALU, 'utf8'));
  });

  it('holds the key lines', () => {
    const lines = fs.readFileSync(GOLDEN, 'utf8').split('\n');
    for (const line of [
      'zookeeper_exporter_build_info{version="0.1.0",nodejs="NODE_VERSION"} 1',
      'zookeeper_exporter_rounds_total 1',
      'zookeeper_ensemble_election_duration_seconds_count{ensemble="e"} 1',
      'zookeeper_up{ensemble="e",server="10.0.0.1:2181"} 1',
      'zookeeper_up{ensemble="e",server="10.0.0.2:2181"} 0',
      'zookeeper_up{ensemble="e",server="10.0.0.3:2181"} 1',
      'zookeeper_up{ensemble="e",server="10.0.0.4:2181"} 1',
      'zookeeper_server_role{ensemble="e",server="10.0.0.3:2181",role="leader"} 1',
      'zookeeper_server_info{ensemble="e",server="10.0.0.3:2181",server_id="3",version="3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC"} 1',
      'zookeeper_server_zxid_epoch{ensemble="e",server="10.0.0.3:2181"} 1',
      'zookeeper_server_zxid_txn{ensemble="e",server="10.0.0.3:2181"} 7',
      'zookeeper_exporter_command_result{ensemble="e",server="10.0.0.2:2181",command="srvr",reason="timeout"} 1',
      'zookeeper_exporter_command_result{ensemble="e",server="10.0.0.3:2181",command="mntr",reason="ok"} 1',
      'zookeeper_exporter_poll_errors_total{ensemble="e",server="10.0.0.2:2181",command="srvr",reason="timeout"} 1',
      'zookeeper_exporter_poll_duration_seconds{ensemble="e",server="10.0.0.2:2181",command="srvr"} 1',
      'zookeeper_exporter_poll_duration_seconds{ensemble="e",server="10.0.0.3:2181",command="mntr"} 0.005',
      'zookeeper_exporter_poll_last_success_timestamp_seconds{ensemble="e",server="10.0.0.3:2181",command="srvr"} 1700000000.08',
      '# TYPE zookeeper_mntr_write_commitproc_time_seconds summary',
      'zookeeper_mntr_write_commitproc_time_seconds_count{ensemble="e",server="10.0.0.3:2181"} 7',
      'zookeeper_mntr_write_commitproc_time_seconds_sum{ensemble="e",server="10.0.0.3:2181"} 0.037',
      'zookeeper_mntr_write_commitproc_time_seconds{ensemble="e",server="10.0.0.3:2181",quantile="0.5"} 0.005',
      'zookeeper_mntr_write_commitproc_time_seconds_avg{ensemble="e",server="10.0.0.3:2181"} 0.0052857',
      '# TYPE zookeeper_mntr_num_alive_connections untyped',
      'zookeeper_mntr_num_alive_connections{ensemble="e",server="10.0.0.3:2181"} 1',
      'zookeeper_ensemble_leader{ensemble="e",server="10.0.0.3:2181",server_id="3"} 1',
      'zookeeper_ensemble_leader{ensemble="e",server="10.0.0.2:2181",server_id=""} 0',
      'zookeeper_ensemble_voters{ensemble="e"} 3',
      'zookeeper_ensemble_voters_healthy{ensemble="e"} 2',
      'zookeeper_ensemble_quorum_margin{ensemble="e"} 0',
      'zookeeper_ensemble_quorum_state{ensemble="e",state="at_risk"} 1',
      'zookeeper_ensemble_quorum_state{ensemble="e",state="healthy"} 0',
      'zookeeper_ensemble_follower_lag_zxids{ensemble="e",server="10.0.0.1:2181"} 0',
    ]) {
      expect(lines, line).toContain(line);
    }
  });

  it('keeps no data series for the node that timed out: only up, role, poll health and ensemble view', () => {
    const down = sampleIds(fs.readFileSync(GOLDEN, 'utf8'))
      .filter((id) => id.includes('server="10.0.0.2:2181"'))
      .map((id) => id.slice(0, id.indexOf('{')));
    expect([...new Set(down)]).toStrictEqual([
      'zookeeper_up',
      'zookeeper_server_role',
      'zookeeper_exporter_command_result',
      'zookeeper_exporter_poll_duration_seconds',
      'zookeeper_exporter_poll_errors_total',
      'zookeeper_ensemble_leader',
    ]);
  });

  it('never repeats a series', () => {
    for (const text of [exposition, dabealu]) {
      const ids = sampleIds(text);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toStrictEqual([]);
    }
  });

  it('holds the key --compat dabealu lines', () => {
    const lines = fs.readFileSync(GOLDEN_DABEALU, 'utf8').split('\n');
    for (const line of [
      'zk_up{zk_host="10.0.0.3:2181"} 1',
      'zk_up{zk_host="10.0.0.2:2181"} 0',
      'zk_ruok{zk_host="10.0.0.2:2181"} 0',
      'zk_server_leader{zk_host="10.0.0.3:2181"} 1',
      'zk_server_leader{zk_host="10.0.0.1:2181"} 0',
      'zk_version{zk_host="10.0.0.3:2181",version="3.8.0"} 1',
      'zk_peer_state{zk_host="10.0.0.3:2181",state="leading"} 1',
      'zk_num_alive_connections{zk_host="10.0.0.3:2181"} 1',
      'zk_avg_write_commitproc_time_ms{zk_host="10.0.0.3:2181"} 5.2857',
    ]) {
      expect(lines, line).toContain(line);
    }
    expect(sampleIds(dabealu).filter((id) => id.includes('10.0.0.2:2181'))).toStrictEqual([
      'zk_up{zk_host="10.0.0.2:2181"}',
      'zk_ruok{zk_host="10.0.0.2:2181"}',
    ]);
  });
});

// promtool ships with Prometheus (Debian: `apt-get install prometheus`); it is installed in CI.
const PROMTOOL_MISSING = spawnSync('promtool', ['--version']).error !== undefined;
const MISSING_NOTE = 'promtool not found on PATH: install Prometheus (Debian: apt-get install prometheus) to lint the golden exposition';

function promtoolCheck(file: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: fs.readFileSync(file, 'utf8'), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('promtool check metrics', () => {
  it('accepts test/golden/metrics.prom without a single lint message', (ctx) => {
    if (PROMTOOL_MISSING) ctx.skip(MISSING_NOTE);
    // On failure the diff shows promtool's own messages.
    expect(promtoolCheck(GOLDEN)).toStrictEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('parses test/golden/metrics-dabealu.prom; its only lint messages are dabealu’s own _ms names', (ctx) => {
    if (PROMTOOL_MISSING) ctx.skip(MISSING_NOTE);
    const { status, stdout, stderr } = promtoolCheck(GOLDEN_DABEALU);
    const families = [...fs.readFileSync(GOLDEN_DABEALU, 'utf8').matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    const withMs = families.filter((name) => /_ms(_|$)/.test(name));
    expect(withMs.length).toBeGreaterThan(100);
    // Exit 3 is promtool's "lint problems only"; a parse error would be 1.
    expect({
      status,
      stdout,
      lines: stderr
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
    }).toStrictEqual({
      status: 3,
      stdout: '',
      lines: withMs.map((name) => `${name} metric names should not contain abbreviated units`).sort(),
    });
  });
});
