/**
 * The validated configuration's types, inferred from the schema (`schema.ts`): what the agent,
 * the poller and the hooks read. Defaults are applied and durations are in milliseconds.
 */
import type { z } from 'zod';
import type { configSchema, ensembleSchema } from './schema.js';

/** The agent's whole configuration after validation and defaults (flags > env > file > defaults). */
export type AgentConfig = z.output<typeof configSchema>;
/** One watched ensemble: its servers (each with its AdminServer port when known), transport, words and `conf` interval. */
export type EnsembleConfig = z.output<typeof ensembleSchema>;
/** Failover hooks: targets, rules, Alertmanager routes, maintenance, peers, receiver security. */
export type HooksConfig = NonNullable<AgentConfig['hooks']>;
/** One hook target after defaults: where and how a hook is delivered. */
export type HookTargetConfig = HooksConfig['targets'][number];
/** One agent-driven hook rule after defaults. */
export type HookRuleConfig = HooksConfig['rules'][number];
/** One route of Alertmanager alerts to a target; matchers as written (already checked). */
export type AlertRouteConfig = HooksConfig['alertRoutes'][number];
/** A recurring maintenance window; its cron expression and time zone already checked. */
export type MaintenanceWindowConfig = HooksConfig['maintenance'][number];
