/**
 * The top-level settings that a flag, an env var and the file can each set, in one table, so the
 * loader, the commander options and the docs agree on names. Precedence: flags > env > file > defaults.
 */
import type { z } from 'zod';
import type { AgentConfig } from './types.js';
import type { HostPort } from './hostport.js';
import { configFileSchema, hooksSchema, logSchema } from './schema.js';

/** Where a setting's value came from. */
export type Source = 'flag' | 'env' | 'file' | 'default';

/** A setting's value from one source; `value` is undefined when that value was invalid (and reported). */
export interface Given<T> {
  value: T | undefined;
  /** Problem path for this value: `--interval`, `ZK_EXPORTER_INTERVAL`, `interval` (also used for defaults). */
  path: string;
  source: Source;
}

/** What one source says about the top-level settings; absent keys mean "not set here". */
export interface Settings {
  listen?: Given<HostPort>;
  interval?: Given<number>;
  timeout?: Given<number>;
  maxReplyBytes?: Given<number>;
  concurrency?: Given<number>;
  logLevel?: Given<AgentConfig['log']['level']>;
  logFormat?: Given<AgentConfig['log']['format']>;
  compat?: Given<AgentConfig['compat']>;
  stateDir?: Given<string | undefined>;
  dryRun?: Given<boolean>;
  peers?: Given<string[]>;
  agentId?: Given<string | undefined>;
}

/** One row of {@link SETTINGS}. */
export interface SettingSpec {
  key: keyof Settings;
  /** Key path in the YAML file. */
  filePath: string;
  /** Long flag. */
  flag: `--${string}`;
  /** Placeholder shown in help, e.g. `<duration>`. */
  placeholder: string;
  env: `ZK_EXPORTER_${string}`;
  /** The file field's schema (with its default and description). */
  schema: z.ZodType;
  /** Flag and env text is a whole number for a numeric field. */
  numeric?: boolean;
  /** Flag may repeat; env holds a comma-separated list. */
  list?: boolean;
  /** Flag takes no value (it sets `true`); env holds `true` or `false`. */
  boolean?: boolean;
  /**
   * `connection`: also wanted by commands that only query nodes (e.g. `status`). `hooks`: agent
   * options of the `hooks` section (listed after the other agent options).
   */
  group: 'connection' | 'agent' | 'hooks';
}

const shape = configFileSchema.shape;
const hooks = hooksSchema.shape;

/** Every top-level setting with its flag and env var. */
export const SETTINGS: readonly SettingSpec[] = [
  { key: 'timeout', filePath: 'timeout', flag: '--timeout', placeholder: '<duration>', env: 'ZK_EXPORTER_TIMEOUT', schema: shape.timeout, group: 'connection' },
  {
    key: 'maxReplyBytes',
    filePath: 'maxReplyBytes',
    flag: '--max-reply-bytes',
    placeholder: '<bytes>',
    env: 'ZK_EXPORTER_MAX_REPLY_BYTES',
    schema: shape.maxReplyBytes,
    numeric: true,
    group: 'connection',
  },
  {
    key: 'concurrency',
    filePath: 'concurrency',
    flag: '--concurrency',
    placeholder: '<n>',
    env: 'ZK_EXPORTER_CONCURRENCY',
    schema: shape.concurrency,
    numeric: true,
    group: 'connection',
  },
  { key: 'listen', filePath: 'listen', flag: '--listen', placeholder: '<host:port>', env: 'ZK_EXPORTER_LISTEN', schema: shape.listen, group: 'agent' },
  { key: 'interval', filePath: 'interval', flag: '--interval', placeholder: '<duration>', env: 'ZK_EXPORTER_INTERVAL', schema: shape.interval, group: 'agent' },
  { key: 'logLevel', filePath: 'log.level', flag: '--log-level', placeholder: '<level>', env: 'ZK_EXPORTER_LOG_LEVEL', schema: logSchema.shape.level, group: 'agent' },
  { key: 'logFormat', filePath: 'log.format', flag: '--log-format', placeholder: '<format>', env: 'ZK_EXPORTER_LOG_FORMAT', schema: logSchema.shape.format, group: 'agent' },
  { key: 'compat', filePath: 'compat', flag: '--compat', placeholder: '<name>', env: 'ZK_EXPORTER_COMPAT', schema: shape.compat, list: true, group: 'agent' },
  { key: 'stateDir', filePath: 'hooks.stateDir', flag: '--state-dir', placeholder: '<dir>', env: 'ZK_EXPORTER_STATE_DIR', schema: hooks.stateDir, group: 'hooks' },
  { key: 'dryRun', filePath: 'hooks.dryRun', flag: '--dry-run', placeholder: '', env: 'ZK_EXPORTER_DRY_RUN', schema: hooks.dryRun, boolean: true, group: 'hooks' },
  { key: 'peers', filePath: 'hooks.peers', flag: '--peer', placeholder: '<url>', env: 'ZK_EXPORTER_PEERS', schema: hooks.peers, list: true, group: 'hooks' },
  { key: 'agentId', filePath: 'hooks.agentId', flag: '--agent-id', placeholder: '<id>', env: 'ZK_EXPORTER_AGENT_ID', schema: hooks.agentId, group: 'hooks' },
];

/** The commander attribute (`FlagValues` key) of a setting's flag: `--max-reply-bytes` → `maxReplyBytes`. */
export function flagAttribute(spec: SettingSpec): string {
  return spec.flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Env vars that are not plain settings. */
export const ENV = {
  config: 'ZK_EXPORTER_CONFIG',
  ensembles: 'ZK_EXPORTER_ENSEMBLES',
  transport: 'ZK_EXPORTER_TRANSPORT',
  adminPort: 'ZK_EXPORTER_ADMIN_PORT',
  hookSecrets: 'ZK_EXPORTER_HOOK_SECRETS',
} as const;

/** One hook flag that is not a plain setting: it adds targets, rules, routes or files to the `hooks` section. */
export interface HookFlagSpec {
  flag: `--${string}`;
  placeholder: string;
  /** Flag may repeat. */
  list: boolean;
  /** Help text. */
  help: string;
  /** Env var, when one goes with the flag, and how it is written. */
  env?: { name: string; shown: string };
  /** What it sets, for the reference (Markdown). */
  sets: string;
}

/** Target names the hook flags give. */
export const FLAG_TARGET_PREFIX = 'hook-';
export const ALERT_HOOK_TARGET = 'alert-hook';

/** Hook flags that add to the `hooks` section, in help order. */
export const HOOK_FLAGS: readonly HookFlagSpec[] = [
  {
    flag: '--hook-url',
    placeholder: '<url>',
    list: true,
    help: 'Call this URL (signed) when quorum is at risk, lost or restored on any ensemble: adds a target hook-<n> (n from 1) with default settings and its three rules. Repeatable.',
    sets: '`hooks.targets` and `hooks.rules`: adds target `hook-<n>` (n from 1) and rules `quorum_at_risk`, `quorum_lost`, `quorum_restored` on every ensemble',
  },
  {
    flag: '--hook-secret-file',
    placeholder: '<file>',
    list: true,
    help: 'A file holding one signing secret; added to hooks.secretFiles. Repeatable. Env: ZK_EXPORTER_HOOK_SECRETS holds secrets themselves (separated by commas or newlines), used after the files.',
    env: { name: ENV.hookSecrets, shown: '`ZK_EXPORTER_HOOK_SECRETS` (the secrets, comma- or newline-separated)' },
    sets: '`hooks.secretFiles` (adds; env secrets come after the files)',
  },
  {
    flag: '--alert-hook-url',
    placeholder: '<url>',
    list: false,
    help: 'Every firing alert received from Alertmanager is forwarded once, signed, to this URL (a target alert-hook and a route for every alert). Needs --receiver-token-file.',
    sets: '`hooks.targets` and `hooks.alertmanager.routes`: adds target `alert-hook` and a route of every firing alert to it',
  },
  {
    flag: '--receiver-token-file',
    placeholder: '<file>',
    list: true,
    help: 'A file holding one bearer token for the Alertmanager receiver and the hooks API; added to hooks.receiverTokenFiles. Repeatable.',
    sets: '`hooks.receiverTokenFiles` (adds)',
  },
];

/** Every env var the loader reads. */
export const ENV_NAMES: readonly string[] = [ENV.config, ENV.ensembles, ENV.transport, ENV.adminPort, ENV.hookSecrets, ...SETTINGS.map((s) => s.env)];

/** The default of every setting, from the schema, with the file key as its path. */
export function defaultSettings(): Required<Settings> {
  const out: Record<string, Given<unknown>> = {};
  for (const spec of SETTINGS) out[spec.key] = { value: spec.schema.parse(undefined), path: spec.filePath, source: 'default' };
  return out as unknown as Required<Settings>;
}
