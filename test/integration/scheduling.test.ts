/**
 * Each ensemble keeps its own cadence: 300 fake nodes that accept and never answer (a SIGSTOPped JVM
 * whose kernel still accepts) in one ensemble, a real 3-voter ensemble in another, one agent at its
 * default timing (interval 5s, fastInterval 1s, timeout 2s, concurrency 64). The hung ensemble's
 * rounds take about 300 / 64 × 2 s ≈ 10 s; the real ensemble's polls must keep their cadence anyway.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { startFakeZkServer, type FakeZkServer } from '../harness/fake-zk-server.js';
import { holdsFor, waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

/** The defaults this test relies on (README, configuration reference). */
const INTERVAL_MS = 5000;
const FAST_INTERVAL_MS = 1000;
const TIMEOUT_MS = 2000;
const HUNG_NODES = 300;

let ensemble: ZkEnsemble;
let agent: AgentProcess;
let dir: string;
const hung: FakeZkServer[] = [];

const lastSuccess = (text: string, server: string, command: string): number | undefined =>
  sampleValue(text, 'zookeeper_exporter_poll_last_success_timestamp_seconds', { ensemble: 'real', server, command });

describe.skipIf(!zookeeperInstalled())('per-ensemble scheduling', () => {
  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    for (let i = 0; i < HUNG_NODES; i++) hung.push(await startFakeZkServer({ replies: {}, behaviour: 'hang' }));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zk-scheduling-'));
    const config = path.join(dir, 'agent.yaml');
    const lines = [
      'ensembles:',
      '  - name: hung',
      '    servers:',
      ...hung.map((s) => `      - "127.0.0.1:${s.port}"`),
      '  - name: real',
      '    servers:',
      ...ensemble.nodes.map((n) => `      - "${n.address}"`),
    ];
    await fs.writeFile(config, lines.join('\n') + '\n');
    // Readiness waits for every ensemble's first round: the hung one takes about 10 s.
    agent = await startAgent(['--config', config, '--log-level', 'error'], 60_000);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all(hung.splice(0).map((s) => s.close()));
    await ensemble?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('polls the real ensemble every fastInterval (srvr) and every interval (mntr) while the hung ensemble’s rounds take ~10 s', async () => {
    const servers = ensemble.nodes.map((n) => n.address);
    // Every distinct last-success time seen per node × command, in order.
    const seen = new Map<string, number[]>();
    const note = (key: string, value: number | undefined): void => {
      if (value === undefined) return;
      const list = seen.get(key) ?? [];
      if (list.at(-1) !== value) list.push(value);
      seen.set(key, list);
    };
    // Observation window: 25 s covers two whole rounds of the hung ensemble (~10 s each), 25 fast-lane
    // rounds and 5 interval rounds of the real one. Scrapes every 200 ms see every srvr success (1 s apart).
    await holdsFor(25_000, async () => {
      const text = await agent.metrics();
      for (const server of servers) {
        note(`${server} srvr`, lastSuccess(text, server, 'srvr'));
        note(`${server} mntr`, lastSuccess(text, server, 'mntr'));
      }
    });
    const maxGapMs = (key: string): number => {
      const times = seen.get(key) ?? [];
      expect(times.length, key).toBeGreaterThan(2);
      let max = 0;
      for (let i = 1; i < times.length; i++) max = Math.max(max, (times[i]! - times[i - 1]!) * 1000);
      return max;
    };
    for (const server of servers) {
      expect(maxGapMs(`${server} srvr`), `${server} srvr`).toBeLessThanOrEqual(FAST_INTERVAL_MS + TIMEOUT_MS);
      expect(maxGapMs(`${server} mntr`), `${server} mntr`).toBeLessThanOrEqual(INTERVAL_MS + TIMEOUT_MS);
    }
    // The hung nodes were really polled meanwhile: the last of them timed out at least once.
    const { value } = await waitFor('a hung node to time out', async () => {
      const text = await agent.metrics();
      const last = `127.0.0.1:${hung.at(-1)!.port}`;
      return sampleValue(text, 'zookeeper_exporter_command_result', { ensemble: 'hung', server: last, command: 'srvr', reason: 'timeout' });
    });
    expect(value).toBe(1);
  }, 90_000);
});
