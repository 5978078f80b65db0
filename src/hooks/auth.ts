/**
 * Credentials for the receiver and the hooks API: bearer tokens or basic auth, compared in
 * constant time. Pure: token files are read by `deliver/secret-files.ts`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** What a request may present; empty or absent lists accept nothing. */
export interface ExpectedCredentials {
  bearer?: readonly string[];
  basic?: ReadonlyArray<{ user: string; password: string }>;
}

/**
 * True when the `Authorization` header carries one of the expected credentials. Both sides are
 * hashed with SHA-256 before `timingSafeEqual`, so neither a token's content nor its length leaks
 * through timing, and every candidate is compared (no early exit on the first match).
 */
export function checkAuthorization(header: string | undefined, expected: ExpectedCredentials): boolean {
  if (header === undefined) return false;
  const m = /^([A-Za-z]+) +(\S+) *$/.exec(header);
  if (!m) return false;
  const scheme = (m[1] as string).toLowerCase();
  const credential = m[2] as string;
  let ok = false;
  if (scheme === 'bearer') {
    const given = digest(credential);
    for (const token of expected.bearer ?? []) ok = timingSafeEqual(given, digest(token)) || ok;
    return ok;
  }
  if (scheme === 'basic') {
    const decoded = decodeBasic(credential);
    if (!decoded) return false;
    const user = digest(decoded.user);
    const password = digest(decoded.password);
    for (const pair of expected.basic ?? []) {
      // Both halves always compared: `&&` would skip the password check for a wrong user.
      const userOk = timingSafeEqual(user, digest(pair.user));
      const passwordOk = timingSafeEqual(password, digest(pair.password));
      ok = (userOk && passwordOk) || ok;
    }
    return ok;
  }
  return false;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

// RFC 7617: base64 of `user:password`; the user cannot contain a colon, the password can.
function decodeBasic(credential: string): { user: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credential)) return undefined;
  const text = Buffer.from(credential, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
