/**
 * Fetches each peer's report (its own latest view of the ensembles) with a deadline. Each peer's
 * result carries its own error, so one dead peer never sinks the others.
 */
import { peerReportSchema, type PeerReport } from '../decide/peers.js';

/** One peer's answer: a report, or why there is none. */
export interface PeerFetchResult {
  url: string;
  report?: PeerReport;
  error?: string;
  durationMs: number;
}

// A report is a few hundred bytes per ensemble; anything far larger is not a peer speaking.
const MAX_REPORT_BYTES = 1 << 20;

/** GETs `<base url><path>` from every peer at once, each bounded by `timeoutMs`; never rejects. */
export async function fetchPeerViews(urls: readonly string[], path: string, timeoutMs: number, token?: string): Promise<PeerFetchResult[]> {
  return Promise.all(urls.map((url) => fetchOne(url, path, timeoutMs, token)));
}

async function fetchOne(base: string, path: string, timeoutMs: number, token: string | undefined): Promise<PeerFetchResult> {
  const started = performance.now();
  const done = (fields: { report?: PeerReport; error?: string }): PeerFetchResult => ({
    url: base,
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });
  // Joined as text: `new URL(path, base)` would drop a base path such as `/exporter`.
  const url = `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  try {
    // One signal for the whole exchange: a peer that answers headers and then stalls is cut off too.
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) {
      await res.body?.cancel();
      return done({ error: `HTTP ${res.status}` });
    }
    const text = await readCapped(res, MAX_REPORT_BYTES);
    if (text === undefined) return done({ error: 'report too large' });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return done({ error: 'report is not JSON' });
    }
    const parsed = peerReportSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return done({ error: `invalid report: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unknown'}` });
    }
    return done({ report: parsed.data });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') return done({ error: `timed out after ${timeoutMs}ms` });
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return done({ error: cause?.code ?? cause?.message ?? e.message });
  }
}

/** The body as text, or undefined (and the rest left unread) once it passes `maxBytes`, whatever content-length claims. */
async function readCapped(res: Response, maxBytes: number): Promise<string | undefined> {
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
