/**
 * `--web.config.file` on a real agent process: HTTPS with the test's own CA, basic auth with a
 * `$2y$` bcrypt hash (as `htpasswd -B` writes it), and client certificates required; real TLS clients.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MAIN } from '../harness/agent-process.js';
import { CertDir, type KeyPair } from '../harness/certs.js';
import { freePort } from '../harness/ports.js';
import { waitFor } from '../harness/wait.js';

const USER = 'prometheus';
const PASSWORD = 'scrape-pass: with a colon';

let certs: CertDir;
let ca: KeyPair;
let server: KeyPair;
let client: KeyPair;
const children: ChildProcess[] = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GETs `pathname` over HTTPS trusting only the test CA; rejects when the connection is refused. */
function get(port: number, pathname: string, opts: { auth?: string; cert?: KeyPair } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        ca: fs.readFileSync(ca.certFile),
        servername: 'localhost',
        agent: false,
        ...(opts.auth === undefined ? {} : { headers: { authorization: `Basic ${Buffer.from(opts.auth).toString('base64')}` } }),
        ...(opts.cert ? { cert: fs.readFileSync(opts.cert.certFile), key: fs.readFileSync(opts.cert.keyFile) } : {}),
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Starts the agent with `webConfig` (YAML text) on a free port; resolves once it answers over TLS. */
async function startSecured(name: string, webConfig: string, ready: (port: number) => Promise<boolean>): Promise<number> {
  const file = path.join(certs.dir, `${name}.web.yml`);
  fs.writeFileSync(file, webConfig);
  const port = await freePort();
  // Port 1 refuses at once: the polls do not matter here, only the endpoints.
  const child = spawn(
    process.execPath,
    [AGENT_MAIN, '--ensemble', 'x=127.0.0.1:1', '--web.config.file', file, '--listen', `127.0.0.1:${port}`],
    {
      stdio: 'ignore',
    },
  );
  children.push(child);
  await waitFor(`the ${name} agent over TLS`, async () => ((await ready(port)) ? true : undefined));
  return port;
}

function exitOf(webConfig: string): { status: number | null; stderr: string } {
  const file = path.join(certs.dir, `bad-${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, webConfig);
  const run = spawnSync(
    process.execPath,
    [AGENT_MAIN, '--ensemble', 'x=127.0.0.1:1', '--web.config.file', file, '--listen', '127.0.0.1:0'],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  return { status: run.status, stderr: run.stderr };
}

beforeAll(() => {
  certs = new CertDir();
  ca = certs.ca('web-ca');
  server = certs.leaf(ca, { name: 'agent', altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
  client = certs.leaf(ca, { name: 'scraper', usage: 'clientAuth' });
});

afterAll(async () => {
  await Promise.all(
    children.map((child): Promise<unknown> => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
  certs?.remove();
});

describe('TLS and basic auth', () => {
  let port: number;
  beforeAll(async () => {
    const hash = bcrypt.hashSync(PASSWORD, 6).replace(/^\$2b\$/, '$2y$');
    const config = `tls_server_config:\n  cert_file: ${server.certFile}\n  key_file: ${server.keyFile}\n  min_version: TLS12\nbasic_auth_users:\n  ${USER}: '${hash}'\n`;
    port = await startSecured('basic', config, async (p) => (await get(p, '/healthz', { auth: `${USER}:${PASSWORD}` })).status === 200);
  }, 30_000);

  it('no credentials: 401 with WWW-Authenticate, on every endpoint', async () => {
    for (const pathname of ['/metrics', '/api/v1/ensembles', '/', '/healthz', '/api/v1/hooks/status']) {
      const answer = await get(port, pathname);
      expect(answer.status, pathname).toBe(401);
      expect(answer.headers['www-authenticate'], pathname).toBe('Basic realm="zk-ensemble-exporter", charset="UTF-8"');
    }
  });

  it('the right user and password: 200 with the metrics', async () => {
    const answer = await get(port, '/metrics', { auth: `${USER}:${PASSWORD}` });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('zookeeper_exporter_');
  });

  it('a wrong password or an unknown user: 401', async () => {
    expect((await get(port, '/metrics', { auth: `${USER}:wrong` })).status).toBe(401);
    expect((await get(port, '/metrics', { auth: `someone:${PASSWORD}` })).status).toBe(401);
  });
});

describe('client certificates required (RequireAndVerifyClientCert)', () => {
  let port: number;
  beforeAll(async () => {
    const config = `tls_server_config:\n  cert_file: ${server.certFile}\n  key_file: ${server.keyFile}\n  client_ca_file: ${ca.certFile}\n  client_auth_type: RequireAndVerifyClientCert\n`;
    port = await startSecured('mtls', config, async (p) => (await get(p, '/healthz', { cert: client })).status === 200);
  }, 30_000);

  it('refused without a client certificate', async () => {
    await expect(get(port, '/metrics')).rejects.toThrow();
  });

  it('refused with a certificate from another CA', async () => {
    const otherCa = certs.ca('stranger-ca');
    const stranger = certs.leaf(otherCa, { name: 'stranger', usage: 'clientAuth' });
    await expect(get(port, '/metrics', { cert: stranger })).rejects.toThrow();
  });

  it('accepted with one the client CA signed', async () => {
    expect((await get(port, '/metrics', { cert: client })).status).toBe(200);
  });
});

describe('a bad web config file exits 2 naming the field', () => {
  it('a missing cert_file', () => {
    const missing = path.join(certs.dir, 'nope.pem');
    expect(exitOf(`tls_server_config:\n  cert_file: ${missing}\n  key_file: ${server.keyFile}\n`)).toEqual({
      status: 2,
      stderr: `config error: web.config.file: tls_server_config.cert_file: ${missing}: no such file\n`,
    });
  });

  it('an unknown key', () => {
    expect(exitOf(`tls_server_config:\n  cert_file: ${server.certFile}\n  key_file: ${server.keyFile}\n  cipher_suite: x\n`)).toEqual({
      status: 2,
      stderr:
        'config error: web.config.file: tls_server_config.cipher_suite: unknown key; expected one of cert_file, key_file, client_ca_file, client_auth_type, min_version, max_version\n',
    });
  });

  it('a password instead of a bcrypt hash (never echoed)', () => {
    const run = exitOf(`basic_auth_users:\n  ${USER}: plain-secret\n`);
    expect(run).toEqual({
      status: 2,
      stderr: `config error: web.config.file: basic_auth_users.${USER}: must be a bcrypt hash ($2y$, $2b$ or $2a$, as htpasswd -B makes)\n`,
    });
  });
});
