/**
 * The dashboards shipped with zk-ensemble-exporter, the file each is rendered to, and the queries
 * that can only have data after a fault.
 */
import { nodeDashboard, NODE_NEEDS_FAULT } from './node.js';
import { overview, OVERVIEW_NEEDS_FAULT } from './overview.js';
import type { ClassicDashboard } from './queries.js';

export { render, NODE_UID, OVERVIEW_UID } from './common.js';
export { expandVariables, panelsOf, promRegexEscape, queriesOf, type ClassicDashboard, type DashboardQuery } from './queries.js';

/** One shipped dashboard. */
export interface ShippedDashboard {
  /** File name under dashboards/. */
  file: string;
  build: () => ClassicDashboard;
}

/** Every shipped dashboard, in the order they are rendered. */
export const DASHBOARDS: readonly ShippedDashboard[] = [
  { file: 'zookeeper-ensemble-overview.json', build: overview },
  { file: 'zookeeper-node.json', build: nodeDashboard },
];

/**
 * Queries (as written in the dashboards, variables unexpanded) that return no series on a healthy
 * ensemble watched by a freshly started agent, with the fault each one waits for.
 */
export const NEEDS_FAULT: ReadonlyMap<string, string> = new Map([
  ...Object.entries(OVERVIEW_NEEDS_FAULT),
  ...Object.entries(NODE_NEEDS_FAULT),
]);
