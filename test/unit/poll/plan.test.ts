import { describe, expect, it } from 'vitest';
import type { AgentConfig, EnsembleConfig } from '../../../src/config/types.js';
import { carryConf, confDue, intervalDue, planNode, tickMs } from '../../../src/poll/plan.js';
import type { NodeSample } from '../../../src/commands/index.js';
import { capturedSample, ensembleConfig, failedSample, T0 } from '../metrics/captured.js';

const ENSEMBLE = ensembleConfig('e', ['10.0.0.1']); // confIntervalMs 60 000
const TARGET = ENSEMBLE.servers[0]!;
const CONFIG = { timeoutMs: 1500, maxReplyBytes: 65_536 } as AgentConfig;

/** A node that answered everything at T0, conf included. */
const answered = (): NodeSample => capturedSample('follower', '10.0.0.1:2181', T0);

function withoutConf(sample: NodeSample): NodeSample {
  const { conf: _conf, confPolledAt: _at, ...rest } = sample;
  return rest;
}

describe('confDue', () => {
  it('is never due when the ensemble does not poll conf', () => {
    const noConf: EnsembleConfig = { ...ENSEMBLE, commands: ['srvr', 'mntr'] };
    expect(confDue(undefined, noConf, T0)).toBe(false);
    expect(confDue(failedSample('10.0.0.1:2181', 'timeout'), noConf, T0 + 3_600_000)).toBe(false);
  });

  it('is due on the first round and when no conf was read yet', () => {
    expect(confDue(undefined, ENSEMBLE, T0)).toBe(true);
    expect(confDue(withoutConf(answered()), ENSEMBLE, T0 + 1000)).toBe(true);
    // A conf without its polling time cannot be aged: ask again.
    const { confPolledAt: _at, ...noTime } = answered();
    expect(confDue(noTime, ENSEMBLE, T0 + 1000)).toBe(true);
  });

  it('is due exactly when confInterval has passed since conf was asked', () => {
    expect(confDue(answered(), ENSEMBLE, T0 + 1000)).toBe(false);
    expect(confDue(answered(), ENSEMBLE, T0 + 59_999)).toBe(false);
    expect(confDue(answered(), ENSEMBLE, T0 + 60_000)).toBe(true);
    expect(confDue(answered(), ENSEMBLE, T0 + 61_000)).toBe(true);
  });

  it('is due at once after a failed conf', () => {
    const failed: NodeSample = { ...answered(), conf: failedSample('10.0.0.1:2181', 'not_whitelisted').conf! };
    expect(confDue(failed, ENSEMBLE, T0 + 1000)).toBe(true);
  });

  it('is due at once when the node was down last round (it may be back with a new membership)', () => {
    const down: NodeSample = { ...answered(), srvr: failedSample('10.0.0.1:2181', 'refused').srvr };
    expect(confDue(down, ENSEMBLE, T0 + 1000)).toBe(true);
  });
});

describe('planNode', () => {
  it('asks mntr, wchs and a due conf besides srvr, with the agent’s limits', () => {
    expect(planNode(CONFIG, ENSEMBLE, TARGET, undefined, T0)).toStrictEqual({
      ensemble: 'e',
      target: { host: '10.0.0.1', port: 2181 },
      transport: 'fourletter',
      commands: ['mntr', 'wchs', 'conf'],
      timeoutMs: 1500,
      maxReplyBytes: 65_536,
    });
  });

  it('leaves conf out until it is due', () => {
    expect(planNode(CONFIG, ENSEMBLE, TARGET, answered(), T0 + 10_000).commands).toStrictEqual(['mntr', 'wchs']);
    expect(planNode(CONFIG, ENSEMBLE, TARGET, answered(), T0 + 60_000).commands).toStrictEqual(['mntr', 'wchs', 'conf']);
  });

  it('keeps the configured order and drops srvr (always asked); every accepted word is sent', () => {
    const ensemble: EnsembleConfig = {
      ...ENSEMBLE,
      transport: 'admin',
      commands: ['wchs', 'isro', 'srvr', 'envi', 'stat', 'mntr', 'conf'],
    };
    const plan = planNode(CONFIG, ensemble, { host: '10.0.0.1', port: 2181, adminPort: 8080 }, undefined, T0);
    expect(plan.commands).toStrictEqual(['wchs', 'isro', 'envi', 'stat', 'mntr', 'conf']);
    expect(plan.transport).toBe('admin');
    expect(plan.target).toStrictEqual({ host: '10.0.0.1', port: 2181, adminPort: 8080 });
  });

  it('asks srvr only when that is all the ensemble polls', () => {
    expect(planNode(CONFIG, { ...ENSEMBLE, commands: ['srvr'] }, TARGET, undefined, T0).commands).toStrictEqual([]);
  });
});

describe('carryConf', () => {
  it('returns a sample that asked conf unchanged', () => {
    const sample = answered();
    expect(carryConf(sample, capturedSample('leader', '10.0.0.1:2181', T0 - 1000))).toBe(sample);
  });

  it('returns the sample unchanged when there is nothing to carry', () => {
    const sample = withoutConf(answered());
    expect(carryConf(sample, undefined)).toBe(sample);
    expect(carryConf(sample, withoutConf(answered()))).toBe(sample);
  });

  it('carries the previous conf outcome and its polling time onto a round that did not ask it', () => {
    const previous = answered();
    const sample = withoutConf(capturedSample('follower', '10.0.0.1:2181', T0 + 10_000));
    const carried = carryConf(sample, previous);
    expect(carried).toStrictEqual({ ...sample, conf: previous.conf, confPolledAt: T0 });
    expect(carried.polledAt).toBe(T0 + 10_000);
    // The input is not modified.
    expect(sample.conf).toBeUndefined();
  });

  it('carries a failed conf too, so it is asked again next round', () => {
    const previous: NodeSample = { ...answered(), conf: failedSample('10.0.0.1:2181', 'timeout').conf! };
    const carried = carryConf(withoutConf(answered()), previous);
    expect(carried.conf).toBe(previous.conf);
    expect(confDue(carried, ENSEMBLE, T0 + 10_000)).toBe(true);
  });
});

describe('the fast lane', () => {
  const FAST: AgentConfig = { ...CONFIG, intervalMs: 5000, fastIntervalMs: 1000 };
  /** A node that answered everything, mntr and wchs asked at T0. */
  const full = (): NodeSample => ({ ...answered(), roundPolledAt: T0 });

  it('ticks at fastInterval, or at interval when the fast lane is not faster', () => {
    expect(tickMs(FAST)).toBe(1000);
    expect(tickMs({ intervalMs: 5000, fastIntervalMs: 5000 })).toBe(5000);
    expect(tickMs({ intervalMs: 5000, fastIntervalMs: 10_000 })).toBe(5000);
  });

  it('asks srvr alone between intervals, and every word once an interval has passed (half a tick of slack)', () => {
    expect(planNode(FAST, ENSEMBLE, TARGET, full(), T0 + 1000).commands).toStrictEqual([]);
    expect(planNode(FAST, ENSEMBLE, TARGET, full(), T0 + 4000).commands).toStrictEqual([]);
    expect(planNode(FAST, ENSEMBLE, TARGET, full(), T0 + 4499).commands).toStrictEqual([]);
    expect(planNode(FAST, ENSEMBLE, TARGET, full(), T0 + 4500).commands).toStrictEqual(['mntr', 'wchs']);
    expect(planNode(FAST, ENSEMBLE, TARGET, full(), T0 + 5000).commands).toStrictEqual(['mntr', 'wchs']);
  });

  it('asks every word of a node never polled, or found down last round (it may be back)', () => {
    expect(intervalDue(undefined, FAST, T0)).toBe(true);
    const down: NodeSample = { ...failedSample('10.0.0.1:2181', 'refused'), roundPolledAt: T0 };
    expect(intervalDue(down, FAST, T0 + 1000)).toBe(true);
    expect(intervalDue(full(), FAST, T0 + 1000)).toBe(false);
  });

  it('carries mntr and wchs, with the time they were asked, onto a round that asked srvr alone', () => {
    const previous = full();
    const { mntr: _m, wchs: _w, conf: _c, confPolledAt: _a, ...srvrOnly } = capturedSample('follower', '10.0.0.1:2181', T0 + 1000);
    const carried = carryConf(srvrOnly, previous);
    expect(carried).toStrictEqual({
      ...srvrOnly,
      mntr: previous.mntr,
      wchs: previous.wchs,
      conf: previous.conf,
      roundPolledAt: T0,
      confPolledAt: T0,
    });
  });

  it('carries no mntr or wchs onto a node whose srvr failed: a down node shows no data', () => {
    const { mntr: _m, wchs: _w, conf: _c, confPolledAt: _a, ...down } = failedSample('10.0.0.1:2181', 'refused');
    const carried = carryConf(down, full());
    expect(carried.mntr).toBeUndefined();
    expect(carried.wchs).toBeUndefined();
    expect(carried.roundPolledAt).toBeUndefined();
  });
});
