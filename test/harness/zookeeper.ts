import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { nodeTruth } from './four-letter.js';

/** Classpath of Debian's zookeeper 3.8 package; servlet-api is needed or the AdminServer dies at start. */
const ZOOKEEPER_CLASSPATH = ['zookeeper.jar', 'servlet-api.jar', 'slf4j-simple.jar'].map((jar) => `/usr/share/java/${jar}`).join(':');
/** Netty jars Debian's zookeeper manifest leaves out; without them every TLS connection dies (ByteToMessageDecoder). */
const NETTY_CLASSPATH = ['netty-codec.jar', 'netty-resolver.jar'].map((jar) => `/usr/share/java/${jar}`).join(':');

/** TLS on each node's `secureClientPort` (the plain `clientPort` keeps working). */
export interface ZkTlsSpec {
  /** PKCS#12 keystore holding the node's key pair. */
  keyStore: string;
  /** PKCS#12 truststore with the CA that signs client certificates, as a trusted entry. */
  trustStore: string;
  /** Password of both stores. */
  password: string;
  /** `ssl.clientAuth`: `need` refuses clients without a certificate the truststore trusts. */
  clientAuth?: 'none' | 'want' | 'need';
}

/** True when Debian's zookeeper package is installed on this machine. */
export function zookeeperInstalled(): boolean {
  return fs.existsSync('/usr/share/java/zookeeper.jar');
}

/** What kind of ensemble to start. */
export interface EnsembleSpec {
  voters: number;
  observers?: number;
  /** `4lw.commands.whitelist` value; `*` by default, `srvr` mimics the stock 3.5.3+ default. */
  whitelist?: string;
  /** Start the AdminServer on each node (default true). */
  admin?: boolean;
  tickTimeMs?: number;
  /** Directory for data and logs; a fresh temp dir by default. */
  baseDir?: string;
  /** Serve TLS on a `secureClientPort` too (Netty server factory). */
  tls?: ZkTlsSpec;
}

/** One real ZooKeeper JVM started by the harness. */
export class ZkNode {
  process?: ChildProcess;
  private paused = false;
  /** The TLS client port, when the ensemble was started with `tls`. */
  secureClientPort?: number;

  constructor(
    readonly id: number,
    readonly clientPort: number,
    readonly adminPort: number,
    readonly quorumPort: number,
    readonly electionPort: number,
    readonly observer: boolean,
    readonly dir: string,
  ) {}

  /** `host:port` as the agent is configured with it. */
  get address(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.process?.exitCode === null && this.process.signalCode === null;
  }

  /** Starts the JVM (no-op when already running). */
  start(): void {
    if (this.running) return;
    const log = fs.openSync(path.join(this.dir, 'zookeeper.log'), 'a');
    this.process = spawn(
      'java',
      [
        '-Xmx64m',
        '-Xms16m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Dzookeeper.admin.enableServer=true',
        '-cp',
        `${ZOOKEEPER_CLASSPATH}:${NETTY_CLASSPATH}`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        path.join(this.dir, 'zoo.cfg'),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.paused = false;
    liveProcesses.add(this.process);
    const child = this.process;
    child.on('exit', () => liveProcesses.delete(child));
  }

  /** SIGKILL, then waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    if (this.paused) child.kill('SIGCONT');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.paused = false;
  }

  /** SIGSTOP: the kernel still accepts TCP connections, but nothing answers. */
  pause(): void {
    if (this.process && this.running) {
      this.process.kill('SIGSTOP');
      this.paused = true;
    }
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    if (this.process && this.running && this.paused) {
      this.process.kill('SIGCONT');
      this.paused = false;
    }
  }
}

const liveProcesses = new Set<ChildProcess>();
// A test that throws before its teardown must still not leave JVMs behind.
process.once('exit', () => {
  for (const child of liveProcesses) child.kill('SIGKILL');
});

/** A real ensemble on loopback with OS-chosen free ports. */
export class ZkEnsemble {
  private constructor(
    readonly nodes: ZkNode[],
    readonly baseDir: string,
    private readonly ownsDir: boolean,
  ) {}

  /** Writes configs for `spec` and starts every node (does not wait for serving: see {@link waitServing}). */
  static async start(spec: EnsembleSpec): Promise<ZkEnsemble> {
    const ensemble = await ZkEnsemble.create(spec);
    for (const node of ensemble.nodes) node.start();
    return ensemble;
  }

  /** Writes configs for `spec` without starting anything. */
  static async create(spec: EnsembleSpec): Promise<ZkEnsemble> {
    const ownsDir = spec.baseDir === undefined;
    const baseDir = spec.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zk-ensemble-'));
    const total = spec.voters + (spec.observers ?? 0);
    const nodes: ZkNode[] = [];
    for (let id = 1; id <= total; id++) {
      const dir = path.join(baseDir, `node-${id}`);
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'data', 'myid'), `${id}\n`);
      nodes.push(new ZkNode(id, await freePort(), await freePort(), await freePort(), await freePort(), id > spec.voters, dir));
    }
    const standalone = total === 1;
    for (const node of nodes) {
      const lines = [
        `tickTime=${spec.tickTimeMs ?? 2000}`,
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${path.join(node.dir, 'data')}`,
        `clientPort=${node.clientPort}`,
        'clientPortAddress=127.0.0.1',
        `4lw.commands.whitelist=${spec.whitelist ?? '*'}`,
        `admin.enableServer=${spec.admin === false ? 'false' : 'true'}`,
        'admin.serverAddress=127.0.0.1',
        `admin.serverPort=${node.adminPort}`,
      ];
      if (spec.tls) {
        node.secureClientPort = await freePort();
        lines.push(
          'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
          `secureClientPort=${node.secureClientPort}`,
          'secureClientPortAddress=127.0.0.1',
          `ssl.keyStore.location=${spec.tls.keyStore}`,
          `ssl.keyStore.password=${spec.tls.password}`,
          `ssl.trustStore.location=${spec.tls.trustStore}`,
          `ssl.trustStore.password=${spec.tls.password}`,
          `ssl.clientAuth=${spec.tls.clientAuth ?? 'none'}`,
        );
      }
      if (!standalone) {
        lines.push('standaloneEnabled=false');
        if (node.observer) lines.push('peerType=observer');
        for (const member of nodes) {
          lines.push(`server.${member.id}=127.0.0.1:${member.quorumPort}:${member.electionPort}${member.observer ? ':observer' : ''}`);
        }
      }
      fs.writeFileSync(path.join(node.dir, 'zoo.cfg'), `${lines.join('\n')}\n`);
    }
    return new ZkEnsemble(nodes, baseDir, ownsDir);
  }

  /** Voting members only. */
  get voters(): ZkNode[] {
    return this.nodes.filter((n) => !n.observer);
  }

  /** `host:port,host:port…` for `--ensemble NAME=…`. */
  get connectString(): string {
    return this.nodes.map((n) => n.address).join(',');
  }

  /** Waits until every running (not paused) node answers `srvr` with a Mode line. */
  async waitServing(timeoutMs = 30_000, nodes: ZkNode[] = this.nodes.filter((n) => n.running)): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const truths = await Promise.all(nodes.map((n) => nodeTruth(n.clientPort, 1000)));
      if (truths.every((t) => t !== undefined)) return;
      if (Date.now() > deadline) {
        const states = nodes.map((n, i) => `${n.id}:${truths[i]?.mode ?? 'not serving'}`).join(' ');
        throw new Error(`ensemble not serving after ${timeoutMs} ms (${states})`);
      }
      await sleep(100);
    }
  }

  /** The node that currently says `Mode: leader` (ground truth), if any. */
  async leader(): Promise<ZkNode | undefined> {
    for (const node of this.nodes.filter((n) => n.running)) {
      const truth = await nodeTruth(node.clientPort, 1000);
      if (truth?.mode === 'leader') return node;
    }
    return undefined;
  }

  /** Kills every node and removes the data directory when the harness created it. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    if (this.ownsDir) fs.rmSync(this.baseDir, { recursive: true, force: true });
  }
}
