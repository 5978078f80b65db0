import { ParseError } from './errors.js';
import { claimKey, parseInteger, setOwn, splitLines } from './text.js';
import type { QuorumMember, ServerConfigRecord } from './types.js';

const SERVER_KEY = /^server\.([0-9]+)$/;
const ROLE_SUFFIX = /:(participant|observer)$/i;

function parsePort(text: string, what: string): number {
  const port = parseInteger(text, what);
  if (port < 0 || port > 65535) throw new ParseError(`${what}: port ${port} out of range`);
  return port;
}

/**
 * Parses the value of a `server.N=` line: `host:qport:eport[:participant|:observer][;clientaddr]`.
 * Covers 3.4's static form (no role or `:observer`, no `;`), 3.5's dynamic form, IPv6 hosts in brackets
 * (QuorumServer.delimitedHostString) and 3.6+'s multi-address form `a:q:e|b:q:e`, of which the first is kept.
 */
export function parseQuorumMember(id: number, spec: string): QuorumMember {
  const semicolon = spec.indexOf(';');
  let addresses = semicolon < 0 ? spec : spec.slice(0, semicolon);
  const clientAddress = semicolon < 0 ? undefined : spec.slice(semicolon + 1);
  let role: QuorumMember['role'] = 'participant'; // ZooKeeper's default LearnerType when no role is given
  const suffix = ROLE_SUFFIX.exec(addresses);
  if (suffix) {
    role = suffix[1]!.toLowerCase() as QuorumMember['role'];
    addresses = addresses.slice(0, suffix.index);
  }
  const first = addresses.split('|')[0]!;
  let host: string;
  let rest: string;
  if (first.startsWith('[')) {
    const close = first.indexOf(']');
    if (close < 0) throw new ParseError(`server.${id}: unclosed IPv6 bracket in ${JSON.stringify(spec)}`);
    host = first.slice(1, close);
    rest = first.slice(close + 1);
  } else {
    const colon = first.indexOf(':');
    host = colon < 0 ? first : first.slice(0, colon);
    rest = colon < 0 ? '' : first.slice(colon);
  }
  if (host.length === 0) throw new ParseError(`server.${id}: no host in ${JSON.stringify(spec)}`);
  if (rest.length > 0 && !rest.startsWith(':')) {
    throw new ParseError(`server.${id}: unexpected text after host in ${JSON.stringify(spec)}`);
  }
  const ports = rest.length > 0 ? rest.slice(1).split(':') : [];
  if (ports.length > 2) throw new ParseError(`server.${id}: too many fields in ${JSON.stringify(spec)}`);
  const member: QuorumMember = { id, host, role };
  if (ports[0] !== undefined) member.quorumPort = parsePort(ports[0], `server.${id} quorum port`);
  if (ports[1] !== undefined) member.electionPort = parsePort(ports[1], `server.${id} election port`);
  if (clientAddress !== undefined && clientAddress.length > 0) member.clientAddress = clientAddress;
  return member;
}

/** Maps `peerType=` to a role: 3.4–3.9 print the LearnerType ordinal (0 PARTICIPANT, 1 OBSERVER); zoo.cfg spells it out. */
export function peerTypeName(value: string): string {
  switch (value.toLowerCase()) {
    case '0':
    case 'participant':
      return 'participant';
    case '1':
    case 'observer':
      return 'observer';
    default:
      return value;
  }
}

/**
 * Parses a `conf` reply: every `key=value` line into `raw`, plus `serverId`, `peerType`, `version` and the
 * members from `server.N=` lines, whether under 3.5+'s `membership: ` header or not. Needs at least one line;
 * a key repeated with another value (two `server.2=` lines, two `serverId=`) is a ParseError.
 */
export function parseServerConfig(text: string): ServerConfigRecord {
  const raw: Record<string, string> = {};
  const members = new Map<number, QuorumMember>();
  const seen = new Map<string, string>();
  for (const line of splitLines(text)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue; // `membership: ` header, blank lines
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!claimKey(seen, key, value, 'conf')) continue;
    setOwn(raw, key, value);
    const server = SERVER_KEY.exec(key);
    if (server) {
      const id = parseInteger(server[1]!, key);
      // `server.01=` and `server.1=` name the same member.
      claimKey(seen, `server.${id}`, value, 'conf');
      members.set(id, parseQuorumMember(id, value));
    }
  }
  if (Object.keys(raw).length === 0) {
    const first = splitLines(text)[0]!.slice(0, 80);
    throw new ParseError(`conf reply has no key=value line (first line: ${JSON.stringify(first)})`);
  }
  const record: ServerConfigRecord = { members: [...members.values()], raw };
  if (Object.hasOwn(raw, 'serverId')) record.serverId = parseInteger(raw.serverId!, 'serverId');
  if (Object.hasOwn(raw, 'peerType')) record.peerType = peerTypeName(raw.peerType!);
  // QuorumVerifier.toString prints the config version as bare hex (Long.toHexString), without `0x`.
  if (Object.hasOwn(raw, 'version')) record.configVersion = raw.version!;
  return record;
}
