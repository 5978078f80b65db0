import type { NodeSample } from '../commands/index.js';
import { stepElection } from './election.js';
import { applyLag } from './lag.js';
import { resolveLeaders, trackLeader } from './leader.js';
import { resolveMembership } from './membership.js';
import { classifyNode, duplicateServerIds, isAnswering, nodeTransitions, unconfiguredNode } from './nodes.js';
import { assessQuorum } from './quorum.js';
import { appendTimeline, DEFAULT_TIMELINE_LIMIT } from './timeline.js';
import { computeTotals } from './totals.js';
import { carryCanary } from './writes.js';
import type { DeriveOptions, DeriveResult, EnsembleInput, EnsembleState, NodeState, Transition } from './types.js';

/** A server id as a spreadable field, so an unknown id leaves no `serverId: undefined` behind. */
function idField<K extends 'serverId' | 'fromServerId' | 'toServerId'>(key: K, id: number | undefined): { [P in K]?: number } {
  return (id === undefined ? {} : { [key]: id }) as { [P in K]?: number };
}

/**
 * Derives one ensemble's state from the previous state and this round's samples. Pure: no I/O and no
 * clock (`now` is the round's time), so every scenario is a hand-built sequence of rounds.
 *
 * Transitions come in this order: node_down/node_up (configured order), stale_leader, split_brain,
 * election_ended, leader_changed, election_started, quorum_state_changed. The first round
 * (`previous` undefined) establishes state and emits none.
 */
export function deriveEnsemble(
  previous: EnsembleState | undefined,
  config: EnsembleInput,
  samples: readonly NodeSample[],
  now: number,
  options: DeriveOptions = {},
): DeriveResult {
  const limit = options.timelineLimit ?? DEFAULT_TIMELINE_LIMIT;
  const ensemble = config.name;
  // Samples for another ensemble or a server neither configured nor discovered are ignored.
  const byServer = new Map(samples.filter((s) => s.ensemble === ensemble).map((s) => [s.server, s] as const));
  const previousNodes = new Map<string, NodeState>((previous?.nodes ?? []).map((n) => [n.server, n] as const));

  const membership = resolveMembership(config, byServer, previousNodes, previous?.confMembership);
  // Configured nodes, then discovered members: every node the agent polled.
  const configured = membership.nodes.map((identity) =>
    classifyNode(identity, byServer.get(identity.server), previousNodes.get(identity.server)),
  );
  const unpolledReason = config.discovered === undefined ? 'not_configured' : 'no_address';
  const nodes = [...configured, ...membership.unconfigured.map((member) => unconfiguredNode(member, unpolledReason))];

  const claims = resolveLeaders(configured);
  applyLag(configured, claims.leader);
  const duplicates = duplicateServerIds(configured);
  // Stale and suspect leaders answer but lead nobody: neither counts as a healthy voter.
  const excluded = new Set([...claims.stale, ...claims.suspect].map((n) => n.server));
  const assessment = assessQuorum(
    membership.voters,
    nodes,
    excluded,
    {
      servingLeader: claims.claimants.length > 0,
      membershipUncertain: membership.source === 'configured',
      // A lone configured server that is no standalone (those always serve) belongs to an ensemble it does not show.
      membershipPartial:
        membership.source === 'configured' &&
        configured.length === 1 &&
        isAnswering(configured[0]!) &&
        configured[0]!.role !== 'standalone',
    },
    duplicates,
  );
  const tracking = trackLeader(previous?.lastKnownLeader, claims.leader, now);
  const step = stepElection(
    previous?.election,
    {
      // Followers serving for a leader the agent cannot see are no election.
      leaderPresent: claims.claimants.length > 0 || assessment.leaderImplied,
      voterReachable: configured.some((n) => n.voter && isAnswering(n)),
      firstRound: previous === undefined,
    },
    now,
  );

  const transitions: Transition[] = [];
  if (previous) {
    transitions.push(...nodeTransitions(ensemble, previousNodes, configured, now));
    const topEpoch = (claims.leader ?? claims.splitBrainLeaders[0])?.zxid?.epoch ?? 0;
    for (const node of claims.stale) {
      if (previous.staleLeaders.includes(node.server)) continue;
      transitions.push({
        at: now,
        ensemble,
        kind: 'stale_leader',
        server: node.server,
        ...idField('serverId', node.serverId),
        epoch: node.zxid?.epoch ?? 0,
        leaderEpoch: topEpoch,
      });
    }
    if (claims.splitBrain && !previous.splitBrain) {
      transitions.push({
        at: now,
        ensemble,
        kind: 'split_brain',
        phase: 'started',
        epoch: topEpoch,
        servers: claims.splitBrainLeaders.map((n) => n.server),
      });
    } else if (!claims.splitBrain && previous.splitBrain) {
      // Report the split brain that ended, as the previous round saw it.
      const first = previous.nodes.find((n) => n.server === previous.splitBrainLeaders[0]);
      transitions.push({
        at: now,
        ensemble,
        kind: 'split_brain',
        phase: 'ended',
        epoch: first?.zxid?.epoch ?? 0,
        servers: previous.splitBrainLeaders,
      });
    }
  }
  if (step.ended && claims.claimants[0]) {
    // Whoever leads now ended it; during split brain that is the first claimant in configured order.
    const winner = claims.leader ?? claims.claimants[0];
    transitions.push({
      at: now,
      ensemble,
      kind: 'election_ended',
      server: winner.server,
      ...idField('serverId', winner.serverId),
      ...step.ended,
    });
  }
  const from = tracking.changedFrom;
  const to = tracking.leader;
  if (from && to) {
    transitions.push({
      at: now,
      ensemble,
      kind: 'leader_changed',
      server: to.server,
      ...idField('serverId', to.serverId),
      from: from.server,
      ...idField('fromServerId', from.serverId),
      fromEpoch: from.epoch,
      to: to.server,
      ...idField('toServerId', to.serverId),
      toEpoch: to.epoch,
    });
  }
  if (step.started) transitions.push({ at: now, ensemble, kind: 'election_started' });
  if (previous && previous.quorum !== assessment.quorum) {
    transitions.push({
      at: now,
      ensemble,
      kind: 'quorum_state_changed',
      from: previous.quorum,
      to: assessment.quorum,
      voters: membership.voters,
      healthyVoters: assessment.healthyVoters,
      margin: assessment.margin,
    });
  }

  const state: EnsembleState = {
    name: ensemble,
    membershipSource: membership.source,
    voters: membership.voters,
    observers: membership.observers,
    majority: assessment.majority,
    healthyVoters: assessment.healthyVoters,
    unknownVoters: assessment.unknownVoters,
    margin: assessment.margin,
    quorum: assessment.quorum,
    quorumSince: previous?.quorum === assessment.quorum ? previous.quorumSince : now,
    initial: previous?.initial ?? { at: now, quorum: assessment.quorum },
    election: step.election,
    splitBrain: claims.splitBrain,
    splitBrainLeaders: claims.splitBrainLeaders.map((n) => n.server),
    staleLeaders: claims.stale.map((n) => n.server),
    suspectLeaders: claims.suspect.map((n) => n.server),
    membershipConflicts: membership.conflicts,
    duplicateServerIds: duplicates,
    nodes,
    totals: computeTotals(configured, byServer, claims.leader),
    leaderChanges: (previous?.leaderChanges ?? 0) + (tracking.changedFrom ? 1 : 0),
    electionsTotal: (previous?.electionsTotal ?? 0) + (step.started ? 1 : 0),
    timeline: appendTimeline(previous?.timeline ?? [], transitions, limit),
    rounds: (previous?.rounds ?? 0) + 1,
    lastRoundAt: now,
  };
  if (membership.configVersion !== undefined) state.configVersion = membership.configVersion;
  if (membership.conf) state.confMembership = membership.conf;
  if (tracking.leader) state.leader = tracking.leader;
  if (tracking.lastKnownLeader) state.lastKnownLeader = tracking.lastKnownLeader;
  // The write canary runs on its own timer (see writes.ts): a poll round keeps its latest view.
  Object.assign(state, carryCanary(previous));
  return { state, transitions };
}
