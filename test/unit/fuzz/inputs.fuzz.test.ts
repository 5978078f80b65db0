// Property tests over the agent's other untrusted inputs: the Alertmanager receiver's payload check and
// the config loader. Neither may throw: they answer with a payload or a reason, a config or problems.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { parseAlertmanagerPayload } from '../../../src/hooks/decide/alertmanager.js';
import { FIXTURES } from '../parse/fixtures.js';
import { FUZZ_TIMEOUT, hostileJson, hostileReply, runs } from './arbitraries.js';

const ALERT = {
  status: 'firing',
  labels: { alertname: 'ZooKeeperDown', ensemble: 'e' },
  annotations: { summary: 's' },
  startsAt: '2024-01-01T00:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: 'abc123',
};
const PAYLOAD = {
  version: '4',
  status: 'firing',
  receiver: 'r',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  alerts: [ALERT, { ...ALERT, status: 'resolved' }],
};

describe('parseAlertmanagerPayload', () => {
  it('never throws; a refusal has a short reason, an acceptance keeps every alert', { timeout: FUZZ_TIMEOUT }, () => {
    const alerts = fc.array(hostileJson([ALERT]), { maxLength: 5 });
    const payloads = fc.oneof(
      hostileJson([PAYLOAD]),
      alerts.map((list) => ({ ...PAYLOAD, alerts: list })),
    );
    fc.assert(
      fc.property(payloads, (body) => {
        const result = parseAlertmanagerPayload(body);
        if (result.ok) expect(result.payload.alerts).toHaveLength((body as { alerts: unknown[] }).alerts.length);
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: runs(500) },
    );
    expect(parseAlertmanagerPayload(PAYLOAD).ok).toBe(true);
  });
});

const CONFIGS = fs
  .readdirSync(path.join(FIXTURES, 'config'))
  .filter((name) => name.endsWith('.yml'))
  .map((name) => fs.readFileSync(path.join(FIXTURES, 'config', name), 'utf8'));
const FLAGS = [
  '--ensemble',
  'e=a:1',
  '--interval',
  '5s',
  '--timeout',
  '1x',
  '--listen',
  ':0',
  '--config',
  'c.yml',
  '--transport',
  'admin',
  '--max-reply-bytes',
  '-1',
  '--help',
  '--',
  '=',
  '',
];
const ENV_NAMES = [
  'ZK_EXPORTER_ENSEMBLES',
  'ZK_EXPORTER_INTERVAL',
  'ZK_EXPORTER_LISTEN',
  'ZK_EXPORTER_CONCURRENCY',
  'ZK_EXPORTER_HOOK_SECRETS',
  'OTHER',
];

describe('loadConfig', () => {
  it('returns a config or problems for any YAML, flags and environment; never throws', { timeout: FUZZ_TIMEOUT }, () => {
    const argv = fc.array(fc.oneof(fc.constantFrom(...FLAGS), fc.string({ maxLength: 12 })), { maxLength: 8 });
    const env = fc.dictionary(
      fc.constantFrom(...ENV_NAMES),
      fc.oneof(fc.constantFrom('e=a:1', '5s', '0', 'x'), fc.string({ maxLength: 12 })),
      { maxKeys: 3 },
    );
    fc.assert(
      fc.property(hostileReply(CONFIGS), argv, env, fc.boolean(), (yaml, args, vars, withFile) => {
        const result = loadConfig({
          argv: withFile ? ['--config', 'c.yml', ...args] : args,
          env: vars,
          readFile: () => yaml,
        });
        if (result.ok) expect(result.config.ensembles.length).toBeGreaterThan(0);
        else if (result.help === undefined) {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const problem of result.problems) expect(typeof problem.path).toBe('string');
        }
      }),
      { numRuns: runs(300) },
    );
  });
});
