import zookeeper from 'node-zookeeper-client';
import { canaryReason } from './canary-reasons.js';
import type { CanaryFailureReason, CanaryNodeResult, CanaryOp } from './canary-types.js';
import { digestAclId, type DigestCredentials } from './canary-znode.js';

/** ZooKeeper's NODEEXISTS error code. */
const NODE_EXISTS = -110;

/** Options of one {@link CanarySession}. */
export interface CanarySessionOptions {
  /** `host:port` as configured: the `server` label. */
  server: string;
  /** The node alone, plus the ensemble's chroot: `host:port[/chroot]`. */
  connectString: string;
  /** The canary znode written through this node (see `canaryZnode`). */
  znode: string;
  /** Deadline of each step: connect, create, write, read. */
  timeoutMs: number;
  /**
   * Session timeout asked of the node; also how long the ephemeral znode outlives an agent that died
   * without closing its sessions.
   * @default 10000
   */
  sessionTimeoutMs?: number;
  /** Digest credentials: added to the session, and the canary znodes get an ACL for them alone. */
  credentials?: DigestCredentials;
  /**
   * Delay before a new session after the node expired or refused one: doubles from `initial` up to `max`.
   * @default { initialMs: 1000, maxMs: 30000 }
   */
  backoff?: { initialMs: number; maxMs: number };
  /** Clock (Unix ms). @default Date.now */
  now?: () => number;
}

/** A step that failed: which one and why. */
class StepFailure extends Error {
  constructor(
    readonly op: CanaryOp,
    readonly reason: CanaryFailureReason,
  ) {
    super(`${op}: ${reason}`);
  }
}

/** Runs one library call under the canary deadline; a late answer is ignored. */
function step<T>(op: CanaryOp, timeoutMs: number, call: (done: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StepFailure(op, 'timeout')), timeoutMs);
    call((err, value) => {
      clearTimeout(timer);
      if (err) reject(new StepFailure(op, canaryReason(err)));
      else resolve(value as T);
    });
  });
}

/**
 * One reused ZooKeeper session to one node, connected to that node alone, through which the canary
 * writes its znode and reads it back. Transient disconnects are retried by the client library; an
 * expired or refused session is replaced after an exponential backoff. I/O only: what a result means
 * for the ensemble is decided elsewhere.
 */
export class CanarySession {
  private client: zookeeper.Client | undefined;
  /** Session id (hex) in which the znode was last created or found; a new session checks again. */
  private createdIn: string | undefined;
  private sequence = 0;
  private retryAt = 0;
  private delayMs: number;
  /** Why the last session ended, reported while waiting out the backoff. */
  private lastEnd: CanaryFailureReason = 'not_connected';
  private closed = false;
  private readonly now: () => number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly options: CanarySessionOptions) {
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.delayMs = this.backoff.initialMs;
  }

  /** Writes the znode and reads it back through this node, each step under the timeout. Never throws. */
  async probe(): Promise<CanaryNodeResult> {
    const startedAt = this.now();
    const latencyMs: CanaryNodeResult['latencyMs'] = {};
    let wrote = false;
    try {
      const client = await this.connected();
      await this.ensureZnode(client);
      const payload = Buffer.from(`${++this.sequence} ${startedAt}`);
      const writeStart = performance.now();
      await step('write', this.options.timeoutMs, (done) => client.setData(this.options.znode, payload, -1, done));
      latencyMs.write = performance.now() - writeStart;
      wrote = true;
      // node-zookeeper-client has no `sync` (a sync reply even makes it drop the connection). None is
      // needed here: ZooKeeper answers one session's requests in order, so a read sent after the
      // session's own write is served after that write is applied on this node.
      const readStart = performance.now();
      const data = await step<Buffer>('read', this.options.timeoutMs, (done) => client.getData(this.options.znode, done));
      latencyMs.read = performance.now() - readStart;
      if (!data.equals(payload)) throw new StepFailure('read', 'read_mismatch');
      return { server: this.options.server, startedAt, finishedAt: this.now(), wrote, ok: true, latencyMs };
    } catch (err) {
      const failure = err instanceof StepFailure ? err : new StepFailure('connect', 'error');
      if (failure.reason === 'no_node' || failure.reason === 'session_expired') this.createdIn = undefined;
      return {
        server: this.options.server,
        startedAt,
        finishedAt: this.now(),
        wrote,
        ok: false,
        failedOp: failure.op,
        reason: failure.reason,
        latencyMs,
      };
    }
  }

  /** Closes the session (the node then deletes its ephemeral znode at once). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      if (client.getState() !== zookeeper.State.SYNC_CONNECTED) {
        client.close();
        resolve();
        return;
      }
      // The library emits 'disconnected' once the node has closed the session; bounded by the
      // step timeout so a node that no longer answers cannot hold up shutdown.
      const timer = setTimeout(resolve, this.options.timeoutMs);
      client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.close();
    });
  }

  /** The connected client, opening a session when there is none (outside the backoff). */
  private async connected(): Promise<zookeeper.Client> {
    if (this.closed) throw new StepFailure('connect', 'not_connected');
    if (!this.client) {
      if (this.now() < this.retryAt) throw new StepFailure('connect', this.lastEnd);
      this.client = this.open();
    }
    const client = this.client;
    if (client.getState() === zookeeper.State.SYNC_CONNECTED) return client;
    await new Promise<void>((resolve, reject) => {
      // Only this wait's own listeners are removed; the client's permanent ones stay.
      const cleanup = (): void => {
        clearTimeout(timer);
        client.off('connected', onConnected);
        client.off('expired', onEnded);
        client.off('authenticationFailed', onEnded);
      };
      const onConnected = (): void => {
        cleanup();
        resolve();
      };
      const onEnded = (): void => {
        cleanup();
        reject(new StepFailure('connect', client.getState() === zookeeper.State.AUTH_FAILED ? 'auth_failed' : 'session_expired'));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new StepFailure('connect', 'not_connected'));
      }, this.options.timeoutMs);
      client.on('connected', onConnected);
      client.on('expired', onEnded);
      client.on('authenticationFailed', onEnded);
    });
    return client;
  }

  /** A new client with its state handling; connecting starts at once. */
  private open(): zookeeper.Client {
    // retries 0: the canary's own deadline decides, not the library's retry loop.
    const client = zookeeper.createClient(this.options.connectString, {
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      spinDelay: Math.min(this.backoff.initialMs, 1000),
      retries: 0,
    });
    if (this.options.credentials) {
      client.addAuthInfo('digest', Buffer.from(`${this.options.credentials.user}:${this.options.credentials.password}`));
    }
    client.on('connected', () => this.onConnected(client));
    client.on('expired', () => this.onSessionEnd(client, 'session_expired'));
    client.on('authenticationFailed', () => this.onSessionEnd(client, 'auth_failed'));
    client.connect();
    return client;
  }

  private onConnected(client: zookeeper.Client): void {
    if (client === this.client) this.delayMs = this.backoff.initialMs;
  }

  // An expired or refused session is over for good: drop the client and wait before the next one,
  // doubling the wait each time so a node that keeps refusing is not hammered.
  private onSessionEnd(client: zookeeper.Client, reason: CanaryFailureReason): void {
    if (client !== this.client) return;
    client.close();
    this.client = undefined;
    this.createdIn = undefined;
    this.lastEnd = reason;
    this.retryAt = this.now() + Math.random() * this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
  }

  /** Creates the parents and the ephemeral znode once per session (an existing one is reused). */
  private async ensureZnode(client: zookeeper.Client): Promise<void> {
    const session = client.getSessionId().toString('hex');
    if (this.createdIn === session) return;
    const acl = this.options.credentials
      ? [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('digest', digestAclId(this.options.credentials)))]
      : [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('world', 'anyone'))];
    const znode = this.options.znode;
    const parent = znode.slice(0, znode.lastIndexOf('/'));
    await step('create', this.options.timeoutMs, (done) => client.mkdirp(parent, acl, zookeeper.CreateMode.PERSISTENT, (err) => done(err)));
    await step('create', this.options.timeoutMs, (done) =>
      client.create(znode, Buffer.alloc(0), acl, zookeeper.CreateMode.EPHEMERAL, (err) =>
        // An older session of this agent may still own it until that session expires: writing to it
        // is as good a proof, and when it goes, the next write fails with no_node and this runs again.
        done(err && (err as { code?: number }).code === NODE_EXISTS ? null : err),
      ),
    );
    this.createdIn = session;
  }
}
