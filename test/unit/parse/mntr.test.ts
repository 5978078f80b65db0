import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { mntrNumber, mntrNumbers, parseMntr, parseMntrAfresh, parseMntrValue, splitMntrKey } from '../../../src/parse/mntr.js';
import type { MntrEntry, MntrRecord } from '../../../src/parse/types.js';
import { fixture } from './fixtures.js';

const V380 = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC';

function value(record: MntrRecord, key: string): number | string | undefined {
  return record.entries.find((e) => e.key === key && e.labels === undefined)?.value;
}

// Keys as they appear in the file, derived without the parser: every line is `zk_<key>\t<value>`.
function fileKeys(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice('zk_'.length, line.indexOf('\t')));
}

describe('parseMntr on captured 3.8.0 replies', () => {
  it.each([
    ['leader', 548],
    ['follower', 497],
    ['observer', 503],
    ['standalone', 495],
  ])('keeps every line of %s in order (%i entries), none with labels', (role, count) => {
    const text = fixture(`zookeeper-3.8.0/${role}/mntr.txt`);
    const record = parseMntr(text);
    expect(record.entries).toHaveLength(count);
    expect(record.entries.map((e) => e.key)).toStrictEqual(fileKeys(text));
    expect(record.entries.filter((e) => e.labels !== undefined)).toStrictEqual([]);
    expect(record.entries[0]).toStrictEqual({ key: 'version', value: V380 });
    expect(record.entries[1]).toStrictEqual({ key: 'server_state', value: role });
  });

  it('reads the leader values exactly', () => {
    const r = parseMntr(fixture('zookeeper-3.8.0/leader/mntr.txt'));
    expect(r.entries.slice(0, 8)).toStrictEqual([
      { key: 'version', value: V380 },
      { key: 'server_state', value: 'leader' },
      { key: 'peer_state', value: 'leading - broadcast' },
      { key: 'ephemerals_count', value: 0 },
      { key: 'num_alive_connections', value: 1 },
      { key: 'avg_latency', value: 0 },
      { key: 'min_proposal_size', value: 48 },
      { key: 'outstanding_requests', value: 0 },
    ]);
    expect(value(r, 'synced_followers')).toBe(2);
    expect(value(r, 'synced_non_voting_followers')).toBe(0);
    expect(value(r, 'synced_observers')).toBe(1);
    expect(value(r, 'learners')).toBe(3);
    expect(value(r, 'quorum_size')).toBe(3);
    expect(value(r, 'pending_syncs')).toBe(0);
    expect(value(r, 'last_client_response_size')).toBe(-1);
    expect(value(r, 'avg_quorum_ack_latency')).toBe(4.8571);
    expect(value(r, 'max_proposal_size')).toBe(111);
    expect(value(r, 'znode_count')).toBe(11);
    expect(value(r, 'avg_1_learner_handler_qp_size')).toBe(0.1579);
    expect(r.entries.at(-1)).toStrictEqual({ key: 'p999_4_learner_handler_qp_time_ms', value: 0 });
  });

  it('reads a reply printing known keys into numbers in place, and makes its entries only when read', () => {
    const text = fixture('zookeeper-3.8.0/leader/mntr.txt');
    parseMntr(text);
    const revalued = parseMntr(text.replace('zk_znode_count\t11', 'zk_znode_count\t12'));
    const again = parseMntr(text);
    const matched = mntrNumbers(again);
    expect(matched).toBeDefined();
    // One key list for both replies (their layout is worked out once), each with its own numbers.
    expect(mntrNumbers(revalued)?.keys).toBe(matched!.keys);
    expect(mntrNumber(revalued, 'znode_count')).toBe(12);
    expect(matched!.numbers).toHaveLength(548);
    expect(matched!.numbers[0]).toBeNaN(); // zk_version is text
    expect(mntrNumber(again, 'znode_count')).toBe(11);
    expect(mntrNumber(again, 'avg_quorum_ack_latency')).toBe(4.8571);
    expect(mntrNumber(again, 'version')).toBeUndefined();
    expect(mntrNumber(again, 'no_such_key')).toBeUndefined();
    expect(again.entries).toStrictEqual(parseMntrAfresh(text).entries);
    expect(again.entries).toBe(again.entries);
    expect(mntrNumbers(parseMntrAfresh(text))).toBeUndefined();
    expect(mntrNumber(parseMntrAfresh(text), 'znode_count')).toBe(11);
  });

  it('reads follower, observer and standalone specifics', () => {
    const follower = parseMntr(fixture('zookeeper-3.8.0/follower/mntr.txt'));
    expect(value(follower, 'peer_state')).toBe('following - broadcast');
    expect(value(follower, 'synced_followers')).toBe(undefined);
    expect(value(follower, 'learner_commit_received_count')).toBe(7);
    const observer = parseMntr(fixture('zookeeper-3.8.0/observer/mntr.txt'));
    expect(value(observer, 'peer_state')).toBe('observing - broadcast');
    expect(value(observer, 'observer_master_id')).toBe(3);
    const standalone = parseMntr(fixture('zookeeper-3.8.0/standalone/mntr.txt'));
    expect(value(standalone, 'peer_state')).toBe(undefined);
    expect(value(standalone, 'avg_latency')).toBe(4.8333);
    expect(value(standalone, 'avg_fixture_write_per_namespace')).toBe(22.25);
  });

  it.each([
    ['zookeeper-3.8.0/not-serving/mntr.txt', 'This ZooKeeper instance is not currently serving requests'],
    ['zookeeper-3.8.0/whitelist-srvr-only/mntr.txt', 'mntr is not executed because it is not in the whitelist.'],
  ])('rejects the refusal in %s', (file, firstLine) => {
    expect(() => parseMntr(fixture(file))).toThrow(
      new ParseError(`mntr reply has no zk_<key>\\t<value> line (first line: ${JSON.stringify(firstLine)})`),
    );
  });
});

describe('parseMntr on hand-written 3.4.14 and 3.5.9 replies', () => {
  const v34 = '3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, built on 03/06/2019 16:18 GMT';
  const v35 = '3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built on 01/06/2021 20:03 GMT';

  it('3.4.14 leader: 16 common keys plus followers/synced_followers/pending_syncs and proposal sizes', () => {
    expect(parseMntr(fixture('zookeeper-3.4.14/leader/mntr.txt')).entries).toStrictEqual([
      { key: 'version', value: v34 },
      { key: 'avg_latency', value: 0 },
      { key: 'max_latency', value: 12 },
      { key: 'min_latency', value: 0 },
      { key: 'packets_received', value: 50 },
      { key: 'packets_sent', value: 49 },
      { key: 'num_alive_connections', value: 2 },
      { key: 'outstanding_requests', value: 0 },
      { key: 'server_state', value: 'leader' },
      { key: 'znode_count', value: 8 },
      { key: 'watch_count', value: 1 },
      { key: 'ephemerals_count', value: 1 },
      { key: 'approximate_data_size', value: 180 },
      { key: 'open_file_descriptor_count', value: 35 },
      { key: 'max_file_descriptor_count', value: 1048576 },
      { key: 'fsync_threshold_exceed_count', value: 0 },
      { key: 'followers', value: 2 },
      { key: 'synced_followers', value: 2 },
      { key: 'pending_syncs', value: 0 },
      { key: 'last_proposal_size', value: 92 },
      { key: 'max_proposal_size', value: 122 },
      { key: 'min_proposal_size', value: 36 },
    ]);
  });

  it('3.4.14 follower and standalone: the 16 common keys only', () => {
    const follower = parseMntr(fixture('zookeeper-3.4.14/follower/mntr.txt'));
    expect(follower.entries.map((e) => e.key)).toStrictEqual([
      'version',
      'avg_latency',
      'max_latency',
      'min_latency',
      'packets_received',
      'packets_sent',
      'num_alive_connections',
      'outstanding_requests',
      'server_state',
      'znode_count',
      'watch_count',
      'ephemerals_count',
      'approximate_data_size',
      'open_file_descriptor_count',
      'max_file_descriptor_count',
      'fsync_threshold_exceed_count',
    ]);
    expect(value(follower, 'server_state')).toBe('follower');
    expect(value(follower, 'avg_latency')).toBe(1);
    const standalone = parseMntr(fixture('zookeeper-3.4.14/standalone/mntr.txt'));
    expect(standalone.entries).toHaveLength(16);
    expect(value(standalone, 'server_state')).toBe('standalone');
    expect(value(standalone, 'max_file_descriptor_count')).toBe(4096);
  });

  it('3.5.9 leader: no fsync_threshold_exceed_count, zk_followers counts the observer too', () => {
    const leader = parseMntr(fixture('zookeeper-3.5.9/leader/mntr.txt'));
    expect(leader.entries).toHaveLength(21);
    expect(leader.entries[0]).toStrictEqual({ key: 'version', value: v35 });
    expect(value(leader, 'fsync_threshold_exceed_count')).toBe(undefined);
    expect(leader.entries.slice(15)).toStrictEqual([
      { key: 'followers', value: 3 },
      { key: 'synced_followers', value: 2 },
      { key: 'pending_syncs', value: 0 },
      { key: 'last_proposal_size', value: 48 },
      { key: 'max_proposal_size', value: 131 },
      { key: 'min_proposal_size', value: 36 },
    ]);
  });

  it('3.5.9 follower and standalone: 15 keys', () => {
    const follower = parseMntr(fixture('zookeeper-3.5.9/follower/mntr.txt'));
    expect(follower.entries).toHaveLength(15);
    expect(value(follower, 'server_state')).toBe('follower');
    expect(value(follower, 'max_latency')).toBe(7);
    const standalone = parseMntr(fixture('zookeeper-3.5.9/standalone/mntr.txt'));
    expect(standalone.entries).toHaveLength(15);
    expect(value(standalone, 'server_state')).toBe('standalone');
    expect(value(standalone, 'min_latency')).toBe(1);
  });
});

describe('parseMntr on the hand-made Prometheus-provider reply', () => {
  it('splits quantile and key labels off, and reads every sample as a number', () => {
    const entries: MntrEntry[] = [
      { key: 'version', value: '3.8.1-74db005175a4ec545697012f9069cb9dcc8cdda7, built on 2023-01-25 16:31 UTC' },
      { key: 'server_state', value: 'leader' },
      { key: 'peer_state', value: 'leading - broadcast' },
      { key: 'jvm_threads_current', value: 48 },
      { key: 'jvm_memory_bytes_used', labels: { area: 'heap' }, value: 21437952 },
      { key: 'jvm_gc_collection_seconds_count', labels: { gc: 'G1 Young Generation' }, value: 3 },
      { key: 'jvm_gc_collection_seconds_sum', labels: { gc: 'G1 Young Generation' }, value: 0.021 },
      { key: 'process_cpu_seconds_total', value: 4.52 },
      { key: 'znode_count', value: 11 },
      { key: 'num_alive_connections', value: 1 },
      { key: 'avg_latency', value: 0 },
      { key: 'learners', value: 3 },
      { key: 'synced_followers', value: 2 },
      { key: 'quorum_size', value: 3 },
      { key: 'last_client_response_size', value: -1 },
      { key: 'uptime', value: 1412 },
      { key: 'proposal_count', value: 7 },
      { key: 'fsynctime', labels: { quantile: '0.5' }, value: NaN },
      { key: 'fsynctime_count', value: 0 },
      { key: 'fsynctime_sum', value: 0 },
      { key: 'readlatency', labels: { quantile: '0.5' }, value: NaN },
      { key: 'readlatency', labels: { quantile: '0.9' }, value: NaN },
      { key: 'readlatency', labels: { quantile: '0.99' }, value: NaN },
      { key: 'readlatency_count', value: 0 },
      { key: 'readlatency_sum', value: 0 },
      { key: 'write_per_namespace', labels: { key: 'zookeeper', quantile: '0.5' }, value: 195 },
      { key: 'write_per_namespace_count', labels: { key: 'zookeeper' }, value: 2 },
      { key: 'write_per_namespace_sum', labels: { key: 'zookeeper' }, value: 390 },
      { key: 'learner_handler_qp_size', labels: { key: '1', quantile: '0.5' }, value: 0 },
      { key: 'learner_handler_qp_size_count', labels: { key: '1' }, value: 19 },
      { key: 'learner_handler_qp_size_sum', labels: { key: '1' }, value: 3 },
    ];
    expect(parseMntr(fixture('hand-made/prometheus-provider/mntr.txt'))).toStrictEqual({ entries });
  });
});

describe('parseMntr edge cases', () => {
  it('keeps a value holding spaces or tabs whole (everything after the first tab)', () => {
    expect(parseMntr('zk_version\t3.9.1-abc, built on 2023-10-05 10:34 UTC\nzk_odd\ta\tb c\n').entries).toStrictEqual([
      { key: 'version', value: '3.9.1-abc, built on 2023-10-05 10:34 UTC' },
      { key: 'odd', value: 'a\tb c' },
    ]);
  });

  it('reads NaN, negatives, decimals, Java exponents and infinities as numbers', () => {
    const text = 'zk_a\tNaN\nzk_b\t-1\nzk_c\t0.0\nzk_d\t4.8333\nzk_e\t1.0E-4\nzk_f\tInfinity\nzk_g\t-Infinity\nzk_h\t2.1437952E7\n';
    expect(parseMntr(text).entries).toStrictEqual([
      { key: 'a', value: NaN },
      { key: 'b', value: -1 },
      { key: 'c', value: 0 },
      { key: 'd', value: 4.8333 },
      { key: 'e', value: 0.0001 },
      { key: 'f', value: Infinity },
      { key: 'g', value: -Infinity },
      { key: 'h', value: 21437952 },
    ]);
  });

  it("keeps text values, including Java's null and things that only look numeric", () => {
    const text = 'zk_server_state\tleader\nzk_x\tnull\nzk_y\t0x10\nzk_z\t1,5\nzk_w\t 5\nzk_v\t\n';
    expect(parseMntr(text).entries).toStrictEqual([
      { key: 'server_state', value: 'leader' },
      { key: 'x', value: 'null' },
      { key: 'y', value: '0x10' },
      { key: 'z', value: '1,5' },
      { key: 'w', value: ' 5' },
      { key: 'v', value: '' },
    ]);
  });

  it('keeps unknown keys and skips blank lines, lines without a tab and lines without zk_', () => {
    const text = '\nzk_brand_new_metric\t12\nno tab here\nfoo_bar\t3\nzk_\t9\n\nzk_last\tx\n';
    expect(parseMntr(text).entries).toStrictEqual([
      { key: 'brand_new_metric', value: 12 },
      { key: 'last', value: 'x' },
    ]);
  });

  it('reads CRLF line endings like LF', () => {
    const text = fixture('zookeeper-3.8.0/leader/mntr.txt');
    expect(parseMntr(text.replaceAll('\n', '\r\n'))).toStrictEqual(parseMntr(text));
  });

  it('fails on an empty or whitespace-only reply', () => {
    expect(() => parseMntr('')).toThrow(new ParseError('mntr reply has no zk_<key>\\t<value> line (first line: "")'));
    expect(() => parseMntr(' \n\n')).toThrow(ParseError);
  });
});

describe('splitMntrKey', () => {
  it('splits several labels, with commas, spaces or braces inside the unescaped values', () => {
    expect(splitMntrKey('x{key="a,b",quantile="0.5"}')).toStrictEqual({ key: 'x', labels: { key: 'a,b', quantile: '0.5' } });
    expect(splitMntrKey('x{key="/a b/{c}"}')).toStrictEqual({ key: 'x', labels: { key: '/a b/{c}' } });
    expect(splitMntrKey('x{key=""}')).toStrictEqual({ key: 'x', labels: { key: '' } });
  });

  it('keeps a key whose braces are not a label set whole', () => {
    expect(splitMntrKey('x{oops}')).toStrictEqual({ key: 'x{oops}' });
    expect(splitMntrKey('{quantile="0.5"}')).toStrictEqual({ key: '{quantile="0.5"}' });
    expect(splitMntrKey('x{}')).toStrictEqual({ key: 'x{}' });
    expect(splitMntrKey('plain_key')).toStrictEqual({ key: 'plain_key' });
  });

  it('stores a __proto__ label as a label, not as a prototype', () => {
    const { labels } = splitMntrKey('x{__proto__="y"}');
    expect(Object.keys(labels ?? {})).toStrictEqual(['__proto__']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });
});

describe('parseMntrValue', () => {
  it('returns numbers for Java numbers and the text otherwise', () => {
    expect(parseMntrValue('-1')).toBe(-1);
    expect(parseMntrValue('NaN')).toBeNaN();
    expect(parseMntrValue('leading - broadcast')).toBe('leading - broadcast');
    expect(parseMntrValue('1e5')).toBe(100000);
    expect(parseMntrValue('.5')).toBe('.5');
  });
});
