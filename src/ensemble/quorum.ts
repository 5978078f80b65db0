import type { DuplicateServerId, NodeState, QuorumState } from './types.js';

/** Quorum arithmetic for one round. */
export interface QuorumAssessment {
  majority: number;
  /** Voters seen healthy, plus the leader that serving followers prove when it is not seen. */
  healthyVoters: number;
  /** Voters whose state is not seen (after counting a proven leader as healthy). */
  unknownVoters: number;
  /** healthyVoters − majority (a lower bound while unknownVoters > 0). */
  margin: number;
  quorum: QuorumState;
  /** True when no leader was seen but serving followers prove one among the unseen voters. */
  leaderImplied: boolean;
}

/** What the agent saw of leadership this round, beside each node's role. */
export interface LeaderEvidence {
  /** Some node answers leader or standalone (split brain and stale leaders included). */
  servingLeader: boolean;
  /**
   * True when the voter count itself may be short: membership came from the configured list, which
   * need not name every member, rather than from a node's `conf`.
   */
  membershipUncertain: boolean;
  /**
   * True when the voter count is evidently short: one configured server, no conf, and it answers as
   * part of a larger ensemble (not standalone). The rest of the ensemble is then unseen.
   */
  membershipPartial?: boolean;
}

/** Smallest majority of `voters` voting members. */
export function majorityOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * A voter counts as healthy when it answered srvr serving as leader, follower or standalone, whatever
 * its zxid epoch (a quiet follower keeps the previous epoch's zxid). A stale or suspect leader (in
 * `excluded`) is not healthy: it does not lead the others.
 */
function isHealthyVoter(node: NodeState, excluded: ReadonlySet<string>): boolean {
  if (!node.voter || excluded.has(node.server)) return false;
  return node.role === 'leader' || node.role === 'follower' || node.role === 'standalone';
}

/** A voter the agent saw this round that is not healthy: down at a trusted address, not serving, read-only, stale or suspect. */
function isSeenUnhealthyVoter(node: NodeState, excluded: ReadonlySet<string>): boolean {
  return node.voter && node.role !== 'unknown' && !isHealthyVoter(node, excluded);
}

/**
 * Quorum from what each node answered, never from the leader's `synced_followers` (which lags by about
 * syncLimit × tickTime). Observers never count. Split brain does not change the arithmetic (the flag
 * says it); a serving leader only needs someone to lead.
 *
 * Only what was seen decides: voters the agent cannot see (`unknown` members, conf voters no node maps
 * to, and each server id several answering nodes claim — counted once, as neither healthy nor down)
 * may be healthy or not. So:
 * - `lost` when the voters seen unhealthy leave fewer than a majority, or when every voter is seen and
 *   none leads;
 * - `healthy` when a leader is seen (or proven: a serving follower follows a leader, so with a voter
 *   unseen, that voter leads) and the healthy voters seen exceed the majority;
 * - `at_risk` when they equal it and no voter is unseen;
 * - `unknown` otherwise: the unseen voters could make it either.
 */
export function assessQuorum(
  voters: number,
  nodes: readonly NodeState[],
  excluded: ReadonlySet<string>,
  evidence: LeaderEvidence,
  duplicates: readonly DuplicateServerId[] = [],
): QuorumAssessment {
  const majority = majorityOf(voters);
  const duplicated = new Set(duplicates.map((d) => d.serverId));
  const unproven = (node: NodeState) => node.serverId !== undefined && duplicated.has(node.serverId);
  // Which of the nodes claiming a duplicated id is that voter is unknown: the id keeps one unseen slot.
  const reserved = Math.min(voters, new Set(nodes.filter((node) => node.voter && unproven(node)).map((node) => node.serverId)).size);
  const counted = nodes.filter((node) => !unproven(node));
  // Capped: a node with an unknown id inferred as voter must not push the counts past conf's voters.
  const seenHealthy = Math.min(voters - reserved, counted.filter((node) => isHealthyVoter(node, excluded)).length);
  const seenUnhealthy = Math.min(voters - reserved - seenHealthy, counted.filter((node) => isSeenUnhealthyVoter(node, excluded)).length);
  const unseen = voters - seenHealthy - seenUnhealthy;
  // A serving follower proves a serving leader; if it is not seen, it is among the voters not seen.
  // With every voter seen, followers without a leader are still on a leader that just went away —
  // unless the voters are only the configured list and all of them serve: the leader is then a member
  // the list leaves out.
  const leaderImplied = !evidence.servingLeader && seenHealthy > 0 && (unseen > 0 || (evidence.membershipUncertain && seenUnhealthy === 0));
  const healthyVoters = seenHealthy + (leaderImplied && unseen > 0 ? 1 : 0);
  const unknownVoters = voters - healthyVoters - seenUnhealthy;
  const margin = healthyVoters - majority;
  let quorum: QuorumState;
  if (evidence.membershipPartial)
    return { majority, healthyVoters, unknownVoters: Math.max(1, unknownVoters), margin, quorum: 'unknown', leaderImplied };
  if (voters - seenUnhealthy < majority) quorum = 'lost';
  else if (!evidence.servingLeader && !leaderImplied) quorum = unknownVoters === 0 ? 'lost' : 'unknown';
  // Followers of a leader outside a configured list that has no conf behind it: the voter count is a guess.
  else if (leaderImplied && evidence.membershipUncertain) quorum = 'unknown';
  else if (margin >= 1) quorum = 'healthy';
  else if (margin === 0 && unknownVoters === 0) quorum = 'at_risk';
  else quorum = unknownVoters === 0 ? 'lost' : 'unknown';
  return { majority, healthyVoters, unknownVoters, margin, quorum, leaderImplied };
}
