/**
 * The whole configuration as one zod schema over the merged input (flags, env, file): strict
 * objects (unknown keys rejected at every level), each field's default and description declared
 * once here, checks that span fields, and transforms to the shapes the agent reads (durations in
 * milliseconds, servers parsed). `reference.ts` renders the documentation from these declarations.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { ALLOWED_COMMANDS, DEFAULT_COMMANDS } from '../commands/index.js';
import { HOOK_EVENTS } from '../model/hook-events.js';
import type { ServerTarget } from '../model/target.js';
import { formatDuration } from '../model/duration.js';
import { formatHostPort } from './hostport.js';
import { closest, describeValue, isMapping, type PathSegment } from './problems.js';
import {
  agentIdSchema,
  boolean,
  commands,
  cronSchema,
  duration,
  enumOf,
  headersSchema,
  hostSchema,
  hookUrlSchema,
  integer,
  listenAddress,
  listOf,
  matcherSchema,
  name,
  path,
  peerUrlSchema,
  serverStringSchema,
  templateSchema,
  timezoneSchema,
  uniqueListOf,
} from './values.js';

/** What each config field means, by its path (list items as `[]`): the reference, the README and the flags' help read it. */
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  listen: 'Address of the HTTP server (`/metrics`). IPv6 as `[::1]:9141`; port 0 picks a free port.',
  interval: 'How often every node is polled.',
  timeout: 'Deadline for one command to one node, connect and read together. Must be less than `interval`.',
  maxReplyBytes: 'Largest reply read from a node; a longer one is cut and counted as `too_large`.',
  concurrency: 'Most node polls in flight at once, across all ensembles.',
  log: 'Logging.',
  'log.level': 'Least severe level written.',
  'log.format': '`json`: one object per line. `pretty`: coloured text for people.',
  compat: '`dabealu`: also export the `zk_*` series of dabealu/zookeeper-exporter, for existing dashboards.',
  ensembles:
    'The ensembles to watch. Ensembles from `--ensemble` or `ZK_EXPORTER_ENSEMBLES` replace file ensembles of the same name. At least one ensemble is needed in all.',
  'ensembles[].name': 'Unique name, used as the `ensemble` label. Letters, digits, `_`, `.`, `-`.',
  'ensembles[].servers': 'The nodes: `"HOST:PORT"` strings (IPv6 as `"[::1]:2181"`) or `{host, port, adminPort}` mappings. No duplicates.',
  'ensembles[].servers[].host': 'Hostname or IP address (IPv6 without brackets).',
  'ensembles[].servers[].port': 'Client port, where the four-letter words are sent.',
  'ensembles[].servers[].adminPort': "This server's AdminServer HTTP port; overrides the ensemble's `adminPort`.",
  'ensembles[].transport':
    '`fourletter`: four-letter words over TCP, falling back to the AdminServer for a word the whitelist refuses when an admin port is known. `admin`: AdminServer only (every server then needs an admin port).',
  'ensembles[].adminPort': 'AdminServer HTTP port for servers that do not set their own.',
  'ensembles[].commands': `Words polled; \`srvr\` is always polled, \`conf\` only every \`confInterval\` (it gives server ids and the voting membership). Allowed: ${ALLOWED_COMMANDS.map((c) => `\`${c}\``).join(', ')}. Never \`srst\`, \`crst\`, \`stmk\` or \`kill\`.`,
  'ensembles[].confInterval': 'How often `conf` is re-read (it is also read after a node comes back).',
  'ensembles[].canary':
    'Write canary (opt-in): through one session per node, writes a znode and reads it back every `interval`, proving that writes commit (see README, *Write canary*). `--canary-path` turns it on for flag and env ensembles.',
  'ensembles[].canary.path':
    'Parent of the canary znodes (`<path>/<agentId>@<host:port>`, ephemeral), created when missing; below the chroot when there is one.',
  'ensembles[].canary.interval': 'Time from one canary round to the next.',
  'ensembles[].canary.timeout': 'Deadline of each step of a probe (connect, create, write, read). At most `interval`.',
  'ensembles[].canary.authFile':
    'File holding `user:password` (digest scheme) on one line; the canary znodes then get an ACL for that user alone. Never logged.',
  'ensembles[].canary.chroot': 'Chroot of the canary sessions (e.g. `/kafka`); it must exist.',
  hooks:
    'Failover hooks: signed HTTP calls when quorum is at risk, lost or restored, the leader changes, and more, and Alertmanager alerts forwarded to them. See docs/webhooks.md.',
  'hooks.stateDir':
    'Directory of the durable outbox and the audit trail (mode 0700). Required when there are targets, unless `dryRun`. One per agent.',
  'hooks.dryRun': 'Decide and record every hook call, but send nothing.',
  'hooks.agentId': "This agent's id in payloads and among peers.",
  'hooks.secretFiles':
    'Files of one signing secret each; the first secret signs. `--hook-secret-file` adds files; secrets in `ZK_EXPORTER_HOOK_SECRETS` come after them.',
  'hooks.targets': 'Where hooks are sent. `--hook-url` and `--alert-hook-url` add targets.',
  'hooks.targets[].name': 'Unique name that rules and routes refer to. Letters, digits, `_`, `.`, `-`.',
  'hooks.targets[].url':
    'Where the signed JSON is POSTed: `http://` or `https://`, without user or password (use `headers`). Never logged.',
  'hooks.targets[].timeout': 'Deadline of one attempt.',
  'hooks.targets[].maxAge': 'A call still undelivered this long after it was decided is dead-lettered.',
  'hooks.targets[].concurrency': 'Most calls in flight to this target at once.',
  'hooks.targets[].backoff': 'Delays between attempts: full jitter, doubling from `initial` up to `max`.',
  'hooks.targets[].backoff.initial': 'Upper bound of the first retry delay; doubles with each retry. At most `max`.',
  'hooks.targets[].backoff.max': 'Largest retry delay; also caps a `Retry-After` answer.',
  'hooks.targets[].template':
    'JSON sent instead of the standard body, its `{{path.to.field}}` placeholders filled from that body (see docs/webhooks.md); checked when the config is loaded.',
  'hooks.targets[].headers':
    "Extra request headers, e.g. `Authorization`; values are never logged. `Idempotency-Key` and `X-Zk-Signature` are the agent's own.",
  'hooks.rules': 'When to call which target. `--hook-url` adds rules for `quorum_at_risk`, `quorum_lost` and `quorum_restored`.',
  'hooks.rules[].event':
    'The condition: quorum at risk (one more loss loses it), lost, or restored; a new leader; more than one leader; an election lasting longer than `electionTooLong`.',
  'hooks.rules[].hook': 'Name of the target to call.',
  'hooks.rules[].ensembles': 'Ensembles the rule watches; unset: every ensemble.',
  'hooks.rules[].for': 'How long the condition must hold before the hook is called.',
  'hooks.rules[].cooldown':
    'After a call, no other call for the same target, ensemble and event for this long (nor while one is still being delivered).',
  'hooks.rules[].fireOnStartup': 'Also call for a condition already true when the agent starts or reloads.',
  'hooks.rules[].electionTooLong': 'How long an election may last. Required for `election_too_long`, not allowed for other events.',
  'hooks.alertmanager': 'The Alertmanager webhook receiver.',
  'hooks.alertmanager.routes':
    'Every firing alert Alertmanager posts to the receiver is forwarded once, signed, to the target of each route that matches it. Routes need `receiverTokenFiles`. `--alert-hook-url` adds a route for every alert.',
  'hooks.alertmanager.routes[].hook': 'Name of the target to call.',
  'hooks.alertmanager.routes[].matchers':
    'Alertmanager-style matchers that must all match the alert\'s labels: `label="value"`, `label!="value"`, `label=~"regex"`, `label!~"regex"` (regexes anchored). None: every alert.',
  'hooks.alertmanager.routes[].sendResolved': 'Also forward alerts when they resolve.',
  'hooks.maintenance': 'Recurring windows during which hooks for their ensembles are recorded as suppressed instead of sent.',
  'hooks.maintenance[].cron': 'When each window starts: 5 cron fields (minute first) or 6 (second first).',
  'hooks.maintenance[].duration': 'How long each window lasts.',
  'hooks.maintenance[].ensembles': 'Ensembles it covers; unset: every ensemble (and alerts).',
  'hooks.maintenance[].timezone': 'IANA time zone the cron fields are read in.',
  'hooks.peers':
    'Base URLs (`http://zk2-sidecar:9141`) of the other agents watching the same ensembles; a hook fires when most agents see the incident, sent by one of them.',
  'hooks.peerTimeout': 'Deadline for asking a peer. Must be less than `interval`.',
  'hooks.receiverTokenFiles':
    'Files of one bearer token each, required on the Alertmanager receiver and every changing hooks API call. `--receiver-token-file` adds files.',
  'hooks.adminListen': 'Separate `HOST:PORT` for the receiver and the hooks API; unset: they are served on `listen`.',
  'hooks.maxBodyBytes': 'Largest request body the receiver and the hooks API read.',
};

/** Defaults the code computes instead of declaring them, as the reference shows them. */
export const SHOWN_DEFAULTS: Readonly<Record<string, string>> = {
  'ensembles[].canary.interval': 'the poll `interval`',
  'hooks.agentId': '`<hostname>:<listen port>`',
  'hooks.maintenance[].timezone': '`UTC`',
};

/** A path into the config, relative to the object a check is attached to; `'*'` matches any list index. */
type Path = readonly PathSegment[];

/** What a check puts on its issues for the formatter: paths relative to the issue's own path minus `depth` segments. */
export interface CheckParams {
  depth: number;
  /** The earlier value this one duplicates; the formatter appends `(also <where>)`. */
  also?: Path;
  /** Where to point instead when the issue's own field was left to its default and this one was given. */
  or?: Path;
}

/** Reports problems at fields of the object a check runs on, and tells which fields parsed cleanly. */
interface Checker {
  ok(...path: Path): boolean;
  report(path: Path, message: string, extra?: Omit<CheckParams, 'depth'>): void;
}

function overlaps(a: readonly PropertyKey[], b: Path): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i] && b[i] !== '*') return false;
  return true;
}

/** Adds a check over several fields that runs even when others failed (so one bad field never hides another). */
function checked<S extends z.ZodType>(schema: S, check: (value: z.output<S>, c: Checker) => void): S {
  return schema.superRefine(
    (value, ctx) => {
      const earlier = [...ctx.issues];
      check(value, {
        ok: (...path) => !earlier.some((issue) => overlaps(issue.path ?? [], path)),
        report: (path, message, extra = {}) =>
          ctx.addIssue({ code: 'custom', message, path: [...path], params: { depth: path.length, ...extra } }),
      });
    },
    // Only when the value is a mapping at all.
    { when: (payload) => !payload.issues.some((issue) => (issue.path?.length ?? 0) === 0 && issue.code === 'invalid_type') },
  );
}

/** `[[i, item], …]` of the items of a list whose `suffix` parsed cleanly (the whole item when empty). */
function cleanItems<T>(list: unknown, c: Checker, at: Path, suffix: Path = []): Array<[number, T]> {
  if (!Array.isArray(list)) return [];
  return (list as T[]).flatMap((item, i): Array<[number, T]> => (c.ok(...at, i, ...suffix) ? [[i, item]] : []));
}

/** Reports each item whose key an earlier item already has, at `[...at, i, ...suffix]`. */
function reportDuplicates<T>(
  items: Array<[number, T]>,
  key: (item: T) => string,
  c: Checker,
  at: Path,
  suffix: Path,
  message: (item: T) => string,
): void {
  const first = new Map<string, number>();
  for (const [i, item] of items) {
    const seen = first.get(key(item));
    if (seen === undefined) first.set(key(item), i);
    else c.report([...at, i, ...suffix], message(item), { also: [...at, seen] });
  }
}

/** All items of a list, when it is a list and each item's `suffix` parsed cleanly. */
function allClean<T>(list: unknown, c: Checker, at: Path, suffix: Path = []): T[] | undefined {
  const items = cleanItems<T>(list, c, at, suffix);
  return Array.isArray(list) && items.length === list.length ? items.map(([, item]) => item) : undefined;
}

/** `unknown target "x"; did you mean "y"?` */
function unknownName(what: 'target' | 'ensemble', given: string, names: readonly string[]): string {
  const shown = `unknown ${what} ${JSON.stringify(given)}`;
  if (names.length === 0) return `${shown}; no ${what}s are configured`;
  const guess = closest(given, names);
  return guess === undefined ? `${shown}; ${what}s: ${names.join(', ')}` : `${shown}; did you mean ${JSON.stringify(guess)}?`;
}

/** A mapping with exactly these keys (unknown keys are reported by the formatter, with a suggestion). */
function mapping<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'invalid_type' ? `must be a mapping, got ${describeValue(iss.input)}` : undefined),
  });
}

/** `Some` of a value that may be absent: `{}` or `{ [key]: value }`, so absent keys stay absent. */
function some<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---- ensembles ---------------------------------------------------------------------------------

/** Transports an ensemble can use. */
const TRANSPORTS = ['fourletter', 'admin'] as const;

/** A server written as a mapping, which can also carry its own AdminServer port. */
const serverObjectSchema = mapping({
  host: hostSchema,
  port: integer(1, 65535),
  adminPort: integer(1, 65535).optional(),
});

/** One server: `"HOST:PORT"` or `{host, port, adminPort}`. */
const serverSchema = z.union([serverStringSchema, serverObjectSchema], {
  error: (iss) => `must be "HOST:PORT" or a mapping with host, port and optional adminPort, got ${describeValue(iss.input)}`,
});

/** A ZooKeeper path: absolute, below `/`, without empty, `.` or `..` segments. */
function zkPath() {
  return z
    .string({ error: (iss) => `must be a ZooKeeper path like "/zk-ensemble-exporter/canary", got ${describeValue(iss.input)}` })
    .refine((p) => /^(\/[^/]+)+\/?$/.test(p) && !p.split('/').some((part) => part === '.' || part === '..'), {
      error: 'must be an absolute ZooKeeper path below "/" without ".", ".." or empty segments',
    })
    .meta({ type: 'ZooKeeper path' });
}

/** The write canary of one ensemble; `intervalMs` absent means the agent's poll interval. */
const canarySchema = checked(
  mapping({
    path: zkPath(),
    interval: duration().optional(),
    timeout: duration().prefault('1s'),
    authFile: path('file').optional(),
    chroot: zkPath().optional(),
  }),
  (canary, c) => {
    if (c.ok('timeout') && c.ok('interval') && canary.interval !== undefined && canary.timeout > canary.interval) {
      c.report(
        ['timeout'],
        `timeout (${formatDuration(canary.timeout)}) must not be more than interval (${formatDuration(canary.interval)})`,
        {
          or: ['interval'],
        },
      );
    }
  },
).transform(({ interval, timeout, ...canary }) => ({
  path: canary.path,
  ...some('intervalMs', interval),
  timeoutMs: timeout,
  ...some('authFile', canary.authFile),
  ...some('chroot', canary.chroot),
}));

/** Message for an ensemble without servers. */
const NO_SERVERS = 'at least one server is required';

/** One ensemble in the file (also what `--ensemble` and `ZK_EXPORTER_ENSEMBLES` entries become). */
export const ensembleSchema = checked(
  mapping({
    name: name(),
    servers: listOf(serverSchema).min(1, { error: NO_SERVERS }),
    transport: enumOf(TRANSPORTS).prefault('fourletter'),
    adminPort: integer(1, 65535).optional(),
    commands: commands().prefault(DEFAULT_COMMANDS),
    confInterval: duration().prefault('1m'),
    canary: canarySchema.optional(),
  }),
  (ensemble, c) => {
    const servers = cleanItems<ServerTarget>(ensemble.servers, c, ['servers']);
    reportDuplicates(
      servers,
      (s) => `${s.host.toLowerCase()}:${s.port}`,
      c,
      ['servers'],
      [],
      (s) => `duplicate server "${formatHostPort(s.host, s.port)}"`,
    );
    if (!c.ok('transport') || ensemble.transport !== 'admin' || !c.ok('adminPort') || ensemble.adminPort !== undefined) return;
    const lacking = servers.filter(([, s]) => s.adminPort === undefined);
    if (lacking.length > 0 && lacking.length === servers.length) {
      c.report(['adminPort'], 'is required by transport "admin" unless every server sets its own adminPort');
    } else {
      for (const [i] of lacking) c.report(['servers', i], 'needs an adminPort: transport is "admin" and the ensemble sets no adminPort');
    }
  },
).transform(({ adminPort, confInterval, ...ensemble }) => ({
  name: ensemble.name,
  servers: ensemble.servers.map((s): ServerTarget => (s.adminPort === undefined && adminPort !== undefined ? { ...s, adminPort } : s)),
  transport: ensemble.transport,
  commands: ensemble.commands,
  confIntervalMs: confInterval,
  ...some('canary', ensemble.canary),
}));

/** Log levels pino knows. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const logSchema = mapping({
  level: enumOf(LOG_LEVELS).prefault('info'),
  format: enumOf(['json', 'pretty']).prefault('json'),
});

// ---- hooks -------------------------------------------------------------------------------------

/** The event whose rules need (and only whose rules may set) `electionTooLong`. */
const ELECTION_TOO_LONG = 'election_too_long';

const backoffSchema = checked(
  mapping({
    initial: duration().prefault('1s'),
    max: duration().prefault('1m'),
  }),
  (backoff, c) => {
    if (c.ok('initial') && c.ok('max') && backoff.initial > backoff.max) {
      c.report(['initial'], `initial (${formatDuration(backoff.initial)}) must not be more than max (${formatDuration(backoff.max)})`, {
        or: ['max'],
      });
    }
  },
);

const hookTargetSchema = mapping({
  name: name(),
  url: hookUrlSchema,
  timeout: duration().prefault('5s'),
  maxAge: duration().prefault('1h'),
  concurrency: integer(1, 100).prefault(2),
  backoff: backoffSchema.prefault({}),
  template: templateSchema.optional(),
  headers: headersSchema.optional(),
}).transform((t) => ({
  name: t.name,
  url: t.url,
  timeoutMs: t.timeout,
  maxAgeMs: t.maxAge,
  concurrency: t.concurrency,
  initialBackoffMs: t.backoff.initial,
  maxBackoffMs: t.backoff.max,
  ...some('template', t.template),
  ...some('headers', t.headers),
}));

const hookRuleSchema = checked(
  mapping({
    event: enumOf(HOOK_EVENTS),
    hook: name(),
    ensembles: uniqueListOf(name(), 'ensemble').meta({ type: 'list of names' }).optional(),
    for: duration(false).prefault('0s'),
    cooldown: duration(false).prefault('5m'),
    fireOnStartup: boolean().prefault(false),
    electionTooLong: duration().optional(),
  }),
  (rule, c) => {
    if (!c.ok('event') || !c.ok('electionTooLong')) return;
    if (rule.event === ELECTION_TOO_LONG && rule.electionTooLong === undefined) {
      c.report(['electionTooLong'], `is required for event "${ELECTION_TOO_LONG}": how long an election may last`);
    } else if (rule.event !== ELECTION_TOO_LONG && rule.electionTooLong !== undefined) {
      c.report(['electionTooLong'], `applies only to event "${ELECTION_TOO_LONG}", not "${rule.event}"`);
    }
  },
).transform((r) => ({
  event: r.event,
  hook: r.hook,
  ...some('ensembles', r.ensembles),
  forMs: r.for,
  cooldownMs: r.cooldown,
  fireOnStartup: r.fireOnStartup,
  ...some('electionTooLongMs', r.electionTooLong),
}));

const alertRouteSchema = mapping({
  hook: name(),
  matchers: listOf(matcherSchema).prefault([]),
  sendResolved: boolean().prefault(false),
});

const maintenanceWindowSchema = mapping({
  cron: cronSchema,
  duration: duration(),
  ensembles: uniqueListOf(name(), 'ensemble').meta({ type: 'list of names' }).optional(),
  timezone: timezoneSchema.optional(),
}).transform((w) => ({ cron: w.cron, durationMs: w.duration, ...some('ensembles', w.ensembles), ...some('timezone', w.timezone) }));

const hooksSchema = checked(
  mapping({
    stateDir: path('directory').optional(),
    dryRun: boolean().prefault(false),
    agentId: agentIdSchema.optional(),
    secretFiles: uniqueListOf(path('file'), 'file').prefault([]),
    targets: listOf(hookTargetSchema).prefault([]),
    rules: listOf(hookRuleSchema).prefault([]),
    alertmanager: mapping({ routes: listOf(alertRouteSchema).prefault([]) }).prefault({}),
    maintenance: listOf(maintenanceWindowSchema).prefault([]),
    peers: uniqueListOf(peerUrlSchema, 'peer').prefault([]),
    peerTimeout: duration().prefault('1s'),
    receiverTokenFiles: uniqueListOf(path('file'), 'file').prefault([]),
    adminListen: listenAddress().optional(),
    maxBodyBytes: integer(1024, 1_073_741_824).prefault(1_048_576),
  }),
  (hooks, c) => {
    reportDuplicates(
      cleanItems<{ name: string }>(hooks.targets, c, ['targets'], ['name']),
      (t) => t.name,
      c,
      ['targets'],
      ['name'],
      (t) => `duplicate target name ${JSON.stringify(t.name)}`,
    );
    const names = allClean<{ name: string }>(hooks.targets, c, ['targets'], ['name'])?.map((t) => t.name);
    for (const [at, list] of [
      [['rules'], hooks.rules],
      [['alertmanager', 'routes'], hooks.alertmanager?.routes],
    ] as const) {
      for (const [i, { hook }] of cleanItems<{ hook: string }>(list, c, at, ['hook'])) {
        if (names !== undefined && !names.includes(hook)) c.report([...at, i, 'hook'], unknownName('target', hook, names));
      }
    }
    if (
      c.ok('stateDir') &&
      c.ok('dryRun') &&
      hooks.stateDir === undefined &&
      !hooks.dryRun &&
      Array.isArray(hooks.targets) &&
      hooks.targets.length > 0
    ) {
      c.report(
        ['stateDir'],
        'a state dir is required for hook targets (the outbox lives there): set hooks.stateDir in the config file, or give --state-dir or ZK_EXPORTER_STATE_DIR; or turn on dry run',
      );
    }
    const routes: unknown = hooks.alertmanager?.routes;
    if (c.ok('receiverTokenFiles') && hooks.receiverTokenFiles.length === 0 && Array.isArray(routes) && routes.length > 0) {
      c.report(
        ['receiverTokenFiles'],
        'a receiver token is required for alert routes (only Alertmanager may post alerts): list token files under hooks.receiverTokenFiles in the config file, or give --receiver-token-file',
      );
    }
  },
);

// ---- the whole config --------------------------------------------------------------------------

/** Compatibility series sets. */
const COMPAT_MODES = ['dabealu'] as const;

/** The whole configuration, as the YAML file writes it (flags and env are merged in before parsing). Keys are camelCase. */
const configObject = mapping({
  listen: listenAddress().prefault('0.0.0.0:9141'),
  interval: duration().prefault('5s'),
  timeout: duration().prefault('2s'),
  maxReplyBytes: integer(1024, 1_073_741_824).prefault(1_048_576),
  concurrency: integer(1, 10_000).prefault(64),
  log: logSchema.prefault({}),
  compat: uniqueListOf(enumOf(COMPAT_MODES), 'value').prefault([]),
  ensembles: listOf(ensembleSchema).prefault([]),
  hooks: hooksSchema.optional(),
});

/** The whole configuration, as the YAML file writes it (flags and env are merged in before parsing). Keys are camelCase. */
export const configSchema = checked(configObject, (config, c) => {
  const ensembles = cleanItems<{ name: string }>(config.ensembles, c, ['ensembles'], ['name']);
  reportDuplicates(
    ensembles,
    (e) => e.name,
    c,
    ['ensembles'],
    ['name'],
    (e) => `duplicate ensemble name ${JSON.stringify(e.name)}`,
  );
  if (Array.isArray(config.ensembles) && config.ensembles.length === 0) {
    c.report(
      ['ensembles'],
      'at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ZK_EXPORTER_ENSEMBLES',
    );
  }
  if (c.ok('timeout') && c.ok('interval') && config.timeout >= config.interval) {
    c.report(['timeout'], `timeout (${formatDuration(config.timeout)}) must be less than interval (${formatDuration(config.interval)})`, {
      or: ['interval'],
    });
  }
  if (!isMapping(config.hooks)) return;
  const names = allClean<{ name: string }>(config.ensembles, c, ['ensembles'], ['name'])?.map((e) => e.name);
  for (const list of ['rules', 'maintenance'] as const) {
    for (const [i, item] of cleanItems<{ ensembles?: string[] }>(config.hooks[list], c, ['hooks', list], ['ensembles'])) {
      item.ensembles?.forEach((ensemble, j) => {
        if (names !== undefined && !names.includes(ensemble))
          c.report(['hooks', list, i, 'ensembles', j], unknownName('ensemble', ensemble, names));
      });
    }
  }
  checkSelf(config, config.hooks, c);
}).transform(({ interval, timeout, hooks, ...config }) => ({
  ensembles: config.ensembles,
  listen: config.listen,
  intervalMs: interval,
  timeoutMs: timeout,
  maxReplyBytes: config.maxReplyBytes,
  concurrency: config.concurrency,
  log: config.log,
  compat: config.compat,
  ...some(
    'hooks',
    hooks && {
      ...some('stateDir', hooks.stateDir),
      dryRun: hooks.dryRun,
      agentId: hooks.agentId ?? defaultAgentId(config.listen.port),
      secretFiles: hooks.secretFiles,
      targets: hooks.targets,
      rules: hooks.rules,
      alertRoutes: hooks.alertmanager.routes,
      maintenance: hooks.maintenance,
      peers: hooks.peers,
      peerTimeoutMs: hooks.peerTimeout,
      receiverTokenFiles: hooks.receiverTokenFiles,
      ...some('adminListen', hooks.adminListen),
      maxBodyBytes: hooks.maxBodyBytes,
    },
  ),
}));

function defaultAgentId(listenPort: number): string {
  return `${hostname()}:${listenPort}`;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);
const LOOPBACKS = ['localhost', '127.0.0.1', '[::1]'];

/** Peers that are this agent (by its id or its listen addresses), `peerTimeout` below `interval`, `adminListen` apart from `listen`. */
function checkSelf(config: z.output<typeof configObject>, hooks: NonNullable<z.output<typeof configObject>['hooks']>, c: Checker): void {
  const listen = c.ok('listen') ? config.listen : undefined;
  const adminListen = c.ok('hooks', 'adminListen') ? hooks.adminListen : undefined;
  if (adminListen && listen && adminListen.port !== 0 && adminListen.port === listen.port) {
    if (WILDCARDS.has(adminListen.host) || WILDCARDS.has(listen.host) || adminListen.host.toLowerCase() === listen.host.toLowerCase()) {
      c.report(
        ['hooks', 'adminListen'],
        `uses the port of listen (${formatHostPort(listen.host, listen.port)}); pick another port, or leave adminListen unset to serve the receiver and the hooks API on listen`,
      );
    }
  }
  if (!c.ok('hooks', 'peers') || hooks.peers.length === 0) return;
  if (c.ok('hooks', 'peerTimeout') && c.ok('interval') && hooks.peerTimeout >= config.interval) {
    c.report(
      ['hooks', 'peerTimeout'],
      `peerTimeout (${formatDuration(hooks.peerTimeout)}) must be less than interval (${formatDuration(config.interval)})`,
      {
        or: ['interval'],
      },
    );
  }
  const own = new Map<string, string>();
  for (const [label, address] of [
    ['listen', listen],
    ['adminListen', adminListen],
  ] as const) {
    if (address === undefined || address.port === 0) continue;
    // As URL.hostname writes them: lower case, IPv6 in brackets.
    const hosts = WILDCARDS.has(address.host)
      ? [...LOOPBACKS, hostname().toLowerCase()]
      : [address.host.includes(':') ? `[${address.host.toLowerCase()}]` : address.host.toLowerCase()];
    for (const host of hosts) if (!own.has(`${host}:${address.port}`)) own.set(`${host}:${address.port}`, `the address of ${label}`);
  }
  // A given id that is invalid stays unknown rather than falling back to the default.
  const id = hooks.agentId === undefined ? listen && defaultAgentId(listen.port) : c.ok('hooks', 'agentId') ? hooks.agentId : undefined;
  if (id !== undefined && !own.has(id.toLowerCase()))
    own.set(id.toLowerCase(), hooks.agentId === undefined ? 'its default agentId' : 'its agentId');
  hooks.peers.forEach((peer, i) => {
    const url = new URL(peer);
    const peerPort = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const why = own.get(`${url.hostname.toLowerCase()}:${peerPort}`);
    if (why !== undefined) c.report(['hooks', 'peers', i], `is this agent itself (${why}); list only the other agents`);
  });
}

// ---- looking up declarations by path -----------------------------------------------------------

/** The schema one wrapper (optional, default, transform) further in; undefined at the innermost. */
export function unwrap(schema: z.ZodType): z.ZodType | undefined {
  const def = schema.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  return def.type === 'pipe' ? def.in : ['optional', 'prefault', 'default'].includes(def.type) ? def.innerType : undefined;
}

/** The schema under every wrapper: the one that sees the input. */
export function inner(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let next = unwrap(s); next !== undefined; next = unwrap(s)) s = next;
  return s;
}

/** The mapping a list's items may be (the mapping option of a union of a string and a mapping). */
export function itemObject(list: z.ZodType): z.ZodObject | undefined {
  const item = inner((inner(list) as z.ZodArray).element as z.ZodType);
  if (item.def.type === 'object') return item as z.ZodObject;
  if (item.def.type !== 'union') return undefined;
  return (item as z.ZodUnion).options.map((o) => inner(o as z.ZodType)).find((o): o is z.ZodObject => o.def.type === 'object');
}

/** The field schema (with its default) at a path of the config, e.g. `['hooks', 'targets', 0, 'url']`. */
export function fieldAt(at: Path): z.ZodType | undefined {
  let field: z.ZodType = configSchema;
  for (const segment of at) {
    const s = inner(field);
    if (typeof segment === 'number' && s.def.type === 'array') field = (s as z.ZodArray).element as z.ZodType;
    else if (typeof segment === 'string' && s.def.type === 'object') field = (s as z.ZodObject).shape[segment] as z.ZodType;
    else if (typeof segment === 'string' && s.def.type === 'union') field = itemObject(z.array(s))?.shape[segment] as z.ZodType;
    else return undefined;
    if (field === undefined) return undefined;
  }
  return field;
}

/** The keys a mapping at `at` may have (for suggestions on unknown keys). */
export function keysAt(at: Path): string[] {
  const field = fieldAt(at);
  if (field === undefined) return [];
  const s = inner(field);
  if (s.def.type === 'object') return Object.keys((s as z.ZodObject).shape);
  return s.def.type === 'union' ? Object.keys(itemObject(z.array(s))?.shape ?? {}) : [];
}
