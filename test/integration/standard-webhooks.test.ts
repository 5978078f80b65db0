/**
 * Standard Webhooks with real processes: the real agent forwards an Alertmanager alert to a real
 * HTTP receiver, which verifies every request with the standardwebhooks package exactly as a
 * receiver using that package would, next to the agent's own `X-Zk-Signature`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { HookReceiver } from '../harness/hook-receiver.js';
import { freePort } from '../harness/ports.js';

// The key a Standard Webhooks library would generate, in the specification's `whsec_` form.
const NEW_KEY = Buffer.from('standard-webhooks-test-key-32byt');
const NEW_SECRET = `whsec_${NEW_KEY.toString('base64')}`;
// A plain secret from before, still accepted during rotation; keyed with its UTF-8 bytes.
const OLD_SECRET = 'plain-old-secret-0123456789';
const TOKEN = 'receiver-token-standard-webhooks';

let dir: string;
let receiver: HookReceiver;
let agent: AgentProcess;

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function alertPayload(fingerprint: string): string {
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'zk-ensemble-exporter',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'ZookeeperQuorumLost', ensemble: 'local', severity: 'critical' },
        annotations: { summary: 'quorum lost' },
        startsAt: '2026-11-25T10:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus/graph',
        fingerprint,
      },
    ],
  });
}

async function postAlert(body: string): Promise<number> {
  const res = await fetch(`${agent.url}/api/v1/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body,
    signal: AbortSignal.timeout(5000),
  });
  return res.status;
}

describe('Standard Webhooks headers on real deliveries', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-stdwh-'));
    receiver = new HookReceiver([NEW_SECRET, OLD_SECRET], new Webhook(NEW_SECRET));
    await receiver.start();
    // No ZooKeeper is needed: the deliveries come from forwarded alerts. The ensemble's one server
    // is a port nobody listens on, so its rounds finish at once (connection refused).
    const deadPort = await freePort();
    const config = file(
      'agent.yml',
      `ensembles:
  - name: local
    servers: ["127.0.0.1:${deadPort}"]
hooks:
  stateDir: ${path.join(dir, 'state')}
  agentId: agent-std
  secretFiles: [${file('secret-new', `${NEW_SECRET}\n`)}, ${file('secret-old', `${OLD_SECRET}\n`)}]
  receiverTokenFiles: [${file('token', `${TOKEN}\n`)}]
  targets:
    - name: pager
      url: ${receiver.url}
      timeout: 2s
      backoff: { initial: 100ms, max: 300ms }
  alertmanager:
    routes:
      - hook: pager
        matchers: []
`,
    );
    agent = await startAgent(['--config', config, '--interval', '1s', '--timeout', '500ms']);
  });

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every attempt verifies with the package; retries keep webhook-id and carry the timestamp of their own attempt', async () => {
    // The first attempt is answered 503, so the agent retries the same intent.
    receiver.status = 503;
    expect(await postAlert(alertPayload('fp-std-1'))).toBe(202);
    await waitFor('a first attempt', () => Promise.resolve(receiver.requests.length > 0 ? true : undefined), 10_000);
    receiver.status = 200;
    const { value: requests } = await waitFor(
      'a delivered retry',
      () => Promise.resolve(receiver.effective.length > 0 ? receiver.requests : undefined),
      10_000,
    );
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const r of requests) {
      expect(r.standardWebhook).toBe('ok');
      expect(r.verified).toBe(true);
      // webhook-id is the Idempotency-Key value.
      expect(r.headers['webhook-id']).toBe(r.idempotencyKey);
      expect(r.headers['webhook-timestamp']).toMatch(/^\d+$/);
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - Math.floor(r.at / 1000))).toBeLessThanOrEqual(2);
      // One signature per configured secret, in order, for rotation.
      expect(String(r.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
      // A receiver still holding only the old plain secret verifies it as raw UTF-8 bytes.
      const old = new Webhook(Buffer.from(OLD_SECRET, 'utf8'), { format: 'raw' });
      expect(old.verify(r.raw, r.headers as Record<string, string>)).toMatchObject({ event: 'alert' });
    }
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.effective[0]!.body).toMatchObject({ event: 'alert', ensemble: 'local' });
    // The correlation field an agent rule's quorum_lost payload carries too (docs/webhooks.md, "One incident, one key").
    expect(receiver.effective[0]!.body.incident).toEqual({
      ensemble: 'local',
      event: 'quorum_lost',
      onset: Date.parse('2026-11-25T10:00:00.000Z'),
    });
  });

  it('a receiver with a key the agent does not hold refuses the request', () => {
    const stranger = new Webhook(`whsec_${Buffer.from('a key the agent has never seen!!').toString('base64')}`);
    const r = receiver.requests[0]!;
    expect(() => stranger.verify(r.raw, r.headers as Record<string, string>)).toThrow('No matching signature found');
  });
});
