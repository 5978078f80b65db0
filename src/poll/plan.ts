import { COMMANDS, commandOf, isCommandWord, type CommandWord, type NodeSample } from '../commands/index.js';
import type { AgentConfig, EnsembleConfig } from '../config/types.js';
import type { ServerTarget } from '../model/target.js';
import type { NodePollPlan } from './node.js';

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
  // In the configured order; srvr is asked on its own, always.
  for (const word of ensemble.commands) {
    if (word === 'srvr' || !isCommandWord(word)) continue;
    if (commandOf(word).cadence === 'every_round' || confDue(previous, ensemble, now, word)) commands.push(word);
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

/** Keeps the last outcome of each `conf_interval` word on a sample whose round did not ask it. Pure. */
export function carryConf(sample: NodeSample, previous: NodeSample | undefined): NodeSample {
  if (!previous) return sample;
  let carried: NodeSample | undefined;
  for (const command of COMMANDS) {
    if (command.cadence !== 'conf_interval') continue;
    const word = command.word as Exclude<CommandWord, 'srvr'>;
    if (sample[word] !== undefined || previous[word] === undefined) continue;
    carried ??= { ...sample, confPolledAt: previous.confPolledAt };
    (carried as Record<CommandWord, unknown>)[word] = previous[word];
  }
  if (carried && carried.confPolledAt === undefined) delete carried.confPolledAt;
  return carried ?? sample;
}
