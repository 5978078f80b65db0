import fs from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isFourLetterWord, sendFourLetterWord } from '../../../src/zk/four-letter.js';
import { READ_ONLY_COMMANDS, type FourLetterWord } from '../../../src/zk/read-only.js';
import {
  fixturePath,
  loadCapturedReplies,
  startBlackholePort,
  startFakeZkServer,
  type FakeZkServer,
  type FakeZkServerOptions,
} from '../../harness/fake-zk-server.js';
import { freePort } from '../../harness/ports.js';
import { waitFor } from '../../harness/wait.js';

const LIMITS = { timeoutMs: 2000, maxBytes: 1 << 20 };
const ANY_DURATION: unknown = expect.any(Number);
const ROLES = ['leader', 'follower', 'observer', 'standalone', 'not-serving', 'whitelist-srvr-only'];
const SRVR_LEADER = fs.readFileSync(fixturePath('leader', 'srvr.txt'));

const started: FakeZkServer[] = [];
async function fake(options: FakeZkServerOptions): Promise<FakeZkServer> {
  const server = await startFakeZkServer(options);
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

/** Resources that would show a leaked socket or deadline timer. */
function socketsAndTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
}

describe('sendFourLetterWord', () => {
  describe.each(ROLES)('replays captured %s replies', (role) => {
    it('byte for byte', async () => {
      const replies = await loadCapturedReplies(role);
      const words = Object.keys(replies).sort();
      expect(words.length).toBeGreaterThan(0);
      const server = await fake({ replies });
      for (const word of words) {
        expect(isFourLetterWord(word)).toBe(true);
        const reply = await sendFourLetterWord(server, word as FourLetterWord, LIMITS);
        expect(reply).toEqual({ ok: true, body: replies[word]!.toString('utf8'), durationMs: ANY_DURATION });
        if (!reply.ok) throw new Error('unreachable');
        expect(Buffer.from(reply.body, 'utf8').equals(fs.readFileSync(fixturePath(role, `${word}.txt`)))).toBe(true);
      }
    });
  });

  it('accepts a reply of exactly maxBytes', async () => {
    const server = await fake({ replies: { srvr: SRVR_LEADER } });
    const reply = await sendFourLetterWord(server, 'srvr', { timeoutMs: 2000, maxBytes: SRVR_LEADER.length });
    expect(reply).toEqual({ ok: true, body: SRVR_LEADER.toString('utf8'), durationMs: ANY_DURATION });
  });

  it('returns too_large one byte past maxBytes', async () => {
    const server = await fake({ replies: { srvr: SRVR_LEADER } });
    const reply = await sendFourLetterWord(server, 'srvr', { timeoutMs: 2000, maxBytes: SRVR_LEADER.length - 1 });
    expect(reply).toEqual({
      ok: false,
      reason: 'too_large',
      detail: `reply exceeded ${SRVR_LEADER.length - 1} bytes`,
      durationMs: ANY_DURATION,
    });
  });

  it('stops reading a huge reply as soon as the cap is passed', async () => {
    const huge = Buffer.alloc(64 << 20, 'x');
    const server = await fake({ replies: { mntr: huge } });
    const t0 = performance.now();
    const reply = await sendFourLetterWord(server, 'mntr', { timeoutMs: 5000, maxBytes: 4096 });
    expect(reply).toEqual({ ok: false, reason: 'too_large', detail: 'reply exceeded 4096 bytes', durationMs: ANY_DURATION });
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('times out reading from a server that accepts and never answers', async () => {
    const server = await fake({ replies: {}, behaviour: 'hang' });
    const t0 = performance.now();
    const reply = await sendFourLetterWord(server, 'srvr', { timeoutMs: 300, maxBytes: 4096 });
    const elapsed = performance.now() - t0;
    expect(reply).toEqual({
      ok: false,
      reason: 'timeout',
      detail: 'timed out while reading after 300 ms (0 bytes received)',
      durationMs: ANY_DURATION,
    });
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(300 + 500);
  });

  it('keeps one overall deadline against a slow-dripping server', async () => {
    // Each byte arrives well inside an idle timeout; only an overall deadline stops this.
    const server = await fake({ replies: { srvr: SRVR_LEADER }, behaviour: 'slow-drip', dripIntervalMs: 20 });
    const t0 = performance.now();
    const reply = await sendFourLetterWord(server, 'srvr', { timeoutMs: 400, maxBytes: 4096 });
    const elapsed = performance.now() - t0;
    expect(reply.ok).toBe(false);
    if (reply.ok) throw new Error('unreachable');
    expect(reply.reason).toBe('timeout');
    expect(reply.detail).toMatch(/^timed out while reading after 400 ms \(\d+ bytes received\)$/);
    expect(Number(/\((\d+) bytes/.exec(reply.detail)?.[1])).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(400 + 500);
  });

  it('reads a slow-dripped reply completely when the deadline allows', async () => {
    const server = await fake({ replies: { ruok: 'imok' }, behaviour: 'slow-drip', dripIntervalMs: 10 });
    const reply = await sendFourLetterWord(server, 'ruok', { timeoutMs: 2000, maxBytes: 4096 });
    expect(reply).toEqual({ ok: true, body: 'imok', durationMs: ANY_DURATION });
  });

  it('times out connecting when the accept queue is full', async () => {
    const blackhole = await startBlackholePort();
    try {
      const t0 = performance.now();
      const reply = await sendFourLetterWord({ host: '127.0.0.1', port: blackhole.port }, 'srvr', {
        timeoutMs: 300,
        maxBytes: 4096,
      });
      const elapsed = performance.now() - t0;
      expect(reply).toEqual({
        ok: false,
        reason: 'timeout',
        detail: 'timed out while connecting after 300 ms',
        durationMs: ANY_DURATION,
      });
      expect(elapsed).toBeLessThan(300 + 500);
    } finally {
      await blackhole.close();
    }
  });

  it('returns refused with the code when nothing listens', async () => {
    const port = await freePort(); // bound to port 0, noted, closed
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port }, 'srvr', LIMITS);
    expect(reply).toEqual({
      ok: false,
      reason: 'refused',
      detail: 'ECONNREFUSED while connecting',
      durationMs: ANY_DURATION,
    });
  });

  it('returns refused when the server resets the connection', async () => {
    const server = await fake({ replies: { srvr: SRVR_LEADER }, behaviour: 'reset' });
    const reply = await sendFourLetterWord(server, 'srvr', LIMITS);
    expect(reply).toEqual({
      ok: false,
      reason: 'refused',
      detail: 'ECONNRESET while reading',
      durationMs: ANY_DURATION,
    });
  });

  it('returns refused for a malformed port instead of throwing', async () => {
    const reply = await sendFourLetterWord({ host: '127.0.0.1', port: 70000 }, 'srvr', LIMITS);
    expect(reply).toEqual({
      ok: false,
      reason: 'refused',
      detail: 'ERR_SOCKET_BAD_PORT while connecting',
      durationMs: ANY_DURATION,
    });
  });

  it('returns ok with an empty body when the server closes without replying (classifying is not its job)', async () => {
    const server = await fake({ replies: { srvr: SRVR_LEADER }, behaviour: 'close-without-reply' });
    const reply = await sendFourLetterWord(server, 'srvr', LIMITS);
    expect(reply).toEqual({ ok: true, body: '', durationMs: ANY_DURATION });
  });

  it('does not let a hanging node delay a concurrent request to a healthy one', async () => {
    const hanging = await fake({ replies: {}, behaviour: 'hang' });
    const healthy = await fake({ replies: { srvr: SRVR_LEADER } });
    const t0 = performance.now();
    let healthyAt = Number.NaN;
    const [slow, fast] = await Promise.all([
      sendFourLetterWord(hanging, 'srvr', { timeoutMs: 1500, maxBytes: 4096 }),
      sendFourLetterWord(healthy, 'srvr', { timeoutMs: 1500, maxBytes: 4096 }).then((reply) => {
        healthyAt = performance.now() - t0;
        return reply;
      }),
    ]);
    expect(fast).toEqual({ ok: true, body: SRVR_LEADER.toString('utf8'), durationMs: ANY_DURATION });
    expect(slow).toEqual({
      ok: false,
      reason: 'timeout',
      detail: 'timed out while reading after 1500 ms (0 bytes received)',
      durationMs: ANY_DURATION,
    });
    expect(healthyAt).toBeLessThan(1000);
  });

  it('leaves no socket or deadline timer behind, whatever the outcome', async () => {
    const before = socketsAndTimers();
    const normal = await fake({ replies: { srvr: SRVR_LEADER } });
    const hanging = await fake({ replies: {}, behaviour: 'hang' });
    const reset = await fake({ replies: {}, behaviour: 'reset' });
    const closed = await freePort();
    for (let i = 0; i < 20; i++) {
      const replies = await Promise.all([
        // Long deadlines: a timer that was not cleared would still be pending when we count.
        sendFourLetterWord(normal, 'srvr', { timeoutMs: 30_000, maxBytes: 4096 }),
        sendFourLetterWord(normal, 'srvr', { timeoutMs: 30_000, maxBytes: 10 }),
        sendFourLetterWord(hanging, 'srvr', { timeoutMs: 50, maxBytes: 4096 }),
        sendFourLetterWord(reset, 'srvr', { timeoutMs: 30_000, maxBytes: 4096 }),
        sendFourLetterWord({ host: '127.0.0.1', port: closed }, 'srvr', { timeoutMs: 30_000, maxBytes: 4096 }),
      ]);
      expect(replies.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'too_large', 'timeout', 'refused', 'refused']);
    }
    // The fake servers' own sockets go when they close; then only the baseline may remain.
    await Promise.all(started.splice(0).map((server) => server.close()));
    await waitFor(
      `sockets and timers back to the baseline of ${before}`,
      () => Promise.resolve(socketsAndTimers() <= before || undefined),
      1_000,
      20,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}: ${socketsAndTimers()} still active`);
    });
  });

  it('has destroyed its socket by the time it settles, whatever the outcome', async () => {
    const sockets: net.Socket[] = [];
    const real = net.connect.bind(net) as (options: net.NetConnectOpts) => net.Socket;
    const spy = vi.spyOn(net, 'connect').mockImplementation(((options: net.NetConnectOpts) => {
      const socket = real(options);
      sockets.push(socket);
      return socket;
    }) as typeof net.connect);
    try {
      const normal = await fake({ replies: { srvr: SRVR_LEADER } });
      const empty = await fake({ replies: {}, behaviour: 'close-without-reply' });
      const hanging = await fake({ replies: {}, behaviour: 'hang' });
      const reset = await fake({ replies: {}, behaviour: 'reset' });
      const closed = await freePort();
      const cases = [
        { target: normal, maxBytes: 4096, reason: 'ok' },
        { target: empty, maxBytes: 4096, reason: 'ok' },
        { target: normal, maxBytes: 10, reason: 'too_large' },
        { target: hanging, maxBytes: 4096, reason: 'timeout' },
        { target: reset, maxBytes: 4096, reason: 'refused' },
        { target: { host: '127.0.0.1', port: closed }, maxBytes: 4096, reason: 'refused' },
      ];
      for (const { target, maxBytes, reason } of cases) {
        const reply = await sendFourLetterWord(target, 'srvr', { timeoutMs: 200, maxBytes });
        expect(reply.ok ? 'ok' : reply.reason).toBe(reason);
        expect(sockets).toHaveLength(1);
        expect(sockets[0]!.destroyed).toBe(true);
        sockets.length = 0;
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects a word that is not read-only at run time (the type forbids it too)', async () => {
    const server = await fake({ replies: {} });
    // Compile-time half of the guard: never called, only type-checked by tsc.
    const _typeChecked = (): unknown =>
      // @ts-expect-error srst resets server statistics: it is not a FourLetterWord
      sendFourLetterWord(server, 'srst', LIMITS);
    for (const word of ['srst', 'crst', 'kill', 'dump', 'SRVR', 'srvr\n']) {
      await expect(sendFourLetterWord(server, word as FourLetterWord, LIMITS)).rejects.toThrow(
        new TypeError(`refusing to send ${JSON.stringify(word)}: not a read-only four-letter word`),
      );
    }
    expect(server.connections).toBe(0);
  });

  it('allows exactly the read-only words', () => {
    expect([...READ_ONLY_COMMANDS]).toEqual(['srvr', 'stat', 'mntr', 'wchs', 'conf', 'isro', 'envi', 'cons', 'ruok']);
    expect(READ_ONLY_COMMANDS.every(isFourLetterWord)).toBe(true);
    expect(isFourLetterWord('srst')).toBe(false);
  });
});
