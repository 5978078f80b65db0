import type { AgentConfig, EnsembleConfig } from '../config/types.js';
import { COMMANDS, type CommandWord, type NodeSample } from '../commands/index.js';
import { layOutMntr } from '../commands/mntr-layout.js';
import { mntrNumber } from '../parse/mntr.js';
import type { MntrEntry } from '../parse/types.js';
import type { DiscoveredMember } from '../ensemble/types.js';
import { serverLabel, type ServerTarget } from '../model/target.js';
import { createLimiter, type Limiter } from '../zk/limiter.js';
import { answeredSrvr, answersAs, discoverMembers, type PolledNode } from './discover.js';
import { pollNode } from './node.js';
import { carryConf, planNode, tickMs } from './plan.js';

/**
 * One ensemble as a round polled it: its config plus the members discovery added this round
 * (`discovered` absent when discovery is off), ready for `deriveEnsemble`.
 */
export type PolledEnsemble = EnsembleConfig & { discovered?: DiscoveredMember[] };

/** Timing of one ensemble's finished round. */
export interface RoundStats {
  /** The ensemble polled; absent for a one-shot round of every ensemble (`runOnce`). */
  ensemble?: string;
  startedAt: number;
  finishedAt: number;
  nodes: number;
  /** True once every ensemble has finished at least one round. */
  allPolled: boolean;
}

/** Where the scheduler hands its results. */
export interface RoundListener {
  /** Called as soon as every node of one ensemble has answered or timed out: ensembles never wait on each other. */
  onEnsemble(ensemble: PolledEnsemble, samples: NodeSample[], now: number): void;
  /** Called once per finished round of one ensemble (and once after a `runOnce`). */
  onRoundEnd(stats: RoundStats): void;
  /** Called when an ensemble's round outlasted `interval`: its next round starts late, never overlapping. */
  onOverrun(ensemble: string): void;
  /** Called when a listener threw during a round: the round is abandoned, scheduling goes on. */
  onError(err: unknown): void;
}

/**
 * Runs each ensemble's rounds on its own timer, every `fastIntervalMs` (srvr alone) with the other
 * words every `intervalMs`. An ensemble's rounds never overlap; other ensembles never wait for it.
 * All node polls share one bounded limiter, with one lane per ensemble taking turns for free slots,
 * so a thousand nodes never open thousands of sockets at once and one ensemble's hung nodes delay
 * another's polls by at most one timeout.
 */
export class PollScheduler {
  /** The limiter every node poll goes through; `/probe` polls through it too, so both share `concurrency`. */
  readonly limiter: Limiter;
  private readonly previous = new Map<string, NodeSample>();
  /** Per ensemble: the members discovery found last round, polled from the start of the next. */
  private readonly discovered = new Map<string, DiscoveredMember[]>();
  /** Planning keys of discovered members seen answering at their address at least once. */
  private readonly answered = new Set<string>();
  /** Per ensemble: the timer of its next round. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per ensemble: its round in flight. */
  private readonly running = new Map<string, Promise<void>>();
  /** Ensembles that finished at least one round. */
  private readonly polledOnce = new Set<string>();
  /**
   * Per ensemble: bumped each time `reconfigure` stops, restarts or adds it, so a round begun under
   * its earlier settings is not handed on.
   */
  private readonly generation = new Map<string, number>();
  private started = false;
  private stopped = false;

  /**
   * @param keptMntrKeys the mntr entries handed on (and carried into fast-lane rounds) once a reply
   *   is laid out for the exposition (`mntrLaidOut`); every entry when undefined. A reply is hundreds
   *   of entries per node and round, while the other consumers (ensemble derivation) read two keys.
   */
  constructor(
    private config: AgentConfig,
    private readonly listener: RoundListener,
    private readonly now: () => number = Date.now,
    private readonly keptMntrKeys?: readonly string[],
  ) {
    this.limiter = createLimiter(config.concurrency, laneMax(config.concurrency, config.ensembles.length));
  }

  /** Starts every ensemble's first round at once, then each one's next round one tick after its last began. */
  start(): void {
    this.started = true;
    this.stopped = false;
    for (const ensemble of this.config.ensembles) this.tick(ensemble);
  }

  /** Stops scheduling and waits for the rounds in flight (bounded by the command timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running.values());
  }

  /**
   * Switches to `config` without touching the ensembles it keeps as they were: their timers, rounds
   * and memory go on (under the new interval and timeout from their next round). Ensembles it no
   * longer has stop being polled and are forgotten; those named in `restart` (changed settings) and
   * new ones start afresh. A round in flight of a stopped or restarted ensemble runs to its end (so
   * one ensemble never has two rounds at once) without being handed on, then its memory is dropped.
   */
  reconfigure(config: AgentConfig, restart: readonly string[]): void {
    const before = new Set(this.config.ensembles.map((e) => e.name));
    const after = new Set(config.ensembles.map((e) => e.name));
    this.config = config;
    const removed = [...before].filter((name) => !after.has(name));
    const added = [...after].filter((name) => !before.has(name));
    for (const name of new Set([...removed, ...added, ...restart])) this.retire(name);
  }

  /** Ends an ensemble's current life: no more hand-ons, memory dropped once its round in flight ends, then a fresh start if it is still configured. */
  private retire(name: string): void {
    const generation = this.generationOf(name) + 1;
    this.generation.set(name, generation);
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    this.polledOnce.delete(name);
    const restart = (): void => {
      // A later reconfigure took over this ensemble.
      if (this.generationOf(name) !== generation) return;
      this.forgetEnsemble(name);
      const ensemble = this.config.ensembles.find((e) => e.name === name);
      if (ensemble !== undefined && this.started && !this.stopped) this.tick(ensemble);
    };
    const run = this.running.get(name);
    if (run === undefined) restart();
    else void run.then(restart);
  }

  private generationOf(name: string): number {
    return this.generation.get(name) ?? 0;
  }

  /** Drops everything remembered about one ensemble's nodes (planning, discovery). */
  private forgetEnsemble(name: string): void {
    const prefix = planningKey(name, '');
    for (const key of [...this.previous.keys()]) if (key.startsWith(prefix)) this.previous.delete(key);
    for (const key of [...this.answered]) if (key.startsWith(prefix)) this.answered.delete(key);
    this.discovered.delete(name);
  }

  /** Runs exactly one round and resolves when it is done (used by the one-shot `status` command). */
  async runOnce(): Promise<void> {
    await this.round();
  }

  /**
   * Runs one round of `ensemble`, then arms its next one tick after this one began (at once when the
   * round took longer): a slow round delays only its own ensemble's next round, never another's.
   */
  private tick(ensemble: EnsembleConfig): void {
    if (this.stopped) return;
    const startedAt = this.now();
    const generation = this.generationOf(ensemble.name);
    const run: Promise<void> = this.pollEnsemble(ensemble)
      .then((nodes) => {
        if (this.generationOf(ensemble.name) !== generation) return;
        const finishedAt = this.now();
        this.polledOnce.add(ensemble.name);
        const allPolled = this.config.ensembles.every((e) => this.polledOnce.has(e.name));
        this.listener.onRoundEnd({ ensemble: ensemble.name, startedAt, finishedAt, nodes, allPolled });
        if (finishedAt - startedAt > this.config.intervalMs) this.listener.onOverrun(ensemble.name);
      })
      .catch((err: unknown) => this.listener.onError(err))
      .finally(() => {
        if (this.running.get(ensemble.name) === run) this.running.delete(ensemble.name);
        // A reconfigure retired this life of the ensemble: it arms its next one itself.
        if (this.stopped || this.generationOf(ensemble.name) !== generation) return;
        const delay = Math.max(0, startedAt + tickMs(this.config) - this.now());
        this.timers.set(
          ensemble.name,
          setTimeout(() => this.tick(ensemble), delay),
        );
      });
    this.running.set(ensemble.name, run);
  }

  /** One round of every ensemble at once, for `runOnce`. */
  private async round(): Promise<void> {
    const startedAt = this.now();
    const counts = await Promise.all(this.config.ensembles.map((ensemble) => this.pollEnsemble(ensemble)));
    for (const ensemble of this.config.ensembles) this.polledOnce.add(ensemble.name);
    this.listener.onRoundEnd({ startedAt, finishedAt: this.now(), nodes: counts.reduce((a, b) => a + b, 0), allPolled: true });
  }

  /** Polls one ensemble's nodes, hands the result to the listener, and returns how many nodes were polled. */
  private async pollEnsemble(ensemble: EnsembleConfig): Promise<number> {
    const generation = this.generationOf(ensemble.name);
    const polled = ensemble.discovery
      ? await this.pollDiscovering(ensemble)
      : { ensemble, samples: await this.pollTargets(ensemble, ensemble.servers) };
    // Samples taken under settings a reconfigure replaced (or of an ensemble it removed) are dropped.
    if (this.generationOf(ensemble.name) === generation) this.listener.onEnsemble(polled.ensemble, polled.samples, this.now());
    return polled.samples.length;
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
    const polled: PolledNode[] = first.map((sample, i) => ({
      target: i < seeds.length ? seeds[i]! : known[i - seeds.length]!.target,
      sample,
    }));
    const found = discoverMembers(seeds, polled, known);
    const fresh = found.filter((member) => !polled.some((node) => node.sample.server === member.server));
    // Nearly every round finds no new member: no second wait then.
    const late =
      fresh.length === 0
        ? []
        : await this.pollTargets(
            ensemble,
            fresh.map((member) => member.target),
          );
    polled.push(...late.map((sample, i) => ({ target: fresh[i]!.target, sample })));
    // The conf of a member polled late may be newer still: its members are polled from next round on.
    // With none polled late, the nodes are those `found` came from, and so is the answer.
    this.discovered.set(ensemble.name, late.length === 0 ? found : discoverMembers(seeds, polled, found));
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
    this.forget(
      ensemble.name,
      polled.map((node) => node.sample.server).filter((server) => !kept.has(server)),
    );
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
          const sample = carryConf(compactMntr(await pollNode(plan, this.now), this.keptMntrKeys), previous);
          this.previous.set(key, forPlanning(sample));
          return sample;
        }, ensemble.name);
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

/**
 * Most limiter slots one ensemble may hold: one slot is kept for each other ensemble (up to half of
 * them all), so an ensemble of hung nodes filling its share never makes another's poll wait for a
 * timeout. Pure.
 */
export function laneMax(concurrency: number, ensembles: number): number {
  return Math.max(1, concurrency - Math.min(ensembles - 1, Math.floor(concurrency / 2)));
}

/** Key of a node's memory in the scheduler. */
function planningKey(ensemble: string, server: string): string {
  return `${ensemble}/${server}`;
}

/**
 * What the next round's planning needs of a sample: srvr's outcome and the words kept between the
 * rounds that ask them (`every_round` words across fast-lane rounds, `conf_interval` words between
 * reads), with when each kind was asked. srvr's parsed reply is not needed again.
 */
function forPlanning(sample: NodeSample): NodeSample {
  const kept: NodeSample = { ensemble: sample.ensemble, server: sample.server, polledAt: sample.polledAt, srvr: sample.srvr };
  if (sample.confPolledAt !== undefined) kept.confPolledAt = sample.confPolledAt;
  if (sample.roundPolledAt !== undefined) kept.roundPolledAt = sample.roundPolledAt;
  for (const command of COMMANDS) {
    if (command.cadence === 'fast') continue;
    const word = command.word as Exclude<CommandWord, 'srvr'>;
    if (sample[word] !== undefined) (kept as Record<CommandWord, unknown>)[word] = sample[word];
  }
  return kept;
}

/**
 * Lays out a node's fresh mntr reply as soon as it arrives and keeps only the `keys` entries (all
 * when undefined). A reply is ~550 entry objects and strings per node; laid out here, they die before
 * the rest of the ensemble answers instead of surviving into the old generation of the heap.
 */
function compactMntr(sample: NodeSample, keys: readonly string[] | undefined): NodeSample {
  if (!sample.mntr?.ok) return sample;
  const record = sample.mntr.value;
  const mntrLaidOut = layOutMntr(record);
  if (keys === undefined) return { ...sample, mntrLaidOut };
  const kept: MntrEntry[] = [];
  for (const key of keys) {
    // The key from the list, not the entry's, and numbers only: a key or text value is a slice of the
    // reply and would keep all of it alive. Derivation reads numbers alone.
    const value = mntrNumber(record, key);
    if (value !== undefined) kept.push({ key, value });
  }
  return { ...sample, mntr: { ...sample.mntr, value: { entries: kept } }, mntrLaidOut };
}
