/**
 * Vocabulary of the write canary: what one probe of one node and one round over an ensemble's nodes
 * report. Plain JSON values, so a round can be kept in the ensemble state and served as is.
 */

/** Why a canary probe failed; each is a `reason` label of `zookeeper_canary_failures_total`. */
export const CANARY_FAILURE_REASONS = [
  'timeout', // the operation did not answer within the canary timeout (e.g. a leader cut off from its quorum)
  'not_connected', // no session to the node within the timeout (connecting, or reconnecting after a loss)
  'connection_loss', // the connection dropped while the operation was in flight
  'session_expired', // the node expired the canary's session; a new one is opened with backoff
  'no_auth', // the ACL on the canary path refused the canary's credentials
  'auth_failed', // the node rejected the credentials themselves
  'not_read_only', // the node is in read-only mode and refused the write
  'no_node', // a parent is missing and could not be created (e.g. the chroot does not exist)
  'read_mismatch', // the read after the write returned other bytes than were written
  'error', // any other ZooKeeper error code
] as const;

/** One of {@link CANARY_FAILURE_REASONS}. */
export type CanaryFailureReason = (typeof CANARY_FAILURE_REASONS)[number];

/** The steps of one probe, in order; `write` and `read` are the ones timed in the latency histogram. */
export type CanaryOp = 'connect' | 'create' | 'write' | 'read';

/** The result of one probe of one node. */
export interface CanaryNodeResult {
  /** `host:port` as configured (the `server` label). */
  server: string;
  /** When the probe started and ended (Unix ms). */
  startedAt: number;
  finishedAt: number;
  /** True when the write committed within the timeout (whatever the read then did). */
  wrote: boolean;
  /** True when the write and the read-back both succeeded within the timeout. */
  ok: boolean;
  /** The step that failed, when `ok` is false. */
  failedOp?: CanaryOp;
  /** Why it failed, when `ok` is false. */
  reason?: CanaryFailureReason;
  /** Durations of the steps that finished (successfully or not, but not timed out). */
  latencyMs: { write?: number; read?: number };
}

/** One canary round over every node of one ensemble. */
export interface CanaryRound {
  ensemble: string;
  startedAt: number;
  finishedAt: number;
  /** One result per configured node, in configured order. */
  nodes: CanaryNodeResult[];
}
