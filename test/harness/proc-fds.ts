import fs from 'node:fs/promises';

/**
 * Open files of a process, read from Linux `/proc`, to check that an agent's sockets stay bounded
 * however many nodes it polls. Only the process's own fd table is read (one readdir and a readlink
 * per fd): the namespace-wide TCP tables would say where each socket goes, but on a shared machine
 * they hold tens of thousands of lingering sockets and one read took seconds, too slow to sample.
 */

/** Soft limit on open files of this process (`Max open files` of `/proc/self/limits`); Infinity when unlimited. */
export async function openFilesSoftLimit(): Promise<number> {
  const limits = await fs.readFile('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (!match) throw new Error('no "Max open files" line in /proc/self/limits');
  return match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

/**
 * How many of `pid`'s fds are sockets now (TCP, UDP or Unix: the stdio pipes of a Node child spawned
 * with `pipe` are Unix socketpairs). A sample: an fd closed between the readdir and its readlink is
 * not counted, one opened meanwhile is missed.
 */
export async function socketFds(pid: number): Promise<number> {
  const fdDir = `/proc/${pid}/fd`;
  const names = await fs.readdir(fdDir);
  const links = await Promise.all(names.map((name) => fs.readlink(`${fdDir}/${name}`).catch(() => undefined)));
  return links.filter((link) => link?.startsWith('socket:[')).length;
}
