import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig, type Problem } from '../../../src/config/load.js';
import type { AgentConfig, HookRuleConfig, HooksConfig, HookTargetConfig } from '../../../src/config/types.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

/** A fake file system. */
function files(contents: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
}

function configOf(argv: string[], env: Record<string, string> = {}, readFile?: (path: string) => string): AgentConfig {
  const result = loadConfig(readFile === undefined ? { argv, env } : { argv, env, readFile });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.config;
}

function hooksOf(argv: string[], env: Record<string, string> = {}, readFile?: (path: string) => string): HooksConfig | undefined {
  return configOf(argv, env, readFile).hooks;
}

function problemsOf(argv: string[], env: Record<string, string> = {}, readFile?: (path: string) => string): Problem[] {
  const result = loadConfig(readFile === undefined ? { argv, env } : { argv, env, readFile });
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

/** A target with every default. */
function target(name: string, url: string): HookTargetConfig {
  return { name, url, timeoutMs: 5_000, maxAgeMs: 3_600_000, concurrency: 2, initialBackoffMs: 1_000, maxBackoffMs: 60_000 };
}

/** The three rules `--hook-url` adds for one target. */
function flagRules(hook: string): HookRuleConfig[] {
  return (['quorum_at_risk', 'quorum_lost', 'quorum_restored'] as const).map((event) => ({
    event,
    hook,
    forMs: 0,
    cooldownMs: 300_000,
    fireOnStartup: false,
  }));
}

/** The section with every default (as `hooks: {}` or a lone hook flag gives it). */
const EMPTY: HooksConfig = {
  dryRun: false,
  agentId: `${hostname()}:9141`,
  secretFiles: [],
  targets: [],
  rules: [],
  alertRoutes: [],
  maintenance: [],
  peers: [],
  peerTimeoutMs: 1_000,
  receiverTokenFiles: [],
  maxBodyBytes: 1_048_576,
};

const K = ['--ensemble', 'kafka=zk1:2181'];

describe('hooks from the file', () => {
  it('valid-hooks.yml gives exactly this HooksConfig', () => {
    const expected: HooksConfig = {
      stateDir: '/var/lib/zk-ensemble-exporter',
      dryRun: false,
      agentId: 'zk1-sidecar',
      secretFiles: ['/etc/zk-hooks/secret', '/etc/zk-hooks/secret.old'],
      targets: [
        {
          name: 'pager',
          url: 'https://automation.example/zk',
          timeoutMs: 10_000,
          maxAgeMs: 7_200_000,
          concurrency: 4,
          initialBackoffMs: 2_000,
          maxBackoffMs: 300_000,
          template: '{"text": "ZooKeeper {{ensemble}}: {{event}}", "details": {{.}} }',
          headers: { 'X-Team': 'sre', Authorization: 'Bearer abc' },
        },
        target('chat.ops', 'http://chat.internal:8080/hooks/zk'),
      ],
      rules: [
        { event: 'quorum_lost', hook: 'pager', ensembles: ['kafka'], forMs: 0, cooldownMs: 600_000, fireOnStartup: true },
        {
          event: 'election_too_long',
          hook: 'chat.ops',
          forMs: 5_000,
          cooldownMs: 300_000,
          fireOnStartup: false,
          electionTooLongMs: 45_000,
        },
        { event: 'quorum_at_risk', hook: 'chat.ops', forMs: 0, cooldownMs: 300_000, fireOnStartup: false },
      ],
      alertRoutes: [
        { hook: 'pager', matchers: ['alertname=~"Zookeeper.*"', 'severity="critical"'], sendResolved: true },
        { hook: 'chat.ops', matchers: [], sendResolved: false },
      ],
      maintenance: [
        { cron: '0 2 * * 0', durationMs: 3_600_000, ensembles: ['kafka'], timezone: 'Europe/Berlin' },
        { cron: '30 0 3 1 * *', durationMs: 5_400_000 },
      ],
      peers: ['http://zk2-sidecar:9141', 'https://zk3-sidecar/exporter'],
      peerTimeoutMs: 2_000,
      receiverTokenFiles: ['/etc/zk-hooks/token'],
      adminListen: { host: '127.0.0.1', port: 9142 },
      maxBodyBytes: 2_097_152,
    };
    const config = configOf(['--config', fixture('valid-hooks.yml')]);
    expect(config.hooks).toStrictEqual(expected);
    expect(config.ensembles.map((e) => e.name)).toStrictEqual(['kafka', 'hbase']);
  });

  it('no hooks section and no hook flag: hooks is not set at all', () => {
    expect('hooks' in configOf(['--config', fixture('valid-minimal.yml')])).toBe(false);
    expect('hooks' in configOf(K, { ZK_EXPORTER_HOOK_SECRETS: '' })).toBe(false);
  });

  it('an empty hooks section gets every default (agentId from the hostname and the listen port)', () => {
    const readFile = files({ 'h.yml': 'listen: "0.0.0.0:9200"\nhooks: {}\n' });
    expect(hooksOf(['--config', 'h.yml', ...K], {}, readFile)).toStrictEqual({ ...EMPTY, agentId: `${hostname()}:9200` });
  });

  it('dry run needs no state dir; peers may point at the same host on another port', () => {
    const readFile = files({
      'h.yml': [
        'hooks:',
        '  dryRun: true',
        '  targets: [{ name: t, url: "https://h.example/" }]',
        '  peers: ["http://localhost:9241"]',
        '',
      ].join('\n'),
    });
    expect(hooksOf(['--config', 'h.yml', ...K], {}, readFile)).toStrictEqual({
      ...EMPTY,
      dryRun: true,
      targets: [target('t', 'https://h.example/')],
      peers: ['http://localhost:9241'],
    });
  });

  it('a template that is not JSON is a config error (the reason comes from JSON.parse)', () => {
    const readFile = files({
      'h.yml': [
        'hooks:',
        '  stateDir: /s',
        '  targets:',
        '    - { name: t, url: "https://h.example/", template: \'{"text": {{event}}\' }',
        '',
      ].join('\n'),
    });
    const problems = problemsOf(['--config', 'h.yml', ...K], {}, readFile);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('hooks.targets[0].template');
    expect(problems[0]!.message).toMatch(/^does not render to valid JSON: /);
  });
});

describe('hooks from flags and env', () => {
  it('--hook-url twice: two targets, three rules each on every ensemble', () => {
    expect(
      hooksOf([...K, '--hook-url', 'https://a.example/zk', '--hook-url', 'http://b.example:8080', '--state-dir', '/var/lib/zk']),
    ).toStrictEqual({
      ...EMPTY,
      stateDir: '/var/lib/zk',
      targets: [target('hook-1', 'https://a.example/zk'), target('hook-2', 'http://b.example:8080')],
      rules: [...flagRules('hook-1'), ...flagRules('hook-2')],
    });
  });

  it('--alert-hook-url: a target alert-hook and one route of every alert, resolved ones not sent', () => {
    expect(hooksOf([...K, '--alert-hook-url', 'https://a.example/alerts', '--receiver-token-file', '/t', '--dry-run'])).toStrictEqual({
      ...EMPTY,
      dryRun: true,
      targets: [target('alert-hook', 'https://a.example/alerts')],
      alertRoutes: [{ hook: 'alert-hook', matchers: [], sendResolved: false }],
      receiverTokenFiles: ['/t'],
    });
  });

  it('any hook flag or env var alone turns the section on', () => {
    expect(hooksOf([...K, '--dry-run'])).toStrictEqual({ ...EMPTY, dryRun: true });
    expect(hooksOf([...K, '--hook-secret-file', '/s'])).toStrictEqual({ ...EMPTY, secretFiles: ['/s'] });
    expect(hooksOf(K, { ZK_EXPORTER_HOOK_SECRETS: 'a,b' })).toStrictEqual(EMPTY);
    expect(hooksOf(K, { ZK_EXPORTER_AGENT_ID: 'me' })).toStrictEqual({ ...EMPTY, agentId: 'me' });
    expect(hooksOf(K, { ZK_EXPORTER_PEERS: 'http://zk2:9141, https://zk3/' })).toStrictEqual({
      ...EMPTY,
      peers: ['http://zk2:9141', 'https://zk3'],
    });
  });

  const readFile = files({
    'h.yml': [
      'ensembles: [{ name: kafka, servers: ["zk1:2181"] }]',
      'hooks:',
      '  stateDir: /from/file',
      '  dryRun: true',
      '  agentId: file-agent',
      '  secretFiles: [/file/secret]',
      '  receiverTokenFiles: [/file/token]',
      '  peers: ["http://file-peer:9141"]',
      '  targets: [{ name: pager, url: "https://pager.example/" }]',
      '  rules:',
      '    - { event: quorum_lost, hook: pager }',
      '    - { event: leader_changed, hook: hook-1, ensembles: [solr] }',
      '  alertmanager: { routes: [{ hook: pager, matchers: [\'severity="critical"\'] }] }',
      '',
    ].join('\n'),
  });

  /** The file's second rule names a flag target and a flag ensemble. */
  const base = ['--config', 'h.yml', '--ensemble', 'solr=s1:2181', '--hook-url', 'https://one.example/'];

  it("flag-made targets, rules and routes are added to the file's; file rules may name them, and flag ensembles", () => {
    const hooks = hooksOf([...base, '--alert-hook-url', 'https://all.example/'], {}, readFile);
    expect(hooks?.targets).toStrictEqual([
      target('pager', 'https://pager.example/'),
      target('hook-1', 'https://one.example/'),
      target('alert-hook', 'https://all.example/'),
    ]);
    expect(hooks?.rules).toStrictEqual([
      { event: 'quorum_lost', hook: 'pager', forMs: 0, cooldownMs: 300_000, fireOnStartup: false },
      { event: 'leader_changed', hook: 'hook-1', ensembles: ['solr'], forMs: 0, cooldownMs: 300_000, fireOnStartup: false },
      ...flagRules('hook-1'),
    ]);
    expect(hooks?.alertRoutes).toStrictEqual([
      { hook: 'pager', matchers: ['severity="critical"'], sendResolved: false },
      { hook: 'alert-hook', matchers: [], sendResolved: false },
    ]);
  });

  it.each<[string, string[], Record<string, string>, Partial<HooksConfig>]>([
    ['file', [], {}, { stateDir: '/from/file', dryRun: true, agentId: 'file-agent', peers: ['http://file-peer:9141'] }],
    [
      'env over file',
      [],
      {
        ZK_EXPORTER_STATE_DIR: '/from/env',
        ZK_EXPORTER_DRY_RUN: 'false',
        ZK_EXPORTER_AGENT_ID: 'env-agent',
        ZK_EXPORTER_PEERS: 'http://e1:9141,http://e2:9141',
      },
      { stateDir: '/from/env', dryRun: false, agentId: 'env-agent', peers: ['http://e1:9141', 'http://e2:9141'] },
    ],
    [
      'flags over env',
      ['--state-dir', '/from/flag', '--dry-run', '--agent-id', 'flag-agent', '--peer', 'http://f1:9141'],
      {
        ZK_EXPORTER_STATE_DIR: '/from/env',
        ZK_EXPORTER_DRY_RUN: 'false',
        ZK_EXPORTER_AGENT_ID: 'env-agent',
        ZK_EXPORTER_PEERS: 'http://e1:9141',
      },
      { stateDir: '/from/flag', dryRun: true, agentId: 'flag-agent', peers: ['http://f1:9141'] },
    ],
    ['empty env counts as unset', [], { ZK_EXPORTER_STATE_DIR: '', ZK_EXPORTER_DRY_RUN: '' }, { stateDir: '/from/file', dryRun: true }],
  ])('precedence: %s', (_name, argv, env, expected) => {
    expect(hooksOf([...base, ...argv], env, readFile)).toMatchObject(expected);
  });

  it("secret and token files from flags come after the file's", () => {
    const hooks = hooksOf([...base, '--hook-secret-file', '/flag/secret', '--receiver-token-file', '/flag/token'], {}, readFile);
    expect(hooks?.secretFiles).toStrictEqual(['/file/secret', '/flag/secret']);
    expect(hooks?.receiverTokenFiles).toStrictEqual(['/file/token', '/flag/token']);
  });
});

/** Flag and env inputs (with one valid ensemble) and their exact problems. */
const INVALID: Array<[name: string, argv: string[], env: Record<string, string>, problems: Problem[]]> = [
  [
    'bad hook URLs, never repeated in the message',
    [
      '--hook-url',
      'ftp://x.example/',
      '--hook-url',
      'https://user:hunter2@x.example/',
      '--alert-hook-url',
      '',
      '--state-dir',
      '/s',
      '--receiver-token-file',
      '/t',
    ],
    {},
    [
      { path: '--hook-url[0]', message: 'must start with http:// or https://' },
      { path: '--hook-url[1]', message: 'must not contain a user name or password; put credentials in headers' },
      { path: '--alert-hook-url', message: 'empty; expected an http:// or https:// URL' },
    ],
  ],
  [
    'targets without a state dir, routes without a token (paths at the flags when the file has no hooks)',
    ['--hook-url', 'https://x.example/', '--alert-hook-url', 'https://y.example/'],
    {},
    [
      {
        path: '--state-dir',
        message:
          'a state dir is required for hook targets (the outbox lives there): set hooks.stateDir in the config file, or give --state-dir or ZK_EXPORTER_STATE_DIR; or turn on dry run',
      },
      {
        path: '--receiver-token-file',
        message:
          'a receiver token is required for alert routes (only Alertmanager may post alerts): list token files under hooks.receiverTokenFiles in the config file, or give --receiver-token-file',
      },
    ],
  ],
  [
    'env values',
    [],
    {
      ZK_EXPORTER_DRY_RUN: 'yes',
      ZK_EXPORTER_PEERS: 'http://zk2:9141, http://zk2:9141/',
      ZK_EXPORTER_AGENT_ID: 'my agent',
      ZK_EXPORTER_STATE_DIR: '/s',
    },
    [
      { path: 'ZK_EXPORTER_DRY_RUN', message: 'must be true or false, got "yes"' },
      { path: 'ZK_EXPORTER_AGENT_ID', message: 'must be printable ASCII without spaces, got "my agent"' },
      { path: 'ZK_EXPORTER_PEERS[1]', message: 'duplicate peer "http://zk2:9141"' },
    ],
  ],
  [
    'secrets env without a secret (its text is never quoted)',
    [],
    { ZK_EXPORTER_HOOK_SECRETS: ' ,\n, ' },
    [{ path: 'ZK_EXPORTER_HOOK_SECRETS', message: 'holds no secret; separate secrets with commas or newlines' }],
  ],
  ['--dry-run takes no value', ['--dry-run=false'], {}, [{ path: '--dry-run', message: 'takes no value; give it alone to turn it on' }]],
  [
    'empty file flags',
    ['--hook-secret-file', '', '--receiver-token-file', '/t', '--receiver-token-file', '/t'],
    {},
    [
      { path: '--hook-secret-file[0]', message: 'empty; expected a file path' },
      { path: '--receiver-token-file[1]', message: 'duplicate file "/t"' },
    ],
  ],
  [
    'a peer that is this agent: by its listen address or its default id',
    ['--listen', '0.0.0.0:9300', '--peer', 'http://localhost:9300/', '--peer', `https://${hostname()}:9300`, '--peer', 'http://[::1]:9300'],
    {},
    [
      { path: '--peer[0]', message: 'is this agent itself (the address of listen); list only the other agents' },
      { path: '--peer[1]', message: 'is this agent itself (the address of listen); list only the other agents' },
      { path: '--peer[2]', message: 'is this agent itself (the address of listen); list only the other agents' },
    ],
  ],
  [
    'a peer at the default agent id with a specific listen host',
    ['--listen', '10.0.0.1:9300', '--peer', `http://${hostname()}:9300`, '--peer', 'http://10.0.0.1:9301'],
    {},
    [{ path: '--peer[0]', message: 'is this agent itself (its default agentId); list only the other agents' }],
  ],
  [
    'a flag interval below the default peer timeout points at the interval',
    ['--interval', '1s', '--timeout', '500ms', '--peer', 'http://zk2:9141'],
    {},
    [{ path: '--interval', message: 'peerTimeout (1s) must be less than interval (1s)' }],
  ],
];

describe('invalid hook flags and env', () => {
  it.each(INVALID)('%s', (_name, argv, env, expected) => {
    expect(problemsOf([...K, ...argv], env)).toStrictEqual(expected);
  });

  it('a flag target whose name a file target already has', () => {
    const readFile = files({ 'h.yml': 'hooks:\n  stateDir: /s\n  targets: [{ name: hook-1, url: "https://x.example/" }]\n' });
    expect(problemsOf(['--config', 'h.yml', ...K, '--hook-url', 'https://y.example/'], {}, readFile)).toStrictEqual([
      {
        path: '--hook-url[0]',
        message: 'would add a target named "hook-1", but hooks.targets[0] already has that name; rename that target',
      },
    ]);
  });

  it('adminListen on the port of listen', () => {
    const readFile = files({ 'h.yml': 'hooks:\n  adminListen: "127.0.0.1:9400"\n' });
    expect(problemsOf(['--config', 'h.yml', ...K, '--listen', '0.0.0.0:9400'], {}, readFile)).toStrictEqual([
      {
        path: 'hooks.adminListen',
        message:
          'uses the port of listen (0.0.0.0:9400); pick another port, or leave adminListen unset to serve the receiver and the hooks API on listen',
      },
    ]);
    expect(hooksOf(['--config', 'h.yml', ...K, '--listen', '127.0.0.1:9401'], {}, readFile)?.adminListen).toStrictEqual({
      host: '127.0.0.1',
      port: 9400,
    });
  });

  it('references to flag and env ensembles are checked against the merged ensembles', () => {
    const readFile = files({
      'h.yml':
        'hooks:\n  dryRun: true\n  targets: [{ name: t, url: "https://x.example/" }]\n  rules: [{ event: split_brain, hook: t, ensembles: [kafka, solr] }]\n',
    });
    expect(problemsOf(['--config', 'h.yml', ...K], {}, readFile)).toStrictEqual([
      { path: 'hooks.rules[0].ensembles[1]', message: 'unknown ensemble "solr"; ensembles: kafka' },
    ]);
    expect(hooksOf(['--config', 'h.yml', ...K], { ZK_EXPORTER_ENSEMBLES: 'solr=s1:2181' }, readFile)?.rules).toStrictEqual([
      { event: 'split_brain', hook: 't', ensembles: ['kafka', 'solr'], forMs: 0, cooldownMs: 300_000, fireOnStartup: false },
    ]);
  });

  it('no message ever holds a secret: env secrets, hook URLs, header values', () => {
    const readFile = files({
      'h.yml': [
        'hooks:',
        '  targets:',
        '    - { name: a, url: "https://hooks.example/T0/B0/s3cr3t-path", concurrency: 0, headers: { Authorization: 12345678, X-Bad: "s3cr3t-header\\n" } }',
        '    - { name: b, url: "https://user:s3cr3t-password@hooks.example/" }',
        '',
      ].join('\n'),
    });
    const problems = problemsOf(
      ['--config', 'h.yml', ...K, '--hook-url', 'http//s3cr3t-flag'],
      { ZK_EXPORTER_HOOK_SECRETS: 's3cr3t-env', ZK_EXPORTER_DRY_RUN: 'maybe' },
      readFile,
    );
    expect(problems.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(problems)).not.toMatch(/s3cr3t|12345678/);
  });
});
