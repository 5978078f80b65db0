import { describe, expect, it } from 'vitest';
import { addDabealuFamilies } from '../../../src/metrics/compat-dabealu.js';
import { FamilySet } from '../../../src/metrics/family.js';
import type { NodeSample } from '../../../src/commands/index.js';
import { NodeStore } from '../../../src/state/store.js';
import { capturedSample, failedSample, T0 } from './captured.js';

/** Every family as `name type: value{labels}…`, in creation order. */
function dump(set: FamilySet): string[] {
  return set.all().map((f) => `${f.name} ${f.type}: ${f.values.map((v) => `${JSON.stringify(v.labels)}=${v.value}`).join(' ')}`);
}

describe('addDabealuFamilies', () => {
  it('emits dabealu’s series; not serving → zk_up 0 and zk_server_leader 0; down → zk_up 0 only', () => {
    const leader = capturedSample('leader', 'a:2181');
    const withKeys: NodeSample = {
      ...leader,
      mntr: {
        ok: true,
        transport: 'fourletter',
        durationMs: 1,
        value: {
          entries: [
            { key: 'version', value: '3.8.0-abc, built on x' },
            { key: 'server_state', value: 'leader' },
            { key: 'peer_state', value: 'leading - broadcast' },
            { key: 'num_alive_connections', value: 1 },
            { key: 'weird-key.name', value: 2 },
            { key: 'fsynctime', labels: { quantile: '0.5' }, value: 3 },
            { key: 'latency', value: 'null' },
          ],
        },
      },
    };
    const notServing: NodeSample = {
      ensemble: 'e',
      server: 'b:2181',
      polledAt: T0,
      srvr: {
        ok: false,
        reason: 'not_serving',
        detail: 'This ZooKeeper instance is not currently serving requests',
        transport: 'fourletter',
        durationMs: 1,
      },
    };
    const refusedMntr: NodeSample = {
      ...capturedSample('follower', 'd:2181'),
      mntr: {
        ok: false,
        reason: 'not_whitelisted',
        detail: 'mntr is not executed because it is not in the whitelist.',
        transport: 'fourletter',
        durationMs: 1,
      },
    };
    const store = new NodeStore();
    store.record([withKeys, notServing, failedSample('c:2181', 'timeout'), refusedMntr], T0);
    const set = new FamilySet();
    addDabealuFamilies(set, store.all());
    expect(dump(set)).toStrictEqual([
      'zk_up untyped: {"zk_host":"a:2181"}=1 {"zk_host":"b:2181"}=0 {"zk_host":"c:2181"}=0 {"zk_host":"d:2181"}=1',
      'zk_server_leader untyped: {"zk_host":"a:2181"}=1 {"zk_host":"b:2181"}=0 {"zk_host":"d:2181"}=0',
      'zk_ruok untyped: {"zk_host":"a:2181"}=1 {"zk_host":"b:2181"}=1 {"zk_host":"c:2181"}=0 {"zk_host":"d:2181"}=1',
      'zk_version untyped: {"zk_host":"a:2181","version":"3.8.0"}=1 {"zk_host":"d:2181","version":"3.8.0"}=1',
      'zk_peer_state untyped: {"zk_host":"a:2181","state":"leading"}=1',
      'zk_num_alive_connections untyped: {"zk_host":"a:2181"}=1',
      'zk_weird_key_name untyped: {"zk_host":"a:2181"}=2',
    ]);
  });
});

describe('addDabealuFamilies on 3.6+ and with the ensemble label', () => {
  /** A leader whose mntr carries `learners` (3.6+) and optionally the old `followers` key too. */
  function leaderWith(entries: { key: string; value: number }[], server = 'a:2181'): NodeSample {
    return { ...capturedSample('leader', server), mntr: { ok: true, transport: 'fourletter', durationMs: 1, value: { entries } } };
  }

  it('emits zk_followers from zk_learners when the reply has no followers key', () => {
    const store = new NodeStore();
    store.record(
      [
        leaderWith([
          { key: 'learners', value: 2 },
          { key: 'synced_followers', value: 2 },
        ]),
      ],
      T0,
    );
    const set = new FamilySet();
    addDabealuFamilies(set, store.all());
    expect(dump(set).slice(-3)).toStrictEqual([
      'zk_learners untyped: {"zk_host":"a:2181"}=2',
      'zk_followers untyped: {"zk_host":"a:2181"}=2',
      'zk_synced_followers untyped: {"zk_host":"a:2181"}=2',
    ]);
  });

  it('keeps a 3.4/3.5 reply’s own zk_followers and never doubles it', () => {
    const store = new NodeStore();
    store.record(
      [
        leaderWith([
          { key: 'followers', value: 4 },
          { key: 'learners', value: 2 },
        ]),
      ],
      T0,
    );
    const set = new FamilySet();
    addDabealuFamilies(set, store.all());
    expect(dump(set).slice(-2)).toStrictEqual([
      'zk_followers untyped: {"zk_host":"a:2181"}=4',
      'zk_learners untyped: {"zk_host":"a:2181"}=2',
    ]);
  });

  it('adds the ensemble label to every series when asked', () => {
    const store = new NodeStore();
    store.record([leaderWith([{ key: 'learners', value: 2 }])], T0);
    const set = new FamilySet();
    addDabealuFamilies(set, store.all(), { ensembleLabel: true });
    const labelled = set.all().flatMap((f) => f.values.map((v) => v.labels));
    expect(labelled.length).toBeGreaterThan(3);
    for (const labels of labelled) expect(labels).toMatchObject({ zk_host: 'a:2181', ensemble: 'e' });
  });
});
