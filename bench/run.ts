/**
 * Load benchmark of the agent: N fake ZooKeeper nodes (one child process), the real agent
 * (`node dist/main.js`, another process), figures printed, nothing asserted.
 *
 *   npm run bench                 # N=100 and N=1,000 at 5 s, N=1,000 at 1 s (~2 minutes)
 *   npm run bench -- --profile    # also: N=1,000 at 5 s under `node --cpu-prof`, top functions printed
 *   npm run bench -- --profile-only
 *
 * See bench/README.md for what is measured and how.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgent, type AgentProcess } from '../test/harness/agent-process.js';
import { formatSummary, summariseProfile } from './profile.js';

const REPO = path.resolve(import.meta.dirname, '..');
const NODES_PER_ENSEMBLE = 5;
const MAX_NODES = 1000;
/** Whole rounds in the measured window (after the first round). */
const ROUNDS = 6;
/** Scrapes timed for the render figures. */
const RENDER_SCRAPES = 10;
/** Where in the interval the per-round scrape happens: late, when the round is over and the next not begun. */
const SCRAPE_PHASE = 0.9;
/** The target this benchmark reports against. */
const TARGET = { nodes: 1000, intervalMs: 5000, maxCorePct: 25 };

interface Scenario {
  label: string;
  nodes: number;
  intervalMs: number;
  /** Time 10 back-to-back scrapes after the window (skipped at short intervals, where they would overlap rounds). */
  renderTiming: boolean;
  profile?: boolean;
}

const argv = process.argv.slice(2);
const profileOnly = argv.includes('--profile-only');
const withProfile = profileOnly || argv.includes('--profile');

const SCENARIOS: Scenario[] = [
  ...(profileOnly
    ? []
    : [
        { label: 'N=100 @5s', nodes: 100, intervalMs: 5000, renderTiming: true },
        { label: 'N=1000 @5s', nodes: 1000, intervalMs: 5000, renderTiming: true },
        { label: 'N=1000 @1s', nodes: 1000, intervalMs: 1000, renderTiming: false },
      ]),
  ...(withProfile ? [{ label: 'N=1000 @5s prof', nodes: 1000, intervalMs: 5000, renderTiming: true, profile: true }] : []),
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

// ---- the fake nodes --------------------------------------------------------------------------

interface Fleet {
  child: ChildProcess;
  ports: number[];
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
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`fake fleet exited with ${code}`)));
      child.stdout!.on('data', (data: Buffer) => {
        out += data.toString();
        const line = out.indexOf('\n');
        if (line >= 0) resolve((JSON.parse(out.slice(0, line)) as { ports: number[] }).ports);
      });
    });
    return { child, ports, close };
  } catch (err) {
    await close();
    throw err;
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
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(60_000) });
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - started;
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return { ms, bytes: body.length, text: body.toString('utf8') };
}

/** Value of an unlabelled sample line `name value`. */
function sample(text: string, name: string): number {
  const at = text.startsWith(`${name} `) ? 0 : text.indexOf(`\n${name} `);
  if (at < 0) return NaN;
  const start = text.indexOf(' ', at + 1) + 1;
  const end = text.indexOf('\n', start);
  return Number(text.slice(start, end < 0 ? undefined : end));
}

/** Lines that are samples (not comments, not blank). */
function seriesLines(text: string): number {
  let lines = 0;
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf('\n', at);
    const stop = end < 0 ? text.length : end;
    if (stop > at && text.charCodeAt(at) !== 35 /* # */) lines++;
    at = stop + 1;
  }
  return lines;
}

/** The agent's self-metrics read at one moment, bracketed by its CPU time. */
interface Reading {
  at: number;
  cpuBefore: number;
  cpuAfter: number;
  rounds: number;
  overruns: number;
  durationSum: number;
  durationCount: number;
  lastRoundAt: number;
}

async function read(agent: AgentProcess, pid: number): Promise<Reading> {
  const cpuBefore = cpuSeconds(pid);
  const at = Date.now();
  const { text } = await scrape(agent.url);
  const cpuAfter = cpuSeconds(pid);
  return {
    at,
    cpuBefore,
    cpuAfter,
    rounds: sample(text, 'zookeeper_exporter_rounds_total'),
    overruns: sample(text, 'zookeeper_exporter_rounds_overrun_total'),
    durationSum: sample(text, 'zookeeper_exporter_round_duration_seconds_sum'),
    durationCount: sample(text, 'zookeeper_exporter_round_duration_seconds_count'),
    lastRoundAt: sample(text, 'zookeeper_exporter_last_round_timestamp_seconds') * 1000,
  };
}

// ---- one scenario ----------------------------------------------------------------------------

interface Result {
  scenario: Scenario;
  rounds: number;
  overruns: number;
  roundMeanMs: number;
  roundMaxMs: number;
  /** Some rounds were only seen lumped together, so the max is a lower bound. */
  roundMaxIsLowerBound: boolean;
  windowCpu: number;
  pollCpu: number;
  scrapesInWindow: number;
  fakeCpu: number;
  rssMiB: number;
  peakRssMiB: number;
  logLines: number;
  render?: { medianMs: number; maxMs: number; bytes: number; series: number; cpuPerScrape: number; peakRssMiB: number };
  profile?: string;
}

function writeConfig(file: string, ports: number[]): Promise<void> {
  const lines = ['ensembles:'];
  for (let i = 0; i < ports.length; i += NODES_PER_ENSEMBLE) {
    lines.push(`  - name: bench-${String(i / NODES_PER_ENSEMBLE + 1).padStart(4, '0')}`);
    lines.push(`    servers: [${ports.slice(i, i + NODES_PER_ENSEMBLE).map((port) => `"127.0.0.1:${port}"`).join(', ')}]`);
  }
  return fs.writeFile(file, `${lines.join('\n')}\n`);
}

async function sleepUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms);
}

async function runScenario(scenario: Scenario, fleet: Fleet, tmp: string): Promise<Result> {
  const { nodes, intervalMs } = scenario;
  const config = path.join(tmp, `bench-${nodes}-${intervalMs}.yaml`);
  await writeConfig(config, fleet.ports.slice(0, nodes));
  const profileDir = path.join(tmp, `profile-${nodes}-${intervalMs}`);

  // The harness spawns `node dist/main.js` with our env; NODE_OPTIONS is how --cpu-prof reaches it.
  const savedNodeOptions = process.env.NODE_OPTIONS;
  if (scenario.profile) process.env.NODE_OPTIONS = `${savedNodeOptions ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  let agent: AgentProcess;
  try {
    agent = await startAgent(
      ['--config', config, '--interval', `${intervalMs / 1000}s`, '--timeout', '2s', '--log-level', 'warn'],
      60_000,
    );
  } finally {
    if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = savedNodeOptions;
  }
  try {
    const pid = agent.child.pid!;
    const fakePid = fleet.child.pid!;

    // Place the per-round scrape late in each interval, when the round is done: the start of the
    // latest round is its finish time minus its duration (exact while exactly one round is new).
    let last = await read(agent, pid);
    let lastStart = last.lastRoundAt - (last.durationSum / last.durationCount) * 1000;
    let next = lastStart + SCRAPE_PHASE * intervalMs;
    while (next < Date.now() + 50) next += intervalMs;
    await sleepUntil(next);

    const readings: Reading[] = [await read(agent, pid)];
    const fakeCpuStart = cpuSeconds(fakePid);
    const logStart = agent.output().split('\n').length;
    const perRound: number[] = [];
    let lumped = false;
    for (let guard = 0; guard < ROUNDS * 3; guard++) {
      last = readings.at(-1)!;
      if (last.rounds - readings[0]!.rounds >= ROUNDS) break;
      const newRounds = last.durationCount - (readings.at(-2)?.durationCount ?? last.durationCount);
      if (newRounds === 1) lastStart = last.lastRoundAt - (last.durationSum - readings.at(-2)!.durationSum) * 1000;
      next = lastStart + intervalMs + SCRAPE_PHASE * intervalMs;
      while (next < Date.now() + 50) next += intervalMs;
      await sleepUntil(next);
      const reading = await read(agent, pid);
      const prev = readings.at(-1)!;
      const dc = reading.durationCount - prev.durationCount;
      if (dc === 1) perRound.push((reading.durationSum - prev.durationSum) * 1000);
      else if (dc > 1) lumped = true;
      readings.push(reading);
    }
    const first = readings[0]!;
    const end = readings.at(-1)!;
    const fakeCpu = cpuSeconds(fakePid) - fakeCpuStart;
    const logLines = agent.output().split('\n').length - logStart;

    // CPU between the first and the last reading, and the part of it spent outside our scrapes.
    const windowCpu = end.cpuBefore - first.cpuAfter;
    let pollCpu = 0;
    for (let i = 1; i < readings.length; i++) pollCpu += readings[i]!.cpuBefore - readings[i - 1]!.cpuAfter;
    const rounds = end.durationCount - first.durationCount;
    const mem = memoryMiB(pid);

    const result: Result = {
      scenario,
      rounds,
      overruns: end.overruns - first.overruns,
      roundMeanMs: ((end.durationSum - first.durationSum) / rounds) * 1000,
      roundMaxMs: Math.max(...perRound, lumped ? ((end.durationSum - first.durationSum) / rounds) * 1000 : 0),
      roundMaxIsLowerBound: lumped,
      windowCpu,
      pollCpu,
      scrapesInWindow: readings.length - 2,
      fakeCpu,
      rssMiB: mem.rss,
      peakRssMiB: mem.peak,
      logLines,
    };

    if (scenario.renderTiming) {
      // Wait for the next round to finish, then scrape back to back.
      const nextStart = lastStart + intervalMs * Math.ceil((Date.now() - lastStart) / intervalMs);
      await sleepUntil(nextStart + Math.max(result.roundMaxMs * 1.5, 200));
      const cpu0 = cpuSeconds(pid);
      const scrapes: Scrape[] = [];
      for (let i = 0; i < RENDER_SCRAPES; i++) scrapes.push(await scrape(agent.url));
      const cpu1 = cpuSeconds(pid);
      const times = scrapes.map((s) => s.ms).sort((a, b) => a - b);
      const lastScrape = scrapes.at(-1)!;
      result.render = {
        medianMs: (times[(times.length - 1) >> 1]! + times[times.length >> 1]!) / 2,
        maxMs: times.at(-1)!,
        bytes: lastScrape.bytes,
        series: seriesLines(lastScrape.text),
        cpuPerScrape: (cpu1 - cpu0) / RENDER_SCRAPES,
        peakRssMiB: memoryMiB(pid).peak,
      };
    }

    const code = await agent.stop();
    if (code !== 0) process.stderr.write(`warning: agent (${scenario.label}) exited with ${code}\n`);
    if (scenario.profile) {
      const files = (await fs.readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
      if (files.length === 0) result.profile = '(no .cpuprofile written)';
      else result.profile = formatSummary(await summariseProfile(path.join(profileDir, files[0]!), 20));
    }
    return result;
  } finally {
    await agent.stop();
  }
}

// ---- report ----------------------------------------------------------------------------------

function table(results: Result[]): string {
  const f = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
  const rows: Array<[string, (r: Result) => string]> = [
    ['nodes (ensembles of 5)', (r) => `${r.scenario.nodes} (${r.scenario.nodes / NODES_PER_ENSEMBLE})`],
    ['interval', (r) => `${r.scenario.intervalMs / 1000} s`],
    ['rounds measured (overruns)', (r) => `${r.rounds} (${r.overruns})`],
    ['round duration mean', (r) => `${f(r.roundMeanMs, 0)} ms`],
    ['round duration max', (r) => `${r.roundMaxIsLowerBound ? '≥' : ''}${f(r.roundMaxMs, 0)} ms`],
    ['agent CPU, whole window', (r) => `${f(r.windowCpu, 2)} s`],
    ['  of which polling', (r) => `${f(r.pollCpu, 2)} s`],
    ['  of which 1 scrape/round', (r) => `${f(r.windowCpu - r.pollCpu, 2)} s (${r.scrapesInWindow})`],
    ['CPU s / 1,000 node-polls', (r) => f(r.pollCpu / ((r.scenario.nodes * r.rounds) / 1000), 3)],
    ['% of one core (polling)', (r) => `${f((100 * r.pollCpu) / ((r.rounds * r.scenario.intervalMs) / 1000), 1)} %`],
    ['% of one core (+scrapes)', (r) => `${f((100 * r.windowCpu) / ((r.rounds * r.scenario.intervalMs) / 1000), 1)} %`],
    ['fake nodes CPU (own proc)', (r) => `${f(r.fakeCpu, 2)} s`],
    ['agent RSS after rounds', (r) => `${f(r.rssMiB, 0)} MiB`],
    ['agent peak RSS (VmHWM)', (r) => `${f(r.render?.peakRssMiB ?? r.peakRssMiB, 0)} MiB`],
    ['agent log lines (window)', (r) => String(r.logLines)],
    ['/metrics render median', (r) => (r.render ? `${f(r.render.medianMs, 0)} ms` : '—')],
    ['/metrics render max', (r) => (r.render ? `${f(r.render.maxMs, 0)} ms` : '—')],
    ['/metrics CPU per scrape', (r) => (r.render ? `${f(r.render.cpuPerScrape * 1000, 0)} ms` : '—')],
    ['/metrics size', (r) => (r.render ? `${f(r.render.bytes / 1024 / 1024, 2)} MiB` : '—')],
    ['/metrics series lines', (r) => (r.render ? String(r.render.series) : '—')],
  ];
  const head = ['', ...results.map((r) => r.scenario.label)];
  const body = rows.map(([name, cell]) => [name, ...results.map(cell)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function verdict(results: Result[]): string {
  const r = results.find((x) => x.scenario.nodes === TARGET.nodes && x.scenario.intervalMs === TARGET.intervalMs && !x.scenario.profile);
  if (!r) return 'target: not measured in this run';
  const pct = (100 * r.pollCpu) / ((r.rounds * r.scenario.intervalMs) / 1000);
  const withScrapes = (100 * r.windowCpu) / ((r.rounds * r.scenario.intervalMs) / 1000);
  const ok = pct < TARGET.maxCorePct;
  return (
    `target "1,000 nodes every 5 s on under 25 % of one core": measured ${pct.toFixed(1)} % polling ` +
    `(${withScrapes.toFixed(1)} % with a full /metrics scrape every round) → ${ok ? 'MET' : 'NOT MET'}` +
    (ok ? ` (${(TARGET.maxCorePct / pct).toFixed(1)}× headroom)` : ` (${(pct / TARGET.maxCorePct).toFixed(1)}× over)`)
  );
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // The agent inherits our env; settings from the caller's environment would skew the run.
  for (const key of Object.keys(process.env)) if (key.startsWith('ZK_EXPORTER_')) delete process.env[key];

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'zk-bench-'));
  const started = Date.now();
  let fleet: Fleet | undefined;
  const cleanup = async (): Promise<void> => {
    await fleet?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  try {
    const maxNodes = Math.max(...SCENARIOS.map((s) => s.nodes));
    if (maxNodes > MAX_NODES) throw new Error(`at most ${MAX_NODES} nodes`);
    fleet = await startFleet(maxNodes);
    console.log(
      `zk-ensemble-exporter bench: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, CLK_TCK ${CLK_TCK}; ` +
        `${fleet.ports.length} fake nodes in pid ${fleet.child.pid}; agent flags --interval <i> --timeout 2s --log-level warn; ` +
        `window = ${ROUNDS} whole rounds after the first, one /metrics scrape per round late in the interval`,
    );
    const results: Result[] = [];
    for (const scenario of SCENARIOS) {
      const t = Date.now();
      results.push(await runScenario(scenario, fleet, tmp));
      console.log(`  ${scenario.label}: done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
    console.log('');
    console.log(table(results));
    console.log('');
    console.log(verdict(results));
    const fast = results.find((r) => r.scenario.intervalMs === 1000 && !r.scenario.profile);
    if (fast) {
      const pct = (100 * fast.pollCpu) / ((fast.rounds * fast.scenario.intervalMs) / 1000);
      console.log(
        `headroom: ${fast.scenario.nodes} nodes every 1 s → ${pct.toFixed(1)} % of one core polling, ` +
          `round mean ${fast.roundMeanMs.toFixed(0)} ms / max ${fast.roundMaxMs.toFixed(0)} ms, ${fast.overruns} overruns`,
      );
    }
    for (const r of results) if (r.profile) console.log(`\nprofile of ${r.scenario.label} (whole agent life, startup and scrapes included):\n${r.profile}`);
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
