/**
 * Each ensemble keeps its own cadence, and the agent's sockets stay bounded: 1,000 fake nodes that
 * accept and never answer (a SIGSTOPped JVM whose kernel still accepts) in one ensemble, a real
 * 3-voter ensemble in another, one agent at its default timing (interval 5s, fastInterval 1s,
 * timeout 2s, concurrency 64). The hung ensemble may hold 63 of the 64 slots (one is kept for the
 * other ensemble), so its rounds take about 1,000 / 63 × 2 s ≈ 32 s; the real ensemble's polls must
 * keep their cadence anyway, and the agent's open sockets, sampled from /proc during a whole hung
 * round, must stay within what 64 node polls can hold, far below one per hung node.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue, startAgent, type AgentProcess } from '../harness/agent-process.js';
import { startFakeEnsemble, type FakeEnsemble } from '../harness/fake-zk-server.js';
import { openFilesSoftLimit, socketFds } from '../harness/proc-fds.js';
import { holdsFor, waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

/** The defaults this test relies on (README, configuration reference). */
const INTERVAL_MS = 5000;
const FAST_INTERVAL_MS = 1000;
const TIMEOUT_MS = 2000;
const CONCURRENCY = 64;
/**
 * Connections one node poll opens: every word due goes out at once on its own connection, and a node
 * that was down last round is asked all of them again (srvr, mntr, wchs, conf by default).
 */
const WORDS_PER_DOWN_NODE = 4;
/**
 * Agent sockets that are not node polls: the HTTP listener, this test's keep-alive scrape connection
 * (two while one is replaced), and the stdout and stderr pipes, which Node creates as Unix socketpairs
 * for a spawned child; rounded up to 8 for a scrape connection closing while another opens.
 */
const OTHER_SOCKETS = 8;
const HUNG_NODES = 1000;
/** Hung rounds this test may see: the first (before ready), the observed one, the start of the next, one for slack. */
const HUNG_ROUNDS = 4;

let ensemble: ZkEnsemble;
let agent: AgentProcess;
let dir: string;
let hung: FakeEnsemble | undefined;

const lastSuccess = (text: string, server: string, command: string): number | undefined =>
  sampleValue(text, 'zookeeper_exporter_poll_last_success_timestamp_seconds', { ensemble: 'real', server, command });

describe.skipIf(!zookeeperInstalled())('per-ensemble scheduling', () => {
  beforeAll(async () => {
    // A hung node never reads, so this process keeps the server side of every connection the agent
    // gave up on (4 per hung node per round) until the end: fail clearly rather than with EMFILE.
    const needed = HUNG_NODES * (1 + WORDS_PER_DOWN_NODE * HUNG_ROUNDS) + 1000;
    const limit = await openFilesSoftLimit();
    if (limit < needed)
      throw new Error(`this test needs about ${needed} open files; ulimit -n is ${limit}: raise it (ulimit -n ${needed})`);
    // ZooKeeper first, serving before any hung traffic: the harness picks its ports by binding port 0
    // and releasing them, and the agent's thousands of short connections could take one meanwhile.
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    hung = await startFakeEnsemble(HUNG_NODES, { hung: {} }, { behaviour: 'hang' });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zk-scheduling-'));
    const config = path.join(dir, 'agent.yaml');
    const lines = [
      'ensembles:',
      '  - name: hung',
      '    servers:',
      ...hung.nodes.map((s) => `      - "127.0.0.1:${s.port}"`),
      '  - name: real',
      '    servers:',
      ...ensemble.nodes.map((n) => `      - "${n.address}"`),
    ];
    await fs.writeFile(config, lines.join('\n') + '\n');
    // Readiness waits for every ensemble's first round: the hung one takes about 32 s.
    agent = await startAgent(['--config', config, '--log-level', 'error'], 90_000);
  }, 150_000);

  afterAll(async () => {
    await agent?.stop();
    await hung?.close();
    await ensemble?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps the real ensemble’s srvr and mntr cadence and the agent’s sockets bounded through a ~32 s hung round', async () => {
    const servers = ensemble.nodes.map((n) => n.address);
    const pid = agent.child.pid!;
    // Every distinct last-success time seen per node × command, in order.
    const seen = new Map<string, number[]>();
    const note = (key: string, value: number | undefined): void => {
      if (value === undefined) return;
      const list = seen.get(key) ?? [];
      if (list.at(-1) !== value) list.push(value);
      seen.set(key, list);
    };
    // Socket fds of the agent, counted every 250 ms: the largest count, and how many counts were taken.
    let maxSockets = 0;
    let counts = 0;
    const countSockets = async (): Promise<void> => {
      maxSockets = Math.max(maxSockets, await socketFds(pid));
      counts++;
    };
    // Observation window: 35 s. The hung ensemble's first round ended at readiness and, having
    // outlasted the interval, its second began at once with 1,000 polls queued, so the window covers
    // one whole hung round (~32 s) and the start of the next, 35 fast-lane rounds and 7 interval rounds
    // of the real one. Scrapes every 200 ms see every srvr success (1 s apart); socket fds are counted
    // every 250 ms (~140 counts, nearly all while the hung ensemble holds its 63 slots).
    await Promise.all([
      holdsFor(35_000, async () => {
        const text = await agent.metrics();
        for (const server of servers) {
          note(`${server} srvr`, lastSuccess(text, server, 'srvr'));
          note(`${server} mntr`, lastSuccess(text, server, 'mntr'));
        }
      }),
      holdsFor(35_000, countSockets, 250),
    ]);
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

    const seenSockets = `largest of ${counts} socket fd counts: ${maxSockets}`;
    expect(counts, seenSockets).toBeGreaterThanOrEqual(100);
    // Not vacuous: many hung polls were in flight at once while fds were counted. 32 node polls' worth
    // of sockets is more than six times what the real ensemble's 3 nodes (12) and the other sockets (8)
    // can hold, so only the hung ensemble's polls can reach it.
    expect(maxSockets, seenSockets).toBeGreaterThanOrEqual(32 * WORDS_PER_DOWN_NODE);
    // Bounded by the limiter: at most 64 node polls of 4 connections each plus the few sockets that are
    // not polls, whatever the number of hung nodes (a socket per hung node would be 1,000 and more).
    expect(maxSockets, seenSockets).toBeLessThanOrEqual(CONCURRENCY * WORDS_PER_DOWN_NODE + OTHER_SOCKETS);

    // The hung nodes were really polled meanwhile: the last of them timed out at least once.
    const { value } = await waitFor('a hung node to time out', async () => {
      const text = await agent.metrics();
      const last = `127.0.0.1:${hung!.nodes.at(-1)!.port}`;
      return sampleValue(text, 'zookeeper_exporter_command_result', { ensemble: 'hung', server: last, command: 'srvr', reason: 'timeout' });
    });
    expect(value).toBe(1);
  }, 90_000);
});
