/** examples/prometheus-probe.yml passes promtool and sends what /probe parses. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseProbeQuery } from '../../../src/http/probe-query.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FILE = 'examples/prometheus-probe.yml';

interface ScrapeConfig {
  metrics_path: string;
  static_configs: Array<{ targets: string[]; labels: Record<string, string> }>;
  relabel_configs: Array<{ source_labels?: string[]; target_label: string }>;
}

describe(FILE, () => {
  // promtool ships with Prometheus (Debian: apt-get install prometheus); it is installed in CI.
  it.skipIf(spawnSync('promtool', ['--version']).error !== undefined)('passes promtool check config', () => {
    const result = spawnSync('promtool', ['check', 'config', FILE], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('probes /probe with each static target as `target` and its `__param_ensemble` as `ensemble`, both accepted by the agent', () => {
    const config = YAML.parse(readFileSync(`${root}${FILE}`, 'utf8')) as { scrape_configs: ScrapeConfig[] };
    const [job] = config.scrape_configs;
    expect(job!.metrics_path).toBe('/probe');
    expect(job!.relabel_configs[0]).toEqual({ source_labels: ['__address__'], target_label: '__param_target' });
    for (const group of job!.static_configs) {
      for (const target of group.targets) {
        const parsed = parseProbeQuery({ target, ensemble: group.labels['__param_ensemble'] }, '10');
        expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      }
    }
  });
});
