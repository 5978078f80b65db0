/**
 * The `hooks` section: the file's part checked field by field (as walk.ts does for ensembles, so
 * one bad field never hides another), the hook flags, and the checks across the merged result
 * (references to targets and ensembles, state dir, receiver token, peers, listeners).
 */
import { hostname } from 'node:os';
import type { z } from 'zod';
import type { FlagValues } from './cli.js';
import { formatDuration } from './duration.js';
import { formatHostPort, type HostPort } from './hostport.js';
import { closest, type Problem } from './problems.js';
import {
  alertmanagerSchema,
  alertRouteSchema,
  backoffSchema,
  ELECTION_TOO_LONG,
  hookRuleSchema,
  hooksSchema,
  hookTargetSchema,
  maintenanceWindowSchema,
} from './schema.js';
import { ALERT_HOOK_TARGET, ENV, FLAG_TARGET_PREFIX, type Given, type Settings } from './settings.js';
import type { AlertRouteConfig, HookRuleConfig, HooksConfig, HookTargetConfig, MaintenanceWindowConfig } from './types.js';
import { checkField, checkKeys, checkLeaf, checkList, checkMapping, pathOf, under, type At, type Checked } from './walk.js';

/** A name written somewhere (a rule's hook, one of its ensembles), with where, for reference checks. */
export interface NameRef {
  name: string;
  path: string;
}

/** A target from the file or a flag: its name when valid and its config when all of it is valid. */
export interface TargetEntry {
  name: string | undefined;
  /** Where its name was written (for a flag-made target, the flag). */
  namePath: string;
  fromFlag: boolean;
  config: HookTargetConfig | undefined;
}

/** A rule or an alert route: the target it names and its config when all of it is valid. */
export interface RuleEntry<C> {
  hook: NameRef | undefined;
  ensembles: NameRef[];
  config: C | undefined;
}

/** A maintenance window: the ensembles it names and its config when all of it is valid. */
export interface WindowEntry {
  ensembles: NameRef[];
  config: MaintenanceWindowConfig | undefined;
}

/** What the file's `hooks` section says; `undefined` values were invalid (and reported). */
export interface HooksFile {
  secretFiles: string[] | undefined;
  targets: TargetEntry[];
  /** The target list could not be read, so target names are not all known. */
  targetsUnknown: boolean;
  rules: Array<RuleEntry<HookRuleConfig>>;
  routes: Array<RuleEntry<AlertRouteConfig>>;
  /** The route list could not be read. */
  routesUnknown: boolean;
  maintenance: WindowEntry[];
  peerTimeout: Given<number>;
  receiverTokenFiles: string[] | undefined;
  adminListen: Checked<HostPort | undefined>;
  maxBodyBytes: number | undefined;
}

const SECTION: At = { prefix: '', segments: ['hooks'] };
const shape = hooksSchema.shape;
/** The file keys of the hook settings that flags and env can also set. */
const SETTING_PATHS = { stateDir: 'hooks.stateDir', dryRun: 'hooks.dryRun', agentId: 'hooks.agentId', peers: 'hooks.peers' } as const;

/** The section's values when the file has none: every default. */
export function defaultHooksFile(): HooksFile {
  return {
    secretFiles: [],
    targets: [],
    targetsUnknown: false,
    rules: [],
    routes: [],
    routesUnknown: false,
    maintenance: [],
    peerTimeout: { value: shape.peerTimeout.parse(undefined), path: pathOf(under(SECTION, 'peerTimeout')), source: 'default' },
    receiverTokenFiles: [],
    adminListen: { ok: true, value: undefined },
    maxBodyBytes: shape.maxBodyBytes.parse(undefined),
  };
}

/** Checks the file's `hooks` value; the hook settings it holds go into `settings` (file layer). */
export function checkHooksSection(raw: unknown, settings: Settings, problems: Problem[]): HooksFile {
  const given = settings as Record<string, Given<unknown>>;
  if (!checkMapping(raw, SECTION, problems)) {
    for (const [key, path] of Object.entries(SETTING_PATHS)) given[key] = { value: undefined, path, source: 'file' };
    return {
      ...defaultHooksFile(),
      secretFiles: undefined,
      targetsUnknown: true,
      routesUnknown: true,
      peerTimeout: { value: undefined, path: pathOf(under(SECTION, 'peerTimeout')), source: 'file' },
      receiverTokenFiles: undefined,
      adminListen: { ok: false },
      maxBodyBytes: undefined,
    };
  }
  checkKeys(hooksSchema, raw, SECTION, problems);
  const setting = (key: keyof typeof SETTING_PATHS) => {
    const field = checkField(shape, key, raw, SECTION, problems);
    if (field.present) given[key] = { value: field.ok ? field.value : undefined, path: SETTING_PATHS[key], source: 'file' };
  };

  // Schema order, so problems come out in the order the reference lists the keys.
  setting('stateDir');
  setting('dryRun');
  setting('agentId');
  const secretFiles = checkField(shape, 'secretFiles', raw, SECTION, problems);
  const targets = checkEntries(raw, 'targets', problems, checkTarget);
  checkUniqueTargets(targets.entries, 0, problems);
  const rules = checkEntries(raw, 'rules', problems, checkRule);
  const routes = checkAlertmanager(raw.alertmanager, problems);
  const maintenance = checkEntries(raw, 'maintenance', problems, checkWindow);
  setting('peers');
  const peerTimeout = checkField(shape, 'peerTimeout', raw, SECTION, problems);
  const receiverTokenFiles = checkField(shape, 'receiverTokenFiles', raw, SECTION, problems);
  const adminListen = checkField(shape, 'adminListen', raw, SECTION, problems);
  const maxBodyBytes = checkField(shape, 'maxBodyBytes', raw, SECTION, problems);

  return {
    secretFiles: secretFiles.ok ? secretFiles.value : undefined,
    targets: targets.entries,
    targetsUnknown: targets.unknown,
    rules: rules.entries,
    routes: routes.entries,
    routesUnknown: routes.unknown,
    maintenance: maintenance.entries,
    peerTimeout: {
      value: peerTimeout.ok ? peerTimeout.value : undefined,
      path: pathOf(under(SECTION, 'peerTimeout')),
      source: peerTimeout.present ? 'file' : 'default',
    },
    receiverTokenFiles: receiverTokenFiles.ok ? receiverTokenFiles.value : undefined,
    adminListen: adminListen.ok ? { ok: true, value: adminListen.value } : { ok: false },
    maxBodyBytes: maxBodyBytes.ok ? maxBodyBytes.value : undefined,
  };
}

/** A list of mappings under `hooks`: each item checked; `unknown` when the value is not a list. */
function checkEntries<T>(
  raw: Record<string, unknown>,
  key: string,
  problems: Problem[],
  check: (item: unknown, at: At, problems: Problem[]) => T,
  at: At = SECTION,
): { entries: T[]; unknown: boolean } {
  const value = raw[key];
  if (value === undefined) return { entries: [], unknown: false };
  const listAt = under(at, key);
  if (!checkList(value, listAt, problems)) return { entries: [], unknown: true };
  return { entries: value.map((item, index) => check(item, under(listAt, index), problems)), unknown: false };
}

/** `refs` of a checked list of names. */
function namesAt(field: Checked<string[] | undefined>, at: At): NameRef[] {
  if (!field.ok || field.value === undefined) return [];
  return field.value.map((name, index) => ({ name, path: pathOf(under(at, index)) }));
}

function checkTarget(raw: unknown, at: At, problems: Problem[]): TargetEntry {
  const namePath = pathOf(under(at, 'name'));
  if (!checkMapping(raw, at, problems)) return { name: undefined, namePath, fromFlag: false, config: undefined };
  checkKeys(hookTargetSchema, raw, at, problems);
  const fields = hookTargetSchema.shape;
  const name = checkField(fields, 'name', raw, at, problems);
  const url = checkField(fields, 'url', raw, at, problems);
  const timeout = checkField(fields, 'timeout', raw, at, problems);
  const maxAge = checkField(fields, 'maxAge', raw, at, problems);
  const concurrency = checkField(fields, 'concurrency', raw, at, problems);
  const backoff = checkBackoff(raw.backoff, under(at, 'backoff'), problems);
  const template = checkField(fields, 'template', raw, at, problems);
  const headers = checkField(fields, 'headers', raw, at, problems);
  const entry: TargetEntry = { name: name.ok ? name.value : undefined, namePath, fromFlag: false, config: undefined };
  if (!name.ok || !url.ok || !timeout.ok || !maxAge.ok || !concurrency.ok || !backoff.ok || !template.ok || !headers.ok) return entry;
  const config: HookTargetConfig = {
    name: name.value,
    url: url.value,
    timeoutMs: timeout.value,
    maxAgeMs: maxAge.value,
    concurrency: concurrency.value,
    initialBackoffMs: backoff.value.initial,
    maxBackoffMs: backoff.value.max,
  };
  if (template.value !== undefined) config.template = template.value;
  if (headers.value !== undefined) config.headers = headers.value;
  return { ...entry, config };
}

/** `backoff`: both delays, and `initial` at most `max` (reported at the one the user wrote). */
function checkBackoff(raw: unknown, at: At, problems: Problem[]): Checked<{ initial: number; max: number }> {
  const value = raw === undefined ? {} : raw;
  if (!checkMapping(value, at, problems)) return { ok: false };
  checkKeys(backoffSchema, value, at, problems);
  const initial = checkField(backoffSchema.shape, 'initial', value, at, problems);
  const max = checkField(backoffSchema.shape, 'max', value, at, problems);
  if (!initial.ok || !max.ok) return { ok: false };
  if (initial.value > max.value) {
    problems.push({
      path: pathOf(under(at, !initial.present && max.present ? 'max' : 'initial')),
      message: `initial (${formatDuration(initial.value)}) must not be more than max (${formatDuration(max.value)})`,
    });
    return { ok: false };
  }
  return { ok: true, value: { initial: initial.value, max: max.value } };
}

function checkRule(raw: unknown, at: At, problems: Problem[]): RuleEntry<HookRuleConfig> {
  if (!checkMapping(raw, at, problems)) return { hook: undefined, ensembles: [], config: undefined };
  checkKeys(hookRuleSchema, raw, at, problems);
  const fields = hookRuleSchema.shape;
  const event = checkField(fields, 'event', raw, at, problems);
  const hook = checkField(fields, 'hook', raw, at, problems);
  const ensembles = checkField(fields, 'ensembles', raw, at, problems);
  const forMs = checkField(fields, 'for', raw, at, problems);
  const cooldown = checkField(fields, 'cooldown', raw, at, problems);
  const fireOnStartup = checkField(fields, 'fireOnStartup', raw, at, problems);
  const electionTooLong = checkField(fields, 'electionTooLong', raw, at, problems);

  let electionOk = true;
  if (event.ok && electionTooLong.ok) {
    const limitAt = pathOf(under(at, 'electionTooLong'));
    if (event.value === ELECTION_TOO_LONG && electionTooLong.value === undefined) {
      problems.push({ path: limitAt, message: `is required for event "${ELECTION_TOO_LONG}": how long an election may last` });
      electionOk = false;
    } else if (event.value !== ELECTION_TOO_LONG && electionTooLong.value !== undefined) {
      problems.push({ path: limitAt, message: `applies only to event "${ELECTION_TOO_LONG}", not "${event.value}"` });
      electionOk = false;
    }
  }

  const entry: RuleEntry<HookRuleConfig> = {
    hook: hook.ok ? { name: hook.value, path: pathOf(under(at, 'hook')) } : undefined,
    ensembles: namesAt(ensembles, under(at, 'ensembles')),
    config: undefined,
  };
  if (!event.ok || !hook.ok || !ensembles.ok || !forMs.ok || !cooldown.ok || !fireOnStartup.ok || !electionTooLong.ok || !electionOk) {
    return entry;
  }
  const config: HookRuleConfig = {
    event: event.value,
    hook: hook.value,
    forMs: forMs.value,
    cooldownMs: cooldown.value,
    fireOnStartup: fireOnStartup.value,
  };
  if (ensembles.value !== undefined) config.ensembles = ensembles.value;
  if (electionTooLong.value !== undefined) config.electionTooLongMs = electionTooLong.value;
  return { ...entry, config };
}

/** `alertmanager`: its routes. */
function checkAlertmanager(raw: unknown, problems: Problem[]): { entries: Array<RuleEntry<AlertRouteConfig>>; unknown: boolean } {
  if (raw === undefined) return { entries: [], unknown: false };
  const at = under(SECTION, 'alertmanager');
  if (!checkMapping(raw, at, problems)) return { entries: [], unknown: true };
  checkKeys(alertmanagerSchema, raw, at, problems);
  return checkEntries(raw, 'routes', problems, checkRoute, at);
}

function checkRoute(raw: unknown, at: At, problems: Problem[]): RuleEntry<AlertRouteConfig> {
  if (!checkMapping(raw, at, problems)) return { hook: undefined, ensembles: [], config: undefined };
  checkKeys(alertRouteSchema, raw, at, problems);
  const fields = alertRouteSchema.shape;
  const hook = checkField(fields, 'hook', raw, at, problems);
  const matchers = checkField(fields, 'matchers', raw, at, problems);
  const sendResolved = checkField(fields, 'sendResolved', raw, at, problems);
  const entry: RuleEntry<AlertRouteConfig> = {
    hook: hook.ok ? { name: hook.value, path: pathOf(under(at, 'hook')) } : undefined,
    ensembles: [],
    config: undefined,
  };
  if (!hook.ok || !matchers.ok || !sendResolved.ok) return entry;
  return { ...entry, config: { hook: hook.value, matchers: matchers.value, sendResolved: sendResolved.value } };
}

function checkWindow(raw: unknown, at: At, problems: Problem[]): WindowEntry {
  if (!checkMapping(raw, at, problems)) return { ensembles: [], config: undefined };
  checkKeys(maintenanceWindowSchema, raw, at, problems);
  const fields = maintenanceWindowSchema.shape;
  const cron = checkField(fields, 'cron', raw, at, problems);
  const duration = checkField(fields, 'duration', raw, at, problems);
  const ensembles = checkField(fields, 'ensembles', raw, at, problems);
  const timezone = checkField(fields, 'timezone', raw, at, problems);
  const entry: WindowEntry = { ensembles: namesAt(ensembles, under(at, 'ensembles')), config: undefined };
  if (!cron.ok || !duration.ok || !ensembles.ok || !timezone.ok) return entry;
  const config: MaintenanceWindowConfig = { cron: cron.value, durationMs: duration.value };
  if (ensembles.value !== undefined) config.ensembles = ensembles.value;
  if (timezone.value !== undefined) config.timezone = timezone.value;
  return { ...entry, config };
}

/** Reports each target from `from` on whose name an earlier target already has. */
function checkUniqueTargets(targets: readonly TargetEntry[], from: number, problems: Problem[]): void {
  const firstSeen = new Map<string, TargetEntry>();
  targets.forEach((target, index) => {
    if (target.name === undefined) return;
    const first = firstSeen.get(target.name);
    if (first === undefined) {
      firstSeen.set(target.name, target);
      return;
    }
    if (index < from) return;
    const firstAt = first.namePath.replace(/\.name$/, '');
    problems.push({
      path: target.namePath,
      message: target.fromFlag
        ? `would add a target named ${JSON.stringify(target.name)}, but ${firstAt} already has that name; rename that target`
        : `duplicate target name ${JSON.stringify(target.name)} (also ${firstAt})`,
    });
  });
}

// ---- flags -------------------------------------------------------------------------------------

/** What the hook flags add (values `undefined` were invalid and reported). */
export interface HookFlags {
  targets: TargetEntry[];
  rules: Array<RuleEntry<HookRuleConfig>>;
  routes: Array<RuleEntry<AlertRouteConfig>>;
  secretFiles: string[] | undefined;
  receiverTokenFiles: string[] | undefined;
  /** Any of them was given. */
  given: boolean;
}

/** Events of the rules that `--hook-url` adds. */
export const FLAG_RULE_EVENTS = ['quorum_at_risk', 'quorum_lost', 'quorum_restored'] as const;

/** A target with every default. */
function defaultTarget(name: string, url: string): HookTargetConfig {
  const fields = hookTargetSchema.shape;
  return {
    name,
    url,
    timeoutMs: fields.timeout.parse(undefined),
    maxAgeMs: fields.maxAge.parse(undefined),
    concurrency: fields.concurrency.parse(undefined),
    initialBackoffMs: backoffSchema.shape.initial.parse(undefined),
    maxBackoffMs: backoffSchema.shape.max.parse(undefined),
  };
}

/** Checks `--hook-url`, `--alert-hook-url`, `--hook-secret-file` and `--receiver-token-file`. */
export function checkHookFlags(flags: FlagValues, problems: Problem[]): HookFlags {
  const out: HookFlags = { targets: [], rules: [], routes: [], secretFiles: [], receiverTokenFiles: [], given: false };
  const urlSchema = hookTargetSchema.shape.url;
  const ruleFields = hookRuleSchema.shape;

  (flags.hookUrl ?? []).forEach((text, index) => {
    const at: At = { prefix: '--hook-url', segments: [index] };
    const url = checkLeaf(urlSchema, text, at, problems);
    const name = `${FLAG_TARGET_PREFIX}${index + 1}`;
    out.targets.push({ name, namePath: pathOf(at), fromFlag: true, config: url.ok ? defaultTarget(name, url.value) : undefined });
    for (const event of FLAG_RULE_EVENTS) {
      const config: HookRuleConfig = {
        event,
        hook: name,
        forMs: ruleFields.for.parse(undefined),
        cooldownMs: ruleFields.cooldown.parse(undefined),
        fireOnStartup: ruleFields.fireOnStartup.parse(undefined),
      };
      out.rules.push({ hook: { name, path: pathOf(at) }, ensembles: [], config });
    }
  });

  if (flags.alertHookUrl !== undefined) {
    const at: At = { prefix: '--alert-hook-url', segments: [] };
    const url = checkLeaf(urlSchema, flags.alertHookUrl, at, problems);
    const name = ALERT_HOOK_TARGET;
    out.targets.push({ name, namePath: pathOf(at), fromFlag: true, config: url.ok ? defaultTarget(name, url.value) : undefined });
    out.routes.push({ hook: { name, path: pathOf(at) }, ensembles: [], config: { hook: name, matchers: [], sendResolved: false } });
  }

  const files = (list: string[] | undefined, flag: string, schema: z.ZodType<string[]>): string[] | undefined => {
    if (list === undefined) return [];
    const checked = checkLeaf(schema, list, { prefix: flag, segments: [] }, problems);
    return checked.ok ? checked.value : undefined;
  };
  out.secretFiles = files(flags.hookSecretFile, '--hook-secret-file', shape.secretFiles);
  out.receiverTokenFiles = files(flags.receiverTokenFile, '--receiver-token-file', shape.receiverTokenFiles);
  out.given = [flags.hookUrl, flags.alertHookUrl, flags.hookSecretFile, flags.receiverTokenFile].some((v) => v !== undefined);
  return out;
}

/** `ZK_EXPORTER_HOOK_SECRETS`: secrets separated by commas or newlines. Its text is never quoted in a message. */
export function checkSecretsEnv(text: string | undefined, problems: Problem[]): void {
  if (text === undefined) return;
  if (text.split(/[,\r\n]/).every((item) => item.trim() === '')) {
    problems.push({ path: ENV.hookSecrets, message: 'holds no secret; separate secrets with commas or newlines' });
  }
}

// ---- across sources ----------------------------------------------------------------------------

/** Inputs of {@link resolveHooks}: each source's part and the merged settings it depends on. */
export interface HooksInputs {
  /** The file's `hooks` section, when it has one. */
  file: HooksFile | undefined;
  flags: HookFlags;
  stateDir: Given<string | undefined>;
  dryRun: Given<boolean>;
  agentId: Given<string | undefined>;
  peers: Given<string[]>;
  listen: Given<HostPort>;
  interval: Given<number>;
  /** Names of every ensemble, when all are known. */
  ensembles: string[] | undefined;
}

/**
 * Checks what spans the section and the other sources: every rule and route names a target,
 * every named ensemble exists, a state dir when targets exist (unless dry run), a receiver token
 * when alert routes exist, peers that are not this agent, `peerTimeout` below `interval`, and an
 * `adminListen` apart from `listen`. Returns the resolved section when every part of it is valid.
 */
export function resolveHooks(input: HooksInputs, problems: Problem[]): HooksConfig | undefined {
  const file = input.file ?? defaultHooksFile();
  const fileTargets = file.targets;
  const targets = [...fileTargets, ...input.flags.targets];
  const rules = [...file.rules, ...input.flags.rules];
  const routes = [...file.routes, ...input.flags.routes];
  const inFile = (key: string, flag: string) => (input.file === undefined ? flag : pathOf(under(SECTION, key)));

  checkUniqueTargets(targets, fileTargets.length, problems);

  if (!file.targetsUnknown && targets.every((t) => t.name !== undefined)) {
    const names = targets.map((t) => t.name!);
    for (const entry of [...rules, ...routes]) {
      if (entry.hook === undefined || names.includes(entry.hook.name)) continue;
      problems.push({ path: entry.hook.path, message: unknownName('target', entry.hook.name, names) });
    }
  }
  if (input.ensembles !== undefined) {
    const names = input.ensembles;
    for (const ref of [...rules, ...file.maintenance].flatMap((entry) => entry.ensembles)) {
      if (!names.includes(ref.name)) problems.push({ path: ref.path, message: unknownName('ensemble', ref.name, names) });
    }
  }

  const { stateDir, dryRun } = input;
  if (targets.length > 0 && stateDir.source === 'default' && dryRun.value === false) {
    problems.push({
      path: inFile('stateDir', '--state-dir'),
      message:
        'a state dir is required for hook targets (the outbox lives there): set hooks.stateDir in the config file, or give --state-dir or ZK_EXPORTER_STATE_DIR; or turn on dry run',
    });
  }
  const receiverTokenFiles = both(file.receiverTokenFiles, input.flags.receiverTokenFiles);
  if (routes.length > 0 && receiverTokenFiles !== undefined && receiverTokenFiles.length === 0) {
    problems.push({
      path: inFile('receiverTokenFiles', '--receiver-token-file'),
      message:
        'a receiver token is required for alert routes (only Alertmanager may post alerts): list token files under hooks.receiverTokenFiles in the config file, or give --receiver-token-file',
    });
  }

  const listen = input.listen.value;
  // A given id that is invalid stays unknown rather than falling back to the default.
  const defaultId = listen === undefined ? undefined : `${hostname()}:${listen.port}`;
  const agentId = input.agentId.source === 'default' ? defaultId : input.agentId.value;
  const adminListen = file.adminListen.ok ? file.adminListen.value : undefined;
  const peers = input.peers.value;
  if (peers !== undefined && peers.length > 0) {
    checkPeers(peers, input.peers.path, { listen, adminListen, agentId, agentIdGiven: input.agentId.source !== 'default' }, problems);
    const { peerTimeout } = file;
    const { interval } = input;
    if (peerTimeout.value !== undefined && interval.value !== undefined && peerTimeout.value >= interval.value) {
      const path = peerTimeout.source === 'default' && interval.source !== 'default' ? interval.path : peerTimeout.path;
      problems.push({
        path,
        message: `peerTimeout (${formatDuration(peerTimeout.value)}) must be less than interval (${formatDuration(interval.value)})`,
      });
    }
  }
  const samePort = adminListen !== undefined && listen !== undefined && adminListen.port !== 0 && adminListen.port === listen.port;
  if (samePort && overlaps(adminListen.host, listen.host)) {
    problems.push({
      path: pathOf(under(SECTION, 'adminListen')),
      message: `uses the port of listen (${formatHostPort(listen.host, listen.port)}); pick another port, or leave adminListen unset to serve the receiver and the hooks API on listen`,
    });
  }

  const secretFiles = both(file.secretFiles, input.flags.secretFiles);
  if (
    secretFiles === undefined ||
    receiverTokenFiles === undefined ||
    dryRun.value === undefined ||
    agentId === undefined ||
    peers === undefined ||
    file.peerTimeout.value === undefined ||
    !file.adminListen.ok ||
    file.maxBodyBytes === undefined ||
    targets.some((t) => t.config === undefined) ||
    rules.some((r) => r.config === undefined) ||
    routes.some((r) => r.config === undefined) ||
    file.maintenance.some((w) => w.config === undefined)
  ) {
    return undefined;
  }
  const config: HooksConfig = {
    dryRun: dryRun.value,
    agentId,
    secretFiles,
    targets: targets.map((t) => t.config!),
    rules: rules.map((r) => r.config!),
    alertRoutes: routes.map((r) => r.config!),
    maintenance: file.maintenance.map((w) => w.config!),
    peers,
    peerTimeoutMs: file.peerTimeout.value,
    receiverTokenFiles,
    maxBodyBytes: file.maxBodyBytes,
  };
  if (stateDir.value !== undefined) config.stateDir = stateDir.value;
  if (adminListen !== undefined) config.adminListen = adminListen;
  return config;
}

/** The file's list followed by the flags' (both valid), else undefined. */
function both(fromFile: string[] | undefined, fromFlags: string[] | undefined): string[] | undefined {
  return fromFile === undefined || fromFlags === undefined ? undefined : [...fromFile, ...fromFlags];
}

function unknownName(what: 'target' | 'ensemble', name: string, names: readonly string[]): string {
  const shown = `unknown ${what} ${JSON.stringify(name)}`;
  if (names.length === 0) return `${shown}; no ${what}s are configured`;
  const guess = closest(name, names);
  return guess === undefined ? `${shown}; ${what}s: ${names.join(', ')}` : `${shown}; did you mean ${JSON.stringify(guess)}?`;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);
const LOOPBACKS = ['localhost', '127.0.0.1', '[::1]'];

/** True when two listen hosts can take the same port of the same interface. */
function overlaps(a: string, b: string): boolean {
  return WILDCARDS.has(a) || WILDCARDS.has(b) || a.toLowerCase() === b.toLowerCase();
}

/** Reports peers that are this agent: its id, or the host and port it listens on. */
function checkPeers(
  peers: readonly string[],
  path: string,
  self: { listen: HostPort | undefined; adminListen: HostPort | undefined; agentId: string | undefined; agentIdGiven: boolean },
  problems: Problem[],
): void {
  const own = new Map<string, string>();
  for (const [label, address] of [
    ['listen', self.listen],
    ['adminListen', self.adminListen],
  ] as const) {
    if (address === undefined || address.port === 0) continue;
    // As URL.hostname writes them: lower case, IPv6 in brackets.
    const hosts = WILDCARDS.has(address.host)
      ? [...LOOPBACKS, hostname().toLowerCase()]
      : [address.host.includes(':') ? `[${address.host.toLowerCase()}]` : address.host.toLowerCase()];
    for (const host of hosts) if (!own.has(`${host}:${address.port}`)) own.set(`${host}:${address.port}`, `the address of ${label}`);
  }
  const id = self.agentId?.toLowerCase();
  if (id !== undefined && !own.has(id)) own.set(id, self.agentIdGiven ? 'its agentId' : 'its default agentId');
  peers.forEach((peer, index) => {
    const url = new URL(peer);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const why = own.get(`${url.hostname.toLowerCase()}:${port}`);
    if (why !== undefined) problems.push({ path: `${path}[${index}]`, message: `is this agent itself (${why}); list only the other agents` });
  });
}
