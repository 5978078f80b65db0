/**
 * Load benchmark of the agent: N fake ZooKeeper nodes in one child process, the real agent
 * (`node dist/main.js`) in another, figures printed, nothing asserted. See bench/README.md.
 *
 *   npm run bench                   # N=100 and N=1,000 at 5 s, then N=1,000 at 1 s if rounds fit
 *   npm run bench -- --profile      # also N=1,000 at 5 s under `node --cpu-prof`, top functions printed
 *   npm run bench -- --profile-only # only the profiled run
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { AGENT_MAIN, startAgent } from '../test/harness/agent-process.js';
import { freePort } from '../test/harness/ports.js';
import { formatSummary, summariseProfile } from './profile.js';

const REPO = path.resolve(import.meta.dirname, '..');
const NODES_PER_ENSEMBLE = 5;
/** Whole rounds in the measured window (after the first round). */
const ROUNDS = 6;
/** Scrapes timed for the render figures, unless they take longer than {@link RENDER_BUDGET_MS} in all. */
const RENDER_SCRAPES = 10;
const RENDER_BUDGET_MS = 25_000;
/** Agent CPU is read this often (from /proc, the agent is not asked anything). */
const CPU_SAMPLE_MS = 10;
/** The window's CPU readings are taken this long after the nodes went idle, once the last replies are processed. */
const SETTLE_MS = 25;
/**
 * This benchmark's own absolute budget, on whatever machine runs it. The polling target measured
 * against a floor in the same run (the agent's CPU per node-poll beside a bare I/O loop's) is
 * bench/polling.ts's, not this.
 */
const BUDGET = { nodes: 1000, intervalMs: 5000, maxCorePct: 25 };
const BUDGET_LINE =
  "run.ts budget (absolute; the target against the floor is bench/polling.ts's) " +
  `"${BUDGET.nodes.toLocaleString('en-US')} nodes every ${BUDGET.intervalMs / 1000} s on under ${BUDGET.maxCorePct} % of one core"`;

interface Scenario {
  label: string;
  nodes: number;
  intervalMs: number;
  timeout: string;
  /** Time back-to-back /metrics scrapes after the window. */
  renderTiming: boolean;
  profile?: boolean;
  /** Run only if the N=1,000 @5 s rounds were short enough for this interval. */
  needsHeadroom?: boolean;
}

const argv = process.argv.slice(2);
const profileOnly = argv.includes('--profile-only');
const withProfile = profileOnly || argv.includes('--profile');

const SCENARIOS: Scenario[] = [
  ...(profileOnly
    ? []
    : [
        { label: 'N=100 @5s', nodes: 100, intervalMs: 5000, timeout: '2s', renderTiming: true },
        { label: 'N=1000 @5s', nodes: 1000, intervalMs: 5000, timeout: '2s', renderTiming: true },
        // The timeout must be below the interval.
        { label: 'N=1000 @1s', nodes: 1000, intervalMs: 1000, timeout: '900ms', renderTiming: false, needsHeadroom: true },
      ]),
  ...(withProfile
    ? [{ label: 'N=1000 @5s cpu-prof', nodes: 1000, intervalMs: 5000, timeout: '2s', renderTiming: true, profile: true }]
    : []),
];

// ---- /proc readings --------------------------------------------------------------------------

const CLK_TCK = (() => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of a whole process (every thread), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** VmRSS and VmHWM (peak RSS) in MiB, from /proc/<pid>/status. */
function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

interface CpuSample {
  t: number;
  agent: number;
  fake: number;
}

/** Reads both processes' CPU every {@link CPU_SAMPLE_MS} ms until stopped. */
function sampleCpu(agentPid: number, fakePid: number): { samples: CpuSample[]; stop(): void; at(t: number): CpuSample } {
  const samples: CpuSample[] = [];
  const take = (): void => {
    try {
      samples.push({ t: Date.now(), agent: cpuSeconds(agentPid), fake: cpuSeconds(fakePid) });
    } catch {
      // the agent is exiting
    }
  };
  take();
  const timer = setInterval(take, CPU_SAMPLE_MS);
  return {
    samples,
    stop: () => clearInterval(timer),
    /** The first sample taken at or after `t` (the last one when none is). */
    at: (t) => samples.find((s) => s.t >= t) ?? samples.at(-1)!,
  };
}

// ---- the fake nodes --------------------------------------------------------------------------

/** A busy/idle edge of the fake nodes (see bench/fake-fleet.ts). */
interface FleetEdge {
  ev: 'busy' | 'idle';
  t: number;
  accepted: number;
}

interface Fleet {
  child: ChildProcess;
  ports: number[];
  edges: FleetEdge[];
  close(): Promise<void>;
}

/** Starts bench/fake-fleet.ts in a child process: the fake nodes' CPU is never the agent's. */
async function startFleet(n: number): Promise<Fleet> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'fake-fleet.ts'), String(n)], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const edges: FleetEdge[] = [];
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      let started = false;
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`fake fleet exited with ${code}`)));
      child.stdout.on('data', (data: Buffer) => {
        out += data.toString();
        for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
          const line = JSON.parse(out.slice(0, nl)) as { ports?: number[] } & (FleetEdge | { ev: 'count' });
          out = out.slice(nl + 1);
          if (!started && line.ports) {
            started = true;
            resolve(line.ports);
            // Running counts are for bench/polling.ts; rounds are read from the edges alone.
          } else if (line.ev !== 'count') edges.push(line);
        }
      });
    });
    return { child, ports, edges, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One poll round as the fake nodes saw it: first connection to the moment none was open. */
interface Round {
  start: number;
  /** Undefined while the round runs. */
  end?: number;
  connections: number;
}

/**
 * Groups busy stretches into rounds. A round starts only on a scheduler tick, so a busy stretch
 * starts a new round when a tick (the latest round start plus whole intervals) fell in the idle gap
 * before it; otherwise it continues the current round (the nodes can look idle for a moment inside
 * a round while the agent is busy). Ticks drift a little, hence the tolerance.
 */
function roundsOf(edges: readonly FleetEdge[], since: number, intervalMs: number): Round[] {
  const rounds: Round[] = [];
  const tolerance = Math.max(30, intervalMs * 0.15);
  let idleSince: number | undefined;
  // Connections accepted before the current round: the count at the idle edge before it.
  let acceptedWhenIdle = 0;
  let acceptedAtStart = 0;
  for (const edge of edges) {
    if (edge.t < since) {
      if (edge.ev === 'idle') acceptedWhenIdle = edge.accepted;
      continue;
    }
    const current = rounds.at(-1);
    if (edge.ev === 'busy') {
      const newRound =
        current === undefined ||
        (idleSince !== undefined && tickBetween(current.start, intervalMs, idleSince - tolerance, edge.t + tolerance));
      if (newRound) {
        acceptedAtStart = acceptedWhenIdle;
        rounds.push({ start: edge.t, connections: 0 });
      } else if (current) delete current.end;
      idleSince = undefined;
    } else {
      acceptedWhenIdle = edge.accepted;
      if (current) {
        current.end = edge.t;
        current.connections = edge.accepted - acceptedAtStart;
        idleSince = edge.t;
      }
    }
  }
  return rounds;
}

/** True when `start + k * interval` (k ≥ 1) falls in [from, to]. */
function tickBetween(start: number, interval: number, from: number, to: number): boolean {
  const k = Math.max(1, Math.ceil((from - start) / interval));
  return start + k * interval <= to;
}

async function waitForRounds(
  fleet: Fleet,
  since: number,
  intervalMs: number,
  test: (rounds: Round[]) => boolean,
  timeoutMs: number,
): Promise<Round[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rounds = roundsOf(fleet.edges, since, intervalMs);
    if (test(rounds)) return rounds;
    if (Date.now() > deadline) throw new Error(`rounds did not come (saw ${rounds.length} in ${timeoutMs} ms)`);
    await sleep(20);
  }
}

// ---- the agent -------------------------------------------------------------------------------

interface Agent {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

const agents = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of agents) child.kill('SIGKILL');
});

/**
 * `node [nodeArgs] dist/main.js <args> --listen 127.0.0.1:<port>`, resolved once /readyz answers
 * (the first round is done). The harness's startAgent does the same without Node flags (and
 * `--cpu-prof` is not allowed in NODE_OPTIONS), so it is used only when there are none.
 */
async function spawnAgent(args: string[], nodeArgs: string[]): Promise<Agent> {
  if (nodeArgs.length === 0) return startAgent(args, 120_000);
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, AGENT_MAIN, ...args, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agents.add(child);
  child.on('exit', () => agents.delete(child));
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const agent: Agent = {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  for (const deadline = Date.now() + 120_000; ; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return agent;
    if (Date.now() > deadline) {
      await agent.stop();
      throw new Error(`agent not ready after 120 s:\n${output}`);
    }
  }
}

// ---- scraping --------------------------------------------------------------------------------

interface Scrape {
  /** Client-side time from request to last byte. */
  ms: number;
  bytes: number;
  text: string;
}

async function scrape(url: string): Promise<Scrape> {
  const started = performance.now();
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(120_000) });
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return { ms, bytes: body.length, text: body.toString('utf8') };
}

/** Value of an unlabelled sample line `name value`. */
function sampleValue(text: string, name: string): number {
  const at = text.startsWith(`${name} `) ? 0 : text.indexOf(`\n${name} `);
  if (at < 0) return NaN;
  const start = text.indexOf(' ', at + 1) + 1;
  const end = text.indexOf('\n', start);
  return Number(text.slice(start, end < 0 ? undefined : end));
}

/** Lines that are samples (not comments, not blank). */
function seriesLines(text: string): number {
  let lines = 0;
  for (let at = 0; at < text.length;) {
    const end = text.indexOf('\n', at);
    const stop = end < 0 ? text.length : end;
    if (stop > at && text.charCodeAt(at) !== 35 /* # */) lines++;
    at = stop + 1;
  }
  return lines;
}

// ---- one scenario ----------------------------------------------------------------------------

interface Result {
  scenario: Scenario;
  skipped?: string;
  rounds: number;
  /** Ticks skipped because a round was still running, within the window. */
  overruns: number;
  roundMeanMs: number;
  roundMaxMs: number;
  connectionsPerRound: number;
  windowMs: number;
  agentCpu: number;
  fakeCpu: number;
  rssMiB: number;
  peakRssMiB: number;
  timeouts: number;
  logLines: number;
  /** The agent's own histogram (all rounds up to the first render scrape) against the nodes' view of the same rounds. */
  check?: { agentRounds: number; agentMeanMs: number; fleetRounds: number; fleetMeanMs: number };
  render?: { scrapes: number; medianMs: number; maxMs: number; bytes: number; series: number; cpuPerScrape: number; peakRssMiB: number };
  profile?: string;
}

function writeConfig(file: string, ports: number[]): Promise<void> {
  const lines = ['ensembles:'];
  for (let i = 0; i < ports.length; i += NODES_PER_ENSEMBLE) {
    lines.push(`  - name: bench-${String(i / NODES_PER_ENSEMBLE + 1).padStart(4, '0')}`);
    lines.push(
      `    servers: [${ports
        .slice(i, i + NODES_PER_ENSEMBLE)
        .map((port) => `"127.0.0.1:${port}"`)
        .join(', ')}]`,
    );
  }
  return fs.writeFile(file, `${lines.join('\n')}\n`);
}

async function runScenario(scenario: Scenario, fleet: Fleet, tmp: string): Promise<Result> {
  const { nodes, intervalMs } = scenario;
  const config = path.join(tmp, `bench-${nodes}-${intervalMs}.yaml`);
  await writeConfig(config, fleet.ports.slice(0, nodes));
  const profileDir = path.join(tmp, `profile-${nodes}-${intervalMs}`);

  const spawnedAt = Date.now();
  const agent = await spawnAgent(
    // The fast lane off: every round asks every word, the rounds this bench times (polling.ts measures the fast lane).
    [
      '--config',
      config,
      '--interval',
      `${intervalMs / 1000}s`,
      '--fast-interval',
      `${intervalMs / 1000}s`,
      '--timeout',
      scenario.timeout,
      '--log-level',
      'warn',
    ],
    scenario.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  const cpu = sampleCpu(agent.child.pid!, fleet.child.pid!);
  try {
    const pid = agent.child.pid!;
    const firstSample = cpu.samples[0]!.t;
    // Window: from the end of the first round that ended after CPU sampling began, to the end of
    // the 6th round after it; waiting for one more round to start proves the 6th really ended.
    const rounds = await waitForRounds(
      fleet,
      spawnedAt,
      intervalMs,
      (rs) => {
        const w0 = rs.findIndex((r) => r.end !== undefined && r.end + SETTLE_MS >= firstSample);
        return w0 >= 0 && rs.length >= w0 + ROUNDS + 2;
      },
      (ROUNDS + 3) * intervalMs * 3 + 60_000,
    );
    const w0 = rounds.findIndex((r) => r.end !== undefined && r.end + SETTLE_MS >= firstSample);
    const windowRounds = rounds.slice(w0 + 1, w0 + 1 + ROUNDS);
    const readAt = (i: number): CpuSample => {
      const round = rounds[i]!;
      const next = rounds[i + 1]!;
      return cpu.at(Math.min(round.end! + SETTLE_MS, (round.end! + next.start) / 2));
    };
    const startSample = readAt(w0);
    const endSample = readAt(w0 + ROUNDS);
    const durations = windowRounds.map((r) => r.end! - r.start);
    let overruns = 0;
    for (let i = w0 + 1; i <= w0 + ROUNDS; i++) overruns += Math.round((rounds[i + 1]!.start - rounds[i]!.start) / intervalMs) - 1;
    const mem = memoryMiB(pid);
    const output = agent.output();
    const result: Result = {
      scenario,
      rounds: ROUNDS,
      overruns,
      roundMeanMs: durations.reduce((a, b) => a + b, 0) / durations.length,
      roundMaxMs: Math.max(...durations),
      connectionsPerRound: windowRounds.reduce((a, r) => a + r.connections, 0) / windowRounds.length,
      windowMs: endSample.t - startSample.t,
      agentCpu: endSample.agent - startSample.agent,
      fakeCpu: endSample.fake - startSample.fake,
      rssMiB: mem.rss,
      peakRssMiB: mem.peak,
      timeouts: (output.match(/"to":"timeout"/g) ?? []).length,
      logLines: output.split('\n').filter((l) => l.trim() !== '').length,
    };

    if (scenario.renderTiming) {
      // Scrape once the round now running is over (later rounds may still overlap long scrapes).
      const done = await waitForRounds(
        fleet,
        spawnedAt,
        intervalMs,
        (rs) => rs.at(-1)!.end !== undefined && Date.now() >= rs.at(-1)!.end! + SETTLE_MS,
        3 * intervalMs + 60_000,
      );
      const cpu0 = cpuSeconds(pid);
      const began = Date.now();
      const scrapes: Scrape[] = [];
      while (scrapes.length < RENDER_SCRAPES && (scrapes.length < 3 || Date.now() - began < RENDER_BUDGET_MS))
        scrapes.push(await scrape(agent.url));
      const cpu1 = cpuSeconds(pid);
      const times = scrapes.map((s) => s.ms).sort((a, b) => a - b);
      const first = scrapes[0]!.text;
      const last = scrapes.at(-1)!;
      result.render = {
        scrapes: scrapes.length,
        medianMs: (times[(times.length - 1) >> 1]! + times[times.length >> 1]!) / 2,
        maxMs: times.at(-1)!,
        bytes: last.bytes,
        series: seriesLines(last.text),
        cpuPerScrape: (cpu1 - cpu0) / scrapes.length,
        peakRssMiB: memoryMiB(pid).peak,
      };
      const finished = done.filter((r) => r.end !== undefined && r.end <= began);
      result.check = {
        agentRounds: sampleValue(first, 'zookeeper_exporter_round_duration_seconds_count'),
        agentMeanMs:
          (sampleValue(first, 'zookeeper_exporter_round_duration_seconds_sum') /
            sampleValue(first, 'zookeeper_exporter_round_duration_seconds_count')) *
          1000,
        fleetRounds: finished.length,
        fleetMeanMs: finished.reduce((a, r) => a + r.end! - r.start, 0) / finished.length,
      };
    }

    cpu.stop();
    const code = await agent.stop();
    if (code !== 0) process.stderr.write(`warning: agent (${scenario.label}) exited with ${code}\n`);
    if (scenario.profile) {
      const files = (await fs.readdir(profileDir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
      if (files.length === 0) result.profile = '(no .cpuprofile written)';
      else {
        const file = path.join(profileDir, files[0]!);
        // Profile time ≈ time since spawn (Node starts profiling as it boots).
        const windowRange = { fromMs: startSample.t - spawnedAt, toMs: endSample.t - spawnedAt };
        const parts = [`polling window (${ROUNDS} rounds, no scrapes):\n${formatSummary(await summariseProfile(file, 20, windowRange))}`];
        if (result.render) {
          parts.push(
            `after the window (${result.render.scrapes} /metrics scrapes, with any rounds overlapping them):\n` +
              formatSummary(await summariseProfile(file, 15, { fromMs: endSample.t - spawnedAt + 1, toMs: Infinity })),
          );
        }
        result.profile = parts.join('\n\n');
      }
    }
    return result;
  } finally {
    cpu.stop();
    await agent.stop();
  }
}

// ---- report ----------------------------------------------------------------------------------

const pctOfCore = (r: Result): number => (100 * r.agentCpu) / ((r.rounds * r.scenario.intervalMs) / 1000);

function table(results: Result[]): string {
  const f = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
  const ran = (cell: (r: Result) => string) => (r: Result) => (r.skipped ? '(skipped)' : cell(r));
  const rows: Array<[string, (r: Result) => string]> = [
    ['nodes (ensembles of 5)', (r) => `${r.scenario.nodes} (${r.scenario.nodes / NODES_PER_ENSEMBLE})`],
    ['interval / timeout', (r) => `${r.scenario.intervalMs / 1000} s / ${r.scenario.timeout}`],
    ['rounds measured', ran((r) => `${r.rounds} (${f(r.connectionsPerRound / r.scenario.nodes, 2)} conn/node)`)],
    ['ticks skipped (overrun)', ran((r) => String(r.overruns))],
    ['round duration mean', ran((r) => `${f(r.roundMeanMs, 0)} ms`)],
    ['round duration max', ran((r) => `${f(r.roundMaxMs, 0)} ms`)],
    ['agent CPU in window', ran((r) => `${f(r.agentCpu, 2)} s / ${f(r.windowMs / 1000, 1)} s`)],
    ['CPU s / 1,000 node-polls', ran((r) => f(r.agentCpu / ((r.scenario.nodes * r.rounds) / 1000), 3))],
    ['% of one core at interval', ran((r) => `${f(pctOfCore(r), 1)} %`)],
    ['fake nodes CPU (own proc)', ran((r) => `${f(r.fakeCpu, 2)} s`)],
    ['agent RSS after rounds', ran((r) => `${f(r.rssMiB, 0)} MiB`)],
    ['agent peak RSS (VmHWM)', ran((r) => `${f(r.render?.peakRssMiB ?? r.peakRssMiB, 0)} MiB`)],
    ['timeouts logged / log lines', ran((r) => `${r.timeouts} / ${r.logLines}`)],
    ['/metrics render median', ran((r) => (r.render ? `${f(r.render.medianMs, 0)} ms` : '—'))],
    ['/metrics render max (n)', ran((r) => (r.render ? `${f(r.render.maxMs, 0)} ms (${r.render.scrapes})` : '—'))],
    ['/metrics agent CPU/scrape', ran((r) => (r.render ? `${f(r.render.cpuPerScrape * 1000, 0)} ms` : '—'))],
    ['/metrics size', ran((r) => (r.render ? `${f(r.render.bytes / 1024 / 1024, 2)} MiB` : '—'))],
    ['/metrics series lines', ran((r) => (r.render ? String(r.render.series) : '—'))],
    ['check: agent hist. mean (n)', ran((r) => (r.check ? `${f(r.check.agentMeanMs, 0)} ms (${r.check.agentRounds})` : '—'))],
    ['check: nodes-view mean (n)', ran((r) => (r.check ? `${f(r.check.fleetMeanMs, 0)} ms (${r.check.fleetRounds})` : '—'))],
  ];
  const head = ['', ...results.map((r) => r.scenario.label)];
  const body = rows.map(([name, cell]) => [name, ...results.map(cell)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function verdict(results: Result[]): string {
  const r = results.find(
    (x) => x.scenario.nodes === BUDGET.nodes && x.scenario.intervalMs === BUDGET.intervalMs && !x.skipped && !x.scenario.profile,
  );
  if (!r) return `${BUDGET_LINE}: not measured in this run`;
  const pct = pctOfCore(r);
  const ok = pct < BUDGET.maxCorePct && r.overruns === 0;
  return (
    `${BUDGET_LINE}: measured ${pct.toFixed(1)} % of one core ` +
    `(${r.roundMeanMs.toFixed(0)} ms rounds, ${r.overruns} ticks skipped) → ${ok ? 'MET' : 'NOT MET'}` +
    (ok ? `, ${(BUDGET.maxCorePct / pct).toFixed(1)}× headroom` : `, ${(pct / BUDGET.maxCorePct).toFixed(1)}× the budget`)
  );
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // The agent inherits our env; settings from the caller's environment would skew the run.
  for (const key of Object.keys(process.env)) if (key.startsWith('ZK_EXPORTER_')) Reflect.deleteProperty(process.env, key);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'zk-bench-'));
  const started = Date.now();
  let fleet: Fleet | undefined;
  const cleanup = async (): Promise<void> => {
    await fleet?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    // startAgent's harness kills its agents on exit.
    void cleanup().finally(() => process.exit(130));
  });
  try {
    fleet = await startFleet(Math.max(...SCENARIOS.map((s) => s.nodes)));
    console.log(
      `zk-ensemble-exporter bench: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0]!.toFixed(2)}, ` +
        `Node ${process.version}, CLK_TCK ${CLK_TCK}; ${fleet.ports.length} fake nodes (leader, 3 followers, observer per ensemble) ` +
        `in pid ${fleet.child.pid}; window = ${ROUNDS} whole rounds after the first, no scrapes in it`,
    );
    const results: Result[] = [];
    for (const scenario of SCENARIOS) {
      if (scenario.needsHeadroom) {
        const base = results.find((r) => r.scenario.nodes === scenario.nodes && r.scenario.intervalMs === BUDGET.intervalMs && !r.skipped);
        if (!base || base.roundMaxMs > 0.8 * scenario.intervalMs) {
          const why = base
            ? `rounds take up to ${base.roundMaxMs.toFixed(0)} ms at 5 s, no room for a ${scenario.intervalMs} ms interval`
            : 'no 5 s run to compare';
          console.log(`  ${scenario.label}: skipped (${why})`);
          results.push({ scenario, skipped: why } as Result);
          continue;
        }
      }
      const t = Date.now();
      results.push(await runScenario(scenario, fleet, tmp));
      console.log(`  ${scenario.label}: done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    console.log('');
    console.log(table(results));
    console.log('');
    console.log(verdict(results));
    const fast = results.find((r) => r.scenario.intervalMs === 1000 && !r.skipped);
    if (fast) {
      console.log(
        `headroom: ${fast.scenario.nodes} nodes every 1 s → ${pctOfCore(fast).toFixed(1)} % of one core, ` +
          `rounds ${fast.roundMeanMs.toFixed(0)} ms mean / ${fast.roundMaxMs.toFixed(0)} ms max, ${fast.overruns} ticks skipped`,
      );
    }
    for (const r of results) if (r.profile) console.log(`\nprofile of ${r.scenario.label}:\n${r.profile}`);
    console.log(`\ntotal bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
