import type { EnsembleState, QuorumState } from '../ensemble/types.js';

/**
 * Exit code of `status`, as monitoring plugins answer: 0 OK (healthy), 1 warning (at risk),
 * 2 critical (lost, or split brain whatever the quorum), 3 unknown (neither health nor loss proven).
 * The worst ensemble decides, worst being critical, then unknown (it may be lost), then at risk.
 */
export function statusExitCode(states: readonly EnsembleState[]): 0 | 1 | 2 | 3 {
  const severity: Record<QuorumState, number> = { healthy: 0, at_risk: 1, unknown: 2, lost: 3 };
  const code: Record<QuorumState, 0 | 1 | 2 | 3> = { healthy: 0, at_risk: 1, unknown: 3, lost: 2 };
  const quorum = (s: EnsembleState): QuorumState => (s.splitBrain ? 'lost' : s.quorum);
  const worst = states.reduce<QuorumState>((w, s) => (severity[quorum(s)] > severity[w] ? quorum(s) : w), 'healthy');
  return code[worst];
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  );
}

/** The write canary's line, only for an ensemble with a canary round behind it. */
function writesLine(state: EnsembleState): string[] {
  const canary = state.canary;
  if (!canary) return [];
  const wrote = canary.nodes.filter((n) => n.wrote).length;
  const failed = canary.nodes.filter((n) => !n.ok).map((n) => `${n.server} ${n.failedOp ?? 'probe'} ${n.reason ?? 'failed'}`);
  const head = canary.writable
    ? `writes OK: committed through ${wrote}/${canary.nodes.length} nodes`
    : `writes STALLED: no write committed through any of ${canary.nodes.length} nodes`;
  return [failed.length === 0 ? head : `${head}; ${failed.join(', ')}`];
}

/** Renders one ensemble as a readable table plus its quorum line (and the write canary's, when it runs). Pure. */
export function renderStatus(state: EnsembleState): string {
  const rows: string[][] = [['SERVER', 'ID', 'ROLE', 'ZXID', 'LAG', 'OUTSTANDING', 'CONNECTIONS']];
  for (const node of state.nodes) {
    const role = node.role === 'down' || node.role === 'unknown' ? `${node.role} (${node.reason ?? 'unknown'})` : node.role;
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
        : state.quorum === 'healthy' || state.quorum === 'at_risk'
          ? 'leader not polled (its followers serve)'
          : state.unknownVoters > 0
            ? 'no leader seen'
            : 'no leader';
  const quorum =
    `quorum ${state.quorum.toUpperCase()}: ${state.healthyVoters}/${state.voters} voters healthy, ` +
    `majority ${state.majority}, margin ${state.margin}` +
    `${state.unknownVoters > 0 ? `, ${state.unknownVoters} unknown` : ''}; ${leader}; membership from ${state.membershipSource}`;
  return [`ensemble ${state.name}`, ...pad(rows), quorum, ...writesLine(state)].join('\n');
}
