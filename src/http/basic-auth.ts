/**
 * Basic auth against bcrypt hashes (`basic_auth_users` of the web config). bcrypt is slow on purpose,
 * so each verdict is cached per (user, password, hash) under a SHA-256 key: a scrape every few seconds
 * pays bcrypt once, not every time. The cache never holds a password, only digests.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Most verdicts kept; the cache is emptied when full, so guessing cannot grow it without bound. */
const CACHE_LIMIT = 1024;

/** A valid bcrypt hash (cost 10) of a random string, checked for unknown users so they cost as much as known ones. */
const DUMMY_HASH = '$2b$10$5KqRQ0BcrpUo3LX//HGspui0vFkuYX0Gh0J5KkcxGji5OjJ/.cMzq';

/** Checks user and password against the configured hashes, caching each verdict. */
export class BasicAuthChecker {
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** True when `user` is configured and `password` matches its hash. */
  async verify(user: string, password: string): Promise<boolean> {
    // Every user name is compared, none skipped: the time does not tell which names exist.
    let hash: string | undefined;
    for (const [name, candidate] of this.users) if (sameText(name, user)) hash = candidate;
    const key = createHash('sha256')
      .update(`${user}\0${password}\0${hash ?? DUMMY_HASH}`)
      .digest('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    // htpasswd writes `$2y$`; bcryptjs knows it as `$2b$`, the same algorithm.
    const matches = await bcrypt.compare(password, (hash ?? DUMMY_HASH).replace(/^\$2y\$/, '$2b$'));
    const verdict = hash !== undefined && matches;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, verdict);
    return verdict;
  }
}

/**
 * Express middleware: a request without valid basic credentials gets 401 with `WWW-Authenticate`.
 * `alsoAccept` lets a route's own credentials through instead (the Alertmanager receiver's bearer
 * token: a client can send only one `Authorization` header).
 */
export function basicAuth(checker: BasicAuthChecker, alsoAccept: (req: Request) => boolean = () => false): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const credentials = parseBasic(req.get('authorization'));
    const refuse = (): void => {
      res
        .status(401)
        .set('WWW-Authenticate', 'Basic realm="zk-ensemble-exporter", charset="UTF-8"')
        .type('text/plain')
        .send('Unauthorized\n');
    };
    if (credentials === undefined) {
      if (alsoAccept(req)) next();
      else refuse();
      return;
    }
    checker.verify(credentials.user, credentials.password).then(
      (ok) => (ok ? next() : refuse()),
      (err: unknown) => next(err),
    );
  };
}

/** `Authorization: Basic base64(user:password)` → its parts (RFC 7617: the password may hold colons). */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = header === undefined ? null : /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Constant-time equality of two strings of any lengths (compared as SHA-256 digests). */
function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
