/**
 * Reloading the config of a running agent against a real 3-node ensemble: add an ensemble (SIGHUP),
 * refuse a bad file (SIGHUP), fix it (POST /-/reload), remove an ensemble. The ensemble that stays
 * throughout must keep its counters and derived state.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { freePort } from '../harness/ports.js';
import { holdsFor, waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const INTERVAL_MS = 1000;

let ensemble: ZkEnsemble;
let agent: AgentProcess;
let dir: string;
let configFile: string;
/** A loopback port nothing listens on: ensemble a's extra server, so a's poll error counter climbs every round. */
let deadServer: string;

function writeConfig(ensembles: string[], extra = ''): void {
  const lines = [`interval: ${INTERVAL_MS}ms`, 'timeout: 500ms', 'ensembles:', ...ensembles, extra];
  fs.writeFileSync(configFile, `${lines.join('\n')}\n`);
}

const ensembleA = () =>
  `  - name: a\n    servers: [${[...ensemble.nodes.map((n) => n.address), deadServer].map((s) => `"${s}"`).join(', ')}]`;
const ensembleB = () => `  - name: b\n    servers: [${ensemble.nodes.map((n) => `"${n.address}"`).join(', ')}]`;

const errorsOfA = (exposition: string): number | undefined =>
  sampleValue(exposition, 'zookeeper_exporter_poll_errors_total', { ensemble: 'a', server: deadServer, command: 'srvr' });

function hangup(): void {
  agent.child.kill('SIGHUP');
}

describe.skipIf(!zookeeperInstalled())('config reload', () => {
  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    deadServer = `127.0.0.1:${await freePort()}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-reload-'));
    configFile = path.join(dir, 'agent.yml');
    writeConfig([ensembleA()]);
    agent = await startAgent(['--config', configFile]);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await ensemble?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies added, refused, fixed and removed ensembles without resetting the one that stays', async () => {
    // a's counters and state before any reload.
    const { value: before } = await waitFor('a few failed polls of the dead server', async () => {
      const errors = errorsOfA(await agent.metrics());
      return errors !== undefined && errors >= 2 ? errors : undefined;
    });
    const stateBefore = await agent.json<EnsembleState>('/api/v1/ensembles/a');
    expect(sampleValue(await agent.metrics(), 'zookeeper_exporter_config_last_reload_successful', {})).toBe(1);

    // Add b, then SIGHUP.
    writeConfig([ensembleA(), ensembleB()]);
    hangup();
    const { value: b } = await waitFor('b to be polled', async () => {
      const state = await agent.json<EnsembleState>('/api/v1/ensembles/b');
      return state.quorum === 'healthy' ? state : undefined;
    });
    expect(b.voters).toBe(3);
    const afterAdd = await agent.metrics();
    expect(errorsOfA(afterAdd)).toBeGreaterThanOrEqual(before);
    const stateAfter = await agent.json<EnsembleState>('/api/v1/ensembles/a');
    expect(stateAfter.rounds).toBeGreaterThanOrEqual(stateBefore.rounds);
    expect(stateAfter.quorumSince).toBe(stateBefore.quorumSince);
    expect(stateAfter.leaderChanges).toBe(stateBefore.leaderChanges);

    // A bad file: refused, the agent keeps running a and b.
    fs.writeFileSync(configFile, 'interval: 1s\nensembles: []\nbogus: 1\n');
    hangup();
    await waitFor('the refused reload to show', async () =>
      sampleValue(await agent.metrics(), 'zookeeper_exporter_config_last_reload_successful', {}) === 0 ? true : undefined,
    );
    expect(agent.output()).toContain('config reload refused');
    expect(agent.child.exitCode).toBeNull();
    // Three rounds: long enough for a wrongly applied config to have stopped a or b.
    await holdsFor(3 * INTERVAL_MS, async () => {
      expect(agent.child.exitCode).toBeNull();
      const names = (await agent.json<{ ensembles: EnsembleState[] }>('/api/v1/ensembles')).ensembles.map((e) => e.name);
      expect(names).toEqual(['a', 'b']);
    });
    const refusedAt = errorsOfA(await agent.metrics())!;
    expect(refusedAt).toBeGreaterThanOrEqual(before);

    // Fixed file, through HTTP this time, with b removed.
    writeConfig([ensembleA()]);
    const res = await fetch(`${agent.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'reloaded' });
    const afterFix = await agent.metrics();
    expect(sampleValue(afterFix, 'zookeeper_exporter_config_last_reload_successful', {})).toBe(1);
    expect(errorsOfA(afterFix)).toBeGreaterThanOrEqual(refusedAt);
    await waitFor('b series to be gone', async () => {
      const text = await agent.metrics();
      return text.includes('ensemble="b"') ? undefined : true;
    });
    expect((await fetch(`${agent.url}/api/v1/ensembles/b`)).status).toBe(404);
    // Two rounds of a after the removal: a round of b in flight at the reload must not bring it back.
    await holdsFor(2 * INTERVAL_MS, async () => {
      expect(await agent.metrics()).not.toContain('ensemble="b"');
    });
    expect((await agent.json<EnsembleState>('/api/v1/ensembles/a')).quorumSince).toBe(stateBefore.quorumSince);
  }, 120_000);

  it('answers a bad config on POST /-/reload with 400 and its problems', async () => {
    fs.writeFileSync(configFile, 'interval: 1s\nensembles: []\n');
    const res = await fetch(`${agent.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: string[] };
    expect(body.problems).toContain(
      'config error: ensembles: at least one ensemble is required: list it under ensembles in the config file, or give --ensemble or ZK_EXPORTER_ENSEMBLES',
    );
    expect(agent.child.exitCode).toBeNull();
  });
});
