import { describe, expect, it } from 'vitest';
import { learnerLag } from '../../../src/ensemble/lag.js';
import { ensembleConfig, F, L, NS, O, Sim, X } from './samples.js';

const z = (epoch: number, counter: number) => ({ hex: 'unused', epoch, counter });

describe('learnerLag', () => {
  it('same epoch: leader counter − learner counter', () => {
    expect(learnerLag(z(3, 10), z(3, 7))).toEqual({ lag: 3, lowerBound: false });
  });

  it('never negative: a learner polled just after the leader can be ahead', () => {
    expect(learnerLag(z(3, 10), z(3, 12))).toEqual({ lag: 0, lowerBound: false });
  });

  it('older epoch while the leader’s counter is 0: in sync, exactly 0', () => {
    expect(learnerLag(z(2, 0), z(1, 7))).toEqual({ lag: 0, lowerBound: false });
    // A fresh ensemble: followers show 0x0 until the first write, the leader 0x100000000.
    expect(learnerLag(z(1, 0), z(0, 0))).toEqual({ lag: 0, lowerBound: false });
  });

  it('older epoch while the leader’s counter is > 0: at least the leader’s counter', () => {
    expect(learnerLag(z(2, 4), z(1, 7))).toEqual({ lag: 4, lowerBound: true });
  });

  it('newer epoch than the leader: unknown (the leader is the stale one)', () => {
    expect(learnerLag(z(1, 5), z(2, 0))).toBeUndefined();
  });
});

describe('lag in the derived state', () => {
  it('sets exact, lower-bound and unknown lags per node and the maximum', () => {
    const sim = new Sim(ensembleConfig(6));
    sim.round([L(2, 4), F(2, 1), F(1, 9), X('timeout'), NS(), O(2, 4)]);
    expect(sim.s.nodes.map((n) => [n.role, n.lag, n.lagIsLowerBound])).toEqual([
      ['leader', 0, false],
      ['follower', 3, false],
      ['follower', 4, true],
      ['down', undefined, undefined],
      ['not_serving', undefined, undefined],
      ['observer', 0, false],
    ]);
    expect(sim.s.totals).toMatchObject({ maxFollowerLag: 4, maxFollowerLagIsLowerBound: true });
  });

  it('an older-epoch follower on a quiet ensemble is in sync, not lagging', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([F(0, 0), L(1, 0), F(0, 0)]);
    expect(sim.s.nodes.map((n) => n.lag)).toEqual([0, 0, 0]);
    expect(sim.s.totals).toMatchObject({ maxFollowerLag: 0, maxFollowerLagIsLowerBound: false });
  });

  it('a follower in a newer epoch than the only leader has unknown lag', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 5), F(2, 0), F(1, 5)]);
    expect(sim.s.nodes.map((n) => n.lag)).toEqual([0, undefined, 0]);
  });

  it('no leader: every lag unknown, no maximum', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([X('refused'), F(1, 5), F(1, 3)]);
    expect(sim.s.nodes.map((n) => n.lag)).toEqual([undefined, undefined, undefined]);
    expect(sim.s.totals.maxFollowerLag).toBeUndefined();
    expect(sim.s.totals.maxFollowerLagIsLowerBound).toBe(false);
  });
});
