import { describe, expect, it } from 'vitest';
import { canaryReason } from '../../../src/zk/canary-reasons.js';
import {
  canaryConnectString,
  canaryZnode,
  digestAclId,
  normaliseCanaryPath,
  parseDigestCredentials,
} from '../../../src/zk/canary-znode.js';

describe('canaryZnode', () => {
  it('names one znode per agent and node, the same in every session', () => {
    expect(canaryZnode('/zk-ensemble-exporter/canary', 'host-a:9141', '10.0.0.1:2181')).toBe(
      '/zk-ensemble-exporter/canary/host-a:9141@10.0.0.1:2181',
    );
    expect(canaryZnode('/c/', 'a', '[::1]:2181')).toBe('/c/a@[::1]:2181');
  });

  it('replaces characters that have no place in a znode name', () => {
    expect(canaryZnode('/c', 'my agent/1', 'h:1')).toBe('/c/my_agent_1@h:1');
  });

  it('rejects a path that is not absolute or has empty or dot segments', () => {
    for (const bad of ['', '/', 'relative', '/a//b', '/a/./b', '/a/..']) {
      expect(() => normaliseCanaryPath(bad), bad).toThrow(`canary path must be an absolute ZooKeeper path below /, got "${bad}"`);
    }
  });
});

describe('canaryConnectString', () => {
  it('appends the chroot to the single node, and leaves it out when there is none', () => {
    expect(canaryConnectString('127.0.0.1:2181', '/kafka')).toBe('127.0.0.1:2181/kafka');
    expect(canaryConnectString('127.0.0.1:2181', undefined)).toBe('127.0.0.1:2181');
    expect(canaryConnectString('127.0.0.1:2181', '/')).toBe('127.0.0.1:2181');
  });
});

describe('digest credentials', () => {
  it('reads user:password from the first non-empty line, the password may hold colons', () => {
    expect(parseDigestCredentials('\n canary:s3:cr:et \n')).toEqual({ user: 'canary', password: 's3:cr:et' });
  });

  it('refuses a malformed file without quoting it', () => {
    for (const bad of ['', 'nopassword', ':pw', 'user:']) {
      expect(() => parseDigestCredentials(bad)).toThrow(
        /^canary credentials file must hold one line "user:password" \(neither part empty\)$/,
      );
    }
  });

  it('computes the ACL id ZooKeeper stores for the digest scheme', () => {
    // ZooKeeper's documented super digest for password "test".
    expect(digestAclId({ user: 'super', password: 'test' })).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });
});

describe('canaryReason', () => {
  it('maps ZooKeeper error codes to reasons', () => {
    expect(canaryReason({ code: -4 })).toBe('connection_loss');
    expect(canaryReason({ code: -7 })).toBe('timeout');
    expect(canaryReason({ code: -101 })).toBe('no_node');
    expect(canaryReason({ code: -102 })).toBe('no_auth');
    expect(canaryReason({ code: -112 })).toBe('session_expired');
    expect(canaryReason({ code: -115 })).toBe('auth_failed');
    expect(canaryReason({ code: -119 })).toBe('not_read_only');
  });

  it('calls anything else error', () => {
    expect(canaryReason({ code: -1 })).toBe('error');
    expect(canaryReason(new Error('boom'))).toBe('error');
    expect(canaryReason(undefined)).toBe('error');
  });
});
