/**
 * Durations as written in flags, env vars and the YAML file: whole numbers with units, largest
 * unit first, each unit at most once (`500ms`, `5s`, `1m30s`, `2h`). Prometheus writes them the
 * same way. Bare numbers are rejected because `interval: 5` could mean seconds or milliseconds.
 */

const UNITS = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

const UNIT_NAMES = 'ms, s, m or h';
const EXAMPLES = '"500ms", "5s", "1m30s" or "2h"';

/** Outcome of {@link checkDuration}: milliseconds, or why the text is not a duration. */
export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

/** Thrown by {@link parseDuration}; `message` says what is wrong and how to write it. */
export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses `500ms`, `5s`, `1m`, `1m30s`, `2h` to milliseconds; throws {@link DurationError} otherwise. Zero is allowed here. */
export function parseDuration(text: string): number {
  const result = checkDuration(text);
  if (!result.ok) throw new DurationError(result.message);
  return result.ms;
}

/** Like {@link parseDuration} but returns the error message as a value. */
export function checkDuration(text: string): DurationResult {
  const shown = JSON.stringify(text);
  if (text === '') return fail(`empty; expected a duration like ${EXAMPLES}`);
  if (/^-\d/.test(text)) return fail(`${shown} is negative; a duration cannot be negative`);
  if (/^\d+(\.\d+)?$/.test(text)) return fail(`${shown} has no unit (${UNIT_NAMES}); did you mean "${text}s"?`);

  const token = /(\d+)(?:\.(\d+))?([a-zA-Zµ]+)/y;
  const parts: Array<{ whole: string; fraction: string; unitMs: number }> = [];
  let lastUnit = -1;
  while (token.lastIndex < text.length) {
    const at = token.lastIndex;
    const match = token.exec(text);
    if (match?.index !== at) return notADuration(shown);
    const [, whole = '', fraction = '', unitName = ''] = match;
    const unitIndex = UNITS.findIndex(([name]) => name === unitName);
    if (unitIndex === -1) return fail(`${shown} has an unknown unit "${unitName}"; use ${UNIT_NAMES}`);
    if (unitIndex <= lastUnit) {
      return fail(`${shown}: units must go from largest to smallest, each at most once, like "1h30m" or "1m30s"`);
    }
    lastUnit = unitIndex;
    parts.push({ whole, fraction, unitMs: UNITS[unitIndex]![1] });
  }

  // Exact arithmetic in 1/10^digits ms, so `1.5s` is 1500ms and not 1499.9999.
  const digits = Math.max(0, ...parts.map((p) => p.fraction.length));
  const scale = 10n ** BigInt(digits);
  let scaled = 0n;
  for (const { whole, fraction, unitMs } of parts) {
    scaled += BigInt(whole + fraction.padEnd(digits, '0')) * BigInt(unitMs);
  }
  if (scaled % scale !== 0n) return fail(`${shown} is not a whole number of milliseconds`);
  const ms = scaled / scale;
  if (ms > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`${shown} is too long`);
  if (digits > 0) return fail(`${shown} has a fraction; write whole numbers, like "${formatDuration(Number(ms))}"`);
  return { ok: true, ms: Number(ms) };
}

/** Writes milliseconds the way {@link parseDuration} reads them: 90000 → `1m30s`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`formatDuration needs a whole number of milliseconds, got ${ms}`);
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = ms;
  let out = '';
  for (const [name, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${name}`;
    rest -= count * size;
  }
  return out;
}

function notADuration(shown: string): DurationResult {
  return fail(`${shown} is not a duration; expected whole numbers with units ${UNIT_NAMES}, like ${EXAMPLES}`);
}

function fail(message: string): DurationResult {
  return { ok: false, message };
}
