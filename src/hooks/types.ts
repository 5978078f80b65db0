import type { QuorumState, Transition } from '../ensemble/types.js';

/** Agent-driven events a hook rule can fire on. */
export const HOOK_EVENTS = ['quorum_at_risk', 'quorum_lost', 'quorum_restored', 'leader_changed', 'split_brain', 'election_too_long'] as const;
/** One of {@link HOOK_EVENTS}, or `alert` for an Alertmanager-driven delivery. */
export type HookEvent = (typeof HOOK_EVENTS)[number] | 'alert';

/** Where and how one hook is delivered (after config defaults). */
export interface HookTarget {
  /** Unique hook name (used in metrics, audit and the idempotency key). */
  name: string;
  url: string;
  /** Per-attempt deadline. */
  timeoutMs: number;
  /** After this age an undelivered intent is dead-lettered. */
  maxAgeMs: number;
  /** Most deliveries in flight at once to this hook. */
  concurrency: number;
  /** First retry delay; doubled per attempt (with jitter) up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Optional JSON template: `{{path.to.field}}` placeholders filled from the payload. */
  template?: string;
  /** Extra request headers (values never logged). */
  headers?: Record<string, string>;
}

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
  leader?: { server: string; serverId?: number; epoch: number };
  nodes?: Array<{ server: string; serverId?: number; role: string; reason?: string }>;
  transitions?: Transition[];
  /** Set for Alertmanager-driven deliveries: the alert as received. */
  alert?: unknown;
  agent: { id: string; version: string };
  /** Unix ms the triggering condition was first seen. */
  triggeredAt: number;
}

/** How one delivery attempt ended. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status?: number; error?: string }
  | { kind: 'rejected'; status: number };

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
