/**
 * The agent-driven rule engine: (previous rules state, this round's ensemble state and transitions,
 * now) → (new rules state, hooks due). Pure: no clock, no I/O; the caller passes `now`, an
 * in-flight probe over its outbox and an optional gate (maintenance, peers).
 *
 * Idempotency keys are built from facts every agent watching the ensemble shares, never from the
 * moment one agent happened to poll; the scheme is described at {@link incidentKey} and
 * {@link idempotencyKeyOf}.
 */
import { createHash } from 'node:crypto';
import type { HookRuleConfig } from '../../config/types.js';
import type { EnsembleState, NodeState, Transition } from '../../ensemble/types.js';
import type { AgentHookEvent } from '../../model/hook-events.js';

/** Election length used by `election_too_long` rules that do not set `electionTooLongMs`. */
const DEFAULT_ELECTION_TOO_LONG_MS = 30_000;

/** Width of the onset bucket that tells apart repeats of one fault within a leader epoch (see {@link idempotencyKeyOf}). */
const DEFAULT_INCIDENT_BUCKET_MS = 10 * 60_000;

/** A hook the engine decided to call. */
export interface DueHook {
  rule: HookRuleConfig;
  event: AgentHookEvent;
  /** Ensemble name. */
  ensemble: string;
  /** What peers compare: `ensemble/event/facts` (see {@link incidentKey}). */
  incidentKey: string;
  /** Sent as `Idempotency-Key`; starts with `<hook>/<ensemble>/<event>/`. */
  idempotencyKey: string;
  /** Unix ms this agent first saw the condition (or the edge). */
  triggeredAt: number;
  /** Transitions of the round in which the condition started (or the edge itself). */
  transitions: Transition[];
}

/** What a gate tells the engine about a due hook. */
export type GateDecision =
  /** Send it: the episode is done and the cooldown starts. */
  | { action: 'send' }
  /** Not now: keep it due and ask again next round (e.g. peers do not agree yet). */
  | { action: 'defer'; reason: string }
  /** Record it as suppressed and close the episode (e.g. maintenance). */
  | { action: 'suppress'; reason: string }
  /** Close the episode without sending (e.g. another agent sends). */
  | { action: 'skip'; reason: string };

/** Inputs of one evaluation for one ensemble. */
export interface RulesInput {
  /** The ensemble's state after this round. */
  ensemble: EnsembleState;
  /** This round's transitions (those of other ensembles are ignored). */
  transitions: readonly Transition[];
  now: number;
  /** The agent's first round (or the first after a restart with persisted rules state): conditions already true are not fired unless `fireOnStartup`. */
  firstRound: boolean;
  /** True while the outbox holds an undelivered intent for `hook` whose idempotency key starts with `keyPrefix`. */
  inFlight: (hook: string, keyPrefix: string) => boolean;
  /** Asked for each hook that is due and out of cooldown; absent = always send. */
  gate?: (due: DueHook) => GateDecision;
  /** @default DEFAULT_INCIDENT_BUCKET_MS */
  incidentBucketMs?: number;
}

/** A due hook not sent this round but still due: it is offered again next round. */
export interface HeldHook {
  due: DueHook;
  why: 'cooldown' | 'in_flight' | 'deferred';
  reason: string;
}

/** An episode closed without a send. */
export interface ConsumedHook {
  due: DueHook;
  why: 'startup' | 'suppressed' | 'skipped';
  reason: string;
}

/** What {@link evaluateRules} returns. */
export interface RulesResult {
  state: RulesState;
  /** Hooks to send now (the caller persists each as an intent). */
  due: DueHook[];
  held: HeldHook[];
  consumed: ConsumedHook[];
}

/** An active cooldown. */
export interface Cooldown {
  firedAt: number;
  until: number;
  idempotencyKey: string;
}

/** Who acknowledged a hook+ensemble+event, and when. */
export interface AckInfo {
  by: string;
  at: number;
  comment?: string;
}

/** What the engine remembers about one rule on one ensemble (plain JSON). */
export interface RuleTrack {
  hook: string;
  ensemble: string;
  event: AgentHookEvent;
  /** Level: onset of the condition (absent when it does not hold). Edge: time of the pending edge (absent when none). */
  since?: number;
  /** Level only: this episode was already fired or closed; re-armed when the condition clears. */
  fired: boolean;
  /** Edge `leader_changed`: the incident key of the pending change (a later change replaces it). */
  subject?: string;
  transitions: Transition[];
  /** `quorum_restored` only: first round of the current unhealthy episode. */
  badSince?: number;
  /** `quorum_restored` only: facts of the at_risk/lost incident being recovered from (`<facts>@<onset bucket>`). */
  recovers?: string;
  cooldown?: Cooldown;
  lastAck?: AckInfo;
}

/** The engine's memory across rounds: JSON-serialisable, keyed by `<hook>/<ensemble>/<event>`. */
export interface RulesState {
  version: 1;
  tracks: Record<string, RuleTrack>;
}

/** An acknowledgement as recorded in the audit trail. */
export interface AckRecord {
  ensemble: string;
  event: AgentHookEvent;
  /** Only this hook's cooldown; undefined = every hook of the ensemble+event. */
  hook?: string;
  by: string;
  at: number;
  comment?: string;
  /** Hooks whose running cooldown was cleared (empty when none was running). */
  cleared: string[];
}

// Level conditions fire once per episode; the others are edges (fire once per occurrence).
const LEVEL_EVENTS: ReadonlySet<AgentHookEvent> = new Set([
  'quorum_at_risk',
  'quorum_lost',
  'split_brain',
  'election_too_long',
  'writes_stalled',
]);

// Events whose facts may repeat within one leader epoch (a follower restarting twice, an agent-side
// network blip, a disk filling twice) and so need the onset bucket to tell incidents apart; a leader
// change or a split brain is unique to its epoch already.
const BUCKETED_EVENTS: ReadonlySet<AgentHookEvent> = new Set(['quorum_at_risk', 'quorum_lost', 'quorum_restored', 'writes_stalled']);

const HEALTHY_ROLES: ReadonlySet<string> = new Set(['leader', 'follower', 'standalone']);

/**
 * The facts of the incident `event` as this state shows them, prefixed `ensemble/event/`: equal on
 * every agent whose latest round saw the same ensemble, whenever it polled. Peers compare it.
 * - `quorum_at_risk`: `e<leader epoch>/<hash of the sorted unhealthy voters>`
 * - `quorum_lost`: `e<last known leader epoch>/<hash of the sorted unhealthy voters>`
 * - `quorum_restored`: `e<leader epoch>`
 * - `leader_changed`: `e<epoch>/<leader: id<myid> or host:port>`
 * - `split_brain`: `e<split epoch>/<hash of the sorted claiming leaders>`
 * - `election_too_long`: `after-e<last known leader epoch>` (every election ends in a new epoch)
 * - `writes_stalled`: `e<last known leader epoch>` (which probes failed, and why, differs between
 *   agents: each runs its own canary, so only the epoch is shared)
 * `e-` stands for "no leader seen yet". Voters are named `id<myid>` when known, else `host:port`.
 */
function incidentKey(event: AgentHookEvent, state: EnsembleState): string {
  const known = state.leader ?? state.lastKnownLeader;
  const epoch = epochLabel(known?.epoch);
  let facts: string;
  switch (event) {
    case 'quorum_at_risk':
    case 'quorum_lost':
      facts = `${epoch}/${shortHash(unhealthyVoters(state))}`;
      break;
    case 'quorum_restored':
      facts = epoch;
      break;
    case 'leader_changed':
      facts = state.leader ? `${epochLabel(state.leader.epoch)}/${nodeId(state.leader)}` : `${epoch}/-`;
      break;
    case 'split_brain': {
      const claimants = state.nodes.filter((n) => state.splitBrainLeaders.includes(n.server));
      const splitEpoch = Math.max(-1, ...claimants.map((n) => n.zxid?.epoch ?? -1));
      facts = `${epochLabel(splitEpoch < 0 ? undefined : splitEpoch)}/${shortHash(claimants.map(nodeId))}`;
      break;
    }
    case 'election_too_long':
      facts = `after-${epochLabel(state.lastKnownLeader?.epoch)}`;
      break;
    case 'writes_stalled':
      facts = epoch;
      break;
  }
  return `${encodeURIComponent(state.name)}/${event}/${facts}`;
}

/**
 * The idempotency key: `<hook>/<incidentKey>`, plus `/<onset bucket, ISO UTC>` for quorum_at_risk,
 * quorum_lost, quorum_restored and writes_stalled (a restored hook seen recovering uses `/after/<facts@bucket of the
 * at_risk/lost incident it ends>` instead, see the rules engine), whose facts repeat when the same fault recurs in one epoch (the
 * outbox would drop the repeat as already done). Agents see an onset at most a poll interval apart,
 * so they share the bucket unless the onset straddles a bucket boundary: then a second agent that
 * takes over sends a duplicate the receiver cannot drop — rare, and preferred to losing a repeat.
 */
function idempotencyKeyOf(
  hook: string,
  event: AgentHookEvent,
  state: EnsembleState,
  onset: number,
  bucketMs = DEFAULT_INCIDENT_BUCKET_MS,
): string {
  const base = `${encodeURIComponent(hook)}/${incidentKey(event, state)}`;
  if (!BUCKETED_EVENTS.has(event)) return base;
  return `${base}/${bucketLabel(onset, bucketMs)}`;
}

/** The onset bucket as ISO UTC to the second, e.g. `2026-11-25T10:10:00Z`. */
function bucketLabel(onset: number, bucketMs: number): string {
  return `${new Date(Math.floor(onset / bucketMs) * bucketMs).toISOString().slice(0, 19)}Z`;
}

/**
 * Incident keys of the conditions this state shows true, for the view peers compare: level
 * conditions when they hold (election_too_long whenever an election is under way: the threshold
 * is each agent's own), leader_changed while a leader serves, quorum_restored while healthy.
 */
export function currentIncidents(state: EnsembleState): Partial<Record<AgentHookEvent, string>> {
  const out: Partial<Record<AgentHookEvent, string>> = {};
  if (state.quorum === 'at_risk') out.quorum_at_risk = incidentKey('quorum_at_risk', state);
  if (state.quorum === 'lost') out.quorum_lost = incidentKey('quorum_lost', state);
  if (state.quorum === 'healthy' && state.leader) out.quorum_restored = incidentKey('quorum_restored', state);
  if (state.leader) out.leader_changed = incidentKey('leader_changed', state);
  if (state.splitBrain) out.split_brain = incidentKey('split_brain', state);
  if (state.election.inProgress) out.election_too_long = incidentKey('election_too_long', state);
  if (state.canary?.writesStalled === true) out.writes_stalled = incidentKey('writes_stalled', state);
  return out;
}

/**
 * Evaluates `rules` for one ensemble after one round. Tracks of other ensembles pass through
 * untouched; tracks of rules no longer configured for this ensemble are dropped. When several rules
 * share hook+event on one ensemble, the first one wins.
 */
export function evaluateRules(previous: RulesState | undefined, input: RulesInput, rules: readonly HookRuleConfig[]): RulesResult {
  const { ensemble: state, now } = input;
  const name = state.name;
  const prevTracks = previous?.version === 1 ? previous.tracks : {};
  const tracks: Record<string, RuleTrack> = {};
  for (const [key, track] of Object.entries(prevTracks)) if (track.ensemble !== name) tracks[key] = track;
  const transitions = input.transitions.filter((t) => t.ensemble === name);
  const result: RulesResult = { state: { version: 1, tracks }, due: [], held: [], consumed: [] };
  const bucketMs = input.incidentBucketMs ?? DEFAULT_INCIDENT_BUCKET_MS;

  for (const rule of rules) {
    if (rule.ensembles !== undefined && !rule.ensembles.includes(name)) continue;
    const key = trackKey(rule.hook, name, rule.event);
    if (tracks[key]) continue;
    const old = prevTracks[key];
    // After a restart the old episode bookkeeping says nothing about what this process has sent;
    // only the cooldown (a time) still means something.
    const isNew = input.firstRound || old === undefined;
    const track: RuleTrack = isNew
      ? withOptional(
          { hook: rule.hook, ensemble: name, event: rule.event, fired: false, transitions: [] },
          { cooldown: old?.cooldown, lastAck: old?.lastAck },
        )
      : { ...old, transitions: old.transitions };
    if (track.cooldown && now >= track.cooldown.until) delete track.cooldown;
    tracks[key] = track;

    const dueAt = LEVEL_EVENTS.has(rule.event)
      ? stepLevel(track, rule, state, transitions, now, isNew)
      : stepEdge(track, rule, state, transitions, now, bucketMs);
    if (dueAt === 'startup') {
      result.consumed.push({
        due: dueOf(rule, track, state, bucketMs),
        why: 'startup',
        reason: 'condition already true when the rule first saw the ensemble',
      });
      continue;
    }
    if (!dueAt) continue;

    const due = dueOf(rule, track, state, bucketMs);
    if (track.cooldown) {
      result.held.push({ due, why: 'cooldown', reason: `cooldown until ${new Date(track.cooldown.until).toISOString()}` });
      continue;
    }
    if (input.inFlight(rule.hook, `${key}/`)) {
      result.held.push({ due, why: 'in_flight', reason: 'a delivery for this hook, ensemble and event is still in flight' });
      continue;
    }
    const decision = input.gate?.(due) ?? { action: 'send' };
    switch (decision.action) {
      case 'send':
        closeEpisode(track, rule);
        track.cooldown = { firedAt: now, until: now + rule.cooldownMs, idempotencyKey: due.idempotencyKey };
        result.due.push(due);
        break;
      case 'defer':
        result.held.push({ due, why: 'deferred', reason: decision.reason });
        break;
      case 'suppress':
      case 'skip':
        closeEpisode(track, rule);
        result.consumed.push({ due, why: decision.action === 'suppress' ? 'suppressed' : 'skipped', reason: decision.reason });
        break;
    }
  }
  return result;
}

/**
 * Clears the running cooldown of `hook` (or every hook) for ensemble+event early, so the next
 * episode fires at once. A delivery still in flight keeps blocking: the ack ends the wait, not the
 * guarantee of one delivery at a time.
 */
export function acknowledge(
  state: RulesState | undefined,
  ack: { ensemble: string; event: AgentHookEvent; hook?: string; by: string; at: number; comment?: string },
): { state: RulesState; ack: AckRecord } {
  const tracks: Record<string, RuleTrack> = { ...(state?.version === 1 ? state.tracks : {}) };
  const cleared: string[] = [];
  const info: AckInfo = withOptional({ by: ack.by, at: ack.at }, { comment: ack.comment });
  for (const [key, track] of Object.entries(tracks)) {
    if (track.ensemble !== ack.ensemble || track.event !== ack.event) continue;
    if (ack.hook !== undefined && track.hook !== ack.hook) continue;
    const next: RuleTrack = { ...track, lastAck: info };
    if (next.cooldown && next.cooldown.until > ack.at) cleared.push(track.hook);
    delete next.cooldown;
    tracks[key] = next;
  }
  const record: AckRecord = withOptional(
    { ensemble: ack.ensemble, event: ack.event, by: ack.by, at: ack.at, cleared: cleared.sort() },
    { hook: ack.hook, comment: ack.comment },
  );
  return { state: { version: 1, tracks }, ack: record };
}

/** Drops the tracks of ensembles no longer configured (after a reload). */
export function forgetEnsembles(state: RulesState, keep: readonly string[]): RulesState {
  const tracks: Record<string, RuleTrack> = {};
  for (const [key, track] of Object.entries(state.tracks)) if (keep.includes(track.ensemble)) tracks[key] = track;
  return { version: 1, tracks };
}

// Advances a level track; returns true when the episode is due, 'startup' when it is closed as
// already true at start-up.
function stepLevel(
  track: RuleTrack,
  rule: HookRuleConfig,
  state: EnsembleState,
  transitions: Transition[],
  now: number,
  isNew: boolean,
): boolean | 'startup' {
  // An unknown quorum neither holds nor clears at_risk/lost: the episode waits as it is for evidence.
  if (state.quorum === 'unknown' && (rule.event === 'quorum_at_risk' || rule.event === 'quorum_lost')) return false;
  if (!levelHolds(rule, state, now)) {
    delete track.since;
    delete track.subject;
    track.fired = false;
    track.transitions = [];
    return false;
  }
  if (track.since === undefined) {
    track.since = onsetOf(rule, state, now);
    track.transitions = onsetTransitions(rule, state, transitions);
    if ((isNew || heldSinceStartup(rule, state)) && !rule.fireOnStartup) {
      track.fired = true;
      return 'startup';
    }
    // Lost → at risk is a recovery under way (a node came back before the others), not a new
    // incident: the loss was announced and quorum_restored will close it.
    if (
      rule.event === 'quorum_at_risk' &&
      transitions.some((t) => t.kind === 'quorum_state_changed' && t.from === 'lost' && t.to === 'at_risk')
    ) {
      track.fired = true;
      return false;
    }
  }
  return !track.fired && now - track.since >= rule.forMs;
}

// Advances an edge track: a new edge replaces a pending one; a pending edge whose condition no
// longer holds (the leader changed again, quorum was lost again) is dropped.
function stepEdge(
  track: RuleTrack,
  rule: HookRuleConfig,
  state: EnsembleState,
  transitions: Transition[],
  now: number,
  bucketMs: number,
): boolean {
  if (rule.event === 'leader_changed') {
    const edge = lastOf(transitions, (t) => t.kind === 'leader_changed');
    if (edge && state.leader) {
      track.since = now;
      track.subject = incidentKey('leader_changed', state);
      track.transitions = [edge];
    }
    if (track.since !== undefined && (!state.leader || incidentKey('leader_changed', state) !== track.subject)) closeEpisode(track, rule);
  } else {
    // `unknown` is no incident: it neither starts one nor ends one, so healthy → unknown → healthy
    // restores nothing, while lost → unknown → healthy still restores the loss.
    const wasBad = track.badSince !== undefined;
    if (state.quorum === 'at_risk' || state.quorum === 'lost') {
      // Remember what is being recovered from: the restored key then pairs with that incident, so two
      // recoveries in one leader epoch (a follower failing twice) are two deliveries, not one.
      track.badSince ??= now;
      const bad = incidentKey(state.quorum === 'lost' ? 'quorum_lost' : 'quorum_at_risk', state);
      track.recovers = `${bad.split('/').slice(1).join('/')}@${bucketLabel(track.badSince, bucketMs)}`;
    } else if (state.quorum === 'healthy') {
      delete track.badSince;
    }
    const edge = lastOf(
      transitions,
      (t) =>
        t.kind === 'quorum_state_changed' &&
        t.to === 'healthy' &&
        (t.from === 'at_risk' || t.from === 'lost' || (t.from === 'unknown' && wasBad)),
    );
    if (edge) {
      track.since = now;
      track.transitions = [edge];
    }
    if (track.since !== undefined && state.quorum !== 'healthy') closeEpisode(track, rule);
  }
  track.fired = false;
  return track.since !== undefined && now - track.since >= rule.forMs;
}

function levelHolds(rule: HookRuleConfig, state: EnsembleState, now: number): boolean {
  switch (rule.event) {
    case 'quorum_at_risk':
      return state.quorum === 'at_risk';
    case 'quorum_lost':
      return state.quorum === 'lost';
    case 'split_brain':
      return state.splitBrain;
    case 'election_too_long': {
      const { inProgress, startedAt } = state.election;
      return inProgress && startedAt !== undefined && now - startedAt >= (rule.electionTooLongMs ?? DEFAULT_ELECTION_TOO_LONG_MS);
    }
    case 'writes_stalled':
      // A failed write is evidence in itself, whatever the quorum looks like (even `unknown`); without
      // a canary there is no evidence either way, so it never holds.
      return state.canary?.writesStalled === true;
    default:
      return false;
  }
}

// When a level condition started. A write stall is seen by the canary, which runs between poll
// rounds: the stall began at the canary round that saw it, not at the poll round that reads it.
function onsetOf(rule: HookRuleConfig, state: EnsembleState, now: number): number {
  if (rule.event === 'writes_stalled' && state.canary !== undefined) return Math.min(now, state.canary.since);
  return now;
}

// A write stall the canary's first round already saw (it emits no `started` transition): writes were
// stalled before the agent could watch them, which is a condition already true at start-up even when
// the rules saw earlier poll rounds (the canary's first round may land a few poll rounds late).
function heldSinceStartup(rule: HookRuleConfig, state: EnsembleState): boolean {
  if (rule.event !== 'writes_stalled' || state.canary === undefined) return false;
  return stallTransition(state) === undefined;
}

// The `started` transition of the current write stall, from the timeline (absent when the canary's
// first round saw it, or the timeline dropped it).
function stallTransition(state: EnsembleState): Transition | undefined {
  const since = state.canary?.since ?? 0;
  return lastOf(state.timeline, (t) => t.kind === 'writes_stalled' && t.phase === 'started' && t.at >= since);
}

// The transitions an episode carries. A canary round's transitions reach the timeline between poll
// rounds, so a write stall's own `started` transition is taken from the timeline.
function onsetTransitions(rule: HookRuleConfig, state: EnsembleState, transitions: readonly Transition[]): Transition[] {
  if (rule.event !== 'writes_stalled') return [...transitions];
  const started = stallTransition(state);
  return started ? [started] : [...transitions];
}

function closeEpisode(track: RuleTrack, rule: HookRuleConfig): void {
  if (LEVEL_EVENTS.has(rule.event)) {
    track.fired = true;
    return;
  }
  delete track.since;
  delete track.subject;
  track.transitions = [];
}

function dueOf(rule: HookRuleConfig, track: RuleTrack, state: EnsembleState, bucketMs: number): DueHook {
  const triggeredAt = track.since ?? state.lastRoundAt;
  const idempotencyKey =
    rule.event === 'quorum_restored' && track.recovers !== undefined
      ? `${encodeURIComponent(rule.hook)}/${incidentKey(rule.event, state)}/after/${track.recovers}`
      : idempotencyKeyOf(rule.hook, rule.event, state, triggeredAt, bucketMs);
  return {
    rule,
    event: rule.event,
    ensemble: state.name,
    incidentKey: incidentKey(rule.event, state),
    idempotencyKey,
    triggeredAt,
    transitions: track.transitions,
  };
}

// Array#findLast is ES2023; the project targets ES2022.
function lastOf<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as T;
    if (test(item)) return item;
  }
  return undefined;
}

function trackKey(hook: string, ensemble: string, event: AgentHookEvent): string {
  return `${encodeURIComponent(hook)}/${encodeURIComponent(ensemble)}/${event}`;
}

function epochLabel(epoch: number | undefined): string {
  return epoch === undefined ? 'e-' : `e${epoch}`;
}

function nodeId(node: { server: string; serverId?: number }): string {
  return node.serverId !== undefined ? `id${node.serverId}` : node.server;
}

// Voters not counted healthy: not serving as leader/follower/standalone, or a deposed leader still
// answering in an older epoch.
function unhealthyVoters(state: EnsembleState): string[] {
  return state.nodes.filter((n: NodeState) => n.voter && (!HEALTHY_ROLES.has(n.role) || state.staleLeaders.includes(n.server))).map(nodeId);
}

// Sorted so every agent hashes the same set the same way, whatever order its nodes are in.
function shortHash(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...ids].sort().join(','))
    .digest('hex')
    .slice(0, 12);
}

// Leaves out keys whose value is undefined, so a state read back from JSON deep-equals the one written.
function withOptional<T extends object, O extends object>(base: T, optional: O): T & { [K in keyof O]?: Exclude<O[K], undefined> } {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out as T & { [K in keyof O]?: Exclude<O[K], undefined> };
}
