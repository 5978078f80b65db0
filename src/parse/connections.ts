import { ParseError } from './errors.js';
import { claimKey, parseJavaNumber, splitLines } from './text.js';

/** One client connection line of `cons` or of `stat`'s `Clients:` block. */
export interface ConnectionLine {
  /** Remote address as printed, e.g. `/127.0.0.1:45774`. */
  address: string;
  /** Every `key=value` inside the parentheses, numbers parsed; hex ids and op names kept as text. */
  fields: Record<string, number | string>;
}

// ServerCnxn.dumpConnectionInfo: " /<ip>:<port>[<interestOps>](queued=…,recved=…,sent=…[,sid=0x…,lop=…,…])".
// Connections without a session (like this poll's own) stop after `sent`.
const LINE = /^ (\S+)\[([0-9]+)\]\((.*)\)$/;

/** Parses one connection line; throws ParseError when it does not have that shape or repeats a field with another value. */
export function parseConnectionLine(line: string): ConnectionLine {
  const match = LINE.exec(line);
  if (!match) throw new ParseError(`not a connection line: ${JSON.stringify(line.slice(0, 80))}`);
  const fields: Record<string, number | string> = Object.create(null) as Record<string, number | string>;
  const seen = new Map<string, string>();
  for (const pair of match[3]!.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new ParseError(`connection field without "=": ${JSON.stringify(pair.slice(0, 40))}`);
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    if (!claimKey(seen, key, text, `connection ${match[1]!.slice(0, 80)}`)) continue;
    fields[key] = /^-?[0-9]+$/.test(text) ? parseJavaNumber(text, key) : text;
  }
  return { address: match[1]!, fields };
}

/** Parses every non-blank line of a `cons` reply (one per connection; a blank line ends it). */
export function parseConnectionLines(text: string): ConnectionLine[] {
  return splitLines(text)
    .filter((line) => line.trim() !== '')
    .map(parseConnectionLine);
}

/** What the agent exports of a node's client connections: aggregates only, never one series per connection. */
export interface ConnectionSummary {
  /** Connections that carry a client session (the poll's own sessionless connection is left out). */
  sessions: number;
  /** Requests queued over those connections. */
  queued: number;
  /** Largest `maxlat` among them, in ms (absent when no connection reports latency). */
  maxLatencyMs?: number;
  /** Mean of their `avglat`, in ms (absent when no connection reports latency). */
  meanAvgLatencyMs?: number;
}

/** One connection as the summary needs it, whichever transport it came from. */
export interface ConnectionFigures {
  queued: number;
  maxLatencyMs?: number;
  avgLatencyMs?: number;
}

/** Aggregates connections that carry a session into a {@link ConnectionSummary}. Pure. */
export function summariseConnections(connections: readonly ConnectionFigures[]): ConnectionSummary {
  const summary: ConnectionSummary = { sessions: connections.length, queued: 0 };
  let latencySum = 0;
  let latencyCount = 0;
  for (const connection of connections) {
    summary.queued += connection.queued;
    if (connection.maxLatencyMs !== undefined) summary.maxLatencyMs = Math.max(summary.maxLatencyMs ?? 0, connection.maxLatencyMs);
    if (connection.avgLatencyMs !== undefined) {
      latencySum += connection.avgLatencyMs;
      latencyCount++;
    }
  }
  if (latencyCount > 0) summary.meanAvgLatencyMs = latencySum / latencyCount;
  return summary;
}

function numberField(line: ConnectionLine, key: string): number | undefined {
  const value = line.fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new ParseError(`connection ${line.address}: ${key} is not a number: ${JSON.stringify(value)}`);
  return value;
}

/** The figures of the connection lines that carry a session (`sid=`); sessionless ones are skipped. */
export function sessionFigures(lines: readonly ConnectionLine[]): ConnectionFigures[] {
  const figures: ConnectionFigures[] = [];
  for (const line of lines) {
    if (line.fields.sid === undefined) continue;
    const queued = numberField(line, 'queued');
    if (queued === undefined) throw new ParseError(`connection ${line.address}: no queued field`);
    const figure: ConnectionFigures = { queued };
    const max = numberField(line, 'maxlat');
    const avg = numberField(line, 'avglat');
    if (max !== undefined) figure.maxLatencyMs = max;
    if (avg !== undefined) figure.avgLatencyMs = avg;
    figures.push(figure);
  }
  return figures;
}
