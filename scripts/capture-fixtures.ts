/**
 * Captures real replies from real ZooKeeper nodes into test/fixtures/zookeeper-<version>/, byte for byte.
 * Run with `npm run capture-fixtures` (needs Debian's zookeeper package). Only read-only commands are sent.
 *
 * Layout: <role>/<word>.txt for four-letter words, <role>/admin-<command>.http for AdminServer replies (first line `HTTP <status>`, then the body).
 *
 * Existing files are kept and only missing ones are written, so capturing a newly supported word does not
 * rewrite every other fixture (zxids, timestamps and ports differ on each run). `--refresh` rewrites all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { askNode, nodeTruth } from '../test/harness/four-letter.js';
import { ZkEnsemble, type ZkNode } from '../test/harness/zookeeper.js';
import type zookeeper from 'node-zookeeper-client';
import { closeClient, connectClient, watchPath, writeZnodes } from '../test/harness/client.js';

const WORDS = ['srvr', 'stat', 'mntr', 'wchs', 'conf', 'isro', 'envi', 'cons'];
const ADMIN_COMMANDS = ['srvr', 'stat', 'mntr', 'wchs', 'conf', 'leader', 'zabstate', 'voting_view', 'isro', 'environment', 'cons'];
const refresh = process.argv.includes('--refresh');

const root = path.resolve(import.meta.dirname, '..', 'test', 'fixtures');

async function adminGet(node: ZkNode, command: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${node.adminPort}/commands/${command}`, {
    signal: AbortSignal.timeout(3000),
  });
  return `HTTP ${response.status}\n${await response.text()}`;
}

/** Writes `file` unless it exists and this is not a `--refresh` run. */
async function keep(file: string, reply: () => Promise<string>): Promise<void> {
  if (!refresh && fs.existsSync(file)) return;
  fs.writeFileSync(file, await reply());
  console.log(`captured ${path.relative(root, file)}`);
}

async function capture(dir: string, node: ZkNode, words = WORDS, admin = ADMIN_COMMANDS): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const word of words) {
    await keep(path.join(dir, `${word}.txt`), () => askNode(node.clientPort, word, 3000));
  }
  for (const command of admin) {
    // First line is the HTTP status, then the body as received.
    await keep(path.join(dir, `admin-${command}.http`), () => adminGet(node, command));
  }
}

/** Opens `count` client sessions on one node, so its `cons` lists real sessions beside the poll's own connection. */
async function sessionsOn(node: ZkNode, count: number): Promise<zookeeper.Client[]> {
  const clients: zookeeper.Client[] = [];
  for (let i = 0; i < count; i++) clients.push(await connectClient(`127.0.0.1:${node.clientPort}`));
  return clients;
}

async function roleNode(ensemble: ZkEnsemble, mode: string): Promise<ZkNode> {
  for (const node of ensemble.nodes) {
    if ((await nodeTruth(node.clientPort))?.mode === mode) return node;
  }
  throw new Error(`no node in mode ${mode}`);
}

async function main(): Promise<void> {
  const probe = await ZkEnsemble.start({ voters: 1 });
  let version = 'unknown';
  try {
    await probe.waitServing();
    const reply = await askNode(probe.nodes[0]!.clientPort, 'srvr');
    version = /Zookeeper version: (\d+\.\d+\.\d+)/.exec(reply)?.[1] ?? version;
    const base = path.join(root, `zookeeper-${version}`);
    if (refresh) fs.rmSync(base, { recursive: true, force: true });
    const client = await connectClient(probe.connectString);
    await writeZnodes(client, '/fixture', 3);
    await watchPath(client, '/fixture');
    await capture(path.join(base, 'standalone'), probe.nodes[0]!);
    await closeClient(client);
  } finally {
    await probe.stop();
  }
  const base = path.join(root, `zookeeper-${version}`);

  // 3 voters + 1 observer, full whitelist, some writes and watches so counters are non-zero.
  const quorum = await ZkEnsemble.start({ voters: 3, observers: 1 });
  try {
    await quorum.waitServing();
    const client = await connectClient(quorum.connectString);
    await writeZnodes(client, '/fixture', 5);
    await watchPath(client, '/fixture');
    const leader = await roleNode(quorum, 'leader');
    const follower = await roleNode(quorum, 'follower');
    // Two sessions each on the leader and a follower, one of them with a read behind it, for `cons`.
    const sessions = [...(await sessionsOn(leader, 2)), ...(await sessionsOn(follower, 2))];
    await writeZnodes(sessions[0]!, '/fixture-leader', 1);
    await writeZnodes(sessions[2]!, '/fixture-follower', 1);
    await sleep(500);
    await capture(path.join(base, 'leader'), leader);
    await capture(path.join(base, 'follower'), follower);
    await capture(path.join(base, 'observer'), await roleNode(quorum, 'observer'));
    for (const session of sessions) await closeClient(session);
    await closeClient(client);

    // Not serving: kill two voters; the survivor drops out of service after ~0.4 s.
    const voters = quorum.voters;
    await voters[0]!.kill();
    await voters[1]!.kill();
    const survivor = voters[2]!;
    const deadline = Date.now() + 15_000;
    while ((await nodeTruth(survivor.clientPort)) !== undefined && Date.now() < deadline) await sleep(100);
    await capture(
      path.join(base, 'not-serving'),
      survivor,
      ['srvr', 'mntr', 'wchs', 'conf', 'isro', 'envi', 'cons'],
      ['srvr', 'mntr', 'wchs', 'conf', 'isro', 'environment', 'cons', 'voting_view'],
    );
  } finally {
    await quorum.stop();
  }

  // Stock whitelist (srvr only since 3.5.3): the refusal text, and the AdminServer that ignores it.
  const stock = await ZkEnsemble.start({ voters: 3, whitelist: 'srvr' });
  try {
    await stock.waitServing();
    await capture(
      path.join(base, 'whitelist-srvr-only'),
      await roleNode(stock, 'follower'),
      ['srvr', 'mntr', 'wchs', 'conf', 'stat', 'isro', 'envi', 'cons'],
      ['mntr', 'srvr', 'wchs', 'conf', 'isro', 'environment', 'cons'],
    );
    await keep(path.join(base, 'whitelist-srvr-only', 'unknown-word.txt'), () => askNode(stock.nodes[0]!.clientPort, 'zzzz'));
  } finally {
    await stock.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
