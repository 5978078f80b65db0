/**
 * The `Idempotency-Key` header value of an intent. Keys are built from payload data (an alert's
 * fingerprint, a hook name), and a header value must be visible ASCII: a key that already is one
 * is sent unchanged (so receivers' deduplication keeps working across versions); any other key is
 * replaced by a hash of itself. The readable key always stays in the body (`idempotencyKey`). Pure.
 */
import { createHash } from 'node:crypto';

/** Longest key sent as it is; longer keys are hashed (some proxies cap header sizes). */
export const MAX_PLAIN_KEY_LENGTH = 512;

// Visible ASCII without spaces: valid in any header value and unchanged by any proxy.
const SAFE_KEY = /^[\x21-\x7e]+$/;

/** The header value for an idempotency key: itself when safe, else `sha256:<hex of its UTF-8 bytes>`. */
export function idempotencyHeaderValue(key: string): string {
  if (key.length <= MAX_PLAIN_KEY_LENGTH && SAFE_KEY.test(key)) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
