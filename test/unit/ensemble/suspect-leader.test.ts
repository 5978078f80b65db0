import { describe, expect, it } from 'vitest';
import { backs, resolveLeaders } from '../../../src/ensemble/leader.js';
import type { NodeState } from '../../../src/ensemble/types.js';
import { at, ensembleConfig, F, L, server, Sim, T0, X } from './samples.js';

/** A node answering `role` with a zxid in `epoch`. */
function node(i: number, role: NodeState['role'], epoch: number, counter = 0): NodeState {
  return { server: server(i), voter: true, role, zxid: { hex: '0x0', epoch, counter } };
}

describe('backs', () => {
  it('a follower backs a leader in its own epoch or one ahead, not further and not behind', () => {
    expect(backs(node(2, 'follower', 4, 9), node(1, 'leader', 4, 9))).toBe(true);
    expect(backs(node(2, 'follower', 4, 9), node(1, 'leader', 5))).toBe(true);
    expect(backs(node(2, 'follower', 4, 9), node(1, 'leader', 6))).toBe(false);
    expect(backs(node(2, 'follower', 4, 9), node(1, 'leader', 3, 9))).toBe(false);
    expect(backs({ server: server(2), voter: true, role: 'follower' }, node(1, 'leader', 4))).toBe(false);
  });
});

describe('resolveLeaders with a suspect claim', () => {
  it('sets apart a far-ahead claim no follower backs while a majority backs another', () => {
    const real = node(1, 'leader', 1, 6);
    const hostile = node(3, 'leader', 4096);
    const claims = resolveLeaders([real, node(2, 'follower', 1, 6), hostile]);
    expect(claims).toEqual({
      leader: real,
      claimants: [real, hostile],
      splitBrain: false,
      splitBrainLeaders: [],
      stale: [],
      suspect: [hostile],
    });
  });

  it('suspects nothing when no follower answers, or when the backed claim is not the older one', () => {
    const old = node(1, 'leader', 1, 9);
    const current = node(2, 'leader', 7);
    expect(resolveLeaders([old, current])).toMatchObject({ leader: current, stale: [old], suspect: [] });
    // The followers back the newest claim: the old one is stale, as before.
    const followed = node(2, 'leader', 2, 3);
    expect(resolveLeaders([old, followed, node(3, 'follower', 2, 3)])).toMatchObject({ leader: followed, stale: [old], suspect: [] });
  });

  it('a minority backing is not enough to disbelieve a newer claim', () => {
    const old = node(1, 'leader', 1, 9);
    const newer = node(2, 'leader', 9);
    // One of three answering followers backs the old claim: not a majority of them.
    const claims = resolveLeaders([old, newer, node(3, 'follower', 1, 9), node(4, 'follower', 5), node(5, 'follower', 5)]);
    expect(claims).toMatchObject({ leader: newer, stale: [old], suspect: [] });
  });
});

describe('leader claims in a running ensemble', () => {
  it('measured: a node claiming a far-ahead epoch does not demote the leader its followers follow', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    expect(sim.round([L(1, 6), F(1, 6), L(4096, 0)])).toEqual([
      // The suspect is not a healthy voter: 2 of 3 healthy.
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'healthy', to: 'at_risk', voters: 3, healthyVoters: 2, margin: 0 },
    ]);
    expect(sim.s).toMatchObject({ staleLeaders: [], suspectLeaders: [server(3)], splitBrain: false, leaderChanges: 0 });
    expect(sim.s.leader).toEqual({ server: server(1), epoch: 1, since: T0 });
    // Lag is still measured against the real leader.
    expect(sim.s.nodes.map((n) => n.lag)).toEqual([0, 0, undefined]);

    // It stops claiming and follows again: the flag clears, the leader never changed.
    expect(sim.round([L(1, 7), F(1, 7), F(1, 7)]).map((t) => t.kind)).toEqual(['quorum_state_changed']);
    expect(sim.s).toMatchObject({ suspectLeaders: [], quorum: 'healthy', leaderChanges: 0 });
  });

  it('genuine: a deposed leader still claiming while the followers follow the new epoch is stale, the new one leads', () => {
    const sim = new Sim(ensembleConfig(5));
    sim.round([L(1, 5), F(1, 5), F(1, 5), F(1, 5), F(1, 5)]);
    const transitions = sim.round([L(1, 5), L(2, 2), F(2, 2), F(2, 2), X('refused')]);
    expect(transitions).toEqual([
      { at: at(1), ensemble: 'main', kind: 'node_down', server: server(5), reason: 'refused', from: 'follower' },
      { at: at(1), ensemble: 'main', kind: 'stale_leader', server: server(1), epoch: 1, leaderEpoch: 2 },
      { at: at(1), ensemble: 'main', kind: 'leader_changed', server: server(2), from: server(1), fromEpoch: 1, to: server(2), toEpoch: 2 },
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'healthy', to: 'at_risk', voters: 5, healthyVoters: 3, margin: 0 },
    ]);
    expect(sim.s).toMatchObject({ staleLeaders: [server(1)], suspectLeaders: [] });
    expect(sim.s.leader).toEqual({ server: server(2), epoch: 2, since: at(1) });
  });

  it('genuine: a new epoch’s quiet start (followers one epoch behind) is believed, the old claim is stale', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([L(1, 5), L(2, 0), F(1, 5)]);
    expect(sim.s).toMatchObject({ staleLeaders: [server(1)], suspectLeaders: [], leaderChanges: 1 });
    expect(sim.s.leader).toEqual({ server: server(2), epoch: 2, since: at(1) });
  });

  it('a lone claim no follower backs still leads: there is no other leader to believe', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([X('refused'), F(1, 5), L(4096, 0)]);
    expect(sim.s).toMatchObject({ staleLeaders: [], suspectLeaders: [] });
    expect(sim.s.leader).toEqual({ server: server(3), epoch: 4096, since: T0 });
  });
});
