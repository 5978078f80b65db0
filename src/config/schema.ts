/**
 * The YAML config file as zod schemas: strict objects (unknown keys rejected at every level), leaf
 * values with exact error messages, and each field's default and description declared once here.
 * The loader (`load.ts`) walks these field by field to collect every problem and to merge env and
 * flags; `reference.ts` renders the documentation table from the same declarations.
 */
import { z } from 'zod';
import { READ_ONLY_COMMANDS, type FourLetterWord } from '../zk/outcome.js';
import type { ServerTarget } from './types.js';
import { checkDuration, formatDuration } from './duration.js';
import { checkHost, parseHostPort } from './hostport.js';
import { describeValue } from './problems.js';

/** What the config reference shows for one field. */
export interface FieldDoc {
  /** One or two sentences; also used as the help text of the matching flag. */
  description: string;
  /** Type as shown to users; derived from the schema for enums and lists of enums when absent. */
  type?: string;
}

/** Descriptions of every config file field, keyed by the field's schema (the value in its object's shape). */
export const configDocs = z.registry<FieldDoc>();

function doc<S extends z.ZodType>(schema: S, description: string, type?: string): S {
  configDocs.add(schema as z.ZodType, type === undefined ? { description } : { description, type });
  return schema;
}

/** Node.js timers overflow above 2^31-1 ms and then fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The words an ensemble may poll: every read-only word but `ruok` (it answers `imok` without quorum, so it proves nothing). */
export const ALLOWED_COMMANDS = READ_ONLY_COMMANDS.filter(
  (c): c is Exclude<FourLetterWord, 'ruok'> => c !== 'ruok',
);
/** Polled when an ensemble lists no `commands`. */
export const DEFAULT_COMMANDS: Array<(typeof ALLOWED_COMMANDS)[number]> = ['srvr', 'mntr', 'wchs', 'conf'];
/** Words that change server state; named in the error so nobody wonders whether to enable them. */
const STATE_CHANGING = new Set(['srst', 'crst', 'stmk', 'kill']);
/** Read-only words that print one line per connection or session: too costly to poll. */
const TOO_COSTLY = new Set(['cons', 'dump', 'wchc', 'wchp']);

/** Log levels pino knows. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Log output formats. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** Transports an ensemble can use. */
export const TRANSPORTS = ['fourletter', 'admin'] as const;
/** Compatibility series sets. */
export const COMPAT_MODES = ['dabealu'] as const;

/** Ensemble names: letters, digits, `_`, `.`, `-`. */
export const ENSEMBLE_NAME = /^[a-zA-Z0-9_.-]+$/;

/** Message for an ensemble without servers (also used by the loader for flag and env ensembles). */
export const NO_SERVERS = 'at least one server is required';

// ---- leaf values -------------------------------------------------------------------------------

/** `"a" or "b"` / `one of "a", "b", "c"` */
function choices(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 2 ? quoted.join(' or ') : `one of ${quoted.join(', ')}`;
}

function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => `must be ${choices(values)}, got ${describeValue(iss.input)}` });
}

function listOf<S extends z.ZodType>(element: S) {
  return z.array(element, { error: (iss) => `must be a list, got ${describeValue(iss.input)}` });
}

/** An integer in [min, max]; the same message for every way of missing it. */
function integer(min: number, max: number) {
  const error = (iss: { input?: unknown }) => `must be an integer from ${min} to ${max}, got ${describeValue(iss.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A TCP port of a ZooKeeper node or AdminServer. */
export const portSchema = integer(1, 65535);

const durationExamples = '"500ms", "5s", "1m30s" or "2h"';

/** A duration string (`500ms`, `5s`, `1m30s`, `2h`) → milliseconds; zero allowed. */
export const durationSchema = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? `${iss.input} has no unit (ms, s, m or h); did you mean "${iss.input}s"?`
        : `must be a duration like ${durationExamples}, got ${describeValue(iss.input)}`,
  })
  .transform((text, ctx) => {
    const result = checkDuration(text);
    if (result.ok) return result.ms;
    ctx.addIssue({ code: 'custom', message: result.message, input: text });
    return z.NEVER;
  });

/** A duration that must be above zero and fit a Node.js timer. */
function positiveDuration() {
  return durationSchema
    .refine((ms) => ms > 0, { error: 'must be greater than 0' })
    .refine((ms) => ms <= MAX_TIMER_MS, {
      error: `must be at most ${formatDuration(MAX_TIMER_MS)}, the longest timer Node.js supports`,
    });
}

/** `HOST:PORT` to listen on; port 0 lets the OS pick. */
export const listenSchema = z
  .string({ error: (iss) => `must be "HOST:PORT", got ${describeValue(iss.input)}` })
  .transform((text, ctx) => {
    const result = parseHostPort(text, 0);
    if (result.ok) return result.value;
    // Go exporters accept `:9141` for "every interface"; say what to write here instead.
    const message = /^:[0-9]+$/.test(text)
      ? `${JSON.stringify(text)} has no host; write "0.0.0.0${text}" (every IPv4 interface) or "[::]${text}" (every interface)`
      : result.message;
    ctx.addIssue({ code: 'custom', message, input: text });
    return z.NEVER;
  });

/** A server written as the string `HOST:PORT` (IPv6 as `[::1]:2181`). */
export const serverStringSchema = z
  .string({ error: (iss) => `must be "HOST:PORT", got ${describeValue(iss.input)}` })
  .transform((text, ctx): ServerTarget => {
    const result = parseHostPort(text, 1);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message, input: text });
    return z.NEVER;
  });

const hostSchema = z
  .string({ error: (iss) => `must be a hostname or IP address, got ${describeValue(iss.input)}` })
  .superRefine((host, ctx) => {
    const message = checkHost(host);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: host });
  });

/** A server written as a mapping, which can also carry its own AdminServer port. */
export const serverObjectSchema = z.strictObject({
  host: doc(hostSchema, 'Hostname or IP address (IPv6 without brackets).', 'string'),
  port: doc(portSchema, 'Client port, where the four-letter words are sent.', 'integer 1–65535'),
  adminPort: doc(
    portSchema.optional(),
    "This server's AdminServer HTTP port; overrides the ensemble's `adminPort`.",
    'integer 1–65535',
  ),
});

/** One server: `"HOST:PORT"` or `{host, port, adminPort}`. */
export const serverSchema = z.union([serverStringSchema, serverObjectSchema]);

function commandMessage(input: unknown): string {
  const allowed = `allowed: ${ALLOWED_COMMANDS.join(', ')}`;
  if (typeof input !== 'string') return `must be a command name, got ${describeValue(input)}; ${allowed}`;
  const shown = JSON.stringify(input);
  if (STATE_CHANGING.has(input)) return `${shown} changes server state and is never sent; ${allowed}`;
  if (input === 'ruok') return `"ruok" proves nothing (it answers imok even without quorum); ${allowed}`;
  if (TOO_COSTLY.has(input)) return `${shown} prints one line per connection or session, too costly to poll; ${allowed}`;
  return `${shown} is not a supported command; ${allowed}`;
}

/** The words to poll; duplicates rejected; `srvr` is put first (added when missing). */
export const commandsSchema = listOf(z.enum(ALLOWED_COMMANDS, { error: (iss) => commandMessage(iss.input) }))
  .superRefine(
    (list, ctx) => {
      const seen = new Map<unknown, number>();
      list.forEach((word, index) => {
        const first = seen.get(word);
        if (first === undefined) seen.set(word, index);
        else if ((ALLOWED_COMMANDS as readonly unknown[]).includes(word)) {
          ctx.addIssue({ code: 'custom', message: `duplicate command ${JSON.stringify(word)}`, path: [index], input: word });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  )
  .transform((list): FourLetterWord[] => ['srvr', ...list.filter((word) => word !== 'srvr')]);

/** Compatibility modes; duplicates rejected. */
export const compatSchema = listOf(enumOf(COMPAT_MODES)).superRefine(
  (list, ctx) => {
    list.forEach((mode, index) => {
      const first = list.indexOf(mode);
      if (first !== index && (COMPAT_MODES as readonly unknown[]).includes(mode)) {
        ctx.addIssue({ code: 'custom', message: `duplicate value ${JSON.stringify(mode)}`, path: [index], input: mode });
      }
    });
  },
  { when: (payload) => Array.isArray(payload.value) },
);

/** Ensemble name. */
export const ensembleNameSchema = z
  .string({ error: (iss) => `must be a name, got ${describeValue(iss.input)}` })
  .regex(ENSEMBLE_NAME, {
    error: (iss) => `must be made of letters, digits, "_", "." and "-", got ${describeValue(iss.input)}`,
  });

/** How an ensemble's nodes are asked. */
export const transportSchema = enumOf(TRANSPORTS);

// ---- objects -----------------------------------------------------------------------------------

/** One ensemble in the file (also what `--ensemble` and `ZK_EXPORTER_ENSEMBLES` entries are checked against). */
export const ensembleSchema = z.strictObject({
  name: doc(ensembleNameSchema, 'Unique name, used as the `ensemble` label. Letters, digits, `_`, `.`, `-`.', 'string'),
  servers: doc(
    listOf(serverSchema).min(1, { error: NO_SERVERS }),
    'The nodes: `"HOST:PORT"` strings (IPv6 as `"[::1]:2181"`) or `{host, port, adminPort}` mappings. No duplicates.',
    'list of `HOST:PORT` or mapping',
  ),
  transport: doc(
    transportSchema.prefault('fourletter'),
    '`fourletter`: four-letter words over TCP, falling back to the AdminServer for a word the whitelist refuses when an admin port is known. `admin`: AdminServer only (every server then needs an admin port).',
  ),
  adminPort: doc(portSchema.optional(), 'AdminServer HTTP port for servers that do not set their own.', 'integer 1–65535'),
  commands: doc(
    commandsSchema.prefault(DEFAULT_COMMANDS),
    `Words polled; \`srvr\` is always polled, \`conf\` only every \`confInterval\` (it gives server ids and the voting membership). Allowed: ${ALLOWED_COMMANDS.map((c) => `\`${c}\``).join(', ')}. Never \`srst\`, \`crst\`, \`stmk\` or \`kill\`.`,
  ),
  confInterval: doc(
    positiveDuration().prefault('1m'),
    'How often `conf` is re-read (it is also read after a node comes back).',
    'duration',
  ),
});

/** Logging settings. */
export const logSchema = z.strictObject({
  level: doc(enumOf(LOG_LEVELS).prefault('info'), 'Least severe level written.'),
  format: doc(enumOf(LOG_FORMATS).prefault('json'), '`json`: one object per line. `pretty`: coloured text for people.'),
});

/** The whole YAML config file. Keys are camelCase. */
export const configFileSchema = z.strictObject({
  listen: doc(
    listenSchema.prefault('0.0.0.0:9141'),
    'Address of the HTTP server (`/metrics`). IPv6 as `[::1]:9141`; port 0 picks a free port.',
    '`HOST:PORT`',
  ),
  interval: doc(positiveDuration().prefault('5s'), 'How often every node is polled.', 'duration'),
  timeout: doc(
    positiveDuration().prefault('2s'),
    'Deadline for one command to one node, connect and read together. Must be less than `interval`.',
    'duration',
  ),
  maxReplyBytes: doc(
    integer(1024, 1_073_741_824).prefault(1_048_576),
    'Largest reply read from a node; a longer one is cut and counted as `too_large`.',
    'integer',
  ),
  concurrency: doc(integer(1, 10_000).prefault(64), 'Most node polls in flight at once, across all ensembles.', 'integer'),
  log: doc(logSchema.prefault({}), 'Logging.', 'mapping'),
  compat: doc(
    compatSchema.prefault([]),
    '`dabealu`: also export the `zk_*` series of dabealu/zookeeper-exporter, for existing dashboards.',
  ),
  ensembles: doc(
    listOf(ensembleSchema).prefault([]),
    'The ensembles to watch. Ensembles from `--ensemble` or `ZK_EXPORTER_ENSEMBLES` replace file ensembles of the same name. At least one ensemble is needed in all.',
    'list of mappings',
  ),
});

/** The config file as written (before defaults). */
export type ConfigFileInput = z.input<typeof configFileSchema>;
/** The config file after zod's defaults and transforms (durations in ms, servers parsed). */
export type ConfigFile = z.output<typeof configFileSchema>;
/** One ensemble after zod's defaults and transforms. */
export type EnsembleFile = z.output<typeof ensembleSchema>;
