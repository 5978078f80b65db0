import type { ElectionState } from './types.js';

/** What this round showed about leadership. */
export interface ElectionEvidence {
  /** Some node answers leader or standalone (split brain and stale leaders included). */
  leaderPresent: boolean;
  /** Some voter answered srvr (any answer, `not_serving` included). */
  voterReachable: boolean;
  /** No earlier round exists. */
  firstRound: boolean;
}

/** The election state after this round and what happened to it. */
export interface ElectionStep {
  election: ElectionState;
  /** An election was seen starting this round (never in the first round). */
  started: boolean;
  /** The election that a leader ended this round. */
  ended?: { startedAt: number; durationMs: number; startedAtStartup: boolean };
}

/**
 * Advances election tracking. An election is in progress when voters answer but nobody leads.
 * - Already leaderless in the first round: in progress from `now`, flagged `startedAtStartup`, not counted.
 * - Rounds where no voter answers are blind: an open election stays open (so one election is not
 *   split in two by a blind round), and none starts (no evidence).
 * - Only a leader appearing ends an election; its duration is measured from the first leaderless round.
 */
export function stepElection(previous: ElectionState | undefined, evidence: ElectionEvidence, now: number): ElectionStep {
  const base: ElectionState = previous ? { ...previous } : { inProgress: false };
  if (evidence.leaderPresent) {
    if (!base.inProgress || base.startedAt === undefined) return { election: base, started: false };
    const ended = {
      startedAt: base.startedAt,
      durationMs: now - base.startedAt,
      startedAtStartup: base.startedAtStartup === true,
    };
    const election: ElectionState = { inProgress: false, lastDurationMs: ended.durationMs, lastEndedAt: now };
    return { election, started: false, ended };
  }
  if (base.inProgress || !evidence.voterReachable) return { election: base, started: false };
  const election: ElectionState = { ...base, inProgress: true, startedAt: now };
  if (evidence.firstRound) {
    election.startedAtStartup = true;
    return { election, started: false };
  }
  delete election.startedAtStartup;
  return { election, started: true };
}
