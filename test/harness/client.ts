import zookeeper from 'node-zookeeper-client';

/** The client reports failures as its own `Exception` objects, which are not `Error`s: wraps them. */
function asError(err: Error | zookeeper.Exception): Error {
  return err instanceof Error ? err : new Error(err.toString());
}

/** Opens a real ZooKeeper client session (used by tests to write and watch, never by the agent). */
export function connectClient(connectString: string, timeoutMs = 10_000): Promise<zookeeper.Client> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 10_000, retries: 3 });
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no ZooKeeper session to ${connectString} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

/** Creates `count` persistent znodes under `/prefix` (creating the prefix when missing): each is one transaction. */
export async function writeZnodes(client: zookeeper.Client, prefix: string, count: number): Promise<void> {
  await new Promise<void>((resolve, reject) => client.mkdirp(prefix, (err) => (err ? reject(asError(err)) : resolve())));
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) =>
      client.create(`${prefix}/n-${Date.now()}-${i}`, Buffer.from('x'), (err) => (err ? reject(asError(err)) : resolve())),
    );
  }
}

/** Sets a data watch on `path` (the watch stays until the node changes). */
export function watchPath(client: zookeeper.Client, path: string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.getData(
      path,
      () => undefined,
      (err) => (err ? reject(asError(err)) : resolve()),
    ),
  );
}

/** Closes the session. */
export function closeClient(client: zookeeper.Client): Promise<void> {
  return new Promise((resolve) => {
    client.once('disconnected', () => resolve());
    client.close();
    // The library does not emit 'disconnected' when the session was already gone: a bound, so
    // closing never hangs a test's teardown.
    setTimeout(resolve, 2000).unref();
  });
}
