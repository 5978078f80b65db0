import { performance } from 'node:perf_hooks';
import type { RawReply } from '../model/outcome.js';
import { conflictingDuplicateKey } from '../parse/json-duplicates.js';
import { httpsGet } from './admin-https.js';
import { READ_ONLY_ADMIN_COMMANDS, type AdminCommand } from './read-only.js';
import { isLoaded, type ZkTls, type ZkTlsSettings } from './tls.js';

/** Where an AdminServer command is sent: a node's `admin.serverPort`. */
export interface AdminTarget {
  host: string;
  adminPort: number;
}

/** Limits for one AdminServer request. */
export interface AdminOptions {
  /** One deadline covering connect, response headers and the whole body. */
  timeoutMs: number;
  /** Largest body accepted; one byte more and the request is cancelled with `too_large`. */
  maxBytes: number;
  /** Speak HTTPS with these settings (an AdminServer with `admin.forceHttps`); never falls back to HTTP. */
  tls?: ZkTls | ZkTlsSettings;
}

const ALLOWED = new Set<string>(READ_ONLY_ADMIN_COMMANDS);

/** True when `command` is one of the read-only AdminServer commands this agent may request. */
export function isAdminCommand(command: string): command is AdminCommand {
  return ALLOWED.has(command);
}

/** The URL of one AdminServer command; IPv6 literals are bracketed. */
export function adminCommandUrl(target: AdminTarget, command: AdminCommand): string {
  const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host;
  return `http://${host}:${target.adminPort}/commands/${command}`;
}

/**
 * GETs `/commands/<command>` from a node's AdminServer and returns the parsed JSON body.
 *
 * Non-2xx is `http_error` with only the status in `detail` (a not-serving node answers `mntr` with a
 * 500 HTML stack-trace page); a body that is not JSON is `http_error` `not JSON`, and one that
 * repeats a key in an object with another value is `malformed` (see {@link decodeJsonBody}). Every network
 * failure is a value; the promise rejects only on a programming error: a command outside
 * {@link READ_ONLY_ADMIN_COMMANDS}.
 */
export async function fetchAdminCommand(target: AdminTarget, command: AdminCommand, opts: AdminOptions): Promise<RawReply<unknown>> {
  if (!isAdminCommand(command)) {
    throw new TypeError(`refusing to request ${JSON.stringify(command)}: not a read-only AdminServer command`);
  }

  const started = performance.now();
  const fail = (reason: 'refused' | 'timeout' | 'too_large' | 'http_error', detail: string): RawReply<unknown> => ({
    ok: false,
    reason,
    detail,
    durationMs: performance.now() - started,
  });

  if (opts.tls !== undefined) return fetchOverTls(target, command, opts.tls, opts, started);

  // The signal also aborts the body stream, so one deadline covers headers and body.
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let response: Response;
  try {
    response = await fetch(adminCommandUrl(target, command), {
      signal,
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    if (isTimeout(err, signal)) return fail('timeout', `timed out before response headers after ${opts.timeoutMs} ms`);
    return fail('refused', fetchErrorCode(err));
  }

  if (response.status < 200 || response.status > 299) {
    await discard(response);
    return fail('http_error', `HTTP ${response.status}`);
  }

  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes) {
    await discard(response);
    return fail('too_large', `reply exceeded ${opts.maxBytes} bytes (content-length ${declared})`);
  }

  const chunks: Uint8Array[] = [];
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > opts.maxBytes) {
          await reader.cancel().catch(() => undefined);
          return fail('too_large', `reply exceeded ${opts.maxBytes} bytes`);
        }
        chunks.push(value);
      }
    } catch (err) {
      await reader.cancel().catch(() => undefined);
      if (isTimeout(err, signal)) {
        return fail('timeout', `timed out while reading after ${opts.timeoutMs} ms (${received} bytes received)`);
      }
      return fail('refused', `${fetchErrorCode(err)} while reading`);
    }
  }

  const decoded = decodeJsonBody(Buffer.concat(chunks, received).toString('utf8'), command);
  if (!decoded.ok) return { ...decoded, durationMs: performance.now() - started };
  return { ok: true, body: decoded.body, durationMs: performance.now() - started };
}

/**
 * Parses a reply body. `JSON.parse` would keep the last of two equal keys, letting a broken node
 * pick what is reported; a key repeated with another value makes the reply `malformed` instead.
 */
function decodeJsonBody(
  text: string,
  command: AdminCommand,
): { ok: true; body: unknown } | { ok: false; reason: 'http_error' | 'malformed'; detail: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'http_error', detail: 'not JSON' };
  }
  const conflict = conflictingDuplicateKey(text);
  if (conflict !== undefined) {
    const { key, first, second } = conflict;
    return {
      ok: false,
      reason: 'malformed',
      detail: `${command}: ${JSON.stringify(key.slice(0, 80))} appears twice with different values (${first}, then ${second})`,
    };
  }
  return { ok: true, body };
}

/** {@link fetchAdminCommand} over HTTPS with the ensemble's TLS settings. */
async function fetchOverTls(
  target: AdminTarget,
  command: AdminCommand,
  tls: ZkTls | ZkTlsSettings,
  opts: AdminOptions,
  started: number,
): Promise<RawReply<unknown>> {
  const durationMs = (): number => performance.now() - started;
  // Settings whose files were never read: refuse rather than ask over plain HTTP.
  if (!isLoaded(tls)) return { ok: false, reason: 'tls', detail: 'TLS files were not loaded', durationMs: durationMs() };
  const result = await httpsGet(target.host, target.adminPort, `/commands/${command}`, tls, opts);
  if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail, durationMs: durationMs() };
  if (result.status < 200 || result.status > 299) {
    return { ok: false, reason: 'http_error', detail: `HTTP ${result.status}`, durationMs: durationMs() };
  }
  return { ...decodeJsonBody(result.body.toString('utf8'), command), durationMs: durationMs() };
}

/** True when `err` came from our deadline rather than from the peer. */
function isTimeout(err: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TimeoutError';
}

/**
 * The most specific code undici gives for a failed request: `fetch failed` hides the socket's code in
 * `cause` (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`, …); the Fetch spec's blocked ports
 * (e.g. 6000, 6665-6669, 10080) fail with a bare `bad port` message.
 */
function fetchErrorCode(err: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, cause, message } = current as { code?: unknown; cause?: unknown; message?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (cause === undefined && typeof message === 'string' && message !== '') return message;
    current = cause;
  }
  return 'UNKNOWN';
}

/** Releases a body we will not read, so the connection is not left half-consumed. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
