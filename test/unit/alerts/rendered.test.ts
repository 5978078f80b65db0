/** The committed rule file is what alerts/rules.ts renders; every alert is complete and has a runbook section. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  ALERT_NAMES,
  ALERT_SCOPE,
  DEFAULT_CONFIG,
  DEFAULT_RUNBOOK_URL,
  RECORDING_RULES,
  RULES_FILE,
  alertTable,
  durationSeconds,
  forAll,
  isAlerting,
  renderRules,
  resolveConfig,
  ruleGroups,
  withAlertTable,
  type AlertingRule,
} from '../../../alerts/rules.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const runbooks = readFileSync(`${root}docs/runbooks.md`, 'utf8');
const alerts = ruleGroups(DEFAULT_CONFIG).flatMap((g) => g.rules.filter(isAlerting));

/** GitHub's anchor for a Markdown heading: lower-cased, spaces to `-`, punctuation dropped. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** `## Heading` → body, for every level-2 section of docs/runbooks.md. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    out.set(anchor(part.slice(0, newline)), part.slice(newline + 1));
  }
  return out;
}

describe('rendered rule file', () => {
  it('is what `npm run alerts` renders from alerts/rules.ts', () => {
    const committed = readFileSync(`${root}${RULES_FILE}`, 'utf8');
    const rendered = renderRules(DEFAULT_CONFIG);
    if (committed !== rendered) {
      // Two 30 kB strings side by side help nobody: say where they part.
      const [was, now] = [committed.split('\n'), rendered.split('\n')];
      let line = now.findIndex((text, i) => text !== was[i]);
      if (line === -1) line = now.length;
      expect.fail(
        `${RULES_FILE} is stale: run npm run alerts (first difference at line ${line + 1}: ` +
          `committed ${JSON.stringify(was[line])}, rendered ${JSON.stringify(now[line])})`,
      );
    }
  });

  it('alerts/README.md holds the current alert table', () => {
    const readme = readFileSync(`${root}alerts/README.md`, 'utf8');
    expect(readme, 'alerts/README.md is stale: run npm run alerts').toBe(withAlertTable(readme));
    expect(readme).toContain(alertTable());
  });

  it('parses back to the same groups', () => {
    expect(YAML.parse(renderRules())).toEqual({ groups: ruleGroups(DEFAULT_CONFIG) });
  });

  it('holds every alert once, in ALERT_NAMES order, and the documented recording rules', () => {
    expect(alerts.map((a) => a.alert)).toEqual([...ALERT_NAMES]);
    const records = ruleGroups().flatMap((g) => g.rules.filter((r) => !isAlerting(r)).map((r) => ('record' in r ? r.record : '')));
    expect(records.sort()).toEqual(Object.values(RECORDING_RULES).sort());
    for (const name of records) expect(name).toMatch(/^[a-z_]+:zookeeper_[a-z0-9_]+:[a-z0-9_]+$/);
  });
});

describe.each(alerts.map((a) => [a.alert, a] as const))('%s', (name, rule: AlertingRule) => {
  it('is named Zookeeper…, has a severity, a non-zero `for`, a summary and a runbook link', () => {
    expect(name).toMatch(/^Zookeeper[A-Z][A-Za-z]+$/);
    expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
    expect(durationSeconds(rule.for)).toBeGreaterThan(0);
    expect(rule.annotations.summary).toMatch(/^\S.*[^.]$/);
    // Absolute, so it opens from a pager or a chat message.
    expect(rule.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_URL}#${name.toLowerCase()}`);
    expect(new URL(rule.annotations.runbook_url).protocol).toBe('https:');
  });

  it('names the ensemble (and the server), or for an agent alert the agent (and the hook), in its description', () => {
    if (ALERT_SCOPE[name] === 'agent') {
      // The failover-hook series have no `ensemble` label (one hook serves every ensemble of the agent):
      // these alerts are per agent, and per hook where the series names one.
      expect(rule.annotations.description).toContain('{{ $labels.instance }}');
      expect(rule.annotations.description).not.toContain('$labels.ensemble');
      expect(rule.expr).toMatch(/zookeeper_hook_/);
      return;
    }
    expect(rule.annotations.description).toContain('{{ $labels.ensemble }}');
    if (ALERT_SCOPE[name] !== 'ensemble') expect(rule.annotations.description).toContain('{{ $labels.server }}');
    if (ALERT_SCOPE[name] === 'command') expect(rule.annotations.description).toContain('{{ $labels.command }}');
  });

  it('selects the agent series by metric name, never by scrape job', () => {
    // Template lookups in annotations use the alert's own job/instance; the expression must not name any job.
    expect(rule.expr).not.toMatch(/\bjob\s*(=|!=|=~|!~)/);
    const selectors = [...rule.expr.matchAll(/(?<![:\w])(zookeeper_[a-z0-9_]+)(\{[^}]*\})?/g)];
    for (const [, metric, matchers] of selectors) expect(matchers ?? '', metric).not.toContain('job');
  });

  it('has a runbook section saying what it means, what to check and what to do', () => {
    const body = sections(runbooks).get(name.toLowerCase());
    expect(body, `docs/runbooks.md has no "## ${name}" section`).toBeDefined();
    expect(body).toMatch(/\*\*What it means\*\*/);
    expect(body).toMatch(/\*\*What to check\*\*/);
    expect(body).toMatch(/\*\*What to do\*\*/);
  });
});

describe('docs/runbooks.md', () => {
  it('has a section for every alert and none for an alert that does not exist', () => {
    const documented = [...sections(runbooks).keys()].filter((key) => key.startsWith('zookeeper'));
    expect(documented.sort()).toEqual(ALERT_NAMES.map((n) => n.toLowerCase()).sort());
  });
});

describe('config', () => {
  it('selects by metric name only by default, so any scrape job name works', () => {
    expect(DEFAULT_CONFIG.selector).toBe('');
    const text = renderRules();
    expect(text).toContain('expr: zookeeper_up == 0');
    expect(text).toContain('zookeeper_server_role{role=~"leader|follower|standalone"}');
    // No expression names a job; only the templates' lookups pass the alert's own job along.
    const exprs = ruleGroups().flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs.filter((e) => /\bjob\s*=/.test(e))).toEqual([]);
  });

  it('puts a settable selector into every selector of the agent series, `up` included', () => {
    const text = renderRules(resolveConfig({ selector: 'job="zk", env="prod"' }));
    expect(text).toContain('zookeeper_up{job="zk", env="prod"} == 0');
    expect(text).toContain('zookeeper_ensemble_quorum_state{job="zk", env="prod",state="lost"} == 1');
    expect(text).toContain('(up{job="zk", env="prod"} == 0)');
    const exprs = ruleGroups(resolveConfig({ selector: 'job="zk"' })).flatMap((g) => g.rules.map((r) => r.expr));
    for (const expr of exprs) {
      for (const [, metric, matchers] of expr.matchAll(/(?<![:\w])(zookeeper_[a-z0-9_]+|up)(\{[^}]*\})?(?![\w(])/g)) {
        expect(matchers, `${metric} in ${expr}`).toMatch(/^\{job="zk"/);
      }
    }
  });

  it("ExporterStale reads only the agent's own series and `up`, and remembers a crashed agent while its target is down", () => {
    const record = ruleGroups()
      .flatMap((g) => g.rules)
      .find((r) => 'record' in r && r.record === RECORDING_RULES.lastRound)!;
    expect(record.expr).toContain('max_over_time(zookeeper_exporter_last_round_timestamp_seconds[1h])');
    expect(record.expr).toContain(`last_over_time(${RECORDING_RULES.lastRound}[1h])`);
    expect(record.expr).toContain('and on (job, instance)\n  (up == 0)');
  });

  it('takes the runbook base URL as one setting', () => {
    const text = renderRules(resolveConfig({ runbookUrl: 'https://wiki.example/zk/runbooks' }));
    expect(text).not.toContain(DEFAULT_RUNBOOK_URL);
    const urls = [...text.matchAll(/runbook_url: (\S+)/g)].map((m) => m[1]);
    expect(urls).toHaveLength(ALERT_NAMES.length);
    for (const url of urls) expect(url).toMatch(/^https:\/\/wiki\.example\/zk\/runbooks#zookeeper[a-z]+$/);
    expect(() => resolveConfig({ runbookUrl: 'docs/runbooks.md' })).toThrow(
      'runbookUrl: "docs/runbooks.md" is not an absolute http(s) URL',
    );
  });

  it('overrides thresholds, windows and `for` without touching the rest', () => {
    const config = resolveConfig({ thresholds: { followerLagZxids: 50_000, latencyWindow: '10m' }, for: { ZookeeperNodeDown: '3m' } });
    const rules = ruleGroups(config).flatMap((g) => g.rules);
    const byName = (n: string) => rules.find((r) => ('alert' in r ? r.alert : r.record) === n)!;
    expect(byName('ZookeeperFollowerLagging').expr).toContain('> 50000');
    expect((byName('ZookeeperNodeDown') as AlertingRule).for).toBe('3m');
    expect((byName('ZookeeperQuorumLost') as AlertingRule).for).toBe('30s');
    expect(byName('ensemble_server:zookeeper_request_latency_seconds:mean10m').expr).toContain('[10m]');
    expect(byName('ZookeeperLatencyHigh').expr).toBe('ensemble_server:zookeeper_request_latency_seconds:mean10m > 0.1');
    expect(DEFAULT_CONFIG.thresholds.followerLagZxids).toBe(1000);
  });

  it('shortens every `for` at once for a live test', () => {
    const rules = ruleGroups(resolveConfig({ for: forAll('2s') })).flatMap((g) => g.rules.filter(isAlerting));
    expect(new Set(rules.map((r) => r.for))).toEqual(new Set(['2s']));
  });

  it('ExporterStale counts rounds of the agent interval', () => {
    const stale = (agentInterval: string) =>
      ruleGroups(resolveConfig({ agentInterval }))
        .flatMap((g) => g.rules.filter(isAlerting))
        .find((r) => r.alert === 'ZookeeperExporterStale')!;
    expect(stale('5s').expr).toMatch(/> 30$/);
    expect(stale('1m').expr).toMatch(/> 360$/);
  });

  it('hook alerts: per hook where the series has `hook`, counts within their windows, and young agents by poll ticks', () => {
    const byName = (config = DEFAULT_CONFIG) => {
      const rules = ruleGroups(config).flatMap((g) => g.rules.filter(isAlerting));
      return (n: string) => rules.find((r) => r.alert === n)!;
    };
    const defaults = byName();
    const failing = defaults('ZookeeperFailoverHookFailing');
    expect(failing.expr).toContain('zookeeper_hook_oldest_pending_age_seconds > 120');
    expect(failing.expr).toContain('sum without (result) (increase(zookeeper_hook_deliveries_total{result="rejected"}[15m])) > 0');
    expect(failing.annotations.description).toContain('{{ $labels.hook }}');
    const dead = defaults('ZookeeperFailoverHookDeadLettered');
    expect(dead.labels.severity).toBe('critical');
    expect(dead.expr).toContain('increase(zookeeper_hook_dead_letters_total[1h]) > 0');
    // Ticks within the window: 1h / 5s and 15m / 5s.
    expect(dead.expr).toMatch(/< 720\n\)$/);
    expect(failing.expr).toMatch(/< 180\n\)$/);
    const other = byName(resolveConfig({ agentInterval: '10s', thresholds: { hookPendingSeconds: 300, hookDeadLetterWindow: '2h' } }));
    expect(other('ZookeeperFailoverHookFailing').expr).toContain('> 300\n');
    expect(other('ZookeeperFailoverHookFailing').expr).toMatch(/< 90\n\)$/);
    expect(other('ZookeeperFailoverHookDeadLettered').expr).toContain('[2h]');
    expect(other('ZookeeperFailoverHookDeadLettered').expr).toMatch(/< 720\n\)$/);
    expect(() => resolveConfig({ thresholds: { hookRejectedWindow: '5s' } })).toThrow(
      'thresholds.hookRejectedWindow: must be at least two agent intervals (5s)',
    );
  });

  it('rejects bad settings, listing every problem', () => {
    expect(() =>
      resolveConfig({
        selector: '{job="x"}',
        runbookUrl: 'https://wiki/zk#top',
        memory: '1 hour',
        thresholds: { watches: -1, fileDescriptorRatio: 1.5 },
        for: { ZookeeperNodeDown: '5' },
      }),
    ).toThrow(
      [
        'invalid alerts config:',
        'selector: label matchers only, without braces, e.g. job="zookeeper"',
        'selector: "{job="x"}" does not start with a label matcher like job="zookeeper"',
        'runbookUrl: "https://wiki/zk#top" is not an absolute http(s) URL without an anchor (each alert adds its own)',
        'memory: "1 hour" is not a Prometheus duration like "30s", "5m" or "1h30m"',
        'thresholds.watches: must be a number above 0',
        'thresholds.fileDescriptorRatio: must be below 1',
        'for.ZookeeperNodeDown: "5" is not a Prometheus duration like "30s", "5m" or "1h30m"',
      ].join('\n'),
    );
  });

  it('reads Prometheus durations', () => {
    expect(durationSeconds('30s')).toBe(30);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('1d')).toBe(86_400);
    expect(durationSeconds('500ms')).toBe(0.5);
    expect(() => durationSeconds('30m1h')).toThrow('"30m1h" is not a Prometheus duration');
  });
});
