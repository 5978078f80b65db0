// A reply that prints one key twice with two values contradicts itself: it is `malformed`, never "last
// line wins". Identical repeats are harmless and kept once. Checked through the real decoder.
import { describe, expect, it } from 'vitest';
import type { CommandWord } from '../../../src/commands/index.js';
import { parseConnectionLine } from '../../../src/parse/connections.js';
import { parseServerConfig } from '../../../src/parse/conf.js';
import { parseMntr } from '../../../src/parse/mntr.js';
import { parseServerStats } from '../../../src/parse/srvr.js';
import { decodeFourLetter } from '../../../src/poll/decode.js';
import { fixture } from './fixtures.js';

function decode(word: CommandWord, body: string) {
  return decodeFourLetter(word, { ok: true, body, durationMs: 1 });
}

function failureOf(word: CommandWord, body: string): { reason: string; detail: string } {
  const outcome = decode(word, body);
  if (outcome.ok) throw new Error(`${word} parsed: ${JSON.stringify(outcome.value).slice(0, 200)}`);
  return { reason: outcome.reason, detail: outcome.detail };
}

const srvr = fixture('zookeeper-3.8.0/follower/srvr.txt');

describe('conflicting duplicate keys are malformed', () => {
  it('srvr: Mode: follower then Mode: leader', () => {
    expect(failureOf('srvr', `${srvr}Mode: leader\n`)).toEqual({
      reason: 'malformed',
      detail: 'srvr/stat: "Mode" appears twice with different values ("follower", then "leader")',
    });
  });

  it('srvr: a second Zxid', () => {
    expect(failureOf('srvr', srvr.replace('Mode:', 'Zxid: 0x200000000\nMode:'))).toEqual({
      reason: 'malformed',
      detail: 'srvr/stat: "Zxid" appears twice with different values ("0x100000007", then "0x200000000")',
    });
  });

  it('stat: the same rule', () => {
    const stat = fixture('zookeeper-3.8.0/leader/stat.txt');
    expect(failureOf('stat', stat.replace('Node count:', 'Outstanding: 99\nNode count:'))).toEqual({
      reason: 'malformed',
      detail: 'srvr/stat: "Outstanding" appears twice with different values ("0", then "99")',
    });
  });

  it('mntr: one key with two values', () => {
    const mntr = fixture('zookeeper-3.8.0/leader/mntr.txt');
    expect(failureOf('mntr', `${mntr}zk_server_state\tfollower\n`)).toEqual({
      reason: 'malformed',
      detail: 'mntr: "zk_server_state" appears twice with different values ("leader", then "follower")',
    });
  });

  it('mntr: labelled keys are compared whole', () => {
    expect(() => parseMntr('zk_x{quantile="0.5"}\t1\nzk_x{quantile="0.5"}\t2\n')).toThrow(
      'mntr: "zk_x{quantile=\\"0.5\\"}" appears twice with different values ("1", then "2")',
    );
    expect(parseMntr('zk_x{quantile="0.5"}\t1\nzk_x{quantile="0.9"}\t2\n').entries).toHaveLength(2);
  });

  it('conf: two serverId lines, and server.01= against server.1=', () => {
    const conf = fixture('zookeeper-3.8.0/leader/conf.txt');
    expect(failureOf('conf', `${conf}\nserverId=9\n`)).toEqual({
      reason: 'malformed',
      detail: 'conf: "serverId" appears twice with different values ("3", then "9")',
    });
    expect(failureOf('conf', 'serverId=1\nserver.1=a:1:2:participant\nserver.01=b:1:2:participant\n')).toEqual({
      reason: 'malformed',
      detail: 'conf: "server.1" appears twice with different values ("a:1:2:participant", then "b:1:2:participant")',
    });
  });

  it('wchs: two different headers', () => {
    expect(failureOf('wchs', '1 connections watching 2 paths\nTotal watches:2\n9 connections watching 9 paths\n')).toEqual({
      reason: 'malformed',
      detail:
        'wchs: "connections watching paths" appears twice with different values ("1 connections watching 2 paths", then "9 connections watching 9 paths")',
    });
  });

  it('envi: one property with two values', () => {
    const envi = fixture('zookeeper-3.8.0/leader/envi.txt');
    const first = /^zookeeper\.version=(.*)$/m.exec(envi)![1]!;
    expect(failureOf('envi', `${envi}zookeeper.version=9.9.9\n`)).toEqual({
      reason: 'malformed',
      detail: `envi: "zookeeper.version" appears twice with different values (${JSON.stringify(first.slice(0, 40))}, then "9.9.9")`,
    });
  });

  it('cons: one field twice in a connection line', () => {
    expect(failureOf('cons', ' /10.0.0.1:5[1](queued=0,recved=1,sent=1,sid=0x1,queued=7)\n')).toEqual({
      reason: 'malformed',
      detail: 'connection /10.0.0.1:5: "queued" appears twice with different values ("0", then "7")',
    });
  });
});

describe('identical repeats are tolerated and kept once', () => {
  it('srvr', () => {
    expect(parseServerStats(`${srvr}Mode: follower\n`).mode).toBe('follower');
  });

  it('mntr', () => {
    expect(parseMntr('zk_a\t1\nzk_a\t1\nzk_b\t2\n').entries).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
  });

  it('conf', () => {
    expect(parseServerConfig('serverId=1\nserver.1=a:1:2:participant\nserver.1=a:1:2:participant\n').members).toEqual([
      { id: 1, host: 'a', quorumPort: 1, electionPort: 2, role: 'participant' },
    ]);
  });

  it('a connection line', () => {
    expect(parseConnectionLine(' /10.0.0.1:5[1](queued=0,queued=0)').fields).toEqual({ queued: 0 });
  });
});

describe('real captures have no conflicting repeats', () => {
  for (const version of ['3.4.14', '3.5.9', '3.8.0']) {
    for (const role of ['leader', 'follower', 'standalone']) {
      it(`${version} ${role}`, () => {
        for (const word of ['srvr', 'mntr', 'wchs', 'conf'] as const) {
          expect(decode(word, fixture(`zookeeper-${version}/${role}/${word}.txt`)).ok).toBe(true);
        }
      });
    }
  }
});
