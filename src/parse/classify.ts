import type { FailureReason } from '../model/outcome.js';

/** Failure reasons a four-letter reply can carry in its text (the rest come from the transport or parsers). */
export type FourLetterRefusal = Extract<FailureReason, 'not_whitelisted' | 'not_serving' | 'empty'>;

/** Result of {@link classifyFourLetterReply}: `ok` means "worth handing to the word's parser". */
export type FourLetterClassification = { ok: true } | { ok: false; reason: FourLetterRefusal; detail: string };

/** What every command but ruok/envi/isro prints while the node has no running ZooKeeperServer (ZK_NOT_SERVING). */
export const NOT_SERVING_MESSAGE = 'This ZooKeeper instance is not currently serving requests';

// NopCommand's text since the whitelist appeared (3.4.10): "<word> is not executed because it is not in the whitelist."
const NOT_WHITELISTED = /^(\S+) is not executed because it is not in the whitelist\.$/;

/**
 * Classifies a raw four-letter reply before parsing, so a refusal is never parsed as an empty payload:
 * whitelist refusals, "not currently serving", `isro` answering `null` (no server running), and empty or
 * whitespace-only replies (unknown words, connections closed mid-transition). The AdminServer's `error`
 * text for "not serving" is the same string, so it can be passed here too.
 */
export function classifyFourLetterReply(word: string, text: string): FourLetterClassification {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    const detail = text.length === 0 ? `${word}: empty reply` : `${word}: whitespace-only reply (${text.length} chars)`;
    return { ok: false, reason: 'empty', detail };
  }
  if (trimmed === NOT_SERVING_MESSAGE) return { ok: false, reason: 'not_serving', detail: NOT_SERVING_MESSAGE };
  // IsroCommand prints "null" (no newline) when zkServer is null, i.e. during elections and without quorum.
  if (word === 'isro' && trimmed === 'null') {
    return { ok: false, reason: 'not_serving', detail: 'isro replied "null": no ZooKeeper server running' };
  }
  if (NOT_WHITELISTED.test(trimmed)) return { ok: false, reason: 'not_whitelisted', detail: trimmed };
  return { ok: true };
}
