import { describe, expect, it } from 'vitest';
import { adminErrorOf } from '../../../src/parse/admin.js';
import { classifyFourLetterReply, NOT_SERVING_MESSAGE } from '../../../src/parse/classify.js';
import { adminFixture, fixture, SERVING_ROLES_380 } from './fixtures.js';

describe('classifyFourLetterReply on captured replies', () => {
  it.each(['mntr', 'wchs', 'conf', 'stat'])('whitelist-srvr-only/%s.txt is not_whitelisted', (word) => {
    expect(classifyFourLetterReply(word, fixture(`zookeeper-3.8.0/whitelist-srvr-only/${word}.txt`))).toStrictEqual({
      ok: false,
      reason: 'not_whitelisted',
      detail: `${word} is not executed because it is not in the whitelist.`,
    });
  });

  it.each(['srvr', 'mntr', 'wchs', 'conf'])('not-serving/%s.txt is not_serving', (word) => {
    expect(classifyFourLetterReply(word, fixture(`zookeeper-3.8.0/not-serving/${word}.txt`))).toStrictEqual({
      ok: false,
      reason: 'not_serving',
      detail: 'This ZooKeeper instance is not currently serving requests',
    });
  });

  it('not-serving/isro.txt ("null") is not_serving for isro only', () => {
    const text = fixture('zookeeper-3.8.0/not-serving/isro.txt');
    expect(text).toBe('null');
    expect(classifyFourLetterReply('isro', text)).toStrictEqual({
      ok: false,
      reason: 'not_serving',
      detail: 'isro replied "null": no ZooKeeper server running',
    });
    expect(classifyFourLetterReply('envi', text)).toStrictEqual({ ok: true });
  });

  it('the empty reply to an unknown word is empty', () => {
    const text = fixture('zookeeper-3.8.0/whitelist-srvr-only/unknown-word.txt');
    expect(text).toBe('');
    expect(classifyFourLetterReply('zzzz', text)).toStrictEqual({ ok: false, reason: 'empty', detail: 'zzzz: empty reply' });
  });

  it.each(SERVING_ROLES_380.flatMap((role) => ['srvr', 'stat', 'mntr', 'wchs', 'conf', 'isro'].map((word) => [role, word] as const)))(
    '%s/%s.txt is ok',
    (role, word) => {
      expect(classifyFourLetterReply(word, fixture(`zookeeper-3.8.0/${role}/${word}.txt`))).toStrictEqual({ ok: true });
    },
  );

  it('whitelist-srvr-only/srvr.txt is ok', () => {
    expect(classifyFourLetterReply('srvr', fixture('zookeeper-3.8.0/whitelist-srvr-only/srvr.txt'))).toStrictEqual({
      ok: true,
    });
  });

  it.each(['srvr', 'wchs', 'conf'])("AdminServer's not-serving %s error classifies as not_serving", (command) => {
    const error = adminErrorOf(adminFixture(`zookeeper-3.8.0/not-serving/admin-${command}.http`).json);
    expect(error).toBe(NOT_SERVING_MESSAGE);
    expect(classifyFourLetterReply(command, error!)).toStrictEqual({
      ok: false,
      reason: 'not_serving',
      detail: NOT_SERVING_MESSAGE,
    });
  });
});

describe('classifyFourLetterReply edge cases', () => {
  it('whitespace-only replies are empty, with their length', () => {
    expect(classifyFourLetterReply('srvr', '\r\n \n')).toStrictEqual({
      ok: false,
      reason: 'empty',
      detail: 'srvr: whitespace-only reply (4 chars)',
    });
  });

  it('recognises the refusals with CRLF endings', () => {
    expect(classifyFourLetterReply('mntr', 'mntr is not executed because it is not in the whitelist.\r\n')).toStrictEqual({
      ok: false,
      reason: 'not_whitelisted',
      detail: 'mntr is not executed because it is not in the whitelist.',
    });
    expect(classifyFourLetterReply('srvr', `${NOT_SERVING_MESSAGE}\r\n`)).toStrictEqual({
      ok: false,
      reason: 'not_serving',
      detail: NOT_SERVING_MESSAGE,
    });
  });

  it('does not mistake a reply that merely contains the texts for a refusal', () => {
    expect(classifyFourLetterReply('mntr', `zk_note\t${NOT_SERVING_MESSAGE}\n`)).toStrictEqual({ ok: true });
    expect(classifyFourLetterReply('srvr', 'imok')).toStrictEqual({ ok: true });
    expect(classifyFourLetterReply('srvr', 'null')).toStrictEqual({ ok: true });
  });
});
