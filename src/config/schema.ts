/**
 * The whole configuration as one zod schema over the merged input (flags, env, file): strict
 * objects (unknown keys rejected at every level), each field's default and description declared
 * once on the field, checks that span fields, and transforms to the shapes the agent reads
 * (durations in milliseconds, servers parsed). `reference.ts` renders the documentation from them.
 */
import { hostname } from 'node:os';
import { optional, prefault, z } from 'zod';
import { ALLOWED_COMMANDS, DEFAULT_COMMANDS } from '../commands/index.js';
import { MNTR_PRESETS } from '../commands/mntr-budget.js';
import { formatDuration } from '../model/duration.js';
import { HOOK_EVENTS } from '../model/hook-events.js';
import { serverLabel, type ServerTarget } from '../model/target.js';
import { isMapping, suggest, type Path } from './problems.js';
import * as v from './values.js';

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

/** Adds a check over several fields that runs even when others failed (so one bad field never hides another). */
function checked<S extends z.ZodType>(schema: S, check: (value: z.output<S>, c: Checker) => void): S {
  return schema.superRefine(
    (value, ctx) => {
      const earlier = [...ctx.issues];
      const overlaps = (a: readonly PropertyKey[], b: Path) => a.slice(0, b.length).every((s, i) => s === b[i]);
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

/** Reports `duplicate <what> "<key>"` at each clean item whose key an earlier one already has, pointing back at the first. */
function reportDuplicates<T>(c: Checker, list: unknown, at: Path, suffix: Path, what: string, key: (item: T) => string, shown = key) {
  const first = new Map<string, number>();
  for (const [i, item] of cleanItems<T>(list, c, at, suffix)) {
    const seen = first.get(key(item));
    if (seen === undefined) first.set(key(item), i);
    else c.report([...at, i, ...suffix], `duplicate ${what} ${JSON.stringify(shown(item))}`, { also: [...at, seen] });
  }
}

/** Reports `duplicate <what> name "x"`; answers the names of a list's items when every one parsed cleanly. */
function uniqueNames(c: Checker, list: unknown, at: Path, what: string): string[] | undefined {
  reportDuplicates<{ name: string }>(c, list, at, ['name'], `${what} name`, (item) => item.name);
  const items = cleanItems<{ name: string }>(list, c, at, ['name']);
  return Array.isArray(list) && items.length === list.length ? items.map(([, item]) => item.name) : undefined;
}

/** Reports `unknown target "x"; did you mean "y"?` at `at` when `names` (known only when all parsed) lacks `given`. */
function checkKnown(c: Checker, at: Path, what: 'target' | 'ensemble', given: string, names: readonly string[] | undefined): void {
  if (names === undefined || names.includes(given)) return;
  const hint = names.length === 0 ? `no ${what}s are configured` : suggest(given, names, `${what}s`);
  c.report(at, `unknown ${what} ${JSON.stringify(given)}; ${hint}`);
}

/** Reports `timeout (1s) must be less than interval (500ms)` at `a` (or at `b` when only `b` was given) unless `a` is below `b` (or equal, with `orEqual`). */
function checkBelow(c: Checker, a: Path, aMs: number, b: Path, bMs: number | undefined, orEqual = false): void {
  if (bMs === undefined || !c.ok(...a) || !c.ok(...b) || aMs < bMs || (orEqual && aMs === bMs)) return;
  const verb = orEqual ? 'not be more than' : 'be less than';
  c.report(a, `${String(a.at(-1))} (${formatDuration(aMs)}) must ${verb} ${String(b.at(-1))} (${formatDuration(bMs)})`, { or: b });
}

/** A transform renaming duration fields `x` to `xMs` (after the checks, which read them as written); absent ones stay absent. */
function inMs<K extends string>(...keys: K[]) {
  return <T extends object>(value: T) => {
    const fields = value as Record<string, unknown>;
    const kept = Object.entries(fields).filter(([key]) => !(keys as string[]).includes(key));
    const renamed = keys.filter((key) => fields[key] !== undefined).map((key) => [`${key}Ms`, fields[key]]);
    return Object.fromEntries([...kept, ...renamed]) as { [P in keyof T as P extends K ? `${P}Ms` : P]: T[P] };
  };
}

/** A mapping with exactly these keys (unknown keys are reported by the formatter, with a suggestion). */
function mapping<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, { error: (iss) => (iss.code === 'invalid_type' ? v.got('a mapping')(iss) : undefined) });
}

/** `Some` of a value that may be absent: `{}` or `{ [key]: value }`, so absent keys stay absent. */
function some<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The reference's description of a field, with the default it shows when the code computes it. */
function doc<S extends z.ZodType>(schema: S, description: string, shownDefault?: string): S {
  return schema.meta({ description, ...some('shownDefault', shownDefault) });
}

// ---- ensembles ---------------------------------------------------------------------------------

/** A family name of `mntrSeries`: letters, digits, `_` and the wildcard `*`. */
const mntrPattern = z.string({ error: v.got('a string') }).regex(/^[a-zA-Z0-9_*]+$/, {
  error: v.got('a family name or pattern (letters, digits, "_", "*")'),
});
const mntrPatterns = v.uniqueListOf(mntrPattern, 'pattern').meta({ type: 'list of patterns' });

const serverObjectSchema = mapping({
  host: v.hostSchema.describe('Hostname or IP address (IPv6 without brackets).'),
  port: v.integer(1, 65535).describe('Client port, where the four-letter words are sent.'),
  adminPort: optional(v.integer(1, 65535)).describe("This server's AdminServer HTTP port; overrides the ensemble's `adminPort`."),
});

/** One server: `"HOST:PORT"` or `{host, port, adminPort}`. */
const serverSchema = z.union([v.serverStringSchema, serverObjectSchema], {
  error: v.got('"HOST:PORT" or a mapping with host, port and optional adminPort'),
});

/** The write canary of one ensemble; `intervalMs` absent means the agent's poll interval. */
const canarySchema = checked(
  mapping({
    path: v.zkPath.describe(
      'Parent of the canary znodes (`<path>/<agentId>@<host:port>`, ephemeral), created when missing; below the chroot when there is one.',
    ),
    interval: doc(v.duration().optional(), 'Time from one canary round to the next.', 'the poll `interval`'),
    timeout: prefault(v.duration(), '1s').describe('Deadline of each step of a probe (connect, create, write, read). At most `interval`.'),
    authFile: optional(v.path('file')).describe(
      'File holding `user:password` (digest scheme) on one line; the canary znodes then get an ACL for that user alone. Never logged.',
    ),
    chroot: optional(v.zkPath).describe('Chroot of the canary sessions (e.g. `/kafka`); it must exist.'),
  }),
  (canary, c) => checkBelow(c, ['timeout'], canary.timeout, ['interval'], canary.interval, true),
).transform(inMs('interval', 'timeout'));

/** TLS to the nodes of one ensemble: both transports then speak TLS only (see README, *TLS to ZooKeeper*). */
const zkTlsSchema = checked(
  mapping({
    caFile: optional(v.path('file')).describe(
      "PEM file of the CA(s) the nodes' certificates must chain to; unset: the system's trusted CAs.",
    ),
    certFile: optional(v.path('file')).describe('PEM client certificate, for nodes with `ssl.clientAuth=need`. Needs `keyFile`.'),
    keyFile: optional(v.path('file')).describe('PEM private key of `certFile`. Never logged.'),
    serverName: optional(v.hostSchema).describe("Name the nodes' certificates must carry; unset: each node's configured host."),
    insecureSkipVerify: prefault(v.boolean(), false).describe(
      'Accept any certificate, checking neither CA nor name (logged as a warning, exported as `zookeeper_exporter_tls_insecure`). For tests only.',
    ),
  }),
  (tls, c) => {
    if (!c.ok('certFile') || !c.ok('keyFile')) return;
    if (tls.certFile !== undefined && tls.keyFile === undefined) c.report(['keyFile'], 'is required with certFile', { or: ['certFile'] });
    if (tls.keyFile !== undefined && tls.certFile === undefined) c.report(['certFile'], 'is required with keyFile', { or: ['keyFile'] });
  },
);

/** One ensemble in the file (also what `--ensemble` and `ZK_EXPORTER_ENSEMBLES` entries become). */
export const ensembleSchema = checked(
  mapping({
    name: v.name().describe('Unique name, used as the `ensemble` label. Letters, digits, `_`, `.`, `-`.'),
    servers: doc(
      v.listOf(serverSchema).min(1, { error: 'at least one server is required' }),
      'The nodes: `"HOST:PORT"` strings (IPv6 as `"[::1]:2181"`) or `{host, port, adminPort}` mappings. No duplicates.',
    ),
    transport: prefault(v.enumOf(['fourletter', 'admin']), 'fourletter').describe(
      '`fourletter`: four-letter words over TCP, falling back to the AdminServer for a word the whitelist refuses when an admin port is known. `admin`: AdminServer only (every server then needs an admin port).',
    ),
    adminPort: optional(v.integer(1, 65535)).describe('AdminServer HTTP port for servers that do not set their own.'),
    commands: prefault(v.commands, DEFAULT_COMMANDS).describe(
      `Words polled; \`srvr\` is always polled, \`conf\` only every \`confInterval\` (it gives server ids and the voting membership). Allowed: ${ALLOWED_COMMANDS.map((c) => `\`${c}\``).join(', ')}. Never \`srst\`, \`crst\`, \`stmk\` or \`kill\`.`,
    ),
    confInterval: prefault(v.duration(), '1m').describe('How often `conf` is re-read (it is also read after a node comes back).'),
    discovery: prefault(v.boolean(), true).describe(
      'Poll every member that `conf` lists, not only `servers` (which are then the seeds). `false`: poll only the servers listed.',
    ),
    mntrSeries: optional(
      mapping({
        preset: prefault(v.enumOf(MNTR_PRESETS), 'default').describe(
          '`default`: every plain `mntr` key plus the summaries the shipped alerts and dashboards read (about 100 series on a 3.8 leader); `all`: every numeric `mntr` value (about 550).',
        ),
        include: prefault(mntrPatterns, []).describe(
          'Family names (`*` matches any characters, e.g. `zookeeper_mntr_proposal_latency*`) exported on top of the preset.',
        ),
        exclude: prefault(mntrPatterns, []).describe('Family names never exported, whatever `preset` and `include` say.'),
      }),
    ).describe('Which `zookeeper_mntr_*` series are exported; unset: the `default` preset (see README, *mntr series budget*).'),
    canary: optional(canarySchema).describe(
      'Write canary (opt-in): through one session per node, writes a znode and reads it back every `interval`, proving that writes commit (see README, *Write canary*). `--canary-path` turns it on for flag and env ensembles.',
    ),
    tls: optional(zkTlsSchema).describe(
      "TLS to the nodes' `secureClientPort` (four-letter words) and HTTPS AdminServer: the certificate is checked against `caFile` and `serverName`; a failure is reason `tls`, never a plaintext retry.",
    ),
  }),
  (ensemble, c) => {
    const key = (s: ServerTarget) => `${s.host.toLowerCase()}:${s.port}`;
    reportDuplicates(c, ensemble.servers, ['servers'], [], 'server', key, serverLabel);
    if (!c.ok('transport') || ensemble.transport !== 'admin' || !c.ok('adminPort') || ensemble.adminPort !== undefined) return;
    const servers = cleanItems<ServerTarget>(ensemble.servers, c, ['servers']);
    const lacking = servers.filter(([, s]) => s.adminPort === undefined);
    if (lacking.length > 0 && lacking.length === servers.length) {
      c.report(['adminPort'], 'is required by transport "admin" unless every server sets its own adminPort');
    } else {
      for (const [i] of lacking) c.report(['servers', i], 'needs an adminPort: transport is "admin" and the ensemble sets no adminPort');
    }
  },
)
  .transform(({ adminPort, ...ensemble }) => ({
    ...ensemble,
    servers: ensemble.servers.map((s): ServerTarget => (s.adminPort === undefined && adminPort !== undefined ? { ...s, adminPort } : s)),
  }))
  .transform(inMs('confInterval'));

// ---- hooks -------------------------------------------------------------------------------------

/** The event whose rules need (and only whose rules may set) `electionTooLong`. */
const ELECTION_TOO_LONG = 'election_too_long';

/** Ensembles a rule or window is limited to. */
const ensembleNames = optional(v.uniqueListOf(v.name(), 'ensemble').meta({ type: 'list of names' }));

const backoffSchema = checked(
  mapping({
    initial: prefault(v.duration(), '1s').describe('Upper bound of the first retry delay; doubles with each retry. At most `max`.'),
    max: prefault(v.duration(), '1m').describe('Largest retry delay; also caps a `Retry-After` answer.'),
  }),
  (backoff, c) => checkBelow(c, ['initial'], backoff.initial, ['max'], backoff.max, true),
);

const hookTargetSchema = mapping({
  name: v.name().describe('Unique name that rules and routes refer to. Letters, digits, `_`, `.`, `-`.'),
  url: v.hookUrlSchema.describe(
    'Where the signed JSON is POSTed: `http://` or `https://`, without user or password (use `headers`). Never logged.',
  ),
  timeout: prefault(v.duration(), '5s').describe('Deadline of one attempt.'),
  maxAge: prefault(v.duration(), '1h').describe('A call still undelivered this long after it was decided is dead-lettered.'),
  concurrency: prefault(v.integer(1, 100), 2).describe('Most calls in flight to this target at once.'),
  backoff: prefault(backoffSchema, {}).describe('Delays between attempts: full jitter, doubling from `initial` up to `max`.'),
  template: optional(v.templateSchema).describe(
    'JSON sent instead of the standard body, its `{{path.to.field}}` placeholders filled from that body (see docs/webhooks.md); checked when the config is loaded.',
  ),
  headers: optional(v.headersSchema).describe(
    "Extra request headers, e.g. `Authorization`; values are never logged. `Idempotency-Key` and `X-Zk-Signature` are the agent's own.",
  ),
})
  .transform(inMs('timeout', 'maxAge'))
  .transform(({ backoff, ...target }) => ({ ...target, initialBackoffMs: backoff.initial, maxBackoffMs: backoff.max }));

const hookRuleSchema = checked(
  mapping({
    event: doc(
      v.enumOf(HOOK_EVENTS),
      'The condition: quorum at risk (one more loss loses it), lost, or restored; a new leader; more than one leader; an election lasting longer than `electionTooLong`; writes not committing (seen by the ensemble `canary`; never fires without one).',
    ),
    hook: v.name().describe('Name of the target to call.'),
    ensembles: ensembleNames.describe('Ensembles the rule watches; unset: every ensemble.'),
    for: prefault(v.duration(false), '0s').describe('How long the condition must hold before the hook is called.'),
    cooldown: prefault(v.duration(false), '5m').describe(
      'After a call, no other call for the same target, ensemble and event for this long (nor while one is still being delivered).',
    ),
    fireOnStartup: prefault(v.boolean(), false).describe('Also call for a condition already true when the agent starts or reloads.'),
    electionTooLong: optional(v.duration()).describe(
      'How long an election may last. Required for `election_too_long`, not allowed for other events.',
    ),
  }),
  (rule, c) => {
    const needed = rule.event === ELECTION_TOO_LONG;
    if (!c.ok('event') || !c.ok('electionTooLong') || needed === (rule.electionTooLong !== undefined)) return;
    const message = needed
      ? 'is required for event "%s": how long an election may last'
      : `applies only to event "%s", not "${rule.event}"`;
    c.report(['electionTooLong'], message.replace('%s', ELECTION_TOO_LONG));
  },
).transform(inMs('for', 'cooldown', 'electionTooLong'));

const alertRouteSchema = mapping({
  hook: v.name().describe('Name of the target to call.'),
  matchers: prefault(v.listOf(v.matcherSchema), []).describe(
    'Alertmanager-style matchers that must all match the alert\'s labels: `label="value"`, `label!="value"`, `label=~"regex"`, `label!~"regex"` (regexes anchored). None: every alert.',
  ),
  sendResolved: prefault(v.boolean(), false).describe('Also forward alerts when they resolve.'),
});

const maintenanceWindowSchema = mapping({
  cron: v.cronSchema.describe('When each window starts: 5 cron fields (minute first) or 6 (second first).'),
  duration: v.duration().describe('How long each window lasts.'),
  ensembles: ensembleNames.describe('Ensembles it covers; unset: every ensemble (and alerts).'),
  timezone: doc(v.timezoneSchema.optional(), 'IANA time zone the cron fields are read in.', '`UTC`'),
}).transform(inMs('duration'));

const files = prefault(v.uniqueListOf(v.path('file'), 'file'), []);

const hooksSchema = checked(
  mapping({
    stateDir: optional(v.path('directory')).describe(
      'Directory of the durable outbox and the audit trail (mode 0700). Required when there are targets, unless `dryRun`. One per agent.',
    ),
    dryRun: prefault(v.boolean(), false).describe('Decide and record every hook call, but send nothing.'),
    agentId: doc(v.agentIdSchema.optional(), "This agent's id in payloads and among peers.", '`<hostname>:<listen port>`'),
    secretFiles: files.describe(
      'Files of one signing secret each; the first secret signs. `--hook-secret-file` adds files; secrets in `ZK_EXPORTER_HOOK_SECRETS` come after them.',
    ),
    targets: prefault(v.listOf(hookTargetSchema), []).describe('Where hooks are sent. `--hook-url` and `--alert-hook-url` add targets.'),
    rules: prefault(v.listOf(hookRuleSchema), []).describe(
      'When to call which target. `--hook-url` adds rules for `quorum_at_risk`, `quorum_lost` and `quorum_restored`.',
    ),
    alertmanager: mapping({
      routes: prefault(v.listOf(alertRouteSchema), []).describe(
        'Every firing alert Alertmanager posts to the receiver is forwarded once, signed, to the target of each route that matches it. Routes need `receiverTokenFiles`. `--alert-hook-url` adds a route for every alert.',
      ),
    })
      .prefault({})
      .describe('The Alertmanager webhook receiver.'),
    maintenance: prefault(v.listOf(maintenanceWindowSchema), []).describe(
      'Recurring windows during which hooks for their ensembles are recorded as suppressed instead of sent.',
    ),
    peers: prefault(v.uniqueListOf(v.peerUrlSchema, 'peer'), []).describe(
      'Base URLs (`http://zk2-sidecar:9141`) of the other agents watching the same ensembles; a hook fires when most agents see the incident, sent by one of them.',
    ),
    peerTimeout: prefault(v.duration(), '1s').describe('Deadline for asking a peer. Must be less than `interval`.'),
    receiverTokenFiles: files.describe(
      'Files of one bearer token each, required on the Alertmanager receiver (it allows posting alerts, nothing else). `--receiver-token-file` adds files.',
    ),
    adminTokenFile: optional(v.path('file')).describe(
      'File of the bearer token for ack, pause, resume, `/-/reload` and reading hook status and deliveries (web config users are accepted too). Unset and no web users: ack, pause and resume are disabled.',
    ),
    adminListen: optional(v.listenAddress()).describe(
      'Separate `HOST:PORT` for the receiver and the hooks API; unset: they are served on `listen`.',
    ),
    maxBodyBytes: prefault(v.integer(1024, 1_073_741_824), 1_048_576).describe('Largest request body the receiver and the hooks API read.'),
  }),
  (hooks, c) => {
    const names = uniqueNames(c, hooks.targets, ['targets'], 'target');
    for (const [at, list] of [
      [['rules'], hooks.rules],
      [['alertmanager', 'routes'], hooks.alertmanager?.routes],
    ] as const) {
      for (const [i, { hook }] of cleanItems<{ hook: string }>(list, c, at, ['hook'])) {
        checkKnown(c, [...at, i, 'hook'], 'target', hook, names);
      }
    }
    const targets: unknown = hooks.targets;
    const needsDir = Array.isArray(targets) && targets.length > 0 && hooks.stateDir === undefined && !hooks.dryRun;
    if (needsDir && c.ok('stateDir') && c.ok('dryRun')) {
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

// ---- Alertmanager push --------------------------------------------------------------------------

const alertmanagerSchema = checked(
  mapping({
    urls: prefault(v.uniqueListOf(v.baseUrl(true), 'URL'), []).describe(
      'Alertmanager base URLs (`http://am:9093`) the agent pushes its own ensemble alerts to (`POST /api/v2/alerts`), all of them, concurrently; empty: no push. A user and password in the URL are sent as basic auth; URLs are never logged. `--alertmanager-url` (repeatable) replaces this list.',
    ),
    timeout: prefault(v.duration(), '5s').describe('Deadline of one push to one Alertmanager.'),
    resendInterval: prefault(v.duration(), '30s').describe(
      'Active alerts are sent again this often, each with `endsAt` three intervals ahead, so the alerts of an agent that stopped expire.',
    ),
    externalUrl: doc(
      v.baseUrl(false).optional(),
      "This agent's base URL as people open it; each alert's `generatorURL` is `<externalUrl>/#ensemble-<name>`.",
      "`http(s)://<listen host, or this host's name for 0.0.0.0 and ::>:<listen port>`",
    ),
  }),
  (am, c) => checkBelow(c, ['timeout'], am.timeout, ['resendInterval'], am.resendInterval),
).transform(inMs('timeout', 'resendInterval'));

// ---- the whole config --------------------------------------------------------------------------

const configObject = mapping({
  listen: prefault(v.listenAddress(), '0.0.0.0:9141').describe(
    'Address of the HTTP server (`/metrics`). IPv6 as `[::1]:9141`; port 0 picks a free port.',
  ),
  webConfigFile: optional(v.path('file')).describe(
    'Prometheus exporter-toolkit web config (`tls_server_config`, `basic_auth_users`) applied to every endpoint; see README, *Securing the endpoints*.',
  ),
  interval: prefault(v.duration(), '5s').describe('How often every node is polled.'),
  fastInterval: prefault(v.duration(), '1s').describe(
    'How often `srvr` alone is asked of every node (the fast lane), so a dead node or a lost quorum shows within about this long; the other words keep `interval`. Set it to `interval` (or more) to turn the fast lane off.',
  ),
  timeout: prefault(v.duration(), '2s').describe(
    'Deadline for one command to one node, connect and read together. Must be less than `interval`.',
  ),
  maxReplyBytes: prefault(v.integer(1024, 1_073_741_824), 1_048_576).describe(
    'Largest reply read from a node; a longer one is cut and counted as `too_large`.',
  ),
  concurrency: prefault(v.integer(1, 10_000), 64).describe('Most node polls in flight at once, across all ensembles.'),
  log: mapping({
    // Log levels pino knows.
    level: prefault(v.enumOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'info').describe(
      'Least severe level written.',
    ),
    format: prefault(v.enumOf(['json', 'pretty']), 'json').describe('`json`: one object per line. `pretty`: coloured text for people.'),
  })
    .prefault({})
    .describe('Logging.'),
  compat: prefault(v.uniqueListOf(v.enumOf(['dabealu', 'dabealu-ensemble']), 'value'), []).describe(
    '`dabealu`: also export the `zk_*` series of dabealu/zookeeper-exporter, for existing dashboards. `dabealu-ensemble`: the same series with an `ensemble` label too, for an agent watching several ensembles.',
  ),
  ensembles: prefault(v.listOf(ensembleSchema), []).describe(
    'The ensembles to watch. Ensembles from `--ensemble` or `ZK_EXPORTER_ENSEMBLES` replace file ensembles of the same name. At least one ensemble is needed in all.',
  ),
  hooks: optional(hooksSchema).describe(
    'Failover hooks: signed HTTP calls when quorum is at risk, lost or restored, the leader changes, and more, and Alertmanager alerts forwarded to them. See docs/webhooks.md.',
  ),
  alertmanager: optional(alertmanagerSchema).describe(
    "Pushes the agent's own ensemble conditions to Alertmanager as alerts. See README, *Alertmanager push*.",
  ),
});

/** The whole configuration, as the YAML file writes it (flags and env are merged in before parsing). Keys are camelCase. */
export const configSchema = checked(configObject, (config, c) => {
  const names = uniqueNames(c, config.ensembles, ['ensembles'], 'ensemble');
  if (Array.isArray(config.ensembles) && config.ensembles.length === 0) {
    c.report(
      ['ensembles'],
      'at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ZK_EXPORTER_ENSEMBLES',
    );
  }
  checkBelow(c, ['timeout'], config.timeout, ['interval'], config.interval);
  if (!isMapping(config.hooks)) return;
  for (const list of ['rules', 'maintenance'] as const) {
    for (const [i, item] of cleanItems<{ ensembles?: string[] }>(config.hooks[list], c, ['hooks', list], ['ensembles'])) {
      item.ensembles?.forEach((ensemble, j) => checkKnown(c, ['hooks', list, i, 'ensembles', j], 'ensemble', ensemble, names));
    }
  }
  checkSelf(config, config.hooks, c);
})
  .transform(inMs('interval', 'fastInterval', 'timeout'))
  // Renamed here, not on the hooks' own schema: the checks above read the hooks as written.
  .transform(({ hooks, ...config }) => ({
    ...config,
    ...some(
      'hooks',
      hooks &&
        (({ agentId, alertmanager, peerTimeout, ...rest }) => ({
          ...rest,
          agentId: agentId ?? defaultAgentId(config.listen.port),
          alertRoutes: alertmanager.routes,
          peerTimeoutMs: peerTimeout,
        }))(hooks),
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
  const samePort = adminListen && listen && adminListen.port !== 0 && adminListen.port === listen.port;
  if (
    samePort &&
    (WILDCARDS.has(adminListen.host) || WILDCARDS.has(listen.host) || adminListen.host.toLowerCase() === listen.host.toLowerCase())
  ) {
    c.report(
      ['hooks', 'adminListen'],
      `uses the port of listen (${serverLabel(listen)}); pick another port, or leave adminListen unset to serve the receiver and the hooks API on listen`,
    );
  }
  if (!c.ok('hooks', 'peers') || hooks.peers.length === 0) return;
  checkBelow(c, ['hooks', 'peerTimeout'], hooks.peerTimeout, ['interval'], config.interval);
  const own = new Map<string, string>();
  for (const [label, address] of Object.entries({ listen, adminListen })) {
    if (address === undefined || address.port === 0) continue;
    // As URL.hostname writes them: lower case, IPv6 in brackets.
    const host = address.host.toLowerCase();
    const hosts = WILDCARDS.has(host) ? [...LOOPBACKS, hostname().toLowerCase()] : [host.includes(':') ? `[${host}]` : host];
    for (const h of hosts) if (!own.has(`${h}:${address.port}`)) own.set(`${h}:${address.port}`, `the address of ${label}`);
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

// ---- the schema as documentation --------------------------------------------------------------

/** A node of the schema as JSON Schema (its input side): `type` is the one a field's `.meta({ type })` shows, when it has one. */
export interface DocNode {
  type?: string;
  description?: string;
  shownDefault?: string;
  default?: unknown;
  enum?: string[];
  anyOf?: DocNode[];
  items?: DocNode;
  properties?: Record<string, DocNode>;
  required?: string[];
}

/** The whole schema as JSON Schema: one tree for the reference, the flags' help and the keys each mapping allows. */
export const configDoc = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as DocNode;

/** The mapping a node stands for: itself, or the mapping option of a union (a server is a string or a mapping). */
export const mappingOf = (node: DocNode | undefined): DocNode | undefined =>
  node?.properties ? node : node?.anyOf?.find((o) => o.properties);

/** The node at a path of the config, e.g. `['hooks', 'targets', 0, 'url']`. */
export function docAt(at: Path): DocNode | undefined {
  let node: DocNode | undefined = configDoc;
  for (const segment of at) node = typeof segment === 'number' ? node?.items : mappingOf(node)?.properties?.[segment];
  return node;
}
