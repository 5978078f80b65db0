/**
 * Maintenance: recurring windows (a cron expression for each start, plus a duration) and a manual
 * pause. Hooks due while either applies are recorded as suppressed, not sent. Pure: `now` is
 * passed in; windows come validated from config; the previous start of a cron expression is
 * read with cron-parser.
 */
import { CronExpressionParser } from 'cron-parser';
import type { MaintenanceWindowConfig } from '../../config/types.js';

/** Zone the cron fields are read in when a window names none: not the host's zone, since every agent must agree on when a window is open. */
const DEFAULT_TIMEZONE = 'UTC';

/** One opening of a window: `start ≤ now < end`. */
export interface WindowOccurrence {
  window: MaintenanceWindowConfig;
  /** Unix ms of the latest start at or before now. */
  start: number;
  /** `start + durationMs`. */
  end: number;
}

/**
 * The opening of `window` that contains `now`, if any: the latest start at or before `now` is
 * open iff it ends after `now`. With overlapping openings the latest start is also the one that
 * ends last, so it is the one reported.
 */
export function windowOccurrence(window: MaintenanceWindowConfig, now: Date): WindowOccurrence | undefined {
  // prev() is strictly before currentDate; one millisecond later makes a start at exactly `now` count.
  const expression = CronExpressionParser.parse(window.cron, {
    currentDate: new Date(now.getTime() + 1),
    tz: window.timezone ?? DEFAULT_TIMEZONE,
  });
  const start = expression.prev().getTime();
  const end = start + window.durationMs;
  return end > now.getTime() ? { window, start, end } : undefined;
}

/** The first of `windows` covering `ensemble` that is open at `now`. */
export function activeWindow(
  windows: readonly MaintenanceWindowConfig[],
  ensemble: string | undefined,
  now: Date,
): MaintenanceWindowConfig | undefined {
  return activeOccurrence(windows, ensemble, now)?.window;
}

/** Like {@link activeWindow}, with the opening's start and end (the open window ending last when several are). */
export function activeOccurrence(
  windows: readonly MaintenanceWindowConfig[],
  ensemble: string | undefined,
  now: Date,
): WindowOccurrence | undefined {
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
  | { suppressed: true; by: 'window'; reason: string; window: MaintenanceWindowConfig; until: number };

/** Whether a hook for `ensemble` (undefined for an alert without one) is suppressed at `now`: the pause first, then the windows. */
export function isSuppressed(input: {
  windows: readonly MaintenanceWindowConfig[];
  pause: PauseState;
  ensemble: string | undefined;
  now: number;
}): Suppression {
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
    return {
      suppressed: true,
      by: 'window',
      reason: `maintenance window "${occurrence.window.cron}" until ${until}`,
      window: occurrence.window,
      until: occurrence.end,
    };
  }
  return { suppressed: false };
}

function covers(ensembles: readonly string[] | undefined, ensemble: string | undefined): boolean {
  if (ensembles === undefined) return true;
  return ensemble !== undefined && ensembles.includes(ensemble);
}
