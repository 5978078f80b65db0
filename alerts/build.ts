/**
 * Renders the rules from alerts/rules.ts (`npm run alerts`).
 *
 * Without options: writes the committed files, alerts/zookeeper-ensemble-exporter.rules.yml, the alert
 * table in alerts/README.md and deploy/kubernetes/prometheusrule.yaml, all with DEFAULT_CONFIG.
 * `--check` writes nothing and exits 1 when one of them differs from what would be written.
 *
 * With settings, renders a variant for one installation to `--out FILE` (or stdout with `--out -`),
 * leaving the committed files alone:
 *   --selector MATCHERS     label matchers added to every selector, e.g. 'job="zookeeper"'
 *                           (env ZK_ALERTS_SELECTOR; default: none, select by metric name)
 *   --runbook-url URL       absolute base of every runbook_url (env ZK_ALERTS_RUNBOOK_URL)
 *   --format rules|prometheusrule   a Prometheus rule file (default) or a Kubernetes PrometheusRule
 *   --name NAME, --namespace NS     metadata of the PrometheusRule
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_CONFIG,
  DEFAULT_PROMETHEUS_RULE_META,
  PROMETHEUS_RULE_FILE,
  RULES_FILE,
  renderPrometheusRule,
  renderRules,
  resolveConfig,
  withAlertTable,
  type AlertsOverrides,
} from './rules.js';

const root = path.resolve(import.meta.dirname, '..');
const README = 'alerts/README.md';
const current = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

function fail(message: string): never {
  console.error(`alerts: ${message}`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      selector: { type: 'string' },
      'runbook-url': { type: 'string' },
      format: { type: 'string', default: 'rules' },
      name: { type: 'string' },
      namespace: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}
try {
  args = parse();
} catch (err) {
  fail((err as Error).message);
}

// An empty environment variable counts as unset, as for the agent.
const env = (name: string): string | undefined => (process.env[name] === '' ? undefined : process.env[name]);
const overrides: AlertsOverrides = {};
const selector = args.selector ?? env('ZK_ALERTS_SELECTOR');
const runbookUrl = args['runbook-url'] ?? env('ZK_ALERTS_RUNBOOK_URL');
if (selector !== undefined) overrides.selector = selector;
if (runbookUrl !== undefined) overrides.runbookUrl = runbookUrl;
const variant = Object.keys(overrides).length > 0 || args.name !== undefined || args.namespace !== undefined || args.format !== 'rules';

if (args.out !== undefined) {
  let config;
  try {
    config = resolveConfig(overrides);
  } catch (err) {
    fail((err as Error).message);
  }
  const meta = {
    ...DEFAULT_PROMETHEUS_RULE_META,
    ...(args.name === undefined ? {} : { name: args.name }),
    ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
  };
  let text: string;
  if (args.format === 'rules') text = renderRules(config);
  else if (args.format === 'prometheusrule') text = renderPrometheusRule(config, meta);
  else fail(`--format: "${args.format}" is not rules or prometheusrule`);
  if (args.out === '-') process.stdout.write(text);
  else {
    fs.writeFileSync(args.out, text);
    console.error(`wrote ${args.out}`);
  }
  process.exit(0);
}

// The committed files are always the defaults: a setting without --out would make them differ from
// what the staleness tests expect, so it is refused rather than written.
if (variant)
  fail(
    '--selector, --runbook-url, --format, --name, --namespace (or ZK_ALERTS_* variables) need --out FILE; the committed files use DEFAULT_CONFIG',
  );

const outputs: Array<[string, string]> = [
  [RULES_FILE, renderRules(DEFAULT_CONFIG)],
  [README, withAlertTable(current(README), DEFAULT_CONFIG)],
  [PROMETHEUS_RULE_FILE, renderPrometheusRule(DEFAULT_CONFIG)],
];

if (args.check) {
  const stale = outputs.filter(([file, text]) => !fs.existsSync(path.join(root, file)) || current(file) !== text).map(([file]) => file);
  for (const file of stale) console.error(`${file} is stale: run npm run alerts`);
  if (stale.length > 0) process.exit(1);
  console.log('alert rules are up to date');
} else {
  for (const [file, text] of outputs) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
