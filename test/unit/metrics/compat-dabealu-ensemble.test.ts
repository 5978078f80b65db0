/** `--compat dabealu-ensemble`: the dabealu series with an `ensemble` label, from the flag to the exposition. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { addDabealuFamilies, dabealuOptions } from '../../../src/metrics/compat-dabealu.js';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';
import { NodeStore } from '../../../src/state/store.js';
import { capturedSample, T0 } from './captured.js';

describe('dabealuOptions', () => {
  it.each([
    [[], undefined],
    [['dabealu'], {}],
    [['dabealu-ensemble'], { ensembleLabel: true }],
    [['dabealu', 'dabealu-ensemble'], { ensembleLabel: true }],
  ])('compat %j → %j', (compat, options) => {
    expect(dabealuOptions(compat)).toEqual(options);
  });
});

describe('--compat dabealu-ensemble', () => {
  it('is accepted by the config and labels every zk_* series with the ensemble', () => {
    const loaded = loadConfig({ argv: ['--ensemble', 'kafka=a:2181', '--compat', 'dabealu-ensemble'], env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.config.compat).toEqual(['dabealu-ensemble']);
    const store = new NodeStore(true);
    store.record([capturedSample('leader', 'a:2181', T0, 'kafka')], T0);
    const set = new FamilySet();
    addDabealuFamilies(set, store.all(), dabealuOptions(loaded.config.compat));
    const text = renderFamilies(set.all());
    expect(text).toContain('\nzk_up{zk_host="a:2181",ensemble="kafka"} 1\n');
    expect(text).toContain('\nzk_server_leader{zk_host="a:2181",ensemble="kafka"} 1\n');
    const series = text.split('\n').filter((line) => line.startsWith('zk_'));
    expect(series.length).toBeGreaterThan(10);
    expect(series.filter((line) => !line.includes('ensemble="kafka"'))).toEqual([]);
  });

  it('refuses an unknown compat mode, naming the allowed ones', () => {
    const loaded = loadConfig({ argv: ['--ensemble', 'kafka=a:2181', '--compat', 'dabealu-cluster'], env: {} });
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.problems.map((p) => p.message).join('\n')).toContain('dabealu-ensemble');
  });
});
