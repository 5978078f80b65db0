/**
 * Prometheus alerting and recording rules for the agent's metrics, as data. Thresholds, `for`
 * durations, the optional selector and the runbook location are set once, in {@link DEFAULT_CONFIG};
 * `npm run alerts` renders `alerts/zookeeper-ensemble-exporter.rules.yml` (and the Kubernetes
 * PrometheusRule, deploy/kubernetes/prometheusrule.yaml) from it, and tests render variants (shorter
 * `for`, another selector) from the same source. See alerts/README.md.
 *
 * The default selects the agent's series by metric name only, never by scrape job: the names
 * (`zookeeper_ensemble_*`, `zookeeper_exporter_*`, `zookeeper_hook_*`, and the per-node
 * `zookeeper_up`/`zookeeper_server_*`/`zookeeper_mntr_*` the agent exports) are the agent's own, while
 * the job is whatever the operator called it (`zookeeper`, `kubernetes-pods`, a ServiceMonitor's
 * `serviceMonitor/ns/name/0`). A rule file that assumed one job name would silently never fire.
 */
import YAML from 'yaml';

/** Every alert, in the order it appears in the rendered file. */
export const ALERT_NAMES = [
  'ZookeeperQuorumLost',
  'ZookeeperQuorumLostPerNode',
  'ZookeeperQuorumAtRisk',
  'ZookeeperQuorumUnknown',
  'ZookeeperWritesStalled',
  'ZookeeperNoLeader',
  'ZookeeperSplitBrain',
  'ZookeeperStaleLeader',
  'ZookeeperFrequentLeaderChanges',
  'ZookeeperLongElection',
  'ZookeeperFollowerLagging',
  'ZookeeperFollowerLagLowerBound',
  'ZookeeperNodeDown',
  'ZookeeperOutstandingRequestsHigh',
  'ZookeeperLatencyHigh',
  'ZookeeperPendingSyncs',
  'ZookeeperFileDescriptorsNearLimit',
  'ZookeeperConnectionsHigh',
  'ZookeeperWatchesHigh',
  'ZookeeperZnodesHigh',
  'ZookeeperDataSizeHigh',
  'ZookeeperExporterPollFailing',
  'ZookeeperExporterStale',
  'ZookeeperFailoverHookFailing',
  'ZookeeperFailoverHookDeadLettered',
] as const;

/** Name of one alert. */
export type AlertName = (typeof ALERT_NAMES)[number];

/** Alert severities, most urgent first. */
export type Severity = 'critical' | 'warning' | 'info';

/**
 * What one alert instance is about, i.e. the identifying labels it carries besides `job`/`instance`:
 * an ensemble (`ensemble`), a node (`ensemble`, `server`), or one polled command of a node
 * (`ensemble`, `server`, `command`); or the agent itself (`job`/`instance` only, plus `hook` where the
 * series names one): the failover-hook metrics have no `ensemble` label, since one hook serves every
 * ensemble the agent watches.
 */
export type AlertScope = 'ensemble' | 'node' | 'command' | 'agent';

/** Scope of every alert. */
export const ALERT_SCOPE: Record<AlertName, AlertScope> = {
  ZookeeperQuorumLost: 'ensemble',
  ZookeeperQuorumLostPerNode: 'ensemble',
  ZookeeperQuorumAtRisk: 'ensemble',
  ZookeeperQuorumUnknown: 'ensemble',
  ZookeeperWritesStalled: 'ensemble',
  ZookeeperNoLeader: 'ensemble',
  ZookeeperSplitBrain: 'ensemble',
  ZookeeperStaleLeader: 'ensemble',
  ZookeeperFrequentLeaderChanges: 'ensemble',
  ZookeeperLongElection: 'ensemble',
  ZookeeperFollowerLagging: 'node',
  ZookeeperFollowerLagLowerBound: 'node',
  ZookeeperNodeDown: 'node',
  ZookeeperOutstandingRequestsHigh: 'node',
  ZookeeperLatencyHigh: 'node',
  ZookeeperPendingSyncs: 'node',
  ZookeeperFileDescriptorsNearLimit: 'node',
  ZookeeperConnectionsHigh: 'node',
  ZookeeperWatchesHigh: 'node',
  ZookeeperZnodesHigh: 'node',
  ZookeeperDataSizeHigh: 'node',
  ZookeeperExporterPollFailing: 'command',
  ZookeeperExporterStale: 'ensemble',
  ZookeeperFailoverHookFailing: 'agent',
  ZookeeperFailoverHookDeadLettered: 'agent',
};

/** Recording rules a dashboard can use: the same expressions the alerts use. */
export const RECORDING_RULES = {
  /** Per ensemble: nodes answering `leader`, `follower` or `standalone` (from `zookeeper_server_role` only). */
  votersServing: 'ensemble:zookeeper_voters_serving:sum',
  /** Per ensemble: configured nodes not seen as observers within `memory` (from `zookeeper_up`/`zookeeper_server_role` only). */
  votersConfigured: 'ensemble:zookeeper_voters_configured:count',
  /** Per ensemble: nodes answering `leader` or `standalone` (more than 1: split brain or a stale leader). */
  leaders: 'ensemble:zookeeper_server_leaders:sum',
  /**
   * Per node: mean request latency in seconds over `thresholds.latencyWindow` (3.6+ summaries; srvr's
   * average since start otherwise). The name carries the window: this is the name with the default 5m.
   */
  latency: 'ensemble_server:zookeeper_request_latency_seconds:mean5m',
  /** Per node: open / maximum file descriptors. */
  fileDescriptors: 'ensemble_server:zookeeper_open_file_descriptors:ratio',
  /**
   * Per agent and ensemble it watches: Unix time of the agent's latest finished round, remembered for
   * `memory` after the agent went away, and for as long after as Prometheus still fails to scrape it
   * (`up == 0`). ZookeeperExporterStale compares it with the time.
   */
  lastRound: 'ensemble:zookeeper_exporter_last_round_timestamp_seconds:last',
} as const;

/**
 * Default base of every `runbook_url`: docs/runbooks.md of the project's repository, as an absolute
 * URL so the link opens from a pager or a chat message. Set `runbookUrl` (`npm run alerts -- --runbook-url`
 * or `ZK_ALERTS_RUNBOOK_URL`) to where your team reads the runbooks, e.g. your own Git server's copy.
 */
export const DEFAULT_RUNBOOK_URL = 'https://github.com/zk-ensemble-exporter/zk-ensemble-exporter/blob/main/docs/runbooks.md';

/** Thresholds of the alerts that compare a value with a limit. README and runbooks say why each default. */
export interface Thresholds {
  /** ZookeeperFrequentLeaderChanges fires at this many leader changes within `leaderChangesWindow`. @default 3 */
  leaderChanges: number;
  /** @default '30m' */
  leaderChangesWindow: string;
  /** ZookeeperFollowerLagging: transactions (zxids) behind the leader. @default 1000 */
  followerLagZxids: number;
  /** ZookeeperOutstandingRequestsHigh: requests queued on one node. @default 10 */
  outstandingRequests: number;
  /** ZookeeperLatencyHigh: mean request latency over `latencyWindow`, seconds. @default 0.1 */
  latencySeconds: number;
  /** Window of the latency mean (also in the recording rule's name). @default '5m' */
  latencyWindow: string;
  /** ZookeeperConnectionsHigh: client connections on one node. @default 1000 */
  connections: number;
  /** ZookeeperFileDescriptorsNearLimit: open / max file descriptors. @default 0.8 */
  fileDescriptorRatio: number;
  /** ZookeeperPendingSyncs: sync requests waiting on the leader. @default 10 */
  pendingSyncs: number;
  /** ZookeeperWatchesHigh: watches (data and child) on one node. @default 100000 */
  watches: number;
  /** ZookeeperZnodesHigh: znodes in the data tree. @default 1000000 */
  znodes: number;
  /** ZookeeperDataSizeHigh: approximate data size, bytes. @default 1 GiB */
  dataSizeBytes: number;
  /** ZookeeperExporterStale: poll intervals (`agentInterval`) without a finished round. @default 6 */
  staleRounds: number;
  /** ZookeeperFailoverHookFailing: age of the agent's oldest undelivered hook intent, seconds. @default 120 */
  hookPendingSeconds: number;
  /** ZookeeperFailoverHookFailing: how long a rejected intent keeps the alert active. @default '15m' */
  hookRejectedWindow: string;
  /** ZookeeperFailoverHookDeadLettered: how long a dead-lettered intent keeps the alert active. @default '1h' */
  hookDeadLetterWindow: string;
}

/** Everything the rendered rules depend on. */
export interface AlertsConfig {
  /**
   * Label matchers added to every selector of the agent's series (and of `up` in ZookeeperExporterStale),
   * e.g. `job="zookeeper"` or `env="prod"`. `''`, the default, selects by metric name only, so the rules
   * work whatever the scrape job is called; set it when one Prometheus scrapes several environments
   * whose alerts must stay apart, or another exporter there also exports `zookeeper_up`.
   * @default ''
   */
  selector: string;
  /**
   * Base of every `runbook_url`: an absolute http(s) URL without an anchor; each alert adds
   * `#<lower-cased alert name>`. @default {@link DEFAULT_RUNBOOK_URL}
   */
  runbookUrl: string;
  /** The agent's poll interval (its `interval` setting); ZookeeperExporterStale counts rounds in it. @default '5s' */
  agentInterval: string;
  /**
   * How long rules remember series that went away: a node seen as observer (so it is not counted as a
   * voter while down) and the ensembles an agent watched (so ZookeeperExporterStale still names them
   * after the agent stopped answering). @default '1h'
   */
  memory: string;
  thresholds: Thresholds;
  /** `for` of each alert. */
  for: Record<AlertName, string>;
}

/** Defaults for production: a 5 s poll and scrape interval. */
export const DEFAULT_CONFIG: AlertsConfig = {
  selector: '',
  runbookUrl: DEFAULT_RUNBOOK_URL,
  agentInterval: '5s',
  memory: '1h',
  thresholds: {
    leaderChanges: 3,
    leaderChangesWindow: '30m',
    followerLagZxids: 1000,
    outstandingRequests: 10,
    latencySeconds: 0.1,
    latencyWindow: '5m',
    connections: 1000,
    fileDescriptorRatio: 0.8,
    pendingSyncs: 10,
    watches: 100_000,
    znodes: 1_000_000,
    dataSizeBytes: 1024 ** 3,
    staleRounds: 6,
    hookPendingSeconds: 120,
    hookRejectedWindow: '15m',
    hookDeadLetterWindow: '1h',
  },
  for: {
    ZookeeperQuorumLost: '30s',
    ZookeeperQuorumLostPerNode: '1m',
    ZookeeperQuorumAtRisk: '5m',
    // Unknown while a member is being discovered or restarted is normal for a round or two.
    ZookeeperQuorumUnknown: '10m',
    // Writes stop for a few seconds during every election; a stall past that is an outage for writers.
    ZookeeperWritesStalled: '30s',
    ZookeeperNoLeader: '1m',
    ZookeeperSplitBrain: '15s',
    ZookeeperStaleLeader: '1m',
    ZookeeperFrequentLeaderChanges: '1m',
    ZookeeperLongElection: '15s',
    ZookeeperFollowerLagging: '5m',
    ZookeeperFollowerLagLowerBound: '2m',
    ZookeeperNodeDown: '1m',
    ZookeeperOutstandingRequestsHigh: '5m',
    ZookeeperLatencyHigh: '5m',
    ZookeeperPendingSyncs: '5m',
    ZookeeperFileDescriptorsNearLimit: '5m',
    ZookeeperConnectionsHigh: '15m',
    ZookeeperWatchesHigh: '15m',
    ZookeeperZnodesHigh: '15m',
    ZookeeperDataSizeHigh: '15m',
    ZookeeperExporterPollFailing: '5m',
    ZookeeperExporterStale: '1m',
    ZookeeperFailoverHookFailing: '2m',
    ZookeeperFailoverHookDeadLettered: '30s',
  },
};

/** Partial settings merged over {@link DEFAULT_CONFIG} by {@link resolveConfig}. */
export interface AlertsOverrides {
  selector?: string;
  runbookUrl?: string;
  agentInterval?: string;
  memory?: string;
  thresholds?: Partial<Thresholds>;
  for?: Partial<Record<AlertName, string>>;
}

/** Merges overrides over the defaults and validates the result (throws with every problem listed). */
export function resolveConfig(overrides: AlertsOverrides = {}, base: AlertsConfig = DEFAULT_CONFIG): AlertsConfig {
  const config: AlertsConfig = {
    selector: overrides.selector ?? base.selector,
    runbookUrl: overrides.runbookUrl ?? base.runbookUrl,
    agentInterval: overrides.agentInterval ?? base.agentInterval,
    memory: overrides.memory ?? base.memory,
    thresholds: { ...base.thresholds, ...overrides.thresholds },
    for: { ...base.for, ...overrides.for },
  };
  validate(config);
  return config;
}

/** The same `for` for every alert, e.g. `forAll('2s')` for a live test against a fast-polling agent. */
export function forAll(duration: string): Record<AlertName, string> {
  return Object.fromEntries(ALERT_NAMES.map((name) => [name, duration])) as Record<AlertName, string>;
}

/** Prometheus durations: units from years to milliseconds, largest first, each at most once. */
const PROMETHEUS_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNIT_SECONDS = [365 * 86_400, 7 * 86_400, 86_400, 3_600, 60, 1, 0.001];

/** Seconds in a Prometheus duration (`30s`, `1m30s`, `1h`); throws on anything else. */
export function durationSeconds(text: string): number {
  const match = PROMETHEUS_DURATION.exec(text);
  if (text === '' || match === null) throw new Error(`"${text}" is not a Prometheus duration like "30s", "5m" or "1h30m"`);
  return match.slice(1).reduce((sum, part, i) => sum + (part === undefined ? 0 : Number(part) * DURATION_UNIT_SECONDS[i]!), 0);
}

function validate(config: AlertsConfig): void {
  const problems: string[] = [];
  const duration = (path: string, text: string, allowZero = false): void => {
    try {
      if (durationSeconds(text) === 0 && !allowZero) problems.push(`${path}: must be more than 0`);
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`);
    }
  };
  if (/[{}]/.test(config.selector)) problems.push('selector: label matchers only, without braces, e.g. job="zookeeper"');
  if (config.selector.trim() !== '' && !/^\s*[a-zA-Z_]\w*\s*(=|!=|=~|!~)\s*"/.test(config.selector)) {
    problems.push(`selector: "${config.selector}" does not start with a label matcher like job="zookeeper"`);
  }
  // A relative link cannot be opened from a pager or a chat message: it must name its host.
  if (!/^https?:\/\/[^/\s#]+(\/[^\s#]*)?$/.test(config.runbookUrl)) {
    problems.push(`runbookUrl: "${config.runbookUrl}" is not an absolute http(s) URL without an anchor (each alert adds its own)`);
  }
  duration('agentInterval', config.agentInterval);
  duration('memory', config.memory);
  duration('thresholds.leaderChangesWindow', config.thresholds.leaderChangesWindow);
  duration('thresholds.latencyWindow', config.thresholds.latencyWindow);
  duration('thresholds.hookRejectedWindow', config.thresholds.hookRejectedWindow);
  duration('thresholds.hookDeadLetterWindow', config.thresholds.hookDeadLetterWindow);
  // The hook alerts tell a young agent by its poll ticks (window / agentInterval of them): a window must span several.
  for (const key of ['hookRejectedWindow', 'hookDeadLetterWindow'] as const) {
    try {
      if (durationSeconds(config.thresholds[key]) < 2 * durationSeconds(config.agentInterval)) {
        problems.push(`thresholds.${key}: must be at least two agent intervals (${config.agentInterval})`);
      }
    } catch {
      // Reported above.
    }
  }
  for (const [key, value] of Object.entries(config.thresholds)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) problems.push(`thresholds.${key}: must be a number above 0`);
  }
  if (!(config.thresholds.fileDescriptorRatio < 1)) problems.push('thresholds.fileDescriptorRatio: must be below 1');
  for (const name of ALERT_NAMES) duration(`for.${name}`, config.for[name] ?? '', true);
  const unknown = Object.keys(config.for).filter((name) => !(ALERT_NAMES as readonly string[]).includes(name));
  for (const name of unknown) problems.push(`for.${name}: unknown alert`);
  if (problems.length > 0) throw new Error(`invalid alerts config:\n${problems.join('\n')}`);
}

/** An alerting rule as Prometheus reads it. */
export interface AlertingRule {
  alert: AlertName;
  expr: string;
  for: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** A recording rule as Prometheus reads it. */
export interface RecordingRule {
  record: string;
  expr: string;
}

/** One rule group; rules of a group are evaluated in order, so recording rules come before the alerts using them. */
export interface RuleGroup {
  name: string;
  rules: Array<AlertingRule | RecordingRule>;
}

/** What an alert is, apart from the settings shared by all. */
interface AlertSpec {
  name: AlertName;
  /** The condition in words, for the README's table. */
  when: string;
  severity: Severity;
  expr: string;
  summary: string;
  description: string;
}

// Templates look other series up with the alert's own job/instance/ensemble labels, so they find the
// same agent's series whatever the selector is.
const SAME_ENSEMBLE = 'job=%q,instance=%q,ensemble=%q';
const SAME_ENSEMBLE_ARGS = '$labels.job $labels.instance $labels.ensemble';
const SAME_NODE = 'job=%q,instance=%q,ensemble=%q,server=%q';
const SAME_NODE_ARGS = '$labels.job $labels.instance $labels.ensemble $labels.server';
const SAME_AGENT = 'job=%q,instance=%q';
const SAME_AGENT_ARGS = '$labels.job $labels.instance';

/** Template text: the value of the first series `promql` (with %q placeholders for the alert's labels) returns, or `otherwise`. */
function lookup(promql: string, args: string, format = '{{ . | first | value }}', otherwise = 'unknown'): string {
  return `{{ with printf \`${promql}\` ${args} | query }}${format}{{ else }}${otherwise}{{ end }}`;
}

/** Template text: the `label` values of every series `promql` returns, sorted, comma-separated, or `otherwise`. */
function labelList(promql: string, args: string, label: string, otherwise: string): string {
  return lookup(
    promql,
    args,
    `{{ range $i, $s := . | sortByLabel "${label}" }}{{ if $i }}, {{ end }}{{ $s.Labels.${label} }}{{ end }}`,
    otherwise,
  );
}

/** Template text: the `server` labels of every series `promql` returns, sorted, comma-separated, or `none`. */
function servers(promql: string, otherwise = 'none'): string {
  return labelList(promql, SAME_ENSEMBLE_ARGS, 'server', otherwise);
}

/** Template text: the `hook` labels of every series `promql` (placeholders for the alert's job and instance) returns. */
function hooks(promql: string, otherwise: string): string {
  return labelList(promql, SAME_AGENT_ARGS, 'hook', otherwise);
}

const NOT_SERVING = servers(
  `sum without (role) (zookeeper_server_role{${SAME_ENSEMBLE},role=~"leader|follower|standalone|observer"}) == 0`,
);
const CLAIMING_LEADER = servers(`zookeeper_server_role{${SAME_ENSEMBLE},role=~"leader|standalone"} == 1`);
const CURRENT_LEADER = servers(`zookeeper_ensemble_leader{${SAME_ENSEMBLE}} == 1`);

/** Renders a number for PromQL and text without exponent notation or float noise (`1000000`, `0.8`, `70` for 0.7 × 100). */
function num(value: number): string {
  const rounded = Number(value.toPrecision(12));
  return Number.isInteger(rounded) ? rounded.toFixed(0) : String(rounded);
}

/** Human-readable byte size of a threshold (`1 GiB`). */
function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (value >= 1024 && i < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    i++;
  }
  return `${num(value)} ${units[i]}`;
}

/** Every rule group, in file order. Pure: the same config always gives the same groups. */
export function ruleGroups(config: AlertsConfig = DEFAULT_CONFIG): RuleGroup[] {
  return build(config).groups;
}

/** The groups, and the alert specs they were made from (for {@link alertTable}). */
function build(config: AlertsConfig): { groups: RuleGroup[]; specs: AlertSpec[] } {
  validate(config);
  const t = config.thresholds;
  const sel = config.selector.trim();
  /** `name{selector,extra}`. */
  const m = (name: string, extra = ''): string => {
    const matchers = [sel, extra].filter((part) => part !== '').join(',');
    return matchers === '' ? name : `${name}{${matchers}}`;
  };
  const forOf = (name: AlertName): string => config.for[name];
  const latencyRecord = `ensemble_server:zookeeper_request_latency_seconds:mean${t.latencyWindow}`;
  const staleSeconds = durationSeconds(config.agentInterval) * t.staleRounds;
  const rate = (name: string): string => `rate(${m(name)}[${t.latencyWindow}])`;

  const quorumRecords: RecordingRule[] = [
    {
      record: RECORDING_RULES.votersServing,
      expr: `sum without (server, role) (${m('zookeeper_server_role', 'role=~"leader|follower|standalone"')})`,
    },
    {
      // A node seen as observer within `memory` is not a voter, even while it is down.
      record: RECORDING_RULES.votersConfigured,
      expr: [
        'count without (server) (',
        `  ${m('zookeeper_up')}`,
        '  unless ignoring (role)',
        `  max_over_time(${m('zookeeper_server_role', 'role="observer"')}[${config.memory}]) == 1`,
        ')',
      ].join('\n'),
    },
    {
      record: RECORDING_RULES.leaders,
      expr: `sum without (server, role) (${m('zookeeper_server_role', 'role=~"leader|standalone"')})`,
    },
  ];
  const nodeRecords: RecordingRule[] = [
    {
      // 3.6+ summaries give a mean over the window; 3.4/3.5 (or no mntr) fall back to srvr's average since start.
      record: latencyRecord,
      expr: [
        '(',
        `  ${rate('zookeeper_mntr_readlatency_sum')} + ${rate('zookeeper_mntr_updatelatency_sum')}`,
        ')',
        '/',
        '(',
        `  ${rate('zookeeper_mntr_readlatency_count')} + ${rate('zookeeper_mntr_updatelatency_count')}`,
        ')',
        '/ 1000',
        'or',
        m('zookeeper_server_latency_avg_seconds'),
      ].join('\n'),
    },
    {
      record: RECORDING_RULES.fileDescriptors,
      expr: `${m('zookeeper_mntr_open_file_descriptor_count')}\n/\n${m('zookeeper_mntr_max_file_descriptor_count')}`,
    },
  ];

  const quorum: AlertSpec[] = [
    {
      name: 'ZookeeperQuorumLost',
      when: "the agent's quorum state is `lost` (fewer healthy voters than a majority, or no serving leader)",
      severity: 'critical',
      expr: `${m('zookeeper_ensemble_voters_healthy')}\nand ignoring (state)\n${m('zookeeper_ensemble_quorum_state', 'state="lost"')} == 1`,
      summary: 'ZooKeeper ensemble has lost quorum',
      description:
        `Ensemble {{ $labels.ensemble }} has no quorum (agent's view): {{ $value }} voter(s) serve as leader or follower; ` +
        `a majority is ${lookup(`zookeeper_ensemble_majority{${SAME_ENSEMBLE}}`, SAME_ENSEMBLE_ARGS)}, and one of them must lead. ` +
        `Reads, writes and new sessions fail until it returns. Not serving: ${NOT_SERVING}.`,
    },
    {
      name: 'ZookeeperQuorumLostPerNode',
      when: 'fewer nodes answer `leader`/`follower`/`standalone` than a majority of the configured voters (per-node series only)',
      severity: 'critical',
      expr: `${RECORDING_RULES.votersServing}\n< floor(${RECORDING_RULES.votersConfigured} / 2) + 1`,
      summary: 'ZooKeeper ensemble has lost quorum (per-node count)',
      description:
        `Ensemble {{ $labels.ensemble }}: only {{ $value }} node(s) answer as leader or follower, fewer than a majority of ` +
        `${lookup(`${RECORDING_RULES.votersConfigured}{${SAME_ENSEMBLE}}`, SAME_ENSEMBLE_ARGS)} configured voters. ` +
        `Counted from each node's own answer, independently of the agent's quorum derivation. Not serving: ${NOT_SERVING}.`,
    },
    {
      name: 'ZookeeperQuorumAtRisk',
      when: "the agent's quorum state is `at_risk`: exactly a majority of voters serve",
      severity: 'warning',
      expr: `${m('zookeeper_ensemble_voters_healthy')}\nand ignoring (state)\n${m('zookeeper_ensemble_quorum_state', 'state="at_risk"')} == 1`,
      summary: 'ZooKeeper ensemble is one failure away from losing quorum',
      description:
        `Ensemble {{ $labels.ensemble }} has exactly a majority serving ({{ $value }} of ` +
        `${lookup(`zookeeper_ensemble_voters{${SAME_ENSEMBLE}}`, SAME_ENSEMBLE_ARGS)} voters): ` +
        `one more failure loses quorum. Not serving: ${NOT_SERVING}.`,
    },
    {
      name: 'ZookeeperQuorumUnknown',
      when: "the agent's quorum state is `unknown`: voters it cannot see decide whether there is a quorum",
      severity: 'warning',
      expr: `${m('zookeeper_ensemble_voters_unknown')}\nand ignoring (state)\n${m('zookeeper_ensemble_quorum_state', 'state="unknown"')} == 1`,
      summary: 'The agent cannot tell whether the ZooKeeper ensemble has quorum',
      description:
        `Ensemble {{ $labels.ensemble }}: {{ $value }} voter(s) are unknown to the agent (members it was not given and never saw answer), ` +
        `and whether a majority serves depends on them. ZookeeperQuorumLost and ZookeeperQuorumAtRisk cannot fire meanwhile. ` +
        `Not serving: ${NOT_SERVING}.`,
    },
    {
      name: 'ZookeeperWritesStalled',
      when: 'the write canary committed no write through any node in its latest round (`zookeeper_ensemble_writable` 0; canary ensembles only)',
      severity: 'critical',
      expr: `${m('zookeeper_ensemble_writable')} == 0`,
      summary: 'Writes to the ZooKeeper ensemble do not commit',
      description:
        `No write of the agent's canary committed through any node of ensemble {{ $labels.ensemble }} for ${forOf('ZookeeperWritesStalled')}: ` +
        `clients cannot write, even if the nodes still answer srvr as leader and followers. ` +
        `Canary failing through: ${servers(`zookeeper_canary_up{${SAME_ENSEMBLE}} == 0`)}.`,
    },
    {
      name: 'ZookeeperNoLeader',
      when: 'no node answers `leader` (or `standalone`)',
      severity: 'critical',
      expr: `${RECORDING_RULES.leaders} == 0`,
      summary: 'No ZooKeeper node serves as leader',
      description:
        `No node of ensemble {{ $labels.ensemble }} answers as leader for ${forOf('ZookeeperNoLeader')}: reads, writes and new sessions fail. ` +
        `Not serving: ${NOT_SERVING}.`,
    },
    {
      name: 'ZookeeperSplitBrain',
      when: 'two or more nodes claim leadership in the same epoch',
      severity: 'critical',
      expr: `${m('zookeeper_ensemble_split_brain')} == 1`,
      summary: 'Two ZooKeeper nodes lead in the same epoch',
      description:
        `Ensemble {{ $labels.ensemble }}: ${servers(`zookeeper_server_role{${SAME_ENSEMBLE},role="leader"} == 1`, 'several nodes')} ` +
        `all claim leadership in the same epoch. Clients connected to different sides may see diverging data.`,
    },
    {
      name: 'ZookeeperStaleLeader',
      when: 'a deposed leader still answers `leader` in an older epoch',
      severity: 'warning',
      expr: `${m('zookeeper_ensemble_stale_leaders')} > 0`,
      summary: 'A deposed ZooKeeper leader still answers as leader',
      description:
        `Ensemble {{ $labels.ensemble }}: {{ $value }} node(s) still answer as leader of an older epoch; ` +
        `claiming leadership: ${CLAIMING_LEADER}; current leader: ${CURRENT_LEADER}. Clients of the stale node get stale reads and failing writes.`,
    },
  ];

  const leadership: AlertSpec[] = [
    {
      name: 'ZookeeperFrequentLeaderChanges',
      when: `${num(t.leaderChanges)} or more leader changes within ${t.leaderChangesWindow}`,
      severity: 'warning',
      expr: `increase(${m('zookeeper_ensemble_leader_changes_total')}[${t.leaderChangesWindow}]) >= ${num(t.leaderChanges)}`,
      summary: 'ZooKeeper leader changes often',
      description:
        `The leader of ensemble {{ $labels.ensemble }} changed {{ $value | printf "%.0f" }} times in ${t.leaderChangesWindow} ` +
        `(threshold ${num(t.leaderChanges)}); current leader: ${CURRENT_LEADER}. Every change is an election: writes stop and clients reconnect.`,
    },
    {
      name: 'ZookeeperLongElection',
      when: 'voters answer but none leads (an election is under way)',
      severity: 'warning',
      expr: `${m('zookeeper_ensemble_election_in_progress')} == 1`,
      summary: 'ZooKeeper leader election is taking long',
      description:
        `Voters of ensemble {{ $labels.ensemble }} answer but have not elected a leader for ${forOf('ZookeeperLongElection')}: ` +
        `the ensemble serves nobody meanwhile. Not serving: ${NOT_SERVING}.`,
    },
    {
      name: 'ZookeeperFollowerLagging',
      when: `a follower or observer trails the leader by more than ${num(t.followerLagZxids)} transactions (exact lag)`,
      severity: 'warning',
      expr:
        `${m('zookeeper_ensemble_follower_lag_zxids')} > ${num(t.followerLagZxids)}\n` +
        `unless\n${m('zookeeper_ensemble_follower_lag_is_lower_bound')} == 1`,
      summary: 'ZooKeeper follower trails the leader',
      description:
        `{{ $labels.server }} of ensemble {{ $labels.ensemble }} trails the leader by {{ $value }} transactions ` +
        `(threshold ${num(t.followerLagZxids)}): its clients read old data.`,
    },
    {
      name: 'ZookeeperFollowerLagLowerBound',
      when: 'a follower is still in an older epoch while the leader has written in the new one',
      severity: 'warning',
      expr: `${m('zookeeper_ensemble_follower_lag_zxids')}\nand\n${m('zookeeper_ensemble_follower_lag_is_lower_bound')} == 1`,
      summary: 'ZooKeeper follower is still in an older epoch',
      description:
        `{{ $labels.server }} of ensemble {{ $labels.ensemble }} is still in an older epoch than the leader, which has written ` +
        `{{ $value }} transactions since the election: it is at least that far behind and has not caught up.`,
    },
  ];

  const nodes: AlertSpec[] = [
    {
      name: 'ZookeeperNodeDown',
      when: 'a node does not answer `srvr` with a serving reply',
      severity: 'warning',
      expr: `${m('zookeeper_up')} == 0`,
      summary: 'ZooKeeper node is down or not serving',
      description:
        `{{ $labels.server }} of ensemble {{ $labels.ensemble }} has not answered srvr with a serving reply for ${forOf('ZookeeperNodeDown')}; ` +
        `latest result: ${lookup(`zookeeper_exporter_command_result{${SAME_NODE},command="srvr"} == 1`, SAME_NODE_ARGS, '{{ . | first | label "reason" }}')}.`,
    },
    {
      name: 'ZookeeperOutstandingRequestsHigh',
      when: `more than ${num(t.outstandingRequests)} requests queued on a node`,
      severity: 'warning',
      expr: `${m('zookeeper_server_outstanding_requests')} > ${num(t.outstandingRequests)}`,
      summary: 'ZooKeeper node has many queued requests',
      description:
        `{{ $labels.server }} of ensemble {{ $labels.ensemble }} has {{ $value }} requests queued ` +
        `(threshold ${num(t.outstandingRequests)}): it cannot keep up and its clients wait.`,
    },
    {
      name: 'ZookeeperLatencyHigh',
      when: `mean request latency over ${t.latencyWindow} above ${num(t.latencySeconds * 1000)} ms on a node`,
      severity: 'warning',
      expr: `${latencyRecord} > ${num(t.latencySeconds)}`,
      summary: 'ZooKeeper request latency is high',
      description:
        `Mean request latency on {{ $labels.server }} of ensemble {{ $labels.ensemble }} is {{ $value | humanizeDuration }} ` +
        `over ${t.latencyWindow} (threshold ${num(t.latencySeconds * 1000)}ms).`,
    },
    {
      name: 'ZookeeperPendingSyncs',
      when: `more than ${num(t.pendingSyncs)} sync requests waiting on the leader`,
      severity: 'warning',
      expr: `${m('zookeeper_mntr_pending_syncs')} > ${num(t.pendingSyncs)}`,
      summary: 'ZooKeeper leader has many pending syncs',
      description:
        `Leader {{ $labels.server }} of ensemble {{ $labels.ensemble }} has {{ $value }} sync requests waiting ` +
        `(threshold ${num(t.pendingSyncs)}): commits are slow to reach a quorum.`,
    },
    {
      name: 'ZookeeperFileDescriptorsNearLimit',
      when: `open file descriptors above ${num(t.fileDescriptorRatio * 100)} % of the node's limit`,
      severity: 'warning',
      expr: `${RECORDING_RULES.fileDescriptors} > ${num(t.fileDescriptorRatio)}`,
      summary: 'ZooKeeper node is running out of file descriptors',
      description:
        `{{ $labels.server }} of ensemble {{ $labels.ensemble }} uses {{ $value | humanizePercentage }} of its file descriptors ` +
        `(${lookup(`zookeeper_mntr_open_file_descriptor_count{${SAME_NODE}}`, SAME_NODE_ARGS)} of ` +
        `${lookup(`zookeeper_mntr_max_file_descriptor_count{${SAME_NODE}}`, SAME_NODE_ARGS)}; threshold ${num(t.fileDescriptorRatio * 100)}%). ` +
        `At the limit it refuses connections.`,
    },
  ];

  const capacity: AlertSpec[] = [
    {
      name: 'ZookeeperConnectionsHigh',
      when: `more than ${num(t.connections)} client connections on a node`,
      severity: 'info',
      expr: `${m('zookeeper_server_connections')} > ${num(t.connections)}`,
      summary: 'ZooKeeper node has many client connections',
      description: `{{ $labels.server }} of ensemble {{ $labels.ensemble }} holds {{ $value }} client connections (threshold ${num(t.connections)}).`,
    },
    {
      name: 'ZookeeperWatchesHigh',
      when: `more than ${num(t.watches)} watches on a node`,
      severity: 'info',
      expr: `${m('zookeeper_mntr_watch_count')} > ${num(t.watches)}`,
      summary: 'ZooKeeper node holds many watches',
      description: `{{ $labels.server }} of ensemble {{ $labels.ensemble }} holds {{ $value | humanize }} watches (threshold ${num(t.watches)}).`,
    },
    {
      name: 'ZookeeperZnodesHigh',
      when: `more than ${num(t.znodes)} znodes`,
      severity: 'info',
      expr: `${m('zookeeper_server_znodes')} > ${num(t.znodes)}`,
      summary: 'ZooKeeper data tree has many znodes',
      description: `{{ $labels.server }} of ensemble {{ $labels.ensemble }} holds {{ $value | humanize }} znodes (threshold ${num(t.znodes)}).`,
    },
    {
      name: 'ZookeeperDataSizeHigh',
      when: `data tree above ${bytes(t.dataSizeBytes)}`,
      severity: 'warning',
      expr: `${m('zookeeper_mntr_approximate_data_size')} > ${num(t.dataSizeBytes)}`,
      summary: 'ZooKeeper data tree is large',
      description:
        `The data tree on {{ $labels.server }} of ensemble {{ $labels.ensemble }} is about {{ $value | humanize1024 }}B ` +
        `(threshold ${bytes(t.dataSizeBytes)}): snapshots and follower syncs get slow.`,
    },
  ];

  // What ZookeeperExporterStale compares with the time, per agent (job, instance) and ensemble it watched.
  // Only the agent's own series and `up` are read, so it works whatever the scrape job is called.
  // - While the agent is scraped, or for `memory` after it went away: its latest round timestamp
  //   (max_over_time keeps the last value after the series went stale), once per ensemble it watched
  //   within `memory` (so the alert names the ensembles left blind).
  // - After that, the rule's own previous value, for as long as Prometheus still has the agent as a
  //   target and fails to scrape it (`up == 0`): an agent that crashed for good keeps its alert instead
  //   of resolving for lack of data. A target removed from service discovery has no `up`; its alert
  //   resolves `memory` after the agent's last sample (a deliberate removal, most often).
  const exporterRecords: RecordingRule[] = [
    {
      record: RECORDING_RULES.lastRound,
      expr: [
        `max_over_time(${m('zookeeper_exporter_last_round_timestamp_seconds')}[${config.memory}])`,
        '* ignoring (ensemble) group_right ()',
        `group without () (max_over_time(${m('zookeeper_ensemble_voters')}[${config.memory}]))`,
        'or',
        '(',
        `  last_over_time(${RECORDING_RULES.lastRound}[${config.memory}])`,
        '  and on (job, instance)',
        `  (${m('up')} == 0)`,
        ')',
      ].join('\n'),
    },
  ];

  const exporter: AlertSpec[] = [
    {
      name: 'ZookeeperExporterPollFailing',
      when: 'one command of a node that answers `srvr` keeps failing (per node × command)',
      severity: 'warning',
      expr: [
        `count without (reason) (${m('zookeeper_exporter_command_result', 'reason!="ok"')} == 1)`,
        'unless ignoring (command)',
        `${m('zookeeper_up')} == 0`,
      ].join('\n'),
      summary: 'The agent cannot poll a command on a ZooKeeper node',
      description:
        `The agent's {{ $labels.command }} polls of {{ $labels.server }} (ensemble {{ $labels.ensemble }}) have failed for ` +
        `${forOf('ZookeeperExporterPollFailing')} while the node answers srvr; latest reason: ` +
        `${lookup(`zookeeper_exporter_command_result{${SAME_NODE},command=%q} == 1`, `${SAME_NODE_ARGS} $labels.command`, '{{ . | first | label "reason" }}')}. ` +
        `Series from {{ $labels.command }} are missing meanwhile.`,
    },
    {
      name: 'ZookeeperExporterStale',
      when: `no poll round finished for ${num(t.staleRounds)} intervals of ${config.agentInterval} (${num(staleSeconds)} s), or the agent is gone`,
      severity: 'warning',
      expr: `time() - ${RECORDING_RULES.lastRound} > ${num(staleSeconds)}`,
      summary: 'The agent has stopped polling',
      description:
        `The agent {{ $labels.instance }} has not finished a poll round for {{ $value | humanizeDuration }} ` +
        `(threshold ${num(staleSeconds)}s, ${num(t.staleRounds)} intervals of ${config.agentInterval}): ensemble {{ $labels.ensemble }} ` +
        `is not watched and its other alerts cannot fire.`,
    },
  ];

  // The hook metrics carry job/instance (and `hook`), no `ensemble`: one hook serves every ensemble of
  // the agent, so these alerts are per agent, and per hook where the series names one.
  //
  // "Counted within a window" needs more than increase(): hook counters start at 0 with each agent
  // process, and a restarted agent settles the intents it finds in its outbox (dead-lettering those
  // older than their maxAge, re-sending the others) before Prometheus first scrapes it. increase()
  // cannot see a count that was already there at a series' first sample, so for an agent younger than
  // the window (fewer poll ticks, rounds finished plus ticks skipped, than window / agentInterval)
  // every count since it started is within the window.
  //
  // `select` writes the selectors: m for the rules, the alert's own job/instance for a template lookup.
  const countedWithin = (
    select: (name: string, extra?: string) => string,
    counter: string,
    extra: string,
    window: string,
    aggregate: (expr: string) => string = (expr) => expr,
  ): string[] => [
    `${aggregate(`increase(${select(counter, extra)}[${window}])`)} > 0`,
    'or',
    '(',
    `  ${aggregate(select(counter, extra))} > 0`,
    '  and on (job, instance)',
    `  (${select('zookeeper_exporter_rounds_total')} + ${select('zookeeper_exporter_rounds_overrun_total')}) ` +
      `< ${num(durationSeconds(window) / durationSeconds(config.agentInterval))}`,
    ')',
  ];
  const perHook = (expr: string): string => `sum without (result) (${expr})`;
  const sameAgent = (name: string, extra = ''): string => `${name}{${[SAME_AGENT, extra].filter((part) => part !== '').join(',')}}`;
  /** A template lookup of `lines`, each selector of which takes the alert's job and instance. */
  const agentLookup = (lines: string[]): { promql: string; args: string } => {
    const promql = lines
      .map((line) => line.trim())
      .join(' ')
      .replace(/\( /g, '(')
      .replace(/ \)/g, ')');
    const selectors = promql.split(SAME_AGENT).length - 1;
    return { promql, args: Array<string>(selectors).fill(SAME_AGENT_ARGS).join(' ') };
  };
  const deadLetteredHooks = agentLookup(
    countedWithin(sameAgent, 'zookeeper_hook_deliveries_total', 'result="dead_lettered"', t.hookDeadLetterWindow, perHook),
  );

  const hookAlerts: AlertSpec[] = [
    {
      name: 'ZookeeperFailoverHookFailing',
      when:
        `an agent's oldest undelivered hook intent is older than ${num(t.hookPendingSeconds)} s (per agent), ` +
        `or a hook's receiver rejected an intent within ${t.hookRejectedWindow} (per hook)`,
      severity: 'warning',
      expr: [
        `${m('zookeeper_hook_oldest_pending_age_seconds')} > ${num(t.hookPendingSeconds)}`,
        'or',
        ...countedWithin(m, 'zookeeper_hook_deliveries_total', 'result="rejected"', t.hookRejectedWindow, perHook),
      ].join('\n'),
      summary: 'Failover hook deliveries are failing',
      description:
        `{{ if $labels.hook }}Hook {{ $labels.hook }} of agent {{ $labels.instance }} had {{ $value | printf "%.0f" }} intent(s) ` +
        `rejected within ${t.hookRejectedWindow}: its receiver answered a 3xx or a 4xx other than 408/425/429, which is not retried, ` +
        `so the failover actions they carried were not taken.` +
        `{{ else }}The oldest undelivered hook intent of agent {{ $labels.instance }} has been pending for {{ $value | humanizeDuration }} ` +
        `(threshold ${num(t.hookPendingSeconds)}s) while the agent retries; hooks with intents queued, backing off or in flight: ` +
        `${hooks(`sum by (hook) ({__name__=~"zookeeper_hook_queue_depth|zookeeper_hook_in_flight",${SAME_AGENT}}) > 0`, 'none')}. ` +
        `An intent still undelivered at its hook's maxAge is dead-lettered.{{ end }}`,
    },
    {
      name: 'ZookeeperFailoverHookDeadLettered',
      when: `an agent dead-lettered a hook intent within ${t.hookDeadLetterWindow} (per agent)`,
      severity: 'critical',
      expr: countedWithin(m, 'zookeeper_hook_dead_letters_total', '', t.hookDeadLetterWindow).join('\n'),
      summary: 'A failover hook intent was dropped',
      description:
        `Agent {{ $labels.instance }} dead-lettered {{ $value | printf "%.0f" }} hook intent(s) within ${t.hookDeadLetterWindow}: ` +
        `they reached their hook's maxAge undelivered (or their hook was removed from the configuration) and will never be sent, ` +
        `so the failover actions they carried were not taken. Hooks: ` +
        labelList(deadLetteredHooks.promql, deadLetteredHooks.args, 'hook', 'unknown (see the audit trail)') +
        '.',
    },
  ];

  const alerting = (spec: AlertSpec): AlertingRule => ({
    alert: spec.name,
    expr: spec.expr,
    for: config.for[spec.name],
    labels: { severity: spec.severity },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: `${config.runbookUrl}#${spec.name.toLowerCase()}`,
    },
  });

  const groups: RuleGroup[] = [
    { name: 'zookeeper-ensemble-exporter.quorum', rules: [...quorumRecords, ...quorum.map(alerting)] },
    { name: 'zookeeper-ensemble-exporter.leadership', rules: leadership.map(alerting) },
    { name: 'zookeeper-ensemble-exporter.nodes', rules: [...nodeRecords, ...nodes.map(alerting)] },
    { name: 'zookeeper-ensemble-exporter.capacity', rules: capacity.map(alerting) },
    { name: 'zookeeper-ensemble-exporter.exporter', rules: [...exporterRecords, ...exporter.map(alerting)] },
    { name: 'zookeeper-ensemble-exporter.hooks', rules: hookAlerts.map(alerting) },
  ];
  const order = groups.flatMap((g) => g.rules.filter(isAlerting).map((r) => r.alert));
  if (order.join() !== ALERT_NAMES.join()) throw new Error(`alert order differs from ALERT_NAMES: ${order.join(', ')}`);
  return { groups, specs: [...quorum, ...leadership, ...nodes, ...capacity, ...exporter, ...hookAlerts] };
}

/** Markdown table of the alerts (name with runbook link, severity, `for`, condition), as alerts/README.md holds it. */
export function alertTable(config: AlertsConfig = DEFAULT_CONFIG): string {
  const rows = build(config).specs.map(
    (spec) =>
      `| [\`${spec.name}\`](../docs/runbooks.md#${spec.name.toLowerCase()}) | ${spec.severity} | ${config.for[spec.name]} | ${spec.when} |`,
  );
  return ['| Alert | Severity | For | Fires when |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

/** Markers around the generated table in alerts/README.md. */
const TABLE_MARKERS = { start: '<!-- alerts-table:start -->', end: '<!-- alerts-table:end -->' } as const;

/** `readme` with the text between {@link TABLE_MARKERS} replaced by {@link alertTable}; throws when a marker is missing. */
export function withAlertTable(readme: string, config: AlertsConfig = DEFAULT_CONFIG): string {
  const start = readme.indexOf(TABLE_MARKERS.start);
  const end = readme.indexOf(TABLE_MARKERS.end);
  if (start === -1 || end < start) throw new Error(`alerts/README.md lacks ${TABLE_MARKERS.start} … ${TABLE_MARKERS.end}`);
  return `${readme.slice(0, start + TABLE_MARKERS.start.length)}\n${alertTable(config)}${readme.slice(end)}`;
}

/** True for an alerting rule, false for a recording rule. */
export function isAlerting(rule: AlertingRule | RecordingRule): rule is AlertingRule {
  return 'alert' in rule;
}

/** Path of the rendered rule file, relative to the repository root. */
export const RULES_FILE = 'alerts/zookeeper-ensemble-exporter.rules.yml';

const HEADER = [
  ' Prometheus rules for zk-ensemble-exporter.',
  ' Generated by `npm run alerts` from alerts/rules.ts: edit that file (thresholds, `for`, selector, runbook URL), not this one.',
  " Series are selected by the agent's metric names, whatever the scrape job is called.",
  ' Runbooks: docs/runbooks.md. Tests: alerts/tests/*.test.yml (promtool test rules).',
].join('\n');

/** The rule file's text for `config`. */
export function renderRules(config: AlertsConfig = DEFAULT_CONFIG): string {
  const doc = new YAML.Document({ groups: ruleGroups(config) });
  doc.commentBefore = HEADER;
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

/** Path of the rendered Kubernetes PrometheusRule (prometheus-operator), relative to the repository root. */
export const PROMETHEUS_RULE_FILE = 'deploy/kubernetes/prometheusrule.yaml';

/** Name and labels of the PrometheusRule object. */
export interface PrometheusRuleMeta {
  name: string;
  namespace?: string;
  /** The Prometheus resource's `ruleSelector` must match these (kube-prometheus-stack: `release: <its release>`). */
  labels: Record<string, string>;
}

/** Metadata of the committed PrometheusRule. */
export const DEFAULT_PROMETHEUS_RULE_META: PrometheusRuleMeta = {
  name: 'zk-ensemble-exporter',
  labels: { 'app.kubernetes.io/name': 'zk-ensemble-exporter', 'app.kubernetes.io/component': 'alert-rules' },
};

const PROMETHEUS_RULE_HEADER = [
  ' PrometheusRule (prometheus-operator) holding the rules of alerts/zookeeper-ensemble-exporter.rules.yml.',
  ' Generated by `npm run alerts` from alerts/rules.ts: edit that file, not this one.',
  ' The Prometheus resource must select it: match its ruleSelector (and ruleNamespaceSelector) with',
  ' these labels, e.g. add `release: <kube-prometheus-stack release>`.',
].join('\n');

/** The PrometheusRule manifest for `config`: the same groups as {@link renderRules}, in `spec.groups`. */
export function renderPrometheusRule(
  config: AlertsConfig = DEFAULT_CONFIG,
  meta: PrometheusRuleMeta = DEFAULT_PROMETHEUS_RULE_META,
): string {
  const metadata = { name: meta.name, ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }), labels: meta.labels };
  const doc = new YAML.Document({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata,
    spec: { groups: ruleGroups(config) },
  });
  doc.commentBefore = PROMETHEUS_RULE_HEADER;
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}
