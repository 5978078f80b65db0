/**
 * The leaf values of the config as zod schemas, each with its exact messages: durations, addresses,
 * names, URLs, cron expressions, matchers and the rest. Objects that hold them are in `schema.ts`.
 */
import { CronTime } from 'cron';
import { z } from 'zod';
import { ALLOWED_COMMANDS, type CommandWord } from '../commands/index.js';
import { parseMatcher } from '../model/matchers.js';
import type { ServerTarget } from '../model/target.js';
import { renderTemplate } from '../model/template.js';
import { checkDuration, formatDuration } from '../model/duration.js';
import { checkHost, parseHostPort } from './hostport.js';
import { describeValue } from './problems.js';

/** Node.js timers overflow above 2^31-1 ms and then fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** `"a" or "b"` / `one of "a", "b", "c"` */
function choices(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 2 ? quoted.join(' or ') : `one of ${quoted.join(', ')}`;
}

/** One of a fixed set of strings. */
export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => `must be ${choices(values)}, got ${describeValue(iss.input)}` });
}

/** A list of `element`. */
export function listOf<S extends z.ZodType>(element: S) {
  return z.array(element, { error: (iss) => `must be a list, got ${describeValue(iss.input)}` });
}

/** A list in which no string appears twice: `duplicate <what> "item"` at the later one. */
export function uniqueListOf<S extends z.ZodType>(element: S, what: string) {
  return listOf(element).superRefine(
    (list, ctx) => {
      list.forEach((item, index) => {
        if (typeof item === 'string' && list.indexOf(item) !== index) {
          ctx.addIssue({ code: 'custom', message: `duplicate ${what} ${JSON.stringify(item)}`, path: [index], input: item });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );
}

/** An integer in [min, max]; the same message for every way of missing it. */
export function integer(min: number, max: number) {
  const error = (iss: { input?: unknown }) => `must be an integer from ${min} to ${max}, got ${describeValue(iss.input)}`;
  return z
    .number({ error })
    .int({ error })
    .min(min, { error })
    .max(max, { error })
    .meta({ type: `integer ${min}–${max}` });
}

/** `true` or `false`. */
export function boolean() {
  return z.boolean({ error: (iss) => `must be true or false, got ${describeValue(iss.input)}` }).meta({ type: 'boolean' });
}

/** A duration string (`500ms`, `5s`, `1m30s`, `2h`) → milliseconds that fit a Node.js timer; `positive` rejects zero. */
export function duration(positive = true) {
  return z
    .string({
      error: (iss) =>
        typeof iss.input === 'number'
          ? `${iss.input} has no unit (ms, s, m or h); did you mean "${iss.input}s"?`
          : `must be a duration like "500ms", "5s", "1m30s" or "2h", got ${describeValue(iss.input)}`,
    })
    .transform((text, ctx) => {
      const result = checkDuration(text);
      let message = result.ok ? undefined : result.message;
      if (result.ok && positive && result.ms === 0) message = 'must be greater than 0';
      if (result.ok && result.ms > MAX_TIMER_MS) {
        message = `must be at most ${formatDuration(MAX_TIMER_MS)}, the longest timer Node.js supports`;
      }
      if (message === undefined && result.ok) return result.ms;
      ctx.addIssue({ code: 'custom', message: message!, input: text });
      return z.NEVER;
    })
    .meta({ type: 'duration' });
}

/** `HOST:PORT` to listen on; port 0 lets the OS pick. */
export function listenAddress() {
  return z
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
    })
    .meta({ type: '`HOST:PORT`' });
}

/** A server written as the string `HOST:PORT` (IPv6 as `[::1]:2181`). */
export const serverStringSchema = z
  .string()
  .transform((text, ctx): ServerTarget => {
    const result = parseHostPort(text, 1);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message, input: text });
    return z.NEVER;
  })
  .meta({ type: '`HOST:PORT`' });

/** A hostname or IP address (IPv6 without brackets). */
export const hostSchema = z
  .string({ error: (iss) => `must be a hostname or IP address, got ${describeValue(iss.input)}` })
  .superRefine((host, ctx) => {
    const message = checkHost(host);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: host });
  })
  .meta({ type: 'string' });

/** Ensemble and target names: letters, digits, `_`, `.`, `-`. */
export const NAME = /^[a-zA-Z0-9_.-]+$/;

/** A name of letters, digits, `_`, `.` and `-` (a new schema each call: the docs registry keys on the instance). */
export function name() {
  return z
    .string({ error: (iss) => `must be a name, got ${describeValue(iss.input)}` })
    .regex(NAME, {
      error: (iss) => `must be made of letters, digits, "_", "." and "-", got ${describeValue(iss.input)}`,
    })
    .meta({ type: 'string' });
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
export function commands() {
  return uniqueListOf(z.enum(ALLOWED_COMMANDS, { error: (iss) => commandMessage(iss.input) }), 'command').transform(
    (list): CommandWord[] => ['srvr', ...list.filter((word) => word !== 'srvr')],
  );
}

/** A file or directory path; relative paths are read from the working directory. */
export function path(what: 'file' | 'directory') {
  return z
    .string({ error: (iss) => `must be a ${what} path, got ${describeValue(iss.input)}` })
    .min(1, { error: `empty; expected a ${what} path` })
    .meta({ type: 'path' });
}

const HTTP_URL = 'an http:// or https:// URL';

/** An http(s) URL. Messages never repeat the URL: a hook URL can hold a secret (many chat webhooks do). */
export function httpUrl(credentialsHint = '') {
  return z
    .string({ error: (iss) => `must be ${HTTP_URL}, got ${describeValue(iss.input)}` })
    .superRefine((text, ctx) => {
      let message: string | undefined;
      let url: URL | undefined;
      try {
        url = new URL(text);
      } catch {
        message = 'is not a valid URL';
      }
      if (text === '') message = `empty; expected ${HTTP_URL}`;
      else if (!/^https?:\/\//i.test(text)) message = 'must start with http:// or https://';
      else if (url !== undefined && (url.username !== '' || url.password !== '')) {
        message = `must not contain a user name or password${credentialsHint}`;
      }
      if (message !== undefined) ctx.addIssue({ code: 'custom', message });
    })
    .meta({ type: 'URL' });
}

/** A peer's base URL → `scheme://host[:port][/path]` without trailing slash. */
export const peerUrlSchema = httpUrl().transform((text, ctx) => {
  if (/[?#]/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'must be a base URL, without query or fragment' });
    return z.NEVER;
  }
  const { protocol, host, pathname } = new URL(text);
  return `${protocol}//${host}${pathname.replace(/\/+$/, '')}`;
});

/** Headers every request carries from the agent itself; a target cannot set them. */
export const AGENT_HEADERS = ['Idempotency-Key', 'X-Zk-Signature'] as const;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What a value is, without showing it (header values are often credentials). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** Extra request headers: valid names, once each ignoring case, none of the agent's own; values never echoed. */
export const headersSchema = z
  .record(z.string(), z.unknown(), { error: (iss) => `must be a mapping of header names to values, got ${describeValue(iss.input)}` })
  .superRefine((headers, ctx) => {
    const seen = new Map<string, string>();
    for (const [header, value] of Object.entries(headers)) {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: [header] });
      const reserved = AGENT_HEADERS.find((h) => h.toLowerCase() === header.toLowerCase());
      const first = seen.get(header.toLowerCase());
      if (!HEADER_NAME.test(header)) issue('is not a valid HTTP header name');
      else if (reserved !== undefined) issue(`${JSON.stringify(reserved)} is set by the agent on every request and cannot be configured`);
      else if (first !== undefined) issue(`duplicate header (also ${JSON.stringify(first)}; header names ignore case)`);
      else if (typeof value !== 'string') issue(`must be a string, got ${kindOf(value)}; quote it`);
      else if (/[\r\n\0]/.test(value)) issue('must not contain line breaks or NUL characters');
      if (first === undefined) seen.set(header.toLowerCase(), header);
    }
  })
  .transform((headers) => headers as Record<string, string>)
  .meta({ type: 'mapping of strings' });

/** A JSON template, checked by rendering it (placeholders are filled with null, which cannot change its shape). */
export const templateSchema = z
  .string({ error: (iss) => `must be a string holding a JSON template (quote it in YAML), got ${describeValue(iss.input)}` })
  .superRefine((text, ctx) => {
    try {
      renderTemplate(text, {});
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^template:? /, '') });
    }
  })
  .meta({ type: 'string' });

const MATCHER_FORMS = 'label="value", label!="value", label=~"regex" or label!~"regex"';

/** An Alertmanager-style matcher, parsed as the receiver parses it. */
export const matcherSchema = z
  .string({ error: (iss) => `must be ${MATCHER_FORMS}, got ${describeValue(iss.input)}` })
  .superRefine((text, ctx) => {
    const result = parseMatcher(text);
    if (result.ok) return;
    const reason = result.reason.replace(`matcher ${JSON.stringify(text)}: `, '');
    const message = reason.startsWith('expected ')
      ? `must be ${MATCHER_FORMS}, got ${JSON.stringify(text)}`
      : `${JSON.stringify(text)}: ${reason.replace(/Invalid regular expression: \/.*\/[a-z]*: /, '')}`;
    ctx.addIssue({ code: 'custom', message, input: text });
  })
  .meta({ type: 'matcher' });

const CRON_EXAMPLE = '"0 2 * * 0"';

/** Why `text` is not a cron expression of 5 fields (minute first) or 6 (second first) that matches a date. */
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
    const reason = (error as Error).message;
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

/** A cron expression, read with the `cron` package as the maintenance windows read it. */
export const cronSchema = z
  .string({ error: (iss) => `must be a cron expression like ${CRON_EXAMPLE}, got ${describeValue(iss.input)}` })
  .superRefine((text, ctx) => {
    const message = cronProblem(text);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: text });
  })
  .meta({ type: 'cron expression' });

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
  })
  .meta({ type: 'string' });

/** This agent's id among peers and in payloads. */
export const agentIdSchema = z
  .string({ error: (iss) => `must be an id like "zk1-sidecar", got ${describeValue(iss.input)}` })
  .min(1, { error: 'empty; expected an id like "zk1-sidecar"' })
  .regex(/^[\x21-\x7e]+$/, { error: (iss) => `must be printable ASCII without spaces, got ${describeValue(iss.input)}` })
  .meta({ type: 'string' });
