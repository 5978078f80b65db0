import { isIPv6 } from 'node:net';

/** A host and a port; an IPv6 host is kept without its brackets. */
export interface HostPort {
  host: string;
  port: number;
}

/** One configured node. Its `server` label is `host:port` exactly as configured. */
export interface ServerTarget extends HostPort {
  /** Client port, where the four-letter words are sent. */
  port: number;
  /** AdminServer HTTP port, when known (per server, else the ensemble's `adminPort`). */
  adminPort?: number;
}

/** How an ensemble's nodes are asked. */
export type TransportMode = 'fourletter' | 'admin';

/** The `server` label of a configured target: `host:port` as configured, IPv6 hosts in brackets. */
export function serverLabel(target: HostPort): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/** Outcome of {@link parseHostPort}: the address, or why the text is not one. */
export type HostPortResult = { ok: true; value: HostPort } | { ok: false; message: string };

const HOSTNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Why `host` is not a hostname, an IPv4 address or a bare IPv6 address; undefined when it is one. */
export function checkHost(host: string): string | undefined {
  if (host === '') return 'empty; expected a hostname or IP address';
  if (host.startsWith('[') && host.endsWith(']') && isIPv6(host.slice(1, -1))) {
    return `write the IPv6 address without brackets here: "${host.slice(1, -1)}"`;
  }
  return (HOSTNAME.test(host) && host.length <= 253) || isIPv6(host)
    ? undefined
    : `${JSON.stringify(host)} is not a hostname or IP address`;
}

/**
 * Parses `host:port`, `1.2.3.4:port` or `[v6]:port`, the inverse of {@link serverLabel}. `minPort`
 * is 1 for ZooKeeper nodes and 0 for a listen address (port 0 asks the OS for a free port).
 */
export function parseHostPort(text: string, minPort: 0 | 1 = 1): HostPortResult {
  const shown = JSON.stringify(text);
  const fail = (message: string): HostPortResult => ({ ok: false, message });
  if (text === '') return fail('empty; expected HOST:PORT');
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return fail(`${shown} has no closing "]"; write IPv6 addresses like "[::1]:2181"`);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === '') return fail(`${shown} has no port; expected HOST:PORT`);
    if (!rest.startsWith(':')) return fail(`${shown} is not HOST:PORT; expected ":" after "]"`);
    if (!isIPv6(host)) return fail(`${shown}: only IPv6 addresses go in brackets`);
    portText = rest.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) return fail(`${shown} has no port; expected HOST:PORT`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) {
      return isIPv6(host)
        ? fail(`${shown}: put an IPv6 address in brackets, like "[${host}]:${portText}"`)
        : fail(`${shown} is not HOST:PORT; a host cannot contain ":"`);
    }
    if (host === '') return fail(`${shown} has no host; expected HOST:PORT`);
    if (checkHost(host) !== undefined) return fail(`${shown}: ${JSON.stringify(host)} is not a hostname or IP address`);
  }
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= minPort && port <= 65535)) {
    return fail(`${shown}: port must be an integer from ${minPort} to 65535, got ${JSON.stringify(portText)}`);
  }
  return { ok: true, value: { host, port } };
}
