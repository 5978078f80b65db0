import { describe, expect, it } from 'vitest';
import { checkDuration, DurationError, formatDuration, parseDuration } from '../../../src/model/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['0ms', 0],
    ['05s', 5_000],
    ['1500ms', 1_500],
    ['90s', 90_000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'empty; expected a duration like "500ms", "5s", "1m30s" or "2h"'],
    ['5', '"5" has no unit (ms, s, m or h); did you mean "5s"?'],
    ['5000', '"5000" has no unit (ms, s, m or h); did you mean "5000s"?'],
    ['-5s', '"-5s" is negative; a duration cannot be negative'],
    ['-5', '"-5" is negative; a duration cannot be negative'],
    ['1.5s', '"1.5s" has a fraction; write whole numbers, like "1s500ms"'],
    ['1.5m', '"1.5m" has a fraction; write whole numbers, like "1m30s"'],
    ['0.5ms', '"0.5ms" is not a whole number of milliseconds'],
    ['5sec', '"5sec" has an unknown unit "sec"; use ms, s, m or h'],
    ['1d', '"1d" has an unknown unit "d"; use ms, s, m or h'],
    ['5S', '"5S" has an unknown unit "S"; use ms, s, m or h'],
    ['30s1m', '"30s1m": units must go from largest to smallest, each at most once, like "1h30m" or "1m30s"'],
    ['1s1s', '"1s1s": units must go from largest to smallest, each at most once, like "1h30m" or "1m30s"'],
    ['5 s', '"5 s" is not a duration; expected whole numbers with units ms, s, m or h, like "500ms", "5s", "1m30s" or "2h"'],
    [' 5s', '" 5s" is not a duration; expected whole numbers with units ms, s, m or h, like "500ms", "5s", "1m30s" or "2h"'],
    ['s', '"s" is not a duration; expected whole numbers with units ms, s, m or h, like "500ms", "5s", "1m30s" or "2h"'],
    ['+5s', '"+5s" is not a duration; expected whole numbers with units ms, s, m or h, like "500ms", "5s", "1m30s" or "2h"'],
    ['1h 30m', '"1h 30m" is not a duration; expected whole numbers with units ms, s, m or h, like "500ms", "5s", "1m30s" or "2h"'],
    ['99999999999999999h', '"99999999999999999h" is too long'],
  ])('%j is rejected: %s', (text, message) => {
    expect(checkDuration(text)).toEqual({ ok: false, message });
    expect(() => parseDuration(text)).toThrow(new DurationError(message));
  });

  it('throws a DurationError', () => {
    expect(() => parseDuration('5')).toThrow(DurationError);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [5_000, '5s'],
    [90_000, '1m30s'],
    [7_200_000, '2h'],
    [3_723_004, '1h2m3s4ms'],
    [2_147_483_647, '596h31m23s647ms'],
  ])('%i ms → %s, and back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('rejects fractions of a millisecond', () => {
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});
