/**
 * A hook store that cannot be opened, against the real agent process and a real 1-node ZooKeeper:
 * the state dir itself is valid (created, writable, lockable, so the start-up guard passes and the
 * agent does not exit 2), but `outbox.jsonl` inside it is a directory, so opening the journal fails
 * with EISDIR whatever the agent's privileges (it runs as root here, where mode bits block nothing).
 * Hooks must then be unavailable with that reason — logged, 503 + reason on the Alertmanager
 * receiver, `zookeeper_hook_store_available 0` — while polling and /metrics go on as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue, startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { HookReceiver } from '../harness/hook-receiver.js';
import { holdsFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const TOKEN = 'store-unavailable-token-0123456789';
/** What the agent answers and logs: the errno of opening a directory as the journal (src/hooks/service.ts). */
const REASON = 'hook outbox cannot be opened: EISDIR';
const ALERT_PAYLOAD = JSON.stringify({
  version: '4',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'ZookeeperQuorumLost', ensemble: 'real' },
      annotations: {},
      startsAt: '2025-03-01T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: 'f00dfeed',
    },
  ],
});

interface LogLine {
  level?: string;
  msg?: string;
  stateDir?: string;
  err?: { code?: string; path?: string };
}

function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // A line still being written when the output was read; the next read sees it whole.
    }
  }
  return lines;
}

describe.skipIf(!zookeeperInstalled())('hook store that cannot be opened', () => {
  let dir: string;
  let stateDir: string;
  let ensemble: ZkEnsemble;
  let receiver: HookReceiver;
  let agent: AgentProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-store-unavailable-'));
    fs.writeFileSync(path.join(dir, 'token'), TOKEN);
    stateDir = path.join(dir, 'state');
    // The journal's path is taken by a directory: open(O_RDWR|O_APPEND|O_CREAT) fails with EISDIR
    // even for root, while the state dir stays creatable, writable and lockable.
    fs.mkdirSync(path.join(stateDir, 'outbox.jsonl'), { recursive: true });
    // A real receiver behind the alert hook: a refused alert must never reach it.
    receiver = new HookReceiver([]);
    await receiver.start();
    ensemble = await ZkEnsemble.start({ voters: 1 });
    await ensemble.waitServing();
    agent = await startAgent([
      '--ensemble',
      `real=${ensemble.connectString}`,
      // interval = fast interval: every word every second, so "polling goes on" shows within seconds.
      '--interval',
      '1s',
      '--timeout',
      '500ms',
      '--alert-hook-url',
      receiver.url,
      '--receiver-token-file',
      path.join(dir, 'token'),
      '--state-dir',
      stateDir,
      '--agent-id',
      'store-unavailable-1',
    ]);
  });

  afterAll(async () => {
    await agent?.stop();
    await receiver?.stop();
    await ensemble?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts, logs the reason, answers the receiver 503 with it, exports store_available 0 and keeps polling', async () => {
    const server = ensemble.nodes[0]!.address;
    const metric = (text: string, name: string, labels: Record<string, string> = {}): number | undefined => sampleValue(text, name, labels);
    const lastSuccess = (text: string, command: string): number | undefined =>
      metric(text, 'zookeeper_exporter_poll_last_success_timestamp_seconds', { ensemble: 'real', server, command });

    // Started and ready (startAgent waited for /readyz): not the exit 2 of an unusable state dir.
    expect(agent.child.exitCode).toBeNull();
    expect((await fetch(`${agent.url}/readyz`)).status).toBe(200);

    // The log names the reason, the failing file and the state dir.
    const { value: logged } = await waitFor('the store failure in the log', () =>
      Promise.resolve(logLines(agent.output()).find((l) => l.msg === 'hook outbox cannot be opened; failover hooks are unavailable')),
    );
    expect(logged.level).toBe('error');
    expect(logged.err?.code).toBe('EISDIR');
    expect(logged.err?.path).toBe(path.join(stateDir, 'outbox.jsonl'));
    expect(logged.stateDir).toBe(stateDir);

    const before = await agent.metrics();
    expect(metric(before, 'zookeeper_hook_store_available')).toBe(0);
    expect(metric(before, 'zookeeper_hook_alerts_received_total')).toBe(0);
    expect(metric(before, 'zookeeper_hook_processing_errors_total')).toBe(0);

    // The receiver refuses (Alertmanager retries a 5xx) with the reason as JSON, and nothing else.
    const res = await fetch(`${agent.url}/api/v1/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: ALERT_PAYLOAD,
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const raw = await res.text();
    expect(JSON.parse(raw)).toEqual({ error: REASON });
    // No stack trace and no file system path leak to the caller.
    expect(raw).not.toMatch(/stack|\bat .*\(|node:internal|\/outbox\.jsonl/);

    // Refused alerts are still counted as received, and the refusal as a processing error.
    const afterPost = await agent.metrics();
    expect(metric(afterPost, 'zookeeper_hook_store_available')).toBe(0);
    expect(metric(afterPost, 'zookeeper_hook_alerts_received_total')).toBe(1);
    expect(metric(afterPost, 'zookeeper_hook_processing_errors_total')).toBe(1);

    // Polling unaffected: the real node is up and its srvr and mntr successes keep advancing past
    // what the scrape after the refusal showed (the store failed at start, before any of them).
    const srvrAt = lastSuccess(afterPost, 'srvr');
    const mntrAt = lastSuccess(afterPost, 'mntr');
    expect(srvrAt).toBeGreaterThan(0);
    expect(mntrAt).toBeGreaterThan(0);
    const { value: later } = await waitFor(
      'new srvr and mntr successes on the real node',
      async () => {
        const text = await agent.metrics();
        return lastSuccess(text, 'srvr')! > srvrAt! && lastSuccess(text, 'mntr')! > mntrAt! ? text : undefined;
      },
      10_000,
    );
    expect(metric(later, 'zookeeper_up', { ensemble: 'real', server })).toBe(1);
    expect(metric(later, 'zookeeper_exporter_command_result', { ensemble: 'real', server, command: 'srvr', reason: 'ok' })).toBe(1);
    expect(metric(later, 'zookeeper_hook_store_available')).toBe(0);

    // A refused alert is never delivered (e.g. from a memory fallback): a first attempt goes out at
    // once after an intent is accepted, so 2 s more with no request at the receiver is ample.
    await holdsFor(2000, () => expect(receiver.requests).toHaveLength(0));

    // A clean stop, the lock released and the operator's directory left as it was.
    expect(await agent.stop()).toBe(0);
    expect(fs.statSync(path.join(stateDir, 'outbox.jsonl')).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(stateDir, 'agent.lock'))).toBe(false);
  });
});
