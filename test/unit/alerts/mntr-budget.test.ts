/**
 * The default mntr series set (`mntrSeries` unset) must keep every `zookeeper_mntr_*` series that the
 * shipped alerts, recording rules and dashboards query, and stay within its budget of 120 data series
 * per node on a real 3.8 leader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ALL_MNTR_SERIES, DEFAULT_MNTR_SELECTION, selectPlan, mntrSelectionOf } from '../../../src/commands/mntr-budget.js';
import { mntrLayout } from '../../../src/commands/mntr-layout.js';
import { parseMntr } from '../../../src/parse/index.js';
import { fixture, SERVING_ROLES_380 } from '../parse/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RULES = path.join(ROOT, 'alerts', 'zookeeper-ensemble-exporter.rules.yml');
const DASHBOARDS = path.join(ROOT, 'dashboards');

/** The per-node data-series budget of the default set. */
const BUDGET = 120;

/** Every string anywhere in a parsed YAML/JSON document (expressions, templating queries, annotation queries). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The `zookeeper_mntr_*` sample names the shipped rules and dashboards query. */
function queriedNames(): string[] {
  const documents: unknown[] = [parse(fs.readFileSync(RULES, 'utf8'))];
  for (const file of fs.readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'))) {
    documents.push(JSON.parse(fs.readFileSync(path.join(DASHBOARDS, file), 'utf8')));
  }
  const names = new Set<string>();
  for (const text of documents.flatMap(strings)) for (const match of text.matchAll(/zookeeper_mntr_[a-z0-9_]+/g)) names.add(match[0]);
  return [...names].sort();
}

/** The mntr plan of a captured 3.8.0 role under a selection. */
function planOf(role: string, selection = DEFAULT_MNTR_SELECTION) {
  return selectPlan(mntrLayout(parseMntr(fixture(`zookeeper-3.8.0/${role}/mntr.txt`)).entries).plan, selection);
}

describe('default mntr series set', () => {
  const queried = queriedNames();

  it('finds the mntr names the rules and dashboards query', () => {
    // A guard against an extraction that silently finds nothing.
    expect(queried).toContain('zookeeper_mntr_fsynctime_sum');
    expect(queried).toContain('zookeeper_mntr_watch_count');
    expect(queried.length).toBeGreaterThan(10);
  });

  it('exports every queried series on some 3.8 node (summaries by their _sum/_count/quantile samples)', () => {
    // Sample names: a summary family X is queried as X_sum, X_count or X{quantile}; leader-only keys exist on the leader only.
    const exported = new Set(SERVING_ROLES_380.flatMap((role) => planOf(role).map((item) => item.sample)));
    expect(queried.filter((name) => !exported.has(name))).toStrictEqual([]);
  });

  it(`stays within ${BUDGET} data series per node on the 3.8 leader and every other 3.8 role`, () => {
    for (const role of SERVING_ROLES_380) expect(planOf(role).length, role).toBeLessThanOrEqual(BUDGET);
    // The leader prints the most keys: the budget must leave room, yet most of the reply is still there.
    expect(planOf('leader').length).toBeGreaterThan(90);
  });

  it('is one setting away from full pass-through (`all`)', () => {
    const full = mntrLayout(parseMntr(fixture('zookeeper-3.8.0/leader/mntr.txt')).entries).plan;
    expect(planOf('leader', mntrSelectionOf({ preset: 'all' }))).toBe(full);
    expect(planOf('leader', ALL_MNTR_SERIES).length).toBeGreaterThan(500);
  });

  it('adds included families and removes excluded ones (exclude wins)', () => {
    const base = planOf('leader').map((item) => item.sample);
    expect(base).not.toContain('zookeeper_mntr_proposal_latency_count');
    const tuned = planOf(
      'leader',
      mntrSelectionOf({
        include: ['zookeeper_mntr_proposal_latency*'],
        exclude: ['zookeeper_mntr_watch_*', 'zookeeper_mntr_proposal_latency_min'],
      }),
    ).map((item) => item.sample);
    expect(tuned).toContain('zookeeper_mntr_proposal_latency_count');
    expect(tuned).toContain('zookeeper_mntr_proposal_latency_max');
    expect(tuned).not.toContain('zookeeper_mntr_proposal_latency_min');
    expect(tuned).not.toContain('zookeeper_mntr_watch_count');
    expect(tuned).not.toContain('zookeeper_mntr_watch_bytes');
    expect(tuned).toContain('zookeeper_mntr_znode_count');
  });
});
