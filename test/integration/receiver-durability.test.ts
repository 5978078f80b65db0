/**
 * The receiver's 202 is a durability promise, checked with real agent processes: thousands of
 * alerts in one request, SIGKILL right after the 202 (or halfway through the journal write), a
 * restart on the same state dir, and every alert delivered exactly once per idempotency key at a
 * real receiver. Also the state dir guard: one agent per dir, a stale lock taken over, an
 * unusable dir refused at start with exit 2.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_MAIN, startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { HookReceiver } from '../harness/hook-receiver.js';

const SECRET = 'durability-secret-0123456789';
const TOKEN = 'durability-token-0123456789';
const ALERTS = 3000;
const FAILPOINT_PRELOAD = new URL('../harness/failpoint-preload.mjs', import.meta.url).href;

function payload(count: number): string {
  const alerts = Array.from({ length: count }, (_, i) => ({
    status: 'firing',
    labels: { alertname: 'ZookeeperQuorumLost', ensemble: 'local', n: String(i) },
    annotations: {},
    startsAt: '2025-03-01T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: `fp${i.toString(16).padStart(6, '0')}`,
  }));
  return JSON.stringify({ version: '4', status: 'firing', alerts });
}

describe('receiver durability and the state dir guard', () => {
  let dir: string;
  let receiver: HookReceiver;
  const agents: AgentProcess[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-durable-'));
    fs.writeFileSync(path.join(dir, 'secret'), SECRET);
    fs.writeFileSync(path.join(dir, 'token'), TOKEN);
    receiver = new HookReceiver([SECRET]);
    await receiver.start();
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const args = (stateDir = path.join(dir, 'state')): string[] => [
    // Nothing listens on port 1: rounds end at once, polling is not what this test is about.
    '--ensemble',
    'local=127.0.0.1:1',
    '--interval',
    '1s',
    '--timeout',
    '200ms',
    '--alert-hook-url',
    receiver.url,
    '--hook-secret-file',
    path.join(dir, 'secret'),
    '--receiver-token-file',
    path.join(dir, 'token'),
    '--state-dir',
    stateDir,
    '--agent-id',
    'durable-1',
  ];
  const start = async (env: Record<string, string> = {}): Promise<AgentProcess> => {
    const agent = await startAgent(args(), 20_000, env);
    agents.push(agent);
    return agent;
  };
  const post = (agent: AgentProcess, body: string): Promise<Response> =>
    fetch(`${agent.url}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
      signal: AbortSignal.timeout(30_000),
    });
  const exited = (agent: AgentProcess): Promise<unknown> =>
    agent.child.exitCode !== null || agent.child.signalCode !== null ? Promise.resolve() : new Promise((r) => agent.child.once('exit', r));

  /** Waits for every alert's key at the receiver, then checks each was acted on exactly once. */
  async function expectEachDeliveredOnce(): Promise<void> {
    await waitFor('every alert delivered', () => Promise.resolve(receiver.effective.length >= ALERTS ? true : undefined), 90_000, 50);
    const keys = receiver.effective.map((h) => h.idempotencyKey);
    expect(new Set(keys).size).toBe(ALERTS);
    expect(keys.every((k) => /^alert-hook\/alert\/fp[0-9a-f]{6}\/2025-03-01T10:00:00Z\/firing$/.test(k))).toBe(true);
    // A repeat (a send whose result the crash lost) must carry the same key as the first send.
    for (const h of receiver.requests) expect(keys).toContain(h.idempotencyKey);
    expect(receiver.requests.every((h) => h.verified)).toBe(true);
  }

  it('keeps every alert answered 202 through a SIGKILL right after the answer', async () => {
    const first = await start();
    const res = await post(first, payload(ALERTS));
    first.child.kill('SIGKILL');
    expect([res.status, await res.json()]).toEqual([202, { accepted: ALERTS, intents: ALERTS, duplicates: 0, suppressed: 0 }]);
    await exited(first);
    await start();
    await expectEachDeliveredOnce();
  }, 180_000);

  it('loses nothing when killed halfway through the journal write, once Alertmanager sends again', async () => {
    // The preload kills the agent halfway through its first fsynced journal write: this payload's.
    const first = await start({ NODE_OPTIONS: `--import=${FAILPOINT_PRELOAD}`, ZK_EXPORTER_FAILPOINT: 'journal-mid-write' });
    await expect(post(first, payload(ALERTS))).rejects.toThrow();
    await exited(first);
    expect(first.child.signalCode).toBe('SIGKILL');
    const second = await start();
    // No 202 was given, so Alertmanager sends the notification again; the torn half line is gone.
    const res = await post(second, payload(ALERTS));
    expect(res.status).toBe(202);
    expect(second.output()).toContain('hook outbox recovered after an unclean stop');
    await expectEachDeliveredOnce();
  }, 180_000);

  it('lets one agent hold a state dir; a second exits 2 naming the holder; a dead holder’s lock is taken over', async () => {
    const first = await start();
    const refused = await runToExit(args());
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(
      `state dir ${path.join(dir, 'state')} is locked by another agent: pid ${first.child.pid}, agent id "durable-1"`,
    );
    first.child.kill('SIGKILL');
    await exited(first);
    const second = await start();
    expect(second.output()).toContain('took over the stale lock of an agent that is gone');
    expect(fs.statSync(path.join(dir, 'state')).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('exits 2 with the path and reason when the state dir cannot be created', async () => {
    const refused = await runToExit(args('/proc/forbidden/x'));
    expect(refused).toEqual({
      code: 2,
      output: expect.stringContaining('config error: hooks: state dir /proc/forbidden/x: cannot create /proc/forbidden: ENOENT') as unknown,
    });
  }, 30_000);
});

/** Runs the agent expecting it to exit on its own (bounded: killed after 15 s, which fails the test). */
function runToExit(agentArgs: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AGENT_MAIN, ...agentArgs, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
