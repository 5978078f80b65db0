import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../src/metrics/agent-metrics.js';

/** Sample lines `name value` or `name{…} value` whose name is `name`. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

describe('AgentMetrics runtime option', () => {
  it('adds process and Node.js series and the previous scrape’s cost only when asked', async () => {
    const plain = await new AgentMetrics(() => {}).render();
    expect(plain).not.toContain('process_cpu_seconds_total');
    expect(plain).not.toContain('zookeeper_exporter_scrape_');

    const metrics = new AgentMetrics(() => {}, { runtime: true });
    const first = await metrics.render();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samples(first, name), name).toHaveLength(1);
    }
    // A scrape cannot time itself: the first one reports zeros, the next one the first one's cost.
    expect(samples(first, 'zookeeper_exporter_scrape_bytes')).toStrictEqual(['zookeeper_exporter_scrape_bytes 0']);
    expect(samples(first, 'zookeeper_exporter_scrape_duration_seconds')).toStrictEqual(['zookeeper_exporter_scrape_duration_seconds 0']);
    const second = await metrics.render();
    expect(samples(second, 'zookeeper_exporter_scrape_bytes')).toStrictEqual([
      `zookeeper_exporter_scrape_bytes ${Buffer.byteLength(first)}`,
    ]);
    const duration = Number(samples(second, 'zookeeper_exporter_scrape_duration_seconds')[0]?.split(' ')[1]);
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThan(5);
  });

  // promtool ships with Prometheus (Debian: apt-get install prometheus); it is installed in CI.
  it.skipIf(spawnSync('promtool', ['--version']).error !== undefined)('passes promtool check metrics with the runtime series', async () => {
    const text = await new AgentMetrics(() => {}, { runtime: true }).render();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
