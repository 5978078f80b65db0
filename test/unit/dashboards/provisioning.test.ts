/** The Grafana provisioning examples parse, and point a file provider and a Prometheus data source where the README says. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const provisioning = path.join(root, 'examples', 'grafana', 'provisioning');
const load = (file: string): Record<string, unknown> =>
  parse(fs.readFileSync(path.join(provisioning, file), 'utf8')) as Record<string, unknown>;

describe('Grafana provisioning examples', () => {
  it('provisions a default Prometheus data source with its scrape interval', () => {
    expect(load('datasources/prometheus.yml')).toEqual({
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus',
          type: 'prometheus',
          uid: 'prometheus',
          access: 'proxy',
          url: 'http://prometheus:9090',
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: '15s' },
        },
      ],
    });
  });

  it('provisions the dashboards from a folder with a file provider, the folder the README mounts them in', () => {
    const config = load('dashboards/zk-ensemble-exporter.yml') as { apiVersion: number; providers: Array<Record<string, unknown>> };
    expect(config.apiVersion).toBe(1);
    expect(config.providers).toHaveLength(1);
    const [provider] = config.providers;
    expect(provider).toMatchObject({
      type: 'file',
      folder: 'ZooKeeper',
      options: { path: '/var/lib/grafana/dashboards/zk-ensemble-exporter' },
    });
    const readme = fs.readFileSync(path.join(root, 'dashboards', 'README.md'), 'utf8');
    expect(readme).toContain('/var/lib/grafana/dashboards/zk-ensemble-exporter');
    expect(readme).toContain('examples/grafana/provisioning');
  });
});
