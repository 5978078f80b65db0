import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A fake four-letter-word server for load and edge-case tests of the transport. It replays captured
 * bytes; it is never a stand-in for ZooKeeper in ensemble-behaviour tests (those start real JVMs).
 */

/** Reply bytes per four-letter word; a word without an entry gets an empty reply, as ZooKeeper does. */
export type FakeReplies = Partial<Record<string, string | Buffer>>;

/**
 * How the fake node treats each connection:
 * - `normal`: read the 4-byte word, write its reply, close (FIN).
 * - `hang`: accept and never answer, like a SIGSTOPped JVM whose kernel still accepts.
 * - `reset`: read the word, then reset the connection (RST) without replying.
 * - `slow-drip`: read the word, write the reply one byte every `dripIntervalMs`, then close.
 * - `close-without-reply`: read the word, then close (FIN) with no bytes.
 */
export type FakeBehaviour = 'normal' | 'hang' | 'reset' | 'slow-drip' | 'close-without-reply';

/** Options for {@link startFakeZkServer}. */
export interface FakeZkServerOptions {
  replies: FakeReplies;
  /** @default 'normal' */
  behaviour?: FakeBehaviour;
  /** @default '127.0.0.1' */
  host?: string;
  /** Delay between bytes in `slow-drip`. @default 50 */
  dripIntervalMs?: number;
  /** Open connections above this are dropped by Node, so a runaway client cannot exhaust fds. @default 256 */
  maxConnections?: number;
}

/** A running fake node. */
export interface FakeZkServer {
  readonly host: string;
  readonly port: number;
  /** Connections accepted since start. */
  readonly connections: number;
  /** Connections currently open. */
  readonly openConnections: number;
  /** Changes how later connections are treated (open ones keep their behaviour). */
  setBehaviour(behaviour: FakeBehaviour): void;
  /** Replaces the reply to `word` for later connections (e.g. a `conf` naming the node's own port). */
  setReply(word: string, reply: string | Buffer): void;
  /** Stops listening and destroys every open connection (hanging ones included). */
  close(): Promise<void>;
}

/** Starts one fake node listening on an OS-chosen port (port 0). */
export async function startFakeZkServer(options: FakeZkServerOptions): Promise<FakeZkServer> {
  const host = options.host ?? '127.0.0.1';
  const dripIntervalMs = options.dripIntervalMs ?? 50;
  let behaviour: FakeBehaviour = options.behaviour ?? 'normal';
  const replies = toBuffers(options.replies);
  const open = new Set<net.Socket>();
  let accepted = 0;

  const server = net.createServer((socket) => {
    accepted++;
    open.add(socket);
    const drip: DripTimer = {};
    socket.on('close', () => {
      open.delete(socket);
      clearTimeout(drip.timer);
    });
    // Clients reset or vanish; that must never crash the test process.
    socket.on('error', () => undefined);
    serve(socket, behaviour, replies, dripIntervalMs, drip);
  });
  server.maxConnections = options.maxConnections ?? 256;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fake ZooKeeper server has no TCP address');
  const { port } = address;

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    get connections() {
      return accepted;
    },
    get openConnections() {
      return open.size;
    },
    setBehaviour(next) {
      behaviour = next;
    },
    setReply(word, reply) {
      replies.set(word, typeof reply === 'string' ? Buffer.from(reply, 'utf8') : reply);
    },
    close() {
      // Wait for every socket's own 'close' too: the server's close callback can fire before them.
      closing ??= Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        ...[...open].map(
          (socket) =>
            new Promise<void>((resolve) => {
              socket.once('close', () => resolve());
              socket.destroy();
            }),
        ),
      ]).then(() => undefined);
      return closing;
    },
  };
}

/** The pending timer of a slow-drip connection, cleared when the connection closes. */
interface DripTimer {
  timer?: NodeJS.Timeout;
}

function serve(socket: net.Socket, behaviour: FakeBehaviour, replies: Map<string, Buffer>, dripIntervalMs: number, drip: DripTimer): void {
  if (behaviour === 'hang') {
    // Never answer, like a stopped process. (Node may already have buffered the word; it is ignored.)
    socket.pause();
    return;
  }
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < 4) return;
    socket.off('data', onData);
    const word = buffered.subarray(0, 4).toString('latin1');
    const reply = replies.get(word) ?? Buffer.alloc(0);
    switch (behaviour) {
      case 'normal':
        socket.end(reply);
        return;
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'close-without-reply':
        socket.end();
        return;
      case 'slow-drip': {
        let i = 0;
        const next = (): void => {
          if (socket.destroyed) return;
          if (i >= reply.length) {
            socket.end();
            return;
          }
          socket.write(reply.subarray(i, i + 1));
          i++;
          drip.timer = setTimeout(next, dripIntervalMs);
        };
        next();
        return;
      }
    }
  };
  socket.on('data', onData);
}

function toBuffers(replies: FakeReplies): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [word, reply] of Object.entries(replies)) {
    if (reply === undefined) continue;
    out.set(word, typeof reply === 'string' ? Buffer.from(reply, 'utf8') : reply);
  }
  return out;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Path of a captured fixture, e.g. `fixturePath('leader', 'srvr.txt')`. */
export function fixturePath(role: string, file: string, version = '3.8.0'): string {
  return path.join(FIXTURES, `zookeeper-${version}`, role, file);
}

/**
 * Loads the captured 4lw replies of one role (`leader`, `follower`, `observer`, `standalone`,
 * `not-serving`, `whitelist-srvr-only`) as exact bytes, keyed by word. Only `<word>.txt` files whose
 * name is a four-letter word are loaded (so `unknown-word.txt` is skipped).
 */
export async function loadCapturedReplies(role: string, version = '3.8.0'): Promise<Record<string, Buffer>> {
  const dir = path.join(FIXTURES, `zookeeper-${version}`, role);
  const names = (await fs.readdir(dir)).filter((name) => /^[a-z]{4}\.txt$/.test(name)).sort();
  const out: Record<string, Buffer> = {};
  for (const name of names) out[name.slice(0, 4)] = await fs.readFile(path.join(dir, name));
  return out;
}

/** A node of a fake ensemble: a fake server plus the role whose replies it serves. */
export interface FakeEnsembleNode extends FakeZkServer {
  readonly role: string;
}

/** Many fake nodes in this one process. */
export interface FakeEnsemble {
  readonly nodes: readonly FakeEnsembleNode[];
  /** Closes every node. */
  close(): Promise<void>;
}

/** Options for {@link startFakeEnsemble}. */
export interface FakeEnsembleOptions {
  /**
   * Role of node `index`. Default: node 0 takes the first role of `repliesByRole`; the others cycle
   * through the remaining roles (or the first when there is only one).
   */
  roleOf?: (index: number) => string;
  behaviour?: FakeBehaviour;
  host?: string;
  /** Listeners opened at once while starting. @default 100 */
  startBatch?: number;
}

/**
 * Starts `n` fake nodes (one listener each, port 0) in this process, e.g. 1,000 for a benchmark.
 * Reply bytes are shared between nodes of one role, so memory stays small.
 */
export async function startFakeEnsemble(
  n: number,
  repliesByRole: Record<string, FakeReplies>,
  options: FakeEnsembleOptions = {},
): Promise<FakeEnsemble> {
  const roles = Object.keys(repliesByRole);
  if (roles.length === 0) throw new Error('startFakeEnsemble needs at least one role');
  const rest = roles.length > 1 ? roles.slice(1) : roles;
  const roleOf = options.roleOf ?? ((i: number) => (i === 0 ? roles[0]! : rest[(i - 1) % rest.length]!));
  // Convert once per role so 1,000 nodes share the same Buffers.
  const shared = new Map<string, FakeReplies>();
  for (const role of roles) shared.set(role, Object.fromEntries(toBuffers(repliesByRole[role] ?? {})));

  const nodes: FakeEnsembleNode[] = [];
  const batch = options.startBatch ?? 100;
  try {
    for (let start = 0; start < n; start += batch) {
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(batch, n - start) }, async (_, k) => {
          const role = roleOf(start + k);
          const replies = shared.get(role);
          if (!replies) throw new Error(`no replies for role ${JSON.stringify(role)}`);
          const server = await startFakeZkServer({
            replies,
            behaviour: options.behaviour,
            host: options.host,
          });
          return Object.assign(server, { role });
        }),
      );
      for (const result of settled) if (result.status === 'fulfilled') nodes.push(result.value);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (err) {
    await Promise.all(nodes.map((node) => node.close()));
    throw err;
  }
  return {
    nodes,
    async close() {
      await Promise.all(nodes.map((node) => node.close()));
    },
  };
}

/** A port whose listener never accepts and whose accept queue is full: a connect to it hangs. */
export interface BlackholePort {
  readonly port: number;
  /** Kills the stopped listener process and drops the filler connections. */
  close(): Promise<void>;
}

/**
 * Makes a loopback port where TCP connects hang, to test the connect deadline: a child Node process
 * listens with backlog 1 and is SIGSTOPped (an in-process listener would keep accepting), then
 * filler connections fill its accept queue so the kernel drops further SYNs. This is what a stopped
 * JVM looks like once enough clients have piled up.
 */
export async function startBlackholePort(): Promise<BlackholePort> {
  const child = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const fillers: net.Socket[] = [];
  const close = async (): Promise<void> => {
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`blackhole listener exited with ${code}`)));
      child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
    });
    child.kill('SIGSTOP');
    // Fill the accept queue: connect until one connection stays pending (its SYN is being dropped).
    for (let i = 0; i < 16; i++) {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      fillers.push(socket);
      // On loopback an accepted connection completes in well under a millisecond; one still pending
      // after 150 ms is in the kernel's SYN-retry back-off (the first retry comes after 1 s).
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 150);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!connected) return { port, close };
    }
    throw new Error('accept queue never filled');
  } catch (err) {
    await close();
    throw err;
  }
}
