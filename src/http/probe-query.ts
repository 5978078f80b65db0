/**
 * `/probe` request parsing: which nodes, which ensemble label, and how long the probe may take. Pure:
 * the route hands in the query and the scrape-timeout header, and gets back a request or the exact
 * reason it is refused.
 */
import { parseHostPort, serverLabel, type ServerTarget } from '../model/target.js';

/** Most nodes one probe may poll: a probe is one ensemble, not a fleet. */
export const PROBE_MAX_TARGETS = 15;
/** Longest a probe runs when Prometheus sends no (or a longer) scrape timeout. */
export const PROBE_DEFAULT_BUDGET_MS = 10_000;
/** Taken off Prometheus' scrape timeout so the answer arrives before Prometheus gives up on it. */
const PROBE_MARGIN_MS = 500;
/** Least budget a probe gets, however short the scrape timeout: enough for a loopback round trip. */
const PROBE_MIN_BUDGET_MS = 100;
/** Header in which Prometheus sends its scrape timeout, in seconds. */
export const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds';

/** Same rule as a configured ensemble's name, so a probed ensemble's label looks like a polled one's. */
const ENSEMBLE_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** A valid probe request. */
export interface ProbeRequest {
  /** The `ensemble` label of every series. */
  ensemble: string;
  /** The nodes to poll, in the order given. */
  targets: ServerTarget[];
  /** How long the whole probe may take, in milliseconds. */
  budgetMs: number;
}

/** A probe request, or why it is refused (answered 400). */
export type ProbeRequestResult = { ok: true; value: ProbeRequest } | { ok: false; message: string };

/** A query parameter as express parses it: absent, one string, repeated, or nested (`a[b]=`). */
type QueryValue = unknown;

/** The strings of a query parameter given once or repeated; undefined when it is nested or not text. */
function strings(value: QueryValue): string[] | undefined {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

/**
 * The probe's time budget: Prometheus' scrape timeout minus {@link PROBE_MARGIN_MS}, never more than
 * {@link PROBE_DEFAULT_BUDGET_MS} nor less than {@link PROBE_MIN_BUDGET_MS}; the default without the header.
 */
export function probeBudget(header: string | undefined): { ok: true; value: number } | { ok: false; message: string } {
  if (header === undefined) return { ok: true, value: PROBE_DEFAULT_BUDGET_MS };
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(header) ? Number(header) : NaN;
  if (!(seconds > 0))
    return {
      ok: false,
      message: `X-Prometheus-Scrape-Timeout-Seconds must be a positive number of seconds, got ${JSON.stringify(header)}`,
    };
  const budget = Math.round(seconds * 1000) - PROBE_MARGIN_MS;
  return { ok: true, value: Math.min(PROBE_DEFAULT_BUDGET_MS, Math.max(PROBE_MIN_BUDGET_MS, budget)) };
}

/**
 * Parses `target=HOST:PORT[,HOST:PORT…]` (the parameter may also be repeated) and `ensemble=NAME`.
 * Refuses an unparsable or duplicate address, more than {@link PROBE_MAX_TARGETS} nodes, and a missing
 * or invalid ensemble name, each with a message naming the culprit.
 */
export function parseProbeQuery(query: Record<string, QueryValue>, timeoutHeader: string | undefined): ProbeRequestResult {
  const fail = (message: string): ProbeRequestResult => ({ ok: false, message });
  const ensembles = strings(query['ensemble']);
  if (ensembles === undefined || ensembles.length > 1) return fail('give the ensemble parameter once: ensemble=NAME');
  const ensemble = ensembles[0];
  if (ensemble === undefined || ensemble === '')
    return fail('missing ensemble parameter: ensemble=NAME (the ensemble label of every series)');
  if (!ENSEMBLE_NAME.test(ensemble)) {
    return fail(`ensemble must be 1 to 128 letters, digits, "_", "." and "-", got ${JSON.stringify(ensemble)}`);
  }
  const texts = strings(query['target']);
  if (texts === undefined) return fail('target must be text: target=HOST:PORT[,HOST:PORT...]');
  const parts = texts.flatMap((text) => text.split(',')).map((part) => part.trim());
  if (parts.length === 0 || parts.every((part) => part === '')) return fail('missing target parameter: target=HOST:PORT[,HOST:PORT...]');
  if (parts.length > PROBE_MAX_TARGETS) return fail(`too many targets: ${parts.length}, at most ${PROBE_MAX_TARGETS}`);
  const targets: ServerTarget[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    const parsed = parseHostPort(part);
    if (!parsed.ok) return fail(`bad target: ${parsed.message}`);
    // The same node twice would export every one of its series twice.
    const key = serverLabel({ host: parsed.value.host.toLowerCase(), port: parsed.value.port });
    if (seen.has(key)) return fail(`duplicate target "${serverLabel(parsed.value)}"`);
    seen.add(key);
    targets.push(parsed.value);
  }
  const budget = probeBudget(timeoutHeader);
  if (!budget.ok) return fail(budget.message);
  return { ok: true, value: { ensemble, targets, budgetMs: budget.value } };
}
