import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

// Many tests import the agent and the wait together.
export { waitFor } from './wait.js';

/** Built entry point of the agent (`npm run build` first). */
export const AGENT_MAIN = path.resolve(import.meta.dirname, '..', '..', 'dist', 'main.js');

/** A real agent process started by a test. */
export interface AgentProcess {
  url: string;
  child: ChildProcess;
  /** Everything the agent logged so far (stdout + stderr). */
  output(): string;
  /** GET a path and parse JSON. */
  json<T = unknown>(pathname: string): Promise<T>;
  /** GET /metrics as text. */
  metrics(): Promise<string>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `node dist/main.js <args> --listen 127.0.0.1:<free port>` and waits for /readyz. */
export async function startAgent(
  args: string[],
  readyTimeoutMs = 20_000,
  env: Record<string, string> = {},
  fixedPort?: number,
): Promise<AgentProcess> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, [AGENT_MAIN, ...args, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const agent: AgentProcess = {
    url,
    child,
    output: () => output,
    async json<T>(pathname: string): Promise<T> {
      const res = await fetch(url + pathname, { signal: AbortSignal.timeout(5000) });
      return (await res.json()) as T;
    },
    async metrics() {
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
      return res.text();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  // An agent that exits (a bad flag, a taken port) ends the wait at once, with its output.
  const ready = await waitFor(
    'the agent to be ready',
    async () => {
      if (child.exitCode !== null) return 'exited';
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      return res.ok ? 'ready' : undefined;
    },
    readyTimeoutMs,
  ).catch(() => undefined);
  if (ready?.value === 'ready') return agent;
  await agent.stop();
  if (ready?.value === 'exited') throw new Error(`agent exited with ${child.exitCode}:\n${output}`);
  throw new Error(`agent not ready after ${readyTimeoutMs} ms:\n${output}`);
}

/** Value of one exposition line `name{labels} value`, labels given as an exact `k="v",…` string. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && line !== name && !line.startsWith(`${name} `)) continue;
    const match = /^([^{ ]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const m of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[m[1]!] = m[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return undefined;
}
