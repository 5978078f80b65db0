/**
 * TLS to a real ZooKeeper 3.8 standalone node serving `secureClientPort` with `ssl.clientAuth=need`,
 * certificates made by the test. One agent watches the same node as several ensembles, each with
 * other TLS settings, so one JVM covers every case: right CA and client certificate, wrong CA, no
 * client certificate, wrong name, the plaintext port, and insecureSkipVerify.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { AGENT_MAIN, sampleValue, startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { CertDir, type KeyPair } from '../harness/certs.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const STORE_PASSWORD = 'test-store-pass';

let certs: CertDir;
let ca: KeyPair;
let client: KeyPair;
let otherCa: KeyPair;
let zk: ZkEnsemble;
let agent: AgentProcess;
let configFile: string;

/** One ensemble of the config: the node's secure port (or `port`) with these TLS settings. */
function ensemble(name: string, tls: Record<string, unknown>, port?: number): Record<string, unknown> {
  return { name, servers: [`127.0.0.1:${port ?? zk.nodes[0]!.secureClientPort!}`], commands: ['srvr', 'mntr'], tls };
}

async function node(name: string): Promise<EnsembleState['nodes'][number]> {
  const state = await agent.json<EnsembleState>(`/api/v1/ensembles/${name}`);
  return state.nodes[0]!;
}

describe.skipIf(!zookeeperInstalled())('TLS to ZooKeeper (secureClientPort, clientAuth=need)', () => {
  beforeAll(async () => {
    certs = new CertDir();
    ca = certs.ca('zk-ca');
    otherCa = certs.ca('other-ca');
    const server = certs.leaf(ca, { name: 'zk-server', altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
    client = certs.leaf(ca, { name: 'exporter', usage: 'clientAuth' });
    zk = await ZkEnsemble.start({
      voters: 1,
      admin: false,
      tls: {
        keyStore: certs.keyStore(server, ca, STORE_PASSWORD),
        trustStore: certs.trustStore(ca, STORE_PASSWORD),
        password: STORE_PASSWORD,
        clientAuth: 'need',
      },
    });
    await zk.waitServing();
    const withCert = { caFile: ca.certFile, certFile: client.certFile, keyFile: client.keyFile };
    configFile = path.join(certs.dir, 'agent.yaml');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        interval: '2s',
        timeout: '1500ms',
        ensembles: [
          ensemble('right', withCert),
          ensemble('wrong-ca', { ...withCert, caFile: otherCa.certFile }),
          ensemble('no-client-cert', { caFile: ca.certFile }),
          ensemble('wrong-name', { ...withCert, serverName: 'zk.example.org' }),
          ensemble('plaintext-port', withCert, zk.nodes[0]!.clientPort),
          ensemble('insecure', { certFile: client.certFile, keyFile: client.keyFile, insecureSkipVerify: true }),
        ],
      }),
    );
    agent = await startAgent(['--config', configFile], 40_000);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await zk?.stop();
    certs?.remove();
  });

  it('the right CA and a client certificate: up with the right role', async () => {
    const { value } = await waitFor('the node up over TLS', async () => {
      const found = await node('right');
      return found.role === 'down' ? undefined : found;
    });
    expect(value.role).toBe('standalone');
    expect(value.reason).toBeUndefined();
  });

  it('a CA that did not sign the node: down with reason tls, detail unknown CA', async () => {
    expect(await node('wrong-ca')).toMatchObject({ role: 'down', reason: 'tls' });
    const metrics = await agent.metrics();
    expect(sampleValue(metrics, 'zookeeper_exporter_command_result', { ensemble: 'wrong-ca', command: 'srvr', reason: 'tls' })).toBe(1);
    expect(agent.output()).toMatch(/"ensemble":"wrong-ca".*"to":"tls".*"detail":"certificate signed by an unknown CA \(/);
  });

  it('no client certificate where the node requires one: down with reason tls, saying so', async () => {
    expect(await node('no-client-cert')).toMatchObject({ role: 'down', reason: 'tls' });
    expect(agent.output()).toMatch(/"ensemble":"no-client-cert".*"to":"tls".*"detail":"server requires a client certificate it trusts \(/);
  });

  it('a serverName the certificate does not carry: down with reason tls, name mismatch', async () => {
    expect(await node('wrong-name')).toMatchObject({ role: 'down', reason: 'tls' });
    expect(agent.output()).toMatch(
      /"ensemble":"wrong-name".*"to":"tls".*"detail":"certificate name mismatch: not valid for \\"zk.example.org\\"/,
    );
  });

  it('TLS to the plaintext port fails as tls, never retried in plaintext', async () => {
    expect(await node('plaintext-port')).toMatchObject({ role: 'down', reason: 'tls' });
  });

  it('insecureSkipVerify: up, with a warning and zookeeper_exporter_tls_insecure 1', async () => {
    const { value } = await waitFor('the insecure ensemble up', async () => {
      const found = await node('insecure');
      return found.role === 'down' ? undefined : found;
    });
    expect(value.role).toBe('standalone');
    expect(sampleValue(await agent.metrics(), 'zookeeper_exporter_tls_insecure', { ensemble: 'insecure' })).toBe(1);
    expect(sampleValue(await agent.metrics(), 'zookeeper_exporter_tls_insecure', { ensemble: 'right' })).toBeUndefined();
    expect(agent.output()).toMatch(/"ensembles":\["insecure"\].*not verified \(insecureSkipVerify\)/);
  });

  it('an unreadable key file: exit 2 with config error naming the file', () => {
    const missing = path.join(certs.dir, 'missing.key.pem');
    const run = spawnSync(
      process.execPath,
      [
        AGENT_MAIN,
        '--ensemble',
        'x=127.0.0.1:1',
        '--tls-ca-file',
        ca.certFile,
        '--tls-cert-file',
        client.certFile,
        '--tls-key-file',
        missing,
        '--listen',
        '127.0.0.1:0',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`config error: ${missing}: no such file\n`);
  });
});
