/**
 * Child process of the benchmark: serves N fake ZooKeeper nodes on 127.0.0.1 (one listener each),
 * replaying the replies captured from ZooKeeper 3.8.0. Node i plays role `ROLES[i % 5]`, so every
 * group of 5 consecutive nodes is one plausible ensemble: a leader, three followers, an observer.
 *
 * Usage: node --import tsx bench/fake-fleet.ts <n>
 * Prints one JSON line `{"ports":[...],"roles":[...]}` on stdout once every node listens, then
 * serves until stdin closes or SIGTERM/SIGINT arrives, closes every listener and socket, and exits 0.
 *
 * While serving it watches its own connections every {@link SAMPLE_MS} ms and prints one JSON line
 * per edge, `{"ev":"busy"|"idle","t":<Date.now()>,"accepted":<total>}`: busy when a connection is
 * open or was accepted since the last look, idle otherwise. A poll round of the agent is one busy
 * stretch as seen from the nodes, so the benchmark can time rounds and place its CPU readings
 * between them without asking the agent anything. Every {@link COUNT_MS} ms it also prints
 * `{"ev":"count","t":…,"accepted":<total>}`, for windows measured in time rather than rounds.
 */
import { loadCapturedReplies, startFakeEnsemble } from '../test/harness/fake-zk-server.js';

/** How often the connection counters are looked at. */
const SAMPLE_MS = 5;

/** How often a `count` line is printed. */
const COUNT_MS = 250;

/** Role of each node within its group of 5. */
export const ROLES = ['leader', 'follower', 'follower', 'follower', 'observer'] as const;

async function main(): Promise<void> {
  const n = Number(process.argv[2]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`usage: fake-fleet.ts <n>, got ${JSON.stringify(process.argv[2])}`);

  const repliesByRole: Record<string, Record<string, Buffer>> = {};
  for (const role of new Set(ROLES)) repliesByRole[role] = await loadCapturedReplies(role);

  const fleet = await startFakeEnsemble(n, repliesByRole, { roleOf: (i) => ROLES[i % ROLES.length]! });
  // The captured conf replies describe the capture's own 4-node ensemble and its ports: each group of
  // 5 instead gets a conf naming itself (ids 1–5, the observer last, each member's client address),
  // so the agent's discovery, on by default, finds the members it was given and nothing else.
  for (let first = 0; first < fleet.nodes.length; first += ROLES.length) {
    const group = fleet.nodes.slice(first, first + ROLES.length);
    const members = group.map(
      (node, k) =>
        `server.${k + 1}=127.0.0.1:${20000 + k}:${21000 + k}:${node.role === 'observer' ? 'observer' : 'participant'};127.0.0.1:${node.port}`,
    );
    group.forEach((node, k) => {
      const captured = repliesByRole[node.role]!.conf!.toString('utf8');
      const head = captured
        .slice(0, captured.indexOf('membership:'))
        .replace(/^clientPort=.*$/m, `clientPort=${node.port}`)
        .replace(/^serverId=.*$/m, `serverId=${k + 1}`);
      node.setReply('conf', `${head}membership: \n${members.join('\n')}\nversion=0`);
    });
  }

  // Edges between busy and idle, as seen from the nodes.
  let busy = false;
  let lastAccepted = 0;
  let lastCountAt = 0;
  const sampler = setInterval(() => {
    let open = 0;
    let accepted = 0;
    for (const node of fleet.nodes) {
      open += node.openConnections;
      accepted += node.connections;
    }
    // A running count every COUNT_MS, for benches that measure over a time window instead of rounds.
    const t = Date.now();
    if (t - lastCountAt >= COUNT_MS) {
      lastCountAt = t;
      process.stdout.write(`${JSON.stringify({ ev: 'count', t, accepted })}\n`);
    }
    const now = open > 0 || accepted !== lastAccepted;
    lastAccepted = accepted;
    if (now === busy) return;
    busy = now;
    process.stdout.write(`${JSON.stringify({ ev: busy ? 'busy' : 'idle', t: Date.now(), accepted })}\n`);
  }, SAMPLE_MS);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    clearInterval(sampler);
    fleet.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The parent holds our stdin open; when it goes away (even killed), so do we.
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();

  process.stdout.write(`${JSON.stringify({ ports: fleet.nodes.map((node) => node.port), roles: fleet.nodes.map((node) => node.role) })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake fleet failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
