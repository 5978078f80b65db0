import type { EnsembleState, QuorumState } from '../ensemble/types.js';

/** Exit code of `status`: 0 healthy, 1 at risk, 2 lost (the worst ensemble decides). */
export function statusExitCode(states: readonly EnsembleState[]): 0 | 1 | 2 {
  const rank: Record<QuorumState, 0 | 1 | 2> = { healthy: 0, at_risk: 1, lost: 2 };
  return states.reduce<0 | 1 | 2>((worst, s) => (rank[s.quorum] > worst ? rank[s.quorum] : worst), 0);
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
}

/** Renders one ensemble as a readable table plus its quorum line. Pure. */
export function renderStatus(state: EnsembleState): string {
  const rows: string[][] = [['SERVER', 'ID', 'ROLE', 'ZXID', 'LAG', 'OUTSTANDING', 'CONNECTIONS']];
  for (const node of state.nodes) {
    const role = node.role === 'down' ? `down (${node.reason ?? 'unknown'})` : node.role;
    const lag = node.lag === undefined ? '-' : `${node.lagIsLowerBound ? '>=' : ''}${node.lag}`;
    rows.push([
      node.server,
      node.serverId === undefined ? '-' : String(node.serverId),
      node.voter ? role : `${role} [non-voter]`,
      node.zxid?.hex ?? '-',
      lag,
      node.outstanding === undefined ? '-' : String(node.outstanding),
      node.connections === undefined ? '-' : String(node.connections),
    ]);
  }
  const leader = state.leader
    ? `leader ${state.leader.server}${state.leader.serverId === undefined ? '' : ` (id ${state.leader.serverId})`} epoch ${state.leader.epoch}`
    : state.splitBrain
      ? `SPLIT BRAIN: ${state.splitBrainLeaders.join(', ')}`
      : state.election.inProgress
        ? 'no leader: election in progress'
        : 'no leader';
  const quorum =
    `quorum ${state.quorum.toUpperCase()}: ${state.healthyVoters}/${state.voters} voters healthy, ` +
    `majority ${state.majority}, margin ${state.margin}; ${leader}; membership from ${state.membershipSource}`;
  return [`ensemble ${state.name}`, ...pad(rows), quorum].join('\n');
}
