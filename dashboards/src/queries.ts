/** Every PromQL query a rendered dashboard runs, wherever it sits (panels, rows, annotations, variables). */
import { VariableType, type Dashboard, type Panel, type RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Grafana's classic dashboard JSON model (panels with gridPos, templating, schemaVersion 42), the
 * one the committed dashboards/*.json are in and Grafana's file provisioning loads. The SDK marks it
 * deprecated in favour of dashboardv2, a different schema (elements and layouts) that the rendered
 * files, their provisioning and their tests would all have to move to together.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the shipped files are in the classic model (see above)
export type ClassicDashboard = Dashboard;

/** One query of a dashboard. */
export interface DashboardQuery {
  /** Where it is: `panel "Title" A`, `annotation "Name"`, `variable job`. */
  where: string;
  kind: 'range' | 'instant' | 'annotation' | 'variable';
  /** PromQL, or `label_values(…)` for a variable; template variables unexpanded. */
  expr: string;
  /** The datasource the query names (targets and annotations). */
  datasource?: { type?: string; uid?: string };
}

/** Panels of a dashboard, the panels inside collapsed rows included, rows themselves included. */
export function panelsOf(dashboard: ClassicDashboard): Array<Panel | RowPanel> {
  return (dashboard.panels ?? []).flatMap((p) => (p.type === 'row' ? [p, ...((p as RowPanel).panels ?? [])] : [p]));
}

/** Lists every query of a built or parsed dashboard. */
export function queriesOf(dashboard: ClassicDashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of panelsOf(dashboard)) {
    if (panel.type === 'row') continue;
    for (const target of (panel as Panel).targets ?? []) {
      const t = target as { expr?: string; refId?: string; instant?: boolean; datasource?: { type?: string; uid?: string } };
      out.push({
        where: `panel "${panel.title}" ${t.refId ?? ''}`.trim(),
        kind: t.instant ? 'instant' : 'range',
        expr: t.expr ?? '',
        datasource: t.datasource,
      });
    }
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.builtIn) continue;
    out.push({
      where: `annotation "${annotation.name}"`,
      kind: 'annotation',
      expr: annotation.expr ?? '',
      datasource: annotation.datasource,
    });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type === VariableType.Query && typeof variable.query === 'string') {
      out.push({ where: `variable ${variable.name}`, kind: 'variable', expr: variable.query, datasource: variable.datasource });
    }
  }
  return out;
}

/**
 * Expands `$name` / `${name}` the way Grafana would for one value per variable (values are used as
 * given: pass regex-escaped values for `=~` matchers). Unknown variables are left alone.
 */
export function expandVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => values[braced ?? bare ?? ''] ?? whole,
  );
}

/** Escapes a value for use inside a PromQL `=~"…"` regex matcher, as Grafana does. */
export function promRegexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&');
}
