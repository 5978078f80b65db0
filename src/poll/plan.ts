import { COMMANDS, commandOf, isCommandWord, type CommandWord, type NodeSample } from '../commands/index.js';
import type { AgentConfig, EnsembleConfig } from '../config/types.js';
import type { ServerTarget } from '../model/target.js';
import type { NodePollPlan } from './node.js';

/**
 * Time between two rounds of one ensemble: the fast lane's `fastInterval`, or `interval` when that is
 * shorter (a fast lane slower than the interval is no fast lane). Pure.
 */
export function tickMs(config: Pick<AgentConfig, 'intervalMs' | 'fastIntervalMs'>): number {
  return Math.min(config.intervalMs, config.fastIntervalMs ?? config.intervalMs);
}

/**
 * `every_round` words are asked every `interval`; rounds in between (the fast lane) ask `srvr` alone.
 * They are due when never asked, when the node was down last round (it may have just come back, and
 * its data should follow its `zookeeper_up` at once), or when the last ask is an interval old. Half a
 * tick of slack keeps timer jitter from pushing them one whole tick late. Pure.
 */
export function intervalDue(
  previous: NodeSample | undefined,
  config: Pick<AgentConfig, 'intervalMs' | 'fastIntervalMs'>,
  now: number,
): boolean {
  if (previous?.roundPolledAt === undefined || !previous.srvr.ok) return true;
  return now - previous.roundPolledAt >= config.intervalMs - tickMs(config) / 2;
}

/**
 * `conf_interval` words change rarely, so they are re-asked only when due: never read yet, last read
 * failed, older than the ensemble's confInterval, or the node was down last round (it may have come
 * back with a new membership). Pure.
 */
export function confDue(previous: NodeSample | undefined, ensemble: EnsembleConfig, now: number, word: CommandWord = 'conf'): boolean {
  if (!(ensemble.commands as readonly string[]).includes(word)) return false;
  const last = previous?.[word];
  if (!last || previous?.confPolledAt === undefined) return true;
  if (!last.ok || !previous.srvr.ok) return true;
  return now - previous.confPolledAt >= ensemble.confIntervalMs;
}

/** What to ask one node this round, given what it answered last round: the table decides each word's cadence. Pure. */
export function planNode(
  config: AgentConfig,
  ensemble: EnsembleConfig,
  target: ServerTarget,
  previous: NodeSample | undefined,
  now: number,
): NodePollPlan {
  const commands: CommandWord[] = [];
  const roundDue = intervalDue(previous, config, now);
  // In the configured order; srvr (the fast lane) is asked on its own, always.
  for (const word of ensemble.commands) {
    if (word === 'srvr' || !isCommandWord(word)) continue;
    const cadence = commandOf(word).cadence;
    if (
      cadence === 'fast' ||
      (cadence === 'every_round' && roundDue) ||
      (cadence === 'conf_interval' && confDue(previous, ensemble, now, word))
    ) {
      commands.push(word);
    }
  }
  return {
    ensemble: ensemble.name,
    target,
    transport: ensemble.transport,
    commands,
    timeoutMs: config.timeoutMs,
    maxReplyBytes: config.maxReplyBytes,
    ...(ensemble.tls ? { tls: ensemble.tls } : {}),
  };
}

/**
 * Keeps the last outcome of each word asked less often than every round (`every_round` words on a
 * fast-lane round, `conf_interval` words between reads) on a sample whose round did not ask it, with
 * the time it was asked (`roundPolledAt`, `confPolledAt`), so consumers can tell a carried outcome
 * from a fresh one. A node whose srvr failed carries no `every_round` word: its data is not shown
 * as if it were still up. Pure.
 */
export function carryConf(sample: NodeSample, previous: NodeSample | undefined): NodeSample {
  if (!previous) return sample;
  let carried: NodeSample | undefined;
  for (const command of COMMANDS) {
    if (command.cadence === 'fast') continue;
    // A node found down by the fast lane shows no data until its words are asked again (next round).
    if (command.cadence === 'every_round' && !sample.srvr.ok) continue;
    const word = command.word as Exclude<CommandWord, 'srvr'>;
    if (sample[word] !== undefined || previous[word] === undefined) continue;
    carried ??= { ...sample };
    if (command.cadence === 'conf_interval') carried.confPolledAt = previous.confPolledAt;
    else carried.roundPolledAt = previous.roundPolledAt;
    (carried as Record<CommandWord, unknown>)[word] = previous[word];
  }
  if (carried && carried.confPolledAt === undefined) delete carried.confPolledAt;
  if (carried && carried.roundPolledAt === undefined) delete carried.roundPolledAt;
  return carried ?? sample;
}
