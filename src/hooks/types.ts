/** Shapes shared by the hook modules: intents, payloads, attempt outcomes and audit entries. */
import type { QuorumState, Transition } from '../ensemble/types.js';
import type { AgentHookEvent, HookEvent } from '../model/hook-events.js';

/** A decision to call a hook, persisted before the first attempt. */
export interface HookIntent {
  /** Unique id of this intent (random). */
  id: string;
  /** Stable across retries, restarts and agents: derived from the incident, sent as `Idempotency-Key`. */
  idempotencyKey: string;
  hook: string;
  event: HookEvent;
  ensemble?: string;
  /** Unix ms when the intent was created. */
  createdAt: number;
  /** The JSON body to send (before any template). */
  payload: HookPayload;
}

/** The JSON body of an agent-driven hook call. */
export interface HookPayload {
  event: HookEvent;
  idempotencyKey: string;
  ensemble?: string;
  quorum?: QuorumState;
  margin?: number;
  /** The leader serving in the latest round; absent without one. */
  leader?: { server: string; serverId?: number; epoch: number };
  /** The last leader the agent saw (the serving one, or the one before an outage or election). */
  lastKnownLeader?: { server: string; serverId?: number; epoch: number };
  nodes?: Array<{ server: string; serverId?: number; role: string; reason?: string }>;
  transitions?: Transition[];
  /** Set for `writes_stalled`: the write canary's latest round, with the probes that failed. */
  canary?: HookCanaryPayload;
  /** Set for Alertmanager-driven deliveries: the alert as received. */
  alert?: unknown;
  agent: { id: string; version: string };
  /** Unix ms the triggering condition was first seen. */
  triggeredAt: number;
  /** The same for both reports of one incident (an agent rule, a forwarded alert), so a receiver can tie them together. */
  incident?: HookIncident;
}

/** What a hook payload says to correlate one incident across the agent's rules and Alertmanager alerts. */
export interface HookIncident {
  ensemble: string;
  /** The agent event the incident is, for an alert by its name (`ZookeeperQuorumLost` → `quorum_lost`). */
  event: AgentHookEvent;
  /** Leader epoch of the serving or last known leader; for an alert, its `epoch` annotation when it has one. */
  epoch?: number;
  /** Unix ms the condition was first seen: the rule's onset, or the alert's `startsAt`. */
  onset: number;
}

/** What a `writes_stalled` payload says about the write canary. */
export interface HookCanaryPayload {
  /** Unix ms of the canary round that first saw no write commit (this agent's canary). */
  stalledSince: number;
  /** Unix ms of the latest canary round. */
  lastRoundAt: number;
  /** The nodes whose probe failed, in configured order: the step that failed, why, and when each last passed. */
  failingNodes: Array<{ server: string; failedOp?: string; reason?: string; lastSuccessAt?: number }>;
}

/** How one delivery attempt ended. */
export type AttemptOutcome =
  { kind: 'delivered'; status: number } | { kind: 'retry'; status?: number; error?: string } | { kind: 'rejected'; status: number };

/** Final fate of an intent. */
export type IntentResult = 'delivered' | 'rejected' | 'dead_lettered' | 'suppressed' | 'dry_run';

/** Audit trail entry (also written to the state dir). */
export interface AuditEntry {
  at: number;
  type: 'intent' | 'attempt' | 'result' | 'suppressed' | 'skipped' | 'ack' | 'pause' | 'resume' | 'duplicate';
  intentId?: string;
  hook?: string;
  event?: HookEvent;
  ensemble?: string;
  idempotencyKey?: string;
  attempt?: number;
  outcome?: AttemptOutcome;
  result?: IntentResult;
  detail?: string;
  by?: string;
}
