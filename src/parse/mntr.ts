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
  for (const line of splitLines(text)) {
    const tab = line.indexOf('\t');
    if (tab < 0 || !line.startsWith('zk_')) continue;
    if (tab === 3) continue;
    const key = line.slice(3, tab);
    const value = line.slice(tab + 1);
    // The printed key (`zk_…`) is a slice of the line: no new string per line to hash.
    if (!claimKey(seen, line.slice(0, tab), value, 'mntr')) continue;
    entries.push(mntrEntry(key, parseMntrValue(value)));
  }
  if (entries.length === 0) {
    const first = splitLines(text)[0]!.slice(0, 80);
    throw new ParseError(`mntr reply has no zk_<key>\\t<value> line (first line: ${JSON.stringify(first)})`);
  }
  return { entries };
}
