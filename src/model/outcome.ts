/**
 * Every node × command poll ends in exactly one of these outcomes. Failures are values, so one
 * broken node never sinks a round, and each reason is exported as a label.
 */
export const POLL_REASONS = [
  'ok',
  'refused', // TCP connection refused / reset before a reply (process gone, port closed)
  'timeout', // connect or read deadline passed (e.g. a SIGSTOPped JVM: the kernel accepts, nobody answers)
  'not_whitelisted', // "<cmd> is not executed because it is not in the whitelist."
  'not_serving', // "This ZooKeeper instance is not currently serving requests" (election, no quorum)
  'empty', // connection closed with no bytes (unknown word, or mid-transition)
  'too_large', // reply exceeded the configured size cap
  'malformed', // reply arrived but could not be parsed into the expected record
  'http_error', // AdminServer answered a non-2xx status or non-JSON body
  'tls', // TLS handshake failed: unknown CA, expired, name mismatch, client certificate refused, not TLS at all
] as const;

/** One of {@link POLL_REASONS}. */
export type PollReason = (typeof POLL_REASONS)[number];
/** A failure reason: every reason but `ok`. */
export type FailureReason = Exclude<PollReason, 'ok'>;

/** Which wire a reply came over. */
export type Transport = 'fourletter' | 'admin';

/** Result of one command against one node: a parsed value or a classified failure. */
export type CommandOutcome<T> =
  | { ok: true; value: T; transport: Transport; durationMs: number }
  | { ok: false; reason: FailureReason; detail: string; transport: Transport; durationMs: number };

/** Raw bytes-level result of a transport call, before parsing. */
export type RawReply<T = string> =
  { ok: true; body: T; durationMs: number } | { ok: false; reason: FailureReason; detail: string; durationMs: number };
