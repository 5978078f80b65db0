import { describe, expect, it } from 'vitest';
import type { EnsembleState, LeaderInfo, Transition } from '../../../src/ensemble/types.js';
import {
  CHART_WINDOW_MS,
  chartModel,
  chartWindowMs,
  describeTransition,
  formatDuration,
  formatLag,
  knownFromOf,
  mergeTimeline,
  serverName,
} from '../../../src/http/status-model.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const A = '10.0.0.1:2181';
const B = '10.0.0.2:2181';

/** The fields of an ensemble state the view model reads; the rest is irrelevant to it. */
function state(fields: {
  timeline: Transition[];
  quorum?: EnsembleState['quorum'];
  leader?: LeaderInfo;
  lastKnownLeader?: LeaderInfo;
  initialAt?: number;
}): EnsembleState {
  return {
    quorum: fields.quorum ?? 'healthy',
    initial: { at: fields.initialAt ?? T0, quorum: 'healthy' },
    timeline: fields.timeline,
    ...(fields.leader ? { leader: fields.leader, lastKnownLeader: fields.leader } : {}),
    ...(fields.lastKnownLeader ? { lastKnownLeader: fields.lastKnownLeader } : {}),
  } as EnsembleState;
}

/** A leader failover as derivation reports it: the leader A (epoch 1) killed at +10m, B elected 2 s later. */
function failover(): Transition[] {
  const e = 'e';
  return [
    { at: T0 + 10 * MIN, ensemble: e, kind: 'node_down', server: A, serverId: 1, reason: 'refused', from: 'leader' },
    { at: T0 + 10 * MIN, ensemble: e, kind: 'election_started' },
    { at: T0 + 10 * MIN, ensemble: e, kind: 'quorum_state_changed', from: 'healthy', to: 'lost', voters: 3, healthyVoters: 0, margin: -2 },
    {
      at: T0 + 10 * MIN + 2000,
      ensemble: e,
      kind: 'election_ended',
      server: B,
      serverId: 2,
      startedAt: T0 + 10 * MIN,
      durationMs: 2000,
      startedAtStartup: false,
    },
    {
      at: T0 + 10 * MIN + 2000,
      ensemble: e,
      kind: 'leader_changed',
      server: B,
      serverId: 2,
      from: A,
      fromServerId: 1,
      fromEpoch: 1,
      to: B,
      toServerId: 2,
      toEpoch: 2,
    },
    {
      at: T0 + 10 * MIN + 2000,
      ensemble: e,
      kind: 'quorum_state_changed',
      from: 'lost',
      to: 'at_risk',
      voters: 3,
      healthyVoters: 2,
      margin: 0,
    },
  ];
}

describe('chartModel', () => {
  it('draws a failover: quorum healthy → lost → at_risk, leader A (epoch 1) → none → B (epoch 2)', () => {
    const now = T0 + 20 * MIN;
    const s = state({ timeline: failover(), quorum: 'at_risk', leader: { server: B, serverId: 2, epoch: 2, since: T0 + 10 * MIN + 2000 } });
    const model = chartModel(s, s.timeline, T0, now);
    expect(model.windowMs).toBe(20 * MIN);
    expect(model.quorum).toStrictEqual([
      { from: T0, to: T0 + 10 * MIN, value: 'healthy' },
      { from: T0 + 10 * MIN, to: T0 + 10 * MIN + 2000, value: 'lost' },
      { from: T0 + 10 * MIN + 2000, to: now, value: 'at_risk' },
    ]);
    expect(model.leader).toStrictEqual([
      { from: T0, to: T0 + 10 * MIN, value: { server: A, serverId: 1, epoch: 1 } },
      { from: T0 + 10 * MIN, to: T0 + 10 * MIN + 2000, value: null },
      { from: T0 + 10 * MIN + 2000, to: now, value: { server: B, serverId: 2, epoch: 2 } },
    ]);
  });

  it('keeps the leader across an election it wins again in the same epoch (no leader_changed)', () => {
    const now = T0 + 5 * MIN;
    const leader = { server: A, serverId: 1, epoch: 1, since: T0 };
    const timeline: Transition[] = [
      { at: T0 + MIN, ensemble: 'e', kind: 'election_started' },
      {
        at: T0 + MIN + 500,
        ensemble: 'e',
        kind: 'election_ended',
        server: A,
        serverId: 1,
        startedAt: T0 + MIN,
        durationMs: 500,
        startedAtStartup: false,
      },
    ];
    const model = chartModel(state({ timeline, leader }), timeline, T0, now);
    expect(model.leader).toStrictEqual([
      { from: T0, to: T0 + MIN, value: { server: A, serverId: 1, epoch: 1 } },
      { from: T0 + MIN, to: T0 + MIN + 500, value: null },
      { from: T0 + MIN + 500, to: now, value: { server: A, serverId: 1, epoch: 1 } },
    ]);
  });

  it('an election still running: the leader before it is the last known one', () => {
    const now = T0 + 3 * MIN;
    const timeline: Transition[] = [{ at: T0 + 2 * MIN, ensemble: 'e', kind: 'election_started' }];
    const s = state({ timeline, quorum: 'lost', lastKnownLeader: { server: A, epoch: 4, since: T0 } });
    expect(chartModel(s, timeline, T0, now).leader).toStrictEqual([
      { from: T0, to: T0 + 2 * MIN, value: { server: A, epoch: 4 } },
      { from: T0 + 2 * MIN, to: now, value: null },
    ]);
  });

  it('shows the last hour only, and nothing before what is known', () => {
    const now = T0 + 3 * 60 * MIN;
    const s = state({ timeline: failover(), quorum: 'at_risk', leader: { server: B, serverId: 2, epoch: 2, since: T0 } });
    const model = chartModel(s, s.timeline, T0, now);
    expect(model.windowMs).toBe(CHART_WINDOW_MS);
    expect(model.knownFrom).toBe(now - CHART_WINDOW_MS);
    expect(model.quorum).toStrictEqual([{ from: now - CHART_WINDOW_MS, to: now, value: 'at_risk' }]);
    expect(model.leader).toStrictEqual([{ from: now - CHART_WINDOW_MS, to: now, value: { server: B, serverId: 2, epoch: 2 } }]);
  });

  it('without transitions: one segment of the current state since the start', () => {
    const s = state({ timeline: [], quorum: 'healthy', leader: { server: A, epoch: 1, since: T0 } });
    const model = chartModel(s, [], T0, T0 + MIN);
    // A young agent still gets a two-minute chart; the part before it started stays empty.
    expect(model.windowMs).toBe(2 * MIN);
    expect(model.quorum).toStrictEqual([{ from: T0, to: T0 + MIN, value: 'healthy' }]);
    expect(model.leader).toStrictEqual([{ from: T0, to: T0 + MIN, value: { server: A, epoch: 1 } }]);
  });
});

describe('chartWindowMs', () => {
  it('is the agent’s age between two minutes and an hour', () => {
    expect(chartWindowMs(T0, T0 + 10_000)).toBe(2 * MIN);
    expect(chartWindowMs(T0, T0 + 17 * MIN)).toBe(17 * MIN);
    expect(chartWindowMs(T0, T0 + 5 * 60 * MIN)).toBe(CHART_WINDOW_MS);
  });
});

describe('knownFromOf', () => {
  it('is the first round while the timeline is not full, else its oldest transition', () => {
    const timeline = failover();
    expect(knownFromOf(state({ timeline, initialAt: T0 - MIN }), 100)).toBe(T0 - MIN);
    expect(knownFromOf(state({ timeline, initialAt: T0 - MIN }), timeline.length)).toBe(T0 + 10 * MIN);
  });
});

describe('mergeTimeline', () => {
  it('keeps what the page saw beyond the agent’s limit, without duplicates, in time order', () => {
    const all = failover();
    const kept = all.slice(0, 4);
    // The agent now holds only the newest three: the first three dropped out of its timeline.
    const merged = mergeTimeline(kept, all.slice(3), T0);
    expect(merged).toStrictEqual(all);
  });

  it('drops transitions older than keepFrom', () => {
    const all = failover();
    expect(mergeTimeline([], all, T0 + 10 * MIN + 1)).toStrictEqual(all.slice(3));
  });
});

describe('text', () => {
  it('describes each kind in one line', () => {
    expect(failover().map(describeTransition)).toStrictEqual([
      '10.0.0.1:2181 (id 1) down (refused), was leader',
      'election started',
      'quorum healthy → lost (0/3 voters healthy, margin -2)',
      'election ended after 2s: 10.0.0.2:2181 (id 2) leads',
      'leader 10.0.0.1:2181 (id 1) epoch 1 → 10.0.0.2:2181 (id 2) epoch 2',
      'quorum lost → at_risk (2/3 voters healthy, margin 0)',
    ]);
    // A kind this page does not know yet still reads as words.
    expect(describeTransition({ at: T0, ensemble: 'e', kind: 'some_new_thing', phase: 'started' } as unknown as Transition)).toBe(
      'some new thing started',
    );
  });

  it('names a server with its id when known', () => {
    expect([serverName(A), serverName(A, 1)]).toStrictEqual(['10.0.0.1:2181', '10.0.0.1:2181 (id 1)']);
  });

  it('formats lag like the status command and durations for people', () => {
    expect([formatLag({}), formatLag({ lag: 0, lagIsLowerBound: false }), formatLag({ lag: 7, lagIsLowerBound: true })]).toStrictEqual([
      '',
      '0',
      '>=7',
    ]);
    expect([850, 12_400, 120_000, 184_000, 7_500_000].map(formatDuration)).toStrictEqual(['850ms', '12s', '2m', '3m 4s', '2h 5m']);
  });
});
