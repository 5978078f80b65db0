/**
 * Alertmanager-driven hooks: the version 4 webhook payload (validated, unknown fields kept),
 * Alertmanager-style label matchers, and routing of alerts to hooks. Pure: the HTTP receiver
 * answers, dedupes through the outbox and delivers elsewhere.
 */
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());
const status = z.enum(['firing', 'resolved']);
// Alertmanager prints Go time: RFC 3339 with up to nanoseconds and an offset (`Z` or ±hh:mm);
// a firing alert's endsAt is the zero time 0001-01-01T00:00:00Z, which this accepts.
const time = z.iso.datetime({ offset: true });

/** One alert of a webhook payload. */
export const alertSchema = z.looseObject({
  status,
  labels: stringMap,
  annotations: stringMap,
  startsAt: time,
  endsAt: time,
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

/** The Alertmanager webhook payload, version 4 (unknown fields accepted and kept). */
export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4', { error: 'expected "4" (only webhook version 4 is understood)' }),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status,
  receiver: z.string().optional(),
  groupLabels: stringMap.optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema),
});

/** A validated webhook payload. */
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
/** One validated alert. */
export type Alert = z.infer<typeof alertSchema>;

/** A parsed payload, or why it was refused (for a 400 body). */
export type ParsePayloadResult = { ok: true; payload: AlertmanagerPayload } | { ok: false; reason: string };

// Enough issues to fix a hand-written payload in one go without echoing a huge body back.
const MAX_REASONS = 3;

/** Validates a JSON-decoded body; the reason names each bad field by path (`alerts[0].fingerprint: …`). */
export function parseAlertmanagerPayload(body: unknown): ParsePayloadResult {
  const parsed = alertmanagerPayloadSchema.safeParse(body);
  if (parsed.success) return { ok: true, payload: parsed.data };
  const issues = parsed.error.issues;
  const shown = issues.slice(0, MAX_REASONS).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > MAX_REASONS) shown.push(`and ${issues.length - MAX_REASONS} more`);
  return { ok: false, reason: shown.join('; ') };
}

/** How a matcher compares a label value. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One parsed label matcher. */
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
  /** For `=~` and `!~`: the value as a fully anchored regex. */
  regex?: RegExp;
  /** The text it was parsed from (for messages and the status API). */
  text: string;
}

/** A parsed matcher or why not. */
export type ParseMatcherResult = { ok: true; matcher: Matcher } | { ok: false; reason: string };

const MATCHER_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n' };

/** Parses `label="v"`, `label!="v"`, `label=~"re"` or `label!~"re"` (value double-quoted; `\"`, `\\`, `\n` escapes). */
export function parseMatcher(text: string): ParseMatcherResult {
  const m = MATCHER_RE.exec(text);
  if (!m) return { ok: false, reason: `matcher ${JSON.stringify(text)}: expected label="value", label!="value", label=~"regex" or label!~"regex"` };
  const [, label, op, quoted] = m as unknown as [string, string, MatchOp, string];
  let value = '';
  for (let i = 0; i < quoted.length; i++) {
    const c = quoted[i] as string;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = quoted[++i] as string;
    const escaped = ESCAPES[next];
    if (escaped === undefined) return { ok: false, reason: `matcher ${JSON.stringify(text)}: unknown escape \\${next} (use \\", \\\\ or \\n)` };
    value += escaped;
  }
  const matcher: Matcher = { label, op, value, text };
  if (op === '=~' || op === '!~') {
    try {
      // Anchored like Alertmanager (and Prometheus): the regex must match the whole value.
      matcher.regex = new RegExp(`^(?:${value})$`);
    } catch (err) {
      return { ok: false, reason: `matcher ${JSON.stringify(text)}: invalid regular expression: ${(err as Error).message}` };
    }
  }
  return { ok: true, matcher };
}

/** True when `labels` satisfy the matcher; a missing label counts as the empty string (as in Alertmanager). */
export function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.regex!.test(value);
    case '!~':
      return !matcher.regex!.test(value);
  }
}

/** A route from alerts to one hook. */
export interface AlertRoute {
  hook: string;
  /** All must match (an empty list matches every alert). */
  matchers: Matcher[];
  /** Also deliver `resolved` alerts. */
  sendResolved: boolean;
}

/** A route compiled from config, or every matcher problem. */
export type CompileRouteResult = { ok: true; route: AlertRoute } | { ok: false; reasons: string[] };

/** Compiles a configured route (`matchers` as text). */
export function compileRoute(config: { hook: string; matchers: readonly string[]; sendResolved: boolean }): CompileRouteResult {
  const matchers: Matcher[] = [];
  const reasons: string[] = [];
  for (const text of config.matchers) {
    const parsed = parseMatcher(text);
    if (parsed.ok) matchers.push(parsed.matcher);
    else reasons.push(parsed.reason);
  }
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, route: { hook: config.hook, matchers, sendResolved: config.sendResolved } };
}

/** One alert routed to one hook. */
export interface RoutedAlert {
  route: AlertRoute;
  alert: Alert;
  /** `fingerprint/startsAt/status`: the same alert notification repeated (repeat_interval, HA replicas, restarts) has the same key. */
  dedupeKey: string;
  /** `<hook>/alert/<fingerprint>/<startsAt>/<status>`: firing and resolved are two deliveries. */
  idempotencyKey: string;
}

/** Every (alert, matching route) pair, payload order then route order; resolved alerts only for `sendResolved` routes. */
export function routeAlerts(payload: AlertmanagerPayload, routes: readonly AlertRoute[]): RoutedAlert[] {
  const out: RoutedAlert[] = [];
  for (const alert of payload.alerts) {
    // startsAt as sent, not re-formatted: every Alertmanager replica prints the same instant the same way.
    const dedupeKey = `${alert.fingerprint}/${alert.startsAt}/${alert.status}`;
    for (const route of routes) {
      if (alert.status === 'resolved' && !route.sendResolved) continue;
      if (!route.matchers.every((m) => matches(m, alert.labels))) continue;
      out.push({ route, alert, dedupeKey, idempotencyKey: `${encodeURIComponent(route.hook)}/alert/${dedupeKey}` });
    }
  }
  return out;
}

// `alerts[0].labels.team`; the body itself is `body`.
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
