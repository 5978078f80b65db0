/**
 * The top-level settings that a flag, an env var and the file can each set, in one table, so the
 * loader, the commander options and the docs agree on names. Precedence: flags > env > file > defaults.
 */
import type { z } from 'zod';
import type { AgentConfig } from './types.js';
import type { HostPort } from './hostport.js';
import { configFileSchema, logSchema } from './schema.js';

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
  /** `connection`: also wanted by commands that only query nodes (e.g. `status`). */
  group: 'connection' | 'agent';
}

const shape = configFileSchema.shape;

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
];

/** Env vars that are not plain settings. */
export const ENV = {
  config: 'ZK_EXPORTER_CONFIG',
  ensembles: 'ZK_EXPORTER_ENSEMBLES',
  transport: 'ZK_EXPORTER_TRANSPORT',
  adminPort: 'ZK_EXPORTER_ADMIN_PORT',
} as const;

/** Every env var the loader reads. */
export const ENV_NAMES: readonly string[] = [ENV.config, ENV.ensembles, ENV.transport, ENV.adminPort, ...SETTINGS.map((s) => s.env)];

/** The default of every setting, from the schema, with the file key as its path. */
export function defaultSettings(): Required<Settings> {
  const out: Record<string, Given<unknown>> = {};
  for (const spec of SETTINGS) out[spec.key] = { value: spec.schema.parse(undefined), path: spec.filePath, source: 'default' };
  return out as unknown as Required<Settings>;
}
