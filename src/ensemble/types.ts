import type { FailureReason } from '../model/outcome.js';
import type { ServerTarget } from '../model/target.js';
import type { QuorumMember } from '../parse/types.js';
import type { CanaryFailureReason, CanaryOp } from '../zk/canary-types.js';

/** A `conf` member the agent was not configured with but polls, found through some node's `conf`. */
export interface DiscoveredMember {
  /** Where it is polled: its client address from `conf`, or its quorum host with the seed's client port. */
  target: ServerTarget;
  /** `host:port` of `target` (the `server` label). */
  server: string;
  /** Its id in `conf` (`server.N`). */
  serverId: number;
  /** True when `conf` lists it as a participant. */
  voter: boolean;
  /**
   * Set, with no sample handed over, while the member has never answered at this address: why this
   * round's poll failed. It then stays `unknown` and exports no per-node series.
   */
  failure?: DownReason;
}

/** What derivation needs to know of one watched ensemble: its name, configured servers and discovered members. */
export interface EnsembleInput {
  name: string;
  /** The configured servers (the seeds), in configured order. */
  servers: readonly ServerTarget[];
  /**
   * Members polled this round through discovery; absent when discovery is off (the ensemble's members
   * that were not configured are then `unknown` with reason `not_configured`).
   */
  discovered?: readonly DiscoveredMember[];
}

// Everything here is plain JSON (numbers, strings, booleans, arrays, objects): the HTTP API
// serialises an EnsembleState with JSON.stringify as is, so no bigint, Map, Set or Date.

/**
 * What a node is doing this round, from its own `srvr` answer.
 * - `leader` / `follower` / `observer` / `standalone`: serving in that mode.
 * - `read_only`: serving reads only (read-only mode: it has lost its quorum).
 * - `not_serving`: answered "not currently serving requests" (election, or no quorum).
 * - `down`: did not answer srvr usefully at an address the agent trusts (configured, or discovered and
 *   seen answering there before); see `reason`.
 * - `unknown`: a member the agent was not told about and has never seen answer: not evidence of an
 *   outage (its address may be wrong or unreachable from here); see `reason`.
 */
export type NodeRole = 'leader' | 'follower' | 'observer' | 'standalone' | 'read_only' | 'not_serving' | 'down' | 'unknown';

/**
 * Why a node is `down` or `unknown`: its srvr failure reason; `not_polled` for a configured server with
 * no sample this round; `not_configured` for a `conf` member while discovery is off; `no_address` for a
 * `conf` member discovery could not give an address of its own (its derived address is a configured
 * server's or another member's, or answers as another server id).
 */
export type DownReason = Exclude<FailureReason, 'not_serving'> | 'not_polled' | 'not_configured' | 'no_address';

/**
 * - `healthy`: a leader serves and at least one more voter than the majority is seen healthy (margin ≥ 1).
 * - `at_risk`: a leader serves with exactly a majority and every voter's state is known (margin 0).
 * - `lost`: the voters seen down or not serving leave no possible majority, or every voter is known and
 *   none serves as leader.
 * - `unknown`: what the agent sees proves neither: voters it cannot see could make the difference.
 */
export type QuorumState = 'healthy' | 'at_risk' | 'lost' | 'unknown';

/** Where voters/observers were counted from: some node's `conf` membership, or the configured server list. */
export type MembershipSource = 'conf' | 'configured';

/** The membership part of a `conf` reply, kept so a round in which no node answers `conf` still knows who votes. */
export interface ConfMembership {
  members: QuorumMember[];
  /** `version=` of that conf. */
  configVersion?: string;
  /** True when `members` lists voters only (from the AdminServer's `voting_view`). */
  votersOnly?: boolean;
  /**
   * Distinct nodes whose `conf` agreed on this membership, the most seen since it was accepted: a
   * lone node's different `conf` may replace only a membership that no more than one node vouched for.
   */
  agreedBy?: number;
}

/** A node whose `conf` membership differs from the accepted one (or, when none is accepted, disagrees with the others). */
export interface MembershipConflict {
  server: string;
  serverId?: number;
  /** `version=` of that node's conf, when it prints one. */
  configVersion?: string;
}

/** One server id claimed by two or more answering nodes. */
export interface DuplicateServerId {
  serverId: number;
  /** The nodes claiming it, in node order. */
  servers: string[];
}

/** A zxid in JSON form: the hex text as ZooKeeper prints it plus its two 32-bit halves. */
export interface ZxidState {
  /** `0x…`, lower-case, no leading zeros (as `srvr` prints it). */
  hex: string;
  /** Leader epoch (high 32 bits). */
  epoch: number;
  /** Transaction counter within the epoch (low 32 bits). */
  counter: number;
}

/** One node of the ensemble as derived for one round. */
export interface NodeState {
  /** `host:port` as configured (the `server` label); `server.<id>` for an unconfigured conf member without a client address. */
  server: string;
  /** ZooKeeper server id (myid), when known. */
  serverId?: number;
  /** True when this node is a voting member (participant); false for observers and non-members. */
  voter: boolean;
  /** True for a member polled through discovery (not configured). */
  discovered?: boolean;
  role: NodeRole;
  /** Set only when `role` is `down` or `unknown`. */
  reason?: DownReason;
  /** Last processed zxid, when srvr answered. */
  zxid?: ZxidState;
  /** Transactions behind the leader; absent when unknown (never zero for "unknown"). */
  lag?: number;
  /** Present with `lag`: true when `lag` is only a lower bound (follower still in an older epoch). */
  lagIsLowerBound?: boolean;
  /** srvr `Outstanding:`. */
  outstanding?: number;
  /** srvr `Connections:`. */
  connections?: number;
  /** mntr `num_alive_connections`, when mntr answered and carries it. */
  aliveConnections?: number;
  /** `polledAt` of the last round in which the node answered (any role but `down`). */
  lastSeenAt?: number;
}

/** A leadership term as seen by the agent: who leads, in which epoch, since when. */
export interface LeaderInfo {
  server: string;
  serverId?: number;
  epoch: number;
  /** When the agent first saw this leader in this epoch (at start-up: the first round, not the real start). */
  since: number;
}

/** Election tracking. */
export interface ElectionState {
  /** True while voters answer but no node serves as leader (kept open through rounds where no voter answers). */
  inProgress: boolean;
  /** When the current election was first seen. */
  startedAt?: number;
  /** True when the current election was already under way in the agent's first round (its start was not seen). */
  startedAtStartup?: boolean;
  /** Duration of the last election that ended. */
  lastDurationMs?: number;
  /** When the last election ended. */
  lastEndedAt?: number;
}

/** Ensemble-wide sums. */
export interface EnsembleTotals {
  /** Leader's mntr `global_sessions`; absent without a leader or its mntr. */
  globalSessions?: number;
  /** Sum over answering nodes of mntr `num_alive_connections`, else srvr `Connections:`. */
  connections: number;
  /** Sum over answering nodes of srvr `Outstanding:`. */
  outstanding: number;
  /** Largest known learner lag (followers and observers); absent when none is known. */
  maxFollowerLag?: number;
  /** True when any known learner lag is a lower bound, so the true maximum may be larger. */
  maxFollowerLagIsLowerBound: boolean;
}

/** The derived truth about one ensemble after a round, plus what it remembers across rounds. */
export interface EnsembleState {
  name: string;
  membershipSource: MembershipSource;
  /** `version=` of the conf used for membership, when the source is `conf`. */
  configVersion?: string;
  /** The last accepted `conf` membership (see `membershipConflicts`), kept while no `conf` is accepted (absent before any). */
  confMembership?: ConfMembership;
  /** Voting members (participants). */
  voters: number;
  /** Observers (never count for quorum). */
  observers: number;
  /** floor(voters / 2) + 1. */
  majority: number;
  /**
   * Voters answering srvr as leader, follower or standalone (stale leaders excluded), plus the leader
   * that serving followers prove when the agent cannot see it.
   */
  healthyVoters: number;
  /** Voters whose state the agent cannot see (`unknown` members, or conf voters no node maps to). */
  unknownVoters: number;
  /** healthyVoters − majority; only a lower bound while `unknownVoters` > 0. */
  margin: number;
  quorum: QuorumState;
  /** When `quorum` took its current value (the first round for the start-up state). */
  quorumSince: number;
  /** What the first round established (start-up is recorded here, never as a transition). */
  initial: { at: number; quorum: QuorumState };
  /** The serving leader this round; absent during an election, without any leader, or during split brain. */
  leader?: LeaderInfo;
  /** The last leader seen, kept across leaderless rounds so a returning leader is not counted again. */
  lastKnownLeader?: LeaderInfo;
  election: ElectionState;
  /** Two or more nodes claim leadership in the same, highest, epoch. */
  splitBrain: boolean;
  /** Servers claiming leadership in the split-brain epoch; empty unless `splitBrain`. */
  splitBrainLeaders: string[];
  /** Servers still answering `leader` in an older epoch than the current leader (deposed, answering briefly). */
  staleLeaders: string[];
  /**
   * Servers claiming leadership in an epoch no answering follower shares, while another leader is
   * followed by a majority of the answering followers: neither the leader nor stale, and not healthy.
   * Set by every derivation (optional only for states built by hand).
   */
  suspectLeaders?: string[];
  /** Nodes whose `conf` membership differs from the accepted one. Set by every derivation (optional only for states built by hand). */
  membershipConflicts?: MembershipConflict[];
  /**
   * Server ids claimed by two or more answering nodes: each counts once toward the quorum, and as a
   * voter not proven healthy. Set by every derivation (optional only for states built by hand).
   */
  duplicateServerIds?: DuplicateServerId[];
  /** Configured nodes in configured order, then discovered members, then conf members not polled (role `unknown`). */
  nodes: NodeState[];
  totals: EnsembleTotals;
  /** Leader changes counted since start-up (the first observation is not one). */
  leaderChanges: number;
  /** Elections seen starting since start-up (one already under way at start-up is not counted). */
  electionsTotal: number;
  /** Recent transitions, oldest first, at most `timelineLimit`. */
  timeline: Transition[];
  /** Rounds derived so far, this one included. */
  rounds: number;
  /** `now` of the latest round. */
  lastRoundAt: number;
  /** With a write canary: true when a write committed through at least one node in the latest canary round. Absent without a canary (or before its first round). */
  writable?: boolean;
  /** With a write canary: its latest round as seen by the ensemble. Absent without a canary. */
  canary?: EnsembleCanaryState;
}

/** One node's latest canary probe, as kept in the ensemble state. */
export interface CanaryNodeState {
  server: string;
  /** Write and read-back both succeeded within the timeout. */
  ok: boolean;
  /** The write committed within the timeout. */
  wrote: boolean;
  /** The step that failed and why, when not `ok`. */
  failedOp?: CanaryOp;
  reason?: CanaryFailureReason;
  /** When this node last passed a probe (Unix ms), kept across failed rounds. */
  lastSuccessAt?: number;
}

/** The write canary's view of the ensemble. */
export interface EnsembleCanaryState {
  /** Same as `EnsembleState.writable`. */
  writable: boolean;
  /** The `writes_stalled` condition: the canary runs and no write committed in its latest round. */
  writesStalled: boolean;
  /** When `writable` took its current value (the first canary round for the start-up value). */
  since: number;
  /** When the latest canary round finished. */
  lastRoundAt: number;
  /** One per probed node, in configured order. */
  nodes: CanaryNodeState[];
}

/** Fields every transition carries. */
interface TransitionBase {
  /** `now` of the round that saw it. */
  at: number;
  ensemble: string;
}

/** The quorum state changed (never emitted for the first round). */
export interface QuorumStateChangedTransition extends TransitionBase {
  kind: 'quorum_state_changed';
  from: QuorumState;
  to: QuorumState;
  voters: number;
  healthyVoters: number;
  margin: number;
}

/** A different leader, or the same one in a new epoch, compared with the last known leader. */
export interface LeaderChangedTransition extends TransitionBase {
  kind: 'leader_changed';
  /** The new leader. */
  server: string;
  serverId?: number;
  from: string;
  fromServerId?: number;
  fromEpoch: number;
  to: string;
  toServerId?: number;
  toEpoch: number;
}

/** Voters answer but none serves as leader. */
export interface ElectionStartedTransition extends TransitionBase {
  kind: 'election_started';
}

/** A leader appeared after an election; `durationMs` is for the elections histogram. */
export interface ElectionEndedTransition extends TransitionBase {
  kind: 'election_ended';
  /** The leader that ended it. */
  server: string;
  serverId?: number;
  startedAt: number;
  durationMs: number;
  /** True when the election was under way at start-up: `durationMs` is then truncated; do not observe it. */
  startedAtStartup: boolean;
}

/** A configured or discovered node stopped answering srvr. */
export interface NodeDownTransition extends TransitionBase {
  kind: 'node_down';
  server: string;
  serverId?: number;
  reason: DownReason;
  /** Role in the previous round. */
  from: NodeRole;
}

/** A configured node answers srvr again. */
export interface NodeUpTransition extends TransitionBase {
  kind: 'node_up';
  server: string;
  serverId?: number;
  /** Role now. */
  to: NodeRole;
}

/** Two or more leaders in the same epoch appeared (`started`) or no longer do (`ended`). */
export interface SplitBrainTransition extends TransitionBase {
  kind: 'split_brain';
  phase: 'started' | 'ended';
  /** The epoch the leaders claimed. */
  epoch: number;
  /** The servers claiming leadership in that epoch. */
  servers: string[];
}

/** A node answers `leader` in an older epoch than the current leader (emitted once when it starts). */
export interface StaleLeaderTransition extends TransitionBase {
  kind: 'stale_leader';
  server: string;
  serverId?: number;
  /** The stale node's epoch. */
  epoch: number;
  /** The current leader's epoch. */
  leaderEpoch: number;
}

/**
 * Writes stopped committing (`started`: a canary round in which no write committed through any node,
 * after one in which some did) or commit again (`ended`). Never emitted for the first canary round.
 */
export interface WritesStalledTransition extends TransitionBase {
  kind: 'writes_stalled';
  phase: 'started' | 'ended';
  /** Per node, why its probe failed (`started`), or the nodes whose write committed (`ended`). */
  nodes: { server: string; failedOp?: CanaryOp; reason?: CanaryFailureReason }[];
  /** For `ended`: how long writes were stalled, from the round that saw the stall to this one. */
  durationMs?: number;
}

/** Something that changed between two rounds, for the timeline, logs, metrics and hooks. */
export type Transition =
  | QuorumStateChangedTransition
  | LeaderChangedTransition
  | ElectionStartedTransition
  | ElectionEndedTransition
  | NodeDownTransition
  | NodeUpTransition
  | SplitBrainTransition
  | StaleLeaderTransition
  | WritesStalledTransition;

/** Options of {@link deriveEnsemble}. */
export interface DeriveOptions {
  /**
   * Most transitions kept in `EnsembleState.timeline`.
   * @default 100
   */
  timelineLimit?: number;
}

/** What one derivation returns: the new state and this round's transitions (also appended to its timeline). */
export interface DeriveResult {
  state: EnsembleState;
  transitions: Transition[];
}
