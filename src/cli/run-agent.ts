import v8 from 'node:v8';
import { Agent } from '../agent.js';
import { formatProblems, loadConfig } from '../config/load.js';
import { HookConfigError } from '../hooks/service.js';
import { createLogger } from '../log.js';
import { WebConfigError } from '../http/web-config-files.js';
import { TlsFileError } from '../zk/tls-files.js';

/** Exit code of the agent for a bad flag, env value or config file. */
const BAD_CONFIG_EXIT_CODE = 2;

/**
 * Runs the agent until SIGTERM or SIGINT. SIGHUP is handled from the first instant, so it never
 * kills the agent: it reloads the config (as `POST /-/reload` does); a bad one is refused with every
 * problem logged and the last good one keeps running.
 */
export async function runAgent(argv: readonly string[]): Promise<void> {
  // V8 allocates straight into the old generation at sites whose objects mostly survived a young
  // collection. A round's sockets, samples and records live about a second: they survive a scavenge
  // or two, then die, so tenured at birth they only pile up in the old generation until a full
  // collection. At 1,000 nodes this is 40–60 MiB of RSS and a few % of CPU (README, "Sharding
  // ensembles across agents").
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
  let onHangup = (): void => undefined;
  process.on('SIGHUP', () => onHangup());
  const loaded = loadConfig({ argv, env: process.env });
  if (!loaded.ok) {
    if (loaded.help !== undefined) {
      process.stdout.write(
        `${loaded.help}\nSubcommands:\n  status [connection options]  poll once, print each ensemble, exit 0/1/2/3 for healthy/at risk/critical/unknown\n  check-config [options]       check the config, print what would run, exit 0 or 2\n`,
      );
      return;
    }
    process.stderr.write(`${formatProblems(loaded.problems)}\n`);
    process.exitCode = BAD_CONFIG_EXIT_CODE;
    return;
  }
  const log = createLogger(loaded.config.log);
  // Until the agent exists, a reload has nothing to apply to: it only checks the file.
  onHangup = () => {
    const again = loadConfig({ argv, env: process.env });
    if (!again.ok)
      for (const line of formatProblems(again.problems).split('\n'))
        log.error({ problem: line }, 'config reload refused; the running config is kept');
  };
  let agent: Agent;
  try {
    agent = new Agent(loaded.config, log, process.env.ZK_EXPORTER_HOOK_SECRETS, () => loadConfig({ argv, env: process.env }));
  } catch (err) {
    if (!(err instanceof TlsFileError || err instanceof WebConfigError)) throw err;
    process.stderr.write(`config error: ${err.path}: ${err.reason}\n`);
    process.exitCode = BAD_CONFIG_EXIT_CODE;
    return;
  }
  onHangup = () => {
    log.info({ signal: 'SIGHUP' }, 'reloading the config');
    agent.reload();
  };
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
      process.exit(BAD_CONFIG_EXIT_CODE);
    }
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
}
