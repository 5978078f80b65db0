import type { LeaderInfo, NodeState } from './types.js';

/** Who claims leadership this round and how the claims resolve. */
export interface LeaderClaims {
  /** The one serving leader; undefined without claims or during split brain. */
  leader?: NodeState;
  /** Every node answering leader (or standalone). */
  claimants: NodeState[];
  /** Two or more claimants share the highest epoch. */
  splitBrain: boolean;
  /** The claimants in the highest epoch when split brain, else empty. */
  splitBrainLeaders: NodeState[];
  /** Claimants in an older epoch than the highest believed one: deposed leaders still answering. */
  stale: NodeState[];
  /** Claimants no answering follower backs, in a newer epoch than a claimant a majority of them backs. */
  suspect: NodeState[];
}

/** The epoch of a node that answered srvr (claimants always did). */
function epochOf(node: NodeState): number {
  return node.zxid?.epoch ?? -1;
}

/**
 * True when a follower's zxid backs a leader's epoch: the same epoch, or one behind — a new leader
 * shows `0x<epoch>00000000` while quiet followers keep the previous epoch's zxid until the first write.
 */
export function backs(follower: NodeState, claimant: NodeState): boolean {
  const epoch = follower.zxid?.epoch;
  return epoch !== undefined && (epoch === epochOf(claimant) || epoch + 1 === epochOf(claimant));
}

/**
 * Claims to disbelieve: a claimant that no answering follower backs, while a claimant in an older epoch
 * is backed by a majority of them. A node claiming a far-ahead epoch then cannot demote the leader the
 * followers follow; a genuine new leader is backed (its followers share its epoch or are one behind).
 */
function suspectClaims(claimants: readonly NodeState[], nodes: readonly NodeState[]): NodeState[] {
  const followers = nodes.filter((node) => node.role === 'follower' && node.zxid !== undefined);
  const backing = (claimant: NodeState) => followers.filter((follower) => backs(follower, claimant)).length;
  const followed = claimants.filter((claimant) => backing(claimant) * 2 > followers.length);
  return claimants.filter((claimant) => backing(claimant) === 0 && followed.some((other) => epochOf(other) < epochOf(claimant)));
}

/**
 * Resolves leadership claims. A standalone node serves as its own leader. Suspect claims (see
 * {@link suspectClaims}) are set apart first. Among the rest, several claims in the same highest epoch
 * are split brain; a claim in an older epoch is a deposed leader that has not yet noticed
 * (ZooKeeper's new leader always starts a higher epoch), not split brain.
 */
export function resolveLeaders(nodes: readonly NodeState[]): LeaderClaims {
  const claimants = nodes.filter((node) => node.role === 'leader' || node.role === 'standalone');
  if (claimants.length === 0) return { claimants, splitBrain: false, splitBrainLeaders: [], stale: [], suspect: [] };
  const suspect = suspectClaims(claimants, nodes);
  const believed = claimants.filter((node) => !suspect.includes(node));
  const top = Math.max(...believed.map(epochOf));
  const current = believed.filter((node) => epochOf(node) === top);
  const stale = believed.filter((node) => epochOf(node) !== top);
  if (current.length > 1) return { claimants, splitBrain: true, splitBrainLeaders: current, stale, suspect };
  return { leader: current[0], claimants, splitBrain: false, splitBrainLeaders: [], stale, suspect };
}

/**
 * Same leadership term: same epoch and same node. Nodes compare by server id when both sides know
 * it, else by address (the id may be learned only after the first sighting).
 */
export function sameTerm(a: Omit<LeaderInfo, 'since'>, b: Omit<LeaderInfo, 'since'>): boolean {
  if (a.epoch !== b.epoch) return false;
  if (a.serverId !== undefined && b.serverId !== undefined) return a.serverId === b.serverId;
  return a.server === b.server;
}

/** The leader this round and whether it is a counted change from the last known leader. */
export interface LeaderTracking {
  leader?: LeaderInfo;
  lastKnownLeader?: LeaderInfo;
  /** Set when the leader differs (node or epoch) from the last known one: a counted change. */
  changedFrom?: LeaderInfo;
}

/**
 * Compares this round's leader with the last known one, which survives leaderless rounds so a
 * leader that vanishes and returns in the same epoch is not counted, and an election that ends with
 * a new leader is counted once. The first leader ever seen is not a change.
 */
export function trackLeader(lastKnown: LeaderInfo | undefined, current: NodeState | undefined, now: number): LeaderTracking {
  if (!current) return lastKnown ? { lastKnownLeader: lastKnown } : {};
  const observed: Omit<LeaderInfo, 'since'> = { server: current.server, epoch: epochOf(current) };
  if (current.serverId !== undefined) observed.serverId = current.serverId;
  if (lastKnown && sameTerm(lastKnown, observed)) {
    const leader = { ...observed, since: lastKnown.since };
    return { leader, lastKnownLeader: leader };
  }
  const leader = { ...observed, since: now };
  return lastKnown ? { leader, lastKnownLeader: leader, changedFrom: lastKnown } : { leader, lastKnownLeader: leader };
}
