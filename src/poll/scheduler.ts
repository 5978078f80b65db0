import type { AgentConfig, EnsembleConfig } from '../config/types.js';
import { COMMANDS, type CommandWord, type NodeSample } from '../commands/index.js';
import type { DiscoveredMember } from '../ensemble/types.js';
import { serverLabel, type ServerTarget } from '../model/target.js';
import { createLimiter, type Limiter } from '../zk/limiter.js';
import { answeredSrvr, answersAs, discoverMembers, type PolledNode } from './discover.js';
import { pollNode } from './node.js';
import { carryConf, planNode } from './plan.js';

/**
 * Discovery when an ensemble does not say: on. An ensemble turns it off with `discovery: false`, read
 * here without depending on the config schema declaring the key.
 */
export const DISCOVERY_DEFAULT = true;

/** Whether members found in `conf` are polled besides the configured servers. */
export function discoveryEnabled(ensemble: EnsembleConfig): boolean {
  const setting = (ensemble as EnsembleConfig & { discovery?: unknown }).discovery;
  return typeof setting === 'boolean' ? setting : DISCOVERY_DEFAULT;
}

/**
 * One ensemble as a round polled it: its config plus the members discovery added this round
 * (`discovered` absent when discovery is off), ready for `deriveEnsemble`.
 */
export type PolledEnsemble = EnsembleConfig & { discovered?: DiscoveredMember[] };

/** Timing of one finished round. */
export interface RoundStats {
  startedAt: number;
  finishedAt: number;
  nodes: number;
}

/** Where the scheduler hands its results. */
export interface RoundListener {
  /** Called as soon as every node of one ensemble has answered or timed out: ensembles never wait on each other. */
  onEnsemble(ensemble: PolledEnsemble, samples: NodeSample[], now: number): void;
  /** Called once per round after every ensemble is done. */
  onRoundEnd(stats: RoundStats): void;
  /** Called when a tick found the previous round still running: the tick is skipped, not queued. */
  onOverrun(): void;
  /** Called when a listener threw during a round: the round is abandoned, scheduling goes on. */
  onError(err: unknown): void;
}

/**
 * Runs poll rounds every `intervalMs`. Rounds never overlap; all node polls share one bounded
 * limiter so a thousand nodes never open thousands of sockets at once.
 */
export class PollScheduler {
  /** The limiter every node poll goes through; `/probe` polls through it too, so both share `concurrency`. */
  readonly limiter: Limiter;
  private readonly previous = new Map<string, NodeSample>();
  /** Per ensemble: the members discovery found last round, polled from the start of the next. */
  private readonly discovered = new Map<string, DiscoveredMember[]>();
  /** Planning keys of discovered members seen answering at their address at least once. */
  private readonly answered = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly listener: RoundListener,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = createLimiter(config.concurrency);
  }

  /** Starts the first round at once, then one every interval. */
  start(): void {
    this.stopped = false;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.intervalMs);
  }

  /** Stops scheduling and waits for the round in flight (bounded by the command timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs exactly one round and resolves when it is done (used by the one-shot `status` command). */
  async runOnce(): Promise<void> {
    await this.round();
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.listener.onOverrun();
      return;
    }
    this.running = this.round()
      .catch((err: unknown) => this.listener.onError(err))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async round(): Promise<void> {
    const startedAt = this.now();
    let nodes = 0;
    await Promise.all(
      this.config.ensembles.map(async (ensemble) => {
        const polled = discoveryEnabled(ensemble) ? await this.pollDiscovering(ensemble) : { ensemble, samples: await this.pollTargets(ensemble, ensemble.servers) };
        nodes += polled.samples.length;
        this.listener.onEnsemble(polled.ensemble, polled.samples, this.now());
      }),
    );
    this.listener.onRoundEnd({ startedAt, finishedAt: this.now(), nodes });
  }

  /**
   * Polls the seeds and the members known from last round, then at once any member their `conf`
   * reveals that was not polled yet: a one-shot `status` given one address sees the whole ensemble.
   * A discovered address that answers as another server id is dropped from this round. A member never
   * seen answering at its discovered address is handed on without its sample (only its failure), so
   * it exports no per-node series: `zookeeper_up 0` there would claim an outage the agent cannot know.
   */
  private async pollDiscovering(ensemble: EnsembleConfig): Promise<{ ensemble: PolledEnsemble; samples: NodeSample[] }> {
    const seeds = ensemble.servers;
    const known = this.discovered.get(ensemble.name) ?? [];
    const first = await this.pollTargets(ensemble, [...seeds, ...known.map((member) => member.target)]);
    const polled: PolledNode[] = first.map((sample, i) => ({ target: i < seeds.length ? seeds[i]! : known[i - seeds.length]!.target, sample }));
    const found = discoverMembers(seeds, polled, known);
    const fresh = found.filter((member) => !polled.some((node) => node.sample.server === member.server));
    const late = await this.pollTargets(ensemble, fresh.map((member) => member.target));
    polled.push(...late.map((sample, i) => ({ target: fresh[i]!.target, sample })));
    // The conf of a member polled late may be newer still: its members are polled from next round on.
    this.discovered.set(ensemble.name, discoverMembers(seeds, polled, found));
    const byServer = new Map(polled.map((node) => [node.sample.server, node.sample] as const));
    const discovered = found.filter((member) => {
      const sample = byServer.get(member.server);
      return sample !== undefined && answersAs(member, sample);
    });
    const reported = discovered.map((member): DiscoveredMember => {
      const key = planningKey(ensemble.name, member.server);
      const sample = byServer.get(member.server)!;
      if (answeredSrvr(sample)) this.answered.add(key);
      const srvr = sample.srvr;
      if (this.answered.has(key) || srvr.ok || srvr.reason === 'not_serving') return member;
      return { ...member, failure: srvr.reason };
    });
    const kept = new Set([...seeds.map(serverLabel), ...discovered.map((member) => member.server)]);
    const withSamples = new Set([...seeds.map(serverLabel), ...reported.filter((m) => m.failure === undefined).map((m) => m.server)]);
    this.forget(ensemble.name, polled.map((node) => node.sample.server).filter((server) => !kept.has(server)));
    return {
      ensemble: { ...ensemble, discovered: reported },
      samples: polled.map((node) => node.sample).filter((sample) => withSamples.has(sample.server)),
    };
  }

  /** Polls some targets of one ensemble through the shared limiter, carrying conf between reads. */
  private pollTargets(ensemble: EnsembleConfig, targets: readonly ServerTarget[]): Promise<NodeSample[]> {
    return Promise.all(
      targets.map((target) => {
        const key = planningKey(ensemble.name, serverLabel(target));
        const previous = this.previous.get(key);
        const plan = planNode(this.config, ensemble, target, previous, this.now());
        return this.limiter.run(async () => {
          const sample = carryConf(await pollNode(plan, this.now), previous);
          this.previous.set(key, forPlanning(sample));
          return sample;
        });
      }),
    );
  }

  /**
   * Drops the memory of nodes polled this round that are not handed on (removed by a reconfig, or
   * answering as another id): a member that comes back starts afresh.
   */
  private forget(ensemble: string, servers: readonly string[]): void {
    for (const server of servers) {
      const key = planningKey(ensemble, server);
      this.previous.delete(key);
      this.answered.delete(key);
    }
  }
}

/** Key of a node's memory in the scheduler. */
function planningKey(ensemble: string, server: string): string {
  return `${ensemble}/${server}`;
}

/**
 * What the next round's planning needs of a sample: srvr's outcome and the conf_interval words (kept
 * between reads). Keeping the rest would hold every node's parsed replies for a whole extra round.
 */
function forPlanning(sample: NodeSample): NodeSample {
  const kept: NodeSample = { ensemble: sample.ensemble, server: sample.server, polledAt: sample.polledAt, srvr: sample.srvr };
  if (sample.confPolledAt !== undefined) kept.confPolledAt = sample.confPolledAt;
  for (const command of COMMANDS) {
    if (command.cadence !== 'conf_interval') continue;
    const word = command.word as Exclude<CommandWord, 'srvr'>;
    if (sample[word] !== undefined) (kept as Record<CommandWord, unknown>)[word] = sample[word];
  }
  return kept;
}
