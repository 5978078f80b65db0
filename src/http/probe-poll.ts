/**
 * The I/O of `/probe`: polls each target once through the agent's node-poll limiter, every node within
 * the probe's deadline. Decides nothing about the answers (probe-result.ts does).
 */
import { DEFAULT_COMMANDS, type NodeSample } from '../commands/index.js';
import { serverLabel, type ServerTarget } from '../model/target.js';
import { pollNode, type NodePollPlan } from '../poll/node.js';
import { createLimiter, type Limiter } from '../zk/limiter.js';

/** Below this much time left, a node is not polled at all: no reply could arrive in time. */
const MIN_POLL_MS = 50;

/** What every probe shares: the agent's limiter, its per-command limits, and its clock. */
export interface ProbePollerOptions {
  /** The limiter the poll scheduler runs every node poll through. */
  limiter: Limiter;
  /** The agent's per-command deadline; a probe's is never longer. */
  timeoutMs: number;
  maxReplyBytes: number;
  now?: () => number;
}

/**
 * Polls probe targets. Probes take at most half of the shared limiter's slots between them (at least
 * one), so however many probes arrive at once, poll rounds always keep the other half.
 */
export class ProbePoller {
  private readonly share: Limiter;
  private readonly now: () => number;

  constructor(
    private readonly options: ProbePollerOptions,
    concurrency: number,
  ) {
    this.share = createLimiter(Math.max(1, Math.floor(concurrency / 2)));
    this.now = options.now ?? Date.now;
  }

  /** Polls every target once with the default words (conf included), all finished by `deadline` (epoch ms). */
  poll(ensemble: string, targets: readonly ServerTarget[], deadline: number): Promise<NodeSample[]> {
    return Promise.all(
      targets.map((target) => this.share.run(() => this.options.limiter.run(() => this.pollOne(ensemble, target, deadline)))),
    );
  }

  private pollOne(ensemble: string, target: ServerTarget, deadline: number): Promise<NodeSample> {
    const left = deadline - this.now();
    if (left < MIN_POLL_MS) return Promise.resolve(outOfTime(ensemble, target, this.now()));
    const plan: NodePollPlan = {
      ensemble,
      target,
      transport: 'fourletter',
      commands: DEFAULT_COMMANDS.filter((word) => word !== 'srvr'),
      timeoutMs: Math.min(this.options.timeoutMs, left),
      maxReplyBytes: this.options.maxReplyBytes,
    };
    return pollNode(plan, this.now);
  }
}

/** A node the probe's deadline left no time for: down with reason `timeout`, like a node that never answered. */
function outOfTime(ensemble: string, target: ServerTarget, now: number): NodeSample {
  return {
    ensemble,
    server: serverLabel(target),
    polledAt: now,
    srvr: {
      ok: false,
      reason: 'timeout',
      detail: 'the probe deadline passed while waiting for a free poll slot',
      transport: 'fourletter',
      durationMs: 0,
    },
  };
}
