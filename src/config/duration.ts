/** Durations are shared vocabulary; this re-export keeps older imports working. */
export { checkDuration, formatDuration, parseDuration, DurationError, type DurationResult } from '../model/duration.js';
