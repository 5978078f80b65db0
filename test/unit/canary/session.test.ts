import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CanarySession } from '../../../src/zk/canary-session.js';
import { startFakeZkServer, type FakeZkServer } from '../../harness/fake-zk-server.js';

/** A loopback port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('CanarySession without a usable node', () => {
  const sessions: CanarySession[] = [];
  let fake: FakeZkServer | undefined;
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await fake?.close();
    fake = undefined;
  });

  it('fails the connect step as not_connected within the timeout when the port is closed', async () => {
    const port = await closedPort();
    const session = new CanarySession({ server: `127.0.0.1:${port}`, connectString: `127.0.0.1:${port}`, znode: '/c/a@x', timeoutMs: 300 });
    sessions.push(session);
    const started = Date.now();
    const result = await session.probe();
    expect(result).toMatchObject({
      server: `127.0.0.1:${port}`,
      ok: false,
      wrote: false,
      failedOp: 'connect',
      reason: 'not_connected',
      latencyMs: {},
    });
    // The step's deadline ends the probe; the upper bound leaves room for a loaded machine.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails the same way against a node that accepts and never answers (a paused JVM)', async () => {
    fake = await startFakeZkServer({ replies: {}, behaviour: 'hang' });
    const server = `127.0.0.1:${fake.port}`;
    const session = new CanarySession({ server, connectString: server, znode: '/c/a@x', timeoutMs: 300 });
    sessions.push(session);
    const result = await session.probe();
    expect(result).toMatchObject({ ok: false, failedOp: 'connect', reason: 'not_connected' });
    expect(fake.connections).toBeGreaterThanOrEqual(1);
  });

  it('reuses one client across probes instead of opening a connection per probe', async () => {
    fake = await startFakeZkServer({ replies: {}, behaviour: 'hang' });
    const server = `127.0.0.1:${fake.port}`;
    const session = new CanarySession({ server, connectString: server, znode: '/c/a@x', timeoutMs: 200, sessionTimeoutMs: 30_000 });
    sessions.push(session);
    await session.probe();
    await session.probe();
    // One client, whose first connection attempt is still waiting for its handshake (its connect timeout
    // is the 30 s session timeout): two probes, one connection.
    expect(fake.connections).toBe(1);
  });
});
