/**
 * Command-line flags. Commander only collects the strings; every value is checked by the loader
 * against the same schema as the file, so a flag and a file key give the same message. The
 * command never exits the process or prints by itself.
 */
import { Command, CommanderError, Option } from 'commander';
import { closest, type Problem } from './problems.js';
import { configDocs, ensembleSchema } from './schema.js';
import { ENV, HOOK_FLAGS, SETTINGS, type HookFlagSpec, type SettingSpec } from './settings.js';

/** The raw strings commander collected; absent when the flag was not given. */
export interface FlagValues {
  config?: string;
  ensemble?: string[];
  transport?: string;
  adminPort?: string;
  timeout?: string;
  maxReplyBytes?: string;
  concurrency?: string;
  listen?: string;
  interval?: string;
  logLevel?: string;
  logFormat?: string;
  compat?: string[];
  hookUrl?: string[];
  hookSecretFile?: string[];
  alertHookUrl?: string;
  receiverTokenFile?: string[];
  stateDir?: string;
  dryRun?: boolean;
  peer?: string[];
  agentId?: string;
}

/** Heading of the options that say which nodes to ask and how. */
export const CONNECTION_OPTIONS_HEADING = 'Connection options:';
/** Heading of the options only the long-running agent uses. */
export const AGENT_OPTIONS_HEADING = 'Agent options:';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Help text for a setting: its file description, default and env var. */
function settingHelp(spec: SettingSpec): string {
  const doc = configDocs.get(spec.schema);
  const declared = defaultText(spec);
  let shownDefault = '';
  if (spec.list) shownDefault = ' Repeatable.';
  else if (declared !== undefined) shownDefault = ` Default: ${String(declared)}.`;
  else if (doc?.default !== undefined) shownDefault = ` Default: ${doc.default}.`;
  const env = spec.boolean ? `${spec.env} (true or false)` : spec.env;
  return plain(`${doc?.description ?? ''}${shownDefault} Env: ${env}.`);
}

/** The default as written in the file (the schema's prefault input). */
function defaultText(spec: SettingSpec): unknown {
  const def = spec.schema.def as { type: string; defaultValue?: unknown };
  return def.type === 'prefault' ? def.defaultValue : undefined;
}

/** Markdown backticks are noise in a terminal. */
function plain(text: string): string {
  return text.replace(/`/g, '');
}

function settingOption(spec: SettingSpec, heading: string): Option {
  const flags = spec.boolean ? spec.flag : `${spec.flag} ${spec.placeholder}`;
  const option = new Option(flags, settingHelp(spec)).helpGroup(heading);
  return spec.list ? option.argParser(collect) : option;
}

function hookFlagOption(spec: HookFlagSpec, heading: string): Option {
  const option = new Option(`${spec.flag} ${spec.placeholder}`, spec.help).helpGroup(heading);
  return spec.list ? option.argParser(collect) : option;
}

/**
 * Adds the options that say which nodes to ask and how: `--config`, `--ensemble`, `--transport`,
 * `--admin-port`, `--timeout`, `--max-reply-bytes`, `--concurrency`. Shared by the agent and `status`.
 */
export function addConnectionOptions(cmd: Command): Command {
  const heading = CONNECTION_OPTIONS_HEADING;
  cmd.addOption(new Option('--config <file>', `YAML config file. Env: ${ENV.config}.`).helpGroup(heading));
  cmd.addOption(
    new Option(
      '--ensemble <name=host:port,...>',
      `An ensemble to watch: NAME=HOST:PORT[,HOST:PORT...] (IPv6 as [::1]:2181). Replaces a file ensemble of the same name. Repeatable. Env: ${ENV.ensembles} (entries separated by ";").`,
    )
      .helpGroup(heading)
      .argParser(collect),
  );
  cmd.addOption(
    new Option(
      '--transport <mode>',
      plain(`For --ensemble ensembles: ${configDocs.get(ensembleSchema.shape.transport)?.description ?? ''} Default: fourletter. Env: ${ENV.transport}.`),
    ).helpGroup(heading),
  );
  cmd.addOption(
    new Option('--admin-port <port>', `For --ensemble ensembles: AdminServer HTTP port of their servers. Env: ${ENV.adminPort}.`).helpGroup(
      heading,
    ),
  );
  for (const spec of SETTINGS) if (spec.group === 'connection') cmd.addOption(settingOption(spec, heading));
  return cmd;
}

/**
 * Adds the options only the long-running agent uses: `--listen`, `--interval`, `--log-level`,
 * `--log-format`, `--compat`, then the hook options (`--hook-url`, `--hook-secret-file`,
 * `--alert-hook-url`, `--receiver-token-file`, `--state-dir`, `--dry-run`, `--peer`, `--agent-id`).
 */
export function addAgentOptions(cmd: Command): Command {
  for (const spec of SETTINGS) if (spec.group === 'agent') cmd.addOption(settingOption(spec, AGENT_OPTIONS_HEADING));
  for (const spec of HOOK_FLAGS) cmd.addOption(hookFlagOption(spec, AGENT_OPTIONS_HEADING));
  for (const spec of SETTINGS) if (spec.group === 'hooks') cmd.addOption(settingOption(spec, AGENT_OPTIONS_HEADING));
  return cmd;
}

/** The agent's command with every option; throws instead of exiting and prints nothing. */
export function createAgentCommand(): Command {
  const cmd = new Command('zk-ensemble-exporter')
    .description('Polls ZooKeeper ensembles and exports what they say as Prometheus metrics.')
    .helpOption('-h, --help', 'Show this help.')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  addConnectionOptions(cmd);
  addAgentOptions(cmd);
  return cmd;
}

/** Result of {@link parseArgv}. */
export interface ParsedArgv {
  flags: FlagValues;
  problems: Problem[];
  /** `-h`/`--help` was given. */
  help: boolean;
}

/**
 * Collects flag strings from `argv` (user arguments only: `process.argv.slice(2)`). Unknown
 * options and stray arguments become problems, all of them, not only the first.
 */
export function parseArgv(argv: readonly string[], cmd: Command = createAgentCommand()): ParsedArgv {
  const problems: Problem[] = [];
  const args = [...argv];
  const longFlags = cmd.options.map((o) => o.long).filter((f): f is string => f !== undefined);

  // Commander throws on a value-taking flag at the very end; report it (and any flag it would
  // have swallowed as its value) and parse the rest.
  const missing: Problem[] = [];
  for (;;) {
    const last = args.at(-1);
    const option = last === undefined ? undefined : cmd.options.find((o) => o.long === last || o.short === last);
    if (option === undefined || !option.required) break;
    args.pop();
    missing.unshift({ path: option.long ?? last!, message: `needs a value (${option.flags.split(' ').slice(1).join(' ')})` });
  }
  problems.push(...missing);

  let operands: string[] = [];
  let unknown: string[] = [];
  try {
    ({ operands, unknown } = cmd.parseOptions(args));
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    problems.push({ path: 'argv', message: error.message.replace(/^error: /, '') });
  }

  const help = [...operands, ...unknown].some((a) => a === '-h' || a === '--help');
  for (let i = 0; i < unknown.length; i++) {
    const arg = unknown[i]!;
    if (arg === '-h' || arg === '--help') continue;
    if (arg.length > 1 && arg.startsWith('-')) {
      const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
      // `--dry-run=false`: commander does not know a switch with a value.
      if (name !== arg && cmd.options.some((o) => o.long === name && !o.required && !o.optional)) {
        problems.push({ path: name, message: 'takes no value; give it alone to turn it on' });
        continue;
      }
      const guess = closest(name.replace(/^-+/, ''), longFlags.map((f) => f.slice(2)));
      problems.push({ path: name, message: guess === undefined ? 'unknown option' : `unknown option; did you mean --${guess}?` });
      // Its value, if it had one, is not a stray argument of its own.
      const next = unknown[i + 1];
      if (!arg.includes('=') && next !== undefined && !next.startsWith('-')) i++;
      continue;
    }
    operands.push(arg);
  }
  for (const operand of operands) {
    if (operand === '-h' || operand === '--help') continue;
    problems.push({ path: operand, message: 'unexpected argument; this command takes only options' });
  }
  return { flags: cmd.opts<FlagValues>(), problems, help };
}
