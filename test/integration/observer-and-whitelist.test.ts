/**
 * Scenario 6 (3 voters + 1 observer) and scenario 8 (the stock whitelist, `srvr` only, with the
 * AdminServer), each against a real ensemble, with ground truth read from the nodes themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { sampleValue, startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { askNode, nodeTruth } from '../harness/four-letter.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const FLAGS = ['--interval', '1s', '--timeout', '500ms', '--log-level', 'warn'];

describe.skipIf(!zookeeperInstalled())('scenario 6: 3 voters + 1 observer', () => {
  let ensemble: ZkEnsemble;
  let agent: AgentProcess;

  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3, observers: 1 });
    await ensemble.waitServing();
    agent = await startAgent(['--ensemble', `obs=${ensemble.connectString}`, ...FLAGS]);
  });
  afterAll(async () => {
    await agent?.stop();
    await ensemble?.stop();
  });

  const state = () => agent.json<EnsembleState>('/api/v1/ensembles/obs');

  it('counts 3 voters from conf membership, never the observer, and maps every address to its server id', async () => {
    const { value: s } = await waitFor('membership from conf', async () => {
      const s = await state();
      return s.membershipSource === 'conf' && s.quorum === 'healthy' ? s : undefined;
    });
    expect(s.voters).toBe(3);
    expect(s.observers).toBe(1);
    expect(s.majority).toBe(2);
    expect(s.margin).toBe(1);
    const observer = ensemble.nodes.find((n) => n.observer)!;
    expect((await nodeTruth(observer.clientPort))?.mode).toBe('observer');
    const mine = s.nodes.find((n) => n.server === observer.address)!;
    expect(mine).toMatchObject({ role: 'observer', voter: false, serverId: observer.id });
    for (const n of ensemble.nodes) expect(s.nodes.find((x) => x.server === n.address)?.serverId).toBe(n.id);
    const metrics = await agent.metrics();
    expect(sampleValue(metrics, 'zookeeper_ensemble_voters', { ensemble: 'obs' })).toBe(3);
    expect(sampleValue(metrics, 'zookeeper_ensemble_membership_from_conf', { ensemble: 'obs' })).toBe(1);
    expect(sampleValue(metrics, 'zookeeper_server_role', { server: observer.address, role: 'observer' })).toBe(1);
    expect(sampleValue(metrics, 'zookeeper_server_info', { server: observer.address, server_id: String(observer.id) })).toBe(1);
  });

  it('killing the observer changes no margin', async () => {
    const observer = ensemble.nodes.find((n) => n.observer)!;
    await observer.kill();
    const { value: s } = await waitFor('observer down', async () => {
      const s = await state();
      return s.nodes.find((n) => n.server === observer.address)?.role === 'down' ? s : undefined;
    });
    expect(s.voters).toBe(3);
    expect(s.healthyVoters).toBe(3);
    expect(s.margin).toBe(1);
    expect(s.quorum).toBe('healthy');
    // A few more rounds: still unchanged.
    await new Promise((r) => setTimeout(r, 2000));
    const later = await state();
    expect([later.margin, later.quorum, later.voters]).toEqual([1, 'healthy', 3]);
  });
});

describe.skipIf(!zookeeperInstalled())('scenario 8: stock whitelist (srvr only) with the AdminServer', () => {
  let ensemble: ZkEnsemble;
  let withAdmin: AgentProcess;
  let without: AgentProcess;

  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3, whitelist: 'srvr' });
    await ensemble.waitServing();
    // The harness gives each node its own admin port, so they are listed per server in a config file.
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'zk-agent-config-'));
    const file = join(dir, 'config.yml');
    const servers = ensemble.nodes.map((n) => `      - { host: 127.0.0.1, port: ${n.clientPort}, adminPort: ${n.adminPort} }`).join('\n');
    writeFileSync(file, `ensembles:\n  - name: stock\n    servers:\n${servers}\n`);
    withAdmin = await startAgent(['--config', file, ...FLAGS]);
    without = await startAgent(['--ensemble', `stock=${ensemble.connectString}`, ...FLAGS]);
  });
  afterAll(async () => {
    await withAdmin?.stop();
    await without?.stop();
    await ensemble?.stop();
  });

  it('the nodes really refuse mntr over 4lw', async () => {
    expect(await askNode(ensemble.nodes[0]!.clientPort, 'mntr')).toBe('mntr is not executed because it is not in the whitelist.\n');
  });

  it('without an admin port: leader, epoch and quorum still derived from srvr; mntr reported not_whitelisted', async () => {
    const { value: s } = await waitFor('healthy from srvr alone', async () => {
      const s = await without.json<EnsembleState>('/api/v1/ensembles/stock');
      return s.quorum === 'healthy' && s.leader ? s : undefined;
    });
    const leader = (await ensemble.leader())!;
    const truth = (await nodeTruth(leader.clientPort))!;
    expect(s.leader?.server).toBe(leader.address);
    expect(s.leader?.epoch).toBe(Number(truth.zxid >> 32n));
    expect(s.membershipSource).toBe('configured');
    expect([s.voters, s.margin]).toEqual([3, 1]);
    const metrics = await without.metrics();
    for (const n of ensemble.nodes) {
      expect(sampleValue(metrics, 'zookeeper_up', { server: n.address })).toBe(1);
      expect(sampleValue(metrics, 'zookeeper_exporter_command_result', { server: n.address, command: 'mntr', reason: 'not_whitelisted' })).toBe(1);
      expect(sampleValue(metrics, 'zookeeper_mntr_znode_count', { server: n.address })).toBeUndefined();
      expect(sampleValue(metrics, 'zookeeper_exporter_poll_errors_total', { server: n.address, command: 'mntr', reason: 'not_whitelisted' })).toBeGreaterThan(0);
    }
    // Logged once per change, not every round.
    await new Promise((r) => setTimeout(r, 2500));
    const refusals = without.output().split('\n').filter((l) => l.includes('"command":"mntr"') && l.includes('not_whitelisted'));
    expect(refusals).toHaveLength(3);
  });

  it('with admin ports: refused words fall back to the AdminServer, giving the same data as mntr/wchs/conf', async () => {
    const { value: s } = await waitFor('membership from AdminServer conf', async () => {
      const s = await withAdmin.json<EnsembleState>('/api/v1/ensembles/stock');
      return s.quorum === 'healthy' && s.leader && s.membershipSource === 'conf' ? s : undefined;
    });
    // conf over the AdminServer: server ids from /commands/conf, voters from /commands/voting_view.
    expect([s.voters, s.observers, s.margin]).toEqual([3, 0, 1]);
    const metrics = await withAdmin.metrics();
    for (const n of ensemble.nodes) {
      expect(sampleValue(metrics, 'zookeeper_exporter_command_result', { server: n.address, command: 'mntr', reason: 'ok' })).toBe(1);
      expect(sampleValue(metrics, 'zookeeper_exporter_command_result', { server: n.address, command: 'wchs', reason: 'ok' })).toBe(1);
      expect(sampleValue(metrics, 'zookeeper_mntr_znode_count', { server: n.address })).toBeGreaterThan(0);
      expect(sampleValue(metrics, 'zookeeper_wchs_watches', { server: n.address })).toBe(0);
      expect(s.nodes.find((x) => x.server === n.address)?.serverId).toBe(n.id);
    }
    const leader = (await ensemble.leader())!;
    expect(sampleValue(metrics, 'zookeeper_mntr_synced_followers', { server: leader.address })).toBe(2);
  });
});
