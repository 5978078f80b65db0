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
  return Number(text);
}

/** Parses a Java-printed long (optionally negative, e.g. `-1` for "no sample yet"); throws ParseError naming `what`. */
export function parseInteger(text: string, what: string): number {
  if (!INTEGER.test(text)) throw new ParseError(`${what}: not an integer: ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/**
 * Stores `value` under `key` as an own property. Keys come from the server, so plain assignment would turn a
 * `__proto__` key into a prototype change instead of an entry.
 */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
