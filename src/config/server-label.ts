import type { ServerTarget } from './types.js';

/** The `server` label of a configured target: `host:port` as configured, IPv6 hosts in brackets. */
export function serverLabel(target: ServerTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
