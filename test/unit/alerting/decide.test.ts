import { describe, expect, it } from 'vitest';
import { decidePush, type PushSettings, type PushState } from '../../../src/alerting/decide.js';
import type { EnsembleState } from '../../../src/ensemble/types.js';
import { ensembleConfig, F, L, NS, Sim, T0, X, type NodeSpec } from '../ensemble/samples.js';

const SETTINGS: PushSettings = { resendIntervalMs: 5000, externalUrl: 'http://agent-a:9141', agentId: 'agent-a' };
const H: NodeSpec[] = [L(), F(), F()];
const RISK: NodeSpec[] = [L(), F(), X()];
const LOST: NodeSpec[] = [NS(), X(), X()];
const iso = (ms: number) => new Date(ms).toISOString();

/** Rounds one second apart through the real derivation, feeding each state to decidePush. */
class Pusher {
  readonly sim = new Sim(ensembleConfig(3, 'kafka'));
  state: PushState | undefined;

  round(specs: NodeSpec[], patch: Partial<EnsembleState> = {}) {
    this.sim.round(specs);
    return this.decide({ ...this.sim.s, ...patch });
  }

  decide(ensemble: EnsembleState) {
    const result = decidePush(this.state, ensemble, ensemble.lastRoundAt, SETTINGS);
    this.state = result.state;
    return result.alerts;
  }
}

/** `name:firing` / `name:resolved` per posted alert, by whether endsAt is after the round. */
function summary(alerts: ReturnType<Pusher['round']>, now: number): string[] {
  return alerts.map((a) => `${a.labels.alertname}:${Date.parse(a.endsAt) > now ? 'firing' : 'resolved'}`);
}

describe('decidePush', () => {
  it('sends nothing for a healthy ensemble', () => {
    const p = new Pusher();
    expect(p.round(H)).toEqual([]);
    expect(p.round(H)).toEqual([]);
  });

  it('fires at_risk at once with the labels Alertmanager dedups and groups on, endsAt three resend intervals ahead', () => {
    const p = new Pusher();
    p.round(H);
    const at = T0 + 1000;
    expect(p.round(RISK)).toEqual([
      {
        labels: { alertname: 'ZookeeperQuorumAtRisk', ensemble: 'kafka', severity: 'warning', source: 'zk-ensemble-exporter' },
        annotations: {
          summary: 'ZooKeeper ensemble kafka is one failure away from losing quorum',
          description: '2 of 3 voters serve, a majority is 2. Not serving: 10.0.0.3:2181.',
          agent: 'agent-a',
          epoch: '1',
        },
        startsAt: iso(at),
        endsAt: iso(at + 15_000),
        generatorURL: 'http://agent-a:9141/#ensemble-kafka',
      },
    ]);
  });

  it('re-sends an active alert once per resend interval with the same startsAt, then resolves it with endsAt = now', () => {
    const p = new Pusher();
    p.round(H);
    const onset = T0 + 1000;
    expect(p.round(RISK)).toHaveLength(1);
    // Rounds 2..5 fall within the 5 s resend interval.
    for (let i = 0; i < 4; i++) expect(p.round(RISK)).toEqual([]);
    const resent = p.round(RISK);
    expect(resent.map((a) => [a.startsAt, a.endsAt])).toEqual([[iso(onset), iso(T0 + 6000 + 15_000)]]);
    const resolved = p.round(H);
    expect(resolved.map((a) => [a.labels.alertname, a.startsAt, a.endsAt])).toEqual([
      ['ZookeeperQuorumAtRisk', iso(onset), iso(T0 + 7000)],
    ]);
  });

  it('re-sends a resolution each resend interval until the firing endsAt has passed, then forgets the alert', () => {
    const p = new Pusher();
    p.round(H);
    p.round(RISK); // fires at T0+1s, endsAt T0+16s
    const posted: string[] = [];
    for (let k = 2; k <= 20; k++) {
      const alerts = p.round(H);
      if (alerts.length > 0) posted.push(`${k}:${summary(alerts, T0 + k * 1000).join(',')}`);
    }
    expect(posted).toEqual(['2:ZookeeperQuorumAtRisk:resolved', '7:ZookeeperQuorumAtRisk:resolved', '12:ZookeeperQuorumAtRisk:resolved']);
    expect(p.state).toEqual({});
  });

  it('quorum lost without a leader fires QuorumLost and NoLeader; a new episode after a resolution gets a new startsAt', () => {
    const p = new Pusher();
    p.round(H);
    const lost = p.round(LOST);
    expect(summary(lost, T0 + 1000)).toEqual(['ZookeeperQuorumLost:firing', 'ZookeeperNoLeader:firing']);
    expect(lost[0]!.labels.severity).toBe('critical');
    expect(lost[0]!.annotations.description).toBe(
      'Reads, writes and new sessions fail until a majority returns. 0 of 3 voters serve, a majority is 2. Not serving: 10.0.0.1:2181, 10.0.0.2:2181, 10.0.0.3:2181.',
    );
    expect(summary(p.round(H), T0 + 2000)).toEqual(['ZookeeperQuorumLost:resolved', 'ZookeeperNoLeader:resolved']);
    const again = p.round(LOST);
    expect(again.map((a) => a.startsAt)).toEqual([iso(T0 + 3000), iso(T0 + 3000)]);
  });

  it('quorum unknown neither fires nor resolves: a firing alert is held and re-sent, nothing new starts', () => {
    const p = new Pusher();
    p.round(H);
    p.round(LOST);
    // Rounds with quorum unknown (voters the agent cannot see could make the difference).
    const held: string[] = [];
    for (let k = 2; k <= 7; k++) held.push(...summary(p.round(LOST, { quorum: 'unknown' }), T0 + k * 1000));
    expect(held).toEqual(['ZookeeperQuorumLost:firing', 'ZookeeperNoLeader:firing']);
    // From healthy, an unknown round starts nothing.
    const q = new Pusher();
    q.round(H);
    expect(q.round(LOST, { quorum: 'unknown' })).toEqual([]);
  });

  it('re-sends at once when the facts in the annotations change', () => {
    const p = new Pusher();
    p.round(H);
    p.round(LOST);
    // A leader returns alone: quorum is still lost (new facts, re-sent now), NoLeader resolves.
    const changed = p.round([L(), X(), X()]);
    expect(summary(changed, T0 + 2000)).toEqual(['ZookeeperQuorumLost:firing', 'ZookeeperNoLeader:resolved']);
    expect(changed[0]!.annotations.description).toBe(
      'Reads, writes and new sessions fail until a majority returns. 1 of 3 voters serve, a majority is 2. Not serving: 10.0.0.2:2181, 10.0.0.3:2181.',
    );
    expect(changed[0]!.startsAt).toBe(iso(T0 + 1000));
  });

  it('split brain fires SplitBrain, not NoLeader', () => {
    const p = new Pusher();
    p.round(H);
    const alerts = p.round([L(1), L(1), F(1)]);
    expect(summary(alerts, T0 + 1000)).toContain('ZookeeperSplitBrain:firing');
    expect(summary(alerts, T0 + 1000)).not.toContain('ZookeeperNoLeader:firing');
  });

  it('writes stalled fires only with a canary that reports a stall', () => {
    const p = new Pusher();
    p.round(H);
    expect(
      p.round(H, { canary: { writable: false, writesStalled: true, since: T0, lastRoundAt: T0, nodes: [] } }).map((a) => a.labels),
    ).toEqual([{ alertname: 'ZookeeperWritesStalled', ensemble: 'kafka', severity: 'critical', source: 'zk-ensemble-exporter' }]);
    expect(summary(p.round(H), T0 + 2000)).toEqual(['ZookeeperWritesStalled:resolved']);
  });

  it('a stale leader fires StaleLeader (warning) next to a serving leader', () => {
    const p = new Pusher();
    p.round(H);
    const alerts = p.round(H, { staleLeaders: ['10.0.0.3:2181'] });
    expect(alerts.map((a) => [a.labels.alertname, a.labels.severity, a.annotations.description])).toEqual([
      ['ZookeeperStaleLeader', 'warning', 'Still answering as leader of an older epoch: 10.0.0.3:2181; current leader: 10.0.0.1:2181.'],
    ]);
  });
});
