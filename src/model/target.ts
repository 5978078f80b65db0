/** One configured node. Its `server` label is `host:port` exactly as configured. */
export interface ServerTarget {
  host: string;
  /** Client port, where the four-letter words are sent. */
  port: number;
  /** AdminServer HTTP port, when known (per server, else the ensemble's `adminPort`). */
  adminPort?: number;
}

/** How an ensemble's nodes are asked. */
export type TransportMode = 'fourletter' | 'admin';

/** The `server` label of a configured target: `host:port` as configured, IPv6 hosts in brackets. */
export function serverLabel(target: ServerTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
