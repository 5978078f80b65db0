/** The built agent as a user runs it: exit codes, every config problem at once, HTTP endpoints, SIGTERM. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MAIN, sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { freePort } from '../harness/ports.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('command line', () => {
  it('a bad config file and a bad flag exit 2 and list every problem with its path', () => {
    const run = spawnSync(process.execPath, [AGENT_MAIN, '--config', 'test/fixtures/config/invalid-unknown-keys.yml', '--interval', '5'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'config error: log.colour: unknown key; allowed: level, format',
      'config error: ensembles[0].servers[1].admin_port: unknown key; did you mean "adminPort"?',
      'config error: ensembles[0].server: unknown key; did you mean "servers"?',
      'config error: intervall: unknown key; did you mean "interval"?',
      'config error: scrapeTimeout: unknown key; allowed: listen, webConfigFile, interval, fastInterval, timeout, maxReplyBytes, concurrency, log, compat, ensembles, hooks, alertmanager',
      'config error: --interval: "5" has no unit (ms, s, m or h); did you mean "5s"?',
    ]);
  });

  it('an env problem is reported with the variable name, and flags win over env', () => {
    const env = { ...process.env, ZK_EXPORTER_TIMEOUT: 'soon', ZK_EXPORTER_INTERVAL: '10s' };
    const run = spawnSync(process.execPath, [AGENT_MAIN, '--ensemble', 'a=127.0.0.1:1', '--interval', '1s'], { env, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('config error: ZK_EXPORTER_TIMEOUT: ');
  });

  it('--help exits 0 through node dist/main.js and npm start', () => {
    const direct = execFileSync(process.execPath, [AGENT_MAIN, '--help'], { encoding: 'utf8' });
    expect(direct).toContain('--ensemble <name=host:port,...>');
    expect(direct).toContain('--listen');
    const viaNpm = execFileSync('npm', ['start', '--silent', '--', '--help'], { cwd: root, encoding: 'utf8' });
    expect(viaNpm).toBe(direct);
  });

  it('an unreadable hook secret file exits 2 naming the file, never starting', () => {
    const run = spawnSync(
      process.execPath,
      [
        AGENT_MAIN,
        '--ensemble',
        'a=127.0.0.1:1',
        '--hook-url',
        'http://127.0.0.1:9/hook',
        '--hook-secret-file',
        '/nonexistent/secret',
        '--state-dir',
        path.join(root, '.state-never-created'),
        '--listen',
        '127.0.0.1:0',
      ],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('config error: hooks: hook secret file /nonexistent/secret cannot be read (ENOENT)\n');
  });

  it('status with a bad option exits 3 (unknown), as monitoring plugins do', () => {
    const run = spawnSync(process.execPath, [AGENT_MAIN, 'status', '--output', 'xml', '--listen', '1.2.3.4:1'], { encoding: 'utf8' });
    expect(run.status).toBe(3);
    expect(run.stderr.trim().split('\n')).toEqual([
      'config error: --ensemble: at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ZK_EXPORTER_ENSEMBLES',
      'config error: --listen: unknown option',
      'config error: --output: must be "table" or "json", got "xml"',
    ]);
  });

  it('--version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [AGENT_MAIN, '--version'], { encoding: 'utf8' })).toBe(`${pkg.version}\n`);
  });

  it('check-config prints each setting with its source and never a hook URL; exit 0', () => {
    const env = { ...process.env, ZK_EXPORTER_INTERVAL: '10s' };
    const args = [AGENT_MAIN, 'check-config', '--config', 'test/fixtures/config/valid-hooks.yml', '--timeout', '1s'];
    const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('config OK');
    expect(lines[2]).toMatch(/^interval +ZK_EXPORTER_INTERVAL +10s$/);
    expect(lines[3]).toMatch(/^timeout +--timeout +1s$/);
    expect(lines[4]).toMatch(/^maxReplyBytes +default +1048576$/);
    expect(run.stdout).toMatch(/\nensemble kafka +file +zk1:2181; fourletter; srvr mntr wchs conf; conf every 1m\n/);
    expect(run.stdout).toMatch(/\nhooks +file +targets pager, chat\.ops; 3 rules; /);
    expect(run.stdout).not.toMatch(/https?:\/\//);
  });

  it('check-config with a bad config exits 2 and lists every problem', () => {
    const run = spawnSync(process.execPath, [AGENT_MAIN, 'check-config', '--config', 'test/fixtures/config/invalid-unknown-keys.yml'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('config error: intervall: unknown key; did you mean "interval"?\n');
  });
});

describe.skipIf(!zookeeperInstalled())('status against a real ensemble', () => {
  let ensemble: ZkEnsemble;

  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
  }, 120_000);
  afterAll(async () => {
    await ensemble?.stop();
  });

  it('--output json prints what GET /api/v1/ensembles serves, exit 0 when healthy', async () => {
    const run = await runCli(['status', '--ensemble', `local=${ensemble.connectString}`, '--output', 'json']);
    const body = JSON.parse(run.out) as {
      ensembles: Array<{ name: string; quorum: string; splitBrain: boolean; voters: number; nodes: Array<{ role: string }> }>;
    };
    const seen = body.ensembles.map((e) => [e.name, e.quorum, e.splitBrain, e.voters, e.nodes.map((n) => n.role).sort()]);
    expect([run.code, seen]).toEqual([0, [['local', 'healthy', false, 3, ['follower', 'follower', 'leader']]]]);
  });

  it('exits 1 (warning) when one of three voters is down', async () => {
    await ensemble.nodes[0]!.kill();
    const run = await runCli(['status', '--ensemble', `local=${ensemble.connectString}`, '--timeout', '1s']);
    expect(run.out).toContain('quorum AT_RISK: 2/3 voters healthy');
    expect(run.code).toBe(1);
  });
});

/** Runs the built CLI without blocking the event loop. */
function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT_MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('HTTP endpoints against nodes that are all down', () => {
  let agent: AgentProcess;
  let closedPort: number;

  beforeAll(async () => {
    closedPort = await freePort(); // nothing listens there: every poll is refused
    agent = await startAgent(['--ensemble', `gone=127.0.0.1:${closedPort}`, '--interval', '500ms', '--timeout', '200ms']);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('/healthz and /readyz answer 200 once the first round is done', async () => {
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${agent.url}/readyz`)).status).toBe(200);
  });

  it('a node that refuses is down with reason refused, never zeros', async () => {
    const metrics = await agent.metrics();
    const server = `127.0.0.1:${closedPort}`;
    expect(sampleValue(metrics, 'zookeeper_up', { ensemble: 'gone', server })).toBe(0);
    expect(sampleValue(metrics, 'zookeeper_exporter_command_result', { server, command: 'srvr', reason: 'refused' })).toBe(1);
    expect(sampleValue(metrics, 'zookeeper_server_outstanding_requests', { server })).toBeUndefined();
    expect(sampleValue(metrics, 'zookeeper_ensemble_quorum_state', { ensemble: 'gone', state: 'lost' })).toBe(1);
  });

  it('an unknown ensemble is 404 with a reason', async () => {
    const res = await fetch(`${agent.url}/api/v1/ensembles/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'unknown ensemble "nope"', known: ['gone'] });
    const all = await agent.json<{ ensembles: Array<{ name: string }> }>('/api/v1/ensembles');
    expect(all.ensembles.map((e) => e.name)).toEqual(['gone']);
  });

  it('SIGTERM stops it with exit code 0', async () => {
    expect(await agent.stop()).toBe(0);
  });
});
