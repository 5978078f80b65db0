/**
 * Builds hook intents: the JSON body of an agent-driven or Alertmanager-driven call and its
 * outbox record. Pure: the intent id and the clock come in from the caller.
 */
import type { EnsembleCanaryState, EnsembleState } from '../../ensemble/types.js';
import type { AgentHookEvent } from '../../model/hook-events.js';
import type { HookCanaryPayload, HookIncident, HookIntent, HookPayload } from '../types.js';
import type { RoutedAlert } from './alertmanager.js';
import type { DueHook } from './rules.js';

/** How many recent transitions a hook payload carries. */
export const PAYLOAD_TRANSITIONS = 20;

/**
 * Alerts (alerts/rules.ts, and the agent's own Alertmanager push) that report the same incident as
 * an agent event: their forwarded payloads carry the `incident` an agent rule's payload carries.
 */
const ALERT_EVENTS: Readonly<Record<string, AgentHookEvent>> = {
  ZookeeperQuorumLost: 'quorum_lost',
  ZookeeperQuorumLostPerNode: 'quorum_lost',
  ZookeeperQuorumAtRisk: 'quorum_at_risk',
  ZookeeperSplitBrain: 'split_brain',
  ZookeeperLongElection: 'election_too_long',
  ZookeeperWritesStalled: 'writes_stalled',
};

/** Who sends: the `agent` field of every payload. */
export interface AgentIdentity {
  id: string;
  version: string;
}

/** The intent for a due agent-driven hook, from the ensemble's state after the round. */
export function intentForDue(due: DueHook, state: EnsembleState, agent: AgentIdentity, id: string, now: number): HookIntent {
  const payload: HookPayload = {
    event: due.event,
    idempotencyKey: due.idempotencyKey,
    ensemble: state.name,
    quorum: state.quorum,
    margin: state.margin,
    nodes: state.nodes.map((n) => ({
      server: n.server,
      role: n.role,
      ...(n.serverId !== undefined ? { serverId: n.serverId } : {}),
      ...(n.reason ? { reason: n.reason } : {}),
    })),
    transitions: state.timeline.slice(-PAYLOAD_TRANSITIONS),
    agent: { ...agent },
    triggeredAt: due.triggeredAt,
    incident: withEpoch({ ensemble: state.name, event: due.event, onset: due.triggeredAt }, (state.leader ?? state.lastKnownLeader)?.epoch),
  };
  // `leader` is only the leader serving now: a leader last seen before it went down is named apart.
  const leaderOf = (leader: NonNullable<EnsembleState['leader']>) => ({
    server: leader.server,
    epoch: leader.epoch,
    ...(leader.serverId !== undefined ? { serverId: leader.serverId } : {}),
  });
  if (state.leader) payload.leader = leaderOf(state.leader);
  if (state.lastKnownLeader) payload.lastKnownLeader = leaderOf(state.lastKnownLeader);
  if (due.event === 'writes_stalled' && state.canary) payload.canary = canaryOf(state.canary);
  return { id, idempotencyKey: due.idempotencyKey, hook: due.rule.hook, event: due.event, ensemble: state.name, createdAt: now, payload };
}

// The failing probes of the canary's latest round: what a receiver needs to tell which nodes refuse writes.
function canaryOf(canary: EnsembleCanaryState): HookCanaryPayload {
  return {
    stalledSince: canary.since,
    lastRoundAt: canary.lastRoundAt,
    failingNodes: canary.nodes
      .filter((n) => !n.ok)
      .map((n) => ({
        server: n.server,
        ...(n.failedOp !== undefined ? { failedOp: n.failedOp } : {}),
        ...(n.reason !== undefined ? { reason: n.reason } : {}),
        ...(n.lastSuccessAt !== undefined ? { lastSuccessAt: n.lastSuccessAt } : {}),
      })),
  };
}

/** The intent for one routed alert; its ensemble is the alert's `ensemble` label, when set. */
export function intentForAlert(routed: RoutedAlert, agent: AgentIdentity, id: string, now: number): HookIntent {
  const ensemble = routed.alert.labels.ensemble;
  const startsAt = Date.parse(routed.alert.startsAt);
  const event = routed.alert.labels.alertname === undefined ? undefined : ALERT_EVENTS[routed.alert.labels.alertname];
  const epoch = Number(routed.alert.annotations.epoch ?? NaN);
  const incident =
    ensemble && event && !Number.isNaN(startsAt)
      ? withEpoch({ ensemble, event, onset: startsAt }, Number.isSafeInteger(epoch) ? epoch : undefined)
      : undefined;
  return {
    id,
    idempotencyKey: routed.idempotencyKey,
    hook: routed.route.hook,
    event: 'alert',
    createdAt: now,
    payload: {
      event: 'alert',
      idempotencyKey: routed.idempotencyKey,
      alert: routed.alert,
      agent: { ...agent },
      triggeredAt: Number.isNaN(startsAt) ? now : startsAt,
      ...(ensemble ? { ensemble } : {}),
      ...(incident ? { incident } : {}),
    },
    ...(ensemble ? { ensemble } : {}),
  };
}

function withEpoch(incident: HookIncident, epoch: number | undefined): HookIncident {
  return epoch === undefined ? incident : { ...incident, epoch };
}
