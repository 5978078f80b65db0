import { CanarySession } from './canary-session.js';
import type { CanaryRound } from './canary-types.js';
import { canaryConnectString, canaryZnode, type DigestCredentials } from './canary-znode.js';

/** The canary of one ensemble, as plain values (the agent maps its config to these). */
export interface CanaryEnsembleOptions {
  ensemble: string;
  /** The configured nodes' `host:port` labels; one session each. */
  servers: readonly string[];
  /** Parent of the canary znodes, below the chroot (created when missing). */
  path: string;
  /** The ensemble's chroot (`/kafka`), when its connect string has one. */
  chroot?: string;
  /** Time from one round's start to the next (a round that takes longer is followed at once). */
  intervalMs: number;
  /** Deadline of each step of a probe. */
  timeoutMs: number;
  /** Digest credentials, already read from the credentials file. */
  credentials?: DigestCredentials;
}

/** Options of {@link CanaryRunner}. */
export interface CanaryRunnerOptions {
  /** This agent's id: part of every canary znode's name. */
  agentId: string;
  ensembles: readonly CanaryEnsembleOptions[];
  /** Called with every finished round. A listener that throws goes to `onError`; rounds go on. */
  onRound(round: CanaryRound): void;
  onError(err: unknown): void;
  /** Session settings passed to every {@link CanarySession} (tests shorten the backoff). */
  session?: { sessionTimeoutMs?: number; backoff?: { initialMs: number; maxMs: number } };
}

/** One ensemble's loop: its sessions, its timer, the round in flight. */
interface Loop {
  options: CanaryEnsembleOptions;
  sessions: CanarySession[];
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Runs each ensemble's canary rounds on its own timer: every node probed at once through its own
 * session, rounds of one ensemble never overlapping. I/O and timing only.
 */
export class CanaryRunner {
  private readonly loops: Loop[];
  private stopped = true;

  constructor(private readonly options: CanaryRunnerOptions) {
    this.loops = options.ensembles.map((e) => ({
      options: e,
      sessions: e.servers.map(
        (server) =>
          new CanarySession({
            server,
            connectString: canaryConnectString(server, e.chroot),
            znode: canaryZnode(e.path, options.agentId, server),
            timeoutMs: e.timeoutMs,
            ...(e.credentials ? { credentials: e.credentials } : {}),
            ...options.session,
          }),
      ),
    }));
  }

  /** Starts every ensemble's first round at once. */
  start(): void {
    this.stopped = false;
    for (const loop of this.loops) this.run(loop);
  }

  /** One round of every ensemble, then every session closed (for one-shot commands such as `status`). */
  async runOnce(): Promise<CanaryRound[]> {
    try {
      return await Promise.all(
        this.loops.map(async (loop) => {
          const startedAt = Date.now();
          const nodes = await Promise.all(loop.sessions.map((s) => s.probe()));
          return { ensemble: loop.options.ensemble, startedAt, finishedAt: Date.now(), nodes };
        }),
      );
    } finally {
      await Promise.all(this.loops.flatMap((loop) => loop.sessions.map((s) => s.close())));
    }
  }

  /** Stops the timers, waits for the rounds in flight (bounded by the step timeouts), closes every session. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const loop of this.loops) clearTimeout(loop.timer);
    await Promise.all(this.loops.flatMap((loop) => (loop.running ? [loop.running] : [])));
    await Promise.all(this.loops.flatMap((loop) => loop.sessions.map((s) => s.close())));
  }

  private run(loop: Loop): void {
    if (this.stopped) return;
    const startedAt = Date.now();
    loop.running = Promise.all(loop.sessions.map((s) => s.probe())).then((nodes) => {
      loop.running = undefined;
      if (this.stopped) return;
      try {
        this.options.onRound({ ensemble: loop.options.ensemble, startedAt, finishedAt: Date.now(), nodes });
      } catch (err) {
        this.options.onError(err);
      }
      const wait = Math.max(0, startedAt + loop.options.intervalMs - Date.now());
      loop.timer = setTimeout(() => this.run(loop), wait);
    });
  }
}
