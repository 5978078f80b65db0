import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { adminCommandUrl, fetchAdminCommand, isAdminCommand } from '../../../src/zk/admin-http.js';
import { READ_ONLY_ADMIN_COMMANDS, type AdminCommand } from '../../../src/zk/read-only.js';
import { fixturePath } from '../../harness/fake-zk-server.js';
import { freePort } from '../../harness/ports.js';

const LIMITS = { timeoutMs: 2000, maxBytes: 1 << 20 };
const ANY_DURATION: unknown = expect.any(Number);

/** A captured AdminServer reply: `HTTP <status>` on the first line, then the body. */
function loadAdminFixture(role: string, command: string): { status: number; body: string } {
  const text = fs.readFileSync(fixturePath(role, `admin-${command}.http`), 'utf8');
  const newline = text.indexOf('\n');
  const status = /^HTTP (\d{3})$/.exec(text.slice(0, newline))?.[1];
  if (!status) throw new Error(`admin-${command}.http of ${role} has no status line`);
  return { status: Number(status), body: text.slice(newline + 1) };
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

/** A tiny AdminServer stand-in on port 0; every request goes to `handler`. */
async function adminServer(handler: Handler): Promise<{ host: string; adminPort: number; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', adminPort: (server.address() as AddressInfo).port, requests };
}

/** Serves the captured admin-*.http fixtures of one role, with their status and body. */
function servingFixtures(role: string): Handler {
  return (req, res) => {
    const command = /^\/commands\/(\w+)$/.exec(req.url ?? '')?.[1] ?? '';
    const path = fixturePath(role, `admin-${command}.http`);
    if (!fs.existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    const { status, body } = loadAdminFixture(role, command);
    const type = body.startsWith('<html>') ? 'text/html;charset=iso-8859-1' : 'application/json';
    res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) }).end(body);
  };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    // Drop keep-alive and hanging connections, or close() waits for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('fetchAdminCommand', () => {
  describe.each(['leader', 'follower', 'observer', 'standalone'])('captured %s replies', (role) => {
    it.each(['srvr', 'stat', 'mntr', 'wchs', 'conf', 'leader', 'zabstate', 'voting_view'] as const)(
      '%s parses to the captured JSON',
      async (command) => {
        const target = await adminServer(servingFixtures(role));
        const reply = await fetchAdminCommand(target, command, LIMITS);
        expect(reply).toEqual({
          ok: true,
          body: JSON.parse(loadAdminFixture(role, command).body) as unknown,
          durationMs: ANY_DURATION,
        });
        expect(target.requests).toEqual([`GET /commands/${command}`]);
      },
    );
  });

  it('returns the "not serving" JSON error object as ok: deciding what it means is the classifier\'s job', async () => {
    const target = await adminServer(servingFixtures('not-serving'));
    const reply = await fetchAdminCommand(target, 'srvr', LIMITS);
    expect(reply).toEqual({
      ok: true,
      body: { command: 'srvr', error: 'This ZooKeeper instance is not currently serving requests' },
      durationMs: ANY_DURATION,
    });
  });

  it('returns http_error with only the status for the not-serving mntr 500 page', async () => {
    const fixture = loadAdminFixture('not-serving', 'mntr');
    expect(fixture.status).toBe(500);
    expect(fixture.body).toContain('NullPointerException');
    const target = await adminServer(servingFixtures('not-serving'));
    const reply = await fetchAdminCommand(target, 'mntr', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'http_error', detail: 'HTTP 500', durationMs: ANY_DURATION });
  });

  it('returns http_error for a 404', async () => {
    const target = await adminServer(servingFixtures('not-serving'));
    const reply = await fetchAdminCommand(target, 'zabstate', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'http_error', detail: 'HTTP 404', durationMs: ANY_DURATION });
  });

  it('does not follow a redirect', async () => {
    const target = await adminServer((_req, res) => res.writeHead(302, { location: '/commands/srvr' }).end());
    const reply = await fetchAdminCommand(target, 'mntr', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'http_error', detail: 'HTTP 302', durationMs: ANY_DURATION });
    expect(target.requests).toEqual(['GET /commands/mntr']);
  });

  it('returns http_error "not JSON" for a 200 that is not JSON', async () => {
    const html = loadAdminFixture('not-serving', 'mntr').body;
    const target = await adminServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    const reply = await fetchAdminCommand(target, 'mntr', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'http_error', detail: 'not JSON', durationMs: ANY_DURATION });
  });

  it('returns malformed for a reply that repeats a key with another value, naming both values', async () => {
    const body =
      '{\n  "server_state" : "follower",\n  "znode_count" : 5,\n  "server_state" : "leader",\n  "command" : "mntr",\n  "error" : null\n}';
    const target = await adminServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const reply = await fetchAdminCommand(target, 'mntr', LIMITS);
    expect(reply).toEqual({
      ok: false,
      reason: 'malformed',
      detail: 'mntr: "server_state" appears twice with different values ("follower", then "leader")',
      durationMs: ANY_DURATION,
    });
  });

  it('keeps a reply whose repeated key has the same value', async () => {
    const body = '{"server_state":"leader","znode_count":5,"server_state":"leader","command":"mntr","error":null}';
    const target = await adminServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const reply = await fetchAdminCommand(target, 'mntr', LIMITS);
    expect(reply).toEqual({
      ok: true,
      body: { server_state: 'leader', znode_count: 5, command: 'mntr', error: null },
      durationMs: ANY_DURATION,
    });
  });

  it('returns http_error "not JSON" for an empty 200', async () => {
    const target = await adminServer((_req, res) => res.writeHead(200).end());
    const reply = await fetchAdminCommand(target, 'ruok', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'http_error', detail: 'not JSON', durationMs: ANY_DURATION });
  });

  it('returns too_large from content-length without reading the body', async () => {
    const { body } = loadAdminFixture('leader', 'mntr');
    const size = Buffer.byteLength(body);
    const target = await adminServer(servingFixtures('leader'));
    const reply = await fetchAdminCommand(target, 'mntr', { timeoutMs: 2000, maxBytes: 1024 });
    expect(reply).toEqual({
      ok: false,
      reason: 'too_large',
      detail: `reply exceeded 1024 bytes (content-length ${size})`,
      durationMs: ANY_DURATION,
    });
  });

  it('returns too_large while streaming a chunked body with no content-length', async () => {
    let writes = 0;
    const target = await adminServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // An endless body: only the cap stops the reader.
      const chunk = Buffer.alloc(4096, ' ');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) writes++;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.write('[');
      pump();
    });
    const reply = await fetchAdminCommand(target, 'mntr', { timeoutMs: 5000, maxBytes: 64 * 1024 });
    expect(reply).toEqual({
      ok: false,
      reason: 'too_large',
      detail: 'reply exceeded 65536 bytes',
      durationMs: ANY_DURATION,
    });
    expect(writes).toBeGreaterThan(0);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const { body } = loadAdminFixture('leader', 'wchs');
    const target = await adminServer(servingFixtures('leader'));
    const reply = await fetchAdminCommand(target, 'wchs', { timeoutMs: 2000, maxBytes: Buffer.byteLength(body) });
    expect(reply).toEqual({ ok: true, body: JSON.parse(body) as unknown, durationMs: ANY_DURATION });
  });

  it('times out when no response headers come (a SIGSTOPped node)', async () => {
    const target = await adminServer(() => undefined);
    const t0 = performance.now();
    const reply = await fetchAdminCommand(target, 'srvr', { timeoutMs: 300, maxBytes: 4096 });
    const elapsed = performance.now() - t0;
    expect(reply).toEqual({
      ok: false,
      reason: 'timeout',
      detail: 'timed out before response headers after 300 ms',
      durationMs: ANY_DURATION,
    });
    expect(elapsed).toBeLessThan(300 + 500);
  });

  it('times out while reading a body that stops half-way', async () => {
    const target = await adminServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"command" : "srvr",');
    });
    const t0 = performance.now();
    const reply = await fetchAdminCommand(target, 'srvr', { timeoutMs: 300, maxBytes: 4096 });
    const elapsed = performance.now() - t0;
    expect(reply).toEqual({
      ok: false,
      reason: 'timeout',
      detail: 'timed out while reading after 300 ms (20 bytes received)',
      durationMs: ANY_DURATION,
    });
    expect(elapsed).toBeLessThan(300 + 500);
  });

  it('returns refused with the code when nothing listens', async () => {
    const adminPort = await freePort(); // bound to port 0, noted, closed
    const reply = await fetchAdminCommand({ host: '127.0.0.1', adminPort }, 'srvr', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'refused', detail: 'ECONNREFUSED', durationMs: ANY_DURATION });
  });

  it('returns refused when the server drops the connection mid-body', async () => {
    const target = await adminServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"command"', () => res.destroy());
    });
    const reply = await fetchAdminCommand(target, 'srvr', LIMITS);
    // undici's "other side closed" SocketError.
    expect(reply).toEqual({
      ok: false,
      reason: 'refused',
      detail: 'UND_ERR_SOCKET while reading',
      durationMs: ANY_DURATION,
    });
  });

  it('names the blocked-port failure instead of hiding it (Fetch spec bad ports such as 6000)', async () => {
    const reply = await fetchAdminCommand({ host: '127.0.0.1', adminPort: 6000 }, 'srvr', LIMITS);
    expect(reply).toEqual({ ok: false, reason: 'refused', detail: 'bad port', durationMs: ANY_DURATION });
  });

  it('rejects a command outside the read-only allow-list without sending anything', async () => {
    const target = await adminServer(servingFixtures('leader'));
    // Compile-time half of the guard: never called, only type-checked by tsc.
    const _typeChecked = (): unknown =>
      // @ts-expect-error snapshot writes to disk: it is not an AdminCommand
      fetchAdminCommand(target, 'snapshot', LIMITS);
    for (const command of ['snapshot', 'restore', 'dump', 'crst', 'stat_reset', 'mntr/../x', 'MNTR']) {
      await expect(fetchAdminCommand(target, command as AdminCommand, LIMITS)).rejects.toThrow(
        new TypeError(`refusing to request ${JSON.stringify(command)}: not a read-only AdminServer command`),
      );
    }
    expect(target.requests).toEqual([]);
  });

  it('allows exactly the read-only AdminServer commands', () => {
    expect([...READ_ONLY_ADMIN_COMMANDS]).toEqual([
      'srvr',
      'stat',
      'mntr',
      'wchs',
      'conf',
      'leader',
      'zabstate',
      'voting_view',
      'ruok',
      'isro',
      'environment',
      'cons',
    ]);
    expect(READ_ONLY_ADMIN_COMMANDS.every(isAdminCommand)).toBe(true);
    expect(isAdminCommand('snapshot')).toBe(false);
  });

  it('brackets IPv6 literals in the URL', () => {
    expect(adminCommandUrl({ host: '::1', adminPort: 8080 }, 'mntr')).toBe('http://[::1]:8080/commands/mntr');
    expect(adminCommandUrl({ host: 'zk-1.example', adminPort: 8080 }, 'srvr')).toBe('http://zk-1.example:8080/commands/srvr');
  });
});
