import { detachedCopies } from '../parse/text.js';
import { mntrNumbers } from '../parse/mntr.js';
import type { MntrEntry, MntrRecord } from '../parse/types.js';
import { canonicalQuantile, MNTR_SERIES_CAP, nameProblem, type MntrDropReason } from './mntr-names.js';

/** One exposition line derived from an `mntr` entry. */
export interface MntrSeries {
  /** Family name (`# TYPE` line). */
  family: string;
  type: 'untyped' | 'summary';
  /** Sample name: the family, or `<family>_sum` / `<family>_count` for summaries. */
  sample: string;
  labels: Record<string, string>;
  value: number;
}

/** Prefix for every series taken from `mntr`: keeps them apart from the agent's own names. */
const MNTR_PREFIX = 'zookeeper_mntr_';

// 3.6+ dumps each Summary as zk_{avg,min,max,cnt,sum}_X plus zk_{p50,p95,p99,p999}_X.
const QUANTILE_OF: Record<string, string> = { p50: '0.5', p95: '0.95', p99: '0.99', p999: '0.999' };
const SUMMARY_PART = /^(avg|min|max|cnt|sum|p50|p95|p99|p999)_(.+)$/;

// Time units ZooKeeper abbreviates in key names; Prometheus wants base units, so values are scaled to seconds.
// Divisors, not factors like 1e-3: 1e-3 is inexact, so 9 * 1e-3 gives 0.009000000000000001 where 9 / 1e3 gives 0.009.
const TIME_UNITS: Record<string, number> = { ms: 1e3, us: 1e6, ns: 1e9, s: 1, sec: 1 };

/** A metric name part derived from an mntr key, with the divisor that brings its values to base units. */
export interface KeyName {
  name: string;
  /** Divide values (not counts) by this. */
  scale: number;
}

/**
 * Makes a key a clean metric-name part: lower-case, `[a-z0-9_]` only, and an abbreviated time unit
 * token (`ms`, `us`, `ns`, `s`, `sec`) replaced by `seconds` with the matching scale (promtool
 * rejects abbreviated units and non-base units). Pure.
 */
export function keyName(key: string): KeyName {
  let scale = 1;
  const tokens = key
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .split('_')
    .map((token) => {
      const factor = TIME_UNITS[token];
      if (factor === undefined) return token;
      scale = factor;
      return 'seconds';
    });
  return { name: tokens.join('_'), scale };
}

/**
 * Maps numeric `mntr` entries to metric series under one collision-free rule (documented in the README):
 * - plain key K → untyped `zookeeper_mntr_K`: mntr says nothing of whether a value is a counter or a
 *   gauge, so none is claimed (this also keeps ZooKeeper's own `_count`/`_total` names lint-clean);
 * - 3.6+ summary X (recognised by the presence of `cnt_X`) → summary `zookeeper_mntr_X` with
 *   `{quantile}` from p50/p95/p99/p999, `_count` from cnt, `_sum` from sum, and untyped
 *   `zookeeper_mntr_X_avg|_min|_max`. Keys like `avg_latency` without a `cnt_latency` stay plain:
 *   they only look like summaries;
 * - Prometheus-provider lines `X{quantile="q"}`, `X_count`, `X_sum` → the same summary shape;
 * - time units in names become `seconds` and values are scaled (`…_time_ms` 12 → `…_time_seconds` 0.012);
 * - text values (version, server_state, peer_state) are skipped; lines with labels other than a
 *   `quantile` in [0, 1] are dropped (`invalid_label`);
 * - a name the Prometheus linter rejects is dropped (`invalid_name`); a series already produced by an
 *   earlier entry of the same reply, a family both untyped and summary, or a family named like a
 *   summary's `_sum`/`_count` is dropped (`name_clash`), so no two entries can write the same series;
 * - at most MNTR_SERIES_CAP series per reply; the rest are dropped (`over_cap`).
 * Pure.
 */
export function mntrSeries(entries: readonly MntrEntry[]): MntrSeries[] {
  return mntrPlan(entries).map((item) => ({
    family: item.family,
    type: item.type,
    sample: item.sample,
    labels: item.labels,
    value: (entries[item.index]!.value as number) / item.divisor,
  }));
}

/** Where one series of a {@link MntrPlan} takes its value: entry `index`, divided by `divisor`. */
export interface MntrPlanItem extends Omit<MntrSeries, 'value'> {
  index: number;
  divisor: number;
}

/** The series layout of an mntr reply: the same for every node and round with the same keys. */
export type MntrPlan = readonly MntrPlanItem[];

/** Entries of one reply that yielded no series, by reason (reasons with none are absent). */
export type MntrDropped = Readonly<Partial<Record<MntrDropReason, number>>>;

/** A reply's series layout and what it had to leave out. */
export interface MntrLayout {
  plan: MntrPlan;
  dropped: MntrDropped;
}

// Nodes of one version and role print the same keys in the same order, round after round: the
// layout is worked out once per distinct key list (naming is most of the cost), then only values
// change. A key list is found by a hash of its keys, labels and value kinds, then compared entry by
// entry, so a reply costs no signature string. Bounded in lists and in key text so a stream of
// ever-new (or huge) key lists cannot grow it without end.
const PLAN_CACHE_LIMIT = 256;
const PLAN_CACHE_CHARS = 8 * 1024 * 1024;

/** A key list whose layout is known: each entry's key, labels (as JSON) and value kind. */
interface KnownKeys {
  keys: readonly string[];
  labels: ReadonlyArray<string | undefined>;
  numeric: readonly boolean[];
  layout: MntrLayout;
}
const planCache = new Map<number, KnownKeys[]>();
let planCacheLists = 0;
let planCacheChars = 0;

/** The key lists looked up last, newest first (a few: one per version and role in a fleet). */
const recentlyUsed: KnownKeys[] = [];
const RECENTLY_USED = 8;

function useRecently(known: KnownKeys): void {
  recentlyUsed.unshift(known);
  if (recentlyUsed.length > RECENTLY_USED) recentlyUsed.length = RECENTLY_USED;
}

const labelsJson = (entry: MntrEntry): string | undefined => (entry.labels ? JSON.stringify(entry.labels) : undefined);

/** FNV-1a over every entry's key, labels and value kind. */
function keysHash(entries: readonly MntrEntry[]): number {
  let hash = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  };
  for (const entry of entries) {
    mix(entry.key);
    if (entry.labels) mix(labelsJson(entry)!);
    hash = Math.imul(hash ^ (typeof entry.value === 'number' ? 1 : 2), 0x01000193);
  }
  return hash;
}

function sameKeys(known: KnownKeys, entries: readonly MntrEntry[]): boolean {
  if (known.keys.length !== entries.length) return false;
  return entries.every(
    (entry, i) =>
      entry.key === known.keys[i] &&
      (typeof entry.value === 'number') === known.numeric[i] &&
      (entry.labels === undefined ? known.labels[i] === undefined : labelsJson(entry) === known.labels[i]),
  );
}

/** The series layout of `entries` and its dropped counts (cached by keys, labels and value kinds). Pure apart from the cache. */
export function mntrLayout(entries: readonly MntrEntry[]): MntrLayout {
  // Replies matched to a recent key list share its key strings, so comparing against the lists used
  // lately is mostly pointer checks: cheaper than hashing every key's characters.
  const recent = recentlyUsed.find((known) => sameKeys(known, entries));
  if (recent !== undefined) return recent.layout;
  const hash = keysHash(entries);
  const found = planCache.get(hash)?.find((known) => sameKeys(known, entries));
  if (found !== undefined) {
    useRecently(found);
    return found.layout;
  }
  const layout = buildPlan(entries);
  // Copies: a key parsed from a reply is a slice of it and would keep the whole reply alive.
  const keys = detachedCopies(entries.map((entry) => entry.key));
  const chars = keys.reduce((sum, key) => sum + key.length, 0);
  if (planCacheLists >= PLAN_CACHE_LIMIT || planCacheChars + chars > PLAN_CACHE_CHARS) {
    planCache.clear();
    recentlyUsed.length = 0;
    planCacheLists = 0;
    planCacheChars = 0;
  }
  const known: KnownKeys = { keys, labels: entries.map(labelsJson), numeric: entries.map((e) => typeof e.value === 'number'), layout };
  planCache.set(hash, [...(planCache.get(hash) ?? []), known]);
  useRecently(known);
  planCacheLists++;
  planCacheChars += chars;
  return layout;
}

/** A reply's layout with its numbers, by entry index (NaN for text values): all the exposition needs of it. */
export interface MntrLaidOut {
  layout: MntrLayout;
  numbers: Float64Array;
}

/** Layouts of the key lists replies were matched to (see `mntrNumbers`), made once per list. */
const layoutOfKeys = new WeakMap<object, MntrLayout>();

/**
 * Lays out one reply (see {@link mntrLayout}) and keeps its numbers. A reply matched to a known key
 * list is laid out once per list and its numbers are taken as they are: its entries are never made.
 * Pure apart from the layout caches.
 */
export function layOutMntr(record: MntrRecord): MntrLaidOut {
  const matched = mntrNumbers(record);
  if (matched !== undefined) {
    let layout = layoutOfKeys.get(matched.keys);
    if (layout === undefined) layoutOfKeys.set(matched.keys, (layout = mntrLayout(record.entries)));
    return { layout, numbers: matched.numbers };
  }
  const { entries } = record;
  const numbers = new Float64Array(entries.length);
  entries.forEach((entry, i) => {
    numbers[i] = typeof entry.value === 'number' ? entry.value : NaN;
  });
  return { layout: mntrLayout(entries), numbers };
}

/** The series layout of `entries` (see {@link mntrLayout}). */
function mntrPlan(entries: readonly MntrEntry[]): MntrPlan {
  return mntrLayout(entries).plan;
}

function buildPlan(entries: readonly MntrEntry[]): MntrLayout {
  const summaries = new Set<string>();
  const providerSummaries = new Set<string>();
  for (const entry of entries) {
    if (entry.key.startsWith('cnt_')) summaries.add(entry.key.slice(4));
    if (entry.labels?.quantile !== undefined) providerSummaries.add(entry.key);
  }
  let out: MntrPlanItem[] = [];
  const dropped: Partial<Record<MntrDropReason, number>> = {};
  const drop = (reason: MntrDropReason, count = 1): void => {
    dropped[reason] = (dropped[reason] ?? 0) + count;
  };
  const taken = new Set<string>();
  const typeOf = new Map<string, MntrPlanItem['type']>();
  const problems = new Map<string, boolean>();
  const push = (item: MntrPlanItem): void => {
    let invalid = problems.get(item.family);
    if (invalid === undefined) problems.set(item.family, (invalid = nameProblem(item.family, item.type) !== undefined));
    if (invalid) return drop('invalid_name');
    const id = `${item.sample}|${item.labels.quantile ?? ''}`;
    // Two keys that name one series (`zk_Foo` and `zk_foo`), or one family as both untyped and summary.
    if (taken.has(id) || (typeOf.get(item.family) ?? item.type) !== item.type) return drop('name_clash');
    taken.add(id);
    typeOf.set(item.family, item.type);
    out.push(item);
  };
  const summary = (index: number, base: string, part: 'quantile' | 'count' | 'sum', quantile?: string): void => {
    const { name, scale } = keyName(base);
    const family = MNTR_PREFIX + name;
    if (part === 'quantile') push({ index, family, type: 'summary', sample: family, labels: { quantile: quantile! }, divisor: scale });
    else push({ index, family, type: 'summary', sample: `${family}_${part}`, labels: {}, divisor: part === 'sum' ? scale : 1 });
  };
  entries.forEach((entry, index) => {
    if (typeof entry.value !== 'number') return;
    const part = SUMMARY_PART.exec(entry.key);
    if (part && summaries.has(part[2]!)) {
      const stat = part[1]!;
      const base = part[2]!;
      const quantile = QUANTILE_OF[stat];
      if (quantile !== undefined) summary(index, base, 'quantile', quantile);
      else if (stat === 'cnt') summary(index, base, 'count');
      else if (stat === 'sum') summary(index, base, 'sum');
      else {
        const { name, scale } = keyName(base);
        const family = `${MNTR_PREFIX}${name}_${stat}`;
        push({ index, family, type: 'untyped', sample: family, labels: {}, divisor: scale });
      }
      return;
    }
    if (entry.labels?.quantile !== undefined && Object.keys(entry.labels).length === 1) {
      // The provider does not escape label values: anything but a float in [0, 1] would break the exposition.
      const quantile = canonicalQuantile(entry.labels.quantile);
      if (quantile === undefined) drop('invalid_label');
      else summary(index, entry.key, 'quantile', quantile);
      return;
    }
    if (entry.labels && Object.keys(entry.labels).length > 0) return drop('invalid_label');
    const providerPart = /^(.+)_(count|sum)$/.exec(entry.key);
    if (providerPart && providerSummaries.has(providerPart[1]!)) {
      summary(index, providerPart[1]!, providerPart[2] as 'count' | 'sum');
      return;
    }
    const { name, scale } = keyName(entry.key);
    const family = MNTR_PREFIX + name;
    push({ index, family, type: 'untyped', sample: family, labels: {}, divisor: scale });
  });
  // A summary X owns the sample names X_sum and X_count: another family of that name would be read as part of it.
  const owned = new Set<string>();
  for (const [family, type] of typeOf) if (type === 'summary') owned.add(`${family}_sum`).add(`${family}_count`);
  const kept = out.filter((item) => !owned.has(item.family));
  if (kept.length < out.length) drop('name_clash', out.length - kept.length);
  out = kept;
  if (out.length > MNTR_SERIES_CAP) {
    drop('over_cap', out.length - MNTR_SERIES_CAP);
    out = out.slice(0, MNTR_SERIES_CAP);
  }
  return { plan: out, dropped };
}
