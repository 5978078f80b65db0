import type { AgentConfig, EnsembleConfig } from '../config/types.js';
import { COMMANDS, type CommandWord, type NodeSample } from '../commands/index.js';
import { serverLabel } from '../model/target.js';
import { createLimiter } from '../zk/limiter.js';
import { pollNode } from './node.js';
import { carryConf, planNode } from './plan.js';

/** Timing of one finished round. */
export interface RoundStats {
  startedAt: number;
  finishedAt: number;
  nodes: number;
}

/** Where the scheduler hands its results. */
export interface RoundListener {
  /** Called as soon as every node of one ensemble has answered or timed out: ensembles never wait on each other. */
  onEnsemble(ensemble: EnsembleConfig, samples: NodeSample[], now: number): void;
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
  private readonly limiter;
  private readonly previous = new Map<string, NodeSample>();
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
        nodes += ensemble.servers.length;
        const samples = await Promise.all(
          ensemble.servers.map((target) => {
            const key = `${ensemble.name}/${serverLabel(target)}`;
            const previous = this.previous.get(key);
            const plan = planNode(this.config, ensemble, target, previous, this.now());
            return this.limiter.run(async () => {
              const sample = carryConf(await pollNode(plan, this.now), previous);
              this.previous.set(key, forPlanning(sample));
              return sample;
            });
          }),
        );
        this.listener.onEnsemble(ensemble, samples, this.now());
      }),
    );
    this.listener.onRoundEnd({ startedAt, finishedAt: this.now(), nodes });
  }
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
