import type { ServerTarget, TransportMode } from '../config/types.js';
import { serverLabel } from '../config/server-label.js';
import { fetchAdminCommand } from '../zk/admin-http.js';
import { sendFourLetterWord } from '../zk/four-letter.js';
import type { CommandOutcome } from '../zk/outcome.js';
import { decodeAdmin, decodeFourLetter, type DecodableCommand, type DecodedRecords } from './decode.js';
import type { NodeSample } from './types.js';

/** What to ask one node this round. */
export interface NodePollPlan {
  ensemble: string;
  target: ServerTarget;
  transport: TransportMode;
  /** Commands besides srvr to ask this round (conf only when due). */
  commands: DecodableCommand[];
  timeoutMs: number;
  maxReplyBytes: number;
}

/**
 * Asks one command over the configured transport. With the four-letter transport, a command the
 * node's whitelist refuses is asked again over the AdminServer when an admin port is known
 * (the AdminServer ignores `4lw.commands.whitelist`).
 */
export async function pollCommand<K extends DecodableCommand>(
  plan: NodePollPlan,
  command: K,
): Promise<CommandOutcome<DecodedRecords[K]>> {
  const limits = { timeoutMs: plan.timeoutMs, maxBytes: plan.maxReplyBytes };
  const { adminPort } = plan.target;
  if (plan.transport === 'admin' && adminPort !== undefined) {
    return decodeAdmin(command, await fetchAdminCommand({ host: plan.target.host, adminPort }, command, limits));
  }
  const outcome = decodeFourLetter(command, await sendFourLetterWord(plan.target, command, limits));
  if (!outcome.ok && outcome.reason === 'not_whitelisted' && adminPort !== undefined) {
    return decodeAdmin(command, await fetchAdminCommand({ host: plan.target.host, adminPort }, command, limits));
  }
  return outcome;
}

/**
 * Polls one node: all commands at once, each under its own deadline, so a node that hangs costs
 * at most one timeout however many commands are asked.
 */
export async function pollNode(plan: NodePollPlan, now: () => number = Date.now): Promise<NodeSample> {
  const polledAt = now();
  const [srvr, ...rest] = await Promise.all([
    pollCommand(plan, 'srvr'),
    ...plan.commands.map((command) => pollCommand(plan, command)),
  ]);
  const sample: NodeSample = { ensemble: plan.ensemble, server: serverLabel(plan.target), polledAt, srvr: srvr as NodeSample['srvr'] };
  plan.commands.forEach((command, i) => {
    const outcome = rest[i];
    if (command === 'mntr') sample.mntr = outcome as NodeSample['mntr'];
    else if (command === 'wchs') sample.wchs = outcome as NodeSample['wchs'];
    else if (command === 'conf') {
      sample.conf = outcome as NodeSample['conf'];
      sample.confPolledAt = polledAt;
    }
  });
  return sample;
}
