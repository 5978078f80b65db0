#!/usr/bin/env node
/** Entry point: `zk-ensemble-exporter [flags]` runs the agent; `zk-ensemble-exporter status [flags]` polls once. */
import { Agent } from './agent.js';
import { runStatus, USAGE_EXIT_CODE } from './cli/status.js';
import { formatProblems, loadConfig } from './config/load.js';
import { HookConfigError } from './hooks/service.js';
import { createLogger } from './log.js';

async function runAgent(argv: readonly string[]): Promise<void> {
  const loaded = loadConfig({ argv, env: process.env });
  if (!loaded.ok) {
    if (loaded.help !== undefined) {
      process.stdout.write(`${loaded.help}\nSubcommand: status [connection options]  poll once, print a table, exit 0/1/2 for healthy/at risk/lost.\n`);
      return;
    }
    process.stderr.write(`${formatProblems(loaded.problems)}\n`);
    process.exitCode = USAGE_EXIT_CODE;
    return;
  }
  const log = createLogger(loaded.config.log);
  const agent = new Agent(loaded.config, log, process.env.ZK_EXPORTER_HOOK_SECRETS);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    agent.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await agent.start();
  } catch (err) {
    if (err instanceof HookConfigError) {
      process.stderr.write(`config error: hooks: ${err.message}\n`);
      process.exit(USAGE_EXIT_CODE);
    }
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === 'status') {
  runStatus(argv.slice(1), process.env, process.stdout, process.stderr).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`status failed: ${String(err)}\n`);
      process.exitCode = 3;
    },
  );
} else {
  void runAgent(argv);
}
