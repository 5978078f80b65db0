import { Option } from 'commander';
import { createCommand } from '../config/cli.js';
import { formatProblems, loadConfig, type Env } from '../config/load.js';
import type { AgentConfig } from '../config/types.js';
import { deriveEnsemble } from '../ensemble/derive.js';
import type { EnsembleState } from '../ensemble/types.js';
import { PollScheduler } from '../poll/scheduler.js';
import { withZkTls } from '../zk/tls-files.js';
import { renderStatus, statusExitCode } from './status-table.js';

/** Exit code of `status` for bad options or config: UNKNOWN, as monitoring plugins answer when they cannot check. */
export const STATUS_USAGE_EXIT_CODE = 3;

/** Output formats of `status`: a table per ensemble, or the JSON of `GET /api/v1/ensembles`. */
const OUTPUTS = ['table', 'json'] as const;

/** Polls once with the given config and derives each ensemble's state. */
async function pollOnce(config: AgentConfig): Promise<EnsembleState[]> {
  const states: EnsembleState[] = [];
  // TLS files are read once, before the round (an unusable one throws TlsFileError).
  const scheduler = new PollScheduler(withZkTls(config), {
    onEnsemble: (ensemble, samples, now) => states.push(deriveEnsemble(undefined, ensemble, samples, now).state),
    onRoundEnd: () => undefined,
    onOverrun: () => undefined,
    onError: (err) => {
      throw err;
    },
  });
  await scheduler.runOnce();
  const order = config.ensembles.map((e) => e.name);
  return states.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

/** `zk-ensemble-exporter status …`: one poll, a table (or JSON) per ensemble, exit code from the worst quorum. */
export async function runStatus(
  argv: readonly string[],
  env: Env,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const command = createCommand(
    'zk-ensemble-exporter status',
    'Polls every node once and prints each ensemble. Exit code: 0 healthy, 1 at risk, 2 lost or split brain, 3 unknown or bad options.',
    false,
  );
  // Read as commander parses it: a later re-parse (to suggest a name for an unknown option) resets option values.
  let output = 'table';
  command.addOption(
    new Option('--output <format>', 'table (default) or json: the JSON of GET /api/v1/ensembles.').argParser(
      (value: string) => (output = value),
    ),
  );
  const loaded = loadConfig({ argv, env, command });
  if (!loaded.ok && loaded.help !== undefined) {
    out.write(loaded.help);
    return 0;
  }
  const problems = loaded.ok ? [] : loaded.problems;
  if (!(OUTPUTS as readonly string[]).includes(output)) {
    problems.push({ path: '--output', message: `must be "table" or "json", got ${JSON.stringify(output)}` });
  }
  if (!loaded.ok || problems.length > 0) {
    err.write(`${formatProblems(problems)}\n`);
    return STATUS_USAGE_EXIT_CODE;
  }
  const states = await pollOnce(loaded.config);
  out.write(output === 'json' ? `${JSON.stringify({ ensembles: states }, null, 2)}\n` : `${states.map(renderStatus).join('\n\n')}\n`);
  return statusExitCode(states);
}
