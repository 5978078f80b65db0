/** examples/agent.yml is a valid agent config: loaded through the agent's own loader, as `--config` would. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from '../../../src/config/load.js';

const file = fileURLToPath(new URL('../../../examples/agent.yml', import.meta.url));

describe('examples/agent.yml', () => {
  it('loads without a problem, with its ensembles and hooks (targets, rules, an Alertmanager route)', () => {
    const result = loadConfig({ argv: ['--config', file], env: {} });
    if (!result.ok) expect.fail(`examples/agent.yml: ${formatProblems(result.problems)}`);
    const { config } = result;
    expect(config.ensembles.map((e) => e.name)).toEqual(['kafka', 'hbase']);
    expect(config.hooks?.secretFiles).toEqual(['/etc/zk-ensemble-exporter/hook-secret']);
    expect(config.hooks?.targets.map((t) => t.name)).toEqual(['failover', 'chat']);
    expect(config.hooks?.rules.map((r) => `${r.event}→${r.hook}`)).toEqual([
      'quorum_lost→failover',
      'quorum_restored→failover',
      'quorum_at_risk→chat',
      'election_too_long→chat',
    ]);
    expect(config.hooks?.alertRoutes.map((r) => r.hook)).toEqual(['failover', 'chat']);
  });
});
