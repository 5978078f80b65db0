/**
 * The leaf values of the config as zod schemas, each with its exact messages and the type name the
 * reference shows (`.meta({ type })`): durations, addresses, names, URLs, cron expressions,
 * matchers and the rest. The mappings that hold them are in `schema.ts`.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { ALLOWED_COMMANDS, type CommandWord } from '../commands/index.js';
import { checkDuration, formatDuration } from '../model/duration.js';
import { parseMatcher } from '../model/matchers.js';
import { renderTemplate } from '../model/template.js';
import { checkHost, parseHostPort, type HostPort, type ServerTarget } from '../model/target.js';
import { describeValue } from './problems.js';

/** Node.js timers overflow above 2^31-1 ms and then fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** `must be <expected>, got <what the input is>`: zod's message for a value of the wrong type. */
export const got = (expected: string) => (iss: { input?: unknown }) => `must be ${expected}, got ${describeValue(iss.input)}`;
type Message = ReturnType<typeof got>;

/**
 * A string read by `check`, which answers what is wrong with it, or the value it stands for
 * (nothing: the string as written); anything but a string is `must be <expected>, got <…>`.
 */
function text<T = string>(type: string, expected: string | Message, check: (text: string) => { value: T } | string | undefined) {
  return z
    .string({ error: typeof expected === 'string' ? got(expected) : expected })
    .transform((text, ctx) => {
      const result = check(text);
      if (typeof result !== 'string') return result === undefined ? (text as T) : result.value;
      ctx.addIssue({ code: 'custom', message: result, input: text });
      return z.NEVER;
    })
    .meta({ type });
}

/** One of `values`: `must be "a" or "b", got …` / `must be one of "a", "b", "c", got …`. */
export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  const quoted = values.map((v) => JSON.stringify(v));
  return z.enum(values, { error: got(quoted.length <= 2 ? quoted.join(' or ') : `one of ${quoted.join(', ')}`) });
}

export function listOf<S extends z.ZodType>(element: S) {
  return z.array(element, { error: got('a list') });
}

/** A list in which no string appears twice: `duplicate <what> "item"` at the later one. */
export function uniqueListOf<S extends z.ZodType>(element: S, what: string) {
  return listOf(element).superRefine(
    (list, ctx) =>
      list.forEach((item, index) => {
        if (typeof item === 'string' && list.indexOf(item) !== index) {
          ctx.addIssue({ code: 'custom', message: `duplicate ${what} ${JSON.stringify(item)}`, path: [index], input: item });
        }
      }),
    { when: (payload) => Array.isArray(payload.value) },
  );
}

/** An integer in [min, max]; the same message for every way of missing it. */
export function integer(min: number, max: number) {
  const error = got(`an integer from ${min} to ${max}`);
  const int = z.int({ error }).min(min, { error }).max(max, { error });
  return int.meta({ type: `integer ${min}–${max}` });
}

export function boolean() {
  return z.boolean({ error: got('true or false') }).meta({ type: 'boolean' });
}

/** A duration (`500ms`, `5s`, `1m30s`, `2h`) → milliseconds that fit a Node.js timer; `positive` rejects zero. */
export function duration(positive = true) {
  const wrongType: Message = ({ input }) =>
    typeof input === 'number'
      ? `${input} has no unit (ms, s, m or h); did you mean "${input}s"?`
      : `must be a duration like "500ms", "5s", "1m30s" or "2h", got ${describeValue(input)}`;
  return text('duration', wrongType, (written) => {
    const result = checkDuration(written);
    if (!result.ok) return result.message;
    if (positive && result.ms === 0) return 'must be greater than 0';
    return result.ms > MAX_TIMER_MS
      ? `must be at most ${formatDuration(MAX_TIMER_MS)}, the longest timer Node.js supports`
      : { value: result.ms };
  });
}

/** `HOST:PORT` (IPv6 as `[::1]:2181`): a server, or with `minPort` 0 an address to listen on (port 0 lets the OS pick). */
function hostPort<T extends HostPort = HostPort>(minPort: 0 | 1) {
  return text('`HOST:PORT`', '"HOST:PORT"', (written) => {
    const result = parseHostPort(written, minPort);
    // Go exporters accept `:9141` for "every interface"; say what to write here instead.
    if (!result.ok && minPort === 0 && /^:[0-9]+$/.test(written)) {
      return `"${written}" has no host; write "0.0.0.0${written}" (every IPv4 interface) or "[::]${written}" (every interface)`;
    }
    return result.ok ? { value: result.value as T } : result.message;
  });
}

export const listenAddress = () => hostPort(0);
export const serverStringSchema = hostPort<ServerTarget>(1);

/** A hostname or IP address (IPv6 without brackets). */
export const hostSchema = text('string', 'a hostname or IP address', checkHost);

/** A name of letters, digits, `_`, `.` and `-`. */
export function name() {
  return text('string', 'a name', (written) =>
    /^[a-zA-Z0-9_.-]+$/.test(written) ? undefined : `must be made of letters, digits, "_", "." and "-", got ${JSON.stringify(written)}`,
  );
}

/** Words that change server state; named in the error so nobody wonders whether to enable them. */
const STATE_CHANGING = new Set(['srst', 'crst', 'stmk', 'kill']);
/** Read-only words that print one line per connection or session: too costly to poll, so not in the command table. */
const TOO_COSTLY = new Set(['dump', 'wchc', 'wchp']);

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
export const commands = uniqueListOf(z.enum(ALLOWED_COMMANDS, { error: (iss) => commandMessage(iss.input) }), 'command').transform(
  (list): CommandWord[] => ['srvr', ...list.filter((word) => word !== 'srvr')],
);

/** A ZooKeeper path: absolute, below `/`, without empty, `.` or `..` segments. */
export const zkPath = text('ZooKeeper path', 'a ZooKeeper path like "/zk-ensemble-exporter/canary"', (p) =>
  /^(\/[^/]+)+\/?$/.test(p) && !p.split('/').some((part) => part === '.' || part === '..')
    ? undefined
    : 'must be an absolute ZooKeeper path below "/" without ".", ".." or empty segments',
);

/** A file or directory path; relative paths are read from the working directory. */
export function path(what: 'file' | 'directory') {
  return text('path', `a ${what} path`, (written) => (written === '' ? `empty; expected a ${what} path` : undefined));
}

const HTTP_URL = 'an http:// or https:// URL';
const NOT_BASE = 'must be a base URL, without query or fragment';

/**
 * Why `written` is not an http(s) URL (`sayEmpty`: an empty one is said to be empty). Never repeats
 * the URL: a hook URL can hold a secret (many chat webhooks do), an Alertmanager URL a password.
 */
function urlProblem(written: string, sayEmpty = true): string | undefined {
  if (written === '' && sayEmpty) return `empty; expected ${HTTP_URL}`;
  if (!/^https?:\/\//i.test(written)) return 'must start with http:// or https://';
  return URL.canParse(written) ? undefined : 'is not a valid URL';
}

function credentialsProblem(written: string, hint = ''): string | undefined {
  const { username, password } = new URL(written);
  return username !== '' || password !== '' ? `must not contain a user name or password${hint}` : undefined;
}

/** A hook target's URL, kept as written. */
export const hookUrlSchema = text('URL', HTTP_URL, (w) => urlProblem(w) ?? credentialsProblem(w, '; put credentials in headers'));

/** A peer's base URL → `scheme://host[:port][/path]` without trailing slash. */
export const peerUrlSchema = text('URL', HTTP_URL, (written) => {
  const problem = urlProblem(written) ?? credentialsProblem(written) ?? (/[?#]/.test(written) ? NOT_BASE : undefined);
  if (problem !== undefined) return problem;
  const { protocol, host, pathname } = new URL(written);
  return { value: `${protocol}//${host}${pathname.replace(/\/+$/, '')}` };
});

/** An Alertmanager's base URL, kept as written; or (without `credentials`) this agent's, without trailing slashes. */
export function baseUrl(credentials: boolean) {
  return text('URL', HTTP_URL, (written) => {
    const problem = urlProblem(written, false) ?? (/[?#]/.test(written) ? NOT_BASE : undefined);
    if (problem !== undefined || credentials) return problem;
    return /^https?:\/\/[^/]*@/i.test(written) ? 'must not contain a user name or password' : { value: written.replace(/\/+$/, '') };
  });
}

/** Headers every request carries from the agent itself; a target cannot set them. */
const AGENT_HEADERS = ['Idempotency-Key', 'X-Zk-Signature'] as const;

/** Extra request headers: valid names (RFC 9110 tokens), once each ignoring case, none of the agent's own; values never echoed. */
export const headersSchema = z
  .record(z.string(), z.unknown(), { error: got('a mapping of header names to values') })
  .superRefine((headers, ctx) => {
    const seen = new Map<string, string>();
    for (const [header, value] of Object.entries(headers)) {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: [header] });
      const reserved = AGENT_HEADERS.find((h) => h.toLowerCase() === header.toLowerCase());
      const first = seen.get(header.toLowerCase());
      // What a value is, without showing it: header values are often credentials.
      const kind = value === null || typeof value === 'object' ? describeValue(value) : `a ${typeof value}`;
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) issue('is not a valid HTTP header name');
      else if (reserved !== undefined) issue(`${JSON.stringify(reserved)} is set by the agent on every request and cannot be configured`);
      else if (first !== undefined) issue(`duplicate header (also ${JSON.stringify(first)}; header names ignore case)`);
      else if (typeof value !== 'string') issue(`must be a string, got ${kind}; quote it`);
      else if (/[\r\n\0]/.test(value)) issue('must not contain line breaks or NUL characters');
      if (first === undefined) seen.set(header.toLowerCase(), header);
    }
  })
  .transform((headers) => headers as Record<string, string>)
  .meta({ type: 'mapping of strings' });

/** The message of what `parse` throws, if it throws. */
function thrownBy(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A JSON template, checked by rendering it (placeholders are filled with null, which cannot change its shape). */
export const templateSchema = text('string', 'a string holding a JSON template (quote it in YAML)', (written) =>
  thrownBy(() => renderTemplate(written, {}))?.replace(/^template:? /, ''),
);

const MATCHER_FORMS = 'label="value", label!="value", label=~"regex" or label!~"regex"';

/** An Alertmanager-style matcher, parsed as the receiver parses it. */
export const matcherSchema = text('matcher', MATCHER_FORMS, (written) => {
  const result = parseMatcher(written);
  if (result.ok) return undefined;
  const reason = result.reason.replace(`matcher ${JSON.stringify(written)}: `, '');
  if (reason.startsWith('expected ')) return `must be ${MATCHER_FORMS}, got ${JSON.stringify(written)}`;
  return `${JSON.stringify(written)}: ${reason.replace(/Invalid regular expression: \/.*\/[a-z]*: /, '')}`;
});

/** A cron expression of 5 fields (minute first) or 6 (second first), read by cron-parser as the maintenance windows read it. */
export const cronSchema = text('cron expression', 'a cron expression like "0 2 * * 0"', (written) => {
  const fields = written.trim() === '' ? 0 : written.trim().split(/\s+/).length;
  if (fields === 0) return 'empty; expected a cron expression like "0 2 * * 0"';
  // cron-parser also reads fewer fields (filling in the rest), which hides a forgotten one.
  if (fields !== 5 && fields !== 6) {
    return `${JSON.stringify(written)} has ${fields} field${fields === 1 ? '' : 's'}; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)`;
  }
  const reason = thrownBy(() => CronExpressionParser.parse(written, { tz: 'UTC' }))?.replace(/\.$/, '');
  return reason === undefined ? undefined : `${JSON.stringify(written)}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
});

/** An IANA time zone name (cron-parser reads zones through Intl). */
export const timezoneSchema = text('string', 'a time zone name like "UTC" or "Europe/Berlin"', (zone) =>
  zone !== '' && thrownBy(() => new Intl.DateTimeFormat('en-US', { timeZone: zone })) === undefined
    ? undefined
    : `${JSON.stringify(zone)} is not a known time zone; use an IANA name like "UTC" or "Europe/Berlin"`,
);

/** This agent's id among peers and in payloads. */
export const agentIdSchema = text('string', 'an id like "zk1-sidecar"', (id) => {
  if (id === '') return 'empty; expected an id like "zk1-sidecar"';
  return /^[\x21-\x7e]+$/.test(id) ? undefined : `must be printable ASCII without spaces, got ${JSON.stringify(id)}`;
});
