/**
 * What a reload changes: the difference between the running config and a newly loaded one, by
 * ensemble (compared by name) and by top-level setting. Pure: it reads the two configs only.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AgentConfig, EnsembleConfig } from './types.js';

/**
 * Top-level settings a running agent takes without a restart, by their key in a loaded config (the
 * file's name without `Ms`): the scheduler reads them afresh at each round. `log.level` is live too
 * (the logger switches in place). Every other setting (the listener, its web config, the shared
 * limiter's size, the compat series, the hooks' outbox and receiver, the Alertmanager client, any
 * setting added later) is bound at start.
 */
const LIVE_SETTINGS = new Set(['intervalMs', 'fastIntervalMs', 'timeoutMs', 'maxReplyBytes']);

/** Top-level keys of a loaded config, other than `ensembles` and `log` (compared on their own). */
function settingKeys(running: AgentConfig, next: AgentConfig): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)]);
  return [...keys].filter((key) => key !== 'ensembles' && key !== 'log').sort();
}

/** The difference between the running config and a new one. */
export interface ConfigDiff {
  /** Ensembles only the new config has, in its order. */
  added: EnsembleConfig[];
  /** Names of ensembles only the running config has. */
  removed: string[];
  /** Ensembles both have under the same name with any setting different, as the new config writes them. */
  changed: EnsembleConfig[];
  /** Names of ensembles both have with every setting equal. */
  unchanged: string[];
  /**
   * Top-level settings that differ: `live` ones a reload applies (e.g. `interval`, `timeout`, `log.level`); `restart` ones keep
   * their running value until the next start (e.g. `listen`, `hooks`), and a reload warns about them.
   */
  globalChanged: { live: string[]; restart: string[] };
}

/** Compares the running config with a new one. Pure. */
export function diffConfig(running: AgentConfig, next: AgentConfig): ConfigDiff {
  const before = new Map(running.ensembles.map((e) => [e.name, e] as const));
  const after = new Set(next.ensembles.map((e) => e.name));
  const diff: ConfigDiff = {
    added: [],
    removed: running.ensembles.filter((e) => !after.has(e.name)).map((e) => e.name),
    changed: [],
    unchanged: [],
    globalChanged: { live: [], restart: [] },
  };
  for (const ensemble of next.ensembles) {
    const old = before.get(ensemble.name);
    if (old === undefined) diff.added.push(ensemble);
    else if (isDeepStrictEqual(old, ensemble)) diff.unchanged.push(ensemble.name);
    else diff.changed.push(ensemble);
  }
  const read = (config: AgentConfig, key: string): unknown => (config as Record<string, unknown>)[key];
  for (const key of settingKeys(running, next)) {
    if (isDeepStrictEqual(read(running, key), read(next, key))) continue;
    if (LIVE_SETTINGS.has(key)) diff.globalChanged.live.push(key.replace(/Ms$/, ''));
    else diff.globalChanged.restart.push(key);
  }
  if (running.log.level !== next.log.level) diff.globalChanged.live.push('log.level');
  if (running.log.format !== next.log.format) diff.globalChanged.restart.push('log.format');
  return diff;
}

/**
 * The config a reload runs: the new ensembles and live settings, with every setting that needs a
 * restart kept at its running value (so what runs is what `check-config` of the old file showed
 * for those). Unchanged ensembles keep their running objects. Pure.
 */
export function appliedConfig(running: AgentConfig, next: AgentConfig, diff: ConfigDiff): AgentConfig {
  const kept = new Map(running.ensembles.map((e) => [e.name, e] as const));
  const restart = new Set(settingKeys(running, next).filter((key) => !LIVE_SETTINGS.has(key)));
  // Restart settings come from the running config only: one the new config adds is left out.
  const applied: Record<string, unknown> = Object.fromEntries([
    ...Object.entries(next).filter(([key]) => !restart.has(key)),
    ...Object.entries(running).filter(([key]) => restart.has(key)),
  ]);
  applied.log = { ...next.log, format: running.log.format };
  applied.ensembles = next.ensembles.map((e) => (diff.unchanged.includes(e.name) ? kept.get(e.name)! : e));
  return applied as AgentConfig;
}
