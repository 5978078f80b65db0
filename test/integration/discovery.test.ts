/**
 * Truth from any vantage point, on one real 3-voter ensemble whose member lines carry client addresses
 * (`server.N=…:participant;127.0.0.1:<clientPort>`, ZooKeeper's dynamic form): an agent given one
 * address polls every member; three sidecar agents given `localhost:<port>` each agree with it; the
 * `status` command given two followers says healthy; and once two of three are killed, the agent that
 * saw them answer says lost while a fresh `status` from the survivor's address says unknown.
 * Ground truth is read from the nodes directly (test/harness/four-letter.ts), never from the agent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { AGENT_MAIN, sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { nodeTruth } from '../harness/four-letter.js';
import { waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled, type ZkNode } from '../harness/zookeeper.js';

const INTERVAL_MS = 1000;
const TIMEOUT_MS = 500;
const AGENT_FLAGS = ['--interval', `${INTERVAL_MS}ms`, '--timeout', `${TIMEOUT_MS}ms`];
// Loss detection: one interval plus the command timeout, with slack for a loaded 2-core machine.
const DETECT_MS = INTERVAL_MS + TIMEOUT_MS;
const SLACK_MS = 1500;

let ensemble: ZkEnsemble;
const agents: AgentProcess[] = [];
const detections: Record<string, number> = {};

/**
 * Writes the harness's configs, then rewrites each member line into the dynamic form with the
 * member's client address, so `conf` lists where every member answers.
 */
async function startWithClientAddresses(): Promise<ZkEnsemble> {
  const created = await ZkEnsemble.create({ voters: 3 });
  for (const node of created.nodes) {
    const file = path.join(node.dir, 'zoo.cfg');
    let text = fs.readFileSync(file, 'utf8');
    for (const member of created.nodes) {
      const line = `server.${member.id}=127.0.0.1:${member.quorumPort}:${member.electionPort}`;
      text = text.replace(`${line}\n`, `${line}:participant;127.0.0.1:${member.clientPort}\n`);
    }
    fs.writeFileSync(file, `${text}reconfigEnabled=true\n`);
  }
  for (const node of created.nodes) node.start();
  await created.waitServing();
  return created;
}

async function stateOf(agent: AgentProcess): Promise<EnsembleState> {
  return agent.json<EnsembleState>('/api/v1/ensembles/kafka');
}

/** The nodes' own view right now: mode per server id. */
async function truthById(): Promise<Map<number, string>> {
  const truths = await Promise.all(ensemble.nodes.map((n) => nodeTruth(n.clientPort)));
  return new Map(ensemble.nodes.map((n, i) => [n.id, truths[i]?.mode ?? 'not serving']));
}

/** Followers and the leader by ground truth, once the ensemble has one. */
async function roles(): Promise<{ leader: ZkNode; followers: ZkNode[] }> {
  const { value } = await waitFor('a leader', () => ensemble.leader());
  return { leader: value, followers: ensemble.nodes.filter((n) => n !== value) };
}

/** Runs `status` in a child process (so the test's own loop keeps running) and collects its exit code and output. */
function runStatus(connect: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AGENT_MAIN, 'status', '--ensemble', `kafka=${connect}`, '--timeout', '1s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** Waits until the agent shows all three members healthy with roles equal to each node's own answer. */
async function agentSeesWholeEnsemble(agent: AgentProcess): Promise<EnsembleState> {
  const { value } = await waitFor('the agent to see every member as it is', async () => {
    const [truth, state] = await Promise.all([truthById(), stateOf(agent)]);
    if (state.quorum !== 'healthy' || state.nodes.length !== 3) return undefined;
    const agrees = state.nodes.every((n) => n.serverId !== undefined && truth.get(n.serverId) === n.role);
    return agrees ? state : undefined;
  });
  return value;
}

describe.skipIf(!zookeeperInstalled())('discovery on a real 3-voter ensemble', () => {
  beforeAll(async () => {
    ensemble = await startWithClientAddresses();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await ensemble?.stop();
    console.log(`discovery detection times (ms): ${JSON.stringify(detections)}`);
  }, 60_000);

  it('one follower’s address: the agent polls all three members, each once, and says healthy', async () => {
    const { followers } = await roles();
    const seed = followers[0]!;
    const agent = await startAgent(['--ensemble', `kafka=${seed.address}`, ...AGENT_FLAGS]);
    agents.push(agent);
    const state = await agentSeesWholeEnsemble(agent);
    expect(state.nodes.map((n) => n.serverId).sort()).toEqual([1, 2, 3]);
    expect(state.nodes[0]).toMatchObject({ server: seed.address, serverId: seed.id });
    expect(state.nodes.slice(1).every((n) => n.discovered === true)).toBe(true);
    expect(state).toMatchObject({ voters: 3, healthyVoters: 3, unknownVoters: 0, margin: 1, membershipSource: 'conf' });
    const metrics = await agent.metrics();
    for (const node of ensemble.nodes) expect(sampleValue(metrics, 'zookeeper_up', { ensemble: 'kafka', server: node.address })).toBe(1);
    expect(sampleValue(metrics, 'zookeeper_ensemble_quorum_state', { ensemble: 'kafka', state: 'healthy' })).toBe(1);
    expect(sampleValue(metrics, 'zookeeper_ensemble_quorum_state', { ensemble: 'kafka', state: 'unknown' })).toBe(0);
  }, 60_000);

  it('three sidecars, each given localhost:<its node’s port>: all healthy, agreeing on the leader, no node counted twice', async () => {
    const sidecars = await Promise.all(
      ensemble.nodes.map((n) => startAgent(['--ensemble', `kafka=localhost:${n.clientPort}`, ...AGENT_FLAGS])),
    );
    agents.push(...sidecars);
    const states = await Promise.all(sidecars.map(agentSeesWholeEnsemble));
    const { leader } = await roles();
    states.forEach((state, i) => {
      const own = ensemble.nodes[i]!;
      // The seed keeps its configured spelling; conf's 127.0.0.1 spelling of it is recognised by id.
      expect(state.nodes.map((n) => n.server)).toContain(`localhost:${own.clientPort}`);
      expect(state.nodes.map((n) => n.server)).not.toContain(own.address);
      expect(state.nodes).toHaveLength(3);
      expect(state.leader?.serverId).toBe(leader.id);
      expect(state.quorum).toBe('healthy');
    });
  }, 90_000);

  it('status given the two followers exits 0 and prints the whole ensemble healthy', async () => {
    const { leader, followers } = await roles();
    const { code, out } = await runStatus(followers.map((f) => f.address).join(','));
    expect(out).toContain('quorum HEALTHY: 3/3 voters healthy, majority 2, margin 1;');
    expect(out).toContain(`leader ${leader.address} (id ${leader.id})`);
    expect(code).toBe(0);
  }, 60_000);

  it('two of three killed, one address known: the agent that saw them says lost; a fresh status says unknown (exit 3)', async () => {
    const watcher = agents[0]!;
    await agentSeesWholeEnsemble(watcher);
    const survivor = ensemble.nodes.find(
      (n) => n.address === (watcher.child.spawnargs.find((a) => a.startsWith('kafka=')) ?? '').slice('kafka='.length),
    );
    if (!survivor) throw new Error('the first agent’s seed is not a node of the ensemble');
    const victims = ensemble.nodes.filter((n) => n !== survivor);
    const killedAt = Date.now();
    await Promise.all(victims.map((n) => n.kill()));
    await waitFor('the agent to say lost', async () => ((await stateOf(watcher)).quorum === 'lost' ? true : undefined));
    detections.lostAfterTwoKilled = Date.now() - killedAt;
    const state = await stateOf(watcher);
    for (const victim of victims) {
      expect(state.nodes.find((n) => n.serverId === victim.id)).toMatchObject({ role: 'down', reason: 'refused', discovered: true });
    }
    expect(state.leader).toBeUndefined();
    expect(detections.lostAfterTwoKilled).toBeLessThan(DETECT_MS + SLACK_MS);
    const metrics = await watcher.metrics();
    expect(sampleValue(metrics, 'zookeeper_ensemble_quorum_state', { ensemble: 'kafka', state: 'lost' })).toBe(1);

    // A newcomer never saw the two others answer, and the survivor, not serving, answers no conf: it
    // cannot even tell the ensemble's size, so it proves nothing either way.
    const fresh = await runStatus(survivor.address);
    expect(fresh.out).toMatch(new RegExp(`${survivor.address}\\s+-\\s+not_serving`));
    expect(fresh.out).toContain('quorum UNKNOWN:');
    expect(fresh.code).toBe(3);
  }, 60_000);
});
