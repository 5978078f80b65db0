import { createAgentCommand } from '../config/cli.js';
import { formatProblems, loadConfig, type Env } from '../config/load.js';
import type { PathSegment } from '../config/problems.js';
import type { AgentConfig } from '../config/types.js';
import { formatDuration } from '../model/duration.js';
import { serverLabel } from '../model/target.js';

/** Exit code of `check-config` for a bad flag, env value or config file, as for the agent itself. */
const BAD_CONFIG_EXIT_CODE = 2;

/**
 * What the agent would run, one setting a line with the source it came from (a flag, an env
 * variable, `file` or `default`). Hook URLs, headers and secrets are never shown: only target
 * names, counts and file paths. Pure.
 */
function renderConfigSummary(config: AgentConfig, sourceOf: (path: readonly PathSegment[]) => string): string {
  const rows: Array<[string, string, string]> = [
    ['listen', serverLabel(config.listen), sourceOf(['listen'])],
    ['interval', formatDuration(config.intervalMs), sourceOf(['interval'])],
    ['timeout', formatDuration(config.timeoutMs), sourceOf(['timeout'])],
    ['maxReplyBytes', String(config.maxReplyBytes), sourceOf(['maxReplyBytes'])],
    ['concurrency', String(config.concurrency), sourceOf(['concurrency'])],
    ['log', `${config.log.level} ${config.log.format}`, sourceOf(['log', 'level'])],
    ['compat', config.compat.join(', ') || '-', sourceOf(['compat'])],
    ...config.ensembles.map((e, i): [string, string, string] => {
      const parts = [
        e.servers.map(serverLabel).join(', '),
        e.transport,
        e.commands.join(' '),
        `conf every ${formatDuration(e.confIntervalMs)}`,
      ];
      if (e.canary !== undefined) parts.push(`canary ${e.canary.path}`);
      return [`ensemble ${e.name}`, parts.join('; '), sourceOf(['ensembles', i])];
    }),
  ];
  const hooks = config.hooks;
  if (hooks !== undefined) {
    const parts = [
      `targets ${hooks.targets.map((t) => t.name).join(', ') || '-'}`,
      `${hooks.rules.length} rules`,
      `${hooks.alertRoutes.length} alert routes`,
      `${hooks.secretFiles.length} secret files`,
      `${hooks.receiverTokenFiles.length} token files`,
      `${hooks.peers.length} peers`,
      hooks.dryRun ? 'dry run' : `state dir ${hooks.stateDir ?? '-'}`,
      `agent id ${hooks.agentId}`,
    ];
    rows.push(['hooks', parts.join('; '), sourceOf(['hooks'])]);
  }
  const width = (column: 0 | 2) => Math.max(...rows.map((r) => r[column].length));
  const lines = rows.map(([key, value, source]) => `${key.padEnd(width(0))}  ${source.padEnd(width(2))}  ${value}`);
  return ['config OK', ...lines].join('\n');
}

/** `zk-ensemble-exporter check-config …`: loads the config as the agent would and prints it; 0 good, 2 bad. */
export function runCheckConfig(argv: readonly string[], env: Env, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const command = createAgentCommand()
    .name('zk-ensemble-exporter check-config')
    .description('Checks the config (file, flags, env) as the agent would, prints what it would run and exits: 0 good, 2 bad.');
  const loaded = loadConfig({ argv, env, command });
  if (!loaded.ok && loaded.help !== undefined) {
    out.write(loaded.help);
    return 0;
  }
  if (!loaded.ok) {
    err.write(`${formatProblems(loaded.problems)}\n`);
    return BAD_CONFIG_EXIT_CODE;
  }
  out.write(`${renderConfigSummary(loaded.config, loaded.sourceOf)}\n`);
  return 0;
}
