import { serverLabel, type ServerTarget } from '../model/target.js';
import type { QuorumMember, ServerConfigRecord } from '../parse/types.js';
import type { NodeSample } from '../commands/index.js';
import { agreeOnConf, confKey, confReports, membershipConflicts, type ConfAgreement } from './agreement.js';
import type {
  ConfMembership,
  DiscoveredMember,
  DownReason,
  EnsembleInput,
  MembershipConflict,
  MembershipSource,
  NodeState,
} from './types.js';

/** One polled node's identity in the ensemble (configured, or discovered through `conf`). */
export interface MemberIdentity {
  server: string;
  serverId?: number;
  voter: boolean;
  /** True for a member polled through discovery. */
  discovered?: boolean;
  /** A discovered member's poll failure when its sample was withheld (never seen answering). */
  failure?: DownReason;
}

/** Who votes, as far as the agent can tell this round. */
export interface Membership {
  source: MembershipSource;
  configVersion?: string;
  /** Voting members: conf participants, or configured servers not known to be observers. */
  voters: number;
  observers: number;
  /** Configured nodes in configured order, then discovered members. */
  nodes: MemberIdentity[];
  /** conf members that no polled node maps to (listed only when every polled node's id is known). */
  unconfigured: QuorumMember[];
  /** The conf membership used (this round's or the remembered one), to remember for the next rounds. */
  conf?: ConfMembership;
  /** Nodes whose conf differs from `conf` (every reporter when no conf is accepted). */
  conflicts: MembershipConflict[];
}

/**
 * The conf to take membership from, with no memory of earlier rounds (discovery uses it): the one a
 * strict majority of the reporting voters agree on, or a lone reporter's (see {@link agreeOnConf}).
 * A standalone conf has no members and never counts, so a 1-node ensemble falls back to its configured list.
 */
export function pickConf(samples: readonly NodeSample[]): ServerConfigRecord | undefined {
  return agreeOnConf(confReports(samples)).conf;
}

/** The membership part of an accepted conf record, as kept across rounds. */
function confMembershipOf(conf: ServerConfigRecord, agreedBy: number): ConfMembership {
  const kept: ConfMembership = { members: conf.members };
  if (conf.configVersion !== undefined) kept.configVersion = conf.configVersion;
  if (conf.votersOnly) kept.votersOnly = true;
  kept.agreedBy = agreedBy;
  return kept;
}

/** This round's accepted membership; re-accepting the remembered one keeps the most nodes that ever vouched for it. */
function acceptedMembership(agreement: ConfAgreement, remembered: ConfMembership | undefined): ConfMembership | undefined {
  if (!agreement.conf) return remembered;
  const accepted = confMembershipOf(agreement.conf, agreement.agreedBy);
  const same = remembered !== undefined && confKey(remembered) === confKey(accepted);
  if (same) accepted.agreedBy = Math.max(agreement.agreedBy, remembered.agreedBy ?? 0);
  return accepted;
}

/** Port of a member's client address (`host:port`, `[v6]:port` or a bare port). */
function clientPortOf(address: string): { host?: string; port: number } | undefined {
  const match = /^(?:\[?(.*?)\]?:)?(\d+)$/.exec(address.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  return match[1] ? { host: match[1], port } : { port };
}

/** Id of the one member whose client address is this target; undefined when none or ambiguous. */
function idByClientAddress(target: ServerTarget, members: readonly QuorumMember[]): number | undefined {
  const ids = members
    .filter((member) => {
      if (member.clientAddress === undefined) return false;
      const client = clientPortOf(member.clientAddress);
      if (client?.port !== target.port) return false;
      // A wildcard client bind (0.0.0.0) says nothing about the host: fall back to the quorum host.
      return member.host === target.host || client.host === target.host;
    })
    .map((member) => member.id);
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * Voter or observer from the node's own srvr mode (authoritative about itself), else what an earlier
 * round learned, else voter. Used when conf cannot say: the default whitelist is `srvr` only, and
 * counting an observer that says so as a voter would leave a healthy ensemble forever `at_risk`.
 */
function inferVoter(sample: NodeSample | undefined, previous: NodeState | undefined): boolean {
  if (sample?.srvr.ok) {
    const mode = sample.srvr.value.mode;
    if (mode === 'observer') return false;
    if (mode === 'leader' || mode === 'follower' || mode === 'standalone') return true;
  }
  return previous?.voter ?? true;
}

/**
 * A discovered member's identity: its id as discovery found it (the poller drops a sample that answers
 * as another id), voter as the conf used this round says, else as discovery found it.
 */
function discoveredIdentity(found: DiscoveredMember, sample: NodeSample | undefined, members: readonly QuorumMember[]): MemberIdentity {
  const ownId = sample?.conf?.ok ? sample.conf.value.serverId : undefined;
  const serverId = ownId ?? found.serverId;
  const member = members.find((m) => m.id === serverId);
  const identity: MemberIdentity = {
    server: found.server,
    serverId,
    voter: member ? member.role === 'participant' : found.voter,
    discovered: true,
  };
  if (found.failure !== undefined) identity.failure = found.failure;
  return identity;
}

/**
 * Resolves voters, observers and each polled node's server id (configured nodes, then discovered ones).
 * Id: the node's own conf `serverId`, else the id an earlier round learned (a node that is down now
 * keeps its id), else the one conf member whose client address is this host and port.
 */
export function resolveMembership(
  config: EnsembleInput,
  samples: ReadonlyMap<string, NodeSample>,
  previousNodes: ReadonlyMap<string, NodeState>,
  remembered?: ConfMembership,
): Membership {
  // A round without an accepted conf (every node down or not serving, or the confs disagree) keeps the
  // last accepted membership: the configured list alone would turn "one seed down" into "the whole
  // ensemble down", and one node's conf must not rewrite what the others agree on.
  const reports = confReports([...samples.values()]);
  const conf = acceptedMembership(agreeOnConf(reports, remembered), remembered);
  const conflicts = membershipConflicts(reports, conf);
  const members = conf?.members ?? [];
  const nodes: MemberIdentity[] = config.servers.map((target) => {
    const server = serverLabel(target);
    const sample = samples.get(server);
    const previous = previousNodes.get(server);
    const ownConf = sample?.conf?.ok ? sample.conf.value : undefined;
    const serverId = ownConf?.serverId ?? previous?.serverId ?? idByClientAddress(target, members);
    const member = serverId === undefined ? undefined : members.find((m) => m.id === serverId);
    let voter: boolean;
    if (!conf) voter = inferVoter(sample, previous);
    else if (member) voter = member.role === 'participant';
    // An id conf does not list is not a member (e.g. removed by reconfig): it votes for nothing.
    else if (serverId !== undefined) voter = false;
    else voter = inferVoter(sample, previous);
    return serverId === undefined ? { server, voter } : { server, serverId, voter };
  });
  nodes.push(...(config.discovered ?? []).map((found) => discoveredIdentity(found, samples.get(found.server), members)));

  if (!conf) {
    const voters = nodes.filter((node) => node.voter).length;
    return { source: 'configured', voters, observers: nodes.length - voters, nodes, unconfigured: [], conflicts };
  }

  // A member no configured node claims may simply be the configured node whose id is still unknown
  // (down since start-up, conf never read): list members as unconfigured only when no id is unknown.
  // Voter counts come from conf either way, so the quorum arithmetic does not depend on this.
  const claimed = new Set(nodes.map((node) => node.serverId));
  const unconfigured = nodes.every((node) => node.serverId !== undefined) ? members.filter((member) => !claimed.has(member.id)) : [];
  const voters = members.filter((member) => member.role === 'participant').length;
  // The AdminServer's voting_view leaves observers out: count the configured nodes that are not voters.
  const observers = conf.votersOnly ? nodes.filter((node) => !node.voter).length : members.length - voters;
  const membership: Membership = {
    source: 'conf',
    voters,
    observers,
    nodes,
    unconfigured,
    conf,
    conflicts,
  };
  if (conf.configVersion !== undefined) membership.configVersion = conf.configVersion;
  return membership;
}
