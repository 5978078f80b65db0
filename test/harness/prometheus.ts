import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { spawnService, stopService, waitReady, type ServiceProcess } from './service-process.js';

/** Debian's prometheus binary (apt-get install prometheus). */
const PROMETHEUS_BIN = '/usr/bin/prometheus';

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
    private readonly service: ServiceProcess,
    private readonly dir: string,
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
    const service = spawnService(PROMETHEUS_BIN, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Alerts are otherwise re-sent only every minute.
      '--rules.alert.resend-delay=1s',
      '--log.level=warn',
    ]);
    const prom = new PrometheusProcess(`http://127.0.0.1:${port}`, service, dir);
    await waitReady(service, `${prom.url}/-/ready`, 'prometheus');
    return prom;
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
    const body = (await res.json()) as {
      data: { alerts: Array<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }> };
    };
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
    return this.service.output();
  }

  /** Stops Prometheus and removes its data dir. */
  async stop(): Promise<void> {
    await stopService(this.service);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
