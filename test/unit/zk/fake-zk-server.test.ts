import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sendFourLetterWord } from '../../../src/zk/four-letter.js';
import { createLimiter } from '../../../src/zk/limiter.js';
import {
  fixturePath,
  loadCapturedReplies,
  startFakeEnsemble,
  startFakeZkServer,
  type FakeEnsemble,
  type FakeZkServer,
} from '../../harness/fake-zk-server.js';
import { waitFor } from '../../harness/wait.js';

const ANY_DURATION: unknown = expect.any(Number);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});
function track<T extends FakeZkServer | FakeEnsemble>(started: T): T {
  cleanups.push(() => started.close());
  return started;
}

describe('fake ZooKeeper harness', () => {
  it('loads exactly the four-letter-word fixtures of a role, as bytes', async () => {
    const replies = await loadCapturedReplies('whitelist-srvr-only');
    expect(Object.keys(replies).sort()).toEqual(['conf', 'cons', 'envi', 'isro', 'mntr', 'srvr', 'stat', 'wchs']);
    expect(replies.srvr!.equals(fs.readFileSync(fixturePath('whitelist-srvr-only', 'srvr.txt')))).toBe(true);
    expect(replies.mntr!.toString('utf8')).toBe('mntr is not executed because it is not in the whitelist.\n');
  });

  it('answers an unknown word with an empty reply, as ZooKeeper does', async () => {
    const server = track(await startFakeZkServer({ replies: { srvr: 'x' } }));
    const reply = await sendFourLetterWord(server, 'ruok', { timeoutMs: 2000, maxBytes: 4096 });
    expect(reply).toEqual({ ok: true, body: '', durationMs: ANY_DURATION });
    expect(server.connections).toBe(1);
  });

  it('switches behaviour for later connections and closes hanging ones on close()', async () => {
    const server = track(await startFakeZkServer({ replies: { ruok: 'imok' } }));
    server.setBehaviour('hang');
    const pending = sendFourLetterWord(server, 'ruok', { timeoutMs: 5000, maxBytes: 4096 });
    await waitFor('the hanging connection to open', () => Promise.resolve(server.openConnections > 0 || undefined), 2_000, 10);
    expect(server.openConnections).toBe(1);
    await server.close();
    expect(server.openConnections).toBe(0);
    // The hanging connection was destroyed by close(): the client sees the close, not its deadline.
    // close() ends it with FIN, or with RST if the word was still unread in the kernel: both are
    // exact, neither waits for the 5 s deadline.
    const reply = await pending;
    expect([
      JSON.stringify({ ok: true, body: '' }),
      JSON.stringify({ ok: false, reason: 'refused', detail: 'ECONNRESET while reading' }),
    ]).toContain(JSON.stringify({ ...reply, durationMs: undefined }));
    expect(reply.durationMs).toBeLessThan(4000);
  });

  it('serves 1,000 fake nodes from one process, polled through the limiter', { timeout: 60_000 }, async () => {
    const leader = await loadCapturedReplies('leader');
    const follower = await loadCapturedReplies('follower');
    const ensemble = track(await startFakeEnsemble(1000, { leader, follower }));
    expect(ensemble.nodes).toHaveLength(1000);
    expect(new Set(ensemble.nodes.map((node) => node.port)).size).toBe(1000);
    expect(ensemble.nodes.filter((node) => node.role === 'leader')).toHaveLength(1);

    const limiter = createLimiter(64);
    let peak = 0;
    const replies = await Promise.all(
      ensemble.nodes.map((node) =>
        limiter.run(async () => {
          peak = Math.max(peak, limiter.active);
          return sendFourLetterWord(node, 'srvr', { timeoutMs: 10_000, maxBytes: 1 << 16 });
        }),
      ),
    );
    expect(peak).toBe(64);
    replies.forEach((reply, i) => {
      const expected = (ensemble.nodes[i]!.role === 'leader' ? leader : follower).srvr!.toString('utf8');
      expect(reply).toEqual({ ok: true, body: expected, durationMs: ANY_DURATION });
    });
    expect(ensemble.nodes.reduce((sum, node) => sum + node.connections, 0)).toBe(1000);
    await ensemble.close();
    expect(ensemble.nodes.every((node) => node.openConnections === 0)).toBe(true);
  });
});
