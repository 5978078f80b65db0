/**
 * The YAML config file as zod schemas: strict objects (unknown keys rejected at every level), leaf
 * values with exact error messages, and each field's default and description declared once here.
 * The loader (`load.ts`) walks these field by field to collect every problem and to merge env and
 * flags; `reference.ts` renders the documentation table from the same declarations.
 */
import { CronTime } from 'cron';
import { z } from 'zod';
import { parseMatcher } from '../hooks/alertmanager.js';
import { renderTemplate } from '../hooks/template.js';
import { HOOK_EVENTS } from '../hooks/types.js';
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
  /** Default as shown to users when the code computes it (e.g. from the hostname) instead of declaring it. */
  default?: string;
}

/** Descriptions of every config file field, keyed by the field's schema (the value in its object's shape). */
export const configDocs = z.registry<FieldDoc>();

function doc<S extends z.ZodType>(schema: S, description: string, type?: string, shownDefault?: string): S {
  const entry: FieldDoc = { description };
  if (type !== undefined) entry.type = type;
  if (shownDefault !== undefined) entry.default = shownDefault;
  configDocs.add(schema as z.ZodType, entry);
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

/** A duration that may be zero and must fit a Node.js timer. */
function timerDuration() {
  return durationSchema.refine((ms) => ms <= MAX_TIMER_MS, {
    error: `must be at most ${formatDuration(MAX_TIMER_MS)}, the longest timer Node.js supports`,
  });
}

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

/** A name of letters, digits, `_`, `.` and `-` (a new schema each call: the docs registry keys on the instance). */
function nameSchema() {
  return z
    .string({ error: (iss) => `must be a name, got ${describeValue(iss.input)}` })
    .regex(ENSEMBLE_NAME, {
      error: (iss) => `must be made of letters, digits, "_", "." and "-", got ${describeValue(iss.input)}`,
    });
}

/** Ensemble name. */
export const ensembleNameSchema = nameSchema();

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

// ---- hooks -------------------------------------------------------------------------------------

/** Agent-driven events a rule can fire on. */
export const HOOK_RULE_EVENTS = HOOK_EVENTS;
/** The event whose rules need (and only whose rules may set) `electionTooLong`. */
export const ELECTION_TOO_LONG = 'election_too_long';
/** Headers every request carries from the agent itself; a target cannot set them. */
export const AGENT_HEADERS = ['Idempotency-Key', 'X-Zk-Signature'] as const;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function booleanSchema() {
  return z.boolean({ error: (iss) => `must be true or false, got ${describeValue(iss.input)}` });
}

/** A file or directory path; relative paths are read from the working directory. */
function pathSchema(what: 'file' | 'directory') {
  return z
    .string({ error: (iss) => `must be a ${what} path, got ${describeValue(iss.input)}` })
    .min(1, { error: `empty; expected a ${what} path` });
}

/** Reports each string of a list equal to an earlier one: `duplicate <what> "item"`. */
function noDuplicates(what: string) {
  return [
    (list: unknown[], ctx: z.RefinementCtx) => {
      const seen = new Set<string>();
      list.forEach((item, index) => {
        if (typeof item !== 'string') return;
        if (!seen.has(item)) seen.add(item);
        else ctx.addIssue({ code: 'custom', message: `duplicate ${what} ${JSON.stringify(item)}`, path: [index], input: item });
      });
    },
    { when: (payload: { value: unknown }) => Array.isArray(payload.value) },
  ] as const;
}

/** Files listed once each. */
function fileListSchema() {
  return listOf(pathSchema('file')).superRefine(...noDuplicates('file'));
}

/** Ensemble names listed once each (those a rule or window applies to). */
function ensembleListSchema() {
  return listOf(nameSchema()).superRefine(...noDuplicates('ensemble'));
}

const HTTP_URL = 'an http:// or https:// URL';

/**
 * Why `text` is not a usable http(s) URL, or the URL. Messages never repeat the URL: a hook URL
 * can hold a secret (many chat webhooks do).
 */
function checkHttpUrl(text: string, credentialsHint = ''): { ok: true; url: URL } | { ok: false; message: string } {
  if (text === '') return { ok: false, message: `empty; expected ${HTTP_URL}` };
  if (!/^https?:\/\//i.test(text)) return { ok: false, message: 'must start with http:// or https://' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'is not a valid URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: `must not contain a user name or password${credentialsHint}` };
  }
  return { ok: true, url };
}

function httpUrlText() {
  return z.string({ error: (iss) => `must be ${HTTP_URL}, got ${describeValue(iss.input)}` });
}

/** A hook target's URL, kept as written. */
export const hookUrlSchema = httpUrlText().superRefine((text, ctx) => {
  const result = checkHttpUrl(text, '; put credentials in headers');
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
});

/** A peer's base URL → `scheme://host[:port][/path]` without trailing slash. */
export const peerUrlSchema = httpUrlText().transform((text, ctx) => {
  const result = checkHttpUrl(text);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.message, input: text });
    return z.NEVER;
  }
  if (/[?#]/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'must be a base URL, without query or fragment', input: text });
    return z.NEVER;
  }
  const { protocol, host, pathname } = result.url;
  return `${protocol}//${host}${pathname.replace(/\/+$/, '')}`;
});

/** What a value is, without showing it (header values are often credentials). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** Extra request headers: valid names, once each ignoring case, none of the agent's own; string values never echoed. */
export const headersSchema = z
  .record(z.string(), z.unknown(), {
    error: (iss) => `must be a mapping of header names to values, got ${describeValue(iss.input)}`,
  })
  .superRefine((headers, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(headers)) {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: [name] });
      const reserved = AGENT_HEADERS.find((h) => h.toLowerCase() === name.toLowerCase());
      const first = seen.get(name.toLowerCase());
      if (!HEADER_NAME.test(name)) issue('is not a valid HTTP header name');
      else if (reserved !== undefined) issue(`${JSON.stringify(reserved)} is set by the agent on every request and cannot be configured`);
      else if (first !== undefined) issue(`duplicate header (also ${JSON.stringify(first)}; header names ignore case)`);
      else if (typeof value !== 'string') issue(`must be a string, got ${kindOf(value)}; quote it`);
      else if (/[\r\n\0]/.test(value)) issue('must not contain line breaks or NUL characters');
      if (first === undefined) seen.set(name.toLowerCase(), name);
    }
  })
  .transform((headers) => headers as Record<string, string>);

/** A JSON template, checked by rendering it (placeholders are filled with null, which cannot change its shape). */
export const templateSchema = z
  .string({ error: (iss) => `must be a string holding a JSON template (quote it in YAML), got ${describeValue(iss.input)}` })
  .superRefine((text, ctx) => {
    try {
      renderTemplate(text, {});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.addIssue({ code: 'custom', message: message.replace(/^template:? /, '') });
    }
  });

const MATCHER_FORMS = 'label="value", label!="value", label=~"regex" or label!~"regex"';

/** An Alertmanager-style matcher, parsed as the receiver parses it. */
export const matcherSchema = z
  .string({ error: (iss) => `must be ${MATCHER_FORMS}, got ${describeValue(iss.input)}` })
  .superRefine((text, ctx) => {
    const result = parseMatcher(text);
    if (result.ok) return;
    const prefix = `matcher ${JSON.stringify(text)}: `;
    const reason = result.reason.startsWith(prefix) ? result.reason.slice(prefix.length) : result.reason;
    const message = reason.startsWith('expected ')
      ? `must be ${MATCHER_FORMS}, got ${JSON.stringify(text)}`
      : `${JSON.stringify(text)}: ${reason.replace(/Invalid regular expression: \/.*\/[a-z]*: /, '')}`;
    ctx.addIssue({ code: 'custom', message, input: text });
  });

const CRON_EXAMPLE = '"0 2 * * 0"';

/** A cron expression of 5 fields (minute first) or 6 (second first), read with the `cron` package in UTC. */
export const cronSchema = z
  .string({ error: (iss) => `must be a cron expression like ${CRON_EXAMPLE}, got ${describeValue(iss.input)}` })
  .superRefine((text, ctx) => {
    const message = cronProblem(text);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: text });
  });

function cronProblem(text: string): string | undefined {
  const shown = JSON.stringify(text);
  const fields = text.trim() === '' ? 0 : text.trim().split(/\s+/).length;
  if (fields === 0) return `empty; expected a cron expression like ${CRON_EXAMPLE}`;
  if (fields !== 5 && fields !== 6) {
    return `${shown} has ${fields} field${fields === 1 ? '' : 's'}; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)`;
  }
  let time: CronTime;
  try {
    time = new CronTime(text, 'UTC');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `${shown}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
  }
  try {
    time.getNextDateFrom(new Date(), 'UTC');
  } catch {
    // CronTime gives up after searching 8 years ahead.
    return `${shown} matches no date (like February 30)`;
  }
  return undefined;
}

/** True for a time zone both Intl and the `cron` package know. */
function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    new CronTime('* * * * *', zone);
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name. */
export const timezoneSchema = z
  .string({ error: (iss) => `must be a time zone name like "UTC" or "Europe/Berlin", got ${describeValue(iss.input)}` })
  .refine((zone) => zone !== '' && isKnownZone(zone), {
    error: (iss) => `${describeValue(iss.input)} is not a known time zone; use an IANA name like "UTC" or "Europe/Berlin"`,
  });

/** This agent's id among peers and in payloads. */
export const agentIdSchema = z
  .string({ error: (iss) => `must be an id like "zk1-sidecar", got ${describeValue(iss.input)}` })
  .min(1, { error: 'empty; expected an id like "zk1-sidecar"' })
  .regex(/^[\x21-\x7e]+$/, { error: (iss) => `must be printable ASCII without spaces, got ${describeValue(iss.input)}` });

/** Retry delays of one target. */
export const backoffSchema = z.strictObject({
  initial: doc(positiveDuration().prefault('1s'), 'Upper bound of the first retry delay; doubles with each retry. At most `max`.', 'duration'),
  max: doc(positiveDuration().prefault('1m'), 'Largest retry delay; also caps a `Retry-After` answer.', 'duration'),
});

/** One hook target. */
export const hookTargetSchema = z.strictObject({
  name: doc(nameSchema(), 'Unique name that rules and routes refer to. Letters, digits, `_`, `.`, `-`.', 'string'),
  url: doc(
    hookUrlSchema,
    'Where the signed JSON is POSTed: `http://` or `https://`, without user or password (use `headers`). Never logged.',
    'URL',
  ),
  timeout: doc(positiveDuration().prefault('5s'), 'Deadline of one attempt.', 'duration'),
  maxAge: doc(positiveDuration().prefault('1h'), 'A call still undelivered this long after it was decided is dead-lettered.', 'duration'),
  concurrency: doc(integer(1, 100).prefault(2), 'Most calls in flight to this target at once.', 'integer 1–100'),
  backoff: doc(backoffSchema.prefault({}), 'Delays between attempts: full jitter, doubling from `initial` up to `max`.', 'mapping'),
  template: doc(
    templateSchema.optional(),
    'JSON sent instead of the standard body, its `{{path.to.field}}` placeholders filled from that body (see docs/webhooks.md); checked when the config is loaded.',
    'string',
  ),
  headers: doc(
    headersSchema.optional(),
    'Extra request headers, e.g. `Authorization`; values are never logged. `Idempotency-Key` and `X-Zk-Signature` are the agent\'s own.',
    'mapping of strings',
  ),
});

/** One agent-driven rule. */
export const hookRuleSchema = z.strictObject({
  event: doc(
    enumOf(HOOK_RULE_EVENTS),
    'The condition: quorum at risk (one more loss loses it), lost, or restored; a new leader; more than one leader; an election lasting longer than `electionTooLong`.',
  ),
  hook: doc(nameSchema(), 'Name of the target to call.', 'string'),
  ensembles: doc(ensembleListSchema().optional(), 'Ensembles the rule watches; unset: every ensemble.', 'list of names'),
  for: doc(timerDuration().prefault('0s'), 'How long the condition must hold before the hook is called.', 'duration'),
  cooldown: doc(
    timerDuration().prefault('5m'),
    'After a call, no other call for the same target, ensemble and event for this long (nor while one is still being delivered).',
    'duration',
  ),
  fireOnStartup: doc(booleanSchema().prefault(false), 'Also call for a condition already true when the agent starts or reloads.', 'boolean'),
  electionTooLong: doc(
    positiveDuration().optional(),
    'How long an election may last. Required for `election_too_long`, not allowed for other events.',
    'duration',
  ),
});

/** One route of received Alertmanager alerts to a target. */
export const alertRouteSchema = z.strictObject({
  hook: doc(nameSchema(), 'Name of the target to call.', 'string'),
  matchers: doc(
    listOf(matcherSchema).prefault([]),
    'Alertmanager-style matchers that must all match the alert\'s labels: `label="value"`, `label!="value"`, `label=~"regex"`, `label!~"regex"` (regexes anchored). None: every alert.',
    'list of matchers',
  ),
  sendResolved: doc(booleanSchema().prefault(false), 'Also forward alerts when they resolve.', 'boolean'),
});

/** The Alertmanager webhook receiver. */
export const alertmanagerSchema = z.strictObject({
  routes: doc(
    listOf(alertRouteSchema).prefault([]),
    'Every firing alert Alertmanager posts to the receiver is forwarded once, signed, to the target of each route that matches it. Routes need `receiverTokenFiles`. `--alert-hook-url` adds a route for every alert.',
    'list of mappings',
  ),
});

/** A recurring maintenance window. */
export const maintenanceWindowSchema = z.strictObject({
  cron: doc(cronSchema, 'When each window starts: 5 cron fields (minute first) or 6 (second first).', 'cron expression'),
  duration: doc(positiveDuration(), 'How long each window lasts.', 'duration'),
  ensembles: doc(ensembleListSchema().optional(), 'Ensembles it covers; unset: every ensemble (and alerts).', 'list of names'),
  timezone: doc(timezoneSchema.optional(), 'IANA time zone the cron fields are read in.', 'string', '`UTC`'),
});

/** The `hooks` section. */
export const hooksSchema = z.strictObject({
  stateDir: doc(
    pathSchema('directory').optional(),
    'Directory of the durable outbox and the audit trail (mode 0700). Required when there are targets, unless `dryRun`. One per agent.',
    'path',
  ),
  dryRun: doc(booleanSchema().prefault(false), 'Decide and record every hook call, but send nothing.', 'boolean'),
  agentId: doc(agentIdSchema.optional(), "This agent's id in payloads and among peers.", 'string', '`<hostname>:<listen port>`'),
  secretFiles: doc(
    fileListSchema().prefault([]),
    'Files of one signing secret each; the first secret signs. `--hook-secret-file` adds files; secrets in `ZK_EXPORTER_HOOK_SECRETS` come after them.',
    'list of paths',
  ),
  targets: doc(listOf(hookTargetSchema).prefault([]), 'Where hooks are sent. `--hook-url` and `--alert-hook-url` add targets.', 'list of mappings'),
  rules: doc(
    listOf(hookRuleSchema).prefault([]),
    'When to call which target. `--hook-url` adds rules for `quorum_at_risk`, `quorum_lost` and `quorum_restored`.',
    'list of mappings',
  ),
  alertmanager: doc(alertmanagerSchema.prefault({}), 'The Alertmanager webhook receiver.', 'mapping'),
  maintenance: doc(
    listOf(maintenanceWindowSchema).prefault([]),
    'Recurring windows during which hooks for their ensembles are recorded as suppressed instead of sent.',
    'list of mappings',
  ),
  peers: doc(
    listOf(peerUrlSchema).superRefine(...noDuplicates('peer')).prefault([]),
    'Base URLs (`http://zk2-sidecar:9141`) of the other agents watching the same ensembles; a hook fires when most agents see the incident, sent by one of them.',
    'list of URLs',
  ),
  peerTimeout: doc(positiveDuration().prefault('1s'), 'Deadline for asking a peer. Must be less than `interval`.', 'duration'),
  receiverTokenFiles: doc(
    fileListSchema().prefault([]),
    'Files of one bearer token each, required on the Alertmanager receiver and every changing hooks API call. `--receiver-token-file` adds files.',
    'list of paths',
  ),
  adminListen: doc(
    listenSchema.optional(),
    'Separate `HOST:PORT` for the receiver and the hooks API; unset: they are served on `listen`.',
    '`HOST:PORT`',
  ),
  maxBodyBytes: doc(integer(1024, 1_073_741_824).prefault(1_048_576), 'Largest request body the receiver and the hooks API read.', 'integer'),
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
  hooks: doc(
    hooksSchema.optional(),
    'Failover hooks: signed HTTP calls when quorum is at risk, lost or restored, the leader changes, and more, and Alertmanager alerts forwarded to them. See docs/webhooks.md.',
    'mapping',
  ),
});

/** The config file as written (before defaults). */
export type ConfigFileInput = z.input<typeof configFileSchema>;
/** The config file after zod's defaults and transforms (durations in ms, servers parsed). */
export type ConfigFile = z.output<typeof configFileSchema>;
/** One ensemble after zod's defaults and transforms. */
export type EnsembleFile = z.output<typeof ensembleSchema>;
