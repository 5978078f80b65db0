/**
 * Rate limit for repeated error logs: per key (e.g. hook + error kind), at most `burst` lines per
 * window; what is held back is counted and reported with the next line let through. Pure: the
 * clock comes in with each call.
 */

/** The verdict for one error occurrence. */
export type LogVerdict = { log: true; suppressedBefore: number } | { log: false };

/** Per-key windows of error log lines; see the module comment. */
export class LogLimiter {
  private readonly windows = new Map<string, { start: number; logged: number; held: number }>();

  constructor(
    /** Lines let through per key and window. */
    private readonly burst: number,
    private readonly windowMs: number,
  ) {}

  /** Whether to log this occurrence of `key` at `now`, and how many were held back since the last logged one. */
  check(key: string, now: number): LogVerdict {
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) {
      const suppressedBefore = w?.held ?? 0;
      w = { start: now, logged: 1, held: 0 };
      this.windows.set(key, w);
      // Keys are few (hooks × error kinds); dropping idle ones keeps the map bounded anyway.
      if (this.windows.size > 1000) this.prune(now);
      return { log: true, suppressedBefore };
    }
    if (w.logged < this.burst) {
      w.logged++;
      return { log: true, suppressedBefore: 0 };
    }
    w.held++;
    return { log: false };
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
