import type { CanaryRound } from '../zk/canary-types.js';
import { appendTimeline, DEFAULT_TIMELINE_LIMIT } from './timeline.js';
import type { CanaryNodeState, DeriveResult, EnsembleState, WritesStalledTransition } from './types.js';

/**
 * Folds a finished canary round into the ensemble's state: `writable` (a write committed through at
 * least one node), each node's probe, and the `writes_stalled` condition with its transitions. Pure:
 * the canary runs on its own timer, so this is called when a round ends, apart from the poll-driven
 * derivation, which carries these fields forward untouched. The first canary round establishes
 * `writable` and emits nothing, like the first poll round.
 */
export function applyCanaryRound(state: EnsembleState, round: CanaryRound, timelineLimit = DEFAULT_TIMELINE_LIMIT): DeriveResult {
  const previous = state.canary;
  const lastSuccess = new Map((previous?.nodes ?? []).map((n) => [n.server, n.lastSuccessAt] as const));
  const nodes = round.nodes.map((result): CanaryNodeState => {
    const node: CanaryNodeState = { server: result.server, ok: result.ok, wrote: result.wrote };
    if (!result.ok) {
      if (result.failedOp !== undefined) node.failedOp = result.failedOp;
      if (result.reason !== undefined) node.reason = result.reason;
    }
    const success = result.ok ? result.finishedAt : lastSuccess.get(result.server);
    if (success !== undefined) node.lastSuccessAt = success;
    return node;
  });
  const writable = nodes.some((n) => n.wrote);
  const at = round.finishedAt;
  const transitions: WritesStalledTransition[] = [];
  if (previous && previous.writable !== writable) {
    transitions.push(
      writable
        ? {
            at,
            ensemble: state.name,
            kind: 'writes_stalled',
            phase: 'ended',
            nodes: nodes.filter((n) => n.wrote).map((n) => ({ server: n.server })),
            durationMs: at - previous.since,
          }
        : {
            at,
            ensemble: state.name,
            kind: 'writes_stalled',
            phase: 'started',
            nodes: nodes.map((n) => ({
              server: n.server,
              ...(n.failedOp ? { failedOp: n.failedOp } : {}),
              ...(n.reason ? { reason: n.reason } : {}),
            })),
          },
    );
  }
  const next: EnsembleState = {
    ...state,
    writable,
    canary: {
      writable,
      writesStalled: !writable,
      since: previous?.writable === writable ? previous.since : at,
      lastRoundAt: at,
      nodes,
    },
    timeline: transitions.length === 0 ? state.timeline : appendTimeline(state.timeline, transitions, timelineLimit),
  };
  return { state: next, transitions };
}

/** The canary fields of `previous`, for a poll-driven derivation to carry forward unchanged. */
export function carryCanary(previous: EnsembleState | undefined): Pick<EnsembleState, 'writable' | 'canary'> {
  return previous?.canary ? { writable: previous.canary.writable, canary: previous.canary } : {};
}
