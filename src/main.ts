#!/usr/bin/env node
/**
 * Entry point: `zk-ensemble-exporter [flags]` runs the agent; `status [flags]` polls once;
 * `check-config [flags]` checks the config and prints what would run; `--version` prints the version.
 */
import { readFileSync } from 'node:fs';
import { runCheckConfig } from './cli/check-config.js';
import { runStatus, STATUS_USAGE_EXIT_CODE } from './cli/status.js';
import { runAgent } from './cli/run-agent.js';

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-V') {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else if (argv[0] === 'check-config') {
  process.exitCode = runCheckConfig(argv.slice(1), process.env, process.stdout, process.stderr);
} else if (argv[0] === 'status') {
  runStatus(argv.slice(1), process.env, process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`status failed: ${String(err)}\n`);
      process.exitCode = STATUS_USAGE_EXIT_CODE;
    },
  );
} else {
  void runAgent(argv);
}
