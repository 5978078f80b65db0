import type { AgentConfig, EnsembleConfig, ServerTarget } from '../config/types.js';
import type { DecodableCommand } from './decode.js';
import type { NodePollPlan } from './node.js';
import type { NodeSample } from './types.js';

/**
 * `conf` changes rarely, so it is re-asked only when due: never read yet, last read failed, older
 * than the ensemble's confInterval, or the node was down last round (it may have come back with a
 * new membership). Pure.
 */
export function confDue(previous: NodeSample | undefined, ensemble: EnsembleConfig, now: number): boolean {
  if (!ensemble.commands.includes('conf')) return false;
  if (!previous?.conf || previous.confPolledAt === undefined) return true;
  if (!previous.conf.ok || !previous.srvr.ok) return true;
  return now - previous.confPolledAt >= ensemble.confIntervalMs;
}

/** What to ask one node this round, given what it answered last round. Pure. */
export function planNode(
  config: AgentConfig,
  ensemble: EnsembleConfig,
  target: ServerTarget,
  previous: NodeSample | undefined,
  now: number,
): NodePollPlan {
  const commands = ensemble.commands.filter(
    (c): c is Exclude<DecodableCommand, 'srvr'> => c === 'mntr' || c === 'wchs' || c === 'stat',
  ) as DecodableCommand[];
  if (confDue(previous, ensemble, now)) commands.push('conf');
  return {
    ensemble: ensemble.name,
    target,
    transport: ensemble.transport,
    commands,
    timeoutMs: config.timeoutMs,
    maxReplyBytes: config.maxReplyBytes,
  };
}

/** Keeps the last `conf` outcome on a sample whose round did not ask for it. Pure. */
export function carryConf(sample: NodeSample, previous: NodeSample | undefined): NodeSample {
  if (sample.conf !== undefined || previous?.conf === undefined) return sample;
  return { ...sample, conf: previous.conf, confPolledAt: previous.confPolledAt };
}
