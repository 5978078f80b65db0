import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { parseServerStats } from '../../../src/parse/srvr.js';
import type { ServerStats } from '../../../src/parse/types.js';
import { parseZxid } from '../../../src/parse/zxid.js';
import { fixture } from './fixtures.js';

const V380 = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC';
const V359 = '3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built on 01/06/2021 20:03 GMT';
const V3414 = '3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, built on 03/06/2019 16:18 GMT';

function stats(partial: Omit<ServerStats, 'zxid' | 'readOnly'> & { zxid: string; readOnly?: boolean }): ServerStats {
  return { ...partial, readOnly: partial.readOnly ?? false, zxid: parseZxid(partial.zxid) };
}

// Every captured and hand-written srvr/stat reply, with the record it must give, value by value.
const CASES: Array<[string, ServerStats]> = [
  [
    'zookeeper-3.8.0/leader/srvr.txt',
    stats({
      version: V380,
      latency: { min: 0, avg: 0, max: 0 },
      received: 6,
      sent: 5,
      connections: 1,
      outstanding: 0,
      zxid: '0x100000007',
      mode: 'leader',
      nodeCount: 11,
      proposalSizes: { last: 111, min: 48, max: 111 },
    }),
  ],
  [
    'zookeeper-3.8.0/leader/stat.txt',
    stats({
      version: V380,
      latency: { min: 0, avg: 0, max: 0 },
      received: 7,
      sent: 6,
      connections: 1,
      outstanding: 0,
      zxid: '0x100000007',
      mode: 'leader',
      nodeCount: 11,
      proposalSizes: { last: 111, min: 48, max: 111 },
      clients: [' /127.0.0.1:56844[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.8.0/follower/srvr.txt',
    stats({
      version: V380,
      latency: { min: 0, avg: 0, max: 0 },
      received: 7,
      sent: 6,
      connections: 1,
      outstanding: 0,
      zxid: '0x100000007',
      mode: 'follower',
      nodeCount: 11,
    }),
  ],
  [
    'zookeeper-3.8.0/follower/stat.txt',
    stats({
      version: V380,
      latency: { min: 0, avg: 0, max: 0 },
      received: 8,
      sent: 7,
      connections: 1,
      outstanding: 0,
      zxid: '0x100000007',
      mode: 'follower',
      nodeCount: 11,
      clients: [' /127.0.0.1:49506[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.8.0/observer/srvr.txt',
    stats({
      version: V380,
      latency: { min: 4, avg: 8.25, max: 21 },
      received: 11,
      sent: 10,
      connections: 2,
      outstanding: 0,
      zxid: '0x100000007',
      mode: 'observer',
      nodeCount: 11,
    }),
  ],
  [
    'zookeeper-3.8.0/observer/stat.txt',
    stats({
      version: V380,
      latency: { min: 4, avg: 8.25, max: 21 },
      received: 12,
      sent: 11,
      connections: 2,
      outstanding: 0,
      zxid: '0x100000007',
      mode: 'observer',
      nodeCount: 11,
      clients: [' /127.0.0.1:45002[1](queued=0,recved=8,sent=8)', ' /127.0.0.1:45028[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.8.0/standalone/srvr.txt',
    stats({
      version: V380,
      latency: { min: 2, avg: 4.8333, max: 11 },
      received: 10,
      sent: 9,
      connections: 2,
      outstanding: 0,
      zxid: '0x5',
      mode: 'standalone',
      nodeCount: 9,
    }),
  ],
  [
    'zookeeper-3.8.0/standalone/stat.txt',
    stats({
      version: V380,
      latency: { min: 2, avg: 4.8333, max: 11 },
      received: 11,
      sent: 10,
      connections: 2,
      outstanding: 0,
      zxid: '0x5',
      mode: 'standalone',
      nodeCount: 9,
      clients: [' /127.0.0.1:59322[1](queued=0,recved=6,sent=6)', ' /127.0.0.1:59336[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.8.0/whitelist-srvr-only/srvr.txt',
    stats({
      version: V380,
      latency: { min: 0, avg: 0, max: 0 },
      received: 3,
      sent: 2,
      connections: 1,
      outstanding: 0,
      zxid: '0x0',
      mode: 'follower',
      nodeCount: 5,
    }),
  ],
  [
    'zookeeper-3.5.9/leader/srvr.txt',
    stats({
      version: V359,
      latency: { min: 0, avg: 1, max: 23 },
      received: 112,
      sent: 111,
      connections: 2,
      outstanding: 0,
      zxid: '0x30000001a',
      mode: 'leader',
      nodeCount: 12,
      proposalSizes: { last: 48, min: 36, max: 131 },
    }),
  ],
  [
    'zookeeper-3.5.9/leader/stat.txt',
    stats({
      version: V359,
      latency: { min: 0, avg: 1, max: 23 },
      received: 113,
      sent: 112,
      connections: 2,
      outstanding: 0,
      zxid: '0x30000001a',
      mode: 'leader',
      nodeCount: 12,
      proposalSizes: { last: 48, min: 36, max: 131 },
      clients: [' /10.0.0.10:52110[1](queued=0,recved=95,sent=95)', ' /127.0.0.1:41872[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.5.9/follower/srvr.txt',
    stats({
      version: V359,
      latency: { min: 0, avg: 0, max: 7 },
      received: 40,
      sent: 39,
      connections: 1,
      outstanding: 0,
      zxid: '0x30000001a',
      mode: 'follower',
      nodeCount: 12,
    }),
  ],
  [
    'zookeeper-3.5.9/follower/stat.txt',
    stats({
      version: V359,
      latency: { min: 0, avg: 0, max: 7 },
      received: 41,
      sent: 40,
      connections: 1,
      outstanding: 0,
      zxid: '0x30000001a',
      mode: 'follower',
      nodeCount: 12,
      clients: [' /127.0.0.1:41880[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.5.9/standalone/srvr.txt',
    stats({
      version: V359,
      latency: { min: 1, avg: 3, max: 14 },
      received: 22,
      sent: 21,
      connections: 1,
      outstanding: 0,
      zxid: '0x2a',
      mode: 'standalone',
      nodeCount: 7,
    }),
  ],
  [
    'zookeeper-3.5.9/standalone/stat.txt',
    stats({
      version: V359,
      latency: { min: 1, avg: 3, max: 14 },
      received: 23,
      sent: 22,
      connections: 1,
      outstanding: 0,
      zxid: '0x2a',
      mode: 'standalone',
      nodeCount: 7,
      clients: [' /127.0.0.1:41890[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.4.14/leader/srvr.txt',
    stats({
      version: V3414,
      latency: { min: 0, avg: 0, max: 12 },
      received: 48,
      sent: 47,
      connections: 2,
      outstanding: 0,
      zxid: '0x200000009',
      mode: 'leader',
      nodeCount: 8,
      proposalSizes: { last: 92, min: 36, max: 122 },
    }),
  ],
  [
    'zookeeper-3.4.14/leader/stat.txt',
    stats({
      version: V3414,
      latency: { min: 0, avg: 0, max: 12 },
      received: 49,
      sent: 48,
      connections: 2,
      outstanding: 0,
      zxid: '0x200000009',
      mode: 'leader',
      nodeCount: 8,
      proposalSizes: { last: 92, min: 36, max: 122 },
      clients: [' /10.0.0.10:51234[1](queued=0,recved=31,sent=31)', ' /127.0.0.1:40012[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.4.14/follower/srvr.txt',
    stats({
      version: V3414,
      latency: { min: 0, avg: 1, max: 9 },
      received: 27,
      sent: 26,
      connections: 1,
      outstanding: 0,
      zxid: '0x200000009',
      mode: 'follower',
      nodeCount: 8,
    }),
  ],
  [
    'zookeeper-3.4.14/follower/stat.txt',
    stats({
      version: V3414,
      latency: { min: 0, avg: 1, max: 9 },
      received: 28,
      sent: 27,
      connections: 1,
      outstanding: 0,
      zxid: '0x200000009',
      mode: 'follower',
      nodeCount: 8,
      clients: [' /127.0.0.1:40020[0](queued=0,recved=1,sent=0)'],
    }),
  ],
  [
    'zookeeper-3.4.14/standalone/srvr.txt',
    stats({
      version: V3414,
      latency: { min: 0, avg: 2, max: 17 },
      received: 15,
      sent: 14,
      connections: 1,
      outstanding: 0,
      zxid: '0x1f',
      mode: 'standalone',
      nodeCount: 6,
    }),
  ],
  [
    'zookeeper-3.4.14/standalone/stat.txt',
    stats({
      version: V3414,
      latency: { min: 0, avg: 2, max: 17 },
      received: 16,
      sent: 15,
      connections: 1,
      outstanding: 0,
      zxid: '0x1f',
      mode: 'standalone',
      nodeCount: 6,
      clients: [' /127.0.0.1:40044[0](queued=0,recved=1,sent=0)'],
    }),
  ],
];

describe('parseServerStats on fixtures', () => {
  it.each(CASES)('%s', (file, expected) => {
    expect(parseServerStats(fixture(file))).toStrictEqual(expected);
  });

  it('gives the leader zxid 0x100000007 as epoch 1, counter 7', () => {
    const { zxid } = parseServerStats(fixture('zookeeper-3.8.0/leader/srvr.txt'));
    expect([zxid.epoch, zxid.counter]).toStrictEqual([1, 7]);
  });

  it.each([
    ['zookeeper-3.8.0/not-serving/srvr.txt', 'This ZooKeeper instance is not currently serving requests'],
    ['zookeeper-3.8.0/whitelist-srvr-only/stat.txt', 'stat is not executed because it is not in the whitelist.'],
  ])('rejects the refusal in %s with a ParseError naming the missing lines', (file, firstLine) => {
    const missing =
      '"Mode:", "Zxid:", "Zookeeper version:", "Latency min/avg/max:", "Received:", "Sent:", "Connections:", "Outstanding:", "Node count:"';
    expect(() => parseServerStats(fixture(file))).toThrow(
      new ParseError(`srvr/stat reply is missing ${missing} (first line: ${JSON.stringify(firstLine)})`),
    );
  });
});

const LEADER_SRVR = fixture('zookeeper-3.8.0/leader/srvr.txt');

describe('parseServerStats edge cases', () => {
  it('sets readOnly from the READ-ONLY line of a ReadOnlyZooKeeperServer', () => {
    const text = [
      'Zookeeper version: 3.5.9-83df9301aa5c2a5d284a9940177808c01bc35cef, built on 01/06/2021 20:03 GMT',
      'READ-ONLY mode; serving only read-only clients',
      'Latency min/avg/max: 0/0/0',
      'Received: 4',
      'Sent: 3',
      'Connections: 1',
      'Outstanding: 0',
      'Zxid: 0x200000003',
      'Mode: read-only',
      'Node count: 5',
      '',
    ].join('\n');
    const parsed = parseServerStats(text);
    expect(parsed.readOnly).toBe(true);
    expect(parsed.mode).toBe('read-only');
  });

  it('sets readOnly from the READ-ONLY line alone, and from Mode: read-only alone', () => {
    const withLine = LEADER_SRVR.replace('Latency', 'READ-ONLY mode; serving only read-only clients\nLatency');
    expect(parseServerStats(withLine).readOnly).toBe(true);
    expect(parseServerStats(LEADER_SRVR.replace('Mode: leader', 'Mode: read-only')).readOnly).toBe(true);
    expect(parseServerStats(LEADER_SRVR).readOnly).toBe(false);
  });

  it('reads CRLF line endings like LF', () => {
    expect(parseServerStats(LEADER_SRVR.replaceAll('\n', '\r\n'))).toStrictEqual(parseServerStats(LEADER_SRVR));
  });

  it('reads a reply without its final newline', () => {
    expect(parseServerStats(LEADER_SRVR.trimEnd())).toStrictEqual(parseServerStats(LEADER_SRVR));
  });

  it('ignores unknown lines from newer versions', () => {
    const text = LEADER_SRVR.replace('Mode: leader\n', 'Mode: leader\nSome future stat: 42\nfree text without colon\n');
    expect(parseServerStats(text)).toStrictEqual(parseServerStats(LEADER_SRVR));
  });

  it('fails with a clear message when Mode is missing', () => {
    const text = LEADER_SRVR.replace('Mode: leader\n', '');
    expect(() => parseServerStats(text)).toThrow(
      new ParseError(`srvr/stat reply is missing "Mode:" (first line: ${JSON.stringify('Zookeeper version: ' + V380)})`),
    );
  });

  it('fails with a clear message when Zxid is missing', () => {
    const text = LEADER_SRVR.replace('Zxid: 0x100000007\n', '');
    expect(() => parseServerStats(text)).toThrow('srvr/stat reply is missing "Zxid:" (first line:');
  });

  it('fails on an unknown mode and on a malformed zxid', () => {
    expect(() => parseServerStats(LEADER_SRVR.replace('Mode: leader', 'Mode: looking'))).toThrow(
      new ParseError('Mode: unknown server mode "looking"'),
    );
    expect(() => parseServerStats(LEADER_SRVR.replace('Zxid: 0x100000007', 'Zxid: 0xzz'))).toThrow(
      new ParseError('Zxid: not a zxid: "0xzz"'),
    );
    expect(() => parseServerStats(LEADER_SRVR.replace('Received: 6', 'Received: six'))).toThrow(
      new ParseError('Received: not an integer: "six"'),
    );
  });

  it('fails on an empty reply', () => {
    expect(() => parseServerStats('')).toThrow(ParseError);
    expect(() => parseServerStats('\n')).toThrow('srvr/stat reply is missing "Mode:", "Zxid:"');
  });

  it('reads zxid 0xffffffffffffffff and 0x0 exactly', () => {
    const high = parseServerStats(LEADER_SRVR.replace('0x100000007', '0xffffffffffffffff'));
    expect(high.zxid).toStrictEqual({ value: 2n ** 64n - 1n, epoch: 4294967295, counter: 4294967295 });
    const zero = parseServerStats(LEADER_SRVR.replace('0x100000007', '0x0'));
    expect(zero.zxid).toStrictEqual({ value: 0n, epoch: 0, counter: 0 });
  });

  it('reads -1/-1/-1 proposal sizes (a leader before its first proposal)', () => {
    const text = LEADER_SRVR.replace('111/48/111', '-1/-1/-1');
    expect(parseServerStats(text).proposalSizes).toStrictEqual({ last: -1, min: -1, max: -1 });
  });

  it('reads a tiny 3.6+ average latency printed in Java scientific notation', () => {
    const text = LEADER_SRVR.replace('0/0.0/0', '0/1.0E-4/1');
    expect(parseServerStats(text).latency).toStrictEqual({ min: 0, avg: 0.0001, max: 1 });
  });

  it('rejects a latency line that is not a/b/c', () => {
    expect(() => parseServerStats(LEADER_SRVR.replace('0/0.0/0', '0/0.0'))).toThrow(
      new ParseError('Latency min/avg/max: expected a/b/c, got "0/0.0"'),
    );
  });

  it('reads an empty Clients: block as no clients', () => {
    const text = fixture('zookeeper-3.8.0/leader/stat.txt').replace(' /127.0.0.1:56844[0](queued=0,recved=1,sent=0)\n', '');
    expect(parseServerStats(text).clients).toStrictEqual([]);
  });

  it('leaves clients unset for srvr and proposalSizes unset for non-leaders', () => {
    const follower = parseServerStats(fixture('zookeeper-3.8.0/follower/srvr.txt'));
    expect('clients' in follower).toBe(false);
    expect('proposalSizes' in follower).toBe(false);
  });
});
