/**
 * One GET to an AdminServer over HTTPS with the ensemble's CA, client certificate and name, under one
 * deadline and a size cap. `fetch` cannot take a CA per request, so this uses `node:https`.
 */
import https from 'node:https';
import { connectOptions, expectedName, tlsFailureDetail, type ZkTls } from './tls.js';

/** What came back: the status and the whole body, or a failure the caller turns into a reply. */
export type HttpsResult =
  { ok: true; status: number; body: Buffer } | { ok: false; reason: 'refused' | 'timeout' | 'too_large' | 'tls'; detail: string };

/** GETs `path` from `host:port` over TLS; never rejects. */
export function httpsGet(
  host: string,
  port: number,
  path: string,
  secure: ZkTls,
  opts: { timeoutMs: number; maxBytes: number },
): Promise<HttpsResult> {
  return new Promise<HttpsResult>((resolve) => {
    let settled = false;
    let received = 0;
    let phase: 'connecting' | 'reading' = 'connecting';
    const chunks: Buffer[] = [];
    const finish = (result: HttpsResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      resolve(result);
    };
    const deadline = setTimeout(() => {
      const progress = phase === 'reading' ? ` while reading (${received} bytes received)` : ' before response headers';
      finish({ ok: false, reason: 'timeout', detail: `timed out${progress} after ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
    const request = https.request({
      ...connectOptions(secure, host, port),
      path,
      method: 'GET',
      headers: { accept: 'application/json' },
      // A fresh connection each time: the agent pool would keep sockets to every node open between rounds.
      agent: false,
    });
    request.on('response', (response) => {
      phase = 'reading';
      const declared = Number(response.headers['content-length'] ?? Number.NaN);
      if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode <= 299 && declared > opts.maxBytes) {
        finish({ ok: false, reason: 'too_large', detail: `reply exceeded ${opts.maxBytes} bytes (content-length ${declared})` });
        return;
      }
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > opts.maxBytes) finish({ ok: false, reason: 'too_large', detail: `reply exceeded ${opts.maxBytes} bytes` });
        else chunks.push(chunk);
      });
      response.on('end', () => finish({ ok: true, status: response.statusCode ?? 0, body: Buffer.concat(chunks, received) }));
      response.on('error', (err) => finish(failure(err, secure, host, phase)));
    });
    request.on('error', (err) => finish(failure(err, secure, host, phase)));
    request.end();
  });
}

function failure(err: unknown, secure: ZkTls, host: string, phase: string): HttpsResult {
  const code = (err as { code?: unknown }).code;
  const text = typeof code === 'string' && code !== '' ? code : 'UNKNOWN';
  const tlsDetail = tlsFailureDetail(text, expectedName(secure, host));
  if (tlsDetail !== undefined) return { ok: false, reason: 'tls', detail: tlsDetail };
  return { ok: false, reason: 'refused', detail: phase === 'reading' ? `${text} while reading` : text };
}
