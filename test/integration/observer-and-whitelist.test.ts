/**
 * Scenario 6 (3 voters + 1 observer) and scenario 8 (the stock whitelist, `srvr` only, with the
 * AdminServer), each against a real ensemble, with ground truth read from the nodes themselves.
 * Each test sets up what it needs, so none depends on the order they run in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { askNode, nodeTruth } from '../harness/four-letter.js';
import { holdsFor, waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const INTERVAL_MS = 1000;
const FLAGS = ['--interval', `${INTERVAL_MS}ms`, '--timeout', '500ms', '--log-level', 'warn'];

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
  const observerNode = () => ensemble.nodes.find((n) => n.observer)!;

  /** Every node (the observer too) serving, and the agent seeing them all, membership from conf. */
  async function allServing(): Promise<EnsembleState> {
    for (const n of ensemble.nodes) n.start();
    await ensemble.waitServing(30_000, ensemble.nodes);
    const { value } = await waitFor(
      'membership from conf, every node up',
      async () => {
        const s = await state();
        return s.membershipSource === 'conf' && s.quorum === 'healthy' && s.nodes.every((n) => n.role !== 'down') ? s : undefined;
      },
      30_000,
    );
    return value;
  }

  it('counts 3 voters from conf membership, never the observer, and maps every address to its server id', async () => {
    const s = await allServing();
    expect(s.voters).toBe(3);
    expect(s.observers).toBe(1);
    expect(s.majority).toBe(2);
    expect(s.margin).toBe(1);
    const observer = observerNode();
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
    await allServing();
    const observer = observerNode();
    await observer.kill();
    const { value: s } = await waitFor('observer down', async () => {
      const s = await state();
      return s.nodes.find((n) => n.server === observer.address)?.role === 'down' ? s : undefined;
    });
    expect(s.voters).toBe(3);
    expect(s.healthyVoters).toBe(3);
    expect(s.margin).toBe(1);
    expect(s.quorum).toBe('healthy');
    // Nor does it later: two more poll rounds (each re-polls the dead observer and re-derives the
    // quorum) are enough for a miscount to show.
    await holdsFor(2 * INTERVAL_MS, async () => {
      const later = await state();
      expect([later.margin, later.quorum, later.voters]).toEqual([1, 'healthy', 3]);
    });
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
    const { value: leader } = await waitFor('a leader', () => ensemble.leader());
    const truth = await nodeTruth(leader.clientPort);
    if (!truth) throw new Error(`leader ${leader.address} stopped serving`);
    expect(s.leader?.server).toBe(leader.address);
    expect(s.leader?.epoch).toBe(Number(truth.zxid >> 32n));
    expect(s.membershipSource).toBe('configured');
    expect([s.voters, s.margin]).toEqual([3, 1]);
    const metrics = await without.metrics();
    for (const n of ensemble.nodes) {
      expect(sampleValue(metrics, 'zookeeper_up', { server: n.address })).toBe(1);
      expect(
        sampleValue(metrics, 'zookeeper_exporter_command_result', { server: n.address, command: 'mntr', reason: 'not_whitelisted' }),
      ).toBe(1);
      expect(sampleValue(metrics, 'zookeeper_mntr_znode_count', { server: n.address })).toBeUndefined();
      expect(
        sampleValue(metrics, 'zookeeper_exporter_poll_errors_total', { server: n.address, command: 'mntr', reason: 'not_whitelisted' }),
      ).toBeGreaterThan(0);
    }
    // Logged once per change, not every round: after two more refused rounds on every node (their
    // error counters moved on by two), still one line per node.
    const errors = (m: string, address: string) =>
      sampleValue(m, 'zookeeper_exporter_poll_errors_total', { server: address, command: 'mntr', reason: 'not_whitelisted' }) ?? 0;
    await waitFor('two more refused rounds on every node', async () => {
      const later = await without.metrics();
      return ensemble.nodes.every((n) => errors(later, n.address) >= errors(metrics, n.address) + 2) ? true : undefined;
    });
    const refusals = without
      .output()
      .split('\n')
      .filter((l) => l.includes('"command":"mntr"') && l.includes('not_whitelisted'));
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
    const { value: leader } = await waitFor('a leader', () => ensemble.leader());
    expect(sampleValue(metrics, 'zookeeper_mntr_synced_followers', { server: leader.address })).toBe(2);
  });
});
