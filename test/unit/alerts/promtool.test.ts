/**
 * promtool on the rendered rules: `check rules`, then `test rules` on every alerts/tests/*.test.yml.
 * Also checks that the tests cover every alert three ways (fires, stays silent, flaps inside its
 * `for`) and that the flap cases really flap: with every `for` at 0s, each of them must fail.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_NAMES, ALERT_SCOPE, RULES_FILE, forAll, renderRules, resolveConfig } from '../../../alerts/rules.js';

const PROMTOOL = '/usr/bin/promtool';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const testsDir = path.join(root, 'alerts', 'tests');
const testFiles = readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.yml'))
  .sort();

// promtool evaluates every rule at every step of every test: a few seconds per file on a small machine.
const TIMEOUT_MS = 60_000;

/** Runs promtool; the assertion messages carry its whole output. Asynchronous, so files run side by side. */
function promtool(args: string[], cwd = root): Promise<{ status: number | null; output: string }> {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: run scripts/install-deps.sh`);
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

interface TestGroup {
  name: string;
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: Array<{ exp_labels?: Record<string, string> }> }>;
}

const groups: TestGroup[] = testFiles.flatMap(
  (file) => (YAML.parse(readFileSync(path.join(testsDir, file), 'utf8')) as { tests: TestGroup[] }).tests,
);

describe.concurrent('promtool', () => {
  it(`check rules ${RULES_FILE}`, async ({ expect }) => {
    const { status, output } = await promtool(['check', 'rules', RULES_FILE]);
    expect(status, output).toBe(0);
  });

  for (const file of testFiles) {
    it(`test rules alerts/tests/${file}`, { timeout: TIMEOUT_MS }, async ({ expect }) => {
      const { status, output } = await promtool(['test', 'rules', path.join('alerts', 'tests', file)]);
      expect(status, output).toBe(0);
    });
  }
});

describe('promtool tests cover every alert', () => {
  it.each([...ALERT_NAMES])(
    '%s: fires (with ensemble/server labels, or job/instance for agent alerts), stays silent, and flaps inside its `for`',
    (alert) => {
      const tested = groups.filter((g) => g.alert_rule_test?.some((t) => t.alertname === alert));
      const cases = (g: TestGroup) => g.alert_rule_test!.filter((t) => t.alertname === alert);
      const fires = tested.filter((g) => cases(g).some((t) => (t.exp_alerts ?? []).length > 0));
      const quiet = tested.filter((g) => cases(g).every((t) => (t.exp_alerts ?? []).length === 0));
      expect(fires.length, 'a case where it fires').toBeGreaterThan(0);
      expect(quiet.filter((g) => g.name.includes('stays silent')).length, 'a case where it must not fire').toBeGreaterThan(0);
      expect(quiet.filter((g) => g.name.includes('never fires')).length, 'a case that flaps inside its `for`').toBeGreaterThan(0);
      // Each firing case also checks the instant just before `for` has passed.
      for (const g of fires)
        expect(
          cases(g).some((t) => (t.exp_alerts ?? []).length === 0),
          g.name,
        ).toBe(true);
      // Agent alerts (the failover hooks) are per agent: their series have no `ensemble`, so the alerts cannot carry one.
      const required = {
        ensemble: ['ensemble'],
        node: ['ensemble', 'server'],
        command: ['ensemble', 'server', 'command'],
        agent: ['job', 'instance'],
      }[ALERT_SCOPE[alert]];
      for (const g of fires) {
        for (const t of cases(g)) {
          for (const expected of t.exp_alerts ?? []) {
            expect(Object.keys(expected.exp_labels ?? {}), g.name).toEqual(expect.arrayContaining(['severity', ...required]));
            if (ALERT_SCOPE[alert] === 'agent') expect(Object.keys(expected.exp_labels ?? {}), g.name).not.toContain('ensemble');
          }
        }
      }
    },
  );
});

describe('the flap cases flap', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zk-alerts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with every `for` at 0s, every "never fires" case fails', { timeout: TIMEOUT_MS }, async () => {
    // Same layout as the repository (tests/ next to the rule file they load as ../).
    writeFileSync(path.join(dir, path.basename(RULES_FILE)), renderRules(resolveConfig({ for: forAll('0s') })));
    mkdirSync(path.join(dir, 'tests'));
    for (const file of testFiles) copyFileSync(path.join(testsDir, file), path.join(dir, 'tests', file));
    const runs = await Promise.all(testFiles.map((file) => promtool(['test', 'rules', path.join('tests', file)], dir)));
    const output = runs.map((r) => r.output).join('\n');
    const flaps = groups.filter((g) => g.name.includes('never fires')).map((g) => g.name);
    expect(flaps.length).toBeGreaterThanOrEqual(ALERT_NAMES.length);
    const stillPassing = flaps.filter((name) => !output.includes(`name: ${name},`));
    expect(stillPassing, output).toEqual([]);
    // And no "stays silent" case depends on `for`.
    const silent = groups.filter((g) => g.name.includes('stays silent')).map((g) => g.name);
    expect(silent.filter((name) => output.includes(`name: ${name},`))).toEqual([]);
  });
});
