import { describe, expect, it } from 'vitest';
import { parseQuorumMember, parseServerConfig, peerTypeName } from '../../../src/parse/conf.js';
import { ParseError } from '../../../src/parse/errors.js';
import type { QuorumMember } from '../../../src/parse/types.js';
import { fixture } from './fixtures.js';

// The 3.8.0 quorum: voters 1–3 and observer 4, written by QuorumServer.toString without client addresses
// (static config: isClientAddrFromStatic hides them).
const MEMBERS_380: QuorumMember[] = [
  { id: 1, host: '127.0.0.1', quorumPort: 33335, electionPort: 34333, role: 'participant' },
  { id: 2, host: '127.0.0.1', quorumPort: 33831, electionPort: 36227, role: 'participant' },
  { id: 3, host: '127.0.0.1', quorumPort: 45299, electionPort: 39661, role: 'participant' },
  { id: 4, host: '127.0.0.1', quorumPort: 39685, electionPort: 33933, role: 'observer' },
];

const SERVER_LINES_380 = {
  'server.1': '127.0.0.1:33335:34333:participant',
  'server.2': '127.0.0.1:33831:36227:participant',
  'server.3': '127.0.0.1:45299:39661:participant',
  'server.4': '127.0.0.1:39685:33933:observer',
};

describe('parseServerConfig on captured 3.8.0 replies', () => {
  it('leader: every key=value line, serverId, peerType 0 = participant, members and version', () => {
    expect(parseServerConfig(fixture('zookeeper-3.8.0/leader/conf.txt'))).toStrictEqual({
      serverId: 3,
      peerType: 'participant',
      members: MEMBERS_380,
      configVersion: '0',
      raw: {
        clientPort: '36873',
        secureClientPort: '-1',
        dataDir: '/tmp/zk-ensemble-6uWLia/node-3/data/version-2',
        dataDirSize: '67109517',
        dataLogDir: '/tmp/zk-ensemble-6uWLia/node-3/data/version-2',
        dataLogSize: '67109517',
        tickTime: '2000',
        maxClientCnxns: '60',
        minSessionTimeout: '4000',
        maxSessionTimeout: '40000',
        clientPortListenBacklog: '-1',
        serverId: '3',
        initLimit: '10',
        syncLimit: '5',
        electionAlg: '3',
        electionPort: '39661',
        quorumPort: '45299',
        peerType: '0',
        ...SERVER_LINES_380,
        version: '0',
      },
    });
  });

  it('follower: serverId 1, same members', () => {
    const conf = parseServerConfig(fixture('zookeeper-3.8.0/follower/conf.txt'));
    expect([conf.serverId, conf.peerType, conf.configVersion]).toStrictEqual([1, 'participant', '0']);
    expect(conf.members).toStrictEqual(MEMBERS_380);
    expect(conf.raw.electionPort).toBe('34333');
    expect(Object.keys(conf.raw)).toHaveLength(23);
  });

  it('observer: peerType=1 is the LearnerType ordinal of OBSERVER', () => {
    const conf = parseServerConfig(fixture('zookeeper-3.8.0/observer/conf.txt'));
    expect([conf.serverId, conf.peerType, conf.raw.peerType]).toStrictEqual([4, 'observer', '1']);
    expect(conf.members).toStrictEqual(MEMBERS_380);
  });

  it('standalone: serverId 0, no peerType, no members, no version', () => {
    expect(parseServerConfig(fixture('zookeeper-3.8.0/standalone/conf.txt'))).toStrictEqual({
      serverId: 0,
      members: [],
      raw: {
        clientPort: '34353',
        secureClientPort: '-1',
        dataDir: '/tmp/zk-ensemble-3UMBZJ/node-1/data/version-2',
        dataDirSize: '67109337',
        dataLogDir: '/tmp/zk-ensemble-3UMBZJ/node-1/data/version-2',
        dataLogSize: '67109337',
        tickTime: '2000',
        maxClientCnxns: '60',
        minSessionTimeout: '4000',
        maxSessionTimeout: '40000',
        clientPortListenBacklog: '-1',
        serverId: '0',
      },
    });
  });

  it.each([
    ['zookeeper-3.8.0/not-serving/conf.txt', 'This ZooKeeper instance is not currently serving requests'],
    ['zookeeper-3.8.0/whitelist-srvr-only/conf.txt', 'conf is not executed because it is not in the whitelist.'],
  ])('rejects the refusal in %s', (file, firstLine) => {
    expect(() => parseServerConfig(fixture(file))).toThrow(
      new ParseError(`conf reply has no key=value line (first line: ${JSON.stringify(firstLine)})`),
    );
  });
});

describe('parseServerConfig on hand-written 3.5.9 and 3.4.14 replies', () => {
  it('3.5.9 leader: dynamic-form members with client addresses, hex config version', () => {
    const conf = parseServerConfig(fixture('zookeeper-3.5.9/leader/conf.txt'));
    expect(conf.serverId).toBe(3);
    expect(conf.peerType).toBe('participant');
    expect(conf.configVersion).toBe('300000005');
    expect(conf.members).toStrictEqual([
      { id: 1, host: '10.0.0.1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: '0.0.0.0:2181' },
      { id: 2, host: '10.0.0.2', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: '0.0.0.0:2181' },
      { id: 3, host: '10.0.0.3', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: '0.0.0.0:2181' },
      { id: 4, host: '10.0.0.4', quorumPort: 2888, electionPort: 3888, role: 'observer', clientAddress: '0.0.0.0:2181' },
    ]);
    expect(conf.raw['server.4']).toBe('10.0.0.4:2888:3888:observer;0.0.0.0:2181');
    expect(Object.keys(conf.raw)).toHaveLength(22);
  });

  it('3.5.9 follower and standalone', () => {
    const follower = parseServerConfig(fixture('zookeeper-3.5.9/follower/conf.txt'));
    expect([follower.serverId, follower.members.length, follower.configVersion]).toStrictEqual([1, 4, '300000005']);
    const standalone = parseServerConfig(fixture('zookeeper-3.5.9/standalone/conf.txt'));
    expect([standalone.serverId, standalone.peerType, standalone.members, standalone.configVersion]).toStrictEqual([
      0,
      undefined,
      [],
      undefined,
    ]);
    expect(standalone.raw.dataDirSize).toBe('1245');
  });

  it('3.4.14 quorum member: no membership is printed at all, only its own ports and peerType', () => {
    expect(parseServerConfig(fixture('zookeeper-3.4.14/leader/conf.txt'))).toStrictEqual({
      serverId: 3,
      peerType: 'participant',
      members: [],
      raw: {
        clientPort: '2181',
        dataDir: '/var/lib/zookeeper/version-2',
        dataLogDir: '/var/lib/zookeeper/version-2',
        tickTime: '2000',
        maxClientCnxns: '60',
        minSessionTimeout: '4000',
        maxSessionTimeout: '40000',
        serverId: '3',
        initLimit: '10',
        syncLimit: '5',
        electionAlg: '3',
        electionPort: '3888',
        quorumPort: '2888',
        peerType: '0',
      },
    });
    expect(parseServerConfig(fixture('zookeeper-3.4.14/follower/conf.txt')).serverId).toBe(1);
  });

  it('3.4.14 standalone prints serverId=0', () => {
    const conf = parseServerConfig(fixture('zookeeper-3.4.14/standalone/conf.txt'));
    expect([conf.serverId, conf.peerType, conf.members]).toStrictEqual([0, undefined, []]);
    expect(Object.keys(conf.raw)).toHaveLength(8);
  });
});

describe('parseServerConfig edge cases', () => {
  it('takes members from plain server.N lines without a membership header (3.4 static form)', () => {
    const text = 'serverId=2\npeerType=observer\nserver.1=zk1:2888:3888\nserver.2=zk2:2888:3888:observer\n';
    const conf = parseServerConfig(text);
    expect(conf.peerType).toBe('observer');
    expect(conf.members).toStrictEqual([
      { id: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant' },
      { id: 2, host: 'zk2', quorumPort: 2888, electionPort: 3888, role: 'observer' },
    ]);
  });

  it('reads CRLF line endings like LF', () => {
    const text = fixture('zookeeper-3.8.0/leader/conf.txt');
    expect(parseServerConfig(text.replaceAll('\n', '\r\n'))).toStrictEqual(parseServerConfig(text));
  });

  it('keeps values holding = and unknown keys (e.g. hierarchical quorum group/weight lines)', () => {
    const conf = parseServerConfig('serverId=1\njaas=a=b\ngroup.1=1:2:3\nweight.1=1\n');
    expect(conf.raw).toStrictEqual({ serverId: '1', jaas: 'a=b', 'group.1': '1:2:3', 'weight.1': '1' });
  });

  it('stores a __proto__ key as an entry', () => {
    const conf = parseServerConfig('__proto__=x\n');
    expect(Object.keys(conf.raw)).toStrictEqual(['__proto__']);
    expect(Object.getPrototypeOf(conf.raw)).toBe(Object.prototype);
  });

  it('rejects a malformed server line and a non-numeric serverId', () => {
    expect(() => parseServerConfig('server.1=zk1:28x8:3888\n')).toThrow(new ParseError('server.1 quorum port: not an integer: "28x8"'));
    expect(() => parseServerConfig('serverId=one\n')).toThrow(new ParseError('serverId: not an integer: "one"'));
  });
});

describe('parseQuorumMember', () => {
  it.each<[string, QuorumMember]>([
    ['zk1:2888:3888', { id: 7, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant' }],
    ['zk1:2888:3888:observer', { id: 7, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'observer' }],
    ['zk1:2888:3888:OBSERVER', { id: 7, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'observer' }],
    ['zk1:2888', { id: 7, host: 'zk1', quorumPort: 2888, role: 'participant' }],
    [
      'zk1:2888:3888:participant;2181',
      { id: 7, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: '2181' },
    ],
    [
      '[::1]:2888:3888:participant;[::1]:2181',
      { id: 7, host: '::1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: '[::1]:2181' },
    ],
    [
      '10.0.0.1:2888:3888|10.0.1.1:2889:3889:observer;0.0.0.0:2181',
      { id: 7, host: '10.0.0.1', quorumPort: 2888, electionPort: 3888, role: 'observer', clientAddress: '0.0.0.0:2181' },
    ],
    ['zk1:2888:3888:participant;', { id: 7, host: 'zk1', quorumPort: 2888, electionPort: 3888, role: 'participant' }],
  ])('%s', (spec, expected) => {
    expect(parseQuorumMember(7, spec)).toStrictEqual(expected);
  });

  it.each([
    [':2888:3888', 'server.7: no host in ":2888:3888"'],
    ['[::1:2888:3888', 'server.7: unclosed IPv6 bracket in "[::1:2888:3888"'],
    ['[::1]x:2888', 'server.7: unexpected text after host in "[::1]x:2888"'],
    ['zk1:2888:3888:4000', 'server.7: too many fields in "zk1:2888:3888:4000"'],
    ['zk1:2888:70000', 'server.7 election port: port 70000 out of range'],
    ['zk1:2888:3888:witness', 'server.7: too many fields in "zk1:2888:3888:witness"'],
  ])('rejects %j', (spec, message) => {
    expect(() => parseQuorumMember(7, spec)).toThrow(new ParseError(message));
  });
});

describe('peerTypeName', () => {
  it('maps LearnerType ordinals and names, and keeps anything else', () => {
    expect(['0', '1', 'participant', 'Observer', '2'].map(peerTypeName)).toStrictEqual([
      'participant',
      'observer',
      'participant',
      'observer',
      '2',
    ]);
  });
});
