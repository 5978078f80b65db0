/**
 * Maintenance: recurring windows (a cron expression for each start, plus a duration) and a manual
 * pause. Hooks due while either applies are recorded as suppressed, not sent. Pure: `now` is
 * passed in; cron expressions are read with the `cron` package's CronTime.
 */
import { CronTime } from 'cron';

/** A recurring maintenance window. */
export interface MaintenanceWindow {
  /** Start times: 5 fields (minute first) or 6 (second first), as the `cron` package reads them. */
  cron: string;
  /** How long each window lasts from its start. */
  durationMs: number;
  /** Ensembles it covers; undefined = all (and alerts without an ensemble). */
  ensembles?: string[];
  /**
   * IANA time zone the cron fields are read in.
   * @default 'UTC' (not the host's zone: every agent must agree on when a window is open)
   */
  timezone?: string;
}

/** Zone used when a window names none. */
export const DEFAULT_TIMEZONE = 'UTC';

/** A window that passed validation, or why it did not. */
export type ParseWindowResult = { ok: true; window: MaintenanceWindow } | { ok: false; reason: string };

/**
 * Checks a window: the time zone is known, the duration positive, and the cron expression parses
 * and still matches some date after `now` (an expression such as `0 0 30 2 *` never does).
 */
export function parseWindow(window: MaintenanceWindow, now: Date): ParseWindowResult {
  if (!Number.isFinite(window.durationMs) || window.durationMs <= 0) {
    return { ok: false, reason: `maintenance window "${window.cron}": duration must be positive` };
  }
  const zone = window.timezone ?? DEFAULT_TIMEZONE;
  if (!isKnownZone(zone)) return { ok: false, reason: `maintenance window "${window.cron}": unknown time zone "${zone}"` };
  let cronTime: CronTime;
  try {
    cronTime = new CronTime(window.cron, zone);
  } catch (err) {
    return { ok: false, reason: `maintenance window "${window.cron}": invalid cron expression: ${(err as Error).message}` };
  }
  try {
    cronTime.getNextDateFrom(now, zone);
  } catch {
    // CronTime gives up after searching 8 years ahead.
    return { ok: false, reason: `maintenance window "${window.cron}": the cron expression matches no date` };
  }
  return { ok: true, window };
}

/** One opening of a window: `start ≤ now < end`. */
export interface WindowOccurrence {
  window: MaintenanceWindow;
  /** Unix ms of the latest start at or before now. */
  start: number;
  /** `start + durationMs`. */
  end: number;
}

/**
 * The opening of `window` that contains `now`, if any. CronTime only looks forward (its next start
 * is strictly after the date given), so: the first start after `now − duration` is open at `now`
 * iff it is ≤ now. When several starts fall in that span (windows overlapping), the latest one — the
 * one that ends last — is found by bisecting the look-back point between `now − duration` and
 * `now` down to a second (cron starts are whole seconds): about log2(duration in seconds) look-ups.
 */
export function windowOccurrence(window: MaintenanceWindow, now: Date): WindowOccurrence | undefined {
  const zone = window.timezone ?? DEFAULT_TIMEZONE;
  let cronTime: CronTime;
  try {
    cronTime = new CronTime(window.cron, zone);
  } catch {
    return undefined;
  }
  const at = now.getTime();
  const nextAfter = (t: number): number => cronTime.getNextDateFrom(new Date(t), zone).toMillis();
  let lo = at - window.durationMs;
  let hi = at;
  let start: number;
  try {
    start = nextAfter(lo);
    if (start > at) return undefined;
    // Invariant: nextAfter(lo) ≤ now < nextAfter(hi).
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const next = nextAfter(mid);
      if (next <= at) {
        lo = mid;
        start = next;
      } else {
        hi = mid;
      }
    }
  } catch {
    // A window that never matches again (refused by parseWindow) is never open.
    return undefined;
  }
  return { window, start, end: start + window.durationMs };
}

/** The first of `windows` covering `ensemble` that is open at `now`. */
export function activeWindow(windows: readonly MaintenanceWindow[], ensemble: string | undefined, now: Date): MaintenanceWindow | undefined {
  return activeOccurrence(windows, ensemble, now)?.window;
}

/** Like {@link activeWindow}, with the opening's start and end (the open window ending last when several are). */
export function activeOccurrence(windows: readonly MaintenanceWindow[], ensemble: string | undefined, now: Date): WindowOccurrence | undefined {
  let best: WindowOccurrence | undefined;
  for (const window of windows) {
    if (!covers(window.ensembles, ensemble)) continue;
    const occurrence = windowOccurrence(window, now);
    if (occurrence && (!best || occurrence.end > best.end)) best = occurrence;
  }
  return best;
}

/** The manual pause, as set through the API (plain JSON so it can be persisted). */
export interface PauseState {
  paused: boolean;
  /** Who paused or resumed last. */
  by?: string;
  /** When it was paused or resumed last. */
  at?: number;
  /** The pause ends by itself at this time; undefined = until resumed. */
  until?: number;
  reason?: string;
  /** Ensembles paused; undefined = all (and alerts without an ensemble). */
  ensembles?: string[];
}

/** Not paused. */
export const NOT_PAUSED: PauseState = { paused: false };

/** Pauses hooks (all ensembles unless `ensembles` is given), optionally until a time. */
export function pause(request: { by: string; at: number; until?: number; reason?: string; ensembles?: string[] }): PauseState {
  const state: PauseState = { paused: true, by: request.by, at: request.at };
  if (request.until !== undefined) state.until = request.until;
  if (request.reason !== undefined) state.reason = request.reason;
  if (request.ensembles !== undefined) state.ensembles = [...request.ensembles];
  return state;
}

/** Ends a pause. */
export function resume(request: { by: string; at: number }): PauseState {
  return { paused: false, by: request.by, at: request.at };
}

/** True when the pause applies to `ensemble` at `now` (an expired `until` ends it). */
export function isPaused(state: PauseState, ensemble: string | undefined, now: number): boolean {
  if (!state.paused) return false;
  if (state.until !== undefined && now >= state.until) return false;
  return covers(state.ensembles, ensemble);
}

/** Why a hook would be suppressed now, if it would. */
export type Suppression =
  | { suppressed: false }
  | { suppressed: true; by: 'pause'; reason: string; until?: number }
  | { suppressed: true; by: 'window'; reason: string; window: MaintenanceWindow; until: number };

/** Whether a hook for `ensemble` (undefined for an alert without one) is suppressed at `now`: the pause first, then the windows. */
export function isSuppressed(input: { windows: readonly MaintenanceWindow[]; pause: PauseState; ensemble: string | undefined; now: number }): Suppression {
  const { pause: state, now } = input;
  if (isPaused(state, input.ensemble, now)) {
    const who = state.by !== undefined ? ` by ${state.by}` : '';
    const why = state.reason !== undefined ? `: ${state.reason}` : '';
    const out: Suppression = { suppressed: true, by: 'pause', reason: `paused${who}${why}` };
    if (state.until !== undefined) out.until = state.until;
    return out;
  }
  const occurrence = activeOccurrence(input.windows, input.ensemble, new Date(now));
  if (occurrence) {
    const until = new Date(occurrence.end).toISOString();
    return { suppressed: true, by: 'window', reason: `maintenance window "${occurrence.window.cron}" until ${until}`, window: occurrence.window, until: occurrence.end };
  }
  return { suppressed: false };
}

function covers(ensembles: readonly string[] | undefined, ensemble: string | undefined): boolean {
  if (ensembles === undefined) return true;
  return ensemble !== undefined && ensembles.includes(ensemble);
}

function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
