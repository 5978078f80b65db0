/**
 * Building blocks shared by both dashboards: the datasource reference, the selectors every query is
 * built from, the template variables, and small panel factories over the Grafana Foundation SDK.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  FieldColorBuilder,
  FieldColorModeId,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type DashboardLink,
  type DataTransformerConfig,
  type DynamicConfigValue,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { panelsOf, type ClassicDashboard } from './queries.js';

/** Every panel, target, variable and annotation queries the data source picked in `$datasource`. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** uid of the ensemble overview dashboard (links and bookmarks depend on it: never change it). */
export const OVERVIEW_UID = 'zk-ensemble-overview';
/** uid of the per-node drill-down dashboard (links and bookmarks depend on it: never change it). */
export const NODE_UID = 'zk-ensemble-node';
/** Tags on both dashboards. */
const TAGS = ['zookeeper', 'zk-ensemble-exporter'];

/** Matchers of a selector on an ensemble-level series. */
export const E = 'job=~"$job", ensemble=~"$ensemble"';
/** Matchers of a selector on a per-node series (labelled `server`). */
export const N = `${E}, server=~"$server"`;

/** `metric{matchers}`, with `extra` matchers appended. */
export function sel(metric: string, matchers: string, extra?: string): string {
  return `${metric}{${matchers}${extra ? `, ${extra}` : ''}}`;
}

/** One value of a state-set label, how a panel shows it, and its colour. */
export interface StateValue {
  value: string;
  text: string;
  color: string;
}

/**
 * Turns a state set (one series per `label` value, 1 on the current one) into one series per `by`
 * group whose value is the index of the current state in `states`, so stat and state-timeline
 * panels can map it back to text and colour. Groups with no current state (a node that is down has
 * every role at 0; a reason series exists only while it is current) have no value at all.
 */
export function stateIndex(metric: string, matchers: string, label: string, states: readonly StateValue[], by: string): string {
  const arms = states.map((s, i) => `(${sel(metric, matchers, `${label}="${s.value}"`)} == 1) * ${i}`);
  return `max by (${by}) (\n  ${arms.join('\n  or ')}\n)`;
}

/** Value mappings from the index built by {@link stateIndex} back to each state's text and colour. */
export function stateMappings(states: readonly StateValue[]): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  states.forEach((s, index) => (options[String(index)] = { text: s.text, color: s.color, index }));
  return [{ type: MappingType.ValueToText, options }];
}

/** Value mappings for a 0/1 series. */
export function boolMappings(off: { text: string; color: string }, on: { text: string; color: string }): ValueMapping[] {
  return [{ type: MappingType.ValueToText, options: { '0': { ...off, index: 0 }, '1': { ...on, index: 1 } } }];
}

/** Absolute thresholds from a base colour and `[value, colour]` steps. */
export function thresholds(base: string, ...steps: Array<[number, string]>): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** A query drawn over the dashboard's time range. */
export function range(expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).range();
}

/** A query evaluated once at the end of the time range (stats and tables show the current value). */
export function instant(expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).instant();
}

/** An instant query whose labels become table columns. */
export function tableQuery(expr: string): DataqueryBuilder {
  return instant(expr, '__auto').format(PromQueryFormat.Table);
}

/** URL of the node dashboard for one server, keeping the data source, job, ensemble and time range. */
function nodeDashboardUrl(serverValue: string): string {
  return `/d/${NODE_UID}/zookeeper-node?\${datasource:queryparam}&\${job:queryparam}&\${ensemble:queryparam}&var-server=${serverValue}&\${__url_time_range}`;
}

/**
 * Data link from a per-server series to that server's node dashboard. The SDK types field data links
 * as dashboard header links, whose defaults (type, tags, placement, …) mean nothing on a field, so
 * this builds the plain `{title, url}` Grafana stores for a data link.
 */
function nodeDataLink(): cog.Builder<DashboardLink> {
  const link = { title: 'Open ${__field.labels.server} in the node dashboard', url: nodeDashboardUrl('${__field.labels.server}') };
  return { build: () => link as DashboardLink };
}

/** What every panel factory takes. */
export interface PanelSpec {
  title: string;
  /** Shown as the panel's (i) tooltip: what the panel means and when it can be empty. */
  description: string;
  queries: DataqueryBuilder[];
  /** Grid columns out of 24. */
  span: number;
  /** Grid rows. */
  height?: number;
  unit?: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Applies what every panel has: title, description, datasource, size, unit, and targets with refIds A, B, … */
function base<
  P extends {
    title(t: string): P;
    description(d: string): P;
    datasource(d: common.DataSourceRef): P;
    span(w: number): P;
    height(h: number): P;
    unit(u: string): P;
    withTarget(t: DataqueryBuilder): P;
  },
>(panel: P, spec: PanelSpec, defaultHeight: number): P {
  panel
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .span(spec.span)
    .height(spec.height ?? defaultHeight);
  if (spec.unit) panel.unit(spec.unit);
  spec.queries.forEach((q, i) => panel.withTarget(q.refId(REF_IDS[i]!)));
  return panel;
}

/** A time series panel with a table legend (last and max). */
export function timeseriesPanel(spec: PanelSpec & { min?: number; decimals?: number; links?: boolean }): timeseries.PanelBuilder {
  const panel = base(new timeseries.PanelBuilder(), spec, 8)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  if (spec.links) panel.dataLinks([nodeDataLink()]);
  return panel;
}

/** A stat panel showing the last value of each series. */
export function statPanel(
  spec: PanelSpec & {
    mappings?: ValueMapping[];
    thresholds?: ThresholdsConfigBuilder;
    noValue?: string;
    decimals?: number;
    colorMode?: common.BigValueColorMode;
    textMode?: common.BigValueTextMode;
  },
): stat.PanelBuilder {
  const panel = base(new stat.PanelBuilder(), spec, 5)
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(spec.colorMode ?? common.BigValueColorMode.Value)
    .textMode(spec.textMode ?? common.BigValueTextMode.ValueAndName)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(spec.thresholds ?? thresholds('text'));
  if (spec.mappings) panel.mappings(spec.mappings);
  if (spec.noValue) panel.noValue(spec.noValue);
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  return panel;
}

/** A state timeline: one row per series, coloured by value mappings. */
export function stateTimelinePanel(spec: PanelSpec & { mappings: ValueMapping[] }): statetimeline.PanelBuilder {
  return base(new statetimeline.PanelBuilder(), spec, 8)
    .mappings(spec.mappings)
    .thresholds(thresholds('text'))
    .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.Thresholds))
    .mergeValues(true)
    .showValue(common.VisibilityMode.Auto)
    .alignValue(common.TimelineValueAlignment.Left)
    .rowHeight(0.9)
    .fillOpacity(80)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(false)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Single).sort(common.SortOrder.None));
}

/** A table of instant queries. */
export function tablePanel(
  spec: PanelSpec & { transformations: DataTransformerConfig[]; overrides: Array<{ name: string; properties: DynamicConfigValue[] }> },
): table.PanelBuilder {
  const panel = base(new table.PanelBuilder(), spec, 8).transformations(spec.transformations).showHeader(true);
  for (const o of spec.overrides) panel.overrideByName(o.name, o.properties);
  return panel;
}

/** Override property: a data link from a table's `server` cell to that server's node dashboard. */
export function serverCellLink(): DynamicConfigValue {
  return { id: 'links', value: [{ title: 'Open ${__value.raw} in the node dashboard', url: nodeDashboardUrl('${__value.raw}') }] };
}

/** A row header. */
export function row(title: string): RowBuilder {
  return new RowBuilder(title).datasource(DATASOURCE);
}

/** Grafana's "All" option of a multi-value variable with `includeAll`. */
const ALL = { selected: true, text: ['All'], value: ['$__all'] };

/** The four template variables: datasource, then job → ensemble → server, each narrowing the next. */
export function variables(): Array<DatasourceVariableBuilder | QueryVariableBuilder> {
  const query = (name: string, label: string, description: string, q: string) =>
    new QueryVariableBuilder(name)
      .label(label)
      .description(description)
      .datasource(DATASOURCE)
      .query(q)
      .definition(q)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.NaturalAsc);
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    // Defaults to All (`.*`): the agent's series are found by metric name, whatever the scrape job is
    // called, so panels show data without anyone picking a job; the variable only narrows when wanted.
    query(
      'job',
      'Job',
      'Prometheus job(s) scraping zk-ensemble-exporter (All by default: any job name works).',
      'label_values(zookeeper_up, job)',
    )
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current(ALL),
    query(
      'ensemble',
      'Ensemble',
      'Ensemble name(s) as configured in the agent (--ensemble NAME=…).',
      'label_values(zookeeper_up{job=~"$job"}, ensemble)',
    )
      .multi(true)
      .includeAll(true)
      .allValue('.*'),
    query(
      'server',
      'Server',
      'ZooKeeper node(s), host:port as configured in the agent.',
      'label_values(zookeeper_up{job=~"$job", ensemble=~"$ensemble"}, server)',
    )
      .multi(true)
      .includeAll(true)
      .allValue('.*'),
  ];
}

/* eslint-disable @typescript-eslint/no-deprecated -- DashboardBuilder builds the classic model (ClassicDashboard in queries.ts) */
/** A dashboard with the settings both share: uid, tags, time, refresh, shared crosshair, a link to the other one. */
export function dashboard(spec: {
  uid: string;
  title: string;
  description: string;
  link: { title: string; uid: string; slug: string };
}): DashboardBuilder {
  return new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(TAGS)
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .refresh('30s')
    .link(
      new DashboardLinkBuilder(spec.link.title)
        .type(DashboardLinkType.Link)
        .icon('dashboard')
        .url(`/d/${spec.link.uid}/${spec.link.slug}`)
        .includeVars(true)
        .keepTime(true),
    );
}
/* eslint-enable @typescript-eslint/no-deprecated */

/**
 * Numbers the panels 1, 2, … in layout order, the panels of a collapsed row right after it (stable
 * ids for links and `viewPanel=`), and drops the
 * `placement: "inControlsMenu"` the SDK fills into every dashboard link and annotation, which
 * Grafana 12 reads as "hide inside the controls menu": both are meant to be in plain sight.
 */
export function finish(built: ClassicDashboard): ClassicDashboard {
  panelsOf(built).forEach((panel, i) => (panel.id = i + 1));
  for (const link of built.links ?? []) delete (link as { placement?: unknown }).placement;
  for (const annotation of built.annotations?.list ?? []) delete (annotation as { placement?: unknown }).placement;
  return built;
}

/** Recursively sorts object keys so the rendered JSON does not depend on builder call order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The committed form of a dashboard: JSON with sorted keys, two-space indent, trailing newline. */
export function render(built: ClassicDashboard): string {
  return `${JSON.stringify(sortKeys(JSON.parse(JSON.stringify(built))), null, 2)}\n`;
}
