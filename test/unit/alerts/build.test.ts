/** `npm run alerts` (alerts/build.ts): settings given at generation time go into a file of one's own, never into the committed ones. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ruleGroups, resolveConfig } from '../../../alerts/rules.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'zk-alerts-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['alerts/build.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ZK_ALERTS_SELECTOR: '', ZK_ALERTS_RUNBOOK_URL: '', ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('alerts/build.ts', { timeout: 30_000 }, () => {
  it('--check: the committed files are up to date', () => {
    const { status, output } = build(['--check']);
    expect(status, output).toBe(0);
  });

  it('renders a variant with the runbook URL and selector to --out, as rules or as a PrometheusRule', () => {
    const rules = path.join(dir, 'zk.rules.yml');
    const url = 'https://wiki.example.internal/zk/runbooks';
    const first = build(['--runbook-url', url, '--selector', 'env="prod"', '--out', rules]);
    expect(first.status, first.output).toBe(0);
    expect(YAML.parse(readFileSync(rules, 'utf8'))).toEqual({
      groups: ruleGroups(resolveConfig({ runbookUrl: url, selector: 'env="prod"' })),
    });

    const manifest = path.join(dir, 'rule.yaml');
    const second = build(['--format', 'prometheusrule', '--namespace', 'monitoring', '--out', manifest], { ZK_ALERTS_RUNBOOK_URL: url });
    expect(second.status, second.output).toBe(0);
    const parsed = YAML.parse(readFileSync(manifest, 'utf8')) as { metadata: unknown; spec: { groups: unknown } };
    expect(parsed.metadata).toMatchObject({ name: 'zk-ensemble-exporter', namespace: 'monitoring' });
    expect(parsed.spec.groups).toEqual(ruleGroups(resolveConfig({ runbookUrl: url })));
  });

  it('refuses a setting without --out (the committed files hold the defaults), and a relative runbook URL', () => {
    const withoutOut = build(['--runbook-url', 'https://wiki.example.internal/zk']);
    expect(withoutOut.status).toBe(2);
    expect(withoutOut.output).toContain('need --out FILE');
    const relative = build(['--runbook-url', 'docs/runbooks.md', '--out', path.join(dir, 'x.yml')]);
    expect(relative.status).toBe(2);
    expect(relative.output).toContain('runbookUrl: "docs/runbooks.md" is not an absolute http(s) URL');
  });
});
