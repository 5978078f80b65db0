import type { ServerMode, ServerStats } from '../parse/types.js';
import type { NodeRecord, TrackedCommand } from '../state/store.js';
import type { FamilySet, Labels } from './family.js';

/** Roles exported by `zookeeper_server_role`: one series each, 1 for the current one. */
export const SERVER_ROLES = ['leader', 'follower', 'observer', 'standalone', 'read_only'] as const;

const ROLE_OF_MODE: Record<ServerMode, (typeof SERVER_ROLES)[number]> = {
  leader: 'leader',
  follower: 'follower',
  observer: 'observer',
  standalone: 'standalone',
  'read-only': 'read_only',
};

const SRVR_GAUGES: Array<[string, string, (s: ServerStats) => number]> = [
  ['zookeeper_server_outstanding_requests', 'Requests queued on the node (srvr Outstanding).', (s) => s.outstanding],
  ['zookeeper_server_connections', 'Client connections on the node, this poll included (srvr Connections).', (s) => s.connections],
  ['zookeeper_server_znodes', 'Znodes in the node\'s data tree (srvr Node count).', (s) => s.nodeCount],
  // srvr prints milliseconds; Prometheus wants base units.
  ['zookeeper_server_latency_min_seconds', 'Minimum request latency since the last stats reset (srvr).', (s) => s.latency.min / 1000],
  ['zookeeper_server_latency_avg_seconds', 'Average request latency since the last stats reset (srvr).', (s) => s.latency.avg / 1000],
  ['zookeeper_server_latency_max_seconds', 'Maximum request latency since the last stats reset (srvr).', (s) => s.latency.max / 1000],
  ['zookeeper_server_packets_received', 'Packets received since the last stats reset (srvr Received).', (s) => s.received],
  ['zookeeper_server_packets_sent', 'Packets sent since the last stats reset (srvr Sent).', (s) => s.sent],
];

function srvrOf(record: NodeRecord): ServerStats | undefined {
  return record.sample.srvr.ok ? record.sample.srvr.value : undefined;
}

/**
 * Builds every per-node family from the latest records: state from srvr/mntr/wchs, and the agent's
 * own poll health per node × command. A node that did not answer srvr keeps `zookeeper_up 0`, its
 * reason (`zookeeper_exporter_command_result`) and no data series: old values never linger. Pure.
 */
export function addNodeFamilies(set: FamilySet, records: readonly NodeRecord[]): void {
  const up = set.family('zookeeper_up', 'Whether the node answered srvr with a parsable reply in the latest round (1) or not (0).', 'gauge');
  const role = set.family('zookeeper_server_role', 'Current role of the node: 1 for the role it reports, 0 for the others; all 0 when down or not serving.', 'gauge');
  const info = set.family('zookeeper_server_info', 'Always 1 while the node answers; carries its version and server id (where known).', 'gauge');
  const epoch = set.family('zookeeper_server_zxid_epoch', 'Epoch (high 32 bits) of the last zxid the node processed.', 'gauge');
  // Not `_counter`: promtool rejects a metric type's name inside a metric name.
  const counter = set.family('zookeeper_server_zxid_txn', 'Transaction counter (low 32 bits) of the last zxid the node processed, within its epoch.', 'gauge');
  const srvrFamilies = SRVR_GAUGES.map(([name, help]) => set.family(name, help, 'gauge'));
  const watchConnections = set.family('zookeeper_wchs_connections', 'Connections holding data watches (wchs).', 'gauge');
  const watchPaths = set.family('zookeeper_wchs_watched_paths', 'Paths with data watches (wchs).', 'gauge');
  const watches = set.family('zookeeper_wchs_watches', 'Data watches in total (wchs; child watches are not included).', 'gauge');
  const result = set.family('zookeeper_exporter_command_result', 'Result of the latest poll of each node × command: 1 on the series whose reason is current.', 'gauge');
  const duration = set.family('zookeeper_exporter_poll_duration_seconds', 'Duration of the latest poll of each node × command.', 'gauge');
  const lastSuccess = set.family('zookeeper_exporter_poll_last_success_timestamp_seconds', 'Unix time of the latest successful poll of each node × command.', 'gauge');
  const errors = set.family('zookeeper_exporter_poll_errors_total', 'Failed polls of each node × command by reason.', 'counter');

  for (const record of records) {
    const labels: Labels = { ensemble: record.ensemble, server: record.server };
    const stats = srvrOf(record);
    up.add(stats ? 1 : 0, labels);
    const current = stats ? ROLE_OF_MODE[stats.mode] : undefined;
    for (const r of SERVER_ROLES) role.add(r === current || (r === 'read_only' && stats?.readOnly) ? 1 : 0, { ...labels, role: r });
    if (stats) {
      info.add(1, { ...labels, server_id: record.serverId === undefined ? '' : String(record.serverId), version: stats.version });
      epoch.add(stats.zxid.epoch, labels);
      counter.add(stats.zxid.counter, labels);
      SRVR_GAUGES.forEach(([, , pick], i) => srvrFamilies[i]!.add(pick(stats), labels));
      const wchs = record.sample.wchs;
      if (wchs?.ok) {
        watchConnections.add(wchs.value.connections, labels);
        watchPaths.add(wchs.value.paths, labels);
        watches.add(wchs.value.totalWatches, labels);
      }
      const mntr = record.mntr;
      if (mntr) {
        mntr.plan.forEach((item, i) => {
          const existing = set.typeOf(item.family);
          // A family seen with another type on an older/newer version is skipped rather than corrupt the exposition.
          if (existing !== undefined && existing !== item.type) return;
          set.family(item.family, mntrHelp(item.family), item.type).add(
            mntr.values[i]!,
            item.labels.quantile === undefined ? labels : { ...labels, ...item.labels },
            item.sample === item.family ? undefined : item.sample,
          );
        });
      }
    }
    for (const [command, history] of Object.entries(record.commands) as Array<[TrackedCommand, NonNullable<NodeRecord['commands'][TrackedCommand]>]>) {
      const commandLabels = { ...labels, command };
      result.add(1, { ...commandLabels, reason: history.lastReason });
      duration.add(history.lastDurationMs / 1000, commandLabels);
      if (history.lastSuccessAt !== undefined) lastSuccess.add(history.lastSuccessAt / 1000, commandLabels);
      for (const [reason, count] of Object.entries(history.errors)) errors.add(count, { ...commandLabels, reason });
    }
  }
}

function mntrHelp(family: string): string {
  return `ZooKeeper mntr value ${family.slice('zookeeper_mntr_'.length)} (see the README for the naming rule).`;
}
