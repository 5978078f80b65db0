import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

/** Debian's prometheus binary (apt-get install prometheus). */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** True when Prometheus and promtool are installed. */
export function prometheusInstalled(): boolean {
  return fs.existsSync(PROMETHEUS_BIN) && fs.existsSync('/usr/bin/promtool');
}

/** Options for a throwaway Prometheus on loopback. */
export interface PrometheusOptions {
  /** `host:port` targets scraped as job `zookeeper-ensemble-exporter`. */
  targets: string[];
  /** Rule files to load (absolute paths). */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval; 1 s by default. */
  intervalSeconds?: number;
  /** Alertmanager `host:port` to send alerts to. */
  alertmanager?: string;
  /** Job name; `zookeeper-ensemble-exporter` by default. */
  job?: string;
}

/** One Prometheus query result series. */
export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Prometheus started by a test, with its own config and data dir. */
export class PrometheusProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly log: () => string,
  ) {}

  /** Starts Prometheus and waits for /-/ready. */
  static async start(options: PrometheusOptions): Promise<PrometheusProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
    const interval = `${options.intervalSeconds ?? 1}s`;
    const config = {
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      rule_files: options.ruleFiles ?? [],
      scrape_configs: [{ job_name: options.job ?? 'zookeeper-ensemble-exporter', static_configs: [{ targets: options.targets }] }],
      ...(options.alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] } } : {}),
    };
    // JSON is valid YAML.
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const port = await freePort();
    let output = '';
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Alerts are otherwise re-sent only every minute.
        '--rules.alert.resend-delay=1s',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    child.on('exit', () => running.delete(child));
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const prom = new PrometheusProcess(`http://127.0.0.1:${port}`, child, dir, () => output);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${prom.url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) return prom;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await prom.stop();
        throw new Error(`prometheus not ready:\n${output}`);
      }
      await sleep(100);
    }
  }

  /** Instant query through the HTTP API. */
  async query(expr: string): Promise<PromSeries[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSeries[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${expr}: ${body.error ?? res.status}`);
    return body.data!.result;
  }

  /** Active alerts (pending and firing) from /api/v1/alerts. */
  async alerts(): Promise<Array<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }>> {
    const res = await fetch(`${this.url}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }> } };
    return body.data.alerts;
  }

  /** Health of the scrape targets. */
  async targets(): Promise<Array<{ health: string; lastError: string; scrapeUrl: string }>> {
    const res = await fetch(`${this.url}/api/v1/targets`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { data: { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> } };
    return body.data.activeTargets;
  }

  /** What Prometheus logged. */
  output(): string {
    return this.log();
  }

  /** Stops Prometheus and removes its data dir. */
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
