import { promisify } from 'node:util';
import zlib from 'node:zlib';
import client from 'prom-client';
import type { NodeRecord } from '../state/store.js';
import { FamilySet, renderFamilies } from './family.js';
import { NodeTextCache, type NodeExposition } from './render-cache.js';

const gzip = promisify(zlib.gzip);

/** Bodies below this size are compressed on the event loop (well under a millisecond at level 1). */
const SYNC_GZIP_BYTES = 256 * 1024;

/** A /metrics body: the text's UTF-8 bytes, or their gzip encoding when the scraper accepts it. */
export type MetricsBody = Buffer | { gzip: Buffer };

/** Version reported by `zookeeper_exporter_build_info`. */
export const AGENT_VERSION = '0.1.0';

/** prom-client default metrics left out of the exposition. */
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Options of {@link AgentMetrics}. */
export interface AgentMetricsOptions {
  /**
   * Also export the process and Node.js runtime series (prom-client's default metrics:
   * `process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, …)
   * and the previous scrape's render duration and size. Off for the golden exposition, whose bytes
   * must not depend on the machine or on the order of scrapes.
   * @default false
   */
  runtime?: boolean;
  /**
   * The node records whose per-node families lead the scrape-time families, rendered through a
   * {@link NodeTextCache} (each record's text written once, by the first scrape that finds it new).
   * Without it, `buildFamilies` builds every scrape-time family itself.
   */
  nodes?: () => readonly NodeRecord[];
}

/** The previous scrape's cost, kept for the next one (a scrape cannot measure its own rendering). */
interface ScrapeCost {
  duration: client.Gauge;
  bytes: client.Gauge;
}

/**
 * The agent's own registry (never prom-client's global one): self-metrics that accumulate across
 * rounds, plus scrape-time families built from the in-memory state by `buildFamilies`.
 */
export class AgentMetrics {
  readonly registry = new client.Registry();
  readonly roundsTotal = new client.Counter({
    name: 'zookeeper_exporter_rounds_total',
    help: 'Poll rounds completed (one per ensemble per round).',
    registers: [this.registry],
  });
  readonly roundsOverrun = new client.Counter({
    name: 'zookeeper_exporter_rounds_overrun_total',
    help: 'Rounds of one ensemble that outlasted the interval: its next round started late (rounds never overlap nor queue).',
    registers: [this.registry],
  });
  readonly roundDuration = new client.Histogram({
    name: 'zookeeper_exporter_round_duration_seconds',
    help: "Duration of one ensemble's poll round.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly lastRoundTimestamp = new client.Gauge({
    name: 'zookeeper_exporter_last_round_timestamp_seconds',
    help: 'Unix time the latest poll round (of any ensemble) finished.',
    registers: [this.registry],
  });
  readonly electionDuration = new client.Histogram({
    name: 'zookeeper_ensemble_election_duration_seconds',
    help: 'Durations of finished leader elections, from the first round without a serving leader to the first round with one.',
    labelNames: ['ensemble'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  /** Set by the agent at start and after each reload attempt; 0 until then (as in the golden exposition). */
  readonly configLastReloadSuccessful = new client.Gauge({
    name: 'zookeeper_exporter_config_last_reload_successful',
    help: 'Whether the latest config load (at start, SIGHUP or POST /-/reload) was applied: 1, or 0 when refused and the previous config kept running.',
    registers: [this.registry],
  });
  /** Set by the agent at start and after each applied reload. */
  readonly configLastReloadSuccessTimestamp = new client.Gauge({
    name: 'zookeeper_exporter_config_last_reload_success_timestamp_seconds',
    help: 'Unix time the running config was applied (at start or by the latest successful reload).',
    registers: [this.registry],
  });

  private readonly scrape: ScrapeCost | undefined;
  private readonly nodes: (() => readonly NodeRecord[]) | undefined;
  private readonly nodeText = new NodeTextCache();
  /** The buffer compressed scrapes write their text into (see {@link body}); grown when too small. */
  private scratch = Buffer.allocUnsafeSlow(0);
  private scratchFree = true;

  constructor(
    private readonly buildFamilies: (set: FamilySet) => void,
    options: AgentMetricsOptions = {},
  ) {
    this.nodes = options.nodes;
    if (options.runtime) {
      client.collectDefaultMetrics({ register: this.registry });
      // Gauges named `_total` fail `promtool check metrics`; their per-type siblings
      // (nodejs_active_handles{type}, …) carry the same counts.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
      this.scrape = {
        duration: new client.Gauge({
          name: 'zookeeper_exporter_scrape_duration_seconds',
          help: 'Time the previous /metrics scrape took to render (0 before the first).',
          registers: [this.registry],
        }),
        bytes: new client.Gauge({
          name: 'zookeeper_exporter_scrape_bytes',
          help: 'Size of the previous /metrics response body in bytes (0 before the first).',
          registers: [this.registry],
        }),
      };
    }
    new client.Gauge({
      name: 'zookeeper_exporter_build_info',
      help: 'Always 1; carries the agent and Node.js versions.',
      labelNames: ['version', 'nodejs'] as const,
      registers: [this.registry],
    }).set({ version: AGENT_VERSION, nodejs: process.version }, 1);
  }

  /** Renders the whole exposition: accumulated self-metrics, then the scrape-time families. */
  async render(): Promise<string> {
    const started = process.hrtime.bigint();
    const bytes = await this.renderBytes(undefined);
    this.recordScrape(started, bytes.length);
    return bytes.toString('utf8');
  }

  /**
   * The /metrics body, gzip-compressed (at the fastest level: the text is repetitive enough that
   * higher levels gain little for several times the CPU) when `compress` is set. The recorded scrape
   * duration covers rendering and compression.
   */
  async body(compress: boolean): Promise<MetricsBody> {
    const started = process.hrtime.bigint();
    if (!compress) {
      const bytes = await this.renderBytes(undefined);
      this.recordScrape(started, bytes.length);
      return bytes;
    }
    // gzip is done with its input when it resolves, so the text can go in a buffer kept from scrape to
    // scrape (megabytes at 1,000 nodes) instead of a new one each time; a scrape arriving meanwhile
    // takes a buffer of its own. A plain body is handed to the socket, which may hold it longer.
    const reuse = this.scratchFree;
    this.scratchFree = false;
    try {
      const bytes = await this.renderBytes(reuse ? (size) => this.scratchOf(size) : undefined);
      const options = { level: zlib.constants.Z_BEST_SPEED };
      // Off the event loop only when it pays: a hop to the thread pool costs about 0.3 ms, several
      // times what compressing tens of kilobytes (a few nodes) takes.
      const body = { gzip: bytes.length < SYNC_GZIP_BYTES ? zlib.gzipSync(bytes, options) : await gzip(bytes, options) };
      this.recordScrape(started, bytes.length);
      return body;
    } finally {
      if (reuse) this.scratchFree = true;
    }
  }

  /**
   * The first `size` bytes of the scratch buffer, made anew (with room for the next scrapes' growth)
   * when too small, or when far too big (after a reload removed ensembles).
   */
  private scratchOf(size: number): Buffer {
    if (this.scratch.length < size || this.scratch.length > 2 * size + 65536) this.scratch = Buffer.allocUnsafeSlow(size + (size >> 3));
    return this.scratch.subarray(0, size);
  }

  /**
   * The exposition in one buffer, written once: the self-metrics, the per-node families (copied from
   * their cached bytes), any per-node type conflicts, then the other scrape-time families; blocks
   * separated by a blank line.
   */
  private async renderBytes(bufferOf: ((size: number) => Buffer) | undefined): Promise<Buffer> {
    const set = new FamilySet();
    this.buildFamilies(set);
    const own = await this.registry.metrics();
    const nodes = this.nodes === undefined ? undefined : this.nodeText.assemble(this.nodes());
    const texts = [nodes?.conflicts ?? '', renderFamilies(set.all())].filter((text) => text !== '');
    const parts: Array<string | NodeExposition> = [own];
    if (nodes !== undefined && nodes.byteLength > 0) parts.push(nodes);
    parts.push(...texts);
    let size = parts.length - 1;
    for (const part of parts) size += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
    const out = bufferOf === undefined ? Buffer.allocUnsafe(size) : bufferOf(size);
    let at = 0;
    parts.forEach((part, index) => {
      if (index > 0) at += out.write('\n', at);
      at += typeof part === 'string' ? out.write(part, at) : part.writeTo(out, at);
    });
    return out;
  }

  /** Keeps a scrape's cost for the next one; the size is the text's, before any compression. */
  private recordScrape(started: bigint, bytes: number): void {
    if (!this.scrape) return;
    this.scrape.duration.set(Number(process.hrtime.bigint() - started) / 1e9);
    this.scrape.bytes.set(bytes);
  }

  /** Content type of {@link render}'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
