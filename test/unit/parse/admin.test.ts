import { describe, expect, it } from 'vitest';
import {
  adminErrorOf,
  adminMntr,
  adminServerConfig,
  adminServerStats,
  adminVotingView,
  adminWatchSummary,
} from '../../../src/parse/admin.js';
import { parseServerConfig } from '../../../src/parse/conf.js';
import { ParseError } from '../../../src/parse/errors.js';
import { parseMntr } from '../../../src/parse/mntr.js';
import { parseServerStats } from '../../../src/parse/srvr.js';
import type { MntrRecord, ServerStats } from '../../../src/parse/types.js';
import { parseWatchSummary } from '../../../src/parse/wchs.js';
import { parseZxid } from '../../../src/parse/zxid.js';
import { adminFixture, fixture, SERVING_ROLES_380 } from './fixtures.js';

const V380 = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC';
const admin = (role: string, command: string): unknown => {
  const { status, json } = adminFixture(`zookeeper-3.8.0/${role}/admin-${command}.http`);
  expect(status).toBe(200);
  return json;
};

describe('adminServerStats on captured replies', () => {
  it.each<[string, ServerStats]>([
    [
      'leader',
      {
        version: V380,
        readOnly: false,
        latency: { min: 0, avg: 0, max: 0 },
        received: 11,
        sent: 13,
        connections: 0,
        outstanding: 0,
        zxid: parseZxid('0x100000007'),
        mode: 'leader',
        nodeCount: 11,
        proposalSizes: { last: 111, min: 48, max: 111 },
      },
    ],
    [
      'follower',
      {
        version: V380,
        readOnly: false,
        latency: { min: 0, avg: 0, max: 0 },
        received: 12,
        sent: 14,
        connections: 0,
        outstanding: 0,
        zxid: parseZxid('0x100000007'),
        mode: 'follower',
        nodeCount: 11,
      },
    ],
    [
      'observer',
      {
        version: V380,
        readOnly: false,
        latency: { min: 4, avg: 8.25, max: 21 },
        received: 16,
        sent: 18,
        connections: 1,
        outstanding: 0,
        zxid: parseZxid('0x100000007'),
        mode: 'observer',
        nodeCount: 11,
      },
    ],
    [
      'standalone',
      {
        version: V380,
        readOnly: false,
        latency: { min: 2, avg: 4.8333, max: 11 },
        received: 15,
        sent: 17,
        connections: 1,
        outstanding: 0,
        zxid: parseZxid('0x5'),
        mode: 'standalone',
        nodeCount: 9,
      },
    ],
    [
      'whitelist-srvr-only',
      {
        version: V380,
        readOnly: false,
        latency: { min: 0, avg: 0, max: 0 },
        received: 7,
        sent: 7,
        connections: 0,
        outstanding: 0,
        zxid: parseZxid('0x0'),
        mode: 'follower',
        nodeCount: 5,
      },
    ],
  ])('%s admin-srvr', (role, expected) => {
    expect(adminServerStats(admin(role, 'srvr'))).toStrictEqual(expected);
  });

  it.each(SERVING_ROLES_380)('%s admin-stat gives the same record as admin-srvr (connections are not clients)', (role) => {
    expect(adminServerStats(admin(role, 'stat'))).toStrictEqual(adminServerStats(admin(role, 'srvr')));
  });

  it.each([...SERVING_ROLES_380, 'whitelist-srvr-only'])(
    '%s: same version, mode, zxid, node count and proposal sizes as the 4lw srvr',
    (role) => {
      const pick = (s: ServerStats) => ({
        version: s.version,
        readOnly: s.readOnly,
        mode: s.mode,
        zxid: s.zxid,
        nodeCount: s.nodeCount,
        proposalSizes: s.proposalSizes,
        outstanding: s.outstanding,
      });
      expect(pick(adminServerStats(admin(role, 'srvr')))).toStrictEqual(
        pick(parseServerStats(fixture(`zookeeper-3.8.0/${role}/srvr.txt`))),
      );
    },
  );

  it('observer and standalone latencies match the 4lw srvr exactly (no traffic in between)', () => {
    for (const role of ['observer', 'standalone']) {
      expect(adminServerStats(admin(role, 'srvr')).latency).toStrictEqual(
        parseServerStats(fixture(`zookeeper-3.8.0/${role}/srvr.txt`)).latency,
      );
    }
  });
});

describe('adminMntr on captured replies', () => {
  const keys = (r: MntrRecord) => r.entries.map((e) => (e.labels ? `${e.key}${JSON.stringify(e.labels)}` : e.key));
  const valueOf = (r: MntrRecord, key: string) => r.entries.find((e) => e.key === key)?.value;

  it.each([
    ['leader', 548],
    ['follower', 497],
    ['observer', 503],
    ['standalone', 495],
  ])('%s: the same %i keys in the same order as the 4lw mntr, without command/error', (role, count) => {
    const fromAdmin = adminMntr(admin(role, 'mntr'));
    expect(fromAdmin.entries).toHaveLength(count);
    expect(keys(fromAdmin)).toStrictEqual(keys(parseMntr(fixture(`zookeeper-3.8.0/${role}/mntr.txt`))));
  });

  it.each(SERVING_ROLES_380)('%s: the same values for the keys that do not move between captures', (role) => {
    const fromAdmin = adminMntr(admin(role, 'mntr'));
    const fromText = parseMntr(fixture(`zookeeper-3.8.0/${role}/mntr.txt`));
    for (const key of [
      'version',
      'server_state',
      'peer_state',
      'znode_count',
      'quorum_size',
      'synced_followers',
      'synced_observers',
      'learners',
      'observer_master_id',
      'max_file_descriptor_count',
      'last_proposal_size',
    ]) {
      expect([key, valueOf(fromAdmin, key)]).toStrictEqual([key, valueOf(fromText, key)]);
    }
  });

  it('leader: exact first entries, numbers as numbers', () => {
    expect(adminMntr(admin('leader', 'mntr')).entries.slice(0, 7)).toStrictEqual([
      { key: 'version', value: V380 },
      { key: 'server_state', value: 'leader' },
      { key: 'peer_state', value: 'leading - broadcast' },
      { key: 'ephemerals_count', value: 0 },
      { key: 'num_alive_connections', value: 0 },
      { key: 'avg_latency', value: 0 },
      { key: 'min_proposal_size', value: 48 },
    ]);
  });

  it('whitelist-srvr-only: the AdminServer ignores the 4lw whitelist', () => {
    const record = adminMntr(admin('whitelist-srvr-only', 'mntr'));
    expect(record.entries).toHaveLength(492);
    expect(valueOf(record, 'server_state')).toBe('follower');
    expect(valueOf(record, 'znode_count')).toBe(5);
  });

  it('not-serving: /commands/mntr is an HTTP 500 HTML page, not JSON (a transport http_error)', () => {
    const text = fixture('zookeeper-3.8.0/not-serving/admin-mntr.http');
    expect(text.startsWith('HTTP 500\n<html>')).toBe(true);
    expect(() => adminMntr(text.slice(text.indexOf('\n') + 1))).toThrow(
      new ParseError('AdminServer mntr: unexpected shape: (root): Invalid input: expected record, received string'),
    );
  });
});

describe('adminWatchSummary on captured replies', () => {
  it.each([...SERVING_ROLES_380])('%s equals the 4lw wchs', (role) => {
    expect(adminWatchSummary(admin(role, 'wchs'))).toStrictEqual(parseWatchSummary(fixture(`zookeeper-3.8.0/${role}/wchs.txt`)));
  });

  it('exact values', () => {
    expect(adminWatchSummary(admin('observer', 'wchs'))).toStrictEqual({ connections: 1, paths: 1, totalWatches: 1 });
    expect(adminWatchSummary(admin('whitelist-srvr-only', 'wchs'))).toStrictEqual({
      connections: 0,
      paths: 0,
      totalWatches: 0,
    });
  });
});

describe('adminServerConfig on captured replies', () => {
  it('leader: raw keys renamed to the 4lw names, serverId, no members', () => {
    expect(adminServerConfig(admin('leader', 'conf'))).toStrictEqual({
      serverId: 3,
      members: [],
      raw: {
        clientPort: '36873',
        dataDir: '/tmp/zk-ensemble-6uWLia/node-3/data/version-2',
        dataLogDir: '/tmp/zk-ensemble-6uWLia/node-3/data/version-2',
        tickTime: '2000',
        maxClientCnxns: '60',
        minSessionTimeout: '4000',
        maxSessionTimeout: '40000',
        serverId: '3',
        clientPortListenBacklog: '-1',
      },
    });
  });

  it.each(SERVING_ROLES_380)('%s: every admin setting equals the 4lw conf line of the same name', (role) => {
    const fromAdmin = adminServerConfig(admin(role, 'conf'));
    const fromText = parseServerConfig(fixture(`zookeeper-3.8.0/${role}/conf.txt`));
    expect(fromAdmin.serverId).toBe(fromText.serverId);
    const shared = Object.fromEntries(Object.keys(fromAdmin.raw).map((k) => [k, fromText.raw[k]]));
    expect(fromAdmin.raw).toStrictEqual(shared);
    expect(Object.keys(fromAdmin.raw)).toHaveLength(9);
  });

  it('whitelist-srvr-only: answers although 4lw conf is refused', () => {
    expect(adminServerConfig(admin('whitelist-srvr-only', 'conf')).serverId).toBe(1);
  });
});

describe('adminVotingView on captured replies', () => {
  it('leader: the three voters only (the observer is not in the voting view), own client address only', () => {
    expect(adminVotingView(admin('leader', 'voting_view'))).toStrictEqual([
      { id: 1, host: '127.0.0.1', quorumPort: 33335, electionPort: 34333, role: 'participant' },
      { id: 2, host: '127.0.0.1', quorumPort: 33831, electionPort: 36227, role: 'participant' },
      {
        id: 3,
        host: '127.0.0.1',
        quorumPort: 45299,
        electionPort: 39661,
        role: 'participant',
        clientAddress: '127.0.0.1:36873',
      },
    ]);
  });

  it('follower and observer: the same voters as 4lw conf minus the observer', () => {
    const voters = parseServerConfig(fixture('zookeeper-3.8.0/follower/conf.txt')).members.filter((m) => m.role === 'participant');
    for (const role of ['follower', 'observer']) {
      const view = adminVotingView(admin(role, 'voting_view')).map(({ clientAddress: _, ...m }) => m);
      expect(view).toStrictEqual(voters);
    }
  });

  it('standalone: empty', () => {
    expect(adminVotingView(admin('standalone', 'voting_view'))).toStrictEqual([]);
  });
});

describe('adminErrorOf', () => {
  it.each(['srvr', 'wchs', 'conf'])('not-serving admin-%s carries the not-serving text', (command) => {
    const json = adminFixture(`zookeeper-3.8.0/not-serving/admin-${command}.http`).json;
    expect(adminErrorOf(json)).toBe('This ZooKeeper instance is not currently serving requests');
  });

  it('standalone admin-leader: "server is not initialized"', () => {
    expect(adminErrorOf(admin('standalone', 'leader'))).toBe('server is not initialized');
  });

  it('is undefined for a null error and for non-objects', () => {
    expect(adminErrorOf(admin('leader', 'srvr'))).toBe(undefined);
    expect(adminErrorOf('text')).toBe(undefined);
    expect(adminErrorOf(null)).toBe(undefined);
    expect(adminErrorOf({ error: 42 })).toBe('42');
  });

  it('makes every admin parser refuse a not-serving body with the error text', () => {
    const text = 'This ZooKeeper instance is not currently serving requests';
    const json = (command: string) => adminFixture(`zookeeper-3.8.0/not-serving/admin-${command}.http`).json;
    expect(() => adminServerStats(json('srvr'))).toThrow(new ParseError(`AdminServer srvr answered with error: ${text}`));
    expect(() => adminWatchSummary(json('wchs'))).toThrow(new ParseError(`AdminServer wchs answered with error: ${text}`));
    expect(() => adminServerConfig(json('conf'))).toThrow(new ParseError(`AdminServer conf answered with error: ${text}`));
    expect(() => adminMntr({ command: 'mntr', error: text })).toThrow(new ParseError(`AdminServer mntr answered with error: ${text}`));
  });
});

describe('admin parsers on wrong shapes', () => {
  const leaderSrvr = () => structuredClone(admin('leader', 'srvr')) as { server_stats: Record<string, unknown> };

  it('adminServerStats names the missing or mistyped fields', () => {
    expect(() => adminServerStats({})).toThrow(ParseError);
    expect(() => adminServerStats({})).toThrow(/^AdminServer srvr: unexpected shape: version: Invalid input/);
    const body = leaderSrvr();
    delete body.server_stats.server_state;
    expect(() => adminServerStats(body)).toThrow(
      new ParseError('AdminServer srvr: unexpected shape: server_stats.server_state: Invalid input: expected string, received undefined'),
    );
  });

  it('adminServerStats rejects an unknown server_state', () => {
    const body = leaderSrvr();
    body.server_stats.server_state = 'looking';
    expect(() => adminServerStats(body)).toThrow(new ParseError('AdminServer srvr: unknown server_state "looking"'));
  });

  it('adminServerStats refuses a zxid JSON.parse could not keep exact, or a negative one', () => {
    const body = leaderSrvr();
    body.server_stats.last_processed_zxid = 2 ** 53 + 2;
    expect(() => adminServerStats(body)).toThrow(
      new ParseError('AdminServer srvr: last_processed_zxid 9007199254740994 is not an exact non-negative integer'),
    );
    body.server_stats.last_processed_zxid = -1;
    expect(() => adminServerStats(body)).toThrow(
      new ParseError('AdminServer srvr: last_processed_zxid -1 is not an exact non-negative integer'),
    );
  });

  it('adminServerStats accepts a zxid kept as a decimal string or bigint by a big-int-aware JSON parser', () => {
    const body = leaderSrvr();
    body.server_stats.last_processed_zxid = '18446744073709551615';
    expect(adminServerStats(body).zxid).toStrictEqual(parseZxid('0xffffffffffffffff'));
    body.server_stats.last_processed_zxid = 0x100000007n;
    expect(adminServerStats(body).zxid).toStrictEqual(parseZxid('0x100000007'));
  });

  it('adminMntr: reads "NaN" strings as NaN, booleans and null as Java text, skips nested values', () => {
    expect(
      adminMntr({ a: 'NaN', b: true, c: null, d: { x: 1 }, e: [1], f: -1, 'g{quantile="0.5"}': 'NaN', command: 'monitor', error: null }),
    ).toStrictEqual({
      entries: [
        { key: 'a', value: NaN },
        { key: 'b', value: 'true' },
        { key: 'c', value: 'null' },
        { key: 'f', value: -1 },
        { key: 'g', labels: { quantile: '0.5' }, value: NaN },
      ],
    });
  });

  it('adminMntr fails on a body with no metric', () => {
    expect(() => adminMntr({ command: 'monitor', error: null })).toThrow(new ParseError('AdminServer mntr: no metric in the body'));
    expect(() => adminMntr([1, 2])).toThrow(ParseError);
  });

  it('adminWatchSummary rejects negative or missing counts', () => {
    expect(() => adminWatchSummary({ num_connections: -1, num_paths: 0, num_total_watches: 0 })).toThrow(
      /^AdminServer wchs: unexpected shape: num_connections: /,
    );
    expect(() => adminWatchSummary({ num_connections: 0, num_paths: 0 })).toThrow(
      new ParseError('AdminServer wchs: unexpected shape: num_total_watches: Invalid input: expected number, received undefined'),
    );
  });

  it('adminServerConfig rejects an empty body and a non-integer server_id', () => {
    expect(() => adminServerConfig({ command: 'configuration', error: null })).toThrow(
      new ParseError('AdminServer conf: no setting in the body'),
    );
    expect(() => adminServerConfig({ server_id: 'x' })).toThrow(new ParseError('AdminServer conf: server_id is not an integer: "x"'));
  });

  it('adminVotingView rejects a malformed address', () => {
    const view = {
      current_config: {
        '1': { server_addresses: ['nohostport'], election_addresses: [], client_address: '', learner_type: 'participant' },
      },
    };
    expect(() => adminVotingView(view)).toThrow(new ParseError('AdminServer voting_view: server 1 address is not host:port: "nohostport"'));
    view.current_config['1'].server_addresses = ['[::1]:2888'];
    expect(adminVotingView(view)).toStrictEqual([{ id: 1, host: '::1', quorumPort: 2888, role: 'participant' }]);
  });
});
