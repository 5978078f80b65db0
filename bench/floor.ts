/**
 * The floor of the polling bench, in its own process so its CPU is read like the agent's: a bare
 * Node.js loop doing the agent's TCP I/O against the same fake fleet and nothing else. Every `tickMs`
 * it asks every node `srvr` (and `mntr` + `wchs` every `intervalMs`), each word on its own
 * connection (connect, send the word, read until the node closes, close), at most `concurrency` nodes at once. No
 * parsing, no state, no metrics.
 *
 * Usage: node --import tsx bench/floor.ts <concurrency> <tickMs> <intervalMs> <port>...
 * Runs until SIGTERM or stdin closes.
 */
import net from 'node:net';

function ask(port: number, word: string): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0;
    // The agent's exchange: the word written without a half-close (ZooKeeper may drop the reply to a
    // client that sent its FIN), the socket destroyed once the node has closed its side.
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(word));
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => socket.destroy());
    socket.on('close', () => resolve(bytes));
    socket.on('error', () => undefined);
  });
}

async function round(ports: readonly number[], words: readonly string[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ports.length) }, async () => {
      for (let i = next++; i < ports.length; i = next++) await Promise.all(words.map((word) => ask(ports[i]!, word)));
    }),
  );
}

async function main(): Promise<void> {
  const [concurrency, tickMs, intervalMs, ...ports] = process.argv.slice(2).map(Number);
  let stopped = false;
  const stop = (): void => {
    stopped = true;
  };
  process.on('SIGTERM', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  let lastFull = -Infinity;
  while (!stopped) {
    const startedAt = Date.now();
    const full = startedAt - lastFull >= intervalMs! - tickMs! / 2;
    if (full) lastFull = startedAt;
    await round(ports, full ? ['srvr', 'mntr', 'wchs'] : ['srvr'], concurrency!);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + tickMs! - Date.now())));
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`floor failed: ${String(err)}\n`);
  process.exit(1);
});
