/**
 * Several agents, one ensemble: an agent-driven hook fires only when a majority of all configured
 * agents (this one included) report the same incident, and only the lowest-ranked of those agents
 * sends. Pure: views are fetched by `deliver/peer-client.ts`; this only decides.
 */
import { z } from 'zod';
import type { EnsembleState, QuorumState } from '../../ensemble/types.js';
import type { AgentHookEvent } from '../../model/hook-events.js';
import { currentIncidents, type GateDecision, type HeldHook } from './rules.js';

/** What one agent reports about one ensemble for one event. */
export interface PeerView {
  ensemble: string;
  quorum: QuorumState;
  /** The incident key of the event as that agent sees it (see `incidentKey` in rules.ts); undefined = the condition does not hold there. */
  incidentKey: string | undefined;
}

/** One configured peer and what it answered this round. */
export interface PeerEntry {
  id: string;
  rank: number;
  /** Undefined when the peer was unreachable, timed out, answered garbage or did not report the ensemble. */
  view?: PeerView | undefined;
}

/** Inputs of {@link decideAsPeer}. */
export interface DecideAsPeerInput {
  selfId: string;
  /** Lower sends first; ties broken by agent id, so equal ranks (e.g. all 0) mean "by agent id". */
  selfRank: number;
  selfView: PeerView;
  peerViews: readonly PeerEntry[];
  /** Every configured agent, this one included (normally peers + 1). */
  totalAgents: number;
}

/** The decision and why. */
export interface PeerDecision {
  fire: boolean;
  /** `send`: fire; `no_majority`: too few agents agree (try again next round); `other_sends`: a lower-ranked agreeing agent sends. */
  outcome: 'send' | 'no_majority' | 'other_sends';
  reason: string;
  /** Ids of the agreeing agents, sender first. */
  agreeing: string[];
}

/**
 * Fires only when ⌊total/2⌋+1 agents, counting every configured one (an unreachable peer counts
 * against), report the same ensemble, quorum state and incident key as this agent, and this agent
 * ranks lowest among them. So an agent cut off from its peers (the minority side) never fires.
 */
export function decideAsPeer(input: DecideAsPeerInput): PeerDecision {
  const { selfView } = input;
  const total = Math.max(input.totalAgents, input.peerViews.length + 1);
  const majority = Math.floor(total / 2) + 1;
  const agreeing: Array<{ id: string; rank: number }> = [{ id: input.selfId, rank: input.selfRank }];
  let unreachable = 0;
  let disagreeing = 0;
  for (const peer of input.peerViews) {
    if (!peer.view) unreachable++;
    else if (sameIncident(peer.view, selfView)) agreeing.push({ id: peer.id, rank: peer.rank });
    else disagreeing++;
  }
  agreeing.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = agreeing.map((a) => a.id);
  const tally = `${agreeing.length} of ${total} agents agree (majority ${majority}; ${unreachable} unreachable, ${disagreeing} disagree)`;
  if (selfView.incidentKey === undefined || agreeing.length < majority) {
    return { fire: false, outcome: 'no_majority', reason: tally, agreeing: ids };
  }
  const sender = ids[0] as string;
  if (sender !== input.selfId)
    return { fire: false, outcome: 'other_sends', reason: `${tally}; ${sender} ranks lower and sends`, agreeing: ids };
  return { fire: true, outcome: 'send', reason: `${tally}; this agent ranks lowest and sends`, agreeing: ids };
}

/**
 * Turns a peer decision into a rules gate decision. `no_majority` defers (peers poll at other
 * moments and may agree next round). `other_sends` skips, or with `takeover` defers so this agent
 * sends with the same idempotency key if the sender drops out while the condition holds.
 */
export function gateFromPeers(decision: PeerDecision, takeover = false): GateDecision {
  switch (decision.outcome) {
    case 'send':
      return { action: 'send' };
    case 'no_majority':
      return { action: 'defer', reason: decision.reason };
    case 'other_sends':
      return takeover ? { action: 'defer', reason: decision.reason } : { action: 'skip', reason: decision.reason };
  }
}

/** What an agent serves to its peers: its latest view of each ensemble. */
export const peerReportSchema = z.looseObject({
  agentId: z.string().min(1),
  ensembles: z.array(
    z.looseObject({
      ensemble: z.string(),
      quorum: z.enum(['healthy', 'at_risk', 'lost']),
      /** `now` of the agent's latest round of this ensemble. */
      lastRoundAt: z.number(),
      /** Incident key per event whose condition holds (see `currentIncidents`). */
      incidents: z.record(z.string(), z.string()),
    }),
  ),
});

/** A peer's report as validated. */
export type PeerReport = z.infer<typeof peerReportSchema>;

/** Builds this agent's report for its peers from its latest ensemble states. */
export function buildPeerReport(agentId: string, states: Iterable<EnsembleState>): PeerReport {
  const ensembles: PeerReport['ensembles'] = [];
  for (const state of states) {
    // An agent that cannot tell the quorum state has no view to vote with: peers count it as absent.
    if (state.quorum === 'unknown') continue;
    ensembles.push({
      ensemble: state.name,
      quorum: state.quorum,
      lastRoundAt: state.lastRoundAt,
      incidents: { ...currentIncidents(state) },
    });
  }
  return { agentId, ensembles };
}

/** This agent's own view, as peers would see it in its report. */
export function viewOf(state: EnsembleState, event: AgentHookEvent): PeerView {
  return { ensemble: state.name, quorum: state.quorum, incidentKey: currentIncidents(state)[event] };
}

/**
 * A peer's view of `ensemble` for `event` from its report; undefined (counted as unreachable) when
 * there is no report, the ensemble is missing, or — with `freshness` — its last round is older than
 * `maxAgeMs` (a peer whose poller is stuck must not vote; allow for clock skew between hosts).
 */
export function viewFromReport(
  report: PeerReport | undefined,
  ensemble: string,
  event: AgentHookEvent,
  freshness?: { now: number; maxAgeMs: number },
): PeerView | undefined {
  const entry = report?.ensembles.find((e) => e.ensemble === ensemble);
  if (!entry) return undefined;
  if (freshness && freshness.now - entry.lastRoundAt > freshness.maxAgeMs) return undefined;
  return { ensemble, quorum: entry.quorum, incidentKey: entry.incidents[event] };
}

function sameIncident(a: PeerView, b: PeerView): boolean {
  return a.ensemble === b.ensemble && a.quorum === b.quorum && a.incidentKey !== undefined && a.incidentKey === b.incidentKey;
}

/** Inputs of {@link decideWithPeers}. */
export interface PeerRoundInput {
  selfId: string;
  /** This agent's state of the ensemble the due hook is about. */
  state: EnsembleState;
  ensemble: string;
  event: AgentHookEvent;
  /** What each peer answered this round (a report, or nothing when it failed). */
  reports: ReadonlyArray<{ url: string; report?: PeerReport | undefined }>;
  now: number;
  /** Views from rounds older than this do not vote (a stuck poller must not). */
  maxAgeMs: number;
}

/** Decides one due hook against this round's peer reports; every peer ranks equal, so ties go by agent id. */
export function decideWithPeers(input: PeerRoundInput): PeerDecision {
  return decideAsPeer({
    selfId: input.selfId,
    selfRank: 0,
    selfView: viewOf(input.state, input.event),
    peerViews: input.reports.map((r) => ({
      id: r.report?.agentId ?? r.url,
      rank: 0,
      view: viewFromReport(r.report, input.ensemble, input.event, { now: input.now, maxAgeMs: input.maxAgeMs }),
    })),
    totalAgents: input.reports.length + 1,
  });
}

/**
 * Whether a dry evaluation (every hook that passes maintenance deferred with reason `probe`)
 * found anything that would be sent: only then are the peers asked.
 */
export function peersNeeded(probe: { due: readonly unknown[]; held: ReadonlyArray<Pick<HeldHook, 'why' | 'reason'>> }): boolean {
  return probe.due.length > 0 || probe.held.some((h) => h.why === 'deferred' && h.reason === PROBE_REASON);
}

/** The reason a probing gate defers with (see {@link peersNeeded}). */
export const PROBE_REASON = 'probe';
