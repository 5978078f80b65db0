import { z } from 'zod';
import {
  parseConnectionLines,
  sessionFigures,
  summariseConnections,
  type ConnectionFigures,
  type ConnectionSummary,
} from '../parse/connections.js';
import { ParseError } from '../parse/errors.js';
import { gauge, type CommandDefinition } from './command.js';

/** Parses a `cons` reply into its per-node summary (only connections with a session count). */
export function parseConnections(text: string): ConnectionSummary {
  return summariseConnections(sessionFigures(parseConnectionLines(text)));
}

const connection = z.object({
  outstanding_requests: z.number(),
  session_id: z.number().optional(),
  avg_latency: z.number().optional(),
  max_latency: z.number().optional(),
});
const connectionsBody = z.object({ connections: z.array(connection), secure_connections: z.array(connection).default([]) });

/** Turns the AdminServer `/commands/cons` body (objects per connection, plain and TLS) into the same summary. */
export function adminConnections(json: unknown): ConnectionSummary {
  const body = connectionsBody.safeParse(json);
  if (!body.success) throw new ParseError('AdminServer cons: no connections array');
  const figures: ConnectionFigures[] = [];
  for (const c of [...body.data.connections, ...body.data.secure_connections]) {
    if (c.session_id === undefined) continue;
    const figure: ConnectionFigures = { queued: c.outstanding_requests };
    if (c.max_latency !== undefined) figure.maxLatencyMs = c.max_latency;
    if (c.avg_latency !== undefined) figure.avgLatencyMs = c.avg_latency;
    figures.push(figure);
  }
  return summariseConnections(figures);
}

/**
 * `cons`: a summary of the node's client sessions. Opt-in: the reply has one line per connection, which
 * is costly on a busy server; only aggregates are exported, never a series per connection or client.
 */
export const cons: CommandDefinition<'cons', ConnectionSummary> = {
  word: 'cons',
  admin: ['cons'],
  description: 'Opt-in (one reply line per connection): sessions, queued requests, max and mean client latency per node.',
  byDefault: false,
  cadence: 'every_round',
  parseText: parseConnections,
  parseJson: ([json]) => adminConnections(json),
  families: [
    gauge('zookeeper_cons_sessions', 'Client connections with a session on the node (cons; the poll itself has none).', (c) => c.sessions),
    gauge('zookeeper_cons_queued_requests', 'Requests queued over those connections (sum of cons queued).', (c) => c.queued),
    {
      name: 'zookeeper_cons_max_latency_seconds',
      help: 'Largest maximum request latency among the connections (cons maxlat).',
      type: 'gauge',
      read: (c) => (c.maxLatencyMs === undefined ? [] : [{ value: c.maxLatencyMs / 1000 }]),
    },
    {
      name: 'zookeeper_cons_avg_latency_seconds',
      help: "Mean of the connections' average request latencies (cons avglat).",
      type: 'gauge',
      read: (c) => (c.meanAvgLatencyMs === undefined ? [] : [{ value: c.meanAvgLatencyMs / 1000 }]),
    },
  ],
};
