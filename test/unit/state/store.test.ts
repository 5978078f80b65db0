import { describe, expect, it } from 'vitest';
import { carryConf } from '../../../src/poll/plan.js';
import type { NodeSample } from '../../../src/commands/index.js';
import { layOutMntr } from '../../../src/commands/mntr-layout.js';
import { mntrSeriesOf, NodeStore, type CommandHistory, type OutcomeChange } from '../../../src/state/store.js';
import { capturedSample, DURATION_MS, failedSample, T0, TIMEOUT_MS } from '../metrics/captured.js';

const S = '10.0.0.3:2181';
/** `now` of round k: 10 s apart, 50 ms after the poll started. */
const at = (k: number): number => T0 + k * 10_000 + 50;
const polled = (k: number): number => T0 + k * 10_000;

function changes(to: OutcomeChange['to'], from?: OutcomeChange['from'], detail?: string): OutcomeChange[] {
  return (['srvr', 'mntr', 'wchs', 'conf'] as const).map((command) => {
    const change: OutcomeChange = { ensemble: 'e', server: S, command, to };
    if (from !== undefined) change.from = from;
    if (detail !== undefined) change.detail = detail;
    return change;
  });
}

function record(store: NodeStore, server = S) {
  const found = store.all().find((r) => r.server === server);
  if (!found) throw new Error(`no record for ${server}`);
  return found;
}

describe('NodeStore.record', () => {
  it('reports each node × command result once per change of reason, not every round', () => {
    const store = new NodeStore();
    expect(store.record([capturedSample('leader', S, polled(0))], at(0))).toStrictEqual(changes('ok'));
    expect(store.record([capturedSample('leader', S, polled(1))], at(1))).toStrictEqual([]);
    expect(store.record([failedSample(S, 'timeout', polled(2))], at(2))).toStrictEqual(changes('timeout', 'ok', 'test timeout'));
    expect(store.record([failedSample(S, 'timeout', polled(3))], at(3))).toStrictEqual([]);
    expect(store.record([failedSample(S, 'refused', polled(4))], at(4))).toStrictEqual(changes('refused', 'timeout', 'test refused'));
    expect(store.record([capturedSample('leader', S, polled(5))], at(5))).toStrictEqual(changes('ok', 'refused'));
    expect(store.record([capturedSample('leader', S, polled(6))], at(6))).toStrictEqual([]);
  });

  it('counts errors by reason, keeps lastSuccessAt across failures and clears the detail on success', () => {
    const store = new NodeStore();
    store.record([capturedSample('leader', S, polled(0))], at(0));
    expect(record(store).commands.srvr).toStrictEqual<CommandHistory>({
      lastReason: 'ok',
      lastDurationMs: DURATION_MS.srvr,
      lastSuccessAt: at(0),
      errors: {},
    });
    store.record([failedSample(S, 'timeout', polled(1))], at(1));
    store.record([failedSample(S, 'timeout', polled(2))], at(2));
    store.record([failedSample(S, 'refused', polled(3))], at(3));
    expect(record(store).commands.srvr).toStrictEqual<CommandHistory>({
      lastReason: 'refused',
      lastDetail: 'test refused',
      lastDurationMs: TIMEOUT_MS,
      lastSuccessAt: at(0),
      errors: { timeout: 2, refused: 1 },
    });
    store.record([capturedSample('leader', S, polled(4))], at(4));
    expect(record(store).commands.mntr).toStrictEqual<CommandHistory>({
      lastReason: 'ok',
      lastDurationMs: DURATION_MS.mntr,
      lastSuccessAt: at(4),
      errors: { timeout: 2, refused: 1 },
    });
  });

  it('derives mntr series only while srvr and mntr both answer', () => {
    const store = new NodeStore();
    store.record([capturedSample('leader', S, polled(0))], at(0));
    expect(mntrSeriesOf(record(store))).toHaveLength(545);
    expect(mntrSeriesOf(record(store))[0]).toStrictEqual({
      family: 'zookeeper_mntr_ephemerals_count',
      type: 'untyped',
      sample: 'zookeeper_mntr_ephemerals_count',
      labels: {},
      value: 0,
    });

    // srvr failed but mntr answered (node going down between the two): no data series.
    const srvrDown: NodeSample = { ...capturedSample('leader', S, polled(1)), srvr: failedSample(S, 'timeout').srvr };
    store.record([srvrDown], at(1));
    expect(mntrSeriesOf(record(store))).toStrictEqual([]);

    store.record([capturedSample('leader', S, polled(2))], at(2));
    expect(mntrSeriesOf(record(store))).toHaveLength(545);

    // srvr answered but mntr was refused: old series are not kept either.
    const mntrRefused: NodeSample = {
      ...capturedSample('leader', S, polled(3)),
      mntr: {
        ok: false,
        reason: 'not_whitelisted',
        detail: 'mntr is not executed because it is not in the whitelist.',
        transport: 'fourletter',
        durationMs: 1,
      },
    };
    store.record([mntrRefused], at(3));
    expect(mntrSeriesOf(record(store))).toStrictEqual([]);

    store.record([failedSample(S, 'timeout', polled(4))], at(4));
    expect(mntrSeriesOf(record(store))).toStrictEqual([]);
  });

  it('counts a carried-over conf once, in the round that asked it', () => {
    const store = new NodeStore();
    const first = { ...capturedSample('leader', S, polled(0)), conf: failedSample(S, 'timeout').conf };
    expect(store.record([first], at(0)).map((c) => `${c.command}:${c.to}`)).toStrictEqual([
      'srvr:ok',
      'mntr:ok',
      'wchs:ok',
      'conf:timeout',
    ]);

    // Round 1 does not ask conf: the scheduler carries the old outcome over.
    const { conf: _notAsked, confPolledAt: _notAskedAt, ...withoutConf } = capturedSample('leader', S, polled(1));
    const carried = carryConf(withoutConf, first);
    expect(carried.conf).toBe(first.conf);
    expect(carried.confPolledAt).toBe(polled(0));
    expect(store.record([carried], at(1))).toStrictEqual([]);
    expect(record(store).commands.conf).toStrictEqual<CommandHistory>({
      lastReason: 'timeout',
      lastDetail: 'test timeout',
      lastDurationMs: TIMEOUT_MS,
      errors: { timeout: 1 },
    });
    // The record still shows the carried outcome.
    expect(record(store).sample.conf).toBe(first.conf);

    // Round 2 asks again and succeeds: counted once, lastSuccessAt is this round.
    expect(store.record([capturedSample('leader', S, polled(2))], at(2))).toStrictEqual([
      { ensemble: 'e', server: S, command: 'conf', from: 'timeout', to: 'ok' },
    ]);
    expect(record(store).commands.conf).toStrictEqual<CommandHistory>({
      lastReason: 'ok',
      lastDurationMs: DURATION_MS.conf,
      lastSuccessAt: at(2),
      errors: { timeout: 1 },
    });

    // Round 3 carries the good conf: lastSuccessAt stays at round 2.
    const { conf: _c, confPolledAt: _a, ...round3 } = capturedSample('leader', S, polled(3));
    store.record([carryConf(round3, capturedSample('leader', S, polled(2)))], at(3));
    expect(record(store).commands.conf?.lastSuccessAt).toBe(at(2));
  });

  it('takes the server id from conf and keeps it while the node is down', () => {
    const store = new NodeStore();
    store.record([capturedSample('leader', S, polled(0))], at(0));
    expect(record(store).serverId).toBe(3);
    store.record([failedSample(S, 'timeout', polled(1))], at(1));
    expect(record(store).serverId).toBe(3);
    expect(record(store).sample.srvr.ok).toBe(false);
  });

  it('keeps nodes apart by ensemble and server, in first-recorded order', () => {
    const store = new NodeStore();
    store.record([capturedSample('follower', '10.0.0.1:2181'), capturedSample('leader', S)], at(0));
    store.record([capturedSample('standalone', S, T0, 'other')], at(0));
    expect(store.all().map((r) => `${r.ensemble}/${r.server}/${r.serverId}`)).toStrictEqual([
      'e/10.0.0.1:2181/1',
      'e/10.0.0.3:2181/3',
      'other/10.0.0.3:2181/0',
    ]);
    expect(store.ofEnsemble('other').map((r) => r.server)).toStrictEqual([S]);
    expect(store.ofEnsemble('missing')).toStrictEqual([]);
  });

  it('forgets a node its ensemble no longer polls, and a whole ensemble on request, leaving the others', () => {
    const store = new NodeStore();
    store.record([capturedSample('follower', '10.0.0.1:2181'), capturedSample('leader', S)], at(0));
    store.record([capturedSample('standalone', S, T0, 'other')], at(0));
    // The next round of `e` polls one member only (the other left the membership).
    store.record([capturedSample('leader', S, polled(1))], at(1));
    expect(store.all().map((r) => `${r.ensemble}/${r.server}`)).toStrictEqual(['e/10.0.0.3:2181', 'other/10.0.0.3:2181']);
    expect(store.ofEnsemble('e').map((r) => r.server)).toStrictEqual([S]);
    // A member that comes back starts afresh, after the others.
    store.record([capturedSample('leader', S, polled(2)), capturedSample('follower', '10.0.0.1:2181', polled(2))], at(2));
    expect(store.ofEnsemble('e').map((r) => r.server)).toStrictEqual([S, '10.0.0.1:2181']);
    expect(record(store, '10.0.0.1:2181').commands.srvr?.errors).toStrictEqual({});
    store.forgetEnsemble('e');
    expect(store.ofEnsemble('e')).toStrictEqual([]);
    expect(store.all().map((r) => `${r.ensemble}/${r.server}`)).toStrictEqual(['other/10.0.0.3:2181']);
  });

  it('takes a sample laid out at poll time as is: the same series, without its entries and without keeping the layout', () => {
    const whole = new NodeStore(false);
    whole.record([capturedSample('leader', S)], at(0));
    const sample = capturedSample('leader', S);
    const laidOut = { ...sample, mntrLaidOut: layOutMntr(sample.mntr?.ok ? sample.mntr.value : { entries: [] }) };
    const thinned = { ...laidOut, mntr: { ...sample.mntr!, value: { entries: [] } } } as NodeSample;
    const store = new NodeStore(false);
    store.record([thinned], at(0));
    expect(mntrSeriesOf(record(store))).toStrictEqual(mntrSeriesOf(record(whole)));
    expect(mntrSeriesOf(record(store)).length).toBeGreaterThan(400);
    expect(record(store).sample.mntrLaidOut).toBeUndefined();
  });
});
