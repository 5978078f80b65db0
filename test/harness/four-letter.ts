import net from 'node:net';

/**
 * Ground-truth reader for tests: sends one four-letter word and returns the raw reply.
 * Deliberately independent of the agent's own transport so tests compare against what nodes say.
 */
export function askNode(port: number, word: string, timeoutMs = 2000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`timeout asking ${word} on ${host}:${port}`));
    });
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Mode and zxid exactly as a node prints them in `srvr`, or undefined when it is not serving/answering. */
export async function nodeTruth(port: number, timeoutMs = 2000): Promise<{ mode: string; zxid: bigint } | undefined> {
  try {
    const reply = await askNode(port, 'srvr', timeoutMs);
    const mode = /^Mode: (\S+)$/m.exec(reply)?.[1];
    const zxid = /^Zxid: (0x[0-9a-f]+)$/m.exec(reply)?.[1];
    if (!mode || !zxid) return undefined;
    return { mode, zxid: BigInt(zxid) };
  } catch {
    return undefined;
  }
}
