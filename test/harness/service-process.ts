import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait.js';

const running = new Set<ChildProcess>();
// A test that throws before its teardown must still not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A server binary started by a test, its output collected, killed at exit if the test forgets. */
export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
}

/** Spawns `bin args`, tracking it for clean-up. */
export function spawnService(bin: string, args: string[]): ServiceProcess {
  let output = '';
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** Polls `readyUrl` until it answers 2xx; throws with the process output when it exits or times out. */
export async function waitReady(service: ServiceProcess, readyUrl: string, name: string, timeoutMs = 20_000): Promise<void> {
  // A service that exits (bad flags, a taken port) ends the wait at once, with its output.
  const ready = await waitFor(
    `${name} to be ready`,
    async () => {
      if (service.child.exitCode !== null) return 'exited';
      return (await fetch(readyUrl, { signal: AbortSignal.timeout(1000) })).ok ? 'ready' : undefined;
    },
    timeoutMs,
  ).catch(() => undefined);
  if (ready?.value === 'ready') return;
  await stopService(service);
  if (ready?.value === 'exited') throw new Error(`${name} exited with ${service.child.exitCode}:\n${service.output()}`);
  throw new Error(`${name} not ready after ${timeoutMs} ms:\n${service.output()}`);
}

/** SIGTERM, SIGKILL after 5 s, and waits for the exit. */
export async function stopService(service: ServiceProcess): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
