/**
 * /metrics scrape cost through the real render path (NodeStore → AgentMetrics with its per-node text
 * cache → gzip), in process, for 3, 100 and 1,000 nodes, with the default mntr series set and with
 * `all`. Nodes replay the captured 3.8.0 replies, 5 to an ensemble (leader, three followers, observer).
 *
 *   npx tsx bench/scrape.ts            # table + JSON
 *
 * Each measured scrape follows a new round of node records, as in a running agent (rounds every
 * second with the fast lane, scrapes every 15-60 s), so it writes every node's text before copying
 * it; a second scrape in the same round (a pair of Prometheus servers) only copies, and is shown apart.
 * Each configuration runs in its own child process, so one's heap never weighs on another's RSS.
 * Figures are medians over the scrapes of one run; each is printed beside that run's floor (the
 * median cost of gzip-compressing a ready body of the same bytes, interleaved with the scrapes),
 * since the machine's other load moves every figure. It asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ALL_MNTR_SERIES, DEFAULT_MNTR_SELECTION, type MntrSelection } from '../src/commands/mntr-budget.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { NodeStore } from '../src/state/store.js';
import { capturedSample, type CapturedRole, T0 } from '../test/unit/metrics/captured.js';

const SIZES = [3, 100, 1000];
const PRESETS = ['default', 'all'] as const;
const ROLES: CapturedRole[] = ['leader', 'follower', 'follower', 'follower', 'observer'];
// Enough that the median is a warmed-up scrape, as in an agent that Prometheus scrapes all day.
const SCRAPES = Number(process.env.SCRAPES ?? 30);
const gzip = promisify(zlib.gzip);

/** One configuration's figures. */
interface Result {
  nodes: number;
  preset: (typeof PRESETS)[number];
  seriesPerNode: number;
  bytes: number;
  gzipBytes: number;
  /** CPU of a scrape after a new round: writes every node's text, then copies it. */
  cpuMsP50: number;
  /** CPU of a second scrape in the same round: copies the text the first one wrote. */
  repeatCpuMsP50: number;
  cpuMsFloor: number;
  wallMsP50: number;
  wallMsFloor: number;
  rssIdleMb: number;
  rssScrapeMaxMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function child(nodes: number, preset: (typeof PRESETS)[number]): Promise<Result> {
  const selection: MntrSelection = preset === 'all' ? ALL_MNTR_SERIES : DEFAULT_MNTR_SELECTION;
  const store = new NodeStore(false, () => selection);
  const metrics = new AgentMetrics(() => undefined, { nodes: () => store.all() });
  const round = (at: number): void => {
    for (let first = 0; first < nodes; first += ROLES.length) {
      const ensemble = `e${first / ROLES.length}`;
      const samples = ROLES.slice(0, Math.min(ROLES.length, nodes - first)).map((role, i) =>
        capturedSample(role, `10.0.${Math.floor((first + i) / 250)}.${(first + i) % 250}:2181`, at, ensemble),
      );
      store.record(samples, at);
    }
  };
  let rounds = 0;
  const nextRound = (): void => round(T0 + 5000 * rounds++);
  nextRound();
  const text = await metrics.render();
  const gz = await metrics.body(true);
  global.gc?.();
  // Idle is an agent that polls but is not scraped: its highest RSS over as many rounds, at the same pace.
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }, 1);
  for (let i = 0; i < SCRAPES; i++) {
    nextRound();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const rssIdle = Math.max(rssMax, process.memoryUsage.rss());
  rssMax = rssIdle;
  // The floor's input: the same bytes, encoded once, as a scrape would find a ready body.
  const ready = Buffer.from(text);
  const cpu: number[] = [];
  const repeatCpu: number[] = [];
  const wall: number[] = [];
  const floorCpu: number[] = [];
  const floorWall: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    // The floor, interleaved with the scrapes: compressing a ready body of the same
    // bytes, the least any scrape of this size costs on this machine at this moment.
    const floorStarted = process.cpuUsage();
    const floorT = process.hrtime.bigint();
    await gzip(ready, { level: zlib.constants.Z_BEST_SPEED });
    floorWall.push(Number(process.hrtime.bigint() - floorT) / 1e6);
    floorCpu.push(cpuMs(floorStarted));
    // A new round (untimed: polling pays for it), then the scrape that finds every record new.
    nextRound();
    const started = process.cpuUsage();
    const t = process.hrtime.bigint();
    await metrics.body(true);
    wall.push(Number(process.hrtime.bigint() - t) / 1e6);
    cpu.push(cpuMs(started));
    const repeatStarted = process.cpuUsage();
    await metrics.body(true);
    repeatCpu.push(cpuMs(repeatStarted));
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
    // A scrape interval's pause, so a scrape's garbage can be collected as in a running agent.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  clearInterval(sampler);
  const samples = text.split('\n').filter((line) => line.startsWith('zookeeper_mntr_')).length;
  return {
    nodes,
    preset,
    seriesPerNode: Math.round(samples / nodes),
    bytes: Buffer.byteLength(text),
    gzipBytes: Buffer.isBuffer(gz) ? 0 : gz.gzip.length,
    cpuMsP50: Math.round(median(cpu) * 100) / 100,
    repeatCpuMsP50: Math.round(median(repeatCpu) * 100) / 100,
    cpuMsFloor: Math.round(median(floorCpu) * 100) / 100,
    wallMsP50: Math.round(median(wall) * 100) / 100,
    wallMsFloor: Math.round(median(floorWall) * 100) / 100,
    rssIdleMb: Math.round(rssIdle / 1e5) / 10,
    rssScrapeMaxMb: Math.round(rssMax / 1e5) / 10,
  };
}

async function main(): Promise<void> {
  const [mode, nodes, preset] = process.argv.slice(2);
  if (mode === '--child') {
    process.stdout.write(JSON.stringify(await child(Number(nodes), preset as (typeof PRESETS)[number])));
    return;
  }
  const results: Result[] = [];
  for (const size of SIZES) {
    for (const p of PRESETS) {
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(size), p],
        { encoding: 'utf8' },
      );
      if (run.status !== 0) throw new Error(`child ${size} ${p} failed: ${run.stderr}`);
      results.push(JSON.parse(run.stdout) as Result);
    }
  }
  console.log('/metrics scrape (gzip level 1), in process; each figure: median of the run (floor: gzip of a ready body of the same bytes)');
  console.log(
    'nodes  mntrSeries  mntr/node  bytes        gzip        scrape CPU ms (floor)  same round again  scrape wall ms (floor)  RSS idle → scrape max MB',
  );
  for (const r of results) {
    console.log(
      [
        String(r.nodes).padStart(5),
        r.preset.padEnd(10),
        String(r.seriesPerNode).padStart(9),
        String(r.bytes).padStart(11),
        String(r.gzipBytes).padStart(10),
        `${r.cpuMsP50} (${r.cpuMsFloor})`.padStart(21),
        `${r.repeatCpuMsP50} ms`.padStart(16),
        `${r.wallMsP50} (${r.wallMsFloor})`.padStart(22),
        `${r.rssIdleMb} → ${r.rssScrapeMaxMb} (×${(r.rssScrapeMaxMb / r.rssIdleMb).toFixed(2)})`.padStart(26),
      ].join('  '),
    );
  }
  console.log(JSON.stringify({ scrape: results }));
}

await main();
