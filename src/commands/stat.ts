import { z } from 'zod';
import { parseConnectionLine } from '../parse/connections.js';
import { ParseError } from '../parse/errors.js';
import { parseServerStats } from '../parse/index.js';
import { gauge, type CommandDefinition } from './command.js';

/** What `stat` adds to `srvr`: its `Clients:` block, summarised. */
export interface ClientList {
  /** Client connections listed (over the four-letter transport, the poll's own connection included). */
  clients: number;
  /** Requests queued over them. */
  queued: number;
}

/** Parses a `stat` reply's `Clients:` block (the rest is `srvr`'s, already exported from `srvr`). */
export function parseClientList(text: string): ClientList {
  const lines = parseServerStats(text).clients;
  if (lines === undefined) throw new ParseError('stat: no Clients: block');
  let queued = 0;
  for (const line of lines) {
    const value = parseConnectionLine(line).fields.queued;
    if (typeof value !== 'number') throw new ParseError(`stat: client line without a numeric queued: ${JSON.stringify(line.slice(0, 80))}`);
    queued += value;
  }
  return { clients: lines.length, queued };
}

const connection = z.object({ outstanding_requests: z.number() });
const statBody = z.object({ connections: z.array(connection), secure_connections: z.array(connection).default([]) });

/** Parses the AdminServer `/commands/stat` body's `connections` (the HTTP request itself is not one). */
export function adminClientList(json: unknown): ClientList {
  const body = statBody.safeParse(json);
  if (!body.success) throw new ParseError('AdminServer stat: no connections array');
  const all = [...body.data.connections, ...body.data.secure_connections];
  return { clients: all.length, queued: all.reduce((sum, c) => sum + c.outstanding_requests, 0) };
}

/** `stat`: `srvr` plus the client list; only the list's summary is new. */
export const stat: CommandDefinition<'stat', ClientList> = {
  word: 'stat',
  admin: ['stat'],
  description: "The client list of `srvr`'s longer twin, summarised: listed clients and their queued requests.",
  byDefault: false,
  cadence: 'every_round',
  parseText: parseClientList,
  parseJson: ([json]) => adminClientList(json),
  families: [
    gauge('zookeeper_stat_clients', 'Client connections listed by stat (over 4lw, the poll itself included).', (s) => s.clients),
    gauge('zookeeper_stat_queued_requests', 'Requests queued over the listed client connections (stat).', (s) => s.queued),
  ],
};
