import pino from 'pino';
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AlertmanagerClient, ERROR_LOG_INTERVAL_MS } from '../../../src/alerting/client.js';
import type { PostableAlert } from '../../../src/alerting/decide.js';
import { alertmanagerEndpoints } from '../../../src/alerting/urls.js';

function alert(alertname: string, endsAt = '2026-01-01T00:00:15.000Z'): PostableAlert {
  return {
    labels: { alertname, ensemble: 'kafka', severity: 'critical', source: 'zk-ensemble-exporter' },
    annotations: {},
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt,
    generatorURL: 'http://agent:9141/#ensemble-kafka',
  };
}

interface Call {
  url: string;
  headers: Record<string, string>;
  alerts: PostableAlert[];
}

/** A fetch whose answers the test releases one by one, recording every request. */
function controlledFetch(status = 200) {
  const calls: Call[] = [];
  const release: Array<() => void> = [];
  const impl = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, alerts: JSON.parse(init.body as string) as PostableAlert[] });
    await new Promise<void>((resolve) => release.push(resolve));
    return new Response(null, { status });
  }) as unknown as typeof fetch;
  /** Resolves once `count` requests have been made; fails naming what it awaited after `timeoutMs`. */
  const called = async (count: number, timeoutMs = 2_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (calls.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for request ${count} (${calls.length} made)`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { calls, release, impl, called };
}

function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, log };
}

describe('AlertmanagerClient', () => {
  it('posts the same alerts to every Alertmanager at once, with basic auth and no credentials in the URL', async () => {
    const f = controlledFetch();
    const registry = new client.Registry();
    const am = new AlertmanagerClient({
      endpoints: alertmanagerEndpoints(['http://u:pw@am1:9093', 'http://am2:9093']),
      timeoutMs: 1000,
      log: logCapture().log,
      registry,
      fetchImpl: f.impl,
    });
    const done = am.push([alert('ZookeeperQuorumLost')]);
    // Both requests are out before either is answered: the posts run concurrently.
    expect(f.calls.map((c) => c.url)).toEqual(['http://am1:9093/api/v2/alerts', 'http://am2:9093/api/v2/alerts']);
    expect(f.calls[0]!.headers.Authorization).toBe(`Basic ${Buffer.from('u:pw').toString('base64')}`);
    expect(f.calls[1]!.headers.Authorization).toBeUndefined();
    f.release.splice(0).forEach((r) => r());
    await done;
    const text = await registry.metrics();
    expect(text).toContain('zookeeper_exporter_alertmanager_posts_total{alertmanager="am1:9093"} 1');
    expect(text).toContain('zookeeper_exporter_alertmanager_push_errors_total{alertmanager="am2:9093"} 0');
    expect(text).not.toContain('pw');
  });

  it('posts to one Alertmanager in order, merging what piles up behind a slow post to the newest of each alert', async () => {
    const f = controlledFetch();
    const am = new AlertmanagerClient({
      endpoints: alertmanagerEndpoints(['http://am1:9093']),
      timeoutMs: 1000,
      log: logCapture().log,
      registry: new client.Registry(),
      fetchImpl: f.impl,
    });
    const first = am.push([alert('ZookeeperQuorumLost')]);
    void am.push([alert('ZookeeperQuorumLost', '2026-01-01T00:00:30.000Z')]);
    const last = am.push([alert('ZookeeperQuorumLost', '2026-01-01T00:00:05.000Z'), alert('ZookeeperNoLeader')]);
    expect(f.calls).toHaveLength(1);
    f.release.shift()!();
    // The second post starts once the first is answered.
    await f.called(2);
    expect(f.calls.map((c) => c.alerts.map((a) => `${a.labels.alertname}@${a.endsAt}`))).toEqual([
      ['ZookeeperQuorumLost@2026-01-01T00:00:15.000Z'],
      ['ZookeeperQuorumLost@2026-01-01T00:00:05.000Z', 'ZookeeperNoLeader@2026-01-01T00:00:15.000Z'],
    ]);
    f.release.shift()!();
    // One drain serves every batch queued meanwhile: all three pushes settle together.
    await Promise.all([first, last]);
  });

  it('counts failures and logs them at most once a minute per Alertmanager, without the URL', async () => {
    let now = 0;
    const { lines, log } = logCapture();
    const registry = new client.Registry();
    const am = new AlertmanagerClient({
      endpoints: alertmanagerEndpoints(['http://user:secret-pw@am1:9093']),
      timeoutMs: 1000,
      log,
      registry,
      fetchImpl: () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })),
      now: () => now,
    });
    await am.push([alert('ZookeeperQuorumLost')]);
    now = 1000;
    await am.push([alert('ZookeeperQuorumLost')]);
    now = ERROR_LOG_INTERVAL_MS + 1;
    await am.push([alert('ZookeeperQuorumLost')]);
    expect(lines.map((l) => [l.msg, l.alertmanager, l.error, l.suppressedSinceLastLog])).toEqual([
      ['alert push to Alertmanager failed', 'am1:9093', 'network error: ECONNREFUSED', 0],
      ['alert push to Alertmanager failed', 'am1:9093', 'network error: ECONNREFUSED', 1],
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-pw');
    expect(await registry.metrics()).toContain('zookeeper_exporter_alertmanager_push_errors_total{alertmanager="am1:9093"} 3');
  });

  it('counts a non-2xx answer as a failure', async () => {
    const registry = new client.Registry();
    const am = new AlertmanagerClient({
      endpoints: alertmanagerEndpoints(['http://am1:9093']),
      timeoutMs: 1000,
      log: logCapture().log,
      registry,
      fetchImpl: () => Promise.resolve(new Response('bad', { status: 400 })),
    });
    await am.push([alert('ZookeeperQuorumLost')]);
    expect(await registry.metrics()).toContain('zookeeper_exporter_alertmanager_push_errors_total{alertmanager="am1:9093"} 1');
  });
});
