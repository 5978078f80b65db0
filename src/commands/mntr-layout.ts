import type { MntrEntry } from '../parse/types.js';

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
export const MNTR_PREFIX = 'zookeeper_mntr_';

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
 * - text values (version, server_state, peer_state) and lines with labels other than `quantile` are skipped;
 * - a series already produced by an earlier entry of the same reply is skipped, so no two entries
 *   can write the same series.
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

// Nodes of one version and role print the same keys in the same order, round after round: the
// layout is worked out once per distinct key list (naming is most of the cost), then only values
// change. Bounded so a stream of ever-new key lists cannot grow it without end.
const PLAN_CACHE_LIMIT = 256;
const planCache = new Map<string, MntrPlan>();

/** The series layout of `entries` (cached by their keys, labels and value kinds). Pure apart from the cache. */
export function mntrPlan(entries: readonly MntrEntry[]): MntrPlan {
  let signature = '';
  for (const entry of entries) {
    signature += entry.key;
    if (entry.labels) signature += JSON.stringify(entry.labels);
    signature += typeof entry.value === 'number' ? '\n' : '\t\n';
  }
  let plan = planCache.get(signature);
  if (plan === undefined) {
    plan = buildPlan(entries);
    if (planCache.size >= PLAN_CACHE_LIMIT) planCache.clear();
    planCache.set(signature, plan);
  }
  return plan;
}

function buildPlan(entries: readonly MntrEntry[]): MntrPlanItem[] {
  const summaries = new Set<string>();
  const providerSummaries = new Set<string>();
  for (const entry of entries) {
    if (entry.key.startsWith('cnt_')) summaries.add(entry.key.slice(4));
    if (entry.labels?.quantile !== undefined) providerSummaries.add(entry.key);
  }
  const out: MntrPlanItem[] = [];
  const taken = new Set<string>();
  const push = (item: MntrPlanItem): void => {
    const id = `${item.sample}|${item.labels.quantile ?? ''}`;
    if (taken.has(id)) return;
    taken.add(id);
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
      summary(index, entry.key, 'quantile', entry.labels.quantile);
      return;
    }
    if (entry.labels && Object.keys(entry.labels).length > 0) return;
    const providerPart = /^(.+)_(count|sum)$/.exec(entry.key);
    if (providerPart && providerSummaries.has(providerPart[1]!)) {
      summary(index, providerPart[1]!, providerPart[2] as 'count' | 'sum');
      return;
    }
    const { name, scale } = keyName(entry.key);
    const family = MNTR_PREFIX + name;
    push({ index, family, type: 'untyped', sample: family, labels: {}, divisor: scale });
  });
  return out;
}
