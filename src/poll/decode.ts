import { commandOf, type CommandWord, type RecordOf } from '../commands/index.js';
import type { CommandOutcome, FailureReason, RawReply, Transport } from '../model/outcome.js';
import { adminErrorOf, classifyFourLetterReply } from '../parse/index.js';

function failure<T>(reason: FailureReason, detail: string, transport: Transport, durationMs: number): CommandOutcome<T> {
  return { ok: false, reason, detail, transport, durationMs };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns a raw four-letter-word reply into the word's record or a classified failure. Pure. */
export function decodeFourLetter<W extends CommandWord>(word: W, raw: RawReply): CommandOutcome<RecordOf<W>> {
  if (!raw.ok) return failure(raw.reason, raw.detail, 'fourletter', raw.durationMs);
  // Refusals and "not serving" arrive as ordinary text replies: classify before parsing so they
  // never turn into an all-zero record.
  const verdict = classifyFourLetterReply(word, raw.body);
  if (!verdict.ok) return failure(verdict.reason, verdict.detail, 'fourletter', raw.durationMs);
  try {
    return { ok: true, value: commandOf(word).parseText(raw.body), transport: 'fourletter', durationMs: raw.durationMs };
  } catch (err) {
    return failure('malformed', describe(err), 'fourletter', raw.durationMs);
  }
}

/**
 * Turns the AdminServer replies of one word (one per `admin` command of its table entry, in order) into
 * the same record a four-letter reply yields. The first failure wins; durations add up. Pure.
 */
export function decodeAdmin<W extends CommandWord>(word: W, raws: ReadonlyArray<RawReply<unknown>>): CommandOutcome<RecordOf<W>> {
  const durationMs = raws.reduce((sum, raw) => sum + raw.durationMs, 0);
  const bodies: unknown[] = [];
  for (const raw of raws) {
    if (!raw.ok) return failure(raw.reason, raw.detail, 'admin', durationMs);
    // Not serving is a 200 with an `error` text, the same text the four-letter word prints.
    const error = adminErrorOf(raw.body);
    if (error !== undefined) {
      return failure(/not currently serving/i.test(error) ? 'not_serving' : 'http_error', error, 'admin', durationMs);
    }
    bodies.push(raw.body);
  }
  try {
    return { ok: true, value: commandOf(word).parseJson(bodies), transport: 'admin', durationMs };
  } catch (err) {
    return failure('malformed', describe(err), 'admin', durationMs);
  }
}
