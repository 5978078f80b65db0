import { ParseError } from './errors.js';
import { claimKey, isJavaNumber, setOwn, splitLines } from './text.js';
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
 * Parses a `mntr` reply: one `zk_<key>\t<value>` line per entry (MonitorCommand.print), kept in order.
 * The value is everything after the first tab (it may itself hold spaces or tabs). Blank lines, lines
 * without a tab and lines not starting with `zk_` are skipped; a reply with no entry at all is a ParseError.
 * MonitorCommand prints each key once: a key repeated with another value is a ParseError, an identical
 * repeat is kept once.
 */
export function parseMntr(text: string): MntrRecord {
  const entries: MntrEntry[] = [];
  const seen = new Map<string, string>();
  // A reply runs to ~550 lines, every poll round, on every node: lines are walked in place rather
  // than split into strings first, so each entry costs its key, its value and itself.
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
    if (tab >= 0 && tab < lineEnd && tab > start + 3 && text.startsWith('zk_', start)) {
      const key = text.slice(start + 3, tab);
      const value = text.slice(tab + 1, lineEnd);
      if (claimKey(seen, key, value, 'mntr', 'zk_')) entries.push(mntrEntry(key, parseMntrValue(value)));
    }
    start = end + 1;
  }
  if (entries.length === 0) {
    const first = splitLines(text)[0]!.slice(0, 80);
    throw new ParseError(`mntr reply has no zk_<key>\\t<value> line (first line: ${JSON.stringify(first)})`);
  }
  return { entries };
}
