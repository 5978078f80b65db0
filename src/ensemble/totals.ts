import type { NodeSample } from '../commands/index.js';
import { maxLearnerLag } from './lag.js';
import { DERIVED_MNTR_KEYS, mntrNumber } from './nodes.js';
import type { EnsembleTotals, NodeState } from './types.js';

/**
 * Ensemble-wide sums over the nodes that answered srvr. Connections prefer mntr
 * `num_alive_connections` (note: the agent's own 4lw connection counts in it and in srvr's count).
 * Sessions are global, so only the leader's `global_sessions` is taken (summing would multiply them).
 */
export function computeTotals(
  nodes: readonly NodeState[],
  samples: ReadonlyMap<string, NodeSample>,
  leader: NodeState | undefined,
): EnsembleTotals {
  let connections = 0;
  let outstanding = 0;
  for (const node of nodes) {
    // outstanding is set exactly when srvr answered.
    if (node.outstanding === undefined) continue;
    outstanding += node.outstanding;
    connections += node.aliveConnections ?? node.connections ?? 0;
  }
  const lag = maxLearnerLag(nodes, leader);
  const totals: EnsembleTotals = { connections, outstanding, maxFollowerLagIsLowerBound: lag.lowerBound };
  if (lag.max !== undefined) totals.maxFollowerLag = lag.max;
  const sessions = leader ? mntrNumber(samples.get(leader.server)?.mntr, DERIVED_MNTR_KEYS.sessions) : undefined;
  if (sessions !== undefined) totals.globalSessions = sessions;
  return totals;
}
