import type { NodeSample } from '../commands/index.js';
import type { QuorumMember, ServerConfigRecord } from '../parse/types.js';
import type { ConfMembership, MembershipConflict } from './types.js';

/** One node's latest `conf` with a membership block (asked this round or carried from an earlier one). */
export interface ConfReport {
  server: string;
  serverId?: number;
  conf: ServerConfigRecord;
  /** When that conf was asked. */
  at: number;
  /** What agreement compares: the config version and who is a member in which role. */
  key: string;
}

/** The outcome of comparing this round's `conf` memberships. */
export interface ConfAgreement {
  /** The record of the accepted membership (the most recently asked of those agreeing); undefined when none is. */
  conf?: ServerConfigRecord;
  /** Distinct nodes that vouched for it. */
  agreedBy: number;
}

/** A conf `version=` in one spelling (lower case, no `0x`, no leading zeros); empty when missing. */
function normalVersion(version: string | undefined): string {
  if (version === undefined) return '';
  return version
    .trim()
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/^0+(?=.)/, '');
}

/**
 * What two confs must share to agree: the version and each member's id and role. Addresses are left
 * out: a node commonly lists itself as 0.0.0.0, so agreeing nodes print different hosts.
 */
export function membershipKey(members: readonly QuorumMember[], configVersion: string | undefined): string {
  const roles = [...members].sort((a, b) => a.id - b.id).map((m) => `${m.id}:${m.role === 'participant' ? 'p' : 'o'}`);
  return `${normalVersion(configVersion)}|${roles.join(',')}`;
}

const confKeys = new WeakMap<object, string>();

/**
 * {@link membershipKey} of one conf, worked out once per conf object: a node's conf is carried from
 * round to round between reads, so every round compares the same objects again.
 */
export function confKey(conf: Pick<ServerConfigRecord, 'members' | 'configVersion'>): string {
  let key = confKeys.get(conf);
  if (key === undefined) confKeys.set(conf, (key = membershipKey(conf.members, conf.configVersion)));
  return key;
}

/** Every sample's conf that carries a membership (a standalone conf has none and says nothing about members). */
export function confReports(samples: readonly NodeSample[]): ConfReport[] {
  const reports: ConfReport[] = [];
  for (const sample of samples) {
    const outcome = sample.conf;
    if (!outcome?.ok || outcome.value.members.length === 0) continue;
    const conf = outcome.value;
    const report: ConfReport = {
      server: sample.server,
      conf,
      at: sample.confPolledAt ?? sample.polledAt,
      key: confKey(conf),
    };
    if (conf.serverId !== undefined) report.serverId = conf.serverId;
    reports.push(report);
  }
  return reports;
}

/** True when the reporting node votes by its own conf (an unknown id cannot be told apart, so it counts). */
function selfVoter(report: ConfReport): boolean {
  if (report.serverId === undefined) return true;
  return report.conf.members.some((m) => m.id === report.serverId && m.role === 'participant');
}

/**
 * Accepts a membership when a strict majority of the reporting voters agree on it (observers decide
 * only when no voter reports). Nodes claiming one server id vote once, and not at all when they
 * disagree among themselves: copies of one id must not outvote the rest. A lone reporter is accepted
 * unless it contradicts `remembered` that more than one node had vouched for. Ties and minorities
 * accept nothing. Pure.
 */
export function agreeOnConf(reports: readonly ConfReport[], remembered?: ConfMembership): ConfAgreement {
  const byIdentity = new Map<string, { keys: Set<string>; voter: boolean }>();
  for (const report of reports) {
    const identity = report.serverId === undefined ? `server:${report.server}` : `id:${report.serverId}`;
    const entry = byIdentity.get(identity) ?? { keys: new Set<string>(), voter: false };
    entry.keys.add(report.key);
    entry.voter ||= selfVoter(report);
    byIdentity.set(identity, entry);
  }
  const all = [...byIdentity.values()];
  const voters = all.filter((entry) => entry.voter);
  const electorate = voters.length > 0 ? voters : all;
  const votes = new Map<string, number>();
  for (const entry of electorate) {
    const keys = [...entry.keys];
    if (keys.length !== 1) continue;
    const key = keys[0]!;
    votes.set(key, (votes.get(key) ?? 0) + 1);
  }
  let winner: string | undefined;
  for (const [key, count] of votes) if (count * 2 > electorate.length) winner = key;
  if (winner === undefined) return { agreedBy: 0 };
  if (electorate.length === 1 && remembered) {
    const same = confKey(remembered) === winner;
    if (!same && (remembered.agreedBy ?? 1) > 1) return { agreedBy: 0 };
  }
  let best: ConfReport | undefined;
  for (const report of reports) if (report.key === winner && (!best || report.at > best.at)) best = report;
  return best ? { conf: best.conf, agreedBy: votes.get(winner) ?? 0 } : { agreedBy: 0 };
}

/** The nodes whose conf differs from `accepted` (all reporters when nothing is accepted), in sample order. */
export function membershipConflicts(reports: readonly ConfReport[], accepted: ConfMembership | undefined): MembershipConflict[] {
  const key = accepted ? confKey(accepted) : undefined;
  return reports
    .filter((report) => report.key !== key)
    .map((report) => {
      const conflict: MembershipConflict = { server: report.server };
      if (report.serverId !== undefined) conflict.serverId = report.serverId;
      if (report.conf.configVersion !== undefined) conflict.configVersion = report.conf.configVersion;
      return conflict;
    });
}
