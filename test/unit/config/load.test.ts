import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAgentCommand, createCommand, parseCommandLine } from '../../../src/config/cli.js';
import { formatProblems, loadConfig, type Problem } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import type { AgentConfig } from '../../../src/config/types.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

/** Loads with only the given flags and env (and the real file system). */
function load(argv: string[], env: Record<string, string> = {}) {
  return loadConfig({ argv, env });
}

function problemsOf(argv: string[], env: Record<string, string> = {}): Problem[] {
  const result = load(argv, env);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

function configOf(argv: string[], env: Record<string, string> = {}, readFile?: (path: string) => string): AgentConfig {
  const result = loadConfig(readFile === undefined ? { argv, env } : { argv, env, readFile });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.config;
}

/** A fake file system for precedence tests. */
function files(contents: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
}

const ALLOWED = 'allowed: srvr, stat, mntr, wchs, conf, isro, envi, cons';
const TOO_LONG_TIMER = 'must be at most 596h31m23s647ms, the longest timer Node.js supports';

const DEFAULTS: Omit<AgentConfig, 'ensembles'> = {
  listen: { host: '0.0.0.0', port: 9141 },
  intervalMs: 5_000,
  fastIntervalMs: 1_000,
  timeoutMs: 2_000,
  maxReplyBytes: 1_048_576,
  concurrency: 64,
  log: { level: 'info', format: 'json' },
  compat: [],
};

describe('valid files', () => {
  it('valid-full.yml gives exactly this AgentConfig', () => {
    const expected: AgentConfig = {
      ensembles: [
        {
          name: 'kafka',
          servers: [
            { host: 'zk1.example.com', port: 2181, adminPort: 8080 },
            { host: 'fd00::3', port: 2181, adminPort: 8080 },
            { host: '10.0.0.3', port: 2181, adminPort: 8081 },
          ],
          transport: 'fourletter',
          commands: ['srvr', 'mntr', 'conf', 'wchs'],
          confIntervalMs: 90_000,
          discovery: true,
        },
        {
          name: 'hbase.prod-1',
          servers: [
            { host: 'fd00::10', port: 2181, adminPort: 9090 },
            { host: 'zk-b', port: 2182, adminPort: 9091 },
          ],
          transport: 'admin',
          commands: ['srvr', 'stat', 'isro', 'envi'],
          confIntervalMs: 7_200_000,
          discovery: true,
        },
      ],
      listen: { host: '::1', port: 9200 },
      intervalMs: 10_000,
      fastIntervalMs: 1_000,
      timeoutMs: 1_500,
      maxReplyBytes: 524_288,
      concurrency: 16,
      log: { level: 'debug', format: 'pretty' },
      compat: ['dabealu'],
    };
    expect(configOf(['--config', fixture('valid-full.yml')])).toStrictEqual(expected);
  });

  it('valid-minimal.yml gets every default', () => {
    expect(configOf(['--config', fixture('valid-minimal.yml')])).toStrictEqual({
      ...DEFAULTS,
      ensembles: [
        {
          name: 'kafka',
          servers: [{ host: 'zk1', port: 2181 }],
          transport: 'fourletter',
          commands: ['srvr', 'mntr', 'wchs', 'conf'],
          confIntervalMs: 60_000,
          discovery: true,
        },
      ],
    });
  });

  it('a flag ensemble alone is enough, with every default', () => {
    expect(configOf(['--ensemble', 'kafka=zk1:2181,[::1]:2182'])).toStrictEqual({
      ...DEFAULTS,
      ensembles: [
        {
          name: 'kafka',
          servers: [
            { host: 'zk1', port: 2181 },
            { host: '::1', port: 2182 },
          ],
          transport: 'fourletter',
          commands: ['srvr', 'mntr', 'wchs', 'conf'],
          confIntervalMs: 60_000,
          discovery: true,
        },
      ],
    });
  });

  it('the whole zod schema accepts the valid files too', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    for (const name of ['valid-full.yml', 'valid-minimal.yml', 'valid-hooks.yml']) {
      expect(configSchema.safeParse(parse(readFileSync(fixture(name), 'utf8'))).success).toBe(true);
    }
  });

  it('an empty file is an empty mapping', () => {
    expect(configOf(['--config', 'empty.yml', '--ensemble', 'k=h:1'], {}, files({ 'empty.yml': '# nothing\n' })).intervalMs).toBe(5_000);
  });

  it('listen accepts port 0 (the OS picks) and IPv6', () => {
    expect(configOf(['--ensemble', 'k=h:1', '--listen', '127.0.0.1:0']).listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(configOf(['--ensemble', 'k=h:1', '--listen', '[::]:9141']).listen).toEqual({ host: '::', port: 9141 });
  });
});

/** Each invalid file with the exact problems it must produce, in order. */
const INVALID_FILES: Array<[file: string, problems: Problem[]]> = [
  [
    'invalid-unknown-keys.yml',
    [
      { path: 'log.colour', message: 'unknown key; allowed: level, format' },
      { path: 'ensembles[0].servers[1].admin_port', message: 'unknown key; did you mean "adminPort"?' },
      { path: 'ensembles[0].server', message: 'unknown key; did you mean "servers"?' },
      { path: 'intervall', message: 'unknown key; did you mean "interval"?' },
      {
        path: 'scrapeTimeout',
        message:
          'unknown key; allowed: listen, webConfigFile, interval, fastInterval, timeout, maxReplyBytes, concurrency, log, compat, ensembles, hooks, alertmanager',
      },
    ],
  ],
  [
    'invalid-durations.yml',
    [
      { path: 'interval', message: '5 has no unit (ms, s, m or h); did you mean "5s"?' },
      { path: 'timeout', message: 'must be greater than 0' },
      { path: 'ensembles[0].confInterval', message: '"1.5m" has a fraction; write whole numbers, like "1m30s"' },
      { path: 'ensembles[1].confInterval', message: '"-1m" is negative; a duration cannot be negative' },
      { path: 'ensembles[2].confInterval', message: '"1d" has an unknown unit "d"; use ms, s, m or h' },
      {
        path: 'ensembles[3].confInterval',
        message: '"30s1m": units must go from largest to smallest, each at most once, like "1h30m" or "1m30s"',
      },
      { path: 'ensembles[4].confInterval', message: TOO_LONG_TIMER },
      { path: 'ensembles[5].confInterval', message: 'must be a duration like "500ms", "5s", "1m30s" or "2h", got true' },
    ],
  ],
  ['invalid-timeout-not-less.yml', [{ path: 'timeout', message: 'timeout (2s) must be less than interval (2s)' }]],
  [
    'invalid-ports.yml',
    [
      { path: 'listen', message: '"0.0.0.0:70000": port must be an integer from 0 to 65535, got "70000"' },
      { path: 'ensembles[0].servers[0]', message: '"zk1:0": port must be an integer from 1 to 65535, got "0"' },
      { path: 'ensembles[0].servers[1]', message: '"zk2:abc": port must be an integer from 1 to 65535, got "abc"' },
      { path: 'ensembles[0].servers[2].port', message: 'must be an integer from 1 to 65535, got 65536' },
      { path: 'ensembles[0].servers[3].port', message: 'must be an integer from 1 to 65535, got "2181"' },
      { path: 'ensembles[0].servers[4].adminPort', message: 'must be an integer from 1 to 65535, got 80.5' },
      { path: 'ensembles[0].adminPort', message: 'must be an integer from 1 to 65535, got 0' },
    ],
  ],
  [
    'invalid-duplicates.yml',
    [
      { path: 'ensembles[0].servers[1]', message: 'duplicate server "ZK1:2181" (also ensembles[0].servers[0])' },
      { path: 'ensembles[0].servers[2]', message: 'duplicate server "zk1:2181" (also ensembles[0].servers[0])' },
      { path: 'ensembles[0].servers[5]', message: 'duplicate server "[::1]:2181" (also ensembles[0].servers[4])' },
      { path: 'ensembles[2].name', message: 'duplicate ensemble name "kafka" (also ensembles[0])' },
    ],
  ],
  [
    'invalid-no-ensembles.yml',
    [
      {
        path: 'ensembles',
        message:
          'at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ZK_EXPORTER_ENSEMBLES',
      },
    ],
  ],
  [
    'invalid-no-servers.yml',
    [
      { path: 'ensembles[0].servers', message: 'at least one server is required' },
      { path: 'ensembles[1].servers', message: 'is required' },
      { path: 'ensembles[2].servers', message: 'must be a list, got "zk1:2181"' },
    ],
  ],
  [
    'invalid-admin-transport.yml',
    [
      { path: 'ensembles[0].adminPort', message: 'is required by transport "admin" unless every server sets its own adminPort' },
      { path: 'ensembles[1].servers[1]', message: 'needs an adminPort: transport is "admin" and the ensemble sets no adminPort' },
      { path: 'ensembles[3].transport', message: 'must be "fourletter" or "admin", got "http"' },
    ],
  ],
  [
    'invalid-commands.yml',
    [
      { path: 'ensembles[0].commands[0]', message: `"srst" changes server state and is never sent; ${ALLOWED}` },
      { path: 'ensembles[0].commands[1]', message: `"crst" changes server state and is never sent; ${ALLOWED}` },
      { path: 'ensembles[0].commands[2]', message: `"stmk" changes server state and is never sent; ${ALLOWED}` },
      { path: 'ensembles[0].commands[3]', message: `"kill" changes server state and is never sent; ${ALLOWED}` },
      { path: 'ensembles[0].commands[4]', message: `"ruok" proves nothing (it answers imok even without quorum); ${ALLOWED}` },
      { path: 'ensembles[0].commands[5]', message: `"wchc" prints one line per connection or session, too costly to poll; ${ALLOWED}` },
      { path: 'ensembles[0].commands[6]', message: `"dump" prints one line per connection or session, too costly to poll; ${ALLOWED}` },
      { path: 'ensembles[0].commands[7]', message: `"foo" is not a supported command; ${ALLOWED}` },
      { path: 'ensembles[0].commands[10]', message: `must be a command name, got 4; ${ALLOWED}` },
      { path: 'ensembles[0].commands[9]', message: 'duplicate command "mntr"' },
      { path: 'ensembles[1].commands', message: 'must be a list, got "mntr"' },
    ],
  ],
  [
    'invalid-types.yml',
    [
      { path: 'listen', message: 'must be "HOST:PORT", got 9141' },
      { path: 'maxReplyBytes', message: 'must be an integer from 1024 to 1073741824, got "1MiB"' },
      { path: 'concurrency', message: 'must be an integer from 1 to 10000, got 0' },
      { path: 'log', message: 'must be a mapping, got "info"' },
      { path: 'compat', message: 'must be a list, got "dabealu"' },
      { path: 'ensembles', message: 'must be a list, got "kafka"' },
    ],
  ],
  [
    'invalid-hosts.yml',
    [
      { path: 'ensembles[0].name', message: 'must be made of letters, digits, "_", "." and "-", got "bad host"' },
      { path: 'ensembles[0].servers[0]', message: '"::1:2181": put an IPv6 address in brackets, like "[::1]:2181"' },
      { path: 'ensembles[0].servers[1]', message: '"[zk1]:2181": only IPv6 addresses go in brackets' },
      { path: 'ensembles[0].servers[2]', message: '"zk 1:2181": "zk 1" is not a hostname or IP address' },
      { path: 'ensembles[0].servers[3]', message: '":2181" has no host; expected HOST:PORT' },
      { path: 'ensembles[0].servers[4].host', message: 'write the IPv6 address without brackets here: "::1"' },
      { path: 'ensembles[0].servers[5].host', message: 'empty; expected a hostname or IP address' },
      { path: 'ensembles[0].servers[6].host', message: '"zk/1" is not a hostname or IP address' },
      {
        path: 'ensembles[0].servers[7]',
        message: 'must be "HOST:PORT" or a mapping with host, port and optional adminPort, got 2181',
      },
    ],
  ],
  [
    'invalid-yaml-syntax.yml',
    [
      {
        path: `${fixture('invalid-yaml-syntax.yml')}:5:1`,
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ],
  ],
  ['invalid-duplicate-key.yml', [{ path: `${fixture('invalid-duplicate-key.yml')}:2:1`, message: 'duplicate key' }]],
  ['invalid-not-mapping.yml', [{ path: fixture('invalid-not-mapping.yml'), message: 'must be a mapping of settings, got a list' }]],
  [
    'invalid-hooks-unknown-keys.yml',
    [
      { path: 'hooks.targets[0].backoff.maximum', message: 'unknown key; allowed: initial, max' },
      { path: 'hooks.targets[0].timout', message: 'unknown key; did you mean "timeout"?' },
      { path: 'hooks.rules[0].cooldwn', message: 'unknown key; did you mean "cooldown"?' },
      { path: 'hooks.alertmanager.routes[0].matcher', message: 'unknown key; did you mean "matchers"?' },
      { path: 'hooks.alertmanager.route', message: 'unknown key; did you mean "routes"?' },
      { path: 'hooks.maintenance[0].tz', message: 'unknown key; allowed: cron, duration, ensembles, timezone' },
      { path: 'hooks.secretFile', message: 'unknown key; did you mean "secretFiles"?' },
      {
        path: 'hooks.webhooks',
        message:
          'unknown key; allowed: stateDir, dryRun, agentId, secretFiles, targets, rules, alertmanager, maintenance, peers, peerTimeout, receiverTokenFiles, adminTokenFile, adminListen, maxBodyBytes',
      },
    ],
  ],
  [
    'invalid-hooks-values.yml',
    [
      { path: 'hooks.stateDir', message: 'empty; expected a directory path' },
      { path: 'hooks.dryRun', message: 'must be true or false, got "yes"' },
      { path: 'hooks.agentId', message: 'must be printable ASCII without spaces, got "zk1 sidecar"' },
      { path: 'hooks.secretFiles', message: 'must be a list, got "/etc/zk-hooks/secret"' },
      { path: 'hooks.targets[0].url', message: 'must start with http:// or https://' },
      { path: 'hooks.targets[1].url', message: 'must not contain a user name or password; put credentials in headers' },
      { path: 'hooks.targets[2].url', message: 'is not a valid URL' },
      { path: 'hooks.targets[3].name', message: 'must be made of letters, digits, "_", "." and "-", got "no scheme"' },
      { path: 'hooks.targets[3].url', message: 'must start with http:// or https://' },
      { path: 'hooks.targets[3].timeout', message: 'must be greater than 0' },
      { path: 'hooks.targets[3].maxAge', message: '"1d" has an unknown unit "d"; use ms, s, m or h' },
      { path: 'hooks.targets[3].concurrency', message: 'must be an integer from 1 to 100, got 101' },
      { path: 'hooks.targets[3].backoff.initial', message: 'initial (2m) must not be more than max (1m)' },
      { path: 'hooks.targets[4].template', message: 'unterminated placeholder at offset 10' },
      { path: 'hooks.targets[4].headers.X Team', message: 'is not a valid HTTP header name' },
      {
        path: 'hooks.targets[4].headers.Idempotency-Key',
        message: '"Idempotency-Key" is set by the agent on every request and cannot be configured',
      },
      { path: 'hooks.targets[4].headers.X-Count', message: 'must be a string, got a number; quote it' },
      { path: 'hooks.targets[4].headers.X-Multi', message: 'must not contain line breaks or NUL characters' },
      { path: 'hooks.targets[5].backoff.max', message: 'initial (1s) must not be more than max (500ms)' },
      { path: 'hooks.targets[5].template', message: 'must be a string holding a JSON template (quote it in YAML), got a mapping' },
      {
        path: 'hooks.rules[0].event',
        message:
          'must be one of "quorum_at_risk", "quorum_lost", "quorum_restored", "leader_changed", "split_brain", "election_too_long", "writes_stalled", got "quorum_lsot"',
      },
      { path: 'hooks.rules[0].for', message: '"-1s" is negative; a duration cannot be negative' },
      { path: 'hooks.rules[0].cooldown', message: '5 has no unit (ms, s, m or h); did you mean "5s"?' },
      { path: 'hooks.rules[0].fireOnStartup', message: 'must be true or false, got 1' },
      { path: 'hooks.peers[0]', message: 'must be a base URL, without query or fragment' },
      { path: 'hooks.peers[1]', message: 'must start with http:// or https://' },
      { path: 'hooks.peers[2]', message: 'must not contain a user name or password' },
      { path: 'hooks.peers[3]', message: 'empty; expected an http:// or https:// URL' },
      { path: 'hooks.peerTimeout', message: 'must be greater than 0' },
      {
        path: 'hooks.adminListen',
        message: '":9142" has no host; write "0.0.0.0:9142" (every IPv4 interface) or "[::]:9142" (every interface)',
      },
      { path: 'hooks.maxBodyBytes', message: 'must be an integer from 1024 to 1073741824, got 100' },
    ],
  ],
  [
    'invalid-hooks-references.yml',
    [
      { path: 'hooks.rules[1].electionTooLong', message: 'is required for event "election_too_long": how long an election may last' },
      { path: 'hooks.rules[2].electionTooLong', message: 'applies only to event "election_too_long", not "leader_changed"' },
      { path: 'hooks.rules[0].hook', message: 'unknown target "pagr"; did you mean "pager"?' },
      { path: 'hooks.alertmanager.routes[0].hook', message: 'unknown target "slack"; targets: pager' },
      { path: 'hooks.rules[0].ensembles[1]', message: 'unknown ensemble "kafak"; did you mean "kafka"?' },
      { path: 'hooks.rules[0].ensembles[2]', message: 'unknown ensemble "solr"; ensembles: kafka, hbase' },
      { path: 'hooks.maintenance[0].ensembles[0]', message: 'unknown ensemble "zookeeper"; ensembles: kafka, hbase' },
    ],
  ],
  [
    'invalid-hooks-matchers.yml',
    [
      {
        path: 'hooks.alertmanager.routes[0].matchers[0]',
        message: 'must be label="value", label!="value", label=~"regex" or label!~"regex", got "severity=critical"',
      },
      {
        path: 'hooks.alertmanager.routes[0].matchers[1]',
        message: '"alertname=~\\"(Zookeeper\\"": invalid regular expression: Unterminated group',
      },
      { path: 'hooks.alertmanager.routes[0].matchers[2]', message: '"team=\\"a\\\\tb\\"": unknown escape \\t (use \\", \\\\ or \\n)' },
      {
        path: 'hooks.alertmanager.routes[0].matchers[4]',
        message: 'must be label="value", label!="value", label=~"regex" or label!~"regex", got 5',
      },
      { path: 'hooks.alertmanager.routes[0].sendResolved', message: 'must be true or false, got "no"' },
      { path: 'hooks.alertmanager.routes[1].matchers', message: 'must be a list, got "severity=\\"critical\\""' },
    ],
  ],
  [
    'invalid-hooks-maintenance.yml',
    [
      {
        path: 'hooks.maintenance[0].cron',
        message: '"0 2 * *" has 4 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (second first)',
      },
      { path: 'hooks.maintenance[1].cron', message: '"61 2 * * 0": constraint error, got value 61 expected range 0-59' },
      { path: 'hooks.maintenance[2].cron', message: '"0 0 30 2 *": invalid explicit day of month definition' },
      { path: 'hooks.maintenance[3].cron', message: '"0 2 * * foo": validation error, cannot resolve alias "foo"' },
      { path: 'hooks.maintenance[3].duration', message: 'must be greater than 0' },
      {
        path: 'hooks.maintenance[3].timezone',
        message: '"Mars/Olympus" is not a known time zone; use an IANA name like "UTC" or "Europe/Berlin"',
      },
      { path: 'hooks.maintenance[4].cron', message: '"*/0 * * * *": constraint error, cannot repeat at every 0 time' },
      { path: 'hooks.maintenance[4].duration', message: 'is required' },
      { path: 'hooks.maintenance[5].cron', message: 'is required' },
    ],
  ],
  [
    'invalid-hooks-duplicates.yml',
    [
      { path: 'hooks.secretFiles[2]', message: 'duplicate file "/etc/zk-hooks/a"' },
      { path: 'hooks.targets[0].headers.x-team', message: 'duplicate header (also "X-Team"; header names ignore case)' },
      { path: 'hooks.rules[0].ensembles[1]', message: 'duplicate ensemble "kafka"' },
      { path: 'hooks.peers[1]', message: 'duplicate peer "http://zk2:9141"' },
      { path: 'hooks.receiverTokenFiles[1]', message: 'duplicate file "/etc/zk-hooks/token"' },
      { path: 'hooks.targets[2].name', message: 'duplicate target name "pager" (also hooks.targets[0])' },
    ],
  ],
  [
    'invalid-hooks-state-dir.yml',
    [
      {
        path: 'hooks.stateDir',
        message:
          'a state dir is required for hook targets (the outbox lives there): set hooks.stateDir in the config file, or give --state-dir or ZK_EXPORTER_STATE_DIR; or turn on dry run',
      },
      {
        path: 'hooks.receiverTokenFiles',
        message:
          'a receiver token is required for alert routes (only Alertmanager may post alerts): list token files under hooks.receiverTokenFiles in the config file, or give --receiver-token-file',
      },
    ],
  ],
  [
    'invalid-hooks-peers.yml',
    [
      { path: 'hooks.peerTimeout', message: 'peerTimeout (2s) must be less than interval (2s)' },
      { path: 'hooks.peers[1]', message: 'is this agent itself (the address of listen); list only the other agents' },
      { path: 'hooks.peers[2]', message: 'is this agent itself (its agentId); list only the other agents' },
      { path: 'hooks.peers[3]', message: 'is this agent itself (the address of adminListen); list only the other agents' },
    ],
  ],
  [
    'invalid-hooks-types.yml',
    [
      { path: 'hooks.targets', message: 'must be a list, got "pager"' },
      { path: 'hooks.rules[0]', message: 'must be a mapping, got "quorum_lost"' },
      { path: 'hooks.alertmanager', message: 'must be a mapping, got a list' },
      { path: 'hooks.maintenance', message: 'must be a list, got a mapping' },
      { path: 'hooks.peers', message: 'must be a list, got "http://zk2:9141"' },
      { path: 'hooks.receiverTokenFiles[0]', message: 'empty; expected a file path' },
    ],
  ],
  ['invalid-hooks-not-mapping.yml', [{ path: 'hooks', message: 'must be a mapping, got a list' }]],
];

describe('invalid files', () => {
  it.each(INVALID_FILES)('%s', (file, expected) => {
    expect(problemsOf(['--config', fixture(file)])).toStrictEqual(expected);
  });

  it('every invalid-*.yml fixture is in the table', async () => {
    const { readdirSync } = await import('node:fs');
    const onDisk = readdirSync(fileURLToPath(new URL('../../fixtures/config/', import.meta.url)))
      .filter((name) => name.startsWith('invalid-'))
      .sort();
    expect(INVALID_FILES.map(([file]) => file).sort()).toStrictEqual(onDisk);
  });
});

/** Flag and env inputs (always with one valid ensemble unless the case is about ensembles) and their exact problems. */
const INVALID_FLAGS_AND_ENV: Array<[name: string, argv: string[], env: Record<string, string>, problems: Problem[]]> = [
  [
    'bare number interval',
    ['--interval', '5'],
    {},
    [{ path: '--interval', message: '"5" has no unit (ms, s, m or h); did you mean "5s"?' }],
  ],
  ['zero timeout', ['--timeout', '0ms'], {}, [{ path: '--timeout', message: 'must be greater than 0' }]],
  [
    'flag timeout equal to default interval',
    ['--timeout', '5s'],
    {},
    [{ path: '--timeout', message: 'timeout (5s) must be less than interval (5s)' }],
  ],
  [
    'flag interval below default timeout points at the interval',
    ['--interval', '1s'],
    {},
    [{ path: '--interval', message: 'timeout (2s) must be less than interval (1s)' }],
  ],
  [
    'env interval below env timeout points at the timeout',
    [],
    { ZK_EXPORTER_INTERVAL: '3s', ZK_EXPORTER_TIMEOUT: '3s' },
    [{ path: 'ZK_EXPORTER_TIMEOUT', message: 'timeout (3s) must be less than interval (3s)' }],
  ],
  ['listen without port', ['--listen', 'localhost'], {}, [{ path: '--listen', message: '"localhost" has no port; expected HOST:PORT' }]],
  [
    'listen without host, Go style',
    ['--listen', ':9141'],
    {},
    [{ path: '--listen', message: '":9141" has no host; write "0.0.0.0:9141" (every IPv4 interface) or "[::]:9141" (every interface)' }],
  ],
  [
    'two flags missing their values at the end',
    ['--log-level', '--timeout'],
    {},
    [
      { path: '--log-level', message: 'needs a value (<level>)' },
      { path: '--timeout', message: 'needs a value (<duration>)' },
    ],
  ],
  [
    'env listen with a bad port',
    [],
    { ZK_EXPORTER_LISTEN: '0.0.0.0:http' },
    [{ path: 'ZK_EXPORTER_LISTEN', message: '"0.0.0.0:http": port must be an integer from 0 to 65535, got "http"' }],
  ],
  [
    'log level and format',
    ['--log-level', 'loud'],
    { ZK_EXPORTER_LOG_FORMAT: 'text' },
    [
      { path: 'ZK_EXPORTER_LOG_FORMAT', message: 'must be "json" or "pretty", got "text"' },
      { path: '--log-level', message: 'must be one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "loud"' },
    ],
  ],
  [
    'compat',
    ['--compat', 'dabealu', '--compat', 'carlpett', '--compat', 'dabealu'],
    { ZK_EXPORTER_COMPAT: 'dabealu, x' },
    [
      { path: 'ZK_EXPORTER_COMPAT[1]', message: 'must be "dabealu" or "dabealu-ensemble", got "x"' },
      { path: '--compat[1]', message: 'must be "dabealu" or "dabealu-ensemble", got "carlpett"' },
      { path: '--compat[2]', message: 'duplicate value "dabealu"' },
    ],
  ],
  [
    'numbers',
    ['--max-reply-bytes', '1MiB', '--concurrency', '0'],
    { ZK_EXPORTER_CONCURRENCY: '-3', ZK_EXPORTER_MAX_REPLY_BYTES: '100' },
    [
      { path: 'ZK_EXPORTER_MAX_REPLY_BYTES', message: 'must be an integer from 1024 to 1073741824, got 100' },
      { path: 'ZK_EXPORTER_CONCURRENCY', message: 'must be an integer from 1 to 10000, got "-3"' },
      { path: '--max-reply-bytes', message: 'must be an integer from 1024 to 1073741824, got "1MiB"' },
      { path: '--concurrency', message: 'must be an integer from 1 to 10000, got 0' },
    ],
  ],
  [
    'transport and admin port values',
    ['--transport', 'http', '--admin-port', '99999'],
    {},
    [
      { path: '--transport', message: 'must be "fourletter" or "admin", got "http"' },
      { path: '--admin-port', message: 'must be an integer from 1 to 65535, got 99999' },
    ],
  ],
  [
    'transport admin without an admin port',
    ['--transport', 'admin'],
    {},
    [
      {
        path: '--transport',
        message: '"admin" needs --admin-port or ZK_EXPORTER_ADMIN_PORT for the ensembles of --ensemble and ZK_EXPORTER_ENSEMBLES',
      },
    ],
  ],
  [
    'env transport admin without an admin port',
    [],
    { ZK_EXPORTER_TRANSPORT: 'admin' },
    [
      {
        path: 'ZK_EXPORTER_TRANSPORT',
        message: '"admin" needs --admin-port or ZK_EXPORTER_ADMIN_PORT for the ensembles of --ensemble and ZK_EXPORTER_ENSEMBLES',
      },
    ],
  ],
  [
    'unknown flags, stray arguments and a missing value, all reported',
    ['--intreval', '3s', '--verbose', 'stray', '--log-lvl=debug', '--timeout'],
    {},
    [
      { path: '--timeout', message: 'needs a value (<duration>)' },
      { path: '--intreval', message: 'unknown option; did you mean --interval?' },
      { path: '--verbose', message: 'unknown option' },
      { path: '--log-lvl', message: 'unknown option; did you mean --log-level?' },
    ],
  ],
  ['a stray argument', ['run'], {}, [{ path: 'run', message: 'unexpected argument; this command takes only options' }]],
  ['config flag with an empty path', ['--config', ''], {}, [{ path: '--config', message: 'needs a file path' }]],
  [
    'config file that does not exist',
    ['--config', '/nonexistent/zk.yml'],
    {},
    [{ path: '--config', message: 'cannot read "/nonexistent/zk.yml": no such file' }],
  ],
  [
    'env config file that does not exist',
    [],
    { ZK_EXPORTER_CONFIG: '/nonexistent/zk.yml' },
    [{ path: 'ZK_EXPORTER_CONFIG', message: 'cannot read "/nonexistent/zk.yml": no such file' }],
  ],
];

describe('invalid flags and env', () => {
  it.each(INVALID_FLAGS_AND_ENV)('%s', (_name, argv, env, expected) => {
    expect(problemsOf(['--ensemble', 'ok=zk1:2181', ...argv], env)).toStrictEqual(expected);
  });
});

describe('invalid ensembles from flags and env', () => {
  it.each<[string, string[], Record<string, string>, Problem[]]>([
    [
      'no ensemble anywhere',
      [],
      {},
      [
        {
          path: '--ensemble',
          message:
            'at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ZK_EXPORTER_ENSEMBLES',
        },
      ],
    ],
    [
      'transport and admin port without flag or env ensembles',
      ['--config', fixture('valid-minimal.yml'), '--transport', 'admin'],
      { ZK_EXPORTER_ADMIN_PORT: '8080' },
      [
        {
          path: 'ZK_EXPORTER_ADMIN_PORT',
          message: 'applies only to ensembles from --ensemble or ZK_EXPORTER_ENSEMBLES, and none were given',
        },
        { path: '--transport', message: 'applies only to ensembles from --ensemble or ZK_EXPORTER_ENSEMBLES, and none were given' },
      ],
    ],
    [
      'malformed specs',
      ['--ensemble', 'kafka', '--ensemble', 'my kafka=zk1:2181', '--ensemble', 'empty=', '--ensemble', 'k=zk1:2181,,zk1:2181,zk2'],
      {},
      [
        { path: '--ensemble[0]', message: 'expected NAME=HOST:PORT[,HOST:PORT...], got "kafka"' },
        { path: '--ensemble[1].name', message: 'must be made of letters, digits, "_", "." and "-", got "my kafka"' },
        { path: '--ensemble[2].servers', message: 'at least one server is required' },
        { path: '--ensemble[3].servers[1]', message: 'empty; expected HOST:PORT' },
        { path: '--ensemble[3].servers[3]', message: '"zk2" has no port; expected HOST:PORT' },
        { path: '--ensemble[3].servers[2]', message: 'duplicate server "zk1:2181" (also --ensemble[3].servers[0])' },
      ],
    ],
    [
      'duplicate names within flags and within env (across them is a replacement)',
      ['--ensemble', 'a=zk1:1', '--ensemble', 'a=zk2:1'],
      { ZK_EXPORTER_ENSEMBLES: 'a=zk1:1;b=zk1:1; b=zk3:1;' },
      [
        { path: 'ZK_EXPORTER_ENSEMBLES[2].name', message: 'duplicate ensemble name "b" (also ZK_EXPORTER_ENSEMBLES[1])' },
        { path: '--ensemble[1].name', message: 'duplicate ensemble name "a" (also --ensemble[0])' },
      ],
    ],
    [
      'env spec problems',
      [],
      { ZK_EXPORTER_ENSEMBLES: 'ok=zk1:2181;bad;v6=::1:2181' },
      [
        { path: 'ZK_EXPORTER_ENSEMBLES[1]', message: 'expected NAME=HOST:PORT[,HOST:PORT...], got "bad"' },
        { path: 'ZK_EXPORTER_ENSEMBLES[2].servers[0]', message: '"::1:2181": put an IPv6 address in brackets, like "[::1]:2181"' },
      ],
    ],
  ])('%s', (_name, argv, env, expected) => {
    expect(problemsOf(argv, env)).toStrictEqual(expected);
  });
});

describe('every problem at once', () => {
  it('reports file, env and flag problems together: file, then env, then flags, then the command line itself', () => {
    const readFile = files({
      'zk.yml': [
        'interval: 5',
        'maxReplyBytes: 12',
        'ensembles:',
        '  - name: kafka',
        '    servers: ["zk1:2181", "zk1:2181"]',
        '    commands: [srst]',
        '',
      ].join('\n'),
    });
    const result = loadConfig({
      argv: ['--config', 'zk.yml', '--timeout', '10s', '--log-format', 'xml', '--nope'],
      env: { ZK_EXPORTER_INTERVAL: '4s', ZK_EXPORTER_CONCURRENCY: 'many', ZK_EXPORTER_ENSEMBLES: 'x=zk1' },
      readFile,
    });
    expect(result).toStrictEqual({
      ok: false,
      problems: [
        { path: 'maxReplyBytes', message: 'must be an integer from 1024 to 1073741824, got 12' },
        { path: 'ensembles[0].commands[0]', message: `"srst" changes server state and is never sent; ${ALLOWED}` },
        { path: 'ensembles[0].servers[1]', message: 'duplicate server "zk1:2181" (also ensembles[0].servers[0])' },
        // Replaced by ZK_EXPORTER_INTERVAL, and still reported.
        { path: 'interval', message: '5 has no unit (ms, s, m or h); did you mean "5s"?' },
        { path: 'ZK_EXPORTER_CONCURRENCY', message: 'must be an integer from 1 to 10000, got "many"' },
        { path: 'ZK_EXPORTER_ENSEMBLES[0].servers[0]', message: '"zk1" has no port; expected HOST:PORT' },
        { path: '--log-format', message: 'must be "json" or "pretty", got "xml"' },
        { path: '--timeout', message: 'timeout (10s) must be less than interval (4s)' },
        { path: '--nope', message: 'unknown option' },
      ],
    });
  });

  it('formatProblems writes one line per problem', () => {
    expect(
      formatProblems([
        { path: 'ensembles[0].servers[1]', message: 'duplicate server "zk1:2181" (also ensembles[0].servers[0])' },
        { path: '--interval', message: 'two\nlines' },
      ]),
    ).toBe(
      'config error: ensembles[0].servers[1]: duplicate server "zk1:2181" (also ensembles[0].servers[0])\n' +
        'config error: --interval: two lines',
    );
  });
});

describe('precedence: flags > env > file > defaults', () => {
  const readFile = files({
    'a.yml': [
      'interval: 10s',
      'timeout: 1s',
      'log: { level: debug }',
      'compat: [dabealu]',
      'ensembles:',
      '  - { name: kafka, servers: ["f1:2181"], commands: [mntr] }',
      '  - { name: hbase, servers: ["f2:2181"] }',
      '  - { name: solr, servers: ["f3:2181"] }',
    ].join('\n'),
    'b.yml': 'interval: 30s\nensembles: [{ name: b, servers: ["b:1"] }]\n',
  });

  it.each<[string, string[], Record<string, string>, number]>([
    ['default', ['--ensemble', 'k=h:1'], {}, 5_000],
    ['file over default', ['--config', 'a.yml'], {}, 10_000],
    ['env over file', ['--config', 'a.yml'], { ZK_EXPORTER_INTERVAL: '20s' }, 20_000],
    ['flag over env', ['--config', 'a.yml', '--interval', '40s'], { ZK_EXPORTER_INTERVAL: '20s' }, 40_000],
    ['flag over file', ['--config', 'a.yml', '--interval', '40s'], {}, 40_000],
    ['empty env counts as unset', ['--config', 'a.yml'], { ZK_EXPORTER_INTERVAL: '' }, 10_000],
    ['--config over ZK_EXPORTER_CONFIG', ['--config', 'b.yml'], { ZK_EXPORTER_CONFIG: 'a.yml' }, 30_000],
    ['ZK_EXPORTER_CONFIG when no --config', [], { ZK_EXPORTER_CONFIG: 'b.yml' }, 30_000],
  ])('interval: %s', (_name, argv, env, intervalMs) => {
    expect(configOf(argv, env, readFile).intervalMs).toBe(intervalMs);
  });

  it('merges log level and format separately', () => {
    expect(configOf(['--config', 'a.yml', '--log-format', 'pretty'], {}, readFile).log).toEqual({ level: 'debug', format: 'pretty' });
    expect(configOf(['--config', 'a.yml'], { ZK_EXPORTER_LOG_LEVEL: 'warn' }, readFile).log).toEqual({ level: 'warn', format: 'json' });
  });

  it('replaces list settings whole', () => {
    expect(configOf(['--config', 'a.yml'], {}, readFile).compat).toEqual(['dabealu']);
    expect(configOf(['--ensemble', 'k=h:1'], { ZK_EXPORTER_COMPAT: 'dabealu' }, readFile).compat).toEqual(['dabealu']);
  });

  it('env and flag ensembles replace file ensembles of the same name in place and append new ones', () => {
    const config = configOf(
      ['--config', 'a.yml', '--ensemble', 'solr=x1:2181', '--ensemble', 'new=x2:2181', '--transport', 'admin', '--admin-port', '8080'],
      { ZK_EXPORTER_ENSEMBLES: 'hbase=e1:2181,e2:2181;solr=e3:2181;zeta=e4:2181', ZK_EXPORTER_TRANSPORT: 'fourletter' },
      readFile,
    );
    expect(config.ensembles).toStrictEqual([
      {
        name: 'kafka',
        servers: [{ host: 'f1', port: 2181 }],
        transport: 'fourletter',
        commands: ['srvr', 'mntr'],
        confIntervalMs: 60_000,
        discovery: true,
      },
      {
        name: 'hbase',
        servers: [
          { host: 'e1', port: 2181, adminPort: 8080 },
          { host: 'e2', port: 2181, adminPort: 8080 },
        ],
        transport: 'admin',
        commands: ['srvr', 'mntr', 'wchs', 'conf'],
        confIntervalMs: 60_000,
        discovery: true,
      },
      {
        name: 'solr',
        servers: [{ host: 'x1', port: 2181, adminPort: 8080 }],
        transport: 'admin',
        commands: ['srvr', 'mntr', 'wchs', 'conf'],
        confIntervalMs: 60_000,
        discovery: true,
      },
      {
        name: 'zeta',
        servers: [{ host: 'e4', port: 2181, adminPort: 8080 }],
        transport: 'admin',
        commands: ['srvr', 'mntr', 'wchs', 'conf'],
        confIntervalMs: 60_000,
        discovery: true,
      },
      {
        name: 'new',
        servers: [{ host: 'x2', port: 2181, adminPort: 8080 }],
        transport: 'admin',
        commands: ['srvr', 'mntr', 'wchs', 'conf'],
        confIntervalMs: 60_000,
        discovery: true,
      },
    ]);
  });

  it('every setting from env, every setting from flags', () => {
    const env = {
      ZK_EXPORTER_LISTEN: '127.0.0.1:9000',
      ZK_EXPORTER_INTERVAL: '1m',
      ZK_EXPORTER_TIMEOUT: '10s',
      ZK_EXPORTER_LOG_LEVEL: 'error',
      ZK_EXPORTER_LOG_FORMAT: 'pretty',
      ZK_EXPORTER_COMPAT: 'dabealu',
      ZK_EXPORTER_CONCURRENCY: '8',
      ZK_EXPORTER_MAX_REPLY_BYTES: '2048',
      ZK_EXPORTER_ENSEMBLES: 'e=zk1:2181',
      ZK_EXPORTER_TRANSPORT: 'admin',
      ZK_EXPORTER_ADMIN_PORT: '8080',
    };
    const fromEnv: AgentConfig = {
      ensembles: [
        {
          name: 'e',
          servers: [{ host: 'zk1', port: 2181, adminPort: 8080 }],
          transport: 'admin',
          commands: ['srvr', 'mntr', 'wchs', 'conf'],
          confIntervalMs: 60_000,
          discovery: true,
        },
      ],
      listen: { host: '127.0.0.1', port: 9000 },
      intervalMs: 60_000,
      fastIntervalMs: 1_000,
      timeoutMs: 10_000,
      maxReplyBytes: 2048,
      concurrency: 8,
      log: { level: 'error', format: 'pretty' },
      compat: ['dabealu'],
    };
    expect(configOf([], env)).toStrictEqual(fromEnv);

    const argv = [
      '--listen=[::1]:9001',
      '--interval',
      '2m',
      '--timeout',
      '20s',
      '--log-level',
      'trace',
      '--log-format',
      'json',
      '--concurrency',
      '4',
      '--max-reply-bytes',
      '4096',
      '--ensemble',
      'f=zk2:2181',
      '--transport',
      'fourletter',
      '--admin-port',
      '9090',
    ];
    expect(configOf(argv, env)).toStrictEqual({
      ensembles: [
        {
          name: 'e',
          servers: [{ host: 'zk1', port: 2181, adminPort: 9090 }],
          transport: 'fourletter',
          commands: ['srvr', 'mntr', 'wchs', 'conf'],
          confIntervalMs: 60_000,
          discovery: true,
        },
        {
          name: 'f',
          servers: [{ host: 'zk2', port: 2181, adminPort: 9090 }],
          transport: 'fourletter',
          commands: ['srvr', 'mntr', 'wchs', 'conf'],
          confIntervalMs: 60_000,
          discovery: true,
        },
      ],
      listen: { host: '::1', port: 9001 },
      intervalMs: 120_000,
      fastIntervalMs: 1_000,
      timeoutMs: 20_000,
      maxReplyBytes: 4096,
      concurrency: 4,
      log: { level: 'trace', format: 'json' },
      compat: ['dabealu'],
    });
  });

  it('an invalid higher-precedence value is reported, not skipped over', () => {
    expect(problemsOf(['--config', fixture('valid-minimal.yml'), '--interval', 'soon'], { ZK_EXPORTER_INTERVAL: '10s' })).toStrictEqual([
      {
        path: '--interval',
        message: '"soon" is not a duration; expected whole numbers with units ms, s, m or h, like "500ms", "5s", "1m30s" or "2h"',
      },
    ]);
  });

  it('a broken file hides nothing else but skips checks that need its values', () => {
    const problems = problemsOf(['--config', fixture('invalid-yaml-syntax.yml'), '--interval', '1s', '--nope']);
    expect(problems).toStrictEqual([
      {
        path: `${fixture('invalid-yaml-syntax.yml')}:5:1`,
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
      { path: '--nope', message: 'unknown option' },
    ]);
  });
});

describe('command line', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--help returns the help text and never prints or exits', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('process.exit called');
    });
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    for (const argv of [['--help'], ['-h'], ['--nope', '--help'], ['--nope', 'x', '--bad=1', '--interval']]) {
      const result = loadConfig({ argv, env: {} });
      expect(result.ok).toBe(false);
    }
    const help = loadConfig({ argv: ['--help'], env: {} });
    expect(help).toMatchObject({ ok: false, problems: [] });
    const text = (help as { help: string }).help;
    expect(text).toContain('Usage: zk-ensemble-exporter [options]');
    for (const name of [
      '--config',
      '--ensemble',
      '--transport',
      '--admin-port',
      '--timeout',
      '--max-reply-bytes',
      '--concurrency',
      '--listen',
      '--interval',
      '--log-level',
      '--log-format',
      '--compat',
      '--hook-url',
      '--hook-secret-file',
      '--alert-hook-url',
      '--receiver-token-file',
      '--state-dir',
      '--dry-run',
      '--peer',
      '--agent-id',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('ZK_EXPORTER_INTERVAL');
    expect(text).toContain('ZK_EXPORTER_HOOK_SECRETS');
    expect(exit).not.toHaveBeenCalled();
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
  });

  it('a status-like subcommand takes the connection options only', () => {
    const status = createCommand('status', 'Polls once.', false);
    expect(status.options.map((o) => o.long)).toStrictEqual([
      '--config',
      '--ensemble',
      '--transport',
      '--admin-port',
      '--tls-ca-file',
      '--tls-cert-file',
      '--tls-key-file',
      '--tls-server-name',
      '--timeout',
      '--max-reply-bytes',
      '--concurrency',
    ]);
    const argv = ['--ensemble', 'kafka=zk1:2181', '--timeout', '1s', '--transport', 'admin', '--admin-port', '8080'];
    const loaded = loadConfig({ argv, env: {}, command: status });
    expect(loaded.ok && loaded.sourceOf(['timeout'])).toBe('--timeout');
    expect(loaded).toStrictEqual({
      ok: true,
      sourceOf: expect.any(Function) as unknown,
      config: {
        ...DEFAULTS,
        timeoutMs: 1_000,
        ensembles: [
          {
            name: 'kafka',
            servers: [{ host: 'zk1', port: 2181, adminPort: 8080 }],
            transport: 'admin',
            commands: ['srvr', 'mntr', 'wchs', 'conf'],
            confIntervalMs: 60_000,
            discovery: true,
          },
        ],
      },
    });
    expect(loadConfig({ argv: ['--listen', '1.2.3.4:1', '--ensemble', 'k=h:1'], env: {}, command: status })).toStrictEqual({
      ok: false,
      problems: [{ path: '--listen', message: 'unknown option' }],
    });
  });

  it('the agent takes the connection options, then its own', () => {
    const connection = new Set(createCommand('status', 'Polls once.', false).options.map((o) => o.long));
    expect(
      createAgentCommand()
        .options.map((o) => o.long)
        .filter((flag) => !connection.has(flag)),
    ).toStrictEqual([
      '--canary-path',
      '--listen',
      '--web.config.file',
      '--interval',
      '--fast-interval',
      '--log-level',
      '--log-format',
      '--compat',
      '--hook-url',
      '--hook-secret-file',
      '--alert-hook-url',
      '--receiver-token-file',
      '--admin-token-file',
      '--state-dir',
      '--dry-run',
      '--peer',
      '--agent-id',
      '--alertmanager-url',
      '--external-url',
    ]);
  });

  it('parseCommandLine keeps repeated list flags and the last scalar, and says where each came from', () => {
    const parsed = parseCommandLine(
      createAgentCommand(),
      ['--compat', 'a', '--compat=b', '--interval', '1s', '--interval', '2s', '--ensemble', 'x=h:1'],
      {
        ZK_EXPORTER_INTERVAL: '9s',
        ZK_EXPORTER_LISTEN: '127.0.0.1:1',
        ZK_EXPORTER_LOG_LEVEL: '',
      },
    );
    expect(parsed.problems).toStrictEqual([]);
    expect(parsed.given.map(({ spec, value, label }) => [spec.flag, value, label])).toStrictEqual([
      ['--ensemble', ['x=h:1'], '--ensemble'],
      ['--listen', '127.0.0.1:1', 'ZK_EXPORTER_LISTEN'],
      ['--interval', '2s', '--interval'],
      ['--compat', ['a', 'b'], '--compat'],
    ]);
  });
});
