/**
 * Duplicate keys in JSON text. `JSON.parse` keeps the last of two equal keys in one object, so an
 * AdminServer reply saying `"server_state": "follower"` and then `"server_state": "leader"` would
 * silently report the second: a broken or hostile node would choose what is reported. Like the
 * text parsers (`claimKey`), a key repeated with another value is refused; an identical repeat is
 * harmless. Pure.
 */

/** A key printed twice in one object with different values (raw JSON text, whitespace collapsed). */
interface ConflictingKey {
  key: string;
  first: string;
  second: string;
}

interface Frame {
  /** Values seen per key in this object; undefined for an array. */
  keys: Map<string, string> | undefined;
  /** Key whose value is being read, undefined while a key is expected. */
  key: string | undefined;
  /** Where that value starts. */
  start: number;
}

/**
 * The first key repeated with a different value at one object level, or undefined. `text` must be
 * valid JSON (call it after `JSON.parse` succeeds). One linear scan tracking the keys of each open
 * object; brackets and commas inside strings do not count. Values are compared as their raw text.
 */
export function conflictingDuplicateKey(text: string): ConflictingKey | undefined {
  const frames: Frame[] = [];
  let stringStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (stringStart >= 0) {
      if (c === 0x5c) {
        i++; // backslash: the next character is escaped
      } else if (c === 0x22) {
        const top = frames.at(-1);
        if (top?.keys !== undefined && top.key === undefined) top.key = JSON.parse(text.slice(stringStart, i + 1)) as string;
        stringStart = -1;
      }
      continue;
    }
    const top = frames.at(-1);
    if (c === 0x22) {
      stringStart = i;
    } else if (c === 0x7b || c === 0x5b) {
      frames.push({ keys: c === 0x7b ? new Map() : undefined, key: undefined, start: 0 });
    } else if (c === 0x3a && top !== undefined) {
      top.start = i + 1;
    } else if ((c === 0x2c || c === 0x7d) && top?.keys !== undefined && top.key !== undefined) {
      const value = text.slice(top.start, i).trim();
      const first = top.keys.get(top.key);
      if (first === undefined) top.keys.set(top.key, value);
      else if (first !== value) return { key: top.key, first: collapse(first), second: collapse(value) };
      top.key = undefined;
    }
    if (c === 0x7d || c === 0x5d) frames.pop();
  }
  return undefined;
}

/** A raw value on one line, short enough for a detail. */
function collapse(raw: string): string {
  const line = raw.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
