import { z } from 'zod';
import { ParseError } from './errors.js';
import { mntrEntry, parseMntrValue } from './mntr.js';
import { SERVER_MODES } from './srvr.js';
import type { MntrEntry, MntrRecord, QuorumMember, ServerConfigRecord, ServerMode, ServerStats, WatchSummary, Zxid } from './types.js';
import { parseInteger, setOwn } from './text.js';
import { parseZxid, zxidFromValue } from './zxid.js';

// Keys every AdminServer CommandResponse carries besides the command's own data.
const ENVELOPE_KEYS = new Set(['command', 'error']);

const jsonObject = z.record(z.string(), z.unknown());

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Fails on a non-object body, on a non-null `error` (e.g. not serving), then validates against `schema`. */
function validate<T>(command: string, json: unknown, schema: z.ZodType<T>): T {
  const error = adminErrorOf(json);
  if (error !== undefined) throw new ParseError(`AdminServer ${command} answered with error: ${error}`);
  const result = schema.safeParse(json);
  if (!result.success) throw new ParseError(`AdminServer ${command}: unexpected shape: ${describe(result.error)}`);
  return result.data;
}

/**
 * The `error` string of an AdminServer reply when it is non-null (`"This ZooKeeper instance is not currently
 * serving requests"`, `"server is not initialized"`), else undefined. Pass it to classifyFourLetterReply to
 * get `not_serving`: the AdminServer reuses the four-letter text.
 */
export function adminErrorOf(json: unknown): string | undefined {
  const parsed = jsonObject.safeParse(json);
  if (!parsed.success) return undefined;
  const error = parsed.data.error;
  if (error === null || error === undefined) return undefined;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

const bufferStats = z.object({ last_buffer_size: z.number(), min_buffer_size: z.number(), max_buffer_size: z.number() });

const serverStatsBody = z.object({
  version: z.string(),
  read_only: z.boolean(),
  server_stats: z.object({
    packets_sent: z.number(),
    packets_received: z.number(),
    num_alive_client_connections: z.number(),
    outstanding_requests: z.number(),
    min_latency: z.number(),
    avg_latency: z.number(),
    max_latency: z.number(),
    server_state: z.string(),
    // A decimal long; a string or bigint too, for callers whose JSON parser keeps big integers exact.
    last_processed_zxid: z.union([z.number(), z.string(), z.bigint()]),
  }),
  node_count: z.number(),
  proposal_stats: bufferStats.optional(),
});

function zxidOfJson(value: number | string | bigint): Zxid {
  if (typeof value === 'bigint') return zxidFromValue(value);
  if (typeof value === 'string') return parseZxid(value);
  // JSON.parse rounds integers above 2^53 (any epoch >= 2^21), and Jackson prints a long with the top bit
  // set as a negative number: neither can be turned back into the exact zxid.
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ParseError(`last_processed_zxid ${value} is not an exact non-negative integer`);
  }
  return zxidFromValue(BigInt(value));
}

/**
 * Turns an AdminServer `/commands/srvr` (or `stat`) body into the record `parseServerStats` gives. The JSON
 * has no "mode" key: Mode is `server_stats.server_state`. `clients` stays unset (stat's `connections` are objects).
 */
export function adminServerStats(json: unknown): ServerStats {
  const body = validate('srvr', json, serverStatsBody);
  const s = body.server_stats;
  if (!(SERVER_MODES as readonly string[]).includes(s.server_state)) {
    throw new ParseError(`AdminServer srvr: unknown server_state ${JSON.stringify(s.server_state)}`);
  }
  const mode = s.server_state as ServerMode;
  let zxid: Zxid;
  try {
    zxid = zxidOfJson(s.last_processed_zxid);
  } catch (err) {
    throw new ParseError(`AdminServer srvr: ${(err as Error).message}`);
  }
  const stats: ServerStats = {
    version: body.version,
    readOnly: body.read_only || mode === 'read-only',
    latency: { min: s.min_latency, avg: s.avg_latency, max: s.max_latency },
    received: s.packets_received,
    sent: s.packets_sent,
    connections: s.num_alive_client_connections,
    outstanding: s.outstanding_requests,
    zxid,
    mode,
    nodeCount: body.node_count,
  };
  if (body.proposal_stats) {
    const p = body.proposal_stats;
    stats.proposalSizes = { last: p.last_buffer_size, min: p.min_buffer_size, max: p.max_buffer_size };
  }
  return stats;
}

/**
 * Turns an AdminServer `/commands/mntr` body (flat, keys without `zk_`) into the record `parseMntr` gives,
 * in the body's key order. Strings are read like 4lw values (Jackson writes NaN as `"NaN"`); booleans and
 * null become the text Java would print; nested objects or arrays have no 4lw form and are skipped.
 */
export function adminMntr(json: unknown): MntrRecord {
  const body = validate('mntr', json, jsonObject);
  const entries: MntrEntry[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    if (typeof value === 'number') entries.push(mntrEntry(key, value));
    else if (typeof value === 'string') entries.push(mntrEntry(key, parseMntrValue(value)));
    else if (typeof value === 'boolean' || value === null) entries.push(mntrEntry(key, String(value)));
  }
  if (entries.length === 0) throw new ParseError('AdminServer mntr: no metric in the body');
  return { entries };
}

const count = z.number().int().nonnegative();
const watchSummaryBody = z.object({ num_connections: count, num_paths: count, num_total_watches: count });

/** Turns an AdminServer `/commands/wchs` body into the record `parseWatchSummary` gives. */
export function adminWatchSummary(json: unknown): WatchSummary {
  const body = validate('wchs', json, watchSummaryBody);
  return { connections: body.num_connections, paths: body.num_paths, totalWatches: body.num_total_watches };
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Turns an AdminServer `/commands/conf` body (ZooKeeperServerConf.toMap: client_port, data_dir, server_id…)
 * into a ServerConfigRecord whose `raw` uses the 4lw `conf` key names (`client_port` → `clientPort`).
 * That body has no peerType, membership or version; members come from {@link adminVotingView}.
 */
export function adminServerConfig(json: unknown): ServerConfigRecord {
  const body = validate('conf', json, jsonObject);
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') setOwn(raw, camelCase(key), String(value));
  }
  if (Object.keys(raw).length === 0) throw new ParseError('AdminServer conf: no setting in the body');
  const record: ServerConfigRecord = { members: [], raw };
  const serverId = body.server_id;
  if (serverId !== undefined) {
    if (typeof serverId !== 'number' || !Number.isSafeInteger(serverId)) {
      throw new ParseError(`AdminServer conf: server_id is not an integer: ${JSON.stringify(serverId)}`);
    }
    record.serverId = serverId;
  }
  return record;
}

const votingViewBody = z.object({
  current_config: z.record(
    z.string().regex(/^[0-9]+$/),
    z.object({
      server_addresses: z.array(z.string()),
      election_addresses: z.array(z.string()),
      client_address: z.string(),
      learner_type: z.enum(['participant', 'observer']),
    }),
  ),
});

// QuorumServerView prints `host:port` with IPv6 hosts in brackets (delimitedHostString).
function hostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new ParseError(`AdminServer voting_view: ${what} is not host:port: ${JSON.stringify(text)}`);
  return { host: (m[1] ?? m[2])!, port };
}

/**
 * Turns an AdminServer `/commands/voting_view` body into members. It lists VOTING members only (observers
 * are absent, unlike 4lw `conf`'s membership), and only the answering node's own client address is set.
 */
export function adminVotingView(json: unknown): QuorumMember[] {
  const body = validate('voting_view', json, votingViewBody);
  return Object.entries(body.current_config).map(([id, view]) => {
    const quorum = view.server_addresses[0];
    const election = view.election_addresses[0];
    if (quorum === undefined) throw new ParseError(`AdminServer voting_view: server ${id} has no server address`);
    const q = hostPort(quorum, `server ${id} address`);
    const member: QuorumMember = {
      id: parseInteger(id, `AdminServer voting_view: server ${id.slice(0, 20)}`),
      host: q.host,
      quorumPort: q.port,
      role: view.learner_type,
    };
    if (election !== undefined) member.electionPort = hostPort(election, `server ${id} election address`).port;
    if (view.client_address !== '') member.clientAddress = view.client_address;
    return member;
  });
}
