/**
 * Alertmanager push wiring: keeps each ensemble's push state, asks {@link decidePush} after every
 * round and hands what it decides to the {@link AlertmanagerClient}. Holds no decision logic.
 */
import type { Logger } from 'pino';
import type client from 'prom-client';
import type { EnsembleState } from '../ensemble/types.js';
import { AlertmanagerClient } from './client.js';
import { decidePush, type PushSettings, type PushState } from './decide.js';
import { alertmanagerEndpoints } from './urls.js';

/** What an {@link AlertPushService} needs. */
export interface AlertPushOptions extends PushSettings {
  urls: string[];
  timeoutMs: number;
  log: Logger;
  registry: client.Registry;
  /** @default globalThis.fetch */
  fetchImpl?: typeof fetch;
}

/** Pushes the agent's own ensemble alerts to the configured Alertmanagers. */
export class AlertPushService {
  private readonly states = new Map<string, PushState>();
  private readonly client: AlertmanagerClient;

  constructor(private readonly options: AlertPushOptions) {
    this.client = new AlertmanagerClient({
      endpoints: alertmanagerEndpoints(options.urls),
      timeoutMs: options.timeoutMs,
      log: options.log,
      registry: options.registry,
      ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}),
    });
  }

  /** After a round of `ensemble`: posts what changed or is due again (in the background; failures are counted and logged). */
  onRound(ensemble: EnsembleState, now: number): void {
    const { state, alerts } = decidePush(this.states.get(ensemble.name), ensemble, now, this.options);
    this.states.set(ensemble.name, state);
    if (alerts.length === 0) return;
    this.options.log.debug({ ensemble: ensemble.name, alerts: alerts.map((a) => a.labels.alertname) }, 'pushing alerts');
    void this.client.push(alerts);
  }

  /** Waits for posts in flight. Firing alerts are left to expire at their `endsAt` (a restart must not resolve them). */
  stop(): Promise<void> {
    return this.client.stop();
  }
}
