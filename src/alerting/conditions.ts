/**
 * Which of the agent's own alert conditions an ensemble state shows. Alert names are those of the
 * Prometheus rules in alerts/rules.ts where they mean the same thing, so Alertmanager groups the
 * two sources together. Pure.
 */
import type { EnsembleState } from '../ensemble/types.js';

/** Alert severities, as the Prometheus rules use them. */
export type AlertSeverity = 'critical' | 'warning';

/** The conditions the agent pushes, in the order they are evaluated. */
export const PUSHED_ALERTS = [
  'ZookeeperQuorumLost',
  'ZookeeperQuorumAtRisk',
  'ZookeeperNoLeader',
  'ZookeeperSplitBrain',
  'ZookeeperStaleLeader',
  'ZookeeperWritesStalled',
] as const;

/** One pushed alert name. */
export type PushedAlertName = (typeof PUSHED_ALERTS)[number];

/** Severity of each pushed alert (the same as its Prometheus rule's). */
export const ALERT_SEVERITY: Readonly<Record<PushedAlertName, AlertSeverity>> = {
  ZookeeperQuorumLost: 'critical',
  ZookeeperQuorumAtRisk: 'warning',
  ZookeeperNoLeader: 'critical',
  ZookeeperSplitBrain: 'critical',
  ZookeeperStaleLeader: 'warning',
  ZookeeperWritesStalled: 'critical',
};

/**
 * A condition's verdict this round: `active` / `inactive`, or `hold` when the state proves neither
 * (quorum `unknown`: voters the agent cannot see could make the difference), so an alert already
 * firing keeps firing and none starts or resolves on a guess.
 */
export type Verdict = { status: 'active'; summary: string; description: string } | { status: 'inactive' } | { status: 'hold' };

/** The verdict of every pushed alert for one ensemble's state. */
export function evaluateConditions(state: EnsembleState): Record<PushedAlertName, Verdict> {
  const unknown = state.quorum === 'unknown';
  const down = state.nodes
    .filter((n) => n.voter && !['leader', 'follower', 'standalone'].includes(n.role))
    .map((n) => n.server)
    .join(', ');
  const notServing = down === '' ? 'none' : down;
  const quorumFacts = `${state.healthyVoters} of ${state.voters} voters serve, a majority is ${state.majority}. Not serving: ${notServing}.`;
  const inactive: Verdict = { status: 'inactive' };
  const hold: Verdict = { status: 'hold' };

  const lost: Verdict =
    state.quorum === 'lost'
      ? active(
          `ZooKeeper ensemble ${state.name} has lost quorum`,
          `Reads, writes and new sessions fail until a majority returns. ${quorumFacts}`,
        )
      : unknown
        ? hold
        : inactive;
  const atRisk: Verdict =
    state.quorum === 'at_risk'
      ? active(`ZooKeeper ensemble ${state.name} is one failure away from losing quorum`, quorumFacts)
      : unknown
        ? hold
        : inactive;

  // A split brain has leaders (its own alert); during one `leader` is absent by definition.
  let noLeader: Verdict = inactive;
  if (state.leader === undefined && !state.splitBrain) {
    noLeader = unknown
      ? hold
      : active(`No node of ZooKeeper ensemble ${state.name} serves as leader`, `Reads, writes and new sessions fail. ${quorumFacts}`);
  }

  const splitBrain: Verdict = state.splitBrain
    ? active(
        `Two ZooKeeper nodes of ${state.name} lead in the same epoch`,
        `Claiming leadership: ${state.splitBrainLeaders.join(', ')}. Clients on different sides may see diverging data.`,
      )
    : inactive;
  const staleLeader: Verdict =
    state.staleLeaders.length > 0
      ? active(
          `A deposed ZooKeeper leader of ${state.name} still answers as leader`,
          `Still answering as leader of an older epoch: ${state.staleLeaders.join(', ')}; current leader: ${state.leader?.server ?? 'none'}.`,
        )
      : inactive;
  // Without a canary nothing is known about writes: the alert never fires.
  const writesStalled: Verdict =
    state.canary?.writesStalled === true
      ? active(
          `Writes to ZooKeeper ensemble ${state.name} are stalled`,
          'No canary write committed through any node in the latest canary round.',
        )
      : inactive;

  return {
    ZookeeperQuorumLost: lost,
    ZookeeperQuorumAtRisk: atRisk,
    ZookeeperNoLeader: noLeader,
    ZookeeperSplitBrain: splitBrain,
    ZookeeperStaleLeader: staleLeader,
    ZookeeperWritesStalled: writesStalled,
  };
}

function active(summary: string, description: string): Verdict {
  return { status: 'active', summary, description };
}
