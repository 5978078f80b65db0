/** The hook metric families, rendered from a snapshot of the hook service's counters at scrape time. */
import type { DelivererStats } from './deliver/http-delivery.js';

/** The part of a scrape-time family set the hook families need. */
export interface HookFamilySink {
  family(name: string, help: string, type: 'counter' | 'gauge'): { add(value: number, labels: Record<string, string>): void };
}

/** What the hook families show: counters and states read from memory. */
export interface HookMetricsSnapshot {
  /** Configured hook names, in config order. */
  hooks: readonly string[];
  stats: DelivererStats;
  /** Hooks recorded as suppressed (maintenance or pause) since start, per hook. */
  suppressed: ReadonlyMap<string, number>;
  cooldownsActive: number;
  /** Per configured ensemble: whether its hooks are suppressed now. */
  maintenance: ReadonlyArray<{ ensemble: string; suppressed: boolean }>;
  alertsReceived: number;
  alertDuplicates: number;
  /** Rounds or alert payloads whose hook processing failed since start. */
  processingErrors: number;
  /** Whether the hook store (outbox) could be opened. */
  storeAvailable: boolean;
  /** Corrupt lines set aside when opening the store, per file (`outbox`, `audit`). */
  quarantinedLines: ReadonlyMap<string, number>;
}

/** Adds every `zookeeper_hook_*` family to a scrape. */
export function addHookFamilies(set: HookFamilySink, snapshot: HookMetricsSnapshot): void {
  const { stats } = snapshot;
  const deliveries = set.family(
    'zookeeper_hook_deliveries_total',
    'Hook intents finished, by hook and result (delivered, rejected, dead_lettered, suppressed, dry_run).',
    'counter',
  );
  const queue = set.family('zookeeper_hook_queue_depth', 'Hook intents waiting for a slot or for their next retry.', 'gauge');
  const inFlight = set.family('zookeeper_hook_in_flight', 'Hook requests in flight.', 'gauge');
  for (const hook of snapshot.hooks) {
    for (const [result, count] of Object.entries(stats.results[hook] ?? {})) {
      // Suppression happens before an intent exists, so the deliverer never counts it.
      deliveries.add(result === 'suppressed' ? (snapshot.suppressed.get(hook) ?? 0) : count, { hook, result });
    }
    queue.add(stats.queueDepth[hook] ?? 0, { hook });
    inFlight.add(stats.inFlight[hook] ?? 0, { hook });
  }
  set
    .family('zookeeper_hook_oldest_pending_age_seconds', 'Age of the oldest hook intent not yet finished (0 when none).', 'gauge')
    .add((stats.oldestPendingAgeMs ?? 0) / 1000, {});
  set.family('zookeeper_hook_dead_letters_total', 'Hook intents given up after their maximum age.', 'counter').add(stats.deadLetters, {});
  set
    .family('zookeeper_hook_cooldowns_active', 'Hook+ensemble+event cooldowns currently running.', 'gauge')
    .add(snapshot.cooldownsActive, {});
  const maintenance = set.family(
    'zookeeper_hook_maintenance_active',
    '1 while hooks of the ensemble are suppressed by a maintenance window or a pause.',
    'gauge',
  );
  for (const { ensemble, suppressed } of snapshot.maintenance) maintenance.add(suppressed ? 1 : 0, { ensemble });
  set.family('zookeeper_hook_alerts_received_total', 'Alerts received from Alertmanager.', 'counter').add(snapshot.alertsReceived, {});
  set
    .family(
      'zookeeper_hook_alert_duplicates_total',
      'Alert deliveries dropped as duplicates (same fingerprint, startsAt and status).',
      'counter',
    )
    .add(snapshot.alertDuplicates, {});
  set
    .family('zookeeper_hook_processing_errors_total', 'Poll rounds or alert payloads whose hook processing failed.', 'counter')
    .add(snapshot.processingErrors, {});
  set
    .family('zookeeper_hook_store_available', '1 when the hook outbox is open; 0 when hooks are unavailable (see the log).', 'gauge')
    .add(snapshot.storeAvailable ? 1 : 0, {});
  const quarantined = set.family(
    'zookeeper_hook_store_quarantined_lines_total',
    'Corrupt lines set aside (file copied to <file>.quarantine-<ms>) when opening the hook store, by file.',
    'counter',
  );
  for (const file of ['outbox', 'audit']) quarantined.add(snapshot.quarantinedLines.get(file) ?? 0, { file });
}
