import { describe, expect, it } from 'vitest';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import type { EnsembleState } from '../../../src/ensemble/types.js';
import { at, confRecord, ensembleConfig, F, L, members, NS, round, server, Sim, T0, X } from './samples.js';

describe('deriveEnsemble: a healthy 3-voter ensemble', () => {
  it('derives the whole state from one round without transitions', () => {
    const result = deriveEnsemble(
      undefined,
      ensembleConfig(3),
      round([L(1, 7, { outstanding: 1, connections: 3, mntr: { num_alive_connections: 4, global_sessions: 2 } }), F(1, 7), F(1, 5)], T0),
      T0,
    );
    const expected: EnsembleState = {
      name: 'main',
      membershipSource: 'configured',
      voters: 3,
      observers: 0,
      majority: 2,
      healthyVoters: 3,
      unknownVoters: 0,
      margin: 1,
      quorum: 'healthy',
      quorumSince: T0,
      initial: { at: T0, quorum: 'healthy' },
      leader: { server: server(1), epoch: 1, since: T0 },
      lastKnownLeader: { server: server(1), epoch: 1, since: T0 },
      election: { inProgress: false },
      splitBrain: false,
      splitBrainLeaders: [],
      staleLeaders: [],
      suspectLeaders: [],
      membershipConflicts: [],
      duplicateServerIds: [],
      nodes: [
        {
          server: server(1),
          voter: true,
          role: 'leader',
          zxid: { hex: '0x100000007', epoch: 1, counter: 7 },
          lag: 0,
          lagIsLowerBound: false,
          outstanding: 1,
          connections: 3,
          aliveConnections: 4,
          lastSeenAt: T0,
        },
        {
          server: server(2),
          voter: true,
          role: 'follower',
          zxid: { hex: '0x100000007', epoch: 1, counter: 7 },
          lag: 0,
          lagIsLowerBound: false,
          outstanding: 0,
          connections: 1,
          lastSeenAt: T0,
        },
        {
          server: server(3),
          voter: true,
          role: 'follower',
          zxid: { hex: '0x100000005', epoch: 1, counter: 5 },
          lag: 2,
          lagIsLowerBound: false,
          outstanding: 0,
          connections: 1,
          lastSeenAt: T0,
        },
      ],
      totals: { globalSessions: 2, connections: 6, outstanding: 1, maxFollowerLag: 2, maxFollowerLagIsLowerBound: false },
      leaderChanges: 0,
      electionsTotal: 0,
      timeline: [],
      rounds: 1,
      lastRoundAt: T0,
    };
    expect(result).toEqual({ state: expected, transitions: [] });
  });

  it('survives JSON.stringify unchanged: no bigint, no undefined-valued keys', () => {
    const list = members(3);
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 7, { conf: confRecord(1, list) }), F(1, 7), F(1, 5)]);
    sim.round([X('refused'), NS(), NS()]);
    sim.round([L(1, 7), L(2, 1), F(1, 7)]);
    expect(JSON.parse(JSON.stringify(sim.s))).toStrictEqual(sim.s);
  });

  it('never mutates the previous state or the samples', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === 'object' && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const inner of Object.values(value)) deepFreeze(inner);
      }
      return value;
    };
    const config = deepFreeze(ensembleConfig(3));
    const first = deriveEnsemble(undefined, config, deepFreeze(round([L(1, 5), F(1, 5), F(1, 5)], T0)), T0);
    const previous = deepFreeze(first.state);
    const copy = structuredClone(previous);
    const samples = deepFreeze(round([X('refused'), L(1, 5), L(1, 5)], at(1)));
    expect(() => deriveEnsemble(previous, config, samples, at(1))).not.toThrow();
    expect(previous).toStrictEqual(copy);
  });

  it('stays quiet while nothing changes, counting rounds', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 7), F(1, 7), F(1, 7)]);
    expect(sim.round([L(1, 9), F(1, 9), F(1, 8)])).toEqual([]);
    expect(sim.s).toMatchObject({ rounds: 2, lastRoundAt: at(1), quorumSince: T0, leaderChanges: 0 });
    expect(sim.s.leader).toEqual({ server: server(1), epoch: 1, since: T0 });
  });

  it('ignores samples of another ensemble and reports an unpolled configured server as down', () => {
    const samples = round([L(1, 0), F(1, 0), F(1, 0)], T0, 'other');
    const { state } = deriveEnsemble(undefined, ensembleConfig(3), [...samples, ...round([L(1, 0)], T0)], T0);
    expect(state.nodes.map((n) => [n.role, n.reason])).toEqual([
      ['leader', undefined],
      ['down', 'not_polled'],
      ['down', 'not_polled'],
    ]);
    expect(state.quorum).toBe('lost');
  });

  it('rejects a negative or fractional timelineLimit', () => {
    const samples = round([L(1, 0), F(1, 0), F(1, 0)], T0);
    expect(() => deriveEnsemble(undefined, ensembleConfig(3), samples, T0, { timelineLimit: -1 })).toThrow(
      new RangeError('timelineLimit must be a non-negative integer, got -1'),
    );
    expect(() => deriveEnsemble(undefined, ensembleConfig(3), samples, T0, { timelineLimit: 1.5 })).toThrow(RangeError);
  });
});

describe('deriveEnsemble: leader changes and elections', () => {
  it('leader killed → election → new leader: exactly one change, one election, its duration', () => {
    const sim = new Sim(ensembleConfig(3));
    expect(sim.round([L(1, 5), F(1, 5), F(1, 5)])).toEqual([]);

    expect(sim.round([X('refused'), NS(), NS()])).toEqual([
      { at: at(1), ensemble: 'main', kind: 'node_down', server: server(1), reason: 'refused', from: 'leader' },
      { at: at(1), ensemble: 'main', kind: 'election_started' },
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'healthy', to: 'lost', voters: 3, healthyVoters: 0, margin: -2 },
    ]);
    expect(sim.s.leader).toBeUndefined();
    expect(sim.s.lastKnownLeader).toEqual({ server: server(1), epoch: 1, since: at(0) });
    expect(sim.s.election).toEqual({ inProgress: true, startedAt: at(1) });
    expect(sim.s.electionsTotal).toBe(1);

    // Still electing: nothing new.
    expect(sim.round([X('refused'), NS(), NS()])).toEqual([]);

    // Node 2 wins epoch 2; node 3 has processed nothing of epoch 2 yet.
    expect(sim.round([X('refused'), L(2, 0), F(1, 5)])).toEqual([
      {
        at: at(3),
        ensemble: 'main',
        kind: 'election_ended',
        server: server(2),
        startedAt: at(1),
        durationMs: 2000,
        startedAtStartup: false,
      },
      {
        at: at(3),
        ensemble: 'main',
        kind: 'leader_changed',
        server: server(2),
        from: server(1),
        fromEpoch: 1,
        to: server(2),
        toEpoch: 2,
      },
      { at: at(3), ensemble: 'main', kind: 'quorum_state_changed', from: 'lost', to: 'at_risk', voters: 3, healthyVoters: 2, margin: 0 },
    ]);
    expect(sim.s.election).toEqual({ inProgress: false, lastDurationMs: 2000, lastEndedAt: at(3) });

    // The old leader rejoins as a follower.
    expect(sim.round([F(2, 1), L(2, 1), F(2, 1)])).toEqual([
      { at: at(4), ensemble: 'main', kind: 'node_up', server: server(1), to: 'follower' },
      { at: at(4), ensemble: 'main', kind: 'quorum_state_changed', from: 'at_risk', to: 'healthy', voters: 3, healthyVoters: 3, margin: 1 },
    ]);
    expect(sim.s).toMatchObject({ leaderChanges: 1, electionsTotal: 1 });
    expect(sim.s.leader).toEqual({ server: server(2), epoch: 2, since: at(3) });
    expect(sim.s.timeline.map((t) => t.kind)).toEqual([
      'node_down',
      'election_started',
      'quorum_state_changed',
      'election_ended',
      'leader_changed',
      'quorum_state_changed',
      'node_up',
      'quorum_state_changed',
    ]);
  });

  it('leader vanishes and returns in the same epoch: no leader change', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    // Leader paused: followers still say follower, nobody answers as leader.
    const down = sim.round([X('timeout'), F(1, 5), F(1, 5)]);
    expect(down.map((t) => t.kind)).toEqual(['node_down', 'election_started', 'quorum_state_changed']);
    const back = sim.round([L(1, 6), F(1, 6), F(1, 6)]);
    expect(back.map((t) => t.kind)).toEqual(['node_up', 'election_ended', 'quorum_state_changed']);
    expect(sim.s.leaderChanges).toBe(0);
    // The same term keeps its original start.
    expect(sim.s.leader).toEqual({ server: server(1), epoch: 1, since: at(0) });
  });

  it('leader vanishes while everyone is unreachable, then returns: no change, and no election without evidence', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    const blind = sim.round([X('timeout'), X('timeout'), X('timeout')]);
    expect(blind.map((t) => t.kind)).toEqual(['node_down', 'node_down', 'node_down', 'quorum_state_changed']);
    expect(sim.s.election).toEqual({ inProgress: false });
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    expect(sim.s).toMatchObject({ leaderChanges: 0, electionsTotal: 0, quorum: 'healthy' });
  });

  it('same leader restarted and re-elected in a new epoch: one change', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([X('refused'), NS(), NS()]);
    const transitions = sim.round([L(2, 0), F(1, 5), F(1, 5)]);
    expect(transitions.filter((t) => t.kind === 'leader_changed')).toEqual([
      { at: at(2), ensemble: 'main', kind: 'leader_changed', server: server(1), from: server(1), fromEpoch: 1, to: server(1), toEpoch: 2 },
    ]);
    expect(sim.s.leaderChanges).toBe(1);
  });

  it('a new leader seen straight after a blind gap is still exactly one change', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([X('timeout'), X('timeout'), X('timeout')]);
    sim.round([X('timeout'), X('timeout'), X('timeout')]);
    sim.round([F(2, 0), L(2, 0), F(2, 0)]);
    sim.round([F(2, 1), L(2, 1), F(2, 1)]);
    expect(sim.s.leaderChanges).toBe(1);
    expect(sim.s.timeline.filter((t) => t.kind === 'leader_changed')).toHaveLength(1);
  });

  it('the first observation of a leader is not a change', () => {
    const sim = new Sim(ensembleConfig(3));
    expect(sim.round([F(3, 0), F(3, 0), L(3, 0)])).toEqual([]);
    expect(sim.s).toMatchObject({ leaderChanges: 0, electionsTotal: 0 });
    expect(sim.s.lastKnownLeader).toEqual({ server: server(3), epoch: 3, since: T0 });
  });

  it('no leader ever seen: the first leader after start-up is not a change either', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([X('refused'), X('refused'), X('refused')]);
    sim.round([L(1, 0), F(1, 0), F(1, 0)]);
    expect(sim.s).toMatchObject({ leaderChanges: 0, electionsTotal: 0 });
  });

  it('an election already under way at start-up is in progress but not counted; its end is flagged', () => {
    const sim = new Sim(ensembleConfig(3));
    expect(sim.round([NS(), NS(), X('refused')])).toEqual([]);
    expect(sim.s.election).toEqual({ inProgress: true, startedAt: T0, startedAtStartup: true });
    expect(sim.s).toMatchObject({ electionsTotal: 0, quorum: 'lost', initial: { at: T0, quorum: 'lost' } });

    const transitions = sim.round([L(1, 0), F(0, 0), X('refused')]);
    expect(transitions).toEqual([
      { at: at(1), ensemble: 'main', kind: 'election_ended', server: server(1), startedAt: T0, durationMs: 1000, startedAtStartup: true },
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'lost', to: 'at_risk', voters: 3, healthyVoters: 2, margin: 0 },
    ]);
    expect(sim.s).toMatchObject({ leaderChanges: 0, electionsTotal: 0 });
    expect(sim.s.election).toEqual({ inProgress: false, lastDurationMs: 1000, lastEndedAt: at(1) });
  });

  it('a blind round keeps an open election open: one election, measured from its first round', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([X('refused'), NS(), NS()]);
    sim.round([X('refused'), X('timeout'), X('timeout')]);
    expect(sim.s.election).toEqual({ inProgress: true, startedAt: at(1) });
    sim.round([X('refused'), NS(), NS()]);
    const transitions = sim.round([X('refused'), F(1, 5), L(2, 0)]);
    expect(transitions.find((t) => t.kind === 'election_ended')).toMatchObject({ durationMs: 3000, startedAt: at(1) });
    expect(sim.s).toMatchObject({ electionsTotal: 1, leaderChanges: 1 });
  });
});

describe('deriveEnsemble: node down/up', () => {
  it('follower paused → at_risk with margin 0 → back healthy, no leader change', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    expect(sim.round([L(1, 6), X('timeout'), F(1, 6)])).toEqual([
      { at: at(1), ensemble: 'main', kind: 'node_down', server: server(2), reason: 'timeout', from: 'follower' },
      { at: at(1), ensemble: 'main', kind: 'quorum_state_changed', from: 'healthy', to: 'at_risk', voters: 3, healthyVoters: 2, margin: 0 },
    ]);
    expect(sim.s.nodes[1]).toEqual({ server: server(2), voter: true, role: 'down', reason: 'timeout', lastSeenAt: at(0) });
    expect(sim.s).toMatchObject({ quorum: 'at_risk', margin: 0, quorumSince: at(1) });
    expect(sim.round([L(1, 7), F(1, 7), F(1, 7)])).toEqual([
      { at: at(2), ensemble: 'main', kind: 'node_up', server: server(2), to: 'follower' },
      { at: at(2), ensemble: 'main', kind: 'quorum_state_changed', from: 'at_risk', to: 'healthy', voters: 3, healthyVoters: 3, margin: 1 },
    ]);
    expect(sim.s).toMatchObject({ leaderChanges: 0, electionsTotal: 0, quorumSince: at(2) });
  });

  it('not_serving is an answer, not an outage: no node_down', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    const transitions = sim.round([L(1, 5), NS(), F(1, 5)]);
    expect(transitions.map((t) => t.kind)).toEqual(['quorum_state_changed']);
    expect(sim.s.nodes[1]).toEqual({ server: server(2), voter: true, role: 'not_serving', lastSeenAt: at(1) });
  });

  it('the first round emits no node transitions even with nodes down', () => {
    const sim = new Sim(ensembleConfig(3));
    expect(sim.round([L(1, 5), X('refused'), X('malformed')])).toEqual([]);
    expect(sim.s.nodes.map((n) => n.reason)).toEqual([undefined, 'refused', 'malformed']);
  });
});

describe('deriveEnsemble: losing quorum', () => {
  it('two of three down while the survivor says not_serving → lost, election in progress', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    const transitions = sim.round([X('refused'), X('refused'), NS()]);
    expect(transitions.map((t) => t.kind)).toEqual(['node_down', 'node_down', 'election_started', 'quorum_state_changed']);
    expect(sim.s).toMatchObject({ quorum: 'lost', healthyVoters: 0, margin: -2, election: { inProgress: true } });
  });

  it('the survivor still briefly says leader alone (1 of 3 healthy) → lost with margin < 0, same leader', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    const transitions = sim.round([L(1, 5), X('refused'), X('refused')]);
    expect(transitions.map((t) => t.kind)).toEqual(['node_down', 'node_down', 'quorum_state_changed']);
    expect(sim.s).toMatchObject({ quorum: 'lost', healthyVoters: 1, margin: -1, leaderChanges: 0, election: { inProgress: false } });
    expect(sim.s.leader).toEqual({ server: server(1), epoch: 1, since: at(0) });
  });

  it('then it steps down: lost stays lost, an election starts', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(1, 5), F(1, 5)]);
    sim.round([L(1, 5), X('refused'), X('refused')]);
    expect(sim.round([NS(), X('refused'), X('refused')])).toEqual([{ at: at(2), ensemble: 'main', kind: 'election_started' }]);
  });
});
