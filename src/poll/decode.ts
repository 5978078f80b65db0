import {
  adminErrorOf,
  adminMntr,
  adminServerConfig,
  adminServerStats,
  adminWatchSummary,
  classifyFourLetterReply,
  parseMntr,
  parseServerConfig,
  parseServerStats,
  parseWatchSummary,
} from '../parse/index.js';
import type { MntrRecord, ServerConfigRecord, ServerStats, WatchSummary } from '../parse/types.js';
import type { CommandOutcome, RawReply, Transport } from '../zk/outcome.js';

/** The commands the poller turns into records, with the record each one yields. */
export interface DecodedRecords {
  srvr: ServerStats;
  stat: ServerStats;
  mntr: MntrRecord;
  wchs: WatchSummary;
  conf: ServerConfigRecord;
}
/** A command the poller knows how to decode. */
export type DecodableCommand = keyof DecodedRecords;

const fourLetterParsers: { [K in DecodableCommand]: (text: string) => DecodedRecords[K] } = {
  srvr: parseServerStats,
  stat: parseServerStats,
  mntr: parseMntr,
  wchs: parseWatchSummary,
  conf: parseServerConfig,
};

const adminParsers: { [K in DecodableCommand]: (json: unknown) => DecodedRecords[K] } = {
  srvr: adminServerStats,
  stat: adminServerStats,
  mntr: adminMntr,
  wchs: adminWatchSummary,
  conf: adminServerConfig,
};

function failure<T>(
  reason: Exclude<CommandOutcome<T>, { ok: true }>['reason'],
  detail: string,
  transport: Transport,
  durationMs: number,
): CommandOutcome<T> {
  return { ok: false, reason, detail, transport, durationMs };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns a raw four-letter-word reply into a parsed record or a classified failure. Pure. */
export function decodeFourLetter<K extends DecodableCommand>(
  command: K,
  raw: RawReply<string>,
): CommandOutcome<DecodedRecords[K]> {
  if (!raw.ok) return failure(raw.reason, raw.detail, 'fourletter', raw.durationMs);
  // Refusals and "not serving" arrive as ordinary text replies: classify before parsing so they
  // never turn into an all-zero record.
  const verdict = classifyFourLetterReply(command, raw.body);
  if (!verdict.ok) return failure(verdict.reason, verdict.detail, 'fourletter', raw.durationMs);
  try {
    return { ok: true, value: fourLetterParsers[command](raw.body), transport: 'fourletter', durationMs: raw.durationMs };
  } catch (err) {
    return failure('malformed', describe(err), 'fourletter', raw.durationMs);
  }
}

/** Turns a raw AdminServer JSON reply into the same record a four-letter word yields. Pure. */
export function decodeAdmin<K extends DecodableCommand>(
  command: K,
  raw: RawReply<unknown>,
): CommandOutcome<DecodedRecords[K]> {
  if (!raw.ok) return failure(raw.reason, raw.detail, 'admin', raw.durationMs);
  const error = adminErrorOf(raw.body);
  if (error !== undefined) {
    const reason = /not currently serving/i.test(error) ? 'not_serving' : 'http_error';
    return failure(reason, error, 'admin', raw.durationMs);
  }
  try {
    return { ok: true, value: adminParsers[command](raw.body), transport: 'admin', durationMs: raw.durationMs };
  } catch (err) {
    return failure('malformed', describe(err), 'admin', raw.durationMs);
  }
}
