/**
 * Posts alerts to every configured Alertmanager (`POST /api/v2/alerts`), concurrently, each post
 * bounded by a timeout. Posts to one Alertmanager go one at a time, in order (a late re-send must
 * not land after the resolution that followed it); alerts that pile up meanwhile are merged, the
 * newest of each alert kept. Failures are counted per Alertmanager and logged at most once a minute
 * each, never with the URL (it may hold a password).
 */
import client from 'prom-client';
import type { Logger } from 'pino';
import type { PostableAlert } from './decide.js';
import type { AlertmanagerEndpoint } from './urls.js';

/** Shortest gap between two logged failures of one Alertmanager. */
export const ERROR_LOG_INTERVAL_MS = 60_000;

/** What an {@link AlertmanagerClient} needs. */
export interface AlertmanagerClientOptions {
  endpoints: AlertmanagerEndpoint[];
  timeoutMs: number;
  log: Logger;
  registry: client.Registry;
  /** @default globalThis.fetch */
  fetchImpl?: typeof fetch;
  /** Clock (unix ms) for log rate limiting. @default Date.now */
  now?: () => number;
}

interface Target {
  endpoint: AlertmanagerEndpoint;
  /** Alerts waiting for the post in flight to finish, by alertname and ensemble. */
  pending: Map<string, PostableAlert>;
  draining: Promise<void> | undefined;
  lastLoggedAt: number | undefined;
  suppressed: number;
}

/** Delivers alerts to every configured Alertmanager; never throws. */
export class AlertmanagerClient {
  private readonly targets: Target[];
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly posts: client.Counter<'alertmanager'>;
  private readonly errors: client.Counter<'alertmanager'>;

  constructor(private readonly options: AlertmanagerClientOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? Date.now;
    this.targets = options.endpoints.map((endpoint) => ({
      endpoint,
      pending: new Map(),
      draining: undefined,
      lastLoggedAt: undefined,
      suppressed: 0,
    }));
    this.posts = new client.Counter({
      name: 'zookeeper_exporter_alertmanager_posts_total',
      help: 'Posts of alerts to each Alertmanager (label: its host and port, never its credentials).',
      labelNames: ['alertmanager'] as const,
      registers: [options.registry],
    });
    this.errors = new client.Counter({
      name: 'zookeeper_exporter_alertmanager_push_errors_total',
      help: 'Posts of alerts to each Alertmanager that failed: network error, timeout or a non-2xx answer.',
      labelNames: ['alertmanager'] as const,
      registers: [options.registry],
    });
    // Exported at 0 from the start, so rate() and absence alerts see each Alertmanager at once.
    for (const t of this.targets) {
      this.posts.inc({ alertmanager: t.endpoint.label }, 0);
      this.errors.inc({ alertmanager: t.endpoint.label }, 0);
    }
  }

  /** Queues the alerts for every Alertmanager and starts posting; resolves once nothing is left to post anywhere (posted or failed). */
  push(alerts: readonly PostableAlert[]): Promise<void> {
    if (alerts.length === 0) return Promise.resolve();
    return Promise.all(
      this.targets.map((target) => {
        for (const alert of alerts) target.pending.set(`${alert.labels.ensemble}\u0000${alert.labels.alertname}`, alert);
        target.draining ??= this.drain(target).finally(() => (target.draining = undefined));
        return target.draining;
      }),
    ).then(() => undefined);
  }

  /** Waits for the posts in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    await Promise.all(this.targets.flatMap((t) => (t.draining ? [t.draining] : [])));
  }

  private async drain(target: Target): Promise<void> {
    while (target.pending.size > 0) {
      const batch = [...target.pending.values()];
      target.pending.clear();
      await this.post(target, batch);
    }
  }

  private async post(target: Target, alerts: PostableAlert[]): Promise<void> {
    const { endpoint } = target;
    this.posts.inc({ alertmanager: endpoint.label });
    let problem: string | undefined;
    try {
      const res = await this.fetchImpl(endpoint.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(endpoint.authorization ? { Authorization: endpoint.authorization } : {}) },
        body: JSON.stringify(alerts),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      // The answer's body is not needed; cancelling frees the connection.
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) problem = `HTTP ${res.status}`;
    } catch (err) {
      problem = describeError(err, this.options.timeoutMs);
    }
    if (problem === undefined) return;
    this.errors.inc({ alertmanager: endpoint.label });
    const now = this.now();
    if (target.lastLoggedAt !== undefined && now - target.lastLoggedAt < ERROR_LOG_INTERVAL_MS) {
      target.suppressed++;
      return;
    }
    this.options.log.warn(
      { alertmanager: endpoint.label, error: problem, alerts: alerts.length, suppressedSinceLastLog: target.suppressed },
      'alert push to Alertmanager failed',
    );
    target.lastLoggedAt = now;
    target.suppressed = 0;
  }
}

/** Error codes only: a fetch error's message can quote the URL. */
function describeError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError') return `timeout after ${timeoutMs}ms`;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? `network error: ${code}` : `network error: ${e?.cause?.name ?? e?.name ?? 'unknown'}`;
}
