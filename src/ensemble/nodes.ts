import { mntrNumber as numberInMntr } from '../parse/mntr.js';
import type { MntrRecord, QuorumMember, ServerStats, Zxid } from '../parse/types.js';
import type { NodeSample } from '../commands/index.js';
import type { CommandOutcome } from '../model/outcome.js';
import type { MemberIdentity } from './membership.js';
import type { DuplicateServerId, NodeRole, NodeState, Transition, ZxidState } from './types.js';

/**
 * The mntr keys ensemble derivation reads: once a reply is laid out for the exposition, only these
 * entries need to be handed on and carried into fast-lane rounds (PollScheduler's `keptMntrKeys`).
 */
export const DERIVED_MNTR_KEYS = { sessions: 'global_sessions', connections: 'num_alive_connections' } as const;

/** A finite number from an unlabelled mntr key, else undefined (missing, text, NaN). */
export function mntrNumber(outcome: CommandOutcome<MntrRecord> | undefined, key: string): number | undefined {
  if (!outcome?.ok) return undefined;
  const value = numberInMntr(outcome.value, key);
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** A parsed zxid in JSON form (bigint does not survive JSON.stringify). */
function zxidState(zxid: Zxid): ZxidState {
  return { hex: `0x${zxid.value.toString(16)}`, epoch: zxid.epoch, counter: zxid.counter };
}

/** Role from a srvr reply; `read-only` also when only the READ-ONLY line says so. */
function roleOf(stats: ServerStats): NodeRole {
  if (stats.readOnly || stats.mode === 'read-only') return 'read_only';
  return stats.mode;
}

/**
 * One configured node's state for this round, before lag (which needs the leader).
 * `not_serving` is an answer, not an outage: the node is up and taking part in an election.
 */
export function classifyNode(identity: MemberIdentity, sample: NodeSample | undefined, previous: NodeState | undefined): NodeState {
  const node: NodeState = { server: identity.server, voter: identity.voter, role: 'down' };
  if (identity.serverId !== undefined) node.serverId = identity.serverId;
  if (identity.discovered) node.discovered = true;
  if (previous?.lastSeenAt !== undefined) node.lastSeenAt = previous.lastSeenAt;
  // A discovered address the agent never saw answer may be wrong or unreachable from here: its
  // silence says nothing about the node. Once it has answered there, silence is an outage.
  const failedRole = identity.discovered && node.lastSeenAt === undefined ? 'unknown' : 'down';
  if (!sample) {
    node.role = failedRole;
    node.reason = identity.failure ?? 'not_polled';
    return node;
  }
  const srvr = sample.srvr;
  if (!srvr.ok) {
    if (srvr.reason === 'not_serving') {
      node.role = 'not_serving';
      node.lastSeenAt = sample.polledAt;
    } else {
      node.role = failedRole;
      node.reason = srvr.reason;
    }
    return node;
  }
  const stats = srvr.value;
  node.role = roleOf(stats);
  node.zxid = zxidState(stats.zxid);
  node.outstanding = stats.outstanding;
  node.connections = stats.connections;
  const alive = mntrNumber(sample.mntr, DERIVED_MNTR_KEYS.connections);
  if (alive !== undefined) node.aliveConnections = alive;
  node.lastSeenAt = sample.polledAt;
  return node;
}

/**
 * A conf member the agent does not poll. It counts among the voters (conf says it votes) but the
 * agent cannot see it, so it is neither healthy nor down: `unknown`, with reason `not_configured`
 * (discovery off) or `no_address` (discovery found no address of its own).
 */
export function unconfiguredNode(member: QuorumMember, reason: 'not_configured' | 'no_address'): NodeState {
  return {
    server: member.clientAddress ?? `server.${member.id}`,
    serverId: member.id,
    voter: member.role === 'participant',
    role: 'unknown',
    reason,
  };
}

/** True when the node answered this round (any role but `down` and `unknown`). */
export function isAnswering(node: NodeState): boolean {
  return node.role !== 'down' && node.role !== 'unknown';
}

/**
 * node_down / node_up for polled nodes whose answering status differs from the previous round.
 * A node absent from the previous round (start-up) has nothing to compare with; `unknown` is neither
 * up nor down, so it starts or ends no outage.
 */
export function nodeTransitions(
  ensemble: string,
  previousNodes: ReadonlyMap<string, NodeState>,
  nodes: readonly NodeState[],
  at: number,
): Transition[] {
  const transitions: Transition[] = [];
  for (const node of nodes) {
    if (node.role === 'unknown') continue;
    const before = previousNodes.get(node.server);
    if (!before || before.role === 'unknown' || isAnswering(before) === isAnswering(node)) continue;
    const id = node.serverId === undefined ? {} : { serverId: node.serverId };
    if (isAnswering(node)) {
      transitions.push({ at, ensemble, kind: 'node_up', server: node.server, ...id, to: node.role });
    } else {
      // reason is always set on a down node; the fallback only satisfies the type.
      const reason = node.reason ?? 'not_polled';
      transitions.push({ at, ensemble, kind: 'node_down', server: node.server, ...id, reason, from: before.role });
    }
  }
  return transitions;
}

/**
 * Server ids that two or more answering nodes claim (e.g. cloned hosts sharing a `myid`), in node
 * order. Their voter cannot be told apart, so the quorum counts each such id once and never as healthy.
 */
export function duplicateServerIds(nodes: readonly NodeState[]): DuplicateServerId[] {
  const byId = new Map<number, string[]>();
  for (const node of nodes) {
    if (node.serverId === undefined || !isAnswering(node)) continue;
    byId.set(node.serverId, [...(byId.get(node.serverId) ?? []), node.server]);
  }
  return [...byId].filter(([, servers]) => servers.length > 1).map(([serverId, servers]) => ({ serverId, servers }));
}
