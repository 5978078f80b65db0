import type { CanaryFailureReason } from './canary-types.js';

/** ZooKeeper's NOTREADONLY error code, which node-zookeeper-client 1.1.3 does not name. */
const NOT_READ_ONLY_CODE = -119;

/** ZooKeeper error codes (as node-zookeeper-client reports them) mapped to canary reasons. */
const BY_CODE = new Map<number, CanaryFailureReason>([
  [-4, 'connection_loss'], // CONNECTION_LOSS
  [-7, 'timeout'], // OPERATION_TIMEOUT
  [-101, 'no_node'], // NO_NODE
  [-102, 'no_auth'], // NO_AUTH
  [-112, 'session_expired'], // SESSION_EXPIRED
  [-115, 'auth_failed'], // AUTH_FAILED
  [NOT_READ_ONLY_CODE, 'not_read_only'],
]);

/**
 * The canary reason for an error a node-zookeeper-client callback returned. The library's
 * exceptions carry a numeric `code`; anything else (a thrown Error) is `error`. Pure.
 */
export function canaryReason(err: unknown): CanaryFailureReason {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return (typeof code === 'number' ? BY_CODE.get(code) : undefined) ?? 'error';
}
