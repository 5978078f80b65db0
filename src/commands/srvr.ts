import { adminServerStats, parseServerStats } from '../parse/index.js';
import type { ServerMode, ServerStats } from '../parse/types.js';
import { gauge, type CommandDefinition } from './command.js';

/** Roles exported by `zookeeper_server_role`: one series each, 1 for the current one. */
export const SERVER_ROLES = ['leader', 'follower', 'observer', 'standalone', 'read_only'] as const;

const ROLE_OF_MODE: Record<ServerMode, (typeof SERVER_ROLES)[number]> = {
  leader: 'leader',
  follower: 'follower',
  observer: 'observer',
  standalone: 'standalone',
  'read-only': 'read_only',
};

/** `srvr`: always asked; its answer decides whether a node is up, and gives role, zxid and load. */
export const srvr: CommandDefinition<'srvr', ServerStats> = {
  word: 'srvr',
  admin: ['srvr'],
  description: 'Always polled: mode, zxid, latency, connections, outstanding requests, znodes (decides `zookeeper_up`).',
  byDefault: true,
  cadence: 'fast',
  parseText: parseServerStats,
  parseJson: ([json]) => adminServerStats(json),
  families: [
    {
      name: 'zookeeper_server_role',
      help: 'Current role of the node: 1 for the role it reports, 0 for the others; all 0 when down or not serving.',
      type: 'gauge',
      read: (stats) =>
        SERVER_ROLES.map((role) => ({
          value: role === ROLE_OF_MODE[stats.mode] || (role === 'read_only' && stats.readOnly) ? 1 : 0,
          labels: { role },
        })),
      whenDown: SERVER_ROLES.map((role) => ({ value: 0, labels: { role } })),
    },
    {
      name: 'zookeeper_server_info',
      help: 'Always 1 while the node answers; carries its version and server id (where known).',
      type: 'gauge',
      read: (stats, node) => [
        { value: 1, labels: { server_id: node.serverId === undefined ? '' : String(node.serverId), version: stats.version } },
      ],
    },
    gauge('zookeeper_server_zxid_epoch', 'Epoch (high 32 bits) of the last zxid the node processed.', (s) => s.zxid.epoch),
    // Not `_counter`: promtool rejects a metric type's name inside a metric name.
    gauge(
      'zookeeper_server_zxid_txn',
      'Transaction counter (low 32 bits) of the last zxid the node processed, within its epoch.',
      (s) => s.zxid.counter,
    ),
    gauge('zookeeper_server_outstanding_requests', 'Requests queued on the node (srvr Outstanding).', (s) => s.outstanding),
    gauge('zookeeper_server_connections', 'Client connections on the node, this poll included (srvr Connections).', (s) => s.connections),
    gauge('zookeeper_server_znodes', "Znodes in the node's data tree (srvr Node count).", (s) => s.nodeCount),
    // srvr prints milliseconds; Prometheus wants base units.
    gauge(
      'zookeeper_server_latency_min_seconds',
      'Minimum request latency since the last stats reset (srvr).',
      (s) => s.latency.min / 1000,
    ),
    gauge(
      'zookeeper_server_latency_avg_seconds',
      'Average request latency since the last stats reset (srvr).',
      (s) => s.latency.avg / 1000,
    ),
    gauge(
      'zookeeper_server_latency_max_seconds',
      'Maximum request latency since the last stats reset (srvr).',
      (s) => s.latency.max / 1000,
    ),
    gauge('zookeeper_server_packets_received', 'Packets received since the last stats reset (srvr Received).', (s) => s.received),
    gauge('zookeeper_server_packets_sent', 'Packets sent since the last stats reset (srvr Sent).', (s) => s.sent),
  ],
};
