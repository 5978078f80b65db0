/**
 * Loads the agent's configuration from flags, env and the YAML file (in that order of
 * precedence, over the schema's defaults), collecting every problem from every source before
 * answering. Pure apart from `readFile`, so a reload can run it again and keep the old config
 * when it fails.
 */
import { readFileSync } from 'node:fs';
import type { ZodType } from 'zod';
import { formatDuration } from './duration.js';
import { checkConfigText, unknownFileLayer, type FileLayer } from './file.js';
import { createAgentCommand, parseArgv, type FlagValues } from './cli.js';
import { checkHookFlags, checkSecretsEnv, resolveHooks } from './hooks.js';
import type { Problem } from './problems.js';
import { ensembleSchema } from './schema.js';
import { defaultSettings, ENV, flagAttribute, SETTINGS, type Given, type SettingSpec, type Settings, type Source } from './settings.js';
import type { AgentConfig, TransportMode } from './types.js';
import { checkEnsemble, checkLeaf, checkUniqueNames, pathOf, type At, type EnsembleEntry } from './walk.js';

export { formatProblems, type Problem } from './problems.js';

/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Inputs of {@link loadConfig}. */
export interface LoadOptions {
  /** User arguments only: `process.argv.slice(2)`. */
  argv: readonly string[];
  env: Env;
  /** Reads the config file as UTF-8 text; defaults to `fs.readFileSync`. Throw to report it unreadable. */
  readFile?: (path: string) => string;
}

/** The resolved config, or every problem found. `help` is set (with no problems) when `--help` was asked for. */
export type LoadResult = { ok: true; config: AgentConfig } | { ok: false; problems: Problem[]; help?: string };

/** Parses `argv`, reads env and the config file, merges them (flags > env > file > defaults) and validates. */
export function loadConfig(options: LoadOptions): LoadResult {
  const cmd = createAgentCommand();
  const parsed = parseArgv(options.argv, cmd);
  if (parsed.help) return { ok: false, problems: [], help: cmd.helpInformation() };
  return resolve(parsed.flags, options.env, options.readFile ?? defaultReadFile, parsed.problems);
}

/** Inputs of {@link resolveConfig}. */
export interface ResolveOptions {
  /** Option values of a command built with `addConnectionOptions` (and maybe `addAgentOptions`): `cmd.opts()`. */
  flags: FlagValues;
  env: Env;
  readFile?: (path: string) => string;
}

/** Like {@link loadConfig} for a command that already parsed its own argv (e.g. a `status` subcommand). */
export function resolveConfig(options: ResolveOptions): LoadResult {
  return resolve(options.flags, options.env, options.readFile ?? defaultReadFile, []);
}

function defaultReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Settings for flag and env ensembles: one transport and admin port shared by all of them. */
interface CliEnsembleSettings {
  transport?: Given<TransportMode>;
  adminPort?: Given<number | undefined>;
}

function resolve(flags: FlagValues, env: Env, readFile: (path: string) => string, argvProblems: Problem[]): LoadResult {
  const fileProblems: Problem[] = [];
  const envProblems: Problem[] = [];
  const flagProblems: Problem[] = [...argvProblems];
  const crossProblems: Problem[] = [];

  // -- sources ---------------------------------------------------------------------------------
  const envSettings = settingsFromText((spec) => envText(env, spec.env), 'env', envProblems);
  const flagValues = flags as Record<string, string | string[] | boolean | undefined>;
  const flagSettings = settingsFromText((spec) => flagValues[flagAttribute(spec)], 'flag', flagProblems);

  const cli: CliEnsembleSettings = {};
  const transportSchema = ensembleSchema.shape.transport;
  const adminPortSchema = ensembleSchema.shape.adminPort;
  const envTransport = envText(env, ENV.transport);
  const envAdminPort = envText(env, ENV.adminPort);
  const flagTransport = checkText(transportSchema, flags.transport, '--transport', 'flag', false, flagProblems);
  const flagAdminPort = checkText(adminPortSchema, flags.adminPort, '--admin-port', 'flag', true, flagProblems);
  const envTransportGiven = checkText(transportSchema, envTransport, ENV.transport, 'env', false, envProblems);
  const envAdminPortGiven = checkText(adminPortSchema, envAdminPort, ENV.adminPort, 'env', true, envProblems);
  const transportGiven = flagTransport ?? envTransportGiven;
  const adminPortGiven = flagAdminPort ?? envAdminPortGiven;
  if (transportGiven) cli.transport = transportGiven;
  if (adminPortGiven) cli.adminPort = adminPortGiven;

  const envEnsembles = splitEntries(envText(env, ENV.ensembles)).map((spec, index) =>
    checkEnsembleSpec(spec, { prefix: ENV.ensembles, segments: [index] }, cli, envProblems),
  );
  checkUniqueNames(envEnsembles, envProblems);
  const flagEnsembles = (flags.ensemble ?? []).map((spec, index) =>
    checkEnsembleSpec(spec, { prefix: '--ensemble', segments: [index] }, cli, flagProblems),
  );
  checkUniqueNames(flagEnsembles, flagProblems);
  const envSecrets = envText(env, ENV.hookSecrets);
  checkSecretsEnv(envSecrets, envProblems);
  const hookFlags = checkHookFlags(flags, flagProblems);

  let configPath: { file: string; path: string } | undefined;
  if (flags.config !== undefined) configPath = { file: flags.config, path: '--config' };
  else if (envText(env, ENV.config) !== undefined) configPath = { file: envText(env, ENV.config)!, path: ENV.config };
  let file: FileLayer = { settings: {}, ensembles: [], ensemblesUnknown: false };
  if (configPath !== undefined) file = readConfig(configPath.file, configPath.path, readFile, fileProblems);

  // -- merge -----------------------------------------------------------------------------------
  const defaults = defaultSettings();
  const pick = <K extends keyof Settings>(key: K): NonNullable<Settings[K]> =>
    (flagSettings[key] ?? envSettings[key] ?? file.settings[key] ?? defaults[key]) as NonNullable<Settings[K]>;
  const merged = {
    listen: pick('listen'),
    interval: pick('interval'),
    timeout: pick('timeout'),
    maxReplyBytes: pick('maxReplyBytes'),
    concurrency: pick('concurrency'),
    logLevel: pick('logLevel'),
    logFormat: pick('logFormat'),
    compat: pick('compat'),
    stateDir: pick('stateDir'),
    dryRun: pick('dryRun'),
    peers: pick('peers'),
    agentId: pick('agentId'),
  };
  const ensembles = overlay(overlay(file.ensembles, envEnsembles), flagEnsembles);

  // -- rules across fields and sources ---------------------------------------------------------
  const { interval, timeout } = merged;
  if (interval.value !== undefined && timeout.value !== undefined && timeout.value >= interval.value) {
    // Point at what the user wrote: a default timeout is not theirs to fix.
    const path = timeout.source === 'default' && interval.source !== 'default' ? interval.path : timeout.path;
    crossProblems.push({
      path,
      message: `timeout (${formatDuration(timeout.value)}) must be less than interval (${formatDuration(interval.value)})`,
    });
  }
  if (ensembles.length === 0 && !file.ensemblesUnknown) {
    crossProblems.push({
      path: configPath === undefined ? '--ensemble' : 'ensembles',
      message: `at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ${ENV.ensembles}`,
    });
  }
  const cliEnsembleCount = envEnsembles.length + flagEnsembles.length;
  if (cliEnsembleCount > 0 && cli.transport?.value === 'admin' && cli.adminPort === undefined) {
    crossProblems.push({
      path: cli.transport.path,
      message: `"admin" needs --admin-port or ${ENV.adminPort} for the ensembles of --ensemble and ${ENV.ensembles}`,
    });
  }
  if (cliEnsembleCount === 0) {
    for (const given of [cli.transport, cli.adminPort]) {
      if (given === undefined) continue;
      crossProblems.push({
        path: given.path,
        message: `applies only to ensembles from --ensemble or ${ENV.ensembles}, and none were given`,
      });
    }
  }

  // The hooks section exists when the file has one or any hook flag or env var is given.
  const hookSettingGiven = SETTINGS.some((spec) => spec.group === 'hooks' && (flagSettings[spec.key] ?? envSettings[spec.key]) !== undefined);
  const hooksWanted = file.hooks !== undefined || hookFlags.given || hookSettingGiven || envSecrets !== undefined;
  const allEnsemblesNamed = !file.ensemblesUnknown && ensembles.every((entry) => entry.name !== undefined);
  const hooks = hooksWanted
    ? resolveHooks(
        {
          file: file.hooks,
          flags: hookFlags,
          stateDir: merged.stateDir,
          dryRun: merged.dryRun,
          agentId: merged.agentId,
          peers: merged.peers,
          listen: merged.listen,
          interval: merged.interval,
          ensembles: allEnsemblesNamed ? ensembles.map((entry) => entry.name!) : undefined,
        },
        crossProblems,
      )
    : undefined;

  const problems = dedupe([...fileProblems, ...envProblems, ...flagProblems, ...crossProblems]);
  if (problems.length > 0) return { ok: false, problems };

  const value = <T>(given: Given<T>): T => given.value as T;
  const config: AgentConfig = {
    ensembles: ensembles.map((entry) => entry.config!),
    listen: value(merged.listen),
    intervalMs: value(merged.interval),
    timeoutMs: value(merged.timeout),
    maxReplyBytes: value(merged.maxReplyBytes),
    concurrency: value(merged.concurrency),
    log: { level: value(merged.logLevel), format: value(merged.logFormat) },
    compat: value(merged.compat),
  };
  if (hooks !== undefined) config.hooks = hooks;
  return { ok: true, config };
}

/** An env var's text; an empty value counts as unset (container templates often leave them empty). */
function envText(env: Env, name: string): string | undefined {
  const text = env[name];
  return text === undefined || text === '' ? undefined : text;
}

/** Checks each setting's flag or env text against the file field's schema. */
function settingsFromText(
  textOf: (spec: SettingSpec) => string | string[] | boolean | undefined,
  source: Source,
  problems: Problem[],
): Settings {
  const settings: Record<string, Given<unknown>> = {};
  for (const spec of SETTINGS) {
    const text = textOf(spec);
    if (text === undefined) continue;
    const path = source === 'flag' ? spec.flag : spec.env;
    let input: unknown;
    if (spec.list) input = Array.isArray(text) ? text : splitList(String(text));
    else if (spec.boolean) input = text === true || text === 'true' ? true : text === 'false' ? false : text;
    else input = spec.numeric && typeof text === 'string' && /^[0-9]+$/.test(text) ? Number(text) : text;
    const checked = checkLeaf(spec.schema, input, { prefix: path, segments: [] }, problems);
    settings[spec.key] = { value: checked.ok ? checked.value : undefined, path, source };
  }
  return settings as Settings;
}

/** Checks one flag or env string; undefined when not given. */
function checkText<T>(
  schema: ZodType<T>,
  text: string | undefined,
  path: string,
  source: Source,
  numeric: boolean,
  problems: Problem[],
): Given<T> | undefined {
  if (text === undefined) return undefined;
  const input = numeric && /^[0-9]+$/.test(text) ? Number(text) : text;
  const checked = checkLeaf(schema, input, { prefix: path, segments: [] }, problems);
  return { value: checked.ok ? checked.value : undefined, path, source };
}

/** `a, b,` → `['a', 'b']` (env lists; blanks around commas and a trailing comma are fine). */
function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `ZK_EXPORTER_ENSEMBLES` entries: `name=h:p,h:p;name2=…`; empty entries (a trailing `;`) are skipped. */
function splitEntries(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** One `NAME=HOST:PORT[,HOST:PORT...]` spec, checked like a file ensemble. */
function checkEnsembleSpec(spec: string, at: At, cli: CliEnsembleSettings, problems: Problem[]): EnsembleEntry {
  const eq = spec.indexOf('=');
  if (eq === -1) {
    problems.push({ path: pathOf(at), message: `expected NAME=HOST:PORT[,HOST:PORT...], got ${JSON.stringify(spec)}` });
    return { name: undefined, config: undefined, at };
  }
  const serversText = spec.slice(eq + 1).trim();
  const raw: Record<string, unknown> = {
    name: spec.slice(0, eq).trim(),
    servers: serversText === '' ? [] : serversText.split(',').map((server) => server.trim()),
  };
  if (cli.transport?.value !== undefined) raw.transport = cli.transport.value;
  if (cli.adminPort?.value !== undefined) raw.adminPort = cli.adminPort.value;
  return checkEnsemble(raw, at, problems, { checkAdminPorts: false });
}

/** Reads and checks the config file; an unreadable file is reported at the flag or env var that named it. */
function readConfig(file: string, path: string, readFile: (path: string) => string, problems: Problem[]): FileLayer {
  if (file === '') {
    problems.push({ path, message: 'needs a file path' });
    return unknownFileLayer();
  }
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    problems.push({ path, message: `cannot read ${JSON.stringify(file)}: ${readError(error)}` });
    return unknownFileLayer();
  }
  return checkConfigText(text, file, problems);
}

function readError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

/** `base` with each `top` entry replacing the base entry of the same name, or appended. */
function overlay(base: readonly EnsembleEntry[], top: readonly EnsembleEntry[]): EnsembleEntry[] {
  const out = [...base];
  for (const entry of top) {
    const index = entry.name === undefined ? -1 : out.findIndex((e, i) => i < base.length && e.name === entry.name);
    if (index === -1) out.push(entry);
    else out[index] = entry;
  }
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
