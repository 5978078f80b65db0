import { describe, expect, it } from 'vitest';
import { appendTimeline, DEFAULT_TIMELINE_LIMIT } from '../../../src/ensemble/timeline.js';
import type { Transition } from '../../../src/ensemble/types.js';
import { ensembleConfig, F, L, Sim, X } from './samples.js';

const started = (at: number): Transition => ({ at, ensemble: 'main', kind: 'election_started' });

describe('appendTimeline', () => {
  it('keeps the newest `limit`, oldest first', () => {
    expect(appendTimeline([started(1), started(2)], [started(3), started(4)], 3)).toEqual([started(2), started(3), started(4)]);
    expect(appendTimeline([started(1)], [started(2)], 0)).toEqual([]);
    expect(DEFAULT_TIMELINE_LIMIT).toBe(100);
  });
});

describe('timeline in the derived state', () => {
  it('is bounded by timelineLimit and ends with this round’s transitions', () => {
    const sim = new Sim(ensembleConfig(3), { timelineLimit: 3 });
    sim.round([L(1, 0), F(1, 0), F(1, 0)]);
    sim.round([L(1, 0), X('timeout'), F(1, 0)]);
    const last = sim.round([L(1, 0), F(1, 0), F(1, 0)]);
    expect(last).toHaveLength(2);
    expect(sim.s.timeline).toHaveLength(3);
    expect(sim.s.timeline.slice(1)).toEqual(last);
    expect(sim.s.timeline[0]).toMatchObject({ kind: 'quorum_state_changed', to: 'at_risk' });
  });

  it('defaults to 100 entries', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 0), F(1, 0), F(1, 0)]);
    const all: Transition[] = [];
    for (let i = 0; i < 30; i += 1) {
      all.push(...sim.round([L(1, 0), X('timeout'), F(1, 0)]));
      all.push(...sim.round([L(1, 0), F(1, 0), F(1, 0)]));
    }
    expect(all).toHaveLength(120);
    expect(sim.s.timeline).toEqual(all.slice(-100));
  });
});
