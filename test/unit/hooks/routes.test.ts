import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooksConfig } from '../../../src/config/types.js';
import { HookService } from '../../../src/hooks/service.js';
import { createHookRouter } from '../../../src/http/hooks-routes.js';

// Far from the real clock, so an end time computed with Date.now() could not pass for this one.
const SERVICE_NOW = Date.UTC(2001, 0, 1);
const TOKEN = 'route-test-token';

describe('hooks routes', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let hooks: HookService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-hook-routes-'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
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
      maxBodyBytes: 65_536,
    };
    hooks = new HookService({ config, log: pino({ level: 'silent' }), agentVersion: 'test', intervalMs: 1000, now: () => SERVICE_NOW });
    await hooks.start();
    const app = express().use(
      createHookRouter({ hooks, maxBodyBytes: config.maxBodyBytes, states: () => [], ensembleNames: () => ['main'] }),
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hooks.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
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
});
