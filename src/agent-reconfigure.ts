/**
 * Reloading the config of a running agent (SIGHUP, `POST /-/reload`): load it again, refuse a bad
 * one with the same messages as at start (the running config goes on), apply a good one ensemble
 * by ensemble, and report the outcome on the agent's own metrics.
 */
import express, { type Router } from 'express';
import type client from 'prom-client';
import type { Logger } from 'pino';
import { appliedConfig, diffConfig, type ConfigDiff } from './config/diff.js';
import { formatProblems, type LoadResult } from './config/load.js';
import type { AgentConfig } from './config/types.js';
import type { AgentMetrics } from './metrics/agent-metrics.js';

/** A reload's outcome: applied (with what changed), or refused with every problem as a `config error: …` line. */
export type ReloadOutcome = { ok: true; diff: ConfigDiff } | { ok: false; problems: string[] };

/** The running agent as a reload sees it. */
export interface Reconfigurable {
  readonly config: AgentConfig;
  readonly metrics: AgentMetrics;
  /**
   * Applies a checked config; returns the problems (as `config error: …` lines) of files it could
   * not read, in which case nothing was changed.
   */
  reconfigure(config: AgentConfig, diff: ConfigDiff): string[];
}

/**
 * Loads the config again and applies it when good. Settings that need a restart keep their running
 * value and are named in a warning. Never throws for a bad config: a reload must not stop the agent.
 */
export function reloadConfig(agent: Reconfigurable, load: () => LoadResult, log: Logger, now: () => number = Date.now): ReloadOutcome {
  const loaded = load();
  let outcome: ReloadOutcome;
  if (!loaded.ok) {
    outcome = { ok: false, problems: formatProblems(loaded.problems).split('\n') };
  } else {
    const diff = diffConfig(agent.config, loaded.config);
    const problems = agent.reconfigure(appliedConfig(agent.config, loaded.config, diff), diff);
    outcome = problems.length === 0 ? { ok: true, diff } : { ok: false, problems };
  }
  agent.metrics.configLastReloadSuccessful.set(outcome.ok ? 1 : 0);
  if (!outcome.ok) {
    for (const problem of outcome.problems) log.error({ problem }, 'config reload refused; the running config is kept');
    return outcome;
  }
  agent.metrics.configLastReloadSuccessTimestamp.set(now() / 1000);
  const { diff } = outcome;
  log.info(
    {
      added: diff.added.map((e) => e.name),
      removed: diff.removed,
      changed: diff.changed.map((e) => e.name),
      unchanged: diff.unchanged.length,
      settings: diff.globalChanged.live,
    },
    'config reloaded',
  );
  if (diff.globalChanged.restart.length > 0) {
    log.warn({ settings: diff.globalChanged.restart }, 'config reloaded, but these settings keep their running value until the next start');
  }
  return outcome;
}

/**
 * `POST /-/reload`: 200 `{"status":"reloaded"}`, or 400 `{"error":…,"problems":[…]}` when the
 * config is refused. Mounted on the main listener, behind its basic auth like every route.
 */
export function createReloadRouter(reload: () => ReloadOutcome): Router {
  const router = express.Router();
  router.post('/-/reload', (_req, res) => {
    const outcome = reload();
    if (outcome.ok) res.json({ status: 'reloaded' });
    else res.status(400).json({ error: 'config reload refused; the running config is kept', problems: outcome.problems });
  });
  return router;
}

/**
 * Removes every series labelled with one of `ensembles` from the agent's registry (accumulated
 * counters and histograms, such as the canary's), so a removed ensemble leaves nothing behind and a
 * restarted one starts from zero. Other ensembles' series are left as they are.
 */
export async function dropEnsembleSeries(
  registry: client.Registry,
  ensembles: ReadonlySet<string>,
  /** Families the caller rebuilds itself from the new config (dropping them later would race with that). */
  keep: readonly string[] = [],
): Promise<void> {
  if (ensembles.size === 0) return;
  for (const metric of registry.getMetricsAsArray()) {
    if (keep.includes((metric as { name?: string }).name ?? '')) continue;
    const labelNames = (metric as { labelNames?: readonly string[] }).labelNames ?? [];
    if (!labelNames.includes('ensemble')) continue;
    const removable = metric as unknown as {
      get(): Promise<{ values: Array<{ labels: Record<string, string | number> }> }>;
      remove(labels: Record<string, string | number>): void;
    };
    const { values } = await removable.get();
    const seen = new Set<string>();
    for (const { labels } of values) {
      if (!ensembles.has(String(labels.ensemble))) continue;
      // Histogram and summary samples carry `le` or `quantile`; the series is keyed without them.
      const own = Object.fromEntries(Object.entries(labels).filter(([name]) => labelNames.includes(name)));
      const key = JSON.stringify(own);
      if (seen.has(key)) continue;
      seen.add(key);
      removable.remove(own);
    }
  }
}
