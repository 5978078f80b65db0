import { ParseError } from './errors.js';
import { claimKey, detachedCopies, isJavaNumber, setOwn, splitLines } from './text.js';
import type { MntrEntry, MntrRecord } from './types.js';

const LABEL_START = /^([A-Za-z_][A-Za-z0-9_]*)="/;
// ZooKeeper's PrometheusMetricsProvider.buildKeyForDump does not escape label values, so a value
// ends at the quote that is followed by `,name="` or by the end of the label set.
const LABEL_END = /",(?=[A-Za-z_][A-Za-z0-9_]*=")|"$/;

function parseLabels(inner: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let rest = inner;
  while (rest.length > 0) {
    const start = LABEL_START.exec(rest);
    if (!start) return undefined;
    rest = rest.slice(start[0].length);
    const end = LABEL_END.exec(rest);
    if (!end) return undefined;
    setOwn(labels, start[1]!, rest.slice(0, end.index));
    rest = rest.slice(end.index + end[0].length);
  }
  return Object.keys(labels).length > 0 ? labels : undefined;
}

/**
 * Splits a key (already without `zk_`) such as `write_per_namespace{key="zookeeper",quantile="0.5"}`, the
 * form ZooKeeper's Prometheus metrics provider (3.6+) dumps, into name and labels; other keys come back whole.
 */
export function splitMntrKey(key: string): Pick<MntrEntry, 'key' | 'labels'> {
  const open = key.indexOf('{');
  if (open > 0 && key.endsWith('}')) {
    const labels = parseLabels(key.slice(open + 1, -1));
    if (labels) return { key: key.slice(0, open), labels };
  }
  return { key };
}

/**
 * Turns a mntr value into a number when Java printed one (`-1`, `0.0`, `4.8333`, `NaN`, `1.0E-4`), else keeps
 * the text (`zk_version`, `zk_server_state`, `leading - broadcast`, or `null` for a null value in 3.6+).
 */
export function parseMntrValue(text: string): number | string {
  return isJavaNumber(text) ? Number(text) : text;
}

/** Builds one entry from a key (without `zk_`) and its value, splitting Prometheus-style labels off the key. */
export function mntrEntry(key: string, value: number | string): MntrEntry {
  if (!key.includes('{')) return { key, value };
  const split = splitMntrKey(key);
  return split.labels ? { key: split.key, labels: split.labels, value } : { key: split.key, value };
}

/**
 * The keys of an earlier reply, in order: a node prints the same keys round after round (one list per
 * version and role), so a reply is first matched against the lists seen lately, in place, and its
 * entries share their keys and labels. Only a reply with a new key list pays for slicing, splitting
 * and the duplicate check.
 */
interface KeyList {
  /** Each entry's key as printed after `zk_`, labels included. */
  printed: readonly string[];
  /** Each entry's key and labels (shared, frozen), and whether its value was a number. */
  shapes: ReadonlyArray<{ key: string; labels?: Readonly<Record<string, string>>; numeric: boolean }>;
  /** Index of each unlabelled numeric key, made when first asked for (see {@link mntrNumber}). */
  numericAt?: ReadonlyMap<string, number>;
}

/**
 * A reply that matched a key list, as the poll path reads it: its numbers in place. The entries of
 * such a reply (~550 objects) are made only if something reads them; the exposition and derivation
 * read these numbers alone.
 */
export interface MntrNumbers {
  /** The key list matched: one object for every reply with the same keys, labels and value kinds. */
  keys: object;
  /** Each entry's value, by position; NaN where the value is text. */
  numbers: Float64Array;
}

/**
 * A reply matched to a key list: numbers by position and its texts in order, entries made when first
 * read. A class, so that every record shares one shape: a getter written in an object literal would
 * give each record its own hidden class, kept in the old generation, holding the reply alive.
 */
class MatchedMntr implements MntrRecord {
  #entries: MntrEntry[] | undefined;

  constructor(
    readonly keyList: KeyList,
    readonly numbers: Float64Array,
    private readonly texts: readonly string[],
  ) {}

  get entries(): MntrEntry[] {
    if (this.#entries === undefined) {
      let text = 0;
      this.#entries = this.keyList.shapes.map((shape, i) => {
        const value = shape.numeric ? this.numbers[i]! : this.texts[text++]!;
        return shape.labels === undefined ? { key: shape.key, value } : { key: shape.key, labels: shape.labels, value };
      });
    }
    return this.#entries;
  }
}

/** The numbers of a reply that matched a known key list; undefined for one parsed afresh or built otherwise. */
export function mntrNumbers(record: MntrRecord): MntrNumbers | undefined {
  return record instanceof MatchedMntr ? { keys: record.keyList, numbers: record.numbers } : undefined;
}

/** The numeric value of the unlabelled entry `key`; undefined when absent or text. */
export function mntrNumber(record: MntrRecord, key: string): number | undefined {
  if (!(record instanceof MatchedMntr)) {
    const value = record.entries.find((entry) => entry.key === key && entry.labels === undefined)?.value;
    return typeof value === 'number' ? value : undefined;
  }
  const list = record.keyList;
  list.numericAt ??= new Map(
    list.shapes.flatMap((shape, i) => (shape.labels === undefined && shape.numeric ? [[shape.key, i] as const] : [])),
  );
  const at = list.numericAt.get(key);
  return at === undefined ? undefined : record.numbers[at];
}

/**
 * Most key lists remembered (a fleet of several versions and roles, or 3.6+ nodes whose Prometheus
 * provider prints per-namespace keys, has several), and most keys in one: a 3.8 leader prints ~550.
 * A miss tries each list but stops at the first key that differs, usually within a few lines.
 */
const KEY_LISTS = 16;
const KEY_LIST_MAX_KEYS = 4096;
const keyLists: KeyList[] = [];

/**
 * Parses a `mntr` reply: one `zk_<key>\t<value>` line per entry (MonitorCommand.print), kept in order.
 * The value is everything after the first tab (it may itself hold spaces or tabs). Blank lines, lines
 * without a tab and lines not starting with `zk_` are skipped; a reply with no entry at all is a ParseError.
 * MonitorCommand prints each key once: a key repeated with another value is a ParseError, an identical
 * repeat is kept once.
 */
export function parseMntr(text: string): MntrRecord {
  for (let i = 0; i < keyLists.length; i++) {
    const list = keyLists[i]!;
    const values = valuesAlong(text, list);
    if (values !== undefined) {
      if (i > 0) keyLists.unshift(...keyLists.splice(i, 1));
      return new MatchedMntr(list, values.numbers, values.texts);
    }
  }
  const printed: string[] = [];
  const record = parseMntrAfresh(text, printed);
  if (printed.length <= KEY_LIST_MAX_KEYS) {
    keyLists.unshift(keyListOf(record.entries, printed));
    keyLists.length = Math.min(keyLists.length, KEY_LISTS);
  }
  return record;
}

/** A reply's key list, its strings copied so that they do not keep the whole reply alive. */
function keyListOf(entries: readonly MntrEntry[], printed: readonly string[]): KeyList {
  const keys = detachedCopies(printed);
  return {
    printed: keys,
    shapes: entries.map((entry, i) => {
      const numeric = typeof entry.value === 'number';
      // Without labels, the entry's key is the printed one.
      if (entry.labels === undefined) return { key: keys[i]!, numeric };
      const [key, ...pairs] = detachedCopies([entry.key, ...Object.entries(entry.labels).flat()]);
      const labels: Record<string, string> = {};
      for (let j = 0; j < pairs.length; j += 2) setOwn(labels, pairs[j]!, pairs[j + 1]!);
      return { key: key!, labels: Object.freeze(labels), numeric };
    }),
  };
}

/**
 * Calls `visit` with each `zk_<key>\t<value>` line of a reply: where the line starts, where its first
 * tab is and where it ends (before any CR); other lines are skipped. Stops when `visit` returns false.
 * A reply runs to ~550 lines, every poll round, on every node: lines are walked in place rather than
 * split into strings first.
 */
function eachEntryLine(text: string, visit: (start: number, tab: number, lineEnd: number) => boolean): void {
  let tab = text.indexOf('\t');
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    // ZooKeeper's PrintWriter uses the JVM's line separator: a CR before the LF ends the line too.
    let lineEnd = end;
    if (end < 0) lineEnd = end = text.length;
    else if (end > start && text.charCodeAt(end - 1) === 13) lineEnd = end - 1;
    // The first tab at or after the line's start, found once for the whole reply: searching afresh
    // from each line would scan a tab-less reply once per line.
    if (tab >= 0 && tab < start) tab = text.indexOf('\t', start);
    if (tab >= 0 && tab < lineEnd && tab > start + 3 && text.startsWith('zk_', start) && !visit(start, tab, lineEnd)) return;
    start = end + 1;
  }
}

/**
 * The values of `text` when it prints exactly the keys of `list`, in order, each value a number where
 * the list's was and text where it was not (the kinds decide the series layout); undefined otherwise.
 * Numbers go by position (NaN at a text value), texts in order. Lines are skipped exactly as
 * {@link parseMntrAfresh} skips them, so a match yields what it would.
 */
function valuesAlong(text: string, list: KeyList): { numbers: Float64Array; texts: string[] } | undefined {
  // Read into a scratch array and copied out on a match: a reply is tried against lists that differ
  // from it (another role's), and an array per try would cost more than the copy.
  if (scratch.length < list.printed.length) scratch = new Float64Array(list.printed.length);
  const numbers = scratch;
  const texts: string[] = [];
  let at = 0;
  let matches = true;
  eachEntryLine(text, (start, tab, lineEnd) => {
    const printed = list.printed[at];
    if (printed === undefined || tab !== start + 3 + printed.length || !text.startsWith(printed, start + 3)) return (matches = false);
    const value = integerAt(text, tab + 1, lineEnd) ?? parseMntrValue(text.slice(tab + 1, lineEnd));
    if ((typeof value === 'number') !== list.shapes[at]!.numeric) return (matches = false);
    if (typeof value === 'number') numbers[at] = value;
    else {
      numbers[at] = NaN;
      texts.push(value);
    }
    at++;
    return true;
  });
  return matches && at === list.printed.length ? { numbers: numbers.slice(0, at), texts } : undefined;
}

let scratch = new Float64Array(1024);

/**
 * The value of `text[start, end)` when it is a plain integer (`-`? and at most 15 digits, so exactly
 * what `Number` makes of it), read in place; undefined for anything else. Most `mntr` values are
 * counters: this spares each a string and a regular-expression test.
 */
function integerAt(text: string, start: number, end: number): number | undefined {
  const negative = text.charCodeAt(start) === 45; // '-'
  const first = negative ? start + 1 : start;
  if (first === end || end - first > 15) return undefined;
  let value = 0;
  for (let i = first; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/**
 * Parses a reply line by line, remembering no key list (see {@link parseMntr}); each entry's key as
 * printed is collected into `printed`.
 */
export function parseMntrAfresh(text: string, printed: string[] = []): MntrRecord {
  const entries: MntrEntry[] = [];
  const seen = new Map<string, string>();
  eachEntryLine(text, (start, tab, lineEnd) => {
    const key = text.slice(start + 3, tab);
    const value = text.slice(tab + 1, lineEnd);
    if (claimKey(seen, key, value, 'mntr', 'zk_')) {
      entries.push(mntrEntry(key, parseMntrValue(value)));
      printed.push(key);
    }
    return true;
  });
  if (entries.length === 0) {
    const first = splitLines(text)[0]!.slice(0, 80);
    throw new ParseError(`mntr reply has no zk_<key>\\t<value> line (first line: ${JSON.stringify(first)})`);
  }
  return { entries };
}
