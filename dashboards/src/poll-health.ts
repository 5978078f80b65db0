/**
 * The agent's poll health per node × command, shared by both dashboards (grouped by `by`, which
 * always includes `server, command`).
 */
import type * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { N, range, sel, stateIndex, stateMappings, stateTimelinePanel, timeseriesPanel } from './common.js';
import { REASONS } from './states.js';

const LEGEND = '{{server}} {{command}}';

/** Failed polls per rate interval by reason; no series until a node × command × reason first fails. */
export function pollErrorsExpr(by: string): string {
  return `sum by (${by}, reason) (increase(${sel('zookeeper_exporter_poll_errors_total', N)}[$__rate_interval]))`;
}

/** Latest result of each node × command over time, one row each, coloured by reason. */
export function pollResultsPanel(by: string, span: number): statetimeline.PanelBuilder {
  return stateTimelinePanel({
    title: 'Poll results',
    description: 'Result of each node × command per round: ok, or why it failed (refused, timeout, not_whitelisted, not_serving, …).',
    queries: [range(stateIndex('zookeeper_exporter_command_result', N, 'reason', REASONS, by), LEGEND)],
    span,
    mappings: stateMappings(REASONS),
  });
}

/** Failed polls per rate interval by reason. */
export function pollErrorsPanel(by: string, span: number): timeseries.PanelBuilder {
  return timeseriesPanel({
    title: 'Poll errors',
    description: 'Failed polls per node × command by reason. Empty until a poll has failed since the agent started.',
    queries: [range(pollErrorsExpr(by), `${LEGEND} {{reason}}`)],
    span,
    min: 0,
  });
}

/** Duration of the latest poll of each node × command. */
export function pollDurationPanel(by: string, span: number): timeseries.PanelBuilder {
  return timeseriesPanel({
    title: 'Poll duration',
    description: "Duration of the latest poll of each node × command (bounded by the agent's --timeout).",
    queries: [range(`max by (${by}) (${sel('zookeeper_exporter_poll_duration_seconds', N)})`, LEGEND)],
    span,
    unit: 's',
    min: 0,
  });
}

/** How old the latest successful poll of each node × command is. */
export function pollSuccessAgePanel(by: string, span: number): timeseries.PanelBuilder {
  return timeseriesPanel({
    title: 'Age of the last successful poll',
    description: 'Seconds since each node × command last answered. conf is read only every confInterval, so its age saw-tooths by design.',
    queries: [range(`time() - max by (${by}) (${sel('zookeeper_exporter_poll_last_success_timestamp_seconds', N)})`, LEGEND)],
    span,
    unit: 's',
    min: 0,
  });
}
