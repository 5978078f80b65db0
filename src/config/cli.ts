/**
 * Command-line flags and their env vars, declared once in {@link FLAGS}. Commander collects the
 * strings (flags, then env through `Option.env()`); every value is checked afterwards by the one
 * schema, so a flag, an env var and a file key give the same message. Commands built here never
 * exit the process or print by themselves.
 */
import { Command, CommanderError, Option } from 'commander';
import type { PathSegment, Problem } from './problems.js';
import { docAt } from './schema.js';

/** One flag: how it is written, its env var, and the config key it sets. */
export interface FlagSpec {
  /** `--name <placeholder>`, or `--name` alone for a switch. */
  flags: string;
  env?: `ZK_EXPORTER_${string}`;
  /** Dotted config key the flag sets (`log.level`); absent for flags that add to lists of mappings. */
  key?: string;
  /** `list`: the flag repeats, its env var holds a comma-separated list. `number`: whole-number text becomes a number. */
  kind?: 'list' | 'number';
  /** Also taken by commands that only query nodes (`status`). */
  connection?: true;
  /** Help text when the config key's description does not fit. */
  help?: string;
  /** What the reference says it sets, when not simply `key`. */
  sets?: string;
  /** How the reference shows its env var, when it is not read as the flag's value. */
  envShown?: string;
}

/** Every flag, in help and reference order, with its name (`--timeout`) and the config path of its key (`['log', 'level']`). */
export const FLAGS: ReadonlyArray<FlagSpec & { flag: string; path: PathSegment[] }> = (
  [
    { flags: '--config <file>', env: 'ZK_EXPORTER_CONFIG', connection: true, help: 'YAML config file.', sets: 'the YAML file to read' },
    {
      flags: '--ensemble <name=host:port,...>',
      kind: 'list',
      connection: true,
      help: 'An ensemble to watch: NAME=HOST:PORT[,HOST:PORT...] (IPv6 as [::1]:2181). Replaces a file ensemble of the same name. Repeatable. Env: ZK_EXPORTER_ENSEMBLES (entries separated by ";").',
      envShown: '`ZK_EXPORTER_ENSEMBLES` (`name=h:p,h:p;name2=…`)',
      sets: '`ensembles` (replaces a file ensemble of the same name)',
    },
    { flags: '--transport <mode>', env: 'ZK_EXPORTER_TRANSPORT', key: 'ensembles.0.transport', connection: true },
    { flags: '--admin-port <port>', env: 'ZK_EXPORTER_ADMIN_PORT', key: 'ensembles.0.adminPort', kind: 'number', connection: true },
    {
      flags: '--canary-path <path>',
      env: 'ZK_EXPORTER_CANARY_PATH',
      key: 'ensembles.0.canary.path',
      help: 'Turns the write canary on (default interval and timeout), writing below this ZooKeeper path.',
    },
    { flags: '--tls-ca-file <file>', env: 'ZK_EXPORTER_TLS_CA_FILE', key: 'ensembles.0.tls.caFile', connection: true },
    { flags: '--tls-cert-file <file>', env: 'ZK_EXPORTER_TLS_CERT_FILE', key: 'ensembles.0.tls.certFile', connection: true },
    { flags: '--tls-key-file <file>', env: 'ZK_EXPORTER_TLS_KEY_FILE', key: 'ensembles.0.tls.keyFile', connection: true },
    { flags: '--tls-server-name <name>', env: 'ZK_EXPORTER_TLS_SERVER_NAME', key: 'ensembles.0.tls.serverName', connection: true },
    { flags: '--timeout <duration>', env: 'ZK_EXPORTER_TIMEOUT', key: 'timeout', connection: true },
    { flags: '--max-reply-bytes <bytes>', env: 'ZK_EXPORTER_MAX_REPLY_BYTES', key: 'maxReplyBytes', kind: 'number', connection: true },
    { flags: '--concurrency <n>', env: 'ZK_EXPORTER_CONCURRENCY', key: 'concurrency', kind: 'number', connection: true },
    { flags: '--listen <host:port>', env: 'ZK_EXPORTER_LISTEN', key: 'listen' },
    { flags: '--web.config.file <file>', env: 'ZK_EXPORTER_WEB_CONFIG_FILE', key: 'webConfigFile' },
    { flags: '--interval <duration>', env: 'ZK_EXPORTER_INTERVAL', key: 'interval' },
    { flags: '--fast-interval <duration>', env: 'ZK_EXPORTER_FAST_INTERVAL', key: 'fastInterval' },
    { flags: '--log-level <level>', env: 'ZK_EXPORTER_LOG_LEVEL', key: 'log.level' },
    { flags: '--log-format <format>', env: 'ZK_EXPORTER_LOG_FORMAT', key: 'log.format' },
    { flags: '--compat <name>', env: 'ZK_EXPORTER_COMPAT', key: 'compat', kind: 'list' },
    {
      flags: '--hook-url <url>',
      kind: 'list',
      help: 'Call this URL (signed) when quorum is at risk, lost or restored on any ensemble: adds a target hook-<n> (n from 1) with default settings and its three rules. Repeatable.',
      sets: '`hooks.targets` and `hooks.rules`: adds target `hook-<n>` (n from 1) and rules `quorum_at_risk`, `quorum_lost`, `quorum_restored` on every ensemble',
    },
    {
      flags: '--hook-secret-file <file>',
      kind: 'list',
      help: 'A file holding one signing secret; added to hooks.secretFiles. Repeatable. Env: ZK_EXPORTER_HOOK_SECRETS holds secrets themselves (separated by commas or newlines), used after the files.',
      envShown: '`ZK_EXPORTER_HOOK_SECRETS` (the secrets, comma- or newline-separated)',
      sets: '`hooks.secretFiles` (adds; env secrets come after the files)',
    },
    {
      flags: '--alert-hook-url <url>',
      help: 'Every firing alert received from Alertmanager is forwarded once, signed, to this URL (a target alert-hook and a route for every alert). Needs --receiver-token-file.',
      sets: '`hooks.targets` and `hooks.alertmanager.routes`: adds target `alert-hook` and a route of every firing alert to it',
    },
    {
      flags: '--receiver-token-file <file>',
      kind: 'list',
      help: 'A file holding one bearer token for the Alertmanager receiver (posting alerts only); added to hooks.receiverTokenFiles. Repeatable.',
      sets: '`hooks.receiverTokenFiles` (adds)',
    },
    { flags: '--admin-token-file <file>', env: 'ZK_EXPORTER_ADMIN_TOKEN_FILE', key: 'hooks.adminTokenFile' },
    { flags: '--state-dir <dir>', env: 'ZK_EXPORTER_STATE_DIR', key: 'hooks.stateDir' },
    { flags: '--dry-run', env: 'ZK_EXPORTER_DRY_RUN', key: 'hooks.dryRun' },
    { flags: '--peer <url>', env: 'ZK_EXPORTER_PEERS', key: 'hooks.peers', kind: 'list' },
    { flags: '--agent-id <id>', env: 'ZK_EXPORTER_AGENT_ID', key: 'hooks.agentId' },
    { flags: '--alertmanager-url <url>', env: 'ZK_EXPORTER_ALERTMANAGER_URLS', key: 'alertmanager.urls', kind: 'list' },
    { flags: '--external-url <url>', env: 'ZK_EXPORTER_EXTERNAL_URL', key: 'alertmanager.externalUrl' },
  ] satisfies FlagSpec[]
).map((spec) => ({
  ...spec,
  flag: spec.flags.split(' ')[0]!,
  path: spec.key?.split('.').map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s)) ?? [],
}));

/** Help: the config key's description, its default, and whether it repeats (commander adds the env var). */
function helpOf(spec: (typeof FLAGS)[number]): string {
  if (spec.key === undefined) return spec.help ?? '';
  const field = docAt(spec.path)!;
  let text = spec.help ?? field.description ?? '';
  if (spec.kind === 'list') text += ' Repeatable.';
  else if ('default' in field || field.shownDefault) text += ` Default: ${field.shownDefault ?? String(field.default)}.`;
  if (spec.key.startsWith('ensembles.')) text = `For --ensemble ensembles: ${text}`;
  return text.replace(/`/g, '');
}

/** A command with the connection flags (and the agent's own with `agent`), silent and throwing instead of exiting. */
export function createCommand(name: string, description: string, agent: boolean): Command {
  const cmd = new Command(name)
    .description(description)
    .helpOption('-h, --help', 'Show this help.')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .allowUnknownOption()
    .allowExcessArguments()
    .showSuggestionAfterError();
  for (const spec of FLAGS.filter((s) => agent || s.connection)) {
    const option = new Option(spec.flags, helpOf(spec));
    // Connection options say which nodes to ask and how; agent options only the long-running agent uses.
    option.helpGroup(spec.connection ? 'Connection options:' : 'Agent options:');
    if (spec.env) option.env(spec.env);
    if (spec.kind === 'list') option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    cmd.addOption(option);
  }
  return cmd;
}

export function createAgentCommand(): Command {
  return createCommand('zk-ensemble-exporter', 'Polls ZooKeeper ensembles and exports what they say as Prometheus metrics.', true);
}

/** One flag's value and where it came from: the flag itself or its env var (the path problems are reported at). */
export interface Given {
  spec: (typeof FLAGS)[number];
  value: string | string[] | boolean;
  label: string;
}

/**
 * Parses `argv` (user arguments only) and the env vars of its flags (an empty one counts as unset).
 * Unknown options, stray arguments and missing values all become problems, not only the first.
 * `overridden`: env values that a flag overrides, not used but still checked.
 */
export function parseCommandLine(cmd: Command, argv: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const problems: Problem[] = [];
  const args = [...argv];
  // Commander throws on a value-taking flag at the very end; report it (and any flag it would have taken as its value).
  for (let last = args.at(-1); last !== undefined; last = args.at(-1)) {
    const option = cmd.options.find((o) => o.long === last || o.short === last);
    if (!option?.required) break;
    args.pop();
    problems.unshift({ path: option.long!, message: `needs a value (${option.flags.split(' ')[1]})` });
  }
  try {
    cmd.parse(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return { given: [] as Given[], overridden: [] as Given[], problems: [], help: true };
    problems.push({ path: 'argv', message: error.message.replace(/^error: /, '') });
  }
  const given: Given[] = [];
  const overridden: Given[] = [];
  for (const spec of FLAGS) {
    const option = cmd.options.find((o) => o.long === spec.flag);
    if (option === undefined) continue;
    const fromCli = cmd.getOptionValueSource(option.attributeName()) === 'cli';
    if (fromCli) given.push({ spec, value: cmd.getOptionValue(option.attributeName()) as Given['value'], label: spec.flag });
    // Commander reads only process.env and counts an empty variable as set: the option's env var is read here.
    const text = spec.env && env[spec.env];
    if (text) (fromCli ? overridden : given).push({ spec, value: spec.kind === 'list' ? splitList(text, ',') : text, label: spec.env! });
  }
  problems.push(...strayArguments(cmd));
  return { given, overridden, problems, help: false };
}

/** The non-empty items of a list written as text, trimmed. */
export function splitList(text: string, separator: string | RegExp): string[] {
  return text
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Problems for what commander left over: stray arguments and unknown options (with commander's suggestion). */
function strayArguments(cmd: Command): Problem[] {
  const problems: Problem[] = [];
  const rest = [...cmd.args]; // unknownOption parses again, which resets cmd.args
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const name = arg.split('=')[0]!;
    const stray = arg.length < 2 || !arg.startsWith('-');
    // `--dry-run=false`: commander does not know a switch with a value.
    const switchValue = !stray && name !== arg && cmd.options.some((o) => o.long === name && !o.required);
    if (stray) problems.push({ path: arg, message: 'unexpected argument; this command takes only options' });
    else if (switchValue) problems.push({ path: name, message: 'takes no value; give it alone to turn it on' });
    else problems.push({ path: name, message: unknownOption(cmd, name) });
    // An unknown option's value, if it had one, is not a stray argument of its own.
    if (!stray && !switchValue && name === arg && rest[i + 1]?.startsWith('-') === false) i++;
  }
  return problems;
}

/** Commander's own suggestion for an unknown option: `unknown option; did you mean --interval?`. */
function unknownOption(cmd: Command, name: string): string {
  try {
    cmd.allowUnknownOption(false).parse([name], { from: 'user' });
  } catch (error) {
    const suggestion = /\(Did you mean (\S+)\?\)/.exec((error as Error).message)?.[1];
    if (suggestion !== undefined) return `unknown option; did you mean ${suggestion}?`;
  } finally {
    cmd.allowUnknownOption(true);
  }
  return 'unknown option';
}
