import { createHash } from 'node:crypto';

/** Characters kept as they are in a canary znode name; the rest become `_`. */
const UNSAFE = /[^A-Za-z0-9_.:@[\]-]/g;

/**
 * The one znode an agent writes through one node: `<path>/<agentId>@<server>`. One session per node
 * means one ephemeral per node, so the name carries the node; it is the same in every session, so a
 * new session overwrites (never adds to) what an older one left. Pure.
 */
export function canaryZnode(path: string, agentId: string, server: string): string {
  const name = `${agentId}@${server}`.replace(UNSAFE, '_');
  return `${normaliseCanaryPath(path)}/${name === '.' || name === '..' ? `_${name}` : name}`;
}

/** `path` without a trailing slash; throws unless it is an absolute ZooKeeper path other than `/`. */
export function normaliseCanaryPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (
    !trimmed.startsWith('/') ||
    trimmed
      .split('/')
      .slice(1)
      .some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new RangeError(`canary path must be an absolute ZooKeeper path below /, got "${path}"`);
  }
  return trimmed;
}

/** Digest credentials: ZooKeeper's `digest` scheme user and password. */
export interface DigestCredentials {
  user: string;
  password: string;
}

/**
 * Parses a credentials file: its first non-empty line is `user:password` (the password may contain
 * `:`). The error never quotes the file's content, so no secret reaches a log. Pure.
 */
export function parseDigestCredentials(text: string): DigestCredentials {
  const line = text
    .split(/\r?\n/)
    .find((l) => l.trim() !== '')
    ?.trim();
  const colon = line?.indexOf(':') ?? -1;
  if (line === undefined || colon <= 0 || colon === line.length - 1) {
    throw new Error('canary credentials file must hold one line "user:password" (neither part empty)');
  }
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

/** The ACL id ZooKeeper's digest scheme stores for these credentials: `user:base64(sha1(user:password))`. Pure. */
export function digestAclId(credentials: DigestCredentials): string {
  const hash = createHash('sha1').update(`${credentials.user}:${credentials.password}`).digest('base64');
  return `${credentials.user}:${hash}`;
}

/** The connect string of a session to one node alone, with the ensemble's chroot when it has one. */
export function canaryConnectString(server: string, chroot: string | undefined): string {
  return chroot === undefined || chroot === '/' || chroot === '' ? server : `${server}${normaliseCanaryPath(chroot)}`;
}
