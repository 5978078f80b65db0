// Property tests over every reply parser: whatever a node sends, the parser returns a well-typed record
// or throws ParseError (which decode turns into `malformed`); nothing else escapes, and the record is
// never much larger than the reply.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type AnyCommand } from '../../../src/commands/index.js';
import { classifyFourLetterReply } from '../../../src/parse/classify.js';
import { ParseError } from '../../../src/parse/errors.js';
import { layOutMntr } from '../../../src/commands/mntr-layout.js';
import { mntrNumber, parseMntr, parseMntrAfresh } from '../../../src/parse/mntr.js';
import type { MntrRecord } from '../../../src/parse/types.js';
import { decodeAdmin, decodeFourLetter } from '../../../src/poll/decode.js';
import { adminFixture } from '../parse/fixtures.js';
import { capturesOf, FUZZ_TIMEOUT, hostileJson, hostileReply, runs } from './arbitraries.js';

const TABLE = COMMANDS as unknown as readonly AnyCommand[];

/** JSON text of a record (zxids hold bigints). */
function sizeOf(value: unknown): number {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).length;
}

/** Every number in `value` with its path; mntr values may be NaN or ±Infinity (Java prints them). */
function badNumbers(value: unknown, path: string, out: string[]): string[] {
  if (typeof value === 'number') {
    const mntrValue = /^entries\.[0-9]+\.value$/.test(path);
    if (!Number.isFinite(value) && !mntrValue) out.push(`${path}=${value}`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) badNumbers(child, path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}

/** Parses with `parse`; returns the record, or undefined after checking that the error is a ParseError. */
function parseOrParseError<R>(parse: () => R): R | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ParseError)) throw new Error(`escaped: ${String(err)}`, { cause: err });
    expect(err.message.length).toBeLessThan(2000);
    return undefined;
  }
}

/**
 * A record as plain data: an mntr reply matched to a known key list keeps its numbers in place and
 * makes its entries when read, so its entries are what it holds.
 */
function plain(record: unknown): unknown {
  return record instanceof Object && 'entries' in record ? { entries: (record as MntrRecord).entries } : record;
}

function checkRecord(parsed: unknown, inputSize: number): void {
  const record = plain(parsed);
  expect(badNumbers(record, '', [])).toEqual([]);
  // Records keep at most what the reply said: bounded by a small multiple of its size.
  expect(sizeOf(record)).toBeLessThanOrEqual(4 * inputSize + 2000);
}

describe('four-letter parsers under hostile replies', () => {
  for (const command of TABLE) {
    it(`${command.word}: a record or ParseError, well-typed and bounded`, { timeout: FUZZ_TIMEOUT }, () => {
      fc.assert(
        fc.property(hostileReply(capturesOf(command.word)), (text) => {
          const record = parseOrParseError(() => command.parseText(text));
          if (record !== undefined) checkRecord(record, text.length);
          // The decoder never throws and always classifies.
          const outcome = decodeFourLetter(command.word, { ok: true, body: text, durationMs: 1 });
          if (!outcome.ok) expect(outcome.detail.length).toBeLessThan(2000);
        }),
        { numRuns: runs(300) },
      );
    });
  }
});

describe('AdminServer JSON forms under hostile bodies', () => {
  for (const command of TABLE) {
    const bases = command.admin.map((name) => adminFixture(`zookeeper-3.8.0/leader/admin-${name}.http`).json);
    it(`${command.word} (${command.admin.join(', ')}): a record or ParseError`, { timeout: FUZZ_TIMEOUT }, () => {
      fc.assert(
        fc.property(fc.tuple(...bases.map((base) => hostileJson([base]))), (bodies) => {
          const record = parseOrParseError(() => command.parseJson(bodies));
          if (record !== undefined) checkRecord(record, sizeOf(bodies) ?? 0);
          const outcome = decodeAdmin(
            command.word,
            bodies.map((body) => ({ ok: true as const, body, durationMs: 1 })),
          );
          expect(typeof outcome.ok).toBe('boolean');
        }),
        { numRuns: runs(200) },
      );
    });
  }
});

describe('classifyFourLetterReply', () => {
  it('never throws; a refusal carries a known reason and a bounded detail', { timeout: FUZZ_TIMEOUT }, () => {
    const words = fc.constantFrom(...TABLE.map((c) => c.word));
    fc.assert(
      fc.property(
        words,
        hostileReply([...capturesOf('srvr'), 'mntr is not executed because it is not in the whitelist.\n', 'null']),
        (word, text) => {
          const verdict = classifyFourLetterReply(word, text);
          if (!verdict.ok) {
            expect(['not_whitelisted', 'not_serving', 'empty']).toContain(verdict.reason);
            expect(verdict.detail.length).toBeLessThanOrEqual(text.length + 100);
          }
        },
      ),
      { numRuns: runs(500) },
    );
  });
});

/** A parse's record, or its ParseError message. */
function recordOrMessage(parse: () => unknown): unknown {
  try {
    return plain(parse());
  } catch (err) {
    if (err instanceof ParseError) return err.message;
    throw err;
  }
}

describe('mntr replies matched against the key lists of earlier replies', () => {
  const captures = capturesOf('mntr');
  // Captured replies with other values: the keys stay, so these take the matching path; some values
  // turn to text or to lines ending in CR, which must not match a list whose value was a number.
  const revalued = fc
    .tuple(
      fc.constantFrom(...captures),
      fc.array(
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.constantFrom('NaN', 'x', '1.0E-4', '-1\r', '-0', '', '-', '007', '123456789012345', '-9007199254740993', '12345678901234567'),
        ),
        { minLength: 1 },
      ),
    )
    .map(([text, values]) => {
      let i = 0;
      return text.replace(/\t[^\n]*/g, (old) => (i++ % 7 === 0 ? `\t${String(values[i % values.length])}` : old));
    });

  it('gives what a line-by-line parse gives, for real, revalued and hostile replies', { timeout: FUZZ_TIMEOUT }, () => {
    for (const text of captures) parseMntr(text);
    fc.assert(
      fc.property(fc.oneof(revalued, hostileReply(captures)), (text) => {
        expect(recordOrMessage(() => parseMntr(text))).toEqual(recordOrMessage(() => parseMntrAfresh(text)));
      }),
      { numRuns: runs(500) },
    );
  });

  it('lays out and reads the numbers a line-by-line parse gives, without its entries', { timeout: FUZZ_TIMEOUT }, () => {
    for (const text of captures) parseMntr(text);
    fc.assert(
      fc.property(fc.oneof(revalued, hostileReply(captures)), (text) => {
        const afresh = parseOrParseError(() => parseMntrAfresh(text));
        // The layout is worked out before the entries are read, so it comes from the numbers alone.
        const record = parseOrParseError(() => parseMntr(text));
        const laidOut = record && layOutMntr(record);
        expect(laidOut).toEqual(afresh && layOutMntr(afresh));
        for (const { key } of afresh?.entries ?? []) expect(mntrNumber(record!, key)).toEqual(mntrNumber(afresh!, key));
      }),
      { numRuns: runs(500) },
    );
  });
});
