/**
 * The agent's failover hooks: deliveries by result, queues, the oldest pending intent, dead letters
 * and maintenance, in a row that starts collapsed (the agent exports hook metrics only when hooks are
 * configured, and a collapsed row runs no query until it is opened).
 *
 * Hook series carry job/instance (and `hook`), no `ensemble`: one hook serves every ensemble of the
 * agent. Like the round metrics, they are kept for the agents that poll a selected ensemble with
 * `agentsOf`; only zookeeper_hook_maintenance_active is per ensemble and matched on `$ensemble`.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import type { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DEFAULT_CONFIG } from '../../alerts/rules.js';
import { E, boolMappings, instant, range, row, sel, statPanel, stateTimelinePanel, thresholds, timeseriesPanel } from './common.js';

/** Matchers of a selector on an agent-wide hook series (no `ensemble` label). */
const J = 'job=~"$job"';

const NO_HOOKS = 'Empty on agents without hooks configured: the agent exports hook metrics only then.';

/** Fixed colour of the series whose display name matches `regexp`. */
function color(regexp: string, fixedColor: string): [string, Array<{ id: string; value: unknown }>] {
  return [regexp, [{ id: 'color', value: { mode: 'fixed', fixedColor } }]];
}

/**
 * The "Failover hooks" row, collapsed, with its panels. `agentsOf` is appended to every query on an
 * agent-wide series: `and on (job, instance) group by (job, instance) (…{$job, $ensemble})`.
 */
export function failoverHooksRow(agentsOf: string): RowBuilder {
  const pending = DEFAULT_CONFIG.thresholds.hookPendingSeconds;
  const deliveries = timeseriesPanel({
    title: 'Hook deliveries by result',
    description:
      'Hook intents finished per rate interval, per agent, hook and result: delivered (2xx), rejected (3xx or a 4xx other than 408/425/429: not retried), ' +
      "dead_lettered (undelivered at the hook's maxAge), suppressed (maintenance window or pause), dry_run (--dry-run: recorded, not sent). " +
      `Rejections fire ZookeeperFailoverHookFailing, dead letters ZookeeperFailoverHookDeadLettered. ${NO_HOOKS}`,
    queries: [
      range(
        `sum by (job, instance, hook, result) (increase(${sel('zookeeper_hook_deliveries_total', J)}[$__rate_interval]))\n${agentsOf}`,
        '{{instance}} {{hook}} {{result}}',
      ),
    ],
    span: 12,
    min: 0,
  });
  for (const [regexp, properties] of [
    color('/ delivered$/', 'green'),
    color('/ (rejected|dead_lettered)$/', 'red'),
    color('/ suppressed$/', 'blue'),
    color('/ dry_run$/', 'text'),
  ]) {
    deliveries.overrideByRegexp(regexp, properties);
  }

  return row('Failover hooks')
    .withPanel(deliveries)
    .withPanel(
      timeseriesPanel({
        title: 'Hook queue and in flight',
        description:
          "Per agent and hook: intents waiting for a free slot (the hook's concurrency) or for their next retry, and requests in flight. " +
          `A queue that does not drain means the receiver is failing or slow. ${NO_HOOKS}`,
        queries: [
          range(`max by (job, instance, hook) (${sel('zookeeper_hook_queue_depth', J)})\n${agentsOf}`, '{{instance}} {{hook}} queued'),
          range(`max by (job, instance, hook) (${sel('zookeeper_hook_in_flight', J)})\n${agentsOf}`, '{{instance}} {{hook}} in flight'),
        ],
        span: 12,
        min: 0,
        decimals: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: 'Oldest pending hook intent',
        description:
          "Age of each agent's oldest intent not yet delivered, rejected or dead-lettered (0 when none). It grows while the agent retries a failing receiver; " +
          `ZookeeperFailoverHookFailing fires when it stays above ${pending} s (the line) for ${DEFAULT_CONFIG.for.ZookeeperFailoverHookFailing}. ${NO_HOOKS}`,
        queries: [range(`max by (job, instance) (${sel('zookeeper_hook_oldest_pending_age_seconds', J)})\n${agentsOf}`, '{{instance}}')],
        span: 9,
        unit: 's',
        min: 0,
      })
        .thresholds(thresholds('transparent', [pending, 'red']))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed)),
    )
    .withPanel(
      statPanel({
        title: 'Dead letters in range',
        description:
          "Hook intents each agent gave up on within the time range: undelivered at their hook's maxAge, or left for a hook removed from the configuration. " +
          `Each is a failover action that was not taken; the audit trail (GET /api/v1/hooks/deliveries?type=result) says which. ${NO_HOOKS}`,
        queries: [
          instant(
            `round(sum by (job, instance) (increase(${sel('zookeeper_hook_dead_letters_total', J)}[$__range])))\n${agentsOf}`,
            '{{instance}}',
          ),
        ],
        span: 5,
        height: 8,
        thresholds: thresholds('green', [1, 'red']),
        colorMode: common.BigValueColorMode.Background,
        decimals: 0,
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'Hook maintenance',
        description:
          'Per ensemble and agent: suppressed while a maintenance window or a pause (POST /api/v1/hooks/pause) holds back its hooks; ' +
          `suppressed intents are counted as "suppressed" deliveries. ${NO_HOOKS}`,
        queries: [range(`max by (job, instance, ensemble) (${sel('zookeeper_hook_maintenance_active', E)})`, '{{ensemble}} {{instance}}')],
        span: 10,
        mappings: boolMappings({ text: 'hooks on', color: 'green' }, { text: 'suppressed', color: 'blue' }),
      }),
    );
}
