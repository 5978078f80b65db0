import { commandOf, type CommandWord, type NodeSample, type RecordOf } from '../commands/index.js';
import type { CommandOutcome, RawReply } from '../model/outcome.js';
import { serverLabel, type ServerTarget, type TransportMode } from '../model/target.js';
import { fetchAdminCommand, isAdminCommand } from '../zk/admin-http.js';
import { isFourLetterWord, sendFourLetterWord } from '../zk/four-letter.js';
import type { ZkTls, ZkTlsSettings } from '../zk/tls.js';
import { decodeAdmin, decodeFourLetter } from './decode.js';

/** What to ask one node this round. */
export interface NodePollPlan {
  ensemble: string;
  target: ServerTarget;
  transport: TransportMode;
  /** Words besides srvr to ask this round (conf_interval words only when due). */
  commands: CommandWord[];
  timeoutMs: number;
  maxReplyBytes: number;
  /** The ensemble's TLS settings (files read): both transports then speak TLS only. */
  tls?: ZkTls | ZkTlsSettings;
}

type Limits = { timeoutMs: number; maxBytes: number; tls?: ZkTls | ZkTlsSettings };

/** Asks every AdminServer command of `word` at once. */
function askAdmin(word: CommandWord, host: string, adminPort: number, limits: Limits): Promise<Array<RawReply<unknown>>> {
  return Promise.all(
    commandOf(word).admin.map((name) => {
      // The transport's own read-only list is the last guard; the table must stay inside it.
      if (!isAdminCommand(name)) throw new TypeError(`${word}: AdminServer command ${name} is not a read-only one`);
      return fetchAdminCommand({ host, adminPort }, name, limits);
    }),
  );
}

/**
 * Asks one word over the configured transport. With the four-letter transport, a word the node's
 * whitelist refuses is asked again over the AdminServer when an admin port is known (the AdminServer
 * ignores `4lw.commands.whitelist`).
 */
function pollCommand<W extends CommandWord>(plan: NodePollPlan, limits: Limits, word: W): Promise<CommandOutcome<RecordOf<W>>> {
  const { host, adminPort } = plan.target;
  const overAdmin = (): Promise<CommandOutcome<RecordOf<W>>> =>
    askAdmin(word, host, adminPort!, limits).then((raws) => decodeAdmin(word, raws));
  if (plan.transport === 'admin' && adminPort !== undefined) return overAdmin();
  if (!isFourLetterWord(word)) return Promise.reject(new TypeError(`${String(word)} is not a read-only four-letter word`));
  return sendFourLetterWord(plan.target, word, limits).then((raw) => {
    const outcome = decodeFourLetter(word, raw);
    return !outcome.ok && outcome.reason === 'not_whitelisted' && adminPort !== undefined ? overAdmin() : outcome;
  });
}

/**
 * Polls one node: all words at once, each under its own deadline, so a node that hangs costs at most
 * one timeout however many words are asked.
 */
export async function pollNode(plan: NodePollPlan, now: () => number = Date.now): Promise<NodeSample> {
  const polledAt = now();
  const limits: Limits = { timeoutMs: plan.timeoutMs, maxBytes: plan.maxReplyBytes, ...(plan.tls ? { tls: plan.tls } : {}) };
  const [srvr, ...rest] = await Promise.all([
    pollCommand(plan, limits, 'srvr'),
    ...plan.commands.map((word) => pollCommand(plan, limits, word)),
  ]);
  const sample: NodeSample = { ensemble: plan.ensemble, server: serverLabel(plan.target), polledAt, srvr };
  const outcomes = sample as Record<CommandWord, unknown>;
  plan.commands.forEach((word, i) => {
    outcomes[word] = rest[i];
    const cadence = commandOf(word).cadence;
    if (cadence === 'conf_interval') sample.confPolledAt = polledAt;
    else if (cadence === 'every_round') sample.roundPolledAt = polledAt;
  });
  return sample;
}
