import type { MntrPlan, MntrPlanItem } from './mntr-layout.js';

// Which `zookeeper_mntr_*` series an ensemble exports. A 3.8 leader prints ~550 numeric values, most of
// them summaries of internal queues that few people graph; exporting all of them for every node makes
// the exposition (and Prometheus's series count) several times larger than what the shipped alerts,
// recording rules and dashboards read. The default keeps every plain key and a short list of summaries.

/** The named starting sets: `default` (plain keys + {@link DEFAULT_MNTR_SUMMARIES}) or `all` (every series). */
export type MntrPreset = 'default' | 'all';

/** The preset names, for the config schema. */
export const MNTR_PRESETS = ['default', 'all'] as const;

/** An ensemble's `mntrSeries` setting: a preset, plus families added (`include`) and removed (`exclude`, which wins). */
export interface MntrSelection {
  preset: MntrPreset;
  /** Family-name patterns (`*` matches any run of characters) exported on top of the preset. */
  include: readonly string[];
  /** Family-name patterns never exported, whatever the preset or `include` say. */
  exclude: readonly string[];
}

/** Every series: mntr passed through in full. */
export const ALL_MNTR_SERIES: MntrSelection = { preset: 'all', include: [], exclude: [] };

/** The selection of an ensemble that says nothing. */
export const DEFAULT_MNTR_SELECTION: MntrSelection = { preset: 'default', include: [], exclude: [] };

/**
 * Summary families (quantiles, `_sum`, `_count`) and summary companions the `default` preset keeps on
 * top of every plain key: the ones the shipped alerts, recording rules and dashboards read (fsync,
 * election, read and update latency), plus JVM pauses and snapshot time, which explain most latency
 * spikes. Their other `_avg`/`_min`/`_max` companions are left out.
 */
const DEFAULT_MNTR_SUMMARIES: readonly string[] = [
  'zookeeper_mntr_fsynctime',
  'zookeeper_mntr_fsynctime_max',
  'zookeeper_mntr_election_time',
  'zookeeper_mntr_readlatency',
  'zookeeper_mntr_updatelatency',
  'zookeeper_mntr_jvm_pause_time_seconds',
  'zookeeper_mntr_snapshottime',
];

/** A family-name pattern as a RegExp: `*` is any run of characters, everything else is literal. */
function patternOf(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Families of `plan` that belong to a summary: the summary itself and its `_avg`/`_min`/`_max` companions. */
function summaryFamilies(plan: MntrPlan): Set<string> {
  const summaries = new Set<string>();
  for (const item of plan) if (item.type === 'summary') summaries.add(item.family);
  const out = new Set(summaries);
  for (const item of plan) {
    const part = /^(.+)_(?:avg|min|max)$/.exec(item.family);
    if (part && summaries.has(part[1]!)) out.add(item.family);
  }
  return out;
}

/** Whether the `default` preset keeps `family` (of a plan whose summary families are `summaries`). */
function inDefault(family: string, summaries: ReadonlySet<string>): boolean {
  return !summaries.has(family) || DEFAULT_MNTR_SUMMARIES.includes(family);
}

/** Keys a selection by value, so plans filtered once are shared by every node and round. */
function selectionKey(selection: MntrSelection): string {
  return JSON.stringify([selection.preset, selection.include, selection.exclude]);
}

// Filtered plans, per laid-out plan and selection. Plans come from the bounded layout cache; a plan
// it forgets is collected together with its filtered versions.
const selected = new WeakMap<MntrPlan, Map<string, MntrPlan>>();

/**
 * The items of `plan` that `selection` exports, in plan order (the plan itself for `all` without
 * `exclude`). Cached per plan and selection, so nodes printing the same keys share one filtered plan.
 */
export function selectPlan(plan: MntrPlan, selection: MntrSelection): MntrPlan {
  if (selection.preset === 'all' && selection.exclude.length === 0) return plan;
  const key = selectionKey(selection);
  let byKey = selected.get(plan);
  if (byKey === undefined) selected.set(plan, (byKey = new Map<string, MntrPlan>()));
  let out = byKey.get(key);
  if (out === undefined) {
    out = filterPlan(plan, selection);
    byKey.set(key, out);
  }
  return out;
}

function filterPlan(plan: MntrPlan, selection: MntrSelection): MntrPlanItem[] {
  const include = selection.include.map(patternOf);
  const exclude = selection.exclude.map(patternOf);
  const summaries = summaryFamilies(plan);
  const keep = new Map<string, boolean>();
  return plan.filter((item) => {
    let kept = keep.get(item.family);
    if (kept === undefined) {
      const wanted = selection.preset === 'all' || inDefault(item.family, summaries) || include.some((p) => p.test(item.family));
      kept = wanted && !exclude.some((p) => p.test(item.family));
      keep.set(item.family, kept);
    }
    return kept;
  });
}

/** The selection an ensemble's `mntrSeries` setting stands for (unset: the `default` preset). */
export function mntrSelectionOf(setting: Partial<MntrSelection> | undefined): MntrSelection {
  if (setting === undefined) return DEFAULT_MNTR_SELECTION;
  return { preset: setting.preset ?? 'default', include: setting.include ?? [], exclude: setting.exclude ?? [] };
}
