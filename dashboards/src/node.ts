/**
 * "ZooKeeper node": one node (or a few, side by side) picked in `$server` — role, zxid, lag,
 * requests, clients, data, file descriptors and the agent's poll health for it.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
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
import { pollDurationPanel, pollErrorsExpr, pollErrorsPanel, pollResultsPanel, pollSuccessAgePanel } from './poll-health.js';
import type { ClassicDashboard } from './queries.js';
import { ROLES } from './states.js';

// Grouped by ensemble too, so a server listed in two ensembles is never merged into one series.
const BY = 'ensemble, server';
const POLL_BY = 'ensemble, server, command';

/** `max by (ensemble, server) (metric{…, server=~"$server"})`. */
function node(metric: string): string {
  return `max by (${BY}) (${sel(metric, N)})`;
}

/** Per-second rate of a counter-like mntr value, per node. */
function nodeRate(metric: string): string {
  return `max by (${BY}) (rate(${sel(metric, N)}[$__rate_interval]))`;
}

const role = stateIndex('zookeeper_server_role', N, 'role', ROLES, BY);

/** Node-dashboard queries that can only return series after a fault, and the fault each one waits for. */
export const NODE_NEEDS_FAULT: Readonly<Record<string, string>> = {
  [pollErrorsExpr(POLL_BY)]: 'a poll error counter has no series until its node × command × reason first fails',
};

/** Builds the node dashboard. */
export function nodeDashboard(): ClassicDashboard {
  const d = dashboard({
    uid: NODE_UID,
    title: 'ZooKeeper node',
    description:
      'One ZooKeeper node as zk-ensemble-exporter sees it: role, zxid, lag, requests, clients, data, file descriptors and poll health.',
    link: { title: 'ZooKeeper ensemble overview', uid: OVERVIEW_UID, slug: 'zookeeper-ensemble-overview' },
  }).variables(variables());

  d.withRow(row('Node'))
    .withPanel(
      statPanel({
        title: 'Up',
        description: 'Whether the node answered srvr with a parsable reply in the latest round.',
        queries: [instant(node('zookeeper_up'), '{{server}}')],
        span: 3,
        mappings: boolMappings({ text: 'DOWN', color: 'red' }, { text: 'UP', color: 'green' }),
        colorMode: common.BigValueColorMode.Background,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Role',
        description: 'Role the node reports. Empty while it is down or not serving (no quorum, election).',
        queries: [instant(role, '{{server}}')],
        span: 4,
        mappings: stateMappings(ROLES),
        noValue: 'down or not serving',
      }),
    )
    .withPanel(
      tablePanel({
        title: 'Identity',
        description: 'Server id (from conf, empty until known) and ZooKeeper version.',
        queries: [tableQuery(`max by (${BY}, server_id, version) (${sel('zookeeper_server_info', N)})`)],
        span: 7,
        height: 5,
        transformations: [
          {
            id: 'organize',
            options: { excludeByName: { Time: true, Value: true }, indexByName: { ensemble: 0, server: 1, server_id: 2, version: 3 } },
          },
        ],
        overrides: [],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Last processed zxid',
        description: 'Epoch (high 32 bits) and transaction counter within the epoch (low 32 bits) of the last zxid the node processed.',
        queries: [
          instant(node('zookeeper_server_zxid_epoch'), '{{server}} epoch'),
          instant(node('zookeeper_server_zxid_txn'), '{{server}} txn'),
        ],
        span: 5,
        colorMode: common.BigValueColorMode.None,
        decimals: 0,
      }),
    )
    .withPanel(
      statPanel({
        title: 'Follower lag',
        description:
          'Transactions behind the leader. "lower bound": the node is still in an older epoch, so only a minimum is known. Empty on the leader and on a node that did not answer.',
        queries: [
          instant(node('zookeeper_ensemble_follower_lag_zxids'), '{{server}} lag'),
          instant(node('zookeeper_ensemble_follower_lag_is_lower_bound'), '{{server}} lower bound'),
        ],
        span: 5,
        thresholds: thresholds('green', [1, 'orange'], [100, 'red']),
        noValue: 'leader or unknown',
        decimals: 0,
      }).overrideByRegexp('/lower bound$/', [
        { id: 'mappings', value: boolMappings({ text: 'exact', color: 'green' }, { text: 'yes', color: 'orange' }) },
      ]),
    );

  d.withRow(row('Role and replication'))
    .withPanel(
      stateTimelinePanel({
        title: 'Role over time',
        description: 'Role the node reported each round; gaps while it was down or not serving.',
        queries: [range(role, '{{server}}')],
        span: 12,
        height: 6,
        mappings: stateMappings(ROLES),
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Zxid over time',
        description:
          'Transaction counter within the epoch (left axis) and epoch (right axis). The counter restarts at 0 with each new epoch.',
        queries: [
          range(node('zookeeper_server_zxid_txn'), '{{server}} txn'),
          range(node('zookeeper_server_zxid_epoch'), '{{server}} epoch'),
        ],
        span: 12,
        height: 6,
        decimals: 0,
      }).overrideByRegexp('/ epoch$/', [{ id: 'custom.axisPlacement', value: 'right' }]),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Follower lag over time',
        description: 'Transactions behind the leader (followers and observers).',
        queries: [range(node('zookeeper_ensemble_follower_lag_zxids'), '{{server}}')],
        span: 12,
        unit: 'none',
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Synced followers and pending syncs',
        description: 'Reported by the leader only (mntr synced_followers, pending_syncs); empty for a follower or observer.',
        queries: [
          range(node('zookeeper_mntr_synced_followers'), '{{server}} synced followers'),
          range(node('zookeeper_mntr_pending_syncs'), '{{server}} pending syncs'),
        ],
        span: 12,
        min: 0,
        decimals: 0,
      }),
    );

  d.withRow(row('Requests'))
    .withPanel(
      timeseriesPanel({
        title: 'Request latency',
        description:
          "Minimum, average and maximum request latency since the node's statistics were last reset (srvr); the agent never resets them.",
        queries: [
          range(node('zookeeper_server_latency_min_seconds'), '{{server}} min'),
          range(node('zookeeper_server_latency_avg_seconds'), '{{server}} avg'),
          range(node('zookeeper_server_latency_max_seconds'), '{{server}} max'),
        ],
        span: 12,
        unit: 's',
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Outstanding requests',
        description: 'Requests queued on the node (srvr).',
        queries: [range(node('zookeeper_server_outstanding_requests'), '{{server}}')],
        span: 12,
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Packets',
        description: 'Packets received and sent per second (mntr).',
        queries: [
          range(nodeRate('zookeeper_mntr_packets_received'), '{{server}} received'),
          range(nodeRate('zookeeper_mntr_packets_sent'), '{{server}} sent'),
        ],
        span: 12,
        unit: 'pps',
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'fsync time',
        description:
          'Mean time of the transaction-log fsyncs in each rate interval (empty while nothing is written), and the largest one since the node started (mntr fsynctime, ms).',
        queries: [
          range(
            `max by (${BY}) (\n  rate(${sel('zookeeper_mntr_fsynctime_sum', N)}[$__rate_interval])\n  / rate(${sel('zookeeper_mntr_fsynctime_count', N)}[$__rate_interval])\n)`,
            '{{server}} mean',
          ),
          range(node('zookeeper_mntr_fsynctime_max'), '{{server}} max'),
        ],
        span: 12,
        unit: 'ms',
        min: 0,
      }),
    );

  d.withRow(row('Clients and data'))
    .withPanel(
      timeseriesPanel({
        title: 'Connections',
        description: 'Client connections (srvr, the poll included), alive connections (mntr), and connections holding data watches (wchs).',
        queries: [
          range(node('zookeeper_server_connections'), '{{server}} connections'),
          range(node('zookeeper_mntr_num_alive_connections'), '{{server}} alive'),
          range(node('zookeeper_wchs_connections'), '{{server}} with watches'),
        ],
        span: 8,
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Sessions',
        description: 'Global sessions (known to the whole ensemble) and local sessions on this node (mntr).',
        queries: [
          range(node('zookeeper_mntr_global_sessions'), '{{server}} global'),
          range(node('zookeeper_mntr_local_sessions'), '{{server}} local'),
        ],
        span: 8,
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Watches',
        description: 'Watches (mntr, data and child), data watches and watched paths (wchs).',
        queries: [
          range(node('zookeeper_mntr_watch_count'), '{{server}} watches'),
          range(node('zookeeper_wchs_watches'), '{{server}} data watches'),
          range(node('zookeeper_wchs_watched_paths'), '{{server}} watched paths'),
        ],
        span: 8,
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Znodes',
        description: 'Znodes in the data tree (srvr) and ephemeral znodes (mntr).',
        queries: [
          range(node('zookeeper_server_znodes'), '{{server}} znodes'),
          range(node('zookeeper_mntr_ephemerals_count'), '{{server}} ephemerals'),
        ],
        span: 8,
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Data size',
        description: 'Approximate size of the data tree (mntr approximate_data_size).',
        queries: [range(node('zookeeper_mntr_approximate_data_size'), '{{server}}')],
        span: 8,
        unit: 'bytes',
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'File descriptors',
        description: 'Open file descriptors and the process limit (mntr).',
        queries: [
          range(node('zookeeper_mntr_open_file_descriptor_count'), '{{server}} open'),
          range(node('zookeeper_mntr_max_file_descriptor_count'), '{{server}} max'),
        ],
        span: 8,
        min: 0,
        decimals: 0,
      }).overrideByRegexp('/ max$/', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }]),
    );

  d.withRow(row('Poll health'))
    .withPanel(pollResultsPanel(POLL_BY, 12))
    .withPanel(pollErrorsPanel(POLL_BY, 12))
    .withPanel(pollDurationPanel(POLL_BY, 12))
    .withPanel(pollSuccessAgePanel(POLL_BY, 12));

  return finish(d.build());
}
