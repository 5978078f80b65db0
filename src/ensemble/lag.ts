import type { NodeState, ZxidState } from './types.js';

/** A learner's lag behind the leader, in transactions. */
export interface Lag {
  lag: number;
  /** True when the real lag may be larger. */
  lowerBound: boolean;
}

/**
 * Lag of a learner (follower or observer) from the two last-processed zxids; undefined when unknown.
 * - Same epoch: leader counter − learner counter, clamped at 0: the nodes are polled one after the
 *   other, so a learner asked a moment after the leader can already be ahead.
 * - Learner in an older epoch: srvr's zxid is the last *processed* one, so after an election a quiet
 *   learner keeps the old epoch's zxid until the first write. With the leader's counter still 0 nothing
 *   was written in the new epoch: in sync, lag 0 exactly. Otherwise it has at least all of the new
 *   epoch's writes to apply: the leader's counter is a lower bound.
 * - Learner in a newer epoch: the "leader" is the stale one; nothing sensible to subtract.
 */
export function learnerLag(leader: ZxidState, learner: ZxidState): Lag | undefined {
  if (learner.epoch === leader.epoch) return { lag: Math.max(0, leader.counter - learner.counter), lowerBound: false };
  if (learner.epoch > leader.epoch) return undefined;
  return leader.counter === 0 ? { lag: 0, lowerBound: false } : { lag: leader.counter, lowerBound: true };
}

/**
 * Sets `lag`/`lagIsLowerBound` on the leader (0) and on answering followers and observers. Without a
 * single leader (election, split brain) every lag stays unknown, as does that of any node without a zxid.
 */
export function applyLag(nodes: NodeState[], leader: NodeState | undefined): void {
  const leaderZxid = leader?.zxid;
  if (!leader || !leaderZxid) return;
  for (const node of nodes) {
    if (node === leader) {
      node.lag = 0;
      node.lagIsLowerBound = false;
      continue;
    }
    if ((node.role !== 'follower' && node.role !== 'observer') || !node.zxid) continue;
    const lag = learnerLag(leaderZxid, node.zxid);
    if (!lag) continue;
    node.lag = lag.lag;
    node.lagIsLowerBound = lag.lowerBound;
  }
}

/** Largest known learner lag and whether it is only a lower bound. */
export function maxLearnerLag(nodes: readonly NodeState[], leader: NodeState | undefined): { max?: number; lowerBound: boolean } {
  let max: number | undefined;
  let lowerBound = false;
  for (const node of nodes) {
    if (node === leader || node.lag === undefined) continue;
    max = max === undefined ? node.lag : Math.max(max, node.lag);
    // Any lower-bound entry may hide a lag above the maximum of the rest.
    if (node.lagIsLowerBound) lowerBound = true;
  }
  return max === undefined ? { lowerBound } : { max, lowerBound };
}
