/**
 * "ZooKeeper ensemble overview": quorum, leadership, elections, replication, load and the agent's own
 * poll health for the ensembles picked in `$ensemble`, per node where `$server` applies.
 */
import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DATASOURCE,
  E,
  N,
  NODE_UID,
  OVERVIEW_UID,
  boolMappings,
  dashboard,
  finish,
  instant,
  range,
  row,
  sel,
  serverCellLink,
  stateIndex,
  stateMappings,
  statPanel,
  stateTimelinePanel,
  tablePanel,
  tableQuery,
  thresholds,
  timeseriesPanel,
  variables,
} from './common.js';
import { failoverHooksRow } from './hooks.js';
import { pollDurationPanel, pollErrorsExpr, pollErrorsPanel, pollResultsPanel, pollSuccessAgePanel } from './poll-health.js';
import type { ClassicDashboard } from './queries.js';
import { QUORUM, REASONS, ROLES } from './states.js';

const quorumState = stateIndex('zookeeper_ensemble_quorum_state', E, 'state', QUORUM, 'ensemble');

const electionP95 = `histogram_quantile(0.95, sum by (ensemble, le) (rate(${sel('zookeeper_ensemble_election_duration_seconds_bucket', E)}[$__rate_interval])))`;
const electionMeanWindow =
  `sum by (ensemble) (rate(${sel('zookeeper_ensemble_election_duration_seconds_sum', E)}[$__rate_interval]))\n` +
  `/ sum by (ensemble) (rate(${sel('zookeeper_ensemble_election_duration_seconds_count', E)}[$__rate_interval]))`;
const electionMeanSinceStart =
  `max by (ensemble) (${sel('zookeeper_ensemble_election_duration_seconds_sum', E)}\n` +
  `/ ${sel('zookeeper_ensemble_election_duration_seconds_count', E)})`;
const leaderChangeAnnotation = `max by (ensemble) (increase(${sel('zookeeper_ensemble_leader_changes_total', E)}[$__rate_interval])) > 0`;
const quorumAnnotation = `max by (ensemble, state) (${sel('zookeeper_ensemble_quorum_state', E, 'state!="healthy"')}) == 1`;

// Poll health is grouped per node × command; the ensemble is kept since a server may be in two.
const POLL_BY = 'ensemble, server, command';

// The agent has no `ensemble` label on its round metrics (a round covers every ensemble) nor on most
// hook metrics (a hook serves every ensemble); this keeps the agents (job, instance) that poll a
// selected ensemble.
const agentsOfEnsemble = `and on (job, instance) group by (job, instance) (${sel('zookeeper_ensemble_voters', E)})`;

const ELECTION_SEEN =
  'the election histogram has no series until the agent has seen an election end, which takes a leaderless poll round (e.g. quorum lost, then regained)';

/** Overview queries that can only return series after a fault, and the fault each one waits for. */
export const OVERVIEW_NEEDS_FAULT: Readonly<Record<string, string>> = {
  [electionP95]: ELECTION_SEEN,
  [electionMeanWindow]: ELECTION_SEEN,
  [electionMeanSinceStart]: ELECTION_SEEN,
  [pollErrorsExpr(POLL_BY)]: 'a poll error counter has no series until its node × command × reason first fails',
  [leaderChangeAnnotation]: 'an annotation marks a leader change, which needs one',
  [quorumAnnotation]: 'an annotation marks a quorum that is not healthy, which needs a voter to fail',
};

/** Builds the overview dashboard. */
export function overview(): ClassicDashboard {
  const d = dashboard({
    uid: OVERVIEW_UID,
    title: 'ZooKeeper ensemble overview',
    description: 'Quorum, leadership, elections, replication, load and poll health of ZooKeeper ensembles watched by zk-ensemble-exporter.',
    link: { title: 'ZooKeeper node', uid: NODE_UID, slug: 'zookeeper-node' },
  })
    .variables(variables())
    .annotation(
      new AnnotationQueryBuilder()
        .name('Leader changes')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('orange')
        .expr(leaderChangeAnnotation)
        .titleFormat('Leader change')
        .textFormat('{{ensemble}}: a new leader (identity or epoch)')
        .tagKeys('ensemble'),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Quorum not healthy')
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor('red')
        .expr(quorumAnnotation)
        .titleFormat('Quorum {{state}}')
        .textFormat('{{ensemble}}: quorum {{state}}')
        .tagKeys('ensemble,state'),
    );

  d.withRow(row('Quorum'))
    .withPanel(
      statPanel({
        title: 'Quorum state',
        description:
          'healthy: margin ≥ 1; at risk: one more voter failure loses quorum; lost: no serving leader or too few healthy voters. A 1- or 2-voter ensemble is never healthy.',
        queries: [instant(quorumState, '{{ensemble}}')],
        span: 6,
        mappings: stateMappings(QUORUM),
        colorMode: common.BigValueColorMode.Background,
        noValue: 'unknown',
      }),
    )
    .withPanel(
      statPanel({
        title: 'Quorum margin',
        description: 'Healthy voters minus majority: voter failures the ensemble can take right now (negative: quorum lost).',
        queries: [instant(`min by (ensemble) (${sel('zookeeper_ensemble_quorum_margin', E)})`, '{{ensemble}}')],
        span: 4,
        thresholds: thresholds('red', [0, 'orange'], [1, 'green']),
        decimals: 0,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Voters',
        description: 'Voters answering as leader or follower, voting members, and the majority needed for quorum (observers never count).',
        queries: [
          instant(`min by (ensemble) (${sel('zookeeper_ensemble_voters_healthy', E)})`, '{{ensemble}} healthy'),
          instant(`max by (ensemble) (${sel('zookeeper_ensemble_voters', E)})`, '{{ensemble}} voters'),
          instant(`max by (ensemble) (${sel('zookeeper_ensemble_majority', E)})`, '{{ensemble}} majority'),
        ],
        span: 6,
        colorMode: common.BigValueColorMode.None,
        decimals: 0,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Leader epoch',
        description: 'Zxid epoch of the serving leader; it grows by one with every new leader. Empty while no node leads.',
        queries: [instant(`max by (ensemble) (${sel('zookeeper_ensemble_leader_epoch', E)})`, '{{ensemble}}')],
        span: 4,
        colorMode: common.BigValueColorMode.None,
        noValue: 'no leader',
        decimals: 0,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Anomalies',
        description:
          'Split brain: two nodes lead in the same epoch. Stale leaders: deposed leaders still answering leader. Electing: voters answer but none leads.',
        queries: [
          instant(`max by (ensemble) (${sel('zookeeper_ensemble_split_brain', E)})`, '{{ensemble}} split brain'),
          instant(`max by (ensemble) (${sel('zookeeper_ensemble_stale_leaders', E)})`, '{{ensemble}} stale leaders'),
          instant(`max by (ensemble) (${sel('zookeeper_ensemble_election_in_progress', E)})`, '{{ensemble}} electing'),
        ],
        span: 4,
        thresholds: thresholds('green', [1, 'red']),
        decimals: 0,
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'Quorum state over time',
        description: 'Quorum state per ensemble as the agent derived it each round.',
        queries: [range(quorumState, '{{ensemble}}')],
        span: 12,
        height: 6,
        mappings: stateMappings(QUORUM),
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'Leader',
        description: 'Which server leads over time: one row per node, marked while it is the serving leader.',
        queries: [range(`max by (ensemble, server) (${sel('zookeeper_ensemble_leader', N)})`, '{{server}}')],
        span: 12,
        height: 6,
        mappings: boolMappings({ text: ' ', color: 'transparent' }, { text: 'leader', color: 'purple' }),
      }),
    )
    .withPanel(
      tablePanel({
        title: 'Nodes',
        description:
          'Every node now: up, role, lag behind the leader (zxids), outstanding requests, connections. Click a server for its node dashboard.',
        queries: [
          tableQuery(`max by (ensemble, server) (${sel('zookeeper_up', N)})`),
          tableQuery(stateIndex('zookeeper_server_role', N, 'role', ROLES, 'ensemble, server')),
          tableQuery(`max by (ensemble, server) (${sel('zookeeper_ensemble_follower_lag_zxids', N)})`),
          tableQuery(`max by (ensemble, server) (${sel('zookeeper_server_outstanding_requests', N)})`),
          tableQuery(`max by (ensemble, server) (${sel('zookeeper_server_connections', N)})`),
        ],
        span: 24,
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              indexByName: { ensemble: 0, server: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4, 'Value #D': 5, 'Value #E': 6 },
              renameByName: {
                'Value #A': 'Up',
                'Value #B': 'Role',
                'Value #C': 'Lag (zxids)',
                'Value #D': 'Outstanding',
                'Value #E': 'Connections',
              },
            },
          },
        ],
        overrides: [
          { name: 'server', properties: [serverCellLink()] },
          {
            name: 'Up',
            properties: [
              { id: 'mappings', value: boolMappings({ text: 'down', color: 'red' }, { text: 'up', color: 'green' }) },
              { id: 'custom.cellOptions', value: { type: 'color-text' } },
            ],
          },
          {
            name: 'Role',
            properties: [
              { id: 'mappings', value: stateMappings(ROLES) },
              { id: 'custom.cellOptions', value: { type: 'color-text' } },
            ],
          },
        ],
      }),
    );

  d.withRow(row('Writes (canary)'))
    .withPanel(
      stateTimelinePanel({
        title: 'Writable',
        description:
          'With a write canary only (empty for ensembles without one): whether a canary write committed within its timeout through at least one node in the latest canary round. ' +
          'Stalled is what ZookeeperWritesStalled pages on; it shows within a canary interval plus timeout, while srvr may still report a leader for ~10 s.',
        queries: [range(`min by (ensemble) (${sel('zookeeper_ensemble_writable', E)})`, '{{ensemble}}')],
        span: 12,
        mappings: boolMappings({ text: 'stalled', color: 'red' }, { text: 'writable', color: 'green' }),
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Canary latency p99',
        description:
          'With a write canary only: p99 of the canary write and read-back through each node, per rate interval. Only steps that answered within the timeout are counted: ' +
          'a stalled node shows as a gap here and as stalled on the left.',
        queries: [
          range(
            `histogram_quantile(0.99, sum by (ensemble, server, op, le) (rate(${sel('zookeeper_canary_latency_seconds_bucket', N)}[$__rate_interval])))`,
            '{{server}} {{op}}',
          ),
        ],
        span: 12,
        unit: 's',
        min: 0,
        links: true,
      }),
    );

  d.withRow(row('Leadership and elections'))
    .withPanel(
      statPanel({
        title: 'Leader changes in range',
        description: 'Leader changes (new identity or new epoch) and elections started within the dashboard time range.',
        queries: [
          instant(
            `round(max by (ensemble) (increase(${sel('zookeeper_ensemble_leader_changes_total', E)}[$__range])))`,
            '{{ensemble}} leader changes',
          ),
          instant(
            `round(max by (ensemble) (increase(${sel('zookeeper_ensemble_elections_total', E)}[$__range])))`,
            '{{ensemble}} elections',
          ),
        ],
        span: 6,
        height: 8,
        thresholds: thresholds('green', [1, 'orange']),
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Leader changes and elections',
        description:
          'Leader changes and elections started, per rate interval. An election shorter than the poll interval shows as a leader change only.',
        queries: [
          range(
            `max by (ensemble) (increase(${sel('zookeeper_ensemble_leader_changes_total', E)}[$__rate_interval]))`,
            '{{ensemble}} leader changes',
          ),
          range(
            `max by (ensemble) (increase(${sel('zookeeper_ensemble_elections_total', E)}[$__rate_interval]))`,
            '{{ensemble}} elections',
          ),
        ],
        span: 9,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Election duration',
        description:
          'As the agent sees it: from the first poll round without a serving leader to the first with one, so an election shorter than the poll interval ' +
          '(a killed leader is often replaced within a second) is not seen. Empty until the agent has seen one; its histogram starts at that first ' +
          'observation, so the windowed p95 and mean need a second one within the window, while the mean since agent start shows from the first. ' +
          "ZooKeeper's own election time (mntr election_time, 3.6+) is per node and catches every election, fast ones included.",
        queries: [
          range(electionP95, '{{ensemble}} p95'),
          range(electionMeanWindow, '{{ensemble}} mean'),
          range(electionMeanSinceStart, '{{ensemble}} mean since agent start'),
          range(
            `max by (ensemble, server) (\n  rate(${sel('zookeeper_mntr_election_time_sum', N)}[$__rate_interval])\n  / rate(${sel('zookeeper_mntr_election_time_count', N)}[$__rate_interval])\n) / 1000`,
            '{{server}} ZooKeeper election time',
          ),
        ],
        span: 9,
        unit: 's',
        min: 0,
      }),
    );

  d.withRow(row('Replication and load'))
    .withPanel(
      timeseriesPanel({
        title: 'Follower lag',
        description:
          'Transactions each follower or observer trails the leader. Right after an election a follower still in the old epoch has only a lower bound (see the node dashboard); a node that did not answer has no value.',
        queries: [range(`max by (ensemble, server) (${sel('zookeeper_ensemble_follower_lag_zxids', N)})`, '{{server}}')],
        span: 12,
        unit: 'none',
        min: 0,
        decimals: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Outstanding requests',
        description: 'Requests queued on each node (srvr), and their sum over the answering nodes of the ensemble.',
        queries: [
          range(`max by (ensemble, server) (${sel('zookeeper_server_outstanding_requests', N)})`, '{{server}}'),
          range(`max by (ensemble) (${sel('zookeeper_ensemble_outstanding_requests', E)})`, '{{ensemble}} total'),
        ],
        span: 12,
        min: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Request latency',
        description:
          'Average and maximum request latency per node since its statistics were last reset (srvr); the agent never resets them.',
        queries: [
          range(`max by (ensemble, server) (${sel('zookeeper_server_latency_avg_seconds', N)})`, '{{server}} avg'),
          range(`max by (ensemble, server) (${sel('zookeeper_server_latency_max_seconds', N)})`, '{{server}} max'),
        ],
        span: 12,
        unit: 's',
        min: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Connections and sessions',
        description:
          'Client connections per node (srvr, the poll itself included), alive connections summed over the ensemble, and global sessions (from the leader).',
        queries: [
          range(`max by (ensemble, server) (${sel('zookeeper_server_connections', N)})`, '{{server}} connections'),
          range(`max by (ensemble) (${sel('zookeeper_ensemble_connections', E)})`, '{{ensemble}} connections'),
          range(`max by (ensemble) (${sel('zookeeper_ensemble_global_sessions', E)})`, '{{ensemble}} global sessions'),
        ],
        span: 12,
        min: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Watches',
        description: 'Watches per node (mntr, data and child watches) and watched paths (wchs).',
        queries: [
          range(`max by (ensemble, server) (${sel('zookeeper_mntr_watch_count', N)})`, '{{server}} watches'),
          range(`max by (ensemble, server) (${sel('zookeeper_wchs_watched_paths', N)})`, '{{server}} watched paths'),
        ],
        span: 8,
        min: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Znodes',
        description: "Znodes in each node's data tree (srvr) and ephemeral znodes (mntr).",
        queries: [
          range(`max by (ensemble, server) (${sel('zookeeper_server_znodes', N)})`, '{{server}} znodes'),
          range(`max by (ensemble, server) (${sel('zookeeper_mntr_ephemerals_count', N)})`, '{{server}} ephemerals'),
        ],
        span: 8,
        min: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Data size',
        description: "Approximate size of each node's data tree (mntr approximate_data_size).",
        queries: [range(`max by (ensemble, server) (${sel('zookeeper_mntr_approximate_data_size', N)})`, '{{server}}')],
        span: 8,
        unit: 'bytes',
        min: 0,
        links: true,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'File descriptors',
        description: 'Open file descriptors and the process limit per node (mntr).',
        queries: [
          range(`max by (ensemble, server) (${sel('zookeeper_mntr_open_file_descriptor_count', N)})`, '{{server}} open'),
          range(`max by (ensemble, server) (${sel('zookeeper_mntr_max_file_descriptor_count', N)})`, '{{server}} max'),
        ],
        span: 12,
        min: 0,
        links: true,
      }).overrideByRegexp('/ max$/', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }]),
    )
    .withPanel(
      timeseriesPanel({
        title: 'File descriptor usage',
        description: 'Open file descriptors as a share of the limit; ZooKeeper refuses connections at 100%.',
        queries: [
          range(
            `max by (ensemble, server) (${sel('zookeeper_mntr_open_file_descriptor_count', N)}\n/ ${sel('zookeeper_mntr_max_file_descriptor_count', N)})`,
            '{{server}}',
          ),
        ],
        span: 12,
        unit: 'percentunit',
        min: 0,
        links: true,
      }),
    );

  d.withRow(row('Agent'))
    .withPanel(
      tablePanel({
        title: 'Poll results now',
        description: 'Latest result of each node × command. Click a server for its node dashboard.',
        queries: [tableQuery(`max by (ensemble, server, command, reason) (${sel('zookeeper_exporter_command_result', N)}) == 1`)],
        span: 12,
        transformations: [
          {
            id: 'organize',
            options: { excludeByName: { Time: true, Value: true }, indexByName: { ensemble: 0, server: 1, command: 2, reason: 3 } },
          },
        ],
        overrides: [
          { name: 'server', properties: [serverCellLink()] },
          {
            name: 'reason',
            properties: [
              {
                id: 'mappings',
                value: [{ type: 'value', options: Object.fromEntries(REASONS.map((r, index) => [r.value, { color: r.color, index }])) }],
              },
              { id: 'custom.cellOptions', value: { type: 'color-text' } },
            ],
          },
        ],
      }),
    )
    .withPanel(pollResultsPanel(POLL_BY, 12))
    .withPanel(pollErrorsPanel(POLL_BY, 8))
    .withPanel(pollDurationPanel(POLL_BY, 8))
    .withPanel(pollSuccessAgePanel(POLL_BY, 8))
    .withPanel(
      timeseriesPanel({
        title: 'Round duration',
        description:
          "Duration of the agent's poll rounds (every node of every ensemble it watches); a round longer than the interval makes the next tick an overrun.",
        queries: [
          range(
            `histogram_quantile(0.99, sum by (job, instance, le) (rate(zookeeper_exporter_round_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))\n${agentsOfEnsemble}`,
            '{{instance}} p99',
          ),
          range(
            `(\n  sum by (job, instance) (rate(zookeeper_exporter_round_duration_seconds_sum{job=~"$job"}[$__rate_interval]))\n  / sum by (job, instance) (rate(zookeeper_exporter_round_duration_seconds_count{job=~"$job"}[$__rate_interval]))\n)\n${agentsOfEnsemble}`,
            '{{instance}} mean',
          ),
        ],
        span: 12,
        unit: 's',
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Round overruns',
        description: 'Ticks skipped because the previous round was still running (rounds never overlap nor queue).',
        queries: [
          range(
            `sum by (job, instance) (increase(zookeeper_exporter_rounds_overrun_total{job=~"$job"}[$__rate_interval]))\n${agentsOfEnsemble}`,
            '{{instance}}',
          ),
        ],
        span: 12,
        min: 0,
      }),
    );

  d.withRow(failoverHooksRow(agentsOfEnsemble));

  return finish(d.build());
}
