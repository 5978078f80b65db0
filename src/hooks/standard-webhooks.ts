/**
 * The Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), sent next
 * to `X-Zk-Signature` so receivers can verify deliveries with any Standard Webhooks library. Pure.
 */
import { createHmac } from 'node:crypto';

/** Prefix of a secret given in the Standard Webhooks form `whsec_<base64 of the key bytes>`. */
const WHSEC_PREFIX = 'whsec_';

/** Header names, lower-case as the specification writes them. */
const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

// Standard base64 with padding, as the specification and its libraries encode secrets.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why a secret cannot key Standard Webhooks signatures (never quoting it), or undefined when it can. */
export function secretProblem(secret: string): string | undefined {
  if (!secret.startsWith(WHSEC_PREFIX)) return secret.length === 0 ? 'the secret is empty' : undefined;
  // Line breaks and spaces are dropped: base64 tools wrap long output.
  const encoded = secret.slice(WHSEC_PREFIX.length).replace(/\s+/g, '');
  if (encoded === '') return 'the whsec_ secret has no key after the prefix';
  if (!BASE64.test(encoded)) return 'the whsec_ secret is not valid base64 after the prefix';
  return undefined;
}

/** The HMAC key of a secret: a `whsec_` secret's decoded bytes, any other secret's UTF-8 bytes. Throws (without the secret) when unusable. */
export function signingKey(secret: string): Buffer {
  const problem = secretProblem(secret);
  if (problem !== undefined) throw new RangeError(problem);
  if (!secret.startsWith(WHSEC_PREFIX)) return Buffer.from(secret, 'utf8');
  return Buffer.from(secret.slice(WHSEC_PREFIX.length).replace(/\s+/g, ''), 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<t>.<body>">` for every secret, in order, space-separated (rotation). */
export function standardWebhookSignature(id: string, unixSeconds: number, rawBody: string, secrets: readonly string[]): string {
  // The timestamp is signed as text; a fraction or a negative value would not round-trip through a receiver's parser.
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new RangeError(`webhook timestamp must be a non-negative integer of unix seconds, got ${unixSeconds}`);
  }
  if (secrets.length === 0) throw new RangeError('no signing secret');
  const signed = `${id}.${unixSeconds}.${rawBody}`;
  return secrets.map((secret) => `v1,${createHmac('sha256', signingKey(secret)).update(signed, 'utf8').digest('base64')}`).join(' ');
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` (the value sent as `Idempotency-Key`,
 * stable across retries), `webhook-timestamp` (this attempt) and, with secrets, `webhook-signature`.
 */
export function standardWebhookHeaders(
  id: string,
  unixSeconds: number,
  rawBody: string,
  secrets: readonly string[],
): Record<string, string> {
  const headers: Record<string, string> = {
    [STANDARD_WEBHOOK_HEADERS.id]: id,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(unixSeconds),
  };
  if (secrets.length > 0) headers[STANDARD_WEBHOOK_HEADERS.signature] = standardWebhookSignature(id, unixSeconds, rawBody, secrets);
  return headers;
}
