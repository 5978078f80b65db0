import type { Transition } from './types.js';

/** Default of `DeriveOptions.timelineLimit`. */
export const DEFAULT_TIMELINE_LIMIT = 100;

/** Appends this round's transitions and keeps only the newest `limit` (oldest first). */
export function appendTimeline(timeline: readonly Transition[], transitions: readonly Transition[], limit: number): Transition[] {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`timelineLimit must be a non-negative integer, got ${limit}`);
  const all = [...timeline, ...transitions];
  return limit === 0 ? [] : all.slice(-limit);
}
