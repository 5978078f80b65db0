import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { RawReply } from '../model/outcome.js';
import { READ_ONLY_COMMANDS, type FourLetterWord } from './read-only.js';
import { connectOptions, expectedName, isLoaded, tlsFailureDetail, type ZkTls, type ZkTlsSettings } from './tls.js';

/** Where a four-letter word is sent: a node's client port. */
export interface FourLetterTarget {
  host: string;
  port: number;
}

/** Limits for one four-letter-word exchange. */
export interface FourLetterOptions {
  /** One deadline covering DNS lookup, connect, write and read until the server closes. */
  timeoutMs: number;
  /** Largest reply accepted; one byte more and the socket is destroyed with `too_large`. */
  maxBytes: number;
  /** Speak TLS (the node's `secureClientPort`); never falls back to plaintext. */
  tls?: ZkTls | ZkTlsSettings;
}

/** Which part of the exchange a failure happened in; it is named in the failure's `detail`. */
export type FourLetterPhase = 'connecting' | 'handshaking' | 'reading';

const READ_ONLY = new Set<string>(READ_ONLY_COMMANDS);

/** True when `word` is one of the read-only words this agent may send. */
export function isFourLetterWord(word: string): word is FourLetterWord {
  return READ_ONLY.has(word);
}

/**
 * Sends one four-letter word and reads until the server closes the connection.
 *
 * Every network failure is a value (`refused`, `timeout`, `too_large`); an empty reply is returned as
 * `ok` with an empty body because deciding what an empty reply means is the classifier's job.
 * The promise rejects only on a programming error: a word outside {@link READ_ONLY_COMMANDS}.
 */
export function sendFourLetterWord(target: FourLetterTarget, word: FourLetterWord, opts: FourLetterOptions): Promise<RawReply> {
  // The type already forbids other words; this guard stops casts and unvalidated config from
  // ever sending state-changing words such as `srst` or `kill`.
  if (!isFourLetterWord(word)) {
    return Promise.reject(new TypeError(`refusing to send ${JSON.stringify(word)}: not a read-only four-letter word`));
  }

  const started = performance.now();
  const elapsed = (): number => performance.now() - started;

  return new Promise<RawReply>((resolvePromise) => {
    // Undefined once settled, and the chunks let go of then too: a destroyed socket can outlive its
    // exchange long enough to reach the old generation, and through its listeners it would keep this
    // promise's resolver, hence the reply, alive with it (about 17 KB per `mntr` reply, every poll).
    let resolve: ((reply: RawReply) => void) | undefined = resolvePromise;
    let chunks: Buffer[] = [];
    let received = 0;
    let phase: FourLetterPhase = 'connecting';
    let socket: net.Socket | undefined;

    const finish = (reply: RawReply): void => {
      const settle = resolve;
      if (settle === undefined) return;
      resolve = undefined;
      clearTimeout(deadline);
      socket?.destroy();
      chunks = [];
      settle(reply);
    };
    const fail = (reason: 'refused' | 'timeout' | 'too_large' | 'tls', detail: string): void =>
      finish({ ok: false, reason, detail, durationMs: elapsed() });

    // One overall deadline (not socket.setTimeout, which is an idle timer a slow-dripping server
    // could keep resetting forever).
    const deadline = setTimeout(() => {
      const progress = phase === 'reading' ? ` (${received} bytes received)` : '';
      fail('timeout', `timed out while ${phase} after ${opts.timeoutMs} ms${progress}`);
    }, opts.timeoutMs);

    const secure = opts.tls;
    if (secure !== undefined && !isLoaded(secure)) {
      // Settings whose files were never read: refuse rather than send the word in plaintext.
      fail('tls', 'TLS files were not loaded');
      return;
    }
    try {
      socket = secure
        ? tls.connect(connectOptions(secure, target.host, target.port))
        : net.connect({ host: target.host, port: target.port });
    } catch (err) {
      // net.connect throws synchronously on a malformed port; that is a target problem, not a crash.
      fail('refused', `${errorCode(err)} while connecting`);
      return;
    }

    const send = (): void => {
      phase = 'reading';
      // No half-close after the write: ZooKeeper may treat our FIN as the client going away and
      // drop the reply it is still producing.
      socket?.write(word);
    };
    if (secure) {
      socket.on('connect', () => {
        phase = 'handshaking';
      });
      socket.on('secureConnect', send);
    } else {
      socket.on('connect', send);
    }
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > opts.maxBytes) {
        fail('too_large', `reply exceeded ${opts.maxBytes} bytes`);
        return;
      }
      chunks.push(chunk);
    });
    // ZooKeeper closes the connection once the reply is written: end of stream = whole reply.
    socket.on('end', () => {
      if (phase === 'handshaking') fail('tls', 'connection closed during the TLS handshake');
      else finish({ ok: true, body: Buffer.concat(chunks, received).toString('utf8'), durationMs: elapsed() });
    });
    socket.on('error', (err) => {
      const code = errorCode(err);
      const tlsDetail = secure ? tlsFailureDetail(code, expectedName(secure, target.host)) : undefined;
      if (tlsDetail !== undefined) fail('tls', tlsDetail);
      else if (code === 'ETIMEDOUT') fail('timeout', `ETIMEDOUT while ${phase}`);
      // A server that drops the connection mid-handshake refused the handshake, not the connection.
      else if (phase === 'handshaking') fail('tls', `${code} during the TLS handshake`);
      else fail('refused', `${code} while ${phase}`);
    });
    // A close without 'end' or 'error' (should not happen, but never leave the promise pending).
    socket.on('close', () => {
      if (phase === 'handshaking') fail('tls', 'connection closed during the TLS handshake');
      else fail('refused', `connection closed while ${phase}`);
    });
  });
}

/** The errno-style code of a socket error (`ECONNREFUSED`, `ENOTFOUND`, …), or its name when it has none. */
function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, name } = err as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'UNKNOWN';
}
