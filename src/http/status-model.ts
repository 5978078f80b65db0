/**
 * Pure view model of the status page: what the browser draws from the ensemble JSON. It is compiled
 * with the agent and served as is to the browser (`/ui/status-model.js`), so it must stay free of
 * runtime imports and of Node.js or DOM APIs; type-only imports are erased by the compiler.
 */
import type { EnsembleState, LeaderChangedTransition, NodeState, QuorumState, Transition } from '../ensemble/types.js';

/** How far back the chart looks at most. */
export const CHART_WINDOW_MS = 60 * 60 * 1000;
/** The narrowest chart, for an agent that has just started. */
const MIN_WINDOW_MS = 2 * 60 * 1000;

/** A span of time with one value, `from` inclusive, `to` exclusive (Unix ms). */
export interface Segment<T> {
  from: number;
  to: number;
  value: T;
}

/** Who led during a leader segment; `null` in the model means no serving leader (election, split brain). */
export interface LeaderMark {
  server: string;
  serverId?: number;
  /** Unknown for a leader the timeline names without its epoch. */
  epoch?: number;
}

/** Everything the chart draws for one ensemble. */
export interface ChartModel {
  windowStart: number;
  windowMs: number;
  now: number;
  /** Earliest time the chart has data for (the agent's start, or the oldest transition still kept). */
  knownFrom: number;
  quorum: Segment<QuorumState>[];
  leader: Segment<LeaderMark | null>[];
}

/**
 * Earliest time from which `state.timeline` holds every transition: the agent's first round, unless
 * the timeline is full (older transitions were dropped) and then its oldest entry.
 */
export function knownFromOf(state: EnsembleState, timelineLimit: number): number {
  const oldest = state.timeline[0];
  return oldest !== undefined && state.timeline.length >= timelineLimit ? oldest.at : state.initial.at;
}

/** Identity of a transition, for de-duplicating the same transition seen in successive updates. */
function transitionKey(t: Transition): string {
  return JSON.stringify(t);
}

/**
 * Merges the transitions the page already holds with a newer timeline (the agent keeps only the
 * newest N, the page keeps what it saw), drops those older than `keepFrom`, and sorts by time,
 * keeping the agent's order within one round.
 */
export function mergeTimeline(kept: readonly Transition[], incoming: readonly Transition[], keepFrom: number): Transition[] {
  const seen = new Set<string>();
  const merged: Transition[] = [];
  for (const t of [...kept, ...incoming]) {
    const key = transitionKey(t);
    if (seen.has(key) || t.at < keepFrom) continue;
    seen.add(key);
    merged.push(t);
  }
  // Array.prototype.sort is stable: transitions of the same round keep the order they were emitted in.
  return merged.sort((a, b) => a.at - b.at);
}

/** Clips segments to [start, end) and drops the empty ones. */
function clip<T>(segments: Segment<T>[], start: number, end: number): Segment<T>[] {
  return segments.map((s) => ({ from: Math.max(s.from, start), to: Math.min(s.to, end), value: s.value })).filter((s) => s.to > s.from);
}

/** Quorum state over time: the state before the first change is that change's `from`. */
function quorumSegments(state: EnsembleState, timeline: readonly Transition[], knownFrom: number, now: number): Segment<QuorumState>[] {
  const changes = timeline.filter((t) => t.kind === 'quorum_state_changed');
  const segments: Segment<QuorumState>[] = [];
  let current: QuorumState = changes[0]?.from ?? state.quorum;
  let since = knownFrom;
  for (const change of changes) {
    segments.push({ from: since, to: change.at, value: current });
    current = change.to;
    since = change.at;
  }
  segments.push({ from: since, to: now, value: current });
  return segments;
}

/** The leader before the first leadership event of the timeline, read from the events that follow it. */
function leaderBefore(state: EnsembleState, events: readonly Transition[]): LeaderMark | null {
  const first = events[0];
  if (first === undefined) return state.leader ? markOf(state.leader) : null;
  if (first.kind === 'leader_changed') return { server: first.from, ...idOf(first.fromServerId), epoch: first.fromEpoch };
  if (first.kind !== 'election_started') return null;
  // Before an election: the leader the change that ended it names as `from`, or, when no change came
  // with its end, the leader that won it again.
  const later = events.slice(1);
  const ended = later.find((t) => t.kind === 'election_ended');
  if (ended === undefined) return state.lastKnownLeader ? markOf(state.lastKnownLeader) : null;
  const change = later.find((t) => t.kind === 'leader_changed' && t.at === ended.at);
  if (change?.kind === 'leader_changed') return { server: change.from, ...idOf(change.fromServerId), epoch: change.fromEpoch };
  const epoch = epochOf(ended.server, later, state);
  return { server: ended.server, ...idOf(ended.serverId), ...(epoch === undefined ? {} : { epoch }) };
}

/** The epoch `server` led in, from a later change away from it or from the last known leader. */
function epochOf(server: string, later: readonly Transition[], state: EnsembleState): number | undefined {
  const change = later.find((t) => t.kind === 'leader_changed' && t.from === server);
  if (change?.kind === 'leader_changed') return change.fromEpoch;
  return state.lastKnownLeader?.server === server ? state.lastKnownLeader.epoch : undefined;
}

function idOf(serverId: number | undefined): { serverId?: number } {
  return serverId === undefined ? {} : { serverId };
}

function markOf(leader: { server: string; serverId?: number; epoch: number }): LeaderMark {
  return { server: leader.server, ...idOf(leader.serverId), epoch: leader.epoch };
}

function markAfterChange(t: LeaderChangedTransition): LeaderMark {
  return { server: t.to, ...idOf(t.toServerId), epoch: t.toEpoch };
}

/** Leader over time, from leader changes, elections and split brain. */
function leaderSegments(
  state: EnsembleState,
  timeline: readonly Transition[],
  knownFrom: number,
  now: number,
): Segment<LeaderMark | null>[] {
  const events = timeline.filter(
    (t) => t.kind === 'leader_changed' || t.kind === 'election_started' || t.kind === 'election_ended' || t.kind === 'split_brain',
  );
  const segments: Segment<LeaderMark | null>[] = [];
  let current = leaderBefore(state, events);
  let lastLeader = current;
  let since = knownFrom;
  const move = (at: number, next: LeaderMark | null): void => {
    // Events of one round share a time: only the last of them holds for the span after it.
    if (at > since) segments.push({ from: since, to: at, value: current });
    current = next;
    if (next) lastLeader = next;
    since = at;
  };
  for (const event of events) {
    if (event.kind === 'leader_changed') move(event.at, markAfterChange(event));
    else if (event.kind === 'election_started') move(event.at, null);
    else if (event.kind === 'election_ended') {
      // Without a leader_changed in the same round the winner is the last leader, in its epoch.
      const same = lastLeader?.server === event.server ? lastLeader : undefined;
      move(event.at, same ?? { server: event.server, ...idOf(event.serverId) });
    } else if (event.kind === 'split_brain') move(event.at, event.phase === 'started' ? null : state.leader ? markOf(state.leader) : null);
  }
  segments.push({ from: since, to: now, value: current });
  // Consecutive segments of the same leader (an election_ended followed by its leader_changed) join.
  const joined: Segment<LeaderMark | null>[] = [];
  for (const s of segments) {
    const last = joined[joined.length - 1];
    if (last?.to === s.from && sameLeader(last.value, s.value)) {
      last.to = s.to;
      if (last.value?.epoch === undefined) last.value = s.value;
    } else joined.push({ ...s });
  }
  return joined;
}

function sameLeader(a: LeaderMark | null, b: LeaderMark | null): boolean {
  return a === b || (a !== null && b !== null && a.server === b.server && (a.epoch ?? b.epoch) === (b.epoch ?? a.epoch));
}

/**
 * The chart's width in time: the last hour, or less while the agent has not been up that long (so a
 * young agent's few minutes are not a sliver at the edge), never under two minutes.
 */
export function chartWindowMs(knownFrom: number, now: number): number {
  return Math.min(CHART_WINDOW_MS, Math.max(MIN_WINDOW_MS, now - knownFrom));
}

/** The chart of the last `windowMs` for one ensemble, from its state and the transitions the page holds. */
export function chartModel(
  state: EnsembleState,
  timeline: readonly Transition[],
  knownFrom: number,
  now: number,
  windowMs = chartWindowMs(knownFrom, now),
): ChartModel {
  const windowStart = now - windowMs;
  const from = Math.max(knownFrom, windowStart);
  return {
    windowStart,
    windowMs,
    now,
    knownFrom: from,
    quorum: clip(quorumSegments(state, timeline, knownFrom, now), from, now),
    leader: clip(leaderSegments(state, timeline, knownFrom, now), from, now),
  };
}

/** `host:port (id N)`, or just the server when its id is unknown. */
export function serverName(server: string, serverId?: number): string {
  return serverId === undefined ? server : `${server} (id ${serverId})`;
}

/** Lag as the `status` command prints it: `>=N` for a lower bound, empty when unknown. */
export function formatLag(node: Pick<NodeState, 'lag' | 'lagIsLowerBound'>): string {
  if (node.lag === undefined) return '';
  return node.lagIsLowerBound ? `>=${node.lag}` : String(node.lag);
}

/** A duration for people: `850ms`, `12s`, `3m 4s`, `2h 5m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** One line describing a transition, for the page's list of recent changes. */
export function describeTransition(t: Transition): string {
  switch (t.kind) {
    case 'quorum_state_changed':
      return `quorum ${t.from} → ${t.to} (${t.healthyVoters}/${t.voters} voters healthy, margin ${t.margin})`;
    case 'leader_changed':
      return `leader ${serverName(t.from, t.fromServerId)} epoch ${t.fromEpoch} → ${serverName(t.to, t.toServerId)} epoch ${t.toEpoch}`;
    case 'election_started':
      return 'election started';
    case 'election_ended':
      return `election ended after ${formatDuration(t.durationMs)}: ${serverName(t.server, t.serverId)} leads`;
    case 'node_down':
      return `${serverName(t.server, t.serverId)} down (${t.reason}), was ${t.from}`;
    case 'node_up':
      return `${serverName(t.server, t.serverId)} up as ${t.to}`;
    case 'split_brain':
      return `split brain ${t.phase} in epoch ${t.epoch}: ${t.servers.join(', ')}`;
    case 'stale_leader':
      return `stale leader ${serverName(t.server, t.serverId)} in epoch ${t.epoch} (leader's epoch ${t.leaderEpoch})`;
    default: {
      // Kinds added later still get a readable line.
      const other = t as { kind: string; phase?: unknown };
      const phase = typeof other.phase === 'string' ? ` ${other.phase}` : '';
      return `${other.kind.replace(/_/g, ' ')}${phase}`;
    }
  }
}
