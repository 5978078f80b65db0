import type { EnsembleState, QuorumState } from '../ensemble/types.js';
import type { FamilySet } from './family.js';

/** The quorum states exported as a state set by `zookeeper_ensemble_quorum_state`. */
export const QUORUM_STATES: QuorumState[] = ['healthy', 'at_risk', 'lost', 'unknown'];

/**
 * Builds the ensemble-wide families from the derived states. Unknown values (lag of a node that did
 * not answer, sessions without a leader) are left out, never exported as 0. Pure.
 */
export function addEnsembleFamilies(set: FamilySet, states: readonly EnsembleState[]): void {
  const gauge = (name: string, help: string) => set.family(name, help, 'gauge');
  const leader = gauge('zookeeper_ensemble_leader', 'Per node: 1 for the current serving leader, 0 for the others.');
  const leaderEpoch = gauge('zookeeper_ensemble_leader_epoch', 'Zxid epoch of the current serving leader.');
  const changes = set.family(
    'zookeeper_ensemble_leader_changes_total',
    'Leader changes seen (new leader identity or new epoch); the first observation at start-up is not counted.',
    'counter',
  );
  const elections = set.family(
    'zookeeper_ensemble_elections_total',
    'Elections seen starting (one already under way at start-up is not counted).',
    'counter',
  );
  const electing = gauge('zookeeper_ensemble_election_in_progress', '1 while voters answer but no node serves as leader.');
  const voters = gauge('zookeeper_ensemble_voters', 'Voting members (participants); observers never count.');
  const observers = gauge('zookeeper_ensemble_observers', 'Observers in the membership.');
  const majority = gauge('zookeeper_ensemble_majority', 'Voters needed for quorum: floor(voters / 2) + 1.');
  const healthy = gauge(
    'zookeeper_ensemble_voters_healthy',
    'Voters answering srvr as leader or follower (plus a leader its serving followers prove when it is not polled).',
  );
  const unknownVoters = gauge(
    'zookeeper_ensemble_voters_unknown',
    'Voters the agent cannot see: members it was not told about and has never seen answer.',
  );
  const margin = gauge(
    'zookeeper_ensemble_quorum_margin',
    'Healthy voters minus majority: failures the ensemble can take right now (negative: quorum lost; a lower bound while voters are unknown).',
  );
  const quorum = gauge('zookeeper_ensemble_quorum_state', 'Quorum state set: 1 on the current state (healthy, at_risk, lost, unknown).');
  const splitBrain = gauge('zookeeper_ensemble_split_brain', '1 when two or more nodes claim leadership in the same epoch.');
  const stale = gauge('zookeeper_ensemble_stale_leaders', 'Nodes still answering leader in an older epoch than the current leader.');
  const suspect = gauge(
    'zookeeper_ensemble_suspect_leaders',
    'Nodes claiming leadership in an epoch no answering follower shares while another leader is followed by a majority of them.',
  );
  const conflicts = gauge(
    'zookeeper_ensemble_membership_conflicts',
    'Nodes whose conf membership (config version or members) differs from the accepted one.',
  );
  const duplicates = gauge(
    'zookeeper_ensemble_duplicate_server_ids',
    'Server ids claimed by two or more answering nodes (each counted once toward the quorum, never healthy).',
  );
  const lag = gauge('zookeeper_ensemble_follower_lag_zxids', 'Transactions a follower or observer trails the leader; absent when unknown.');
  const lagBound = gauge(
    'zookeeper_ensemble_follower_lag_is_lower_bound',
    '1 when the lag is only a lower bound (the node is still in an older epoch).',
  );
  const maxLag = gauge('zookeeper_ensemble_max_follower_lag_zxids', 'Largest known follower/observer lag.');
  const sessions = gauge('zookeeper_ensemble_global_sessions', "Global sessions, from the leader's mntr.");
  const connections = gauge('zookeeper_ensemble_connections', 'Alive client connections summed over answering nodes.');
  const outstanding = gauge('zookeeper_ensemble_outstanding_requests', 'Outstanding requests summed over answering nodes.');
  const writable = gauge(
    'zookeeper_ensemble_writable',
    'With a write canary: 1 when a write committed within the timeout through at least one node in the latest canary round.',
  );
  const membership = gauge(
    'zookeeper_ensemble_membership_from_conf',
    "1 when voters/observers come from a node's conf membership, 0 when from the configured server list.",
  );

  for (const state of states) {
    const e = { ensemble: state.name };
    for (const node of state.nodes) {
      // A node the agent cannot see has no leader value, not 0.
      if (node.role === 'unknown') continue;
      const isLeader = state.leader?.server === node.server;
      leader.add(isLeader ? 1 : 0, { ...e, server: node.server, server_id: node.serverId === undefined ? '' : String(node.serverId) });
      if (node.lag !== undefined && !isLeader) {
        lag.add(node.lag, { ...e, server: node.server });
        lagBound.add(node.lagIsLowerBound ? 1 : 0, { ...e, server: node.server });
      }
    }
    if (state.leader) leaderEpoch.add(state.leader.epoch, e);
    changes.add(state.leaderChanges, e);
    elections.add(state.electionsTotal, e);
    electing.add(state.election.inProgress ? 1 : 0, e);
    voters.add(state.voters, e);
    observers.add(state.observers, e);
    majority.add(state.majority, e);
    healthy.add(state.healthyVoters, e);
    unknownVoters.add(state.unknownVoters, e);
    margin.add(state.margin, e);
    for (const q of QUORUM_STATES) quorum.add(state.quorum === q ? 1 : 0, { ...e, state: q });
    splitBrain.add(state.splitBrain ? 1 : 0, e);
    stale.add(state.staleLeaders.length, e);
    suspect.add(state.suspectLeaders?.length ?? 0, e);
    conflicts.add(state.membershipConflicts?.length ?? 0, e);
    duplicates.add(state.duplicateServerIds?.length ?? 0, e);
    if (state.totals.maxFollowerLag !== undefined) maxLag.add(state.totals.maxFollowerLag, e);
    if (state.totals.globalSessions !== undefined) sessions.add(state.totals.globalSessions, e);
    connections.add(state.totals.connections, e);
    outstanding.add(state.totals.outstanding, e);
    membership.add(state.membershipSource === 'conf' ? 1 : 0, e);
    if (state.writable !== undefined) writable.add(state.writable ? 1 : 0, e);
  }
}
