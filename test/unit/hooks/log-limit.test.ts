import { describe, expect, it } from 'vitest';
import { LogLimiter } from '../../../src/hooks/decide/log-limit.js';

describe('LogLimiter', () => {
  it('lets `burst` lines through per key and window, then reports how many were held back', () => {
    const limiter = new LogLimiter(2, 60_000);
    const verdicts = [0, 1, 2, 3, 4].map((i) => limiter.check('pager', 1000 + i));
    expect(verdicts).toEqual([
      { log: true, suppressedBefore: 0 },
      { log: true, suppressedBefore: 0 },
      { log: false },
      { log: false },
      { log: false },
    ]);
    expect(limiter.check('pager', 61_000)).toEqual({ log: true, suppressedBefore: 3 });
  });

  it('keeps keys apart', () => {
    const limiter = new LogLimiter(1, 60_000);
    expect([limiter.check('a', 0), limiter.check('a', 1), limiter.check('b', 2)]).toEqual([
      { log: true, suppressedBefore: 0 },
      { log: false },
      { log: true, suppressedBefore: 0 },
    ]);
  });
});
