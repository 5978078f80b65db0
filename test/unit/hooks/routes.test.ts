import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooksConfig } from '../../../src/config/types.js';
import { HookService } from '../../../src/hooks/service.js';
import { createRouterApp } from '../../../src/http/app.js';
import { adminVerdict, createHookRouter, RECEIVER_SCOPE_ERROR, type AdminAccess } from '../../../src/http/hooks-routes.js';

// Far from the real clock, so an end time computed with Date.now() could not pass for this one.
const SERVICE_NOW = Date.UTC(2001, 0, 1);
const TOKEN = 'route-test-token';
const ADMIN = 'route-test-admin-token';

describe('hooks routes', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let hooks: HookService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-hook-routes-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    writeFileSync(join(dir, 'admin'), `${ADMIN}\n`);
    const config: HooksConfig = {
      dryRun: true,
      agentId: 'agent-a',
      secretFiles: [],
      targets: [],
      rules: [],
      alertRoutes: [],
      maintenance: [],
      peers: [],
      peerTimeoutMs: 1000,
      receiverTokenFiles: [join(dir, 'token')],
      adminTokenFile: join(dir, 'admin'),
      maxBodyBytes: 65_536,
    };
    hooks = new HookService({ config, log: pino({ level: 'silent' }), agentVersion: 'test', intervalMs: 1000, now: () => SERVICE_NOW });
    await hooks.start();
    const app = createRouterApp([
      createHookRouter({ hooks, maxBodyBytes: config.maxBodyBytes, states: () => [], ensembleNames: () => ['main'] }),
    ]);
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hooks.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The receiver takes the receiver token, every other changing call the admin token.
  const post = (path: string, body: unknown, token = path === '/api/v1/alertmanager' ? TOKEN : ADMIN): Promise<Response> =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  describe('token scopes', () => {
    it('the receiver token posts alerts and nothing else: ack, pause and resume answer 403 with the reason', async () => {
      const alerts = await post('/api/v1/alertmanager', { version: '4', status: 'firing', receiver: 'r', alerts: [] }, TOKEN);
      expect(alerts.status).toBe(202);
      for (const [path, body] of [
        ['/api/v1/hooks/ack', { ensemble: 'main', event: 'quorum_lost', by: 'mallory' }],
        ['/api/v1/hooks/pause', { by: 'mallory' }],
        ['/api/v1/hooks/resume', { by: 'mallory' }],
      ] as const) {
        const res = await post(path, body, TOKEN);
        expect([path, res.status, await res.json()]).toEqual([path, 403, { error: RECEIVER_SCOPE_ERROR }]);
      }
      for (const path of ['/api/v1/hooks/status', '/api/v1/hooks/deliveries']) {
        const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect([path, res.status]).toEqual([path, 403]);
      }
      // Nothing was paused by the refused calls.
      const status = await fetch(`${base}/api/v1/hooks/status`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(((await status.json()) as { pause: { paused: boolean } }).pause.paused).toBe(false);
    });

    it('the admin token acks, pauses, resumes and reads, but does not post alerts', async () => {
      const ack = await post('/api/v1/hooks/ack', { ensemble: 'main', event: 'writes_stalled', by: 'alice' });
      expect([ack.status, await ack.json()]).toEqual([
        200,
        { ensemble: 'main', event: 'writes_stalled', by: 'alice', at: SERVICE_NOW, cleared: [] },
      ]);
      expect((await post('/api/v1/hooks/resume', { by: 'alice' })).status).toBe(200);
      const reads = await fetch(`${base}/api/v1/hooks/deliveries?type=ack`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(reads.status).toBe(200);
      const alerts = await post('/api/v1/alertmanager', { version: '4', alerts: [] }, ADMIN);
      expect([alerts.status, await alerts.json()]).toEqual([401, { error: 'missing or invalid bearer token' }]);
    });

    it('without credentials, or with a wrong token: 401 with a Bearer challenge, reads included', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${ADMIN}x` }] as Array<
        Record<string, string>
      >) {
        const pause = await fetch(`${base}/api/v1/hooks/pause`, { method: 'POST', headers, body: '{"by":"x"}' });
        expect([pause.status, pause.headers.get('www-authenticate'), await pause.json()]).toEqual([
          401,
          'Bearer',
          { error: 'missing or invalid admin credentials (admin bearer token or web config user)' },
        ]);
        const status = await fetch(`${base}/api/v1/hooks/status`, { headers });
        expect(status.status).toBe(401);
      }
    });
  });

  it('a pause `for` a duration ends at the service clock plus that duration', async () => {
    const res = await post('/api/v1/hooks/pause', { by: 'alice', for: '30m', reason: 'upgrade' });
    expect([res.status, await res.json()]).toEqual([
      200,
      { paused: true, by: 'alice', at: SERVICE_NOW, until: SERVICE_NOW + 30 * 60_000, reason: 'upgrade' },
    ]);
  });

  it('refuses a non-positive duration with a reason', async () => {
    const res = await post('/api/v1/hooks/pause', { by: 'alice', for: '0s' });
    expect([res.status, await res.json()]).toEqual([400, { error: 'for: must be greater than 0' }]);
  });

  it('refuses a pause of an ensemble that does not exist with 404', async () => {
    const res = await post('/api/v1/hooks/pause', { by: 'alice', ensembles: ['main', 'nope'] });
    expect([res.status, await res.json()]).toEqual([404, { error: 'unknown ensemble "nope"', known: ['main'] }]);
  });

  it('refuses JSON nested too deep with 400 before parsing it', async () => {
    const res = await fetch(`${base}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"version":"4","x":' + '['.repeat(150_000) + ']'.repeat(150_000) + '}',
    });
    // Over the 64 KiB limit too, and the size is checked first.
    expect(res.status).toBe(413);
    const shallowEnough = '{"version":"4","x":' + '['.repeat(40) + ']'.repeat(40) + '}';
    const deep = await post('/api/v1/alertmanager', JSON.parse(shallowEnough));
    expect([deep.status, await deep.json()]).toEqual([400, { error: 'JSON nested deeper than 32 levels (at offset 50)' }]);
  });

  it('answers an odd charset with 415 JSON and an unknown path with a bad escape with 404 JSON, no HTML page', async () => {
    const charset = await fetch(`${base}/api/v1/hooks/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json; charset=utf-16' },
      body: '{}',
    });
    expect([charset.status, await charset.json()]).toEqual([415, { error: 'unsupported charset "utf-16": send UTF-8 JSON' }]);
    const escape = await fetch(`${base}/api/v1/%E0%A4%A`);
    expect([escape.status, escape.headers.get('content-type')]).toEqual([404, 'application/json; charset=utf-8']);
  });

  it('cuts an authenticated chunked upload off with 413 as soon as it passes the limit', async () => {
    let sent = 0;
    const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = http.request(`${base}/api/v1/alertmanager`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      const chunk = Buffer.alloc(16_384, 0x20);
      // Writes up to 1 GiB, one chunk per drain; the server's answer (or the closed socket) stops it.
      const pump = (): void => {
        while (sent < 1024 ** 3 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      req.on('response', (res) => {
        resolve({ status: res.statusCode, body: String(res.headers['content-type']) });
        req.destroy();
      });
      req.on('error', reject);
      pump();
    });
    expect(answer).toEqual({ status: 413, body: 'application/json; charset=utf-8' });
    // Far from the end: the upload stopped within a few socket buffers of the limit.
    expect(sent).toBeLessThan(64 * 1024 ** 2);
  });
});

describe('adminVerdict', () => {
  const none: AdminAccess = { adminTokens: [], receiverTokens: [], webUsers: false };
  const receiverOnly: AdminAccess = { ...none, receiverTokens: ['r'] };
  const webOnly: AdminAccess = { ...none, webUsers: true };
  const disabled = {
    ok: false,
    status: 401,
    error: 'no admin token (--admin-token-file) and no web config users are configured; this endpoint is disabled',
    challenge: false,
  };

  it('ack, pause, resume are disabled while no admin credential is configured, even with a receiver token', () => {
    expect(adminVerdict(undefined, false, none, 'never')).toEqual(disabled);
    expect(adminVerdict('Bearer x', false, receiverOnly, 'never')).toEqual(disabled);
    expect(adminVerdict('Bearer r', false, receiverOnly, 'never')).toEqual({
      ok: false,
      status: 403,
      error: RECEIVER_SCOPE_ERROR,
      challenge: false,
    });
  });

  it('reads and reload are open only while no credential of any kind is configured', () => {
    expect(adminVerdict(undefined, false, none, 'no_auth')).toEqual({ ok: true });
    expect(adminVerdict(undefined, false, receiverOnly, 'no_auth')).toEqual(disabled);
    expect(adminVerdict(undefined, false, webOnly, 'no_auth')).toMatchObject({ ok: false, status: 401, challenge: true });
  });

  it('a web user the listener verified passes every admin route', () => {
    expect(adminVerdict('Basic dTpw', true, webOnly, 'never')).toEqual({ ok: true });
    expect(adminVerdict('Basic dTpw', true, receiverOnly, 'no_auth')).toEqual({ ok: true });
    // The same header without the listener's verification is not enough.
    expect(adminVerdict('Basic dTpw', false, webOnly, 'never')).toMatchObject({ ok: false, status: 401 });
  });
});
