import { isIPv6 } from 'node:net';

/** A parsed `HOST:PORT`; an IPv6 host is kept without its brackets. */
export interface HostPort {
  host: string;
  port: number;
}

/** Outcome of {@link parseHostPort}. */
export type HostPortResult = { ok: true; value: HostPort } | { ok: false; message: string };

const HOSTNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** True for a hostname, an IPv4 address or a bare (unbracketed) IPv6 address. */
export function isValidHost(host: string): boolean {
  return (HOSTNAME.test(host) && host.length <= 253) || isIPv6(host);
}

/** Why `host` is not a valid host, or undefined when it is (for the object form `{host: …}`). */
export function checkHost(host: string): string | undefined {
  if (host === '') return 'empty; expected a hostname or IP address';
  if (host.startsWith('[') && host.endsWith(']') && isIPv6(host.slice(1, -1))) {
    return `write the IPv6 address without brackets here: "${host.slice(1, -1)}"`;
  }
  if (!isValidHost(host)) return `${JSON.stringify(host)} is not a hostname or IP address`;
  return undefined;
}

/**
 * Parses `host:port`, `1.2.3.4:port` or `[v6]:port`. `minPort` is 1 for ZooKeeper nodes and 0 for
 * the listen address (port 0 asks the OS for a free port, which tests use).
 */
export function parseHostPort(text: string, minPort: 0 | 1 = 1): HostPortResult {
  const shown = JSON.stringify(text);
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
    if (!isValidHost(host)) return fail(`${shown}: ${JSON.stringify(host)} is not a hostname or IP address`);
  }
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= minPort && port <= 65535)) {
    return fail(`${shown}: port must be an integer from ${minPort} to 65535, got ${JSON.stringify(portText)}`);
  }
  return { ok: true, value: { host, port } };
}

/** Writes `host:port`, bracketing an IPv6 host: the inverse of {@link parseHostPort}. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function fail(message: string): HostPortResult {
  return { ok: false, message };
}
