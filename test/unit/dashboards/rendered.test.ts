/**
 * The committed dashboard JSON is exactly what dashboards/src renders, and every query in it follows
 * the rules the dashboards promise: filtered by job and ensemble (and server on per-node series),
 * no hard-coded rate windows, one datasource variable, stable uids, valid PromQL.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import {
  DASHBOARDS,
  NEEDS_FAULT,
  NODE_UID,
  OVERVIEW_UID,
  expandVariables,
  panelsOf,
  queriesOf,
  render,
  type ClassicDashboard,
} from '../../../dashboards/src/index.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

const rendered = DASHBOARDS.map(({ file, build }) => ({ file, dashboard: build() }));
const committed = DASHBOARDS.map(({ file }) => ({
  file,
  dashboard: JSON.parse(fs.readFileSync(path.join(root, 'dashboards', file), 'utf8')) as ClassicDashboard,
}));
const byUid = (uid: string) => committed.find((c) => c.dashboard.uid === uid)!.dashboard;
const allQueries = committed.flatMap(({ file, dashboard }) => queriesOf(dashboard).map((q) => ({ ...q, file })));
const promQueries = allQueries.filter((q) => q.kind !== 'variable');

/** Series carrying a `server` label: every selector on them must honour `$server`. */
const PER_NODE =
  /^(zookeeper_up|zookeeper_server_\w+|zookeeper_wchs_\w+|zookeeper_mntr_\w+|zookeeper_exporter_command_result|zookeeper_exporter_poll_\w+|zookeeper_ensemble_leader|zookeeper_ensemble_follower_lag_\w+)$/;
/**
 * Series without an `ensemble` label: the agent's round metrics (a round covers every ensemble) and its
 * failover-hook metrics (a hook serves every ensemble the agent watches), except
 * zookeeper_hook_maintenance_active, which is per ensemble. A `$ensemble` matcher on them would match
 * nothing, so their queries keep the agents polling a selected ensemble with {@link AGENTS_OF_ENSEMBLE}.
 */
const AGENT_WIDE = /^(zookeeper_exporter_(round_duration_seconds_\w+|rounds_\w+)|zookeeper_hook_(?!maintenance_active$)\w+)$/;
/** How a query on agent-wide series narrows them to the agents that poll a selected ensemble. */
const AGENTS_OF_ENSEMBLE =
  'and on (job, instance) group by (job, instance) (zookeeper_ensemble_voters{job=~"$job", ensemble=~"$ensemble"})';

/** `metric{matchers}` selectors of an expression. */
function selectors(expr: string): Array<{ metric: string; matchers: string }> {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)].map((m) => ({ metric: m[1]!, matchers: m[2]! }));
}

describe('rendered dashboards', () => {
  it.each(DASHBOARDS.map((d) => d.file))('%s is committed exactly as dashboards/src renders it (else run `npm run dashboards`)', (file) => {
    const onDisk = fs.readFileSync(path.join(root, 'dashboards', file), 'utf8');
    const fresh = render(rendered.find((r) => r.file === file)!.dashboard);
    expect(onDisk, `dashboards/${file} is stale: run \`npm run dashboards\` and commit the result`).toBe(fresh);
  });

  it('render is stable: keys sorted at every level, two-space indent, trailing newline', () => {
    const text = render(rendered[0]!.dashboard);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const unsorted: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        if (keys.join('\u0000') !== [...keys].sort().join('\u0000')) unsorted.push(at);
        for (const k of keys) walk((v as Record<string, unknown>)[k], `${at}.${k}`);
      }
    };
    walk(JSON.parse(text), '$');
    expect(unsorted).toEqual([]);
  });

  it('keeps stable uids and titles', () => {
    expect(committed.map((c) => [c.file, c.dashboard.uid, c.dashboard.title])).toEqual([
      ['zookeeper-ensemble-overview.json', OVERVIEW_UID, 'ZooKeeper ensemble overview'],
      ['zookeeper-node.json', NODE_UID, 'ZooKeeper node'],
    ]);
    expect([OVERVIEW_UID, NODE_UID]).toEqual(['zk-ensemble-overview', 'zk-ensemble-node']);
  });

  it.each(committed.map((c) => [c.file, c.dashboard] as const))(
    '%s: every panel has a title, the ${datasource} datasource, a unique id, and queries',
    (_file, dashboard) => {
      const panels = panelsOf(dashboard);
      expect(panels.length).toBeGreaterThan(10);
      for (const panel of panels) {
        expect(panel.title, `panel ${panel.id}`).toMatch(/\S/);
        expect(panel.datasource, `panel "${panel.title}"`).toEqual(DATASOURCE);
        if (panel.type !== 'row') {
          expect((panel as Panel).targets?.length, `panel "${panel.title}" has no query`).toBeGreaterThan(0);
          expect((panel as Panel).description, `panel "${panel.title}" has no description`).toMatch(/\S/);
        }
      }
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    },
  );

  it('every panel query and annotation names the ${datasource} datasource and is filtered by job and ensemble', () => {
    expect(promQueries.length).toBeGreaterThan(60);
    for (const q of promQueries) {
      const at = `${q.file} ${q.where}: ${q.expr}`;
      expect(q.datasource, at).toEqual(DATASOURCE);
      expect(q.expr, at).toContain('job=~"$job"');
      expect(q.expr, at).toContain('ensemble=~"$ensemble"');
    }
  });

  it('every selector matches $job, $ensemble where the series has it, and $server on per-node series', () => {
    const problems: string[] = [];
    for (const q of promQueries) {
      const found = selectors(q.expr);
      if (found.length === 0) problems.push(`${q.where}: no selector`);
      for (const { metric, matchers } of found) {
        const at = `${q.file} ${q.where}: ${metric}{${matchers}}`;
        if (!matchers.includes('job=~"$job"')) problems.push(`${at}: no $job`);
        if (!AGENT_WIDE.test(metric) && !matchers.includes('ensemble=~"$ensemble"')) problems.push(`${at}: no $ensemble`);
        if (PER_NODE.test(metric) && !matchers.includes('server=~"$server"')) problems.push(`${at}: no $server`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('queries on series without `ensemble` keep the agents that poll a selected ensemble', () => {
    const agentWide = promQueries.filter((q) => selectors(q.expr).some(({ metric }) => AGENT_WIDE.test(metric)));
    expect(agentWide.length).toBeGreaterThanOrEqual(8);
    for (const q of agentWide) expect(q.expr, `${q.file} ${q.where}`).toContain(`\n${AGENTS_OF_ENSEMBLE}`);
    expect(AGENT_WIDE.test('zookeeper_hook_deliveries_total')).toBe(true);
    expect(AGENT_WIDE.test('zookeeper_hook_maintenance_active')).toBe(false);
  });

  it('shows the failover hooks in a collapsed overview row: deliveries, queues, pending age, dead letters, maintenance', () => {
    const rows = (byUid(OVERVIEW_UID).panels ?? []).filter((p): p is RowPanel => p.type === 'row');
    const hooks = rows.find((r) => r.title === 'Failover hooks');
    expect(hooks, 'no "Failover hooks" row').toBeDefined();
    expect(hooks!.collapsed).toBe(true);
    expect(rows.at(-1)).toBe(hooks);
    const exprs = (hooks!.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => (t as { expr?: string }).expr ?? ''));
    for (const metric of [
      'zookeeper_hook_deliveries_total',
      'zookeeper_hook_queue_depth',
      'zookeeper_hook_in_flight',
      'zookeeper_hook_oldest_pending_age_seconds',
      'zookeeper_hook_dead_letters_total',
      'zookeeper_hook_maintenance_active',
    ]) {
      expect(
        exprs.some((e) => e.includes(`${metric}{`)),
        metric,
      ).toBe(true);
    }
    // With hooks configured every hook series exists from the agent's start (counters at 0): none is fault-only.
    for (const expr of exprs) expect(NEEDS_FAULT.has(expr), expr).toBe(false);
  });

  it('rates use $__rate_interval and no window is hard-coded', () => {
    const problems: string[] = [];
    for (const q of promQueries) {
      for (const m of q.expr.matchAll(/\[([^\]]*)\]/g)) {
        if (m[1] !== '$__rate_interval' && m[1] !== '$__range') problems.push(`${q.where}: window [${m[1]}]`);
      }
      for (const m of q.expr.matchAll(/\b(i?rate)\([^[]*\[([^\]]*)\]/g)) {
        if (m[2] !== '$__rate_interval') problems.push(`${q.where}: ${m[1]} over [${m[2]}]`);
      }
    }
    expect(problems).toEqual([]);
    expect(promQueries.some((q) => q.expr.includes('rate(') && q.expr.includes('[$__rate_interval]'))).toBe(true);
  });

  it('has the datasource, job, ensemble and server variables, each narrowing the next', () => {
    for (const { dashboard } of committed) {
      const vars = dashboard.templating?.list ?? [];
      expect(vars.map((v) => v.name)).toEqual(['datasource', 'job', 'ensemble', 'server']);
      expect(vars[0]).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const v of vars.slice(1))
        expect(v).toMatchObject({ type: 'query', datasource: DATASOURCE, multi: true, includeAll: true, allValue: '.*' });
      expect(vars[1]!.query).toBe('label_values(zookeeper_up, job)');
      expect(vars[2]!.query).toBe('label_values(zookeeper_up{job=~"$job"}, ensemble)');
      expect(vars[3]!.query).toBe('label_values(zookeeper_up{job=~"$job", ensemble=~"$ensemble"}, server)');
    }
  });

  it('selects every job by default, so panels show data whatever the scrape job is called', () => {
    for (const { dashboard } of committed) {
      const job = (dashboard.templating?.list ?? []).find((v) => v.name === 'job')!;
      // "All" stands for allValue `.*` in every `job=~"$job"` matcher: no job name needs choosing.
      expect(job.current).toEqual({ selected: true, text: ['All'], value: ['$__all'] });
      expect(job.allValue).toBe('.*');
    }
  });

  it('links the overview to the node dashboard (header and per-server links) and back', () => {
    const overview = JSON.stringify(byUid(OVERVIEW_UID));
    expect(byUid(OVERVIEW_UID).links?.map((l) => l.url)).toEqual([`/d/${NODE_UID}/zookeeper-node`]);
    expect(byUid(OVERVIEW_UID).links?.[0]).toMatchObject({ includeVars: true, keepTime: true });
    expect(overview).toContain(
      `/d/${NODE_UID}/zookeeper-node?\${datasource:queryparam}&\${job:queryparam}&\${ensemble:queryparam}&var-server=\${__value.raw}`,
    );
    expect(overview).toContain('var-server=${__field.labels.server}');
    expect(byUid(NODE_UID).links?.map((l) => l.url)).toEqual([`/d/${OVERVIEW_UID}/zookeeper-ensemble-overview`]);
    for (const { dashboard } of committed) {
      expect(dashboard.links?.every((l) => !('placement' in l))).toBe(true);
    }
  });

  it('marks fault-only queries that exist, and says so on their panels', () => {
    const exprs = new Set(promQueries.map((q) => q.expr));
    for (const expr of NEEDS_FAULT.keys()) expect(exprs.has(expr), expr).toBe(true);
    expect(NEEDS_FAULT.size).toBeGreaterThanOrEqual(6);
    for (const { dashboard } of committed) {
      for (const panel of panelsOf(dashboard).filter((p): p is Panel => p.type !== 'row')) {
        const faultOnly = (panel.targets ?? []).some((t) => NEEDS_FAULT.has((t as { expr?: string }).expr ?? ''));
        if (faultOnly) expect(panel.description, panel.title).toMatch(/Empty until/);
      }
    }
  });

  it.skipIf(!fs.existsSync('/usr/bin/promtool'))('every query is valid PromQL (promtool check rules)', () => {
    const values = {
      job: 'zookeeper-ensemble-exporter',
      ensemble: 'local',
      server: '127\\\\.0\\\\.0\\\\.1:2181',
      __rate_interval: '1m',
      __range: '5m',
      __interval: '15s',
    };
    const rules = promQueries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: expandVariables(q.expr, values) }));
    for (const r of rules) expect(r.expr, r.expr).not.toMatch(/\$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboards-'));
    try {
      const file = path.join(dir, 'rules.yml');
      // JSON is valid YAML.
      fs.writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboards', rules }] }));
      const check = spawnSync('/usr/bin/promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(check.stdout + check.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(check.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
