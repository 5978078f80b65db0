import type { NodeSample } from '../commands/index.js';
import { pickConf } from '../ensemble/membership.js';
import type { DiscoveredMember } from '../ensemble/types.js';
import { serverLabel, type ServerTarget } from '../model/target.js';
import type { QuorumMember } from '../parse/types.js';

/** One node polled this round and what it answered. */
export interface PolledNode {
  target: ServerTarget;
  sample: NodeSample;
}

/** Client binds that name no host: the member listens on every address of its own (quorum) host. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/** Spellings of the local host that reach the same listener, so `localhost:P` and `127.0.0.1:P` are one node. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1']);

/**
 * Splits a member's client address as `conf` prints it after `;`: `host:port`, `[v6]:port` or a bare
 * port (3.5+ dynamic form; the host part is optional there).
 */
export function parseClientAddress(address: string): { host?: string; port: number } | undefined {
  const text = address.trim();
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  const plain = bracketed ?? /^(?:(.*):)?(\d+)$/.exec(text);
  if (!plain) return undefined;
  const port = Number(plain[2]);
  if (port < 1 || port > 65535) return undefined;
  return plain[1] ? { host: plain[1], port } : { port };
}

/**
 * Where to poll a member: its client address when `conf` gives one (a wildcard or missing host means
 * the member's own quorum host), else its quorum host with `fallbackPort` (static configs print no
 * client address for other members).
 */
export function memberTarget(member: QuorumMember, fallbackPort: number, adminPort?: number): ServerTarget | undefined {
  const client = member.clientAddress === undefined ? undefined : parseClientAddress(member.clientAddress);
  if (member.clientAddress !== undefined && !client) return undefined;
  const host = client?.host === undefined || WILDCARD_HOSTS.has(client.host) ? member.host : client.host;
  const target: ServerTarget = { host, port: client?.port ?? fallbackPort };
  if (adminPort !== undefined) target.adminPort = adminPort;
  return target;
}

/** True when two targets reach the same listener: same port and the same host, loopback spellings being one. */
export function sameAddress(a: ServerTarget, b: ServerTarget): boolean {
  if (a.port !== b.port) return false;
  const hostA = a.host.toLowerCase();
  const hostB = b.host.toLowerCase();
  return hostA === hostB || (LOOPBACK_HOSTS.has(hostA) && LOOPBACK_HOSTS.has(hostB));
}

/** The server id a node's own `conf` reports (carried over from earlier rounds while not re-asked). */
function ownId(sample: NodeSample): number | undefined {
  return sample.conf?.ok ? sample.conf.value.serverId : undefined;
}

/** The AdminServer port every seed shares, for members found through them (undefined when they differ). */
function sharedAdminPort(seeds: readonly ServerTarget[]): number | undefined {
  const ports = new Set(seeds.map((seed) => seed.adminPort));
  return ports.size === 1 ? seeds[0]?.adminPort : undefined;
}

/**
 * The members to poll besides the seeds, from the newest `conf` any polled node gave: every member
 * that is not a seed (matched by the seed's own server id, else by address, loopback spellings being
 * one) and whose address is its own (two members derived to one address are both left out: the
 * address cannot tell them apart). Without any `conf` this round, the previous list stands, so an
 * ensemble that stopped answering keeps its members. Pure.
 */
export function discoverMembers(
  seeds: readonly ServerTarget[],
  polled: readonly PolledNode[],
  previous: readonly DiscoveredMember[],
): DiscoveredMember[] {
  const conf = pickConf(polled.map((node) => node.sample));
  if (!conf) return [...previous];
  const source = polled.find((node) => node.sample.conf?.ok && node.sample.conf.value === conf);
  // The node's own clientPort is the port it listens on behind any port forwarding to the seed.
  const ownPort = Number(conf.raw.clientPort);
  const fallbackPort = Number.isInteger(ownPort) && ownPort > 0 ? ownPort : (source?.target.port ?? seeds[0]?.port ?? 2181);
  const adminPort = sharedAdminPort(seeds);
  const seedIds = new Set(polled.filter((node) => seeds.some((seed) => sameAddress(seed, node.target))).map((node) => ownId(node.sample)));
  const candidates: DiscoveredMember[] = [];
  for (const member of conf.members) {
    if (seedIds.has(member.id)) continue;
    const target = memberTarget(member, fallbackPort, adminPort);
    if (!target || seeds.some((seed) => sameAddress(seed, target))) continue;
    candidates.push({ target, server: serverLabel(target), serverId: member.id, voter: member.role === 'participant' });
  }
  return candidates.filter((c) => candidates.filter((other) => sameAddress(other.target, c.target)).length === 1);
}

/**
 * True when a discovered member's sample may stand for it: its own `conf` (when read) names the id
 * discovery expected. A derived address that reaches another server would otherwise count one node
 * twice. Pure.
 */
export function answersAs(member: DiscoveredMember, sample: NodeSample): boolean {
  const id = ownId(sample);
  return id === undefined || id === member.serverId;
}

/** True when a node answered srvr at all (serving, or "not currently serving"): its address works. Pure. */
export function answeredSrvr(sample: NodeSample): boolean {
  return sample.srvr.ok || sample.srvr.reason === 'not_serving';
}
