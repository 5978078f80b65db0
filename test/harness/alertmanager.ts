import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { spawnService, stopService, waitReady, type ServiceProcess } from './service-process.js';

/** Debian's Alertmanager binary (apt-get install prometheus-alertmanager). */
const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** A real Alertmanager on loopback with its own config and data dir, started by a test. */
export class AlertmanagerProcess {
  private constructor(
    readonly address: string,
    private readonly service: ServiceProcess,
    private readonly dir: string,
  ) {}

  /** Starts Alertmanager with `configYaml` (clustering off) and waits for /-/ready. */
  static async start(configYaml: string): Promise<AlertmanagerProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertmanager-'));
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), configYaml);
    const port = await freePort();
    const service = spawnService(ALERTMANAGER_BIN, [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    const am = new AlertmanagerProcess(`127.0.0.1:${port}`, service, dir);
    await waitReady(service, `http://${am.address}/-/ready`, 'alertmanager');
    return am;
  }

  /** What Alertmanager logged. */
  output(): string {
    return this.service.output();
  }

  /** Stops it and removes its data dir. */
  async stop(): Promise<void> {
    await stopService(this.service);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
