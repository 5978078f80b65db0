import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every `everyMs` until it returns a value that is not undefined; returns it with the
 * time taken. A probe that throws counts as "not yet". Throws once `timeoutMs` has passed.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<{ value: T; elapsedMs: number }> {
  const start = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return { value, elapsedMs: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * A negative check ("nothing happened"): runs `check` at once, then every `everyMs` until `windowMs`
 * has passed, and once more at the end; the first failure is thrown. Nothing can prove that something
 * never happens, so the caller picks the window and says why it is long enough (e.g. how many poll
 * rounds it covers). Returns how many times `check` ran.
 */
export async function holdsFor(windowMs: number, check: () => Promise<void> | void, everyMs = 200): Promise<number> {
  const until = Date.now() + windowMs;
  let checks = 0;
  for (;;) {
    await check();
    checks++;
    const left = until - Date.now();
    if (left <= 0) return checks;
    await sleep(Math.min(everyMs, left));
  }
}
