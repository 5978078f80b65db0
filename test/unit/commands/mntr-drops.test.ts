import { describe, expect, it } from 'vitest';
import { mntrLayout } from '../../../src/commands/mntr-layout.js';
import { canonicalQuantile, MNTR_SERIES_CAP, nameProblem } from '../../../src/commands/mntr-names.js';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';
import { addNodeFamilies } from '../../../src/metrics/node-families.js';
import { parseMntr } from '../../../src/parse/mntr.js';
import { decodeFourLetter } from '../../../src/poll/decode.js';
import { NodeStore } from '../../../src/state/store.js';
import { fixture } from '../parse/fixtures.js';

function layoutOf(text: string) {
  const { plan, dropped } = mntrLayout(parseMntr(text).entries);
  return { samples: plan.map((item) => `${item.sample}${item.labels.quantile === undefined ? '' : `{${item.labels.quantile}}`}`), dropped };
}

describe('mntr entries that would break the exposition are dropped and counted', () => {
  it('a quantile that is not a float in [0, 1] is invalid_label; a valid one is canonical', () => {
    expect(layoutOf('zk_fsync{quantile="abc"}\t2\nzk_fsync{quantile="1.5"}\t2\nzk_fsync{quantile="0.50"}\t3\n')).toEqual({
      samples: ['zookeeper_mntr_fsync{0.5}'],
      dropped: { invalid_label: 2 },
    });
  });

  it('labels other than quantile are invalid_label', () => {
    expect(layoutOf('zk_w{key="a",quantile="0.5"}\t1\nzk_x\t1\n')).toEqual({
      samples: ['zookeeper_mntr_x'],
      dropped: { invalid_label: 1 },
    });
  });

  it('names the Prometheus linter rejects are invalid_name', () => {
    expect(layoutOf('zk_heap_mb\t1\nzk_uptime_minutes\t1\nzk_kilobytes_in\t1\nzk_ok_seconds\t1\n')).toEqual({
      samples: ['zookeeper_mntr_ok_seconds'],
      dropped: { invalid_name: 3 },
    });
  });

  it('two keys naming one series, and a family named like a summary part, are name_clash', () => {
    expect(layoutOf('zk_Foo\t1\nzk_foo\t2\nzk_x{quantile="0.5"}\t1\nzk_x_sum\t3\nzk_cnt_y\t1\nzk_y_count\t4\n')).toEqual({
      samples: ['zookeeper_mntr_foo', 'zookeeper_mntr_x{0.5}', 'zookeeper_mntr_x_sum', 'zookeeper_mntr_y_count'],
      dropped: { name_clash: 2 },
    });
  });

  it(`at most ${MNTR_SERIES_CAP} series per node; the rest are over_cap`, () => {
    const text = Array.from({ length: MNTR_SERIES_CAP + 25 }, (_, i) => `zk_k${i}\t${i}`).join('\n');
    const { samples, dropped } = layoutOf(text);
    expect(samples).toHaveLength(MNTR_SERIES_CAP);
    expect(samples.at(-1)).toBe(`zookeeper_mntr_k${MNTR_SERIES_CAP - 1}`);
    expect(dropped).toEqual({ over_cap: 25 });
  });

  it('no captured reply loses a series', () => {
    for (const path of ['3.4.14/leader', '3.5.9/leader', '3.8.0/leader', '3.8.0/follower', '3.8.0/observer']) {
      expect(layoutOf(fixture(`zookeeper-${path}/mntr.txt`)).dropped).toEqual({});
    }
  });
});

describe('nameProblem and canonicalQuantile', () => {
  it.each([
    ['zookeeper_mntr_a_c', 'untyped', undefined],
    ['zookeeper_mntr_a_b', 'untyped', 'abbreviated unit "b"'],
    ['zookeeper_mntr_x_total', 'untyped', undefined],
    ['zookeeper_mntr_x_total', 'summary', 'a summary ending in "_total"'],
    ['zookeeper_mntr_x_summary', 'summary', 'a summary named "summary"'],
    ['zookeeper_mntr_size_gb', 'untyped', 'abbreviated unit "gb"'],
    ['zookeeper_mntr_milliseconds', 'untyped', 'non-base unit "milliseconds"'],
    ['zookeeper_mntr_Up', 'untyped', 'not snake_case'],
  ] as const)('%s (%s) → %s', (name, type, problem) => {
    expect(nameProblem(name, type)).toBe(problem);
  });

  it.each([
    ['0.5', '0.5'],
    ['0.990', '0.99'],
    ['1', '1'],
    ['5e-1', '0.5'],
    ['abc', undefined],
    ['NaN', undefined],
    ['-0.1', undefined],
    ['1.01', undefined],
    ['', undefined],
  ])('quantile %j → %j', (text, canonical) => {
    expect(canonicalQuantile(text)).toBe(canonical);
  });
});

describe('zookeeper_exporter_mntr_dropped_series_total', () => {
  it('adds up over rounds per node and reason', () => {
    const store = new NodeStore();
    const srvr = decodeFourLetter('srvr', { ok: true, body: fixture('zookeeper-3.8.0/leader/srvr.txt'), durationMs: 1 });
    const mntr = decodeFourLetter('mntr', { ok: true, body: 'zk_fsync{quantile="abc"}\t2\nzk_a_mb\t1\nzk_ok\t1\n', durationMs: 1 });
    for (const polledAt of [1, 2]) store.record([{ ensemble: 'e', server: 's:1', polledAt, srvr, mntr }], polledAt);
    const set = new FamilySet();
    addNodeFamilies(set, store.all());
    const lines = renderFamilies(set.all()).split('\n');
    expect(lines.filter((line) => line.startsWith('zookeeper_exporter_mntr_dropped_series_total'))).toEqual([
      'zookeeper_exporter_mntr_dropped_series_total{ensemble="e",server="s:1",reason="invalid_label"} 2',
      'zookeeper_exporter_mntr_dropped_series_total{ensemble="e",server="s:1",reason="invalid_name"} 2',
    ]);
    expect(lines).toContain('zookeeper_mntr_ok{ensemble="e",server="s:1"} 1');
  });
});
