import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CanaryMetrics } from '../../../src/metrics/canary-metrics.js';

describe('CanaryMetrics', () => {
  it('observes answered steps in seconds and counts failures by reason', async () => {
    const registry = new client.Registry();
    const metrics = new CanaryMetrics(registry);
    metrics.observe({
      ensemble: 'main',
      startedAt: 0,
      finishedAt: 1000,
      nodes: [
        { server: 'a:1', startedAt: 0, finishedAt: 4, wrote: true, ok: true, latencyMs: { write: 3, read: 1 } },
        { server: 'b:1', startedAt: 0, finishedAt: 1000, wrote: false, ok: false, failedOp: 'write', reason: 'timeout', latencyMs: {} },
      ],
    });
    const text = await registry.metrics();
    expect(text).toContain('zookeeper_canary_latency_seconds_bucket{le="0.005",ensemble="main",server="a:1",op="write"} 1');
    expect(text).toContain('zookeeper_canary_latency_seconds_bucket{le="0.001",ensemble="main",server="a:1",op="read"} 1');
    expect(text).toContain('zookeeper_canary_latency_seconds_sum{ensemble="main",server="a:1",op="write"} 0.003');
    expect(text).not.toContain('server="b:1",op=');
    expect(text).toContain('zookeeper_canary_failures_total{ensemble="main",server="b:1",reason="timeout"} 1');
    expect(text).not.toContain('zookeeper_canary_failures_total{ensemble="main",server="a:1"');
  });
});
