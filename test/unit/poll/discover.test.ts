import { describe, expect, it } from 'vitest';
import type { NodeSample } from '../../../src/commands/index.js';
import type { DiscoveredMember } from '../../../src/ensemble/types.js';
import type { ServerTarget } from '../../../src/model/target.js';
import { answersAs, discoverMembers, memberTarget, parseClientAddress, sameAddress, type PolledNode } from '../../../src/poll/discover.js';
import { decodeFourLetter } from '../../../src/poll/decode.js';
import type { QuorumMember } from '../../../src/parse/types.js';
import { confRecord, fail, ok, stats, T0 } from '../ensemble/samples.js';

/** A conf reply as ZooKeeper 3.8 prints it with dynamic-format member lines (client address after `;`). */
const DYNAMIC_CONF = [
  'clientPort=47713',
  'serverId=1',
  'peerType=0',
  'membership: ',
  'server.1=127.0.0.1:47711:47712:participant;0.0.0.0:47713',
  'server.2=127.0.0.1:47721:47722:participant;127.0.0.1:47723',
  'server.3=127.0.0.1:47731:47732:participant;[::]:47733',
  'server.4=127.0.0.1:47741:47742:observer;127.0.0.1:47743',
  'version=100000000',
].join('\n');

/** A static-config conf: no member carries a client address; only the node's own clientPort is given. */
const STATIC_CONF = [
  'clientPort=2181',
  'serverId=1',
  'membership: ',
  'server.1=zk1.example:2888:3888:participant',
  'server.2=zk2.example:2888:3888:participant',
  'server.3=zk3.example:2888:3888:participant',
  'version=0',
].join('\n');

function polledWithConf(target: ServerTarget, server: string, confText: string | undefined): PolledNode {
  const sample: NodeSample = { ensemble: 'e', server, polledAt: T0, srvr: ok(stats('follower', 1, 0)) };
  if (confText !== undefined) {
    sample.conf = decodeFourLetter('conf', { ok: true, body: confText, durationMs: 1 });
    sample.confPolledAt = T0;
  }
  return { target, sample };
}

const member = (id: number, host: string, clientAddress?: string): QuorumMember =>
  clientAddress === undefined ? { id, host, role: 'participant' } : { id, host, role: 'participant', clientAddress };

describe('parseClientAddress', () => {
  it('reads host:port, [v6]:port and a bare port; rejects text and port 0', () => {
    expect(parseClientAddress('127.0.0.1:2181')).toEqual({ host: '127.0.0.1', port: 2181 });
    expect(parseClientAddress('[::1]:2181')).toEqual({ host: '::1', port: 2181 });
    expect(parseClientAddress('0:0:0:0:0:0:0:0:2181')).toEqual({ host: '0:0:0:0:0:0:0:0', port: 2181 });
    expect(parseClientAddress('2181')).toEqual({ port: 2181 });
    expect(parseClientAddress('zk:abc')).toBeUndefined();
    expect(parseClientAddress('zk:0')).toBeUndefined();
  });
});

describe('memberTarget', () => {
  it('uses the client address conf gives, a wildcard or missing host meaning the member’s own host', () => {
    expect(memberTarget(member(2, 'zk2', 'zk2-client:2281'), 2181)).toEqual({ host: 'zk2-client', port: 2281 });
    expect(memberTarget(member(2, 'zk2', '0.0.0.0:2281'), 2181)).toEqual({ host: 'zk2', port: 2281 });
    expect(memberTarget(member(2, 'zk2', '[::]:2281'), 2181)).toEqual({ host: 'zk2', port: 2281 });
    expect(memberTarget(member(2, 'zk2', '2281'), 2181)).toEqual({ host: 'zk2', port: 2281 });
  });

  it('falls back to the quorum host and the given client port without a client address; carries the admin port', () => {
    expect(memberTarget(member(2, 'zk2'), 2181, 8080)).toEqual({ host: 'zk2', port: 2181, adminPort: 8080 });
  });

  it('gives nothing for a client address it cannot read', () => {
    expect(memberTarget(member(2, 'zk2', 'nonsense'), 2181)).toBeUndefined();
  });
});

describe('sameAddress', () => {
  it('treats localhost, 127.0.0.1 and ::1 as one host, other hosts case-insensitively, ports exactly', () => {
    expect(sameAddress({ host: 'localhost', port: 1 }, { host: '127.0.0.1', port: 1 })).toBe(true);
    expect(sameAddress({ host: '::1', port: 1 }, { host: 'LOCALHOST', port: 1 })).toBe(true);
    expect(sameAddress({ host: 'ZK1', port: 1 }, { host: 'zk1', port: 1 })).toBe(true);
    expect(sameAddress({ host: 'localhost', port: 1 }, { host: '127.0.0.1', port: 2 })).toBe(false);
    expect(sameAddress({ host: 'zk1', port: 1 }, { host: 'zk2', port: 1 })).toBe(false);
  });
});

describe('discoverMembers', () => {
  it('finds every member but the seed itself from one node’s dynamic conf, observers as non-voters', () => {
    const seed = { host: 'localhost', port: 47713 };
    const found = discoverMembers([seed], [polledWithConf(seed, 'localhost:47713', DYNAMIC_CONF)], []);
    expect(found).toEqual<DiscoveredMember[]>([
      { target: { host: '127.0.0.1', port: 47723 }, server: '127.0.0.1:47723', serverId: 2, voter: true },
      { target: { host: '127.0.0.1', port: 47733 }, server: '127.0.0.1:47733', serverId: 3, voter: true },
      { target: { host: '127.0.0.1', port: 47743 }, server: '127.0.0.1:47743', serverId: 4, voter: false },
    ]);
  });

  it('recognises the seed by its server id even when its address is spelt differently from conf’s', () => {
    // The seed is server 1 but reached through a forwarded port: only its id tells it apart.
    const seed = { host: 'gateway', port: 12181 };
    const found = discoverMembers([seed], [polledWithConf(seed, 'gateway:12181', STATIC_CONF)], []);
    expect(found.map((m) => m.server)).toEqual(['zk2.example:2181', 'zk3.example:2181']);
  });

  it('uses the conf’s own clientPort for members without a client address (static config)', () => {
    const seed = { host: 'zk1.example', port: 2181 };
    const found = discoverMembers([seed], [polledWithConf(seed, 'zk1.example:2181', STATIC_CONF)], []);
    expect(found).toEqual([
      { target: { host: 'zk2.example', port: 2181 }, server: 'zk2.example:2181', serverId: 2, voter: true },
      { target: { host: 'zk3.example', port: 2181 }, server: 'zk3.example:2181', serverId: 3, voter: true },
    ]);
  });

  it('leaves out members whose derived address is a seed’s or another member’s (static config on one host)', () => {
    const oneHost = STATIC_CONF.replace(/zk[123]\.example/g, '127.0.0.1');
    const seed = { host: 'localhost', port: 2181 };
    // Without the seed's own id (its conf failed), every member derives to 127.0.0.1:2181 = the seed.
    const failedSeed: PolledNode = {
      target: seed,
      sample: { ...polledWithConf(seed, 'localhost:2181', undefined).sample, conf: fail('timeout') },
    };
    const other = { host: '10.9.9.9', port: 2181 };
    expect(discoverMembers([seed, other], [failedSeed, polledWithConf(other, '10.9.9.9:2181', oneHost)], [])).toEqual([]);
  });

  it('keeps the previous list when no polled node gave a conf this round', () => {
    const seed = { host: 'zk1.example', port: 2181 };
    const previous = discoverMembers([seed], [polledWithConf(seed, 'zk1.example:2181', STATIC_CONF)], []);
    expect(discoverMembers([seed], [polledWithConf(seed, 'zk1.example:2181', undefined)], previous)).toEqual(previous);
  });

  it('follows a newer membership (a higher config version) once most answering nodes report it', () => {
    const seed = { host: 'zk1.example', port: 2181 };
    const grown = STATIC_CONF.replace('version=0', 'server.5=zk5.example:2888:3888:participant\nversion=100000001');
    const zk2 = { host: 'zk2.example', port: 2181 };
    const zk3 = { host: 'zk3.example', port: 2181 };
    const found = discoverMembers(
      [seed],
      [
        polledWithConf(seed, 'zk1.example:2181', STATIC_CONF),
        polledWithConf(zk2, 'zk2.example:2181', grown.replace('serverId=1', 'serverId=2')),
        polledWithConf(zk3, 'zk3.example:2181', grown.replace('serverId=1', 'serverId=3')),
      ],
      [],
    );
    expect(found.map((m) => m.serverId)).toEqual([2, 3, 5]);
  });

  it('does not follow one node whose newer membership no other node confirms (a tie is no majority)', () => {
    const seed = { host: 'zk1.example', port: 2181 };
    const grown = STATIC_CONF.replace('version=0', 'server.5=zk5.example:2888:3888:participant\nversion=100000001');
    const zk2 = { host: 'zk2.example', port: 2181 };
    const found = discoverMembers(
      [seed],
      [
        polledWithConf(seed, 'zk1.example:2181', STATIC_CONF),
        polledWithConf(zk2, 'zk2.example:2181', grown.replace('serverId=1', 'serverId=2')),
      ],
      [],
    );
    expect(found.map((m) => m.serverId)).not.toContain(5);
  });
});

describe('answersAs', () => {
  const expected: DiscoveredMember = { target: { host: 'zk2', port: 2181 }, server: 'zk2:2181', serverId: 2, voter: true };
  const sampleWithId = (id: number | undefined): NodeSample => {
    const sample: NodeSample = { ensemble: 'e', server: 'zk2:2181', polledAt: T0, srvr: ok(stats('follower', 1, 0)) };
    if (id !== undefined) sample.conf = ok(confRecord(id, []));
    return sample;
  };

  it('accepts a member whose conf names the expected id, or that gave no conf; rejects another id', () => {
    expect(answersAs(expected, sampleWithId(2))).toBe(true);
    expect(answersAs(expected, sampleWithId(undefined))).toBe(true);
    expect(answersAs(expected, sampleWithId(1))).toBe(false);
  });
});
