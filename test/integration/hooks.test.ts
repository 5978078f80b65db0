/**
 * Failover hooks with real processes: a real 3-node ensemble, the real agent, a real HTTP receiver
 * that verifies signatures and honours Idempotency-Key. Scenarios share the ensemble, in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { sampleValue, startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { HookReceiver } from '../harness/hook-receiver.js';
import { ZkEnsemble, zookeeperInstalled, type ZkNode } from '../harness/zookeeper.js';

const SECRET = 'test-secret-0123456789';
const FAILPOINT_PRELOAD = new URL('../harness/failpoint-preload.mjs', import.meta.url).href;
const TOKEN = 'receiver-token-abcdef';
const ADMIN = 'admin-token-0123456789abcdef';

let dir: string;
let ensemble: ZkEnsemble;
let receiver: HookReceiver;
let agent: AgentProcess;
const others: AgentProcess[] = [];

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function config(name: string, extra = ''): string {
  return file(
    `${name}.yml`,
    `ensembles:
  - name: local
    servers: [${ensemble.nodes.map((n) => `"${n.address}"`).join(', ')}]
hooks:
  stateDir: ${path.join(dir, `state-${name}`)}
  agentId: ${name}
  secretFiles: [${path.join(dir, 'secret')}]
  receiverTokenFiles: [${path.join(dir, 'token')}]
  adminTokenFile: ${path.join(dir, 'admin')}
  targets:
    - name: pager
      url: ${receiver.url}
      timeout: 2s
      backoff: { initial: 500ms, max: 3s }
  rules:
    - { event: quorum_at_risk, hook: pager, cooldown: 0s }
    - { event: quorum_lost, hook: pager, cooldown: 0s }
    - { event: quorum_restored, hook: pager, cooldown: 0s }
  alertmanager:
    routes:
      - hook: pager
        matchers: ['alertname=~"Zookeeper.*"']
${extra}`,
  );
}

const FLAGS = ['--interval', '1s', '--timeout', '500ms', '--log-level', 'info'];

function alertPayload(fingerprint: string, startsAt = '2026-11-25T10:00:00.000Z'): string {
  return JSON.stringify({
    receiver: 'zk-ensemble-exporter',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'ZookeeperQuorumLost', ensemble: 'local', severity: 'critical' },
        annotations: { summary: 'quorum lost' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus/graph',
        fingerprint,
      },
    ],
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
    version: '4',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    someFieldFromANewerAlertmanager: true,
  });
}

// `null` sends no Authorization header (undefined would fall back to the default token).
function postAlert(target: AgentProcess, body: string, token: string | null = TOKEN): Promise<Response> {
  return fetch(`${target.url}/api/v1/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

/** GET a hooks API path with the admin token (hook state reads need it once any token is configured). */
async function adminJson<T>(target: AgentProcess, pathname: string): Promise<T> {
  const res = await fetch(target.url + pathname, { headers: { authorization: `Bearer ${ADMIN}` }, signal: AbortSignal.timeout(5000) });
  return (await res.json()) as T;
}

async function quorum(target: AgentProcess, want: string): Promise<void> {
  await waitFor(
    `quorum ${want}`,
    async () => {
      const s = await target.json<EnsembleState>('/api/v1/ensembles/local');
      return s.quorum === want ? s : undefined;
    },
    30_000,
  );
}

async function leaderAndFollowers(): Promise<{ leader: ZkNode; followers: ZkNode[] }> {
  const { value: leader } = await waitFor('leader', () => ensemble.leader());
  return { leader, followers: ensemble.nodes.filter((n) => n !== leader) };
}

describe.skipIf(!zookeeperInstalled())('failover hooks, agent-driven and Alertmanager-driven', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-hooks-'));
    file('secret', `${SECRET}\n`);
    file('token', `${TOKEN}\n`);
    file('admin', `${ADMIN}\n`);
    receiver = new HookReceiver([SECRET]);
    await receiver.start();
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    agent = await startAgent(['--config', config('agent-a'), ...FLAGS]);
    await quorum(agent, 'healthy');
  });

  afterAll(async () => {
    await agent?.stop();
    for (const a of others) await a.stop();
    await receiver?.stop();
    await ensemble?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires nothing for the state found at start-up', async () => {
    // Negative check: 2 s is two 1 s rounds, each of which could have fired.
    await sleep(2000);
    expect(receiver.requests).toEqual([]);
  });

  it('one node down → exactly one signed quorum_at_risk; a second → one quorum_lost; both back → one quorum_restored', async () => {
    const { followers } = await leaderAndFollowers();
    await followers[0]!.kill();
    const atRisk = await waitFor('quorum_at_risk delivered', () =>
      Promise.resolve(receiver.of('quorum_at_risk').length > 0 ? receiver.of('quorum_at_risk') : undefined),
    );
    const hook = atRisk.value[0]!;
    expect(hook.verified).toBe(true);
    expect(hook.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(hook.body).toMatchObject({ event: 'quorum_at_risk', ensemble: 'local', quorum: 'at_risk', margin: 0, agent: { id: 'agent-a' } });
    expect(hook.body.idempotencyKey).toBe(hook.idempotencyKey);
    expect((hook.body.nodes as Array<{ server: string; role: string }>).find((n) => n.server === followers[0]!.address)?.role).toBe('down');

    await followers[1]!.kill();
    await waitFor('quorum_lost delivered', () => Promise.resolve(receiver.of('quorum_lost').length > 0 ? true : undefined));
    followers[0]!.start();
    followers[1]!.start();
    await ensemble.waitServing(30_000);
    await waitFor('quorum_restored delivered', () => Promise.resolve(receiver.of('quorum_restored').length > 0 ? true : undefined), 30_000);
    // Negative check: a repeat would come within a few rounds or a backoff; 3 s covers both.
    await sleep(3000);
    expect(receiver.requests.map((r) => r.body.event)).toEqual(['quorum_at_risk', 'quorum_lost', 'quorum_restored']);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    const deliveries = await adminJson<{ entries: Array<{ type: string; result?: string }> }>(
      agent,
      '/api/v1/hooks/deliveries?type=result',
    );
    expect(deliveries.entries.map((e) => e.result)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('receiver down for 30 s → the pending intent is delivered once when it returns', async () => {
    await quorum(agent, 'healthy');
    await receiver.stop();
    const { followers } = await leaderAndFollowers();
    const before = receiver.of('quorum_at_risk').length;
    await followers[0]!.kill();
    await quorum(agent, 'at_risk');
    // The scenario itself: the receiver stays away for 30 s while the agent retries.
    await sleep(30_000);
    const metrics = await agent.metrics();
    expect(sampleValue(metrics, 'zookeeper_hook_oldest_pending_age_seconds', {})).toBeGreaterThan(20);
    const attempts = await adminJson<{ entries: Array<{ outcome?: { kind: string } }> }>(agent, '/api/v1/hooks/deliveries?type=attempt');
    expect(attempts.entries.filter((e) => e.outcome?.kind === 'retry').length).toBeGreaterThan(2);
    await receiver.start();
    const back = await waitFor(
      'delivered after the receiver returned',
      () => Promise.resolve(receiver.of('quorum_at_risk').length > before ? true : undefined),
      15_000,
    );
    console.log(`receiver back → delivered in ${back.elapsedMs} ms`);
    // Negative check: a second copy would follow within a round or a backoff step; 2 s covers both.
    await sleep(2000);
    expect(receiver.of('quorum_at_risk')).toHaveLength(before + 1);
    expect(receiver.requests.filter((r) => r.body.event === 'quorum_at_risk')).toHaveLength(before + 1);
    followers[0]!.start();
    await ensemble.waitServing(30_000);
    await quorum(agent, 'healthy');
    await waitFor('restored delivered', () => Promise.resolve(receiver.of('quorum_restored').length === 2 ? true : undefined), 15_000);
  });

  it('Alertmanager receiver: 401 without the token, 400 for malformed input, 202 and one forwarded hook for a payload posted twice', async () => {
    expect((await postAlert(agent, alertPayload('fp-1'), null)).status).toBe(401);
    expect((await postAlert(agent, alertPayload('fp-1'), 'wrong-token')).status).toBe(401);
    const malformed = await postAlert(agent, '{"version": "4", "alerts": [');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^malformed JSON/);
    const invalid = await postAlert(agent, JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing' }] }));
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toContain('alerts[0]');
    const first = await postAlert(agent, alertPayload('fp-1'));
    expect(first.status).toBe(202);
    expect((await postAlert(agent, alertPayload('fp-1'))).status).toBe(202);
    await waitFor('alert forwarded', () => Promise.resolve(receiver.of('alert').length > 0 ? true : undefined));
    // Negative check: the repeat is handled within milliseconds; 1.5 s leaves room for a slow machine.
    await sleep(1500);
    const alerts = receiver.requests.filter((r) => r.body.event === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.verified).toBe(true);
    expect(alerts[0]!.idempotencyKey).toBe('pager/alert/fp-1/2026-11-25T10:00:00.000Z/firing');
    expect(sampleValue(await agent.metrics(), 'zookeeper_hook_alert_duplicates_total', {})).toBe(1);
  });

  for (const failpoint of ['after-persist', 'after-send'] as const) {
    it(`kill -9 ${failpoint.replace('-', ' ')} → one effective delivery after restart`, async () => {
      const name = `crash-${failpoint}`;
      const cfg = config(name);
      // The preload installs a crash-point callback that kills the agent at the named point (see failpoint-preload.mjs).
      const crashing = await startAgent(['--config', cfg, ...FLAGS], 20_000, {
        NODE_OPTIONS: `--import=${FAILPOINT_PRELOAD}`,
        ZK_EXPORTER_FAILPOINT: failpoint,
      });
      const fingerprint = `fp-${failpoint}`;
      const key = `pager/alert/${fingerprint}/2026-11-25T10:00:00.000Z/firing`;
      const exited = new Promise<NodeJS.Signals | null>((resolve) => crashing.child.once('exit', (_code, signal) => resolve(signal)));
      // 202 means durable: after-persist kills the agent once the intent is fsynced but before the
      // 202, so Alertmanager sees the connection close (and would retry); after-send comes after the 202.
      const answer = await postAlert(crashing, alertPayload(fingerprint)).then(
        (r) => r.status,
        () => 'closed' as const,
      );
      expect(answer).toBe(failpoint === 'after-persist' ? 'closed' : 202);
      expect(await exited).toBe('SIGKILL');
      const sentBeforeCrash = receiver.requests.filter((r) => r.idempotencyKey === key).length;
      expect(sentBeforeCrash).toBe(failpoint === 'after-send' ? 1 : 0);
      const restarted = await startAgent(['--config', cfg, ...FLAGS]);
      others.push(restarted);
      await waitFor('delivered after restart', () =>
        Promise.resolve(receiver.requests.filter((r) => r.idempotencyKey === key).length > sentBeforeCrash ? true : undefined),
      );
      if (failpoint === 'after-persist') {
        // Alertmanager's retry of the unanswered post: accepted, recognised as already taken, not delivered again.
        expect((await postAlert(restarted, alertPayload(fingerprint))).status).toBe(202);
      }
      // Negative check: a duplicate would follow within a retry or two; 1.5 s covers the 500 ms first backoff and the next one.
      await sleep(1500);
      expect(receiver.effective.filter((r) => r.idempotencyKey === key)).toHaveLength(1);
      expect(receiver.requests.filter((r) => r.idempotencyKey === key)).toHaveLength(sentBeforeCrash + 1);
      const results = await adminJson<{ entries: Array<{ idempotencyKey?: string; result?: string }> }>(
        restarted,
        '/api/v1/hooks/deliveries?type=result',
      );
      expect(results.entries.filter((e) => e.idempotencyKey === key).map((e) => e.result)).toEqual(['delivered']);
      await restarted.stop();
    });
  }

  it('a pause suppresses and records; dry-run records and sends nothing', async () => {
    await quorum(agent, 'healthy');
    const dry = await startAgent([
      '--ensemble',
      `local=${ensemble.connectString}`,
      '--dry-run',
      '--hook-url',
      receiver.url,
      '--agent-id',
      'dry',
      ...FLAGS,
    ]);
    others.push(dry);
    const unauthorised = await fetch(`${agent.url}/api/v1/hooks/pause`, { method: 'POST', body: '{"by":"me"}' });
    expect(unauthorised.status).toBe(401);
    // The receiver token is scoped to posting alerts.
    const withReceiverToken = await fetch(`${agent.url}/api/v1/hooks/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'sre-oncall' }),
    });
    expect(withReceiverToken.status).toBe(403);
    const paused = await fetch(`${agent.url}/api/v1/hooks/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'sre-oncall', reason: 'rolling restart' }),
    });
    expect(paused.status).toBe(200);
    const sent = receiver.requests.length;
    const { followers } = await leaderAndFollowers();
    await followers[0]!.kill();
    await quorum(agent, 'at_risk');
    const suppressed = await waitFor('suppression recorded', async () => {
      const d = await adminJson<{ entries: Array<{ event?: string; detail?: string }> }>(agent, '/api/v1/hooks/deliveries?type=suppressed');
      return d.entries.some((e) => e.event === 'quorum_at_risk') ? d : undefined;
    });
    expect(suppressed.value.entries.at(-1)?.detail).toContain('rolling restart');
    const dryRun = await waitFor('dry-run recorded', async () => {
      const d = await dry.json<{ entries: Array<{ event?: string; result?: string }> }>('/api/v1/hooks/deliveries?type=result');
      return d.entries.some((e) => e.event === 'quorum_at_risk' && e.result === 'dry_run') ? d : undefined;
    });
    expect(dryRun.value.entries).toHaveLength(1);
    // Negative check: nothing may be sent in dry-run; 1.5 s covers the next 1 s round.
    await sleep(1500);
    expect(receiver.requests.length).toBe(sent);
    expect(sampleValue(await agent.metrics(), 'zookeeper_hook_maintenance_active', { ensemble: 'local' })).toBe(1);
    const resumed = await fetch(`${agent.url}/api/v1/hooks/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'sre-oncall' }),
    });
    expect(resumed.status).toBe(200);
    followers[0]!.start();
    await ensemble.waitServing(30_000);
  });
  it('never shows a token: not in the logs, /metrics, or any API answer', async () => {
    const answers: string[] = [await agent.metrics()];
    for (const pathname of [
      '/api/v1/hooks/status',
      '/api/v1/hooks/deliveries?limit=1000',
      '/api/v1/ensembles',
      '/api/v1/hooks/peer-view',
    ]) {
      for (const token of [ADMIN, TOKEN]) {
        const res = await fetch(agent.url + pathname, { headers: { authorization: `Bearer ${token}` } });
        answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
      }
    }
    // Refusals too: a wrong scope or a wrong token must not echo what was sent.
    for (const [pathname, token] of [
      ['/api/v1/hooks/ack', TOKEN],
      ['/api/v1/alertmanager', ADMIN],
      ['/api/v1/hooks/pause', `${ADMIN}x`],
    ] as const) {
      const res = await fetch(agent.url + pathname, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
      answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
    }
    const seen = [agent.output(), ...answers].join('\n');
    expect(seen).toContain('"adminToken":true');
    for (const token of [ADMIN, TOKEN, SECRET]) expect(seen.includes(token), token).toBe(false);
  });
});
