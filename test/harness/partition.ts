import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { askNode } from './four-letter.js';
import { freePort } from './ports.js';

/**
 * Network partitions on one machine, for tests run as root: each ZooKeeper node runs as its own Unix
 * user on its own loopback address, so iptables rules can match one node's packets by owner (what it
 * sends) and by address (what it receives) while every client port stays reachable. Everything
 * created here (users, addresses, rules, processes) is recorded and removed by {@link Partitions.cleanup}.
 */

/** Same classpath as the harness's other ensembles: Debian's zookeeper 3.8 package. */
const ZOOKEEPER_CLASSPATH = ['/usr/share/java/zookeeper.jar', '/usr/share/java/servlet-api.jar', '/usr/share/java/slf4j-simple.jar'].join(
  ':',
);

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why partition tests cannot run here, or undefined when they can (root, iptables with owner match, ZooKeeper). */
export function partitionUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (users and iptables rules)';
  if (!fs.existsSync('/usr/share/java/zookeeper.jar')) return 'zookeeper is not installed';
  try {
    run('iptables', ['-w', '-S', 'OUTPUT']);
    run('useradd', ['--help']);
  } catch {
    return 'iptables or useradd missing (bash scripts/install-deps.sh)';
  }
  return undefined;
}

/** One node of a {@link UserEnsemble}: its own user and loopback address, the ensemble's shared ports. */
export interface UserNode {
  id: number;
  user: string;
  uid: number;
  address: string;
  /** `address:clientPort`, as the agent is configured with it. */
  server: string;
  dir: string;
  process?: ChildProcess;
}

/** Records what a test created so that it can all be removed, even after a failure. */
export class Partitions {
  private readonly tag = `zk-canary-test-${process.pid}`;
  private readonly users: string[] = [];
  private readonly addresses: string[] = [];
  private readonly rules: string[][] = [];
  private readonly processes = new Set<ChildProcess>();

  /** Creates a system user without home or shell; returns its uid. */
  createUser(name: string): number {
    run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
    this.users.push(name);
    return Number(run('id', ['-u', name]).trim());
  }

  /**
   * Makes `address` usable on this machine. Linux answers every 127.0.0.0/8 address on `lo` already, so
   * an alias is added (and later removed) only when the kernel does not route it locally.
   */
  ensureLoopbackAddress(address: string): void {
    if (/^local /m.test(run('ip', ['-4', 'route', 'get', address]))) return;
    run('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
    this.addresses.push(address);
  }

  /** Adds one iptables rule (inserted first in its chain, tagged with this test's comment). */
  addRule(chain: 'INPUT' | 'OUTPUT', match: string[]): void {
    const spec = [chain, ...match, '-m', 'comment', '--comment', this.tag, '-j', 'DROP'];
    run('iptables', ['-w', '-I', ...spec]);
    this.rules.push(spec);
  }

  /**
   * Cuts `node` off from its peers' quorum and election traffic, both ways, leaving its client port
   * alone: whatever its user sends from or to those ports is dropped (owner match), and whatever
   * arrives at its address from or to those ports is dropped (destination match).
   */
  isolatePeerTraffic(node: UserNode, ports: readonly number[]): void {
    for (const port of ports) {
      for (const dir of ['--dport', '--sport']) {
        this.addRule('OUTPUT', ['-m', 'owner', '--uid-owner', String(node.uid), '-p', 'tcp', dir, String(port)]);
        this.addRule('INPUT', ['-d', node.address, '-p', 'tcp', dir, String(port)]);
      }
    }
  }

  /** Removes every rule added so far (the nodes can talk again). */
  healAll(): void {
    for (const spec of this.rules.splice(0).reverse()) {
      try {
        run('iptables', ['-w', '-D', ...spec]);
      } catch {
        // Already gone: nothing to undo.
      }
    }
  }

  /** Spawns a process as `uid` and tracks it for cleanup. */
  spawnAs(uid: number, command: string, args: string[], logFile: string): ChildProcess {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(command, args, {
      uid,
      gid: uid === 0 ? 0 : Number(run('id', ['-g', String(uid)]).trim()),
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.processes.add(child);
    child.on('exit', () => this.processes.delete(child));
    return child;
  }

  /** Kills the processes, removes the rules, then the users and addresses. Safe to call twice. */
  async cleanup(): Promise<void> {
    await Promise.all(
      [...this.processes].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    this.healAll();
    for (const user of this.users.splice(0)) {
      try {
        run('userdel', [user]);
      } catch {
        // Already gone.
      }
    }
    for (const address of this.addresses.splice(0)) {
      try {
        run('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']);
      } catch {
        // Already gone.
      }
    }
  }

  /** Rules tagged by this process still present in the kernel (for the test's own leak check). */
  leftoverRules(): string[] {
    return ['INPUT', 'OUTPUT'].flatMap((chain) =>
      run('iptables', ['-w', '-S', chain])
        .split('\n')
        .filter((l) => l.includes(this.tag)),
    );
  }
}

/**
 * A real ensemble whose node N runs as its own user on 127.0.1.N, every node with the same client,
 * quorum, election and admin ports (told apart by address).
 */
export class UserEnsemble {
  private constructor(
    readonly nodes: UserNode[],
    readonly ports: { client: number; quorum: number; election: number; admin: number },
    private readonly baseDir: string,
    private readonly partitions: Partitions,
  ) {}

  /** Creates users, addresses and configs for `voters` nodes and starts them (does not wait for serving). */
  static async start(partitions: Partitions, voters: number): Promise<UserEnsemble> {
    const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-user-ensemble-'));
    fs.chmodSync(baseDir, 0o755); // each node's user must reach its own directory
    const ports = { client: await freePort(), quorum: await freePort(), election: await freePort(), admin: await freePort() };
    const nodes: UserNode[] = [];
    for (let id = 1; id <= voters; id++) {
      const address = `127.0.1.${id}`;
      partitions.ensureLoopbackAddress(address);
      const user = `zkc${process.pid % 100000}n${id}`;
      const uid = partitions.createUser(user);
      const dir = path.join(baseDir, `node-${id}`);
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'data', 'myid'), `${id}\n`);
      nodes.push({ id, user, uid, address, server: `${address}:${ports.client}`, dir });
    }
    for (const node of nodes) {
      const lines = [
        'tickTime=2000',
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${path.join(node.dir, 'data')}`,
        `clientPort=${ports.client}`,
        `clientPortAddress=${node.address}`,
        '4lw.commands.whitelist=*',
        'admin.enableServer=true',
        `admin.serverAddress=${node.address}`,
        `admin.serverPort=${ports.admin}`,
        'standaloneEnabled=false',
        // Quorum and election listeners bind to the node's own address only, so the shared ports do not clash.
        'quorumListenOnAllIPs=false',
        ...nodes.map((m) => `server.${m.id}=${m.address}:${ports.quorum}:${ports.election}`),
      ];
      fs.writeFileSync(path.join(node.dir, 'zoo.cfg'), `${lines.join('\n')}\n`);
      run('chown', ['-R', `${node.user}:`, node.dir]);
    }
    const ensemble = new UserEnsemble(nodes, ports, baseDir, partitions);
    for (const node of nodes) {
      node.process = partitions.spawnAs(
        node.uid,
        'java',
        [
          '-Xmx64m',
          '-Xms16m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          '-cp',
          ZOOKEEPER_CLASSPATH,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          path.join(node.dir, 'zoo.cfg'),
        ],
        path.join(node.dir, 'zookeeper.log'),
      );
    }
    return ensemble;
  }

  /** `host:port,…` of every node. */
  get connectString(): string {
    return this.nodes.map((n) => n.server).join(',');
  }

  /** What `srvr` says the node's mode is, or undefined when it is not serving or not answering. */
  async mode(node: UserNode): Promise<string | undefined> {
    const reply = await askNode(this.ports.client, 'srvr', 1000, node.address).catch(() => '');
    return /^Mode: (\S+)$/m.exec(reply)?.[1];
  }

  /** Waits until every node answers srvr with a mode. */
  async waitServing(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const modes = await Promise.all(this.nodes.map((n) => this.mode(n)));
      if (modes.every((m) => m !== undefined)) return;
      await sleep(100);
    }
    throw new Error(`user ensemble not serving after ${timeoutMs} ms`);
  }

  /** The node saying `Mode: leader`, if any. */
  async leader(): Promise<UserNode | undefined> {
    for (const node of this.nodes) if ((await this.mode(node)) === 'leader') return node;
    return undefined;
  }

  /** Removes the data directory (processes, users and rules are {@link Partitions.cleanup}'s). */
  removeFiles(): void {
    fs.rmSync(this.baseDir, { recursive: true, force: true });
  }
}
