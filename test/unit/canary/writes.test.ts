import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/cli/status-table.js';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import type { EnsembleState } from '../../../src/ensemble/types.js';
import { applyCanaryRound } from '../../../src/ensemble/writes.js';
import { addCanaryFamilies } from '../../../src/metrics/canary-families.js';
import { addEnsembleFamilies } from '../../../src/metrics/ensemble-families.js';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';
import type { CanaryNodeResult, CanaryRound } from '../../../src/zk/canary-types.js';
import { ensembleConfig, F, L, round, server, T0 } from '../ensemble/samples.js';

/** A healthy ensemble's state after one poll round, without any canary. */
function polled(): EnsembleState {
  return deriveEnsemble(undefined, ensembleConfig(3), round([L(1, 7), F(1, 7), F(1, 7)], T0), T0).state;
}

const good = (i: number, at: number): CanaryNodeResult => ({
  server: server(i),
  startedAt: at,
  finishedAt: at + 5,
  wrote: true,
  ok: true,
  latencyMs: { write: 3, read: 1 },
});
const timedOut = (i: number, at: number): CanaryNodeResult => ({
  server: server(i),
  startedAt: at,
  finishedAt: at + 1000,
  wrote: false,
  ok: false,
  failedOp: 'write',
  reason: 'timeout',
  latencyMs: {},
});

function canaryRound(at: number, nodes: CanaryNodeResult[]): CanaryRound {
  return { ensemble: 'main', startedAt: at, finishedAt: Math.max(...nodes.map((n) => n.finishedAt)), nodes };
}

describe('applyCanaryRound', () => {
  it('establishes writable on the first round without a transition', () => {
    const { state, transitions } = applyCanaryRound(polled(), canaryRound(T0, [good(1, T0), good(2, T0), good(3, T0)]));
    expect(transitions).toEqual([]);
    expect(state.writable).toBe(true);
    expect(state.canary).toEqual({
      writable: true,
      writesStalled: false,
      since: T0 + 5,
      lastRoundAt: T0 + 5,
      nodes: [1, 2, 3].map((i) => ({ server: server(i), ok: true, wrote: true, lastSuccessAt: T0 + 5 })),
    });
  });

  it('is writable while at least one node commits, and stalls when none does', () => {
    let state = applyCanaryRound(polled(), canaryRound(T0, [good(1, T0), good(2, T0), good(3, T0)])).state;
    const partial = applyCanaryRound(state, canaryRound(T0 + 1000, [timedOut(1, T0 + 1000), good(2, T0 + 1000), good(3, T0 + 1000)]));
    expect(partial.transitions).toEqual([]);
    expect(partial.state.writable).toBe(true);
    state = partial.state;

    const stalled = applyCanaryRound(
      state,
      canaryRound(
        T0 + 2000,
        [1, 2, 3].map((i) => timedOut(i, T0 + 2000)),
      ),
    );
    expect(stalled.transitions).toEqual([
      {
        at: T0 + 3000,
        ensemble: 'main',
        kind: 'writes_stalled',
        phase: 'started',
        nodes: [1, 2, 3].map((i) => ({ server: server(i), failedOp: 'write', reason: 'timeout' })),
      },
    ]);
    expect(stalled.state.canary).toMatchObject({ writable: false, writesStalled: true, since: T0 + 3000 });
    // A failed probe keeps the node's last success.
    expect(stalled.state.canary?.nodes[0]).toEqual({
      server: server(1),
      ok: false,
      wrote: false,
      failedOp: 'write',
      reason: 'timeout',
      lastSuccessAt: T0 + 5,
    });
    expect(stalled.state.timeline.at(-1)).toEqual(stalled.transitions[0]);

    const again = applyCanaryRound(
      stalled.state,
      canaryRound(
        T0 + 3000,
        [1, 2, 3].map((i) => timedOut(i, T0 + 3000)),
      ),
    );
    expect(again.transitions).toEqual([]);
    expect(again.state.canary?.since).toBe(T0 + 3000);

    const back = applyCanaryRound(
      again.state,
      canaryRound(T0 + 14_000, [timedOut(1, T0 + 14_000), good(2, T0 + 14_000), good(3, T0 + 14_000)]),
    );
    expect(back.transitions).toEqual([
      {
        at: T0 + 15_000,
        ensemble: 'main',
        kind: 'writes_stalled',
        phase: 'ended',
        nodes: [{ server: server(2) }, { server: server(3) }],
        durationMs: 12_000,
      },
    ]);
    expect(back.state.writable).toBe(true);
  });

  it('counts a write that committed even when the read-back then failed', () => {
    const readFailed: CanaryNodeResult = { ...good(1, T0), ok: false, failedOp: 'read', reason: 'timeout', latencyMs: { write: 3 } };
    const { state } = applyCanaryRound(polled(), canaryRound(T0, [readFailed, timedOut(2, T0), timedOut(3, T0)]));
    expect(state.writable).toBe(true);
    expect(state.canary?.nodes[0]).toEqual({ server: server(1), ok: false, wrote: true, failedOp: 'read', reason: 'timeout' });
  });
});

describe('the poll-driven derivation and the canary', () => {
  it('leaves an ensemble without a canary exactly as before: no writable field', () => {
    const state = polled();
    expect('writable' in state).toBe(false);
    expect('canary' in state).toBe(false);
    const next = deriveEnsemble(state, ensembleConfig(3), round([L(1, 7), F(1, 7), F(1, 7)], T0 + 1000), T0 + 1000).state;
    expect('writable' in next).toBe(false);
    expect((JSON.parse(JSON.stringify(next)) as { writable?: unknown }).writable).toBeUndefined();
  });

  it('carries the latest canary view through poll rounds unchanged', () => {
    const withCanary = applyCanaryRound(
      polled(),
      canaryRound(
        T0,
        [1, 2, 3].map((i) => timedOut(i, T0)),
      ),
    ).state;
    const next = deriveEnsemble(withCanary, ensembleConfig(3), round([L(1, 7), F(1, 7), F(1, 7)], T0 + 1000), T0 + 1000).state;
    expect(next.writable).toBe(false);
    expect(next.canary).toEqual(withCanary.canary);
  });
});

describe('canary exposition', () => {
  it('exports writable, up and last success only for an ensemble with a canary', () => {
    const other = deriveEnsemble(undefined, ensembleConfig(3, 'other'), round([L(1, 7), F(1, 7), F(1, 7)], T0, 'other'), T0).state;
    const state = applyCanaryRound(polled(), canaryRound(T0, [good(1, T0), timedOut(2, T0), good(3, T0)])).state;
    const set = new FamilySet();
    addEnsembleFamilies(set, [state, other]);
    addCanaryFamilies(set, [state, other]);
    const text = renderFamilies(set.all());
    const lines = text.split('\n').filter((l) => /^zookeeper_(canary|ensemble_writable)/.test(l));
    expect(lines).toEqual([
      'zookeeper_ensemble_writable{ensemble="main"} 1',
      'zookeeper_canary_up{ensemble="main",server="10.0.0.1:2181"} 1',
      'zookeeper_canary_up{ensemble="main",server="10.0.0.2:2181"} 0',
      'zookeeper_canary_up{ensemble="main",server="10.0.0.3:2181"} 1',
      `zookeeper_canary_last_success_timestamp_seconds{ensemble="main",server="10.0.0.1:2181"} ${(T0 + 5) / 1000}`,
      `zookeeper_canary_last_success_timestamp_seconds{ensemble="main",server="10.0.0.3:2181"} ${(T0 + 5) / 1000}`,
    ]);
  });

  it('adds a writes line to the status table only with a canary', () => {
    expect(renderStatus(polled())).not.toContain('writes');
    const stalled = applyCanaryRound(
      polled(),
      canaryRound(
        T0,
        [1, 2, 3].map((i) => timedOut(i, T0)),
      ),
    ).state;
    expect(renderStatus(stalled).split('\n').at(-1)).toBe(
      'writes STALLED: no write committed through any of 3 nodes; 10.0.0.1:2181 write timeout, 10.0.0.2:2181 write timeout, 10.0.0.3:2181 write timeout',
    );
    const ok = applyCanaryRound(
      polled(),
      canaryRound(
        T0,
        [1, 2, 3].map((i) => good(i, T0)),
      ),
    ).state;
    expect(renderStatus(ok).split('\n').at(-1)).toBe('writes OK: committed through 3/3 nodes');
  });
});
