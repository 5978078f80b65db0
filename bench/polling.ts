/**
 * Polling cost at 1,000 nodes over a fixed time window, each figure beside the same run's floor.
 * Fake nodes (bench/fake-fleet.ts, one child process, 5 nodes to an ensemble) serve the agent; the
 * floor (bench/floor.ts) is a bare Node.js loop doing the same TCP I/O against the same fleet
 * (connect, send the word, read to close) at the same cadence and concurrency, in its own process.
 * Ratios to the floor hold on a loaded machine where absolute figures do not.
 *
 *   npx tsx bench/polling.ts [--nodes N] [--window S] [--json-only]
 *
 * Scenarios: the agent without the fast lane (`--fast-interval 5s`: every word every 5 s), the agent
 * at its defaults (srvr every 1 s, the other words every 5 s), the agent at its defaults scraped as
 * Prometheus would (gzip, every 15 s from 6 s after start, so that the window holds steady scrapes:
 * the per-node text is written by the scrape that finds it new, so the first two rows leave that cost
 * out), the same scraped agent as the Docker image runs it under
 * a 512 MiB memory limit (its NODE_OPTIONS, and the old generation Node.js sizes for that limit), and
 * the floor for each (with the same NODE_OPTIONS).
 * Per scenario: agent CPU over the window (utime + stime from /proc, all threads), connections the
 * fleet accepted, CPU per 1,000 connections, % of one core, RSS at the end of the window, its median
 * and its peak over the window (VmRSS sampled every 250 ms). Prints a table and one JSON line; asserts nothing.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgent, type AgentProcess } from '../test/harness/agent-process.js';
import { imageEnv } from '../test/harness/image.js';

const REPO = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const NODES = arg('--nodes', 1000);
const WINDOW_MS = arg('--window', 30) * 1000;
/** Time given to start-up (first rounds, conf reads, JIT) before the window opens. */
const WARMUP_MS = 12_000;
const CONCURRENCY = 64;

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU seconds of a process (every thread). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * Gives a process and all its threads one CPU (`taskset`), when there are two or more: the fleet one
 * core, the measured process (agent or floor) the other, so that neither is charged for the other's
 * scheduling. Unpinned on two cores, both figures swing by a third from run to run. False when not pinned.
 */
function pin(pid: number, cpu: number): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
let pinned = true;

/** VmRSS in MiB. */
function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

interface Fleet {
  child: ChildProcess;
  ports: number[];
  /** Latest running count of accepted connections. */
  accepted(): number;
  close(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function startFleet(n: number): Promise<Fleet> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'fake-fleet.ts'), String(n)], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let accepted = 0;
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`fake fleet exited with ${code}`)));
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = JSON.parse(out.slice(0, nl)) as { ports?: number[]; accepted?: number };
        out = out.slice(nl + 1);
        if (line.ports) resolve(line.ports);
        else if (line.accepted !== undefined) accepted = Math.max(accepted, line.accepted);
      }
    });
  });
  pinned &&= pin(child.pid!, 0);
  return { child, ports, accepted: () => accepted, close: () => stopChild(child) };
}

interface Scenario {
  label: string;
  kind: 'agent' | 'floor';
  tickMs: number;
  intervalMs: number;
  /** Scrape the agent's /metrics (gzip) this often during the run. */
  scrapeEveryMs?: number;
  /** NODE_OPTIONS of the agent and the floor (V8's heap limits); unset otherwise. */
  nodeOptions?: string;
}

interface Figures {
  scenario: string;
  kind: 'agent' | 'floor';
  cpuSeconds: number;
  connections: number;
  /** Node-polls (srvr-only ones included) over the window, from the cadence. */
  cpuMsPer1000Connections: number;
  pctOfOneCore: number;
  rssEndMiB: number;
  /** Median of VmRSS over the window: the steady figure, between the rises and falls of garbage collection. */
  rssMedianMiB: number;
  rssPeakMiB: number;
}

/** Measures `pid` over the window while the fleet serves it. */
async function measure(label: string, kind: Scenario['kind'], pid: number, fleet: Fleet): Promise<Figures> {
  await sleep(WARMUP_MS);
  const cpu0 = cpuSeconds(pid);
  const conn0 = fleet.accepted();
  const began = Date.now();
  const rss: number[] = [];
  while (Date.now() - began < WINDOW_MS) {
    rss.push(rssMiB(pid));
    await sleep(250);
  }
  const cpu = cpuSeconds(pid) - cpu0;
  const connections = fleet.accepted() - conn0;
  const seconds = (Date.now() - began) / 1000;
  const rssEnd = rssMiB(pid);
  return {
    scenario: label,
    kind,
    cpuSeconds: cpu,
    connections,
    cpuMsPer1000Connections: (cpu * 1000 * 1000) / Math.max(1, connections),
    pctOfOneCore: (100 * cpu) / seconds,
    rssEndMiB: rssEnd,
    rssMedianMiB: rss.sort((a, b) => a - b)[Math.floor(rss.length / 2)] ?? rssEnd,
    rssPeakMiB: Math.max(...rss, rssEnd),
  };
}

async function writeConfig(file: string, ports: number[]): Promise<void> {
  const lines = ['ensembles:'];
  for (let i = 0; i < ports.length; i += 5) {
    lines.push(`  - name: bench-${String(i / 5 + 1).padStart(4, '0')}`);
    lines.push(
      `    servers: [${ports
        .slice(i, i + 5)
        .map((port) => `"127.0.0.1:${port}"`)
        .join(', ')}]`,
    );
  }
  await fs.writeFile(file, `${lines.join('\n')}\n`);
}

/** The environment a scenario adds for the agent and the floor alike. */
function nodeEnv(s: Scenario): Record<string, string> {
  return s.nodeOptions === undefined ? {} : { NODE_OPTIONS: s.nodeOptions };
}

async function runAgent(s: Scenario, fleet: Fleet, config: string): Promise<Figures> {
  let agent: AgentProcess | undefined;
  let scraper: NodeJS.Timeout | undefined;
  try {
    agent = await startAgent(['--config', config, '--fast-interval', `${s.tickMs}ms`, '--log-level', 'error'], 120_000, nodeEnv(s));
    pinned &&= pin(agent.child.pid!, 1);
    const url = `${agent.url}/metrics`;
    const scrape = (): void =>
      void fetch(url, { headers: { 'accept-encoding': 'gzip' } })
        .then((res) => res.arrayBuffer())
        .catch(() => undefined);
    // The first scrape falls in the warm-up: it lays out every node's text buffer and compiles the
    // render path once in the agent's life, which a Prometheus scraping all day does not see again.
    // The window then holds steady scrapes only.
    const scrapeEveryMs = s.scrapeEveryMs;
    if (scrapeEveryMs !== undefined) {
      scraper = setTimeout(() => {
        scrape();
        scraper = setInterval(scrape, scrapeEveryMs);
      }, WARMUP_MS / 2);
    }
    return await measure(s.label, 'agent', agent.child.pid!, fleet);
  } finally {
    // Node.js clears a timeout and an interval alike: this stops the first scrape or the later ones.
    clearTimeout(scraper);
    await agent?.stop();
  }
}

async function runFloor(s: Scenario, fleet: Fleet): Promise<Figures> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO, 'bench', 'floor.ts'),
      String(CONCURRENCY),
      String(s.tickMs),
      String(s.intervalMs),
      ...fleet.ports.map(String),
    ],
    {
      cwd: REPO,
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...process.env, ...nodeEnv(s) },
    },
  );
  try {
    pinned &&= pin(child.pid!, 1);
    return await measure(s.label, 'floor', child.pid!, fleet);
  } finally {
    await stopChild(child);
  }
}

const f = (value: number, digits = 1): string => value.toFixed(digits);

async function main(): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'zk-bench-polling-'));
  const fleet = await startFleet(NODES);
  const config = path.join(tmp, 'agent.yaml');
  await writeConfig(config, fleet.ports);
  const scenarios: Scenario[] = [
    { label: 'no fast lane (every word every 5 s)', kind: 'agent', tickMs: 5000, intervalMs: 5000 },
    { label: 'defaults: fast lane (srvr 1 s, others 5 s)', kind: 'agent', tickMs: 1000, intervalMs: 5000 },
    { label: 'defaults, scraped every 15 s (gzip)', kind: 'agent', tickMs: 1000, intervalMs: 5000, scrapeEveryMs: 15_000 },
    // Under a 512 MiB memory limit (the Kubernetes manifests') Node.js gives V8's old generation about
    // 256 MiB, and the smaller heap is collected sooner. The flag stands in for the limit, which would
    // take a cgroup; with the image's NODE_OPTIONS both measure alike.
    {
      label: 'as the image runs in 512 MiB, scraped',
      kind: 'agent',
      tickMs: 1000,
      intervalMs: 5000,
      scrapeEveryMs: 15_000,
      nodeOptions: `${imageEnv().NODE_OPTIONS ?? ''} --max-old-space-size=256`.trim(),
    },
  ];
  const rows: Array<{ agent: Figures; floor: Figures }> = [];
  try {
    for (const s of scenarios) {
      const agent = await runAgent(s, fleet, config);
      const floor = await runFloor(s, fleet);
      rows.push({ agent, floor });
    }
  } finally {
    await fleet.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
  console.log(
    `\npolling, N=${NODES} fake nodes, concurrency ${CONCURRENCY}, ${WINDOW_MS / 1000} s window after ${WARMUP_MS / 1000} s warm-up; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('floor = bare Node.js loop, same words, same cadence, same concurrency, same fleet (bench/floor.ts)');
  console.log(pinned ? 'fleet pinned to CPU 0, agent and floor to CPU 1 (taskset)' : 'not pinned to CPUs (one CPU, or no taskset)');
  const header = ['scenario', 'connections', 'CPU ms/1k conn', 'floor', 'ratio', '% core', 'floor', 'RSS median MiB', 'peak', 'floor RSS'];
  const table = rows.map(({ agent, floor }) => [
    agent.scenario,
    `${agent.connections} / ${floor.connections}`,
    f(agent.cpuMsPer1000Connections),
    f(floor.cpuMsPer1000Connections),
    `${f(agent.cpuMsPer1000Connections / floor.cpuMsPer1000Connections, 2)}×`,
    f(agent.pctOfOneCore),
    f(floor.pctOfOneCore),
    f(agent.rssMedianMiB),
    f(agent.rssPeakMiB),
    f(floor.rssMedianMiB),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  for (const line of [header, ...table])
    console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  if (rows.length >= 2) {
    const [slow, fast] = rows as [(typeof rows)[0], (typeof rows)[0]];
    console.log(
      `fast lane cost: ${f(fast.agent.pctOfOneCore - slow.agent.pctOfOneCore)} points of one core (floor: ${f(fast.floor.pctOfOneCore - slow.floor.pctOfOneCore)}), ` +
        `${f(fast.agent.cpuMsPer1000Connections)} vs ${f(slow.agent.cpuMsPer1000Connections)} CPU ms per 1,000 connections`,
    );
  }
  console.log(JSON.stringify({ bench: 'polling', nodes: NODES, windowS: WINDOW_MS / 1000, loadavg: os.loadavg(), pinned, rows }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
