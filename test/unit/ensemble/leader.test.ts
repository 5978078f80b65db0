import { describe, expect, it } from 'vitest';
import { sameTerm, trackLeader } from '../../../src/ensemble/leader.js';
import { at, ensembleConfig, F, L, server, Sim, T0 } from './samples.js';

describe('sameTerm / trackLeader', () => {
  it('compares by id when both sides know it, else by address; always by epoch', () => {
    expect(sameTerm({ server: 'a:1', serverId: 1, epoch: 2 }, { server: 'b:1', serverId: 1, epoch: 2 })).toBe(true);
    expect(sameTerm({ server: 'a:1', serverId: 1, epoch: 2 }, { server: 'a:1', serverId: 2, epoch: 2 })).toBe(false);
    expect(sameTerm({ server: 'a:1', epoch: 2 }, { server: 'a:1', serverId: 1, epoch: 2 })).toBe(true);
    expect(sameTerm({ server: 'a:1', epoch: 2 }, { server: 'a:1', epoch: 3 })).toBe(false);
  });

  it('keeps the last known leader through a leaderless round', () => {
    const known = { server: 'a:1', epoch: 2, since: 5 };
    expect(trackLeader(known, undefined, 9)).toEqual({ lastKnownLeader: known });
    expect(trackLeader(undefined, undefined, 9)).toEqual({});
  });
});

describe('two leaders in one round', () => {
  it('older epoch: a stale leader, not split brain; the newer epoch leads', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    // Node 1 was partitioned away; nodes 2 and 3 elected node 2 in epoch 2; node 1 still says leader.
    expect(sim.round([L(1, 5), L(2, 0), F(1, 5)])).toEqual([
      { at: at(1), ensemble: 'main', kind: 'stale_leader', server: server(1), epoch: 1, leaderEpoch: 2 },
      { at: at(1), ensemble: 'main', kind: 'leader_changed', server: server(2), from: server(1), fromEpoch: 1, to: server(2), toEpoch: 2 },
      // The stale leader is not a healthy voter.
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'healthy', to: 'at_risk', voters: 3, healthyVoters: 2, margin: 0 },
    ]);
    expect(sim.s).toMatchObject({ splitBrain: false, splitBrainLeaders: [], staleLeaders: [server(1)], leaderChanges: 1 });
    expect(sim.s.leader).toEqual({ server: server(2), epoch: 2, since: at(1) });
    expect(sim.s.nodes[0]).toMatchObject({ role: 'leader' });
    expect(sim.s.nodes[0]?.lag).toBeUndefined();
    expect(sim.s.nodes[2]).toMatchObject({ lag: 0, lagIsLowerBound: false });

    // Still stale: reported once.
    expect(sim.round([L(1, 5), L(2, 0), F(1, 5)])).toEqual([]);
    // It steps down and follows.
    expect(sim.round([F(1, 5), L(2, 0), F(1, 5)]).map((t) => t.kind)).toEqual(['quorum_state_changed']);
    expect(sim.s).toMatchObject({ staleLeaders: [], quorum: 'healthy', leaderChanges: 1 });
  });

  it('same epoch: split brain, no leader reported, quorum still from healthy voters', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    expect(sim.round([L(1, 6), L(1, 6), F(1, 6)])).toEqual([
      { at: at(1), ensemble: 'main', kind: 'split_brain', phase: 'started', epoch: 1, servers: [server(1), server(2)] },
    ]);
    expect(sim.s).toMatchObject({
      splitBrain: true,
      splitBrainLeaders: [server(1), server(2)],
      staleLeaders: [],
      healthyVoters: 3,
      margin: 1,
      quorum: 'healthy',
      leaderChanges: 0,
      election: { inProgress: false },
    });
    expect(sim.s.leader).toBeUndefined();
    expect(sim.s.lastKnownLeader).toEqual({ server: server(1), epoch: 1, since: T0 });
    // Without a single leader no lag is known.
    expect(sim.s.nodes.map((n) => n.lag)).toEqual([undefined, undefined, undefined]);
    expect(sim.s.totals.maxFollowerLag).toBeUndefined();

    // Resolves to the original leader in the same epoch: no leader change.
    expect(sim.round([L(1, 7), F(1, 7), F(1, 7)])).toEqual([
      { at: at(2), ensemble: 'main', kind: 'split_brain', phase: 'ended', epoch: 1, servers: [server(1), server(2)] },
    ]);
    expect(sim.s).toMatchObject({ splitBrain: false, splitBrainLeaders: [], leaderChanges: 0 });
    expect(sim.s.leader).toEqual({ server: server(1), epoch: 1, since: T0 });
  });

  it('split brain resolving to the other node is one leader change', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([L(1, 5), L(1, 5), F(1, 5)]);
    const transitions = sim.round([F(1, 5), L(1, 5), F(1, 5)]);
    expect(transitions.map((t) => t.kind)).toEqual(['split_brain', 'leader_changed']);
    expect(sim.s.leaderChanges).toBe(1);
  });

  it('split brain in the newest epoch plus a stale leader in an older one', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(2, 0), F(2, 0), F(2, 0)]);
    const transitions = sim.round([L(1, 9), L(2, 1), L(2, 1)]);
    expect(transitions).toEqual([
      { at: at(1), ensemble: 'main', kind: 'stale_leader', server: server(1), epoch: 1, leaderEpoch: 2 },
      { at: at(1), ensemble: 'main', kind: 'split_brain', phase: 'started', epoch: 2, servers: [server(2), server(3)] },
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'healthy', to: 'at_risk', voters: 3, healthyVoters: 2, margin: 0 },
    ]);
    expect(sim.s).toMatchObject({ splitBrain: true, staleLeaders: [server(1)], splitBrainLeaders: [server(2), server(3)] });
  });

  it('split brain seen in the first round is state, not a transition', () => {
    const sim = new Sim(ensembleConfig(3));
    expect(sim.round([L(1, 0), L(1, 0), F(1, 0)])).toEqual([]);
    expect(sim.s.splitBrain).toBe(true);
    expect(sim.s.lastKnownLeader).toBeUndefined();
  });

  it('an election ended by a split brain names the first claimant', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([{ srvr: 'not_serving' }, { srvr: 'not_serving' }, F(1, 5)]);
    const transitions = sim.round([F(1, 5), L(2, 0), L(2, 0)]);
    expect(transitions.map((t) => t.kind)).toEqual(['split_brain', 'election_ended', 'quorum_state_changed']);
    expect(transitions[1]).toMatchObject({ kind: 'election_ended', server: server(2), durationMs: 1000 });
  });
});
