import type { NodeState, QuorumState } from './types.js';

/** Quorum arithmetic for one round. */
export interface QuorumAssessment {
  majority: number;
  healthyVoters: number;
  margin: number;
  quorum: QuorumState;
}

/** Smallest majority of `voters` voting members. */
export function majorityOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * A voter counts as healthy when it answered srvr serving as leader, follower or standalone, whatever
 * its zxid epoch (a quiet follower keeps the previous epoch's zxid). A stale leader is not healthy:
 * it no longer leads and has not yet rejoined.
 */
export function isHealthyVoter(node: NodeState, stale: ReadonlySet<string>): boolean {
  if (!node.voter || stale.has(node.server)) return false;
  return node.role === 'leader' || node.role === 'follower' || node.role === 'standalone';
}

/**
 * Quorum from what each node answered, never from the leader's `synced_followers` (which lags by about
 * syncLimit × tickTime). Observers never count. Split brain does not change the arithmetic (the flag
 * says it); `servingLeader` only needs someone to lead.
 */
export function assessQuorum(
  voters: number,
  nodes: readonly NodeState[],
  stale: ReadonlySet<string>,
  servingLeader: boolean,
): QuorumAssessment {
  const majority = majorityOf(voters);
  // Capped: a node with an unknown id inferred as voter must not push the count past conf's voters.
  const healthyVoters = Math.min(voters, nodes.filter((node) => isHealthyVoter(node, stale)).length);
  const margin = healthyVoters - majority;
  const quorum: QuorumState = !servingLeader || margin < 0 ? 'lost' : margin === 0 ? 'at_risk' : 'healthy';
  return { majority, healthyVoters, margin, quorum };
}
