import client from 'prom-client';
import type { CanaryRound } from '../zk/canary-types.js';

/**
 * The canary's accumulating series, on the agent's registry: step latencies and failures by reason.
 * Fed once per finished canary round.
 */
export class CanaryMetrics {
  private readonly latency;
  private readonly failures;

  constructor(registry: client.Registry) {
    this.latency = new client.Histogram({
      name: 'zookeeper_canary_latency_seconds',
      help: 'Duration of canary writes and read-backs that answered within the timeout (timed-out ones are counted as failures instead).',
      labelNames: ['ensemble', 'server', 'op'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.failures = new client.Counter({
      name: 'zookeeper_canary_failures_total',
      help: 'Canary probes that failed, by reason (timeout, not_connected, connection_loss, session_expired, no_auth, ...).',
      labelNames: ['ensemble', 'server', 'reason'] as const,
      registers: [registry],
    });
  }

  /** Records one round's latencies and failures. */
  observe(round: CanaryRound): void {
    for (const node of round.nodes) {
      const labels = { ensemble: round.ensemble, server: node.server };
      if (node.latencyMs.write !== undefined) this.latency.observe({ ...labels, op: 'write' }, node.latencyMs.write / 1000);
      if (node.latencyMs.read !== undefined) this.latency.observe({ ...labels, op: 'read' }, node.latencyMs.read / 1000);
      if (!node.ok) this.failures.inc({ ...labels, reason: node.reason ?? 'error' });
    }
  }
}
