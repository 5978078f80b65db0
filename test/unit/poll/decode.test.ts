import { describe, expect, it } from 'vitest';
import { NOT_SERVING_MESSAGE } from '../../../src/parse/classify.js';
import { adminMntr } from '../../../src/parse/admin.js';
import { parseMntr } from '../../../src/parse/mntr.js';
import { parseServerConfig } from '../../../src/parse/conf.js';
import { parseServerStats } from '../../../src/parse/srvr.js';
import { parseWatchSummary } from '../../../src/parse/wchs.js';
import type { MntrRecord, ServerStats } from '../../../src/parse/types.js';
import type { CommandWord } from '../../../src/commands/index.js';
import type { RawReply } from '../../../src/model/outcome.js';
import { decodeAdmin, decodeFourLetter } from '../../../src/poll/decode.js';
import { adminFixture, fixture, SERVING_ROLES_380 } from '../parse/fixtures.js';
import { parseConnections } from '../../../src/commands/cons.js';
import { parseEnvironment } from '../../../src/commands/envi.js';
import { parseReadOnlyMode } from '../../../src/commands/isro.js';
import { parseClientList } from '../../../src/commands/stat.js';

const text = (relative: string, durationMs = 7): RawReply => ({ ok: true, body: fixture(`zookeeper-3.8.0/${relative}`), durationMs });
const json = (relative: string, durationMs = 9): RawReply<unknown> => ({
  ok: true,
  body: adminFixture(`zookeeper-3.8.0/${relative}`).json,
  durationMs,
});
/** The AdminServer replies one word needs: conf takes `conf` and `voting_view`, the others one body. */
const admin = (role: string, word: CommandWord, durationMs = 9): Array<RawReply<unknown>> =>
  word === 'conf'
    ? [json(`${role}/admin-conf.http`, durationMs), json(`${role}/admin-voting_view.http`, 0)]
    : [json(`${role}/admin-${word}.http`, durationMs)];

function stats(outcome: ReturnType<typeof decodeFourLetter<'srvr'>>): ServerStats {
  if (!outcome.ok) throw new Error(`expected ok, got ${outcome.reason}: ${outcome.detail}`);
  return outcome.value;
}

describe('decodeFourLetter on captured replies', () => {
  const parsers = {
    srvr: parseServerStats,
    stat: parseClientList,
    mntr: parseMntr,
    wchs: parseWatchSummary,
    conf: parseServerConfig,
    isro: parseReadOnlyMode,
    envi: parseEnvironment,
    cons: parseConnections,
  };

  it.each(
    SERVING_ROLES_380.flatMap((role) =>
      (['srvr', 'stat', 'mntr', 'wchs', 'conf', 'isro', 'envi', 'cons'] as const).map((word) => [role, word] as const),
    ),
  )('%s %s → ok with the parser’s record', (role, word) => {
    const body = fixture(`zookeeper-3.8.0/${role}/${word}.txt`);
    const outcome = decodeFourLetter(word, { ok: true, body, durationMs: 7 });
    // A matched mntr reply makes its entries when read: its entries are the record.
    const plain = (value: unknown): unknown => (word === 'mntr' ? { entries: (value as MntrRecord).entries } : value);
    expect({ ...outcome, value: outcome.ok ? plain(outcome.value) : undefined }).toStrictEqual({
      ok: true,
      value: plain(parsers[word](body)),
      transport: 'fourletter',
      durationMs: 7,
    });
  });

  it('reads the leader srvr exactly', () => {
    const s = stats(decodeFourLetter('srvr', text('leader/srvr.txt')));
    expect(s.mode).toBe('leader');
    expect(s.zxid).toStrictEqual({ value: 0x100000007n, epoch: 1, counter: 7 });
    expect(s.nodeCount).toBe(11);
    expect(s.proposalSizes).toStrictEqual({ last: 111, min: 48, max: 111 });
  });

  it.each(['mntr', 'wchs', 'conf', 'stat', 'isro', 'envi', 'cons'] as const)(
    'whitelist-srvr-only %s → not_whitelisted, never an empty record',
    (word) => {
      expect(decodeFourLetter(word, text(`whitelist-srvr-only/${word}.txt`, 3))).toStrictEqual({
        ok: false,
        reason: 'not_whitelisted',
        detail: `${word} is not executed because it is not in the whitelist.`,
        transport: 'fourletter',
        durationMs: 3,
      });
    },
  );

  it('whitelist-srvr-only srvr still answers', () => {
    expect(stats(decodeFourLetter('srvr', text('whitelist-srvr-only/srvr.txt'))).mode).toBe('follower');
  });

  // isro answers `null` when not serving (classified with its own detail); envi answers normally.
  it.each(['srvr', 'mntr', 'wchs', 'conf', 'cons'] as const)('not-serving %s → not_serving', (word) => {
    expect(decodeFourLetter(word, text(`not-serving/${word}.txt`, 4))).toStrictEqual({
      ok: false,
      reason: 'not_serving',
      detail: NOT_SERVING_MESSAGE,
      transport: 'fourletter',
      durationMs: 4,
    });
  });

  it('the empty reply to an unknown word → empty', () => {
    expect(decodeFourLetter('srvr', text('whitelist-srvr-only/unknown-word.txt', 2))).toStrictEqual({
      ok: false,
      reason: 'empty',
      detail: 'srvr: empty reply',
      transport: 'fourletter',
      durationMs: 2,
    });
  });

  it.each([
    [
      'srvr',
      'srvr/stat reply is missing "Mode:", "Zxid:", "Zookeeper version:", "Latency min/avg/max:", "Received:", "Sent:", "Connections:", "Outstanding:", "Node count:" (first line: "hello world")',
    ],
    ['mntr', 'mntr reply has no zk_<key>\\t<value> line (first line: "hello world")'],
    ['wchs', 'wchs reply is missing "<n> connections watching <m> paths" (first line: "hello world")'],
    ['conf', 'conf reply has no key=value line (first line: "hello world")'],
  ] as const)('garbage %s → malformed with the parser’s message', (word, detail) => {
    expect(decodeFourLetter(word, { ok: true, body: 'hello world\n', durationMs: 5 })).toStrictEqual({
      ok: false,
      reason: 'malformed',
      detail,
      transport: 'fourletter',
      durationMs: 5,
    });
  });

  it.each(['refused', 'timeout', 'too_large', 'empty'] as const)('passes a %s transport failure through', (reason) => {
    expect(decodeFourLetter('mntr', { ok: false, reason, detail: `raw ${reason}`, durationMs: 1000 })).toStrictEqual({
      ok: false,
      reason,
      detail: `raw ${reason}`,
      transport: 'fourletter',
      durationMs: 1000,
    });
  });
});

describe('decodeAdmin on captured replies', () => {
  it.each([...SERVING_ROLES_380, 'whitelist-srvr-only'])('%s admin-srvr → the same mode and zxid as the 4lw srvr', (role) => {
    const adminSrvr = decodeAdmin('srvr', admin(role, 'srvr'));
    const fourLetter = stats(decodeFourLetter('srvr', text(`${role}/srvr.txt`)));
    expect(adminSrvr.ok).toBe(true);
    if (!adminSrvr.ok) return;
    expect(adminSrvr.transport).toBe('admin');
    expect(adminSrvr.durationMs).toBe(9);
    expect(adminSrvr.value.mode).toBe(fourLetter.mode);
    expect(adminSrvr.value.zxid).toStrictEqual(fourLetter.zxid);
    expect(adminSrvr.value.version).toBe(fourLetter.version);
  });

  // The capture held a watching client session on the standalone node and on the observer.
  it.each([
    ['leader', 0],
    ['follower', 0],
    ['observer', 1],
    ['standalone', 1],
  ] as const)('%s admin-stat → its client list (%i; the HTTP request itself is not a client)', (role, clients) => {
    expect(decodeAdmin('stat', admin(role, 'stat'))).toStrictEqual({
      ok: true,
      value: { clients, queued: 0 },
      transport: 'admin',
      durationMs: 9,
    });
  });

  it.each([...SERVING_ROLES_380, 'whitelist-srvr-only'])('%s admin-wchs and admin-conf → ok', (role) => {
    const wchs = decodeAdmin('wchs', admin(role, 'wchs'));
    const conf = decodeAdmin(
      'conf',
      role === 'whitelist-srvr-only' ? [json(`${role}/admin-conf.http`), json('follower/admin-voting_view.http')] : admin(role, 'conf'),
    );
    expect(wchs.ok).toBe(true);
    expect(conf.ok).toBe(true);
  });

  it('admin wchs and conf agree with the 4lw replies of the same node', () => {
    for (const role of SERVING_ROLES_380) {
      const adminWchs = decodeAdmin('wchs', admin(role, 'wchs'));
      const fourLetter = decodeFourLetter('wchs', text(`${role}/wchs.txt`));
      expect(adminWchs.ok && adminWchs.value).toStrictEqual(fourLetter.ok && fourLetter.value);
      const adminConf = decodeAdmin('conf', admin(role, 'conf'));
      const conf = decodeFourLetter('conf', text(`${role}/conf.txt`));
      expect(adminConf.ok && adminConf.value.serverId).toBe(conf.ok && conf.value.serverId);
    }
  });

  it('the AdminServer answers mntr although the 4lw whitelist refuses it', () => {
    const body = adminFixture('zookeeper-3.8.0/whitelist-srvr-only/admin-mntr.http').json;
    expect(decodeAdmin('mntr', [{ ok: true, body, durationMs: 9 }])).toStrictEqual({
      ok: true,
      value: adminMntr(body),
      transport: 'admin',
      durationMs: 9,
    });
  });

  it.each(['srvr', 'wchs', 'conf', 'isro', 'cons'] as const)('not-serving admin-%s `error` → not_serving', (command) => {
    expect(decodeAdmin(command, admin('not-serving', command, 6))).toStrictEqual({
      ok: false,
      reason: 'not_serving',
      detail: NOT_SERVING_MESSAGE,
      transport: 'admin',
      durationMs: 6,
    });
  });

  it('another `error` text → http_error with that text', () => {
    expect(decodeAdmin('srvr', [{ ok: true, body: { command: 'srvr', error: 'server is not initialized' }, durationMs: 1 }])).toStrictEqual(
      {
        ok: false,
        reason: 'http_error',
        detail: 'server is not initialized',
        transport: 'admin',
        durationMs: 1,
      },
    );
  });

  it.each([
    ['srvr', 'text', 'AdminServer srvr: unexpected shape: (root): Invalid input: expected object, received string'],
    ['mntr', { command: 'mntr', error: null }, 'AdminServer mntr: no metric in the body'],
  ] as Array<[CommandWord, unknown, string]>)('an unexpected %s body → malformed', (command, body, detail) => {
    expect(decodeAdmin(command, [{ ok: true, body, durationMs: 1 }])).toStrictEqual({
      ok: false,
      reason: 'malformed',
      detail,
      transport: 'admin',
      durationMs: 1,
    });
  });

  it.each([
    ['http_error', 'HTTP 500'], // what the not-serving node's admin-mntr.http (a 500 HTML page) becomes in the transport
    ['http_error', 'not JSON'],
    ['refused', 'connect ECONNREFUSED'],
    ['timeout', 'no reply within 1000 ms'],
    ['too_large', 'reply over 1048576 bytes'],
  ] as const)('passes a %s transport failure (%s) through', (reason, detail) => {
    expect(decodeAdmin('mntr', [{ ok: false, reason, detail, durationMs: 12 }])).toStrictEqual({
      ok: false,
      reason,
      detail,
      transport: 'admin',
      durationMs: 12,
    });
  });
});
