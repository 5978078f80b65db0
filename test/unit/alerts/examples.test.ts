/** examples/prometheus.yml and examples/alertmanager.yml pass their own tools and route as documented. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, RULES_FILE } from '../../../alerts/rules.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs an installed tool from the repository root; the output goes into assertion messages. */
function run(bin: string, args: string[]): { status: number | null; stdout: string; output: string } {
  if (!existsSync(bin)) throw new Error(`${bin} not found: run scripts/install-deps.sh`);
  const result = spawnSync(bin, args, { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

describe('examples/prometheus.yml', () => {
  const config = YAML.parse(readFileSync(`${root}examples/prometheus.yml`, 'utf8')) as {
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; scrape_interval: string }>;
  };

  it('passes promtool check config (which also checks the rule file it loads)', () => {
    const { status, output } = run('/usr/bin/promtool', ['check', 'config', 'examples/prometheus.yml']);
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS: 31 rules found');
  });

  it('scrapes the agent every 5 s under a job name of its own choosing, and loads the rendered rules', () => {
    // The rules select by metric name: the job is `zookeeper` here, not the project's name.
    expect(DEFAULT_CONFIG.selector).toBe('');
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(['zookeeper']);
    expect(config.scrape_configs[0]!.scrape_interval).toBe(DEFAULT_CONFIG.agentInterval);
    expect(config.rule_files).toEqual([`../${RULES_FILE}`]);
  });
});

describe('examples/alertmanager.yml', () => {
  const config = 'examples/alertmanager.yml';
  /** Receivers `amtool config routes test` picks for an alert with these labels. */
  const receivers = (...labels: string[]): string[] => {
    const { status, stdout, output } = run('/usr/bin/amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels]);
    expect(status, output).toBe(0);
    return stdout.trim().split(',');
  };

  it('passes amtool check-config', () => {
    const { status, output } = run('/usr/bin/amtool', ['check-config', config]);
    expect(status, output).toBe(0);
  });

  it.each(['ZookeeperQuorumLost', 'ZookeeperQuorumLostPerNode', 'ZookeeperQuorumAtRisk', 'ZookeeperNoLeader', 'ZookeeperSplitBrain'])(
    'routes %s to the agent receiver (and on to the people)',
    (alertname) => {
      expect(receivers(`alertname=${alertname}`, 'ensemble=kafka', 'severity=critical')).toEqual([
        'zk-ensemble-exporter-failover',
        'default',
      ]);
    },
  );

  it.each(['ZookeeperNodeDown', 'ZookeeperLatencyHigh', 'ZookeeperExporterStale', 'ZookeeperQuorumLostSoon'])(
    'routes %s to the default receiver only',
    (alertname) => {
      expect(receivers(`alertname=${alertname}`, 'ensemble=kafka', 'server=zk1:2181')).toEqual(['default']);
    },
  );

  // A hook alert sent through the agent's receiver would ride the failing hooks it reports on.
  it.each(['ZookeeperFailoverHookFailing', 'ZookeeperFailoverHookDeadLettered'])(
    'routes %s (no ensemble label) to the default receiver only',
    (alertname) => {
      expect(receivers(`alertname=${alertname}`, 'instance=zk-ensemble-exporter:9141', 'hook=pager', 'severity=critical')).toEqual([
        'default',
      ]);
    },
  );

  it('sends the agent receiver to its Alertmanager endpoint with its bearer token, resolved alerts included', () => {
    const parsed = YAML.parse(readFileSync(`${root}${config}`, 'utf8')) as {
      receivers: Array<{ name: string; webhook_configs?: Array<Record<string, unknown>> }>;
    };
    const agent = parsed.receivers.find((r) => r.name === 'zk-ensemble-exporter-failover');
    expect(agent?.webhook_configs).toEqual([
      {
        url: 'http://zk-ensemble-exporter:9141/api/v1/alertmanager',
        send_resolved: true,
        http_config: { authorization: { credentials_file: '/etc/alertmanager/zk-ensemble-exporter.token' } },
      },
    ]);
  });
});
