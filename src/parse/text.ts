import { ParseError } from './errors.js';

/** Splits a reply into lines; ZooKeeper's PrintWriter uses the JVM's line separator, so accept CRLF too. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

const INTEGER = /^-?[0-9]+$/;
// Java's Long.toString and Double.toString: `-1`, `0.0`, `4.8333`, `1.0E-4`, `NaN`, `Infinity`.
const JAVA_NUMBER = /^(?:-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|-?Infinity)$/;

/** True when `text` is a number as Java prints a long or double (incl. `NaN`, `Infinity`, `1.0E-4`). */
export function isJavaNumber(text: string): boolean {
  return JAVA_NUMBER.test(text);
}

/** Parses a Java-printed long or double; throws ParseError naming `what` otherwise. */
export function parseJavaNumber(text: string, what: string): number {
  if (!JAVA_NUMBER.test(text)) throw new ParseError(`${what}: not a number: ${JSON.stringify(text.slice(0, 40))}`);
  const value = Number(text);
  // Java never prints a finite double or long as hundreds of digits: only the words NaN/Infinity may be non-finite.
  if (!Number.isFinite(value) && /[0-9]/.test(text)) throw new ParseError(`${what}: out of range: ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

/** Parses a Java-printed long (optionally negative, e.g. `-1` for "no sample yet"); throws ParseError naming `what`, also when it overflows a double. */
export function parseInteger(text: string, what: string): number {
  if (!INTEGER.test(text)) throw new ParseError(`${what}: not an integer: ${JSON.stringify(text.slice(0, 40))}`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ParseError(`${what}: out of range: ${JSON.stringify(text.slice(0, 40))}`);
  return value;
}

/**
 * Stores `value` under `key` as an own property. Keys come from the server, so plain assignment would turn a
 * `__proto__` key into a prototype change instead of an entry.
 */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Records that `key` was printed with `value`. A reply that prints one key twice with different values
 * contradicts itself (e.g. `Mode: follower` then `Mode: leader`), and taking either would let a broken or
 * hostile node choose what is reported, so it is a ParseError; an identical repeat is harmless. Returns
 * false for a repeat the caller may skip. `prefix` is printed before the key in the error (a key kept
 * without the prefix every key of the reply has).
 */
export function claimKey(seen: Map<string, string>, key: string, value: string, what: string, prefix = ''): boolean {
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, value);
    return true;
  }
  if (first === value) return false;
  throw new ParseError(
    `${what}: ${JSON.stringify((prefix + key).slice(0, 80))} appears twice with different values (${JSON.stringify(first.slice(0, 40))}, then ${JSON.stringify(value.slice(0, 40))})`,
  );
}

/**
 * Copies of `texts` (none holding a newline) that share one new string: a slice of a reply keeps the
 * whole reply alive, while these keep only their own characters.
 */
export function detachedCopies(texts: readonly string[]): string[] {
  return texts.length === 0 ? [] : texts.join('\n').split('\n');
}
