import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HooksConfig } from '../../../src/config/types.js';
import { HookService } from '../../../src/hooks/service.js';
import { createApp, type HttpSources } from '../../../src/http/app.js';
import { createHookRouter } from '../../../src/http/hooks-routes.js';

const TOKEN = 'app-test-receiver-token';

const sources: HttpSources = {
  renderMetrics: () => Promise.resolve(Buffer.alloc(0)),
  metricsContentType: 'text/plain; version=0.0.4',
  ready: () => true,
  ensembles: () => [],
  ensemble: (name) => (name === 'main' ? { name } : undefined),
  ensembleNames: () => ['main'],
};

// Whatever a stack trace or an install path would leave in a body.
const LEAKS = /\bat .*\(|node_modules|\/src\/|\/work\/|\.ts:\d|\.js:\d|<html|<pre/i;

describe('JSON error handler', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let hooks: HookService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zk-app-'));
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
    hooks = new HookService({ config, log: pino({ level: 'silent' }), agentVersion: 'test', intervalMs: 1000 });
    await hooks.start();
    const app = createApp(sources, [
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

  it('answers a bad percent-escape in a path parameter with 400 JSON and a reason, no stack trace or path', async () => {
    const res = await fetch(`${base}/api/v1/ensembles/%E0%A4%A`);
    const text = await res.text();
    expect([res.status, res.headers.get('content-type')]).toEqual([400, 'application/json; charset=utf-8']);
    expect(JSON.parse(text)).toEqual({ error: 'malformed percent-encoding in the path' });
    expect(text).not.toMatch(LEAKS);
  });

  it('still answers a well-formed escape of an unknown ensemble with 404 JSON', async () => {
    const res = await fetch(`${base}/api/v1/ensembles/%C3%A9`);
    expect([res.status, await res.json()]).toEqual([404, { error: 'unknown ensemble "é"', known: ['main'] }]);
  });

  it('answers an unsupported charset on the Alertmanager receiver with 415 JSON and a reason', async () => {
    const res = await fetch(`${base}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=iso-8859-1' },
      body: '{"version":"4","status":"firing","receiver":"r","alerts":[]}',
    });
    const text = await res.text();
    expect([res.status, res.headers.get('content-type')]).toEqual([415, 'application/json; charset=utf-8']);
    expect(JSON.parse(text)).toEqual({ error: 'unsupported charset "iso-8859-1": send UTF-8 JSON' });
    expect(text).not.toMatch(LEAKS);
  });

  it('accepts the same body in UTF-8 on the receiver', async () => {
    const res = await fetch(`${base}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: '{"version":"4","status":"firing","receiver":"r","alerts":[]}',
    });
    expect(res.status).toBe(202);
  });
});
