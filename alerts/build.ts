/**
 * Renders the rules from alerts/rules.ts (`npm run alerts`): writes
 * alerts/zookeeper-ensemble-exporter.rules.yml and the alert table in alerts/README.md.
 * `--check` writes nothing and exits 1 when either committed file differs from what would be written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, RULES_FILE, renderRules, withAlertTable } from './rules.js';

const root = path.resolve(import.meta.dirname, '..');
const README = 'alerts/README.md';
const current = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');
const outputs: Array<[string, string]> = [
  [RULES_FILE, renderRules(DEFAULT_CONFIG)],
  [README, withAlertTable(current(README), DEFAULT_CONFIG)],
];

if (process.argv.includes('--check')) {
  const stale = outputs.filter(([file, text]) => !fs.existsSync(path.join(root, file)) || current(file) !== text).map(([file]) => file);
  for (const file of stale) console.error(`${file} is stale: run npm run alerts`);
  if (stale.length > 0) process.exit(1);
  console.log('alert rules are up to date');
} else {
  for (const [file, text] of outputs) {
    fs.writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
