import { createCommand } from '../config/cli.js';
import { formatProblems, loadConfig, type Env } from '../config/load.js';
import type { AgentConfig } from '../config/types.js';
import { deriveEnsemble } from '../ensemble/derive.js';
import type { EnsembleState } from '../ensemble/types.js';
import { PollScheduler } from '../poll/scheduler.js';
import { renderStatus, statusExitCode } from './status-table.js';

/** Exit code for a bad flag or config, as for the agent itself. */
export const USAGE_EXIT_CODE = 2;

/** Polls once with the given config and derives each ensemble's state. */
export async function pollOnce(config: AgentConfig): Promise<EnsembleState[]> {
  const states: EnsembleState[] = [];
  const scheduler = new PollScheduler(config, {
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

/** `zk-ensemble-exporter status …`: one poll, a table per ensemble, exit code from the worst quorum. */
export async function runStatus(
  argv: readonly string[],
  env: Env,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const command = createCommand(
    'zk-ensemble-exporter status',
    'Polls every node once and prints each ensemble. Exit code: 0 healthy, 1 at risk, 2 lost (or a bad flag/config), 3 unknown.',
    false,
  );
  const loaded = loadConfig({ argv, env, command });
  if (!loaded.ok && loaded.help !== undefined) {
    out.write(loaded.help);
    return 0;
  }
  if (!loaded.ok) {
    err.write(`${formatProblems(loaded.problems)}\n`);
    return USAGE_EXIT_CODE;
  }
  const states = await pollOnce(loaded.config);
  out.write(`${states.map(renderStatus).join('\n\n')}\n`);
  return statusExitCode(states);
}
