import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

/** Debian's Alertmanager binary (apt-get install prometheus-alertmanager). */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** A real Alertmanager on loopback with its own config and data dir, started by a test. */
export class AlertmanagerProcess {
  private constructor(
    readonly address: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly output: () => string,
  ) {}

  /** Starts Alertmanager with `configYaml` (clustering off) and waits for /-/ready. */
  static async start(configYaml: string): Promise<AlertmanagerProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertmanager-'));
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), configYaml);
    const port = await freePort();
    let output = '';
    const child = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    running.add(child);
    child.on('exit', () => running.delete(child));
    const am = new AlertmanagerProcess(`127.0.0.1:${port}`, child, dir, () => output);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`http://${am.address}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) return am;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await am.stop();
        throw new Error(`alertmanager not ready:\n${output}`);
      }
      await sleep(100);
    }
  }

  /** Stops it and removes its data dir. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
