/**
 * Alertmanager-driven hooks: the version 4 webhook payload (validated, unknown fields kept),
 * and routing of alerts to hooks through Alertmanager-style label matchers. Pure: the HTTP receiver
 * answers, dedupes through the outbox and delivers elsewhere.
 */
import { z } from 'zod';
import type { AlertRouteConfig } from '../../config/types.js';
import { matches, parseMatcher, type Matcher } from '../../model/matchers.js';

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

/**
 * Validates a JSON-decoded body; the reason names each bad field by path (`alerts[0].fingerprint: …`).
 * A body the schema accepts is checked by {@link isValidPayload} alone (a receiver takes hundreds of
 * alerts per payload); the schema runs only on a body that check refuses, for the reasons.
 */
export function parseAlertmanagerPayload(body: unknown): ParsePayloadResult {
  if (isValidPayload(body)) return { ok: true, payload: body };
  const parsed = alertmanagerPayloadSchema.safeParse(body);
  if (parsed.success) return { ok: true, payload: parsed.data };
  const issues = parsed.error.issues;
  const shown = issues.slice(0, MAX_REASONS).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > MAX_REASONS) shown.push(`and ${issues.length - MAX_REASONS} more`);
  return { ok: false, reason: shown.join('; ') };
}

/** A route from alerts to one hook. */
export interface AlertRoute {
  hook: string;
  /** All must match (an empty list matches every alert). */
  matchers: Matcher[];
  /** Also deliver `resolved` alerts. */
  sendResolved: boolean;
}

/** Compiles a route from config, whose matchers config has already validated. */
export function compileRoute(config: AlertRouteConfig): AlertRoute {
  const matchers = config.matchers.map((text) => {
    const parsed = parseMatcher(text);
    // Config refuses an unparsable matcher, so reaching this is a bug, not a user error.
    if (!parsed.ok) throw new Error(`alert route for ${config.hook}: ${parsed.reason}`);
    return parsed.matcher;
  });
  return { hook: config.hook, matchers, sendResolved: config.sendResolved };
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

// The schema's own datetime pattern, so both checks accept exactly the same times.
const DATETIME = z.regexes.datetime({ offset: true });
const STATUSES: ReadonlySet<unknown> = new Set(['firing', 'resolved']);

/**
 * True when `body` passes {@link alertmanagerPayloadSchema}, checked by hand without building a copy.
 * It accepts nothing the schema refuses (a property test compares them); what it refuses goes to
 * the schema, which both decides and explains.
 */
export function isValidPayload(body: unknown): body is AlertmanagerPayload {
  if (!isObject(body) || body.version !== '4' || !STATUSES.has(body.status)) return false;
  if (!optionalString(body.groupKey) || !optionalString(body.receiver) || !optionalString(body.externalURL)) return false;
  const truncated = body.truncatedAlerts;
  if (truncated !== undefined && !(typeof truncated === 'number' && Number.isSafeInteger(truncated) && truncated >= 0)) return false;
  for (const map of [body.groupLabels, body.commonLabels, body.commonAnnotations]) if (map !== undefined && !isStringMap(map)) return false;
  const alerts = body.alerts;
  if (!Array.isArray(alerts)) return false;
  for (const alert of alerts as unknown[]) {
    if (!isObject(alert) || !STATUSES.has(alert.status)) return false;
    if (!isStringMap(alert.labels) || !isStringMap(alert.annotations)) return false;
    if (typeof alert.startsAt !== 'string' || !DATETIME.test(alert.startsAt)) return false;
    if (typeof alert.endsAt !== 'string' || !DATETIME.test(alert.endsAt)) return false;
    if (!optionalString(alert.generatorURL)) return false;
    if (typeof alert.fingerprint !== 'string' || alert.fingerprint.length === 0) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isStringMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key) && typeof value[key] !== 'string') return false;
  return true;
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
