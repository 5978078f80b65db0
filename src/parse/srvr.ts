import { ParseError } from './errors.js';
import { claimKey, parseInteger, parseJavaNumber, splitLines } from './text.js';
import type { ServerMode, ServerStats, Zxid } from './types.js';
import { parseZxid } from './zxid.js';

/** The modes ServerStats.getServerState() can print, 3.4 through 3.9 (one per ZooKeeperServer subclass). */
export const SERVER_MODES: readonly ServerMode[] = ['leader', 'follower', 'observer', 'standalone', 'read-only'];

type Triple = { a: number; b: number; c: number };

function triple(value: string, what: string, avgMayBeDecimal: boolean): Triple {
  const parts = value.split('/');
  if (parts.length !== 3) throw new ParseError(`${what}: expected a/b/c, got ${JSON.stringify(value)}`);
  const [a, b, c] = parts as [string, string, string];
  return {
    a: parseInteger(a, what),
    // Average latency is a long in 3.4/3.5 and a double in 3.6+ (`4.8333`, or `1.0E-4` when tiny).
    b: avgMayBeDecimal ? parseJavaNumber(b, what) : parseInteger(b, what),
    c: parseInteger(c, what),
  };
}

// The labels read below; other `label: value` lines are ignored, so only these are checked for repeats.
const KNOWN_LABELS = new Set([
  'Zookeeper version',
  'Latency min/avg/max',
  'Received',
  'Sent',
  'Connections',
  'Outstanding',
  'Zxid',
  'Mode',
  'Node count',
  'Proposal sizes last/min/max',
]);

function isServerMode(text: string): text is ServerMode {
  return (SERVER_MODES as readonly string[]).includes(text);
}

/**
 * Parses a `srvr` or `stat` reply (same layout in 3.4–3.9). `stat` adds a `Clients:` block ending in a
 * blank line; leaders (3.4.13+) add `Proposal sizes last/min/max:`. Unknown lines are ignored; a known
 * label printed twice with different values is a ParseError (ZooKeeper prints each once).
 */
export function parseServerStats(text: string): ServerStats {
  const lines = splitLines(text);
  let version: string | undefined;
  let readOnlyLine = false;
  let latency: Triple | undefined;
  let received: number | undefined;
  let sent: number | undefined;
  let connections: number | undefined;
  let outstanding: number | undefined;
  let zxid: Zxid | undefined;
  let mode: ServerMode | undefined;
  let nodeCount: number | undefined;
  let proposalSizes: Triple | undefined;
  let clients: string[] | undefined;
  const seen = new Map<string, string>();

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'Clients:') {
      // Each client line starts with a space (ServerCnxn.dumpConnectionInfo); a blank line closes the block.
      clients = [];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith(' ')) clients.push(lines[++i]!);
      continue;
    }
    // Printed by ReadOnlyZooKeeperServer before the stats: "READ-ONLY mode; serving only read-only clients".
    if (line.startsWith('READ-ONLY mode')) {
      readOnlyLine = true;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const label = line.slice(0, colon);
    // The version text itself contains colons and spaces ("…, built on 2024-12-29 17:54 UTC"): keep all of it.
    const value = line.slice(colon + 1).trim();
    if (KNOWN_LABELS.has(label) && !claimKey(seen, label, value, 'srvr/stat')) continue;
    switch (label) {
      case 'Zookeeper version':
        version = value;
        break;
      case 'Latency min/avg/max':
        latency = triple(value, 'Latency min/avg/max', true);
        break;
      case 'Received':
        received = parseInteger(value, 'Received');
        break;
      case 'Sent':
        sent = parseInteger(value, 'Sent');
        break;
      case 'Connections':
        connections = parseInteger(value, 'Connections');
        break;
      case 'Outstanding':
        outstanding = parseInteger(value, 'Outstanding');
        break;
      case 'Zxid':
        try {
          zxid = parseZxid(value);
        } catch (err) {
          throw new ParseError(`Zxid: ${(err as Error).message}`);
        }
        break;
      case 'Mode':
        if (!isServerMode(value)) throw new ParseError(`Mode: unknown server mode ${JSON.stringify(value)}`);
        mode = value;
        break;
      case 'Node count':
        nodeCount = parseInteger(value, 'Node count');
        break;
      case 'Proposal sizes last/min/max':
        // BufferStats prints -1 for each part until the first proposal.
        proposalSizes = triple(value, 'Proposal sizes last/min/max', false);
        break;
      default:
        break; // unknown lines from newer versions are not failures
    }
  }

  const missing = [
    [mode, 'Mode:'],
    [zxid, 'Zxid:'],
    [version, 'Zookeeper version:'],
    [latency, 'Latency min/avg/max:'],
    [received, 'Received:'],
    [sent, 'Sent:'],
    [connections, 'Connections:'],
    [outstanding, 'Outstanding:'],
    [nodeCount, 'Node count:'],
  ]
    .filter(([v]) => v === undefined)
    .map(([, name]) => JSON.stringify(name));
  if (missing.length > 0) {
    throw new ParseError(`srvr/stat reply is missing ${missing.join(', ')} (first line: ${JSON.stringify(lines[0]!.slice(0, 80))})`);
  }

  const stats: ServerStats = {
    version: version!,
    readOnly: readOnlyLine || mode === 'read-only',
    latency: { min: latency!.a, avg: latency!.b, max: latency!.c },
    received: received!,
    sent: sent!,
    connections: connections!,
    outstanding: outstanding!,
    zxid: zxid!,
    mode: mode!,
    nodeCount: nodeCount!,
  };
  if (proposalSizes) stats.proposalSizes = { last: proposalSizes.a, min: proposalSizes.b, max: proposalSizes.c };
  if (clients) stats.clients = clients;
  return stats;
}
