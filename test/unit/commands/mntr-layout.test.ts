import { describe, expect, it, vi } from 'vitest';
import { keyName, mntrSeries, type MntrSeries } from '../../../src/commands/mntr-layout.js';
import { adminMntr } from '../../../src/parse/admin.js';
import { parseMntr } from '../../../src/parse/mntr.js';
import type { MntrEntry } from '../../../src/parse/types.js';
import { adminFixture, fixture } from '../parse/fixtures.js';

const LEADER = (): MntrSeries[] => mntrSeries(parseMntr(fixture('zookeeper-3.8.0/leader/mntr.txt')).entries);

/** The series of a family and of its `_avg`/`_min`/`_max` companions, in output order. */
function seriesOf(series: readonly MntrSeries[], family: string): MntrSeries[] {
  return series.filter((s) => s.family === family || s.family.startsWith(`${family}_`));
}

function untyped(family: string, value: number): MntrSeries {
  return { family, type: 'untyped', sample: family, labels: {}, value };
}

function summaryPart(family: string, part: '_count' | '_sum', value: number): MntrSeries {
  return { family, type: 'summary', sample: `${family}${part}`, labels: {}, value };
}

function quantile(family: string, q: string, value: number): MntrSeries {
  return { family, type: 'summary', sample: family, labels: { quantile: q }, value };
}

describe('keyName', () => {
  it.each([
    ['num_alive_connections', 'num_alive_connections', 1],
    ['write_final_proc_time_ms', 'write_final_proc_time_seconds', 1000],
    ['fsync_time_us', 'fsync_time_seconds', 1e6],
    ['gc_ns_total', 'gc_seconds_total', 1e9],
    ['pause_s', 'pause_seconds', 1],
    ['pause_sec', 'pause_seconds', 1],
    ['Jvm.Pause-Time_MS', 'jvm_pause_time_seconds', 1000],
    ['a b/c', 'a_b_c', 1],
    ['mss_count', 'mss_count', 1],
  ])('%s → %s (divide by %d)', (key, name, scale) => {
    expect(keyName(key)).toStrictEqual({ name, scale });
  });
});

describe('mntrSeries: plain keys', () => {
  it('maps zk_num_alive_connections to an untyped zookeeper_mntr_num_alive_connections', () => {
    expect(LEADER().filter((s) => s.family === 'zookeeper_mntr_num_alive_connections')).toStrictEqual([
      untyped('zookeeper_mntr_num_alive_connections', 1),
    ]);
  });

  it('keeps look-alikes without a cnt_ key as plain series under their own name', () => {
    const series = LEADER();
    const pick = (family: string) => series.filter((s) => s.family === family);
    expect(pick('zookeeper_mntr_avg_latency')).toStrictEqual([untyped('zookeeper_mntr_avg_latency', 0)]);
    expect(pick('zookeeper_mntr_min_latency')).toStrictEqual([untyped('zookeeper_mntr_min_latency', 0)]);
    expect(pick('zookeeper_mntr_max_latency')).toStrictEqual([untyped('zookeeper_mntr_max_latency', 0)]);
    expect(pick('zookeeper_mntr_max_file_descriptor_count')).toStrictEqual([untyped('zookeeper_mntr_max_file_descriptor_count', 20000)]);
    expect(pick('zookeeper_mntr_min_proposal_size')).toStrictEqual([untyped('zookeeper_mntr_min_proposal_size', 48)]);
    expect(pick('zookeeper_mntr_max_proposal_size')).toStrictEqual([untyped('zookeeper_mntr_max_proposal_size', 111)]);
    expect(pick('zookeeper_mntr_min_client_response_size')).toStrictEqual([untyped('zookeeper_mntr_min_client_response_size', -1)]);
    // No summary was invented from them.
    for (const family of ['zookeeper_mntr_latency', 'zookeeper_mntr_file_descriptor_count', 'zookeeper_mntr_proposal_size']) {
      expect(series.filter((s) => s.family.startsWith(family))).toStrictEqual([]);
    }
  });

  it('keeps the 3.4.14 look-alikes plain (no 3.6 summaries in that version)', () => {
    const series = mntrSeries(parseMntr(fixture('zookeeper-3.4.14/leader/mntr.txt')).entries);
    expect(series.map((s) => `${s.sample} ${s.value}`)).toStrictEqual([
      'zookeeper_mntr_avg_latency 0',
      'zookeeper_mntr_max_latency 12',
      'zookeeper_mntr_min_latency 0',
      'zookeeper_mntr_packets_received 50',
      'zookeeper_mntr_packets_sent 49',
      'zookeeper_mntr_num_alive_connections 2',
      'zookeeper_mntr_outstanding_requests 0',
      'zookeeper_mntr_znode_count 8',
      'zookeeper_mntr_watch_count 1',
      'zookeeper_mntr_ephemerals_count 1',
      'zookeeper_mntr_approximate_data_size 180',
      'zookeeper_mntr_open_file_descriptor_count 35',
      'zookeeper_mntr_max_file_descriptor_count 1048576',
      'zookeeper_mntr_fsync_threshold_exceed_count 0',
      'zookeeper_mntr_followers 2',
      'zookeeper_mntr_synced_followers 2',
      'zookeeper_mntr_pending_syncs 0',
      'zookeeper_mntr_last_proposal_size 92',
      'zookeeper_mntr_max_proposal_size 122',
      'zookeeper_mntr_min_proposal_size 36',
    ]);
    expect(series.every((s) => s.type === 'untyped')).toBe(true);
  });

  it('skips text values (version, server_state, peer_state)', () => {
    const entries = parseMntr(fixture('zookeeper-3.8.0/leader/mntr.txt')).entries;
    const series = mntrSeries(entries);
    for (const key of ['version', 'server_state', 'peer_state']) {
      expect(series.filter((s) => s.family.startsWith(`zookeeper_mntr_${key}`))).toStrictEqual([]);
    }
    // Every numeric line of a real reply yields exactly one series, every text line none.
    expect(entries.filter((e) => typeof e.value === 'string').map((e) => e.key)).toStrictEqual(['version', 'server_state', 'peer_state']);
    expect(series).toHaveLength(545);
    expect(entries).toHaveLength(548);
  });

  it('sanitises - and . and keeps the first of two keys that sanitise to the same name', () => {
    const entries: MntrEntry[] = [
      { key: 'foo-bar.baz', value: 1 },
      { key: 'foo_bar_baz', value: 2 },
      { key: 'Upper.Case', value: 3 },
      { key: 'text', value: 'hello' },
      { key: 'not_a_number', value: 'null' },
    ];
    expect(mntrSeries(entries)).toStrictEqual([untyped('zookeeper_mntr_foo_bar_baz', 1), untyped('zookeeper_mntr_upper_case', 3)]);
  });

  it('scales a plain key with a time unit to seconds', () => {
    expect(mntrSeries([{ key: 'leader_election_time_ms', value: 12 }])).toStrictEqual([
      untyped('zookeeper_mntr_leader_election_time_seconds', 0.012),
    ]);
  });
});

describe('mntrSeries: 3.6+ summary sets', () => {
  it('turns an avg/min/max/cnt/sum set into a summary with _count and _sum plus _avg/_min/_max', () => {
    const f = 'zookeeper_mntr_proposal_process_time';
    expect(seriesOf(LEADER(), f)).toStrictEqual([
      untyped(`${f}_avg`, 1.2857),
      untyped(`${f}_min`, 0),
      untyped(`${f}_max`, 4),
      summaryPart(f, '_count', 7),
      summaryPart(f, '_sum', 9),
    ]);
  });

  it('turns p50/p95/p99/p999 into quantiles and scales a _ms set to seconds (counts unscaled)', () => {
    const f = 'zookeeper_mntr_write_commitproc_time_seconds';
    expect(seriesOf(LEADER(), f)).toStrictEqual([
      untyped(`${f}_avg`, 0.0052857),
      untyped(`${f}_min`, 0.003),
      untyped(`${f}_max`, 0.009),
      summaryPart(f, '_count', 7),
      summaryPart(f, '_sum', 0.037),
      quantile(f, '0.5', 0.005),
      quantile(f, '0.95', 0.009),
      quantile(f, '0.99', 0.009),
      quantile(f, '0.999', 0.009),
    ]);
    expect(LEADER().filter((s) => s.family.includes('write_commitproc_time_ms'))).toStrictEqual([]);
  });

  it('keeps a set whose base starts with a digit (per-learner sets, no percentiles)', () => {
    const f = 'zookeeper_mntr_1_learner_handler_qp_size';
    expect(seriesOf(LEADER(), f)).toStrictEqual([
      untyped(`${f}_avg`, 0.1579),
      untyped(`${f}_min`, 0),
      untyped(`${f}_max`, 2),
      summaryPart(f, '_count', 19),
      summaryPart(f, '_sum', 3),
    ]);
  });

  it('recognises a set by cnt_ whatever the order of its lines', () => {
    const entries: MntrEntry[] = [
      { key: 'p50_x_ms', value: 2 },
      { key: 'sum_x_ms', value: 12 },
      { key: 'cnt_x_ms', value: 4 },
      { key: 'avg_y', value: 7 },
    ];
    expect(mntrSeries(entries)).toStrictEqual([
      quantile('zookeeper_mntr_x_seconds', '0.5', 0.002),
      summaryPart('zookeeper_mntr_x_seconds', '_sum', 0.012),
      summaryPart('zookeeper_mntr_x_seconds', '_count', 4),
      untyped('zookeeper_mntr_avg_y', 7),
    ]);
  });
});

describe('mntrSeries: Prometheus-provider replies', () => {
  it('maps the hand-made provider reply exactly', () => {
    const series = mntrSeries(parseMntr(fixture('hand-made/prometheus-provider/mntr.txt')).entries);
    expect(series).toStrictEqual([
      untyped('zookeeper_mntr_jvm_threads_current', 48),
      // Lines with labels other than quantile (area, gc, key) are skipped.
      untyped('zookeeper_mntr_process_cpu_seconds_total', 4.52),
      untyped('zookeeper_mntr_znode_count', 11),
      untyped('zookeeper_mntr_num_alive_connections', 1),
      untyped('zookeeper_mntr_avg_latency', 0),
      untyped('zookeeper_mntr_learners', 3),
      untyped('zookeeper_mntr_synced_followers', 2),
      untyped('zookeeper_mntr_quorum_size', 3),
      untyped('zookeeper_mntr_last_client_response_size', -1),
      untyped('zookeeper_mntr_uptime', 1412),
      untyped('zookeeper_mntr_proposal_count', 7),
      quantile('zookeeper_mntr_fsynctime', '0.5', NaN),
      summaryPart('zookeeper_mntr_fsynctime', '_count', 0),
      summaryPart('zookeeper_mntr_fsynctime', '_sum', 0),
      quantile('zookeeper_mntr_readlatency', '0.5', NaN),
      quantile('zookeeper_mntr_readlatency', '0.9', NaN),
      quantile('zookeeper_mntr_readlatency', '0.99', NaN),
      summaryPart('zookeeper_mntr_readlatency', '_count', 0),
      summaryPart('zookeeper_mntr_readlatency', '_sum', 0),
    ]);
    expect(Number.isNaN(series[11]!.value)).toBe(true);
  });

  it('keeps X_count and X_sum plain when no X{quantile} line exists', () => {
    expect(
      mntrSeries([
        { key: 'requests_count', value: 3 },
        { key: 'bytes_sum', value: 4 },
      ]),
    ).toStrictEqual([untyped('zookeeper_mntr_requests_count', 3), untyped('zookeeper_mntr_bytes_sum', 4)]);
  });
});

// Every mntr reply in the fixtures, as 4lw text or AdminServer JSON.
const REPLIES: Array<[string, () => MntrEntry[]]> = [
  ...['leader', 'follower', 'observer', 'standalone'].map(
    (role) =>
      [`3.8.0 ${role} mntr.txt`, () => parseMntr(fixture(`zookeeper-3.8.0/${role}/mntr.txt`)).entries] as [string, () => MntrEntry[]],
  ),
  ...['leader', 'follower', 'observer', 'standalone', 'whitelist-srvr-only'].map(
    (role) =>
      [`3.8.0 ${role} admin-mntr.http`, () => adminMntr(adminFixture(`zookeeper-3.8.0/${role}/admin-mntr.http`).json).entries] as [
        string,
        () => MntrEntry[],
      ],
  ),
  ...['3.4.14', '3.5.9'].flatMap((version) =>
    ['leader', 'follower', 'standalone'].map(
      (role) =>
        [`${version} ${role} mntr.txt`, () => parseMntr(fixture(`zookeeper-${version}/${role}/mntr.txt`)).entries] as [
          string,
          () => MntrEntry[],
        ],
    ),
  ),
  ['hand-made prometheus-provider mntr.txt', () => parseMntr(fixture('hand-made/prometheus-provider/mntr.txt')).entries],
];

describe('mntrSeries on every fixture reply', () => {
  it.each(REPLIES)('%s: unique (sample, labels), one type per family, valid names', (_name, entries) => {
    const series = mntrSeries(entries());
    expect(series.length).toBeGreaterThan(10);
    const ids = series.map((s) => `${s.sample}${JSON.stringify(Object.entries(s.labels).sort())}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toStrictEqual([]);
    const types = new Map<string, Set<string>>();
    for (const s of series) types.set(s.family, (types.get(s.family) ?? new Set()).add(s.type));
    expect([...types].filter(([, t]) => t.size > 1).map(([family]) => family)).toStrictEqual([]);
    // A summary's sample is itself (with a quantile) or its _count/_sum; an untyped sample is its family.
    const misshapen = series.filter((s) =>
      s.type === 'summary'
        ? !(s.sample === s.family ? s.labels.quantile !== undefined : [`${s.family}_count`, `${s.family}_sum`].includes(s.sample))
        : s.sample !== s.family || Object.keys(s.labels).length > 0,
    );
    expect(misshapen).toStrictEqual([]);
    expect(series.filter((s) => !/^zookeeper_mntr_[a-z0-9_]+$/.test(s.sample))).toStrictEqual([]);
    // No abbreviated time unit survives as a name token.
    expect(series.filter((s) => /_(ms|us|ns|s|sec)(_|$)/.test(s.sample))).toStrictEqual([]);
    // A sample name of one family never equals the name of another family.
    const families = new Set(series.map((s) => s.family));
    expect(series.filter((s) => s.sample !== s.family && families.has(s.sample))).toStrictEqual([]);
  });
});

describe('mntrSeries with the layout cache', () => {
  it('follows each reply’s own keys, labels and value kinds, however replies alternate', async () => {
    const leader = parseMntr(fixture('zookeeper-3.8.0/leader/mntr.txt')).entries;
    const follower = parseMntr(fixture('zookeeper-3.8.0/follower/mntr.txt')).entries;
    const numeric = leader.findIndex((e) => typeof e.value === 'number');
    const variants: Record<string, MntrEntry[]> = {
      leader,
      follower,
      // The same keys, one value now text: that key must not yield a series.
      textValue: leader.map((e, i) => (i === numeric ? { ...e, value: 'n/a' } : e)),
      // The same keys in another order: the series follow the order.
      swapped: [leader[numeric + 1]!, leader[numeric]!, ...leader.filter((_, i) => i !== numeric && i !== numeric + 1)],
      // The same keys, one with a quantile label: a summary line instead of a plain one.
      labelled: leader.map((e, i) => (i === numeric ? { ...e, labels: { quantile: '0.5' } } : e)),
    };
    const order = ['leader', 'textValue', 'leader', 'swapped', 'follower', 'labelled', 'leader', 'labelled', 'textValue', 'swapped'];
    const seen = order.map((name) => [name, mntrSeries(variants[name]!)] as const);
    for (const [name, series] of seen) {
      // A module instance that has never laid out anything: the reference.
      vi.resetModules();
      const fresh = await import('../../../src/commands/mntr-layout.js');
      expect(series, name).toStrictEqual(fresh.mntrSeries(variants[name]!));
    }
    expect(seen[1]![1]).not.toStrictEqual(seen[0]![1]);
  });
});
