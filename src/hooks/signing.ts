/** The `X-Zk-Signature` scheme: HMAC-SHA256 over the timestamp and the raw body, with secret rotation. Pure. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the request header carrying the signature. */
export const SIGNATURE_HEADER = 'X-Zk-Signature';

/** Default window, in seconds, within which a signature's timestamp is accepted. */
const DEFAULT_TOLERANCE_SECONDS = 300;

/** Outcome of {@link verifySignature}: a failure always carries the reason, so nothing is rejected silently. */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Builds the `X-Zk-Signature` value `t=<unixSeconds>,v1=<hex HMAC-SHA256 of "<t>.<rawBody>">`. */
export function signatureHeader(rawBody: string, secret: string, unixSeconds: number): string {
  // The timestamp is signed as text; a fraction or a negative value would not round-trip through a receiver's parser.
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new RangeError(`signature timestamp must be a non-negative integer of unix seconds, got ${unixSeconds}`);
  }
  if (secret.length === 0) throw new RangeError('signing secret is empty');
  return `t=${unixSeconds},v1=${hmacHex(secret, String(unixSeconds), rawBody)}`;
}

/** Checks an `X-Zk-Signature` header: any `v1=` may match any secret (rotation), `t` within the tolerance. */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  if (header === undefined || header.trim() === '') return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const usable = secrets.filter((s) => s.length > 0);
  if (usable.length === 0) return { ok: false, reason: 'no signing secret configured' };

  let timestamp: string | undefined;
  const given: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header: element without "="` };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header: more than one t=` };
      timestamp = value;
    } else if (key === 'v1') {
      // Buffer.from(hex) stops silently at the first non-hex character, so the shape is checked first.
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, reason: 'malformed v1 signature: expected 64 hex digits' };
      given.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (v0=, v2=, …) are ignored so a future scheme can be added next to v1.
  }
  if (timestamp === undefined) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header: no t=` };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp: expected unix seconds' };
  if (given.length === 0) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header: no v1=` };

  const t = Number(timestamp);
  const skew = nowSeconds - t;
  if (skew > toleranceSeconds) {
    return { ok: false, reason: `timestamp too old: ${skew}s before now, tolerance ${toleranceSeconds}s` };
  }
  if (-skew > toleranceSeconds) {
    return { ok: false, reason: `timestamp in the future: ${-skew}s after now, tolerance ${toleranceSeconds}s` };
  }

  // Every pair is compared (no early exit) so timing does not reveal which secret or entry came close.
  let matched = false;
  for (const secret of usable) {
    // The timestamp text as sent is what was signed.
    const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
    for (const candidate of given) {
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  return matched ? { ok: true } : { ok: false, reason: 'signature mismatch: no v1 matches any configured secret' };
}

function hmacHex(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}
