/**
 * Failover hooks at run time: evaluates agent-driven rules after each round, takes Alertmanager
 * alerts, applies maintenance/pause and the peers' majority, and hands intents to the durable
 * outbox and deliverer. The decisions live in `decide/`, the I/O in `deliver/`; this class wires
 * them together and holds the state between rounds.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { HooksConfig } from '../config/types.js';
import type { EnsembleState, Transition } from '../ensemble/types.js';
import type { AgentHookEvent } from '../model/hook-events.js';
import { compileRoute, routeAlerts, type AlertmanagerPayload, type AlertRoute } from './decide/alertmanager.js';
import { isSuppressed, NOT_PAUSED, pause, resume, type PauseState } from './decide/maintenance.js';
import { intentForAlert, intentForDue, type AgentIdentity } from './decide/payload.js';
import { buildPeerReport, decideWithPeers, gateFromPeers, peersNeeded, PROBE_REASON, type PeerReport } from './decide/peers.js';
import { LogLimiter } from './decide/log-limit.js';
import { acknowledge, evaluateRules, type AckRecord, type DueHook, type GateDecision, type RulesState } from './decide/rules.js';
import { AuditLog } from './deliver/audit.js';
import { Deliverer } from './deliver/http-delivery.js';
import { Outbox } from './deliver/outbox.js';
import { fetchPeerViews } from './deliver/peer-client.js';
import { loadSecrets, loadToken } from './deliver/secret-files.js';
import { acquireStateDir, StateDirError, type HeldStateDir } from './deliver/state-dir.js';
import { addHookFamilies, type HookFamilySink } from './metrics.js';
import type { AuditEntry, HookIntent } from './types.js';

/** Path peers GET for this agent's own view of its ensembles. */
export const PEER_VIEW_PATH = '/api/v1/hooks/peer-view';

/** A secret or token file that config accepted but that cannot be used (unreadable, empty): a config error. */
export class HookConfigError extends Error {
  override readonly name = 'HookConfigError';
}

/** The hook store cannot take intents now (it could not be opened): the receiver answers 503 with the reason. */
export class HookStoreUnavailableError extends Error {
  override readonly name = 'HookStoreUnavailableError';
}

/** What {@link HookService.acceptAlerts} did with a payload's alerts, once every new intent is durable. */
export interface AcceptedAlerts {
  /** Intents written (one per alert and matching route). */
  intents: number;
  /** Alert deliveries already pending or done (same hook and key). */
  duplicates: number;
  /** Alert deliveries suppressed by maintenance or a pause. */
  suppressed: number;
}

// At most 5 lines per error kind and minute; the rest are counted into the next line.
const ERROR_LOG_BURST = 5;
const ERROR_LOG_WINDOW_MS = 60_000;

/** What the service needs besides its config. */
export interface HookServiceOptions {
  config: HooksConfig;
  log: Logger;
  agentVersion: string;
  /** The poll interval: peers whose latest round is older than 3 intervals do not vote. */
  intervalMs: number;
  /** Signing secrets given in the environment (comma- or newline-separated), used after those of `config.secretFiles`. */
  secretsFromEnv?: string | undefined;
  /** Clock (unix ms). @default Date.now */
  now?: () => number;
}

/** Failover hooks at run time; see the module comment. */
export class HookService {
  private rules: RulesState | undefined;
  private pauseState: PauseState = NOT_PAUSED;
  private readonly routes: AlertRoute[];
  private readonly tokens: string[] = [];
  private readonly admin: string[] = [];
  private readonly agent: AgentIdentity;
  private outbox!: Outbox;
  private audit!: AuditLog;
  private deliverer!: Deliverer;
  private readonly now: () => number;
  private readonly suppressed = new Map<string, number>();
  private alertsReceived = 0;
  private alertDuplicates = 0;
  private processingErrors = 0;
  /** Why hooks cannot take intents (the store could not be opened); undefined when they can. */
  private unavailable: string | undefined;
  private readonly quarantinedLines = new Map<string, number>();
  private held: HeldStateDir | undefined;
  private readonly errorLogs = new LogLimiter(ERROR_LOG_BURST, ERROR_LOG_WINDOW_MS);
  /** Alert payloads being written, awaited by {@link stop}. */
  private readonly accepting = new Set<Promise<unknown>>();
  // Rounds and alerts are handled one at a time so the rules state never races with itself.
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: HookServiceOptions) {
    this.now = options.now ?? Date.now;
    this.routes = options.config.alertRoutes.map(compileRoute);
    this.agent = { id: options.config.agentId, version: options.agentVersion };
  }

  private get config(): HooksConfig {
    return this.options.config;
  }

  /** Loads secrets and tokens, opens the outbox and audit trail, and resumes pending deliveries. Throws on unreadable files. */
  async start(): Promise<void> {
    const secretsFromEnv = this.options.secretsFromEnv;
    let secrets: string[];
    try {
      secrets = loadSecrets(
        secretsFromEnv === undefined || secretsFromEnv === ''
          ? { files: this.config.secretFiles }
          : { env: secretsFromEnv, files: this.config.secretFiles },
      );
      for (const file of this.config.receiverTokenFiles) this.tokens.push(loadToken(file));
      if (this.config.adminTokenFile !== undefined) this.admin.push(loadToken(this.config.adminTokenFile));
    } catch (err) {
      // The messages name the file, never its content.
      throw new HookConfigError((err as Error).message);
    }
    const stateDir = this.config.stateDir;
    if (stateDir !== undefined) {
      try {
        this.held = await acquireStateDir(stateDir, this.config.agentId);
      } catch (err) {
        // Unusable or held by another agent: starting would lose or double every delivery.
        if (err instanceof StateDirError) throw new HookConfigError(err.message);
        throw err;
      }
      if (this.held.permissionWarning !== undefined) this.options.log.warn({ stateDir }, this.held.permissionWarning);
      if (this.held.tookOverFrom !== undefined) {
        this.options.log.warn({ stateDir, previous: this.held.tookOverFrom }, 'took over the stale lock of an agent that is gone');
      }
    }
    const onError = (err: Error): void => this.logError('store', err, 'hook state write failed');
    this.outbox = stateDir === undefined ? Outbox.memory() : await this.openOutbox(stateDir, onError);
    this.audit = stateDir === undefined ? AuditLog.inMemory() : await this.openAudit(stateDir, onError);
    if (this.outbox.recovered > 0 || this.outbox.tornBytes > 0) {
      this.options.log.warn(
        { pending: this.outbox.pending().length, tornBytes: this.outbox.tornBytes },
        'hook outbox recovered after an unclean stop',
      );
    }
    this.deliverer = new Deliverer({
      targets: this.config.targets,
      outbox: this.outbox,
      secrets,
      dryRun: this.config.dryRun,
      audit: (entry) => this.audit.record(entry),
      auditAll: (entries) => this.audit.recordAll(entries),
      onResult: (intent, result) =>
        this.options.log[result === 'delivered' || result === 'dry_run' ? 'info' : 'warn'](
          { hook: intent.hook, event: intent.event, ensemble: intent.ensemble, idempotencyKey: intent.idempotencyKey, result },
          'hook finished',
        ),
      onError: (err, intent) => this.logError(`delivery/${intent.hook}`, err, 'hook delivery bookkeeping failed', { hook: intent.hook }),
    });
    this.deliverer.start();
    this.options.log.info(
      {
        targets: this.config.targets.map((t) => t.name),
        rules: this.config.rules.length,
        routes: this.routes.length,
        peers: this.config.peers.length,
        dryRun: this.config.dryRun,
        signed: secrets.length > 0,
        // Whether tokens are set, never what they are.
        receiverTokens: this.tokens.length,
        adminToken: this.admin.length > 0,
      },
      'failover hooks ready',
    );
  }

  /** Waits for queued work, stops retries (pending intents stay in the outbox), closes files and releases the state dir. */
  async stop(): Promise<void> {
    await this.chain;
    await Promise.allSettled([...this.accepting]);
    await this.deliverer?.stop();
    await this.outbox?.close();
    await this.audit?.close();
    await this.held?.release();
  }

  /** Why hooks cannot take intents now, or undefined when they can. */
  get unavailableReason(): string | undefined {
    return this.unavailable;
  }

  private async openOutbox(stateDir: string, onError: (err: Error) => void): Promise<Outbox> {
    try {
      const outbox = await Outbox.open(stateDir, { onError });
      this.reportQuarantine('outbox', outbox.quarantined);
      return outbox;
    } catch (err) {
      // Polling and /metrics go on; hooks refuse work (503) with the reason until a restart fixes the store.
      this.unavailable = `hook outbox cannot be opened: ${describeFsError(err)}`;
      this.options.log.error({ err, stateDir }, 'hook outbox cannot be opened; failover hooks are unavailable');
      return Outbox.memory();
    }
  }

  private async openAudit(stateDir: string, onError: (err: Error) => void): Promise<AuditLog> {
    try {
      const audit = await AuditLog.open(stateDir, { onError });
      this.reportQuarantine('audit', audit.quarantined);
      return audit;
    } catch (err) {
      // The outbox is the durable record; the trail falls back to memory and says so.
      this.options.log.error({ err, stateDir }, 'hook audit trail cannot be opened; kept in memory only');
      return AuditLog.inMemory();
    }
  }

  private reportQuarantine(file: string, quarantined: { lines: number; copy: string } | undefined): void {
    if (quarantined === undefined) return;
    this.quarantinedLines.set(file, (this.quarantinedLines.get(file) ?? 0) + quarantined.lines);
    this.options.log.error(
      { file, lines: quarantined.lines, copy: quarantined.copy },
      'corrupt lines in the hook store were set aside; going on with every valid record',
    );
  }

  /** Logs an error at most a few times a minute per kind, with the count of those held back. */
  private logError(kind: string, err: unknown, message: string, fields: Record<string, unknown> = {}): void {
    const verdict = this.errorLogs.check(kind, this.now());
    if (!verdict.log) return;
    this.options.log.error(
      { ...fields, err, ...(verdict.suppressedBefore > 0 ? { suppressedBefore: verdict.suppressedBefore } : {}) },
      message,
    );
  }

  /** Bearer tokens accepted on the Alertmanager receiver (and by peers); they allow nothing else. */
  get receiverTokens(): readonly string[] {
    return this.tokens;
  }

  /** The bearer token of ack, pause, resume, reload and hook state reads (empty when none is configured). */
  get adminTokens(): readonly string[] {
    return this.admin;
  }

  /** Evaluates the agent-driven rules after one ensemble's round (queued; never blocks polling). */
  onRound(state: EnsembleState, transitions: readonly Transition[]): void {
    this.enqueue(() => this.evaluate(state, transitions));
  }

  /**
   * Routes a validated Alertmanager payload to hooks and resolves once every new intent is fsynced
   * (concurrent payloads share one fsync), so a 202 sent afterwards survives a crash. Rejects with
   * {@link HookStoreUnavailableError}, or the write error, when the intents are not durable.
   */
  async acceptAlerts(payload: AlertmanagerPayload): Promise<AcceptedAlerts> {
    // Refused alerts were still received: an unavailable store is counted and logged below like a failed write.
    this.alertsReceived += payload.alerts.length;
    const work = this.deliverAlerts(payload);
    this.accepting.add(work);
    try {
      return await work;
    } catch (err) {
      // Answered 5xx (Alertmanager retries), and never silent here either.
      this.processingErrors++;
      this.logError('accept', err, 'alerts not accepted: hook intents could not be written');
      throw err;
    } finally {
      this.accepting.delete(work);
    }
  }

  /** Resolves once everything queued so far is handled (tests and shutdown). */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Clears cooldowns of ensemble+event (optionally one hook) early; audited. */
  acknowledge(request: { ensemble: string; event: AgentHookEvent; hook?: string; by: string; comment?: string }): AckRecord {
    const at = this.now();
    const result = acknowledge(this.rules, { ...request, at });
    this.rules = result.state;
    this.audit.record({
      at,
      type: 'ack',
      ensemble: request.ensemble,
      event: request.event,
      by: request.by,
      detail: request.comment ?? '',
      ...(request.hook ? { hook: request.hook } : {}),
    });
    return result.ack;
  }

  /** Pauses every hook (or those of some ensembles) until resumed or for `forMs`; audited. */
  pause(request: { by: string; reason?: string; forMs?: number; ensembles?: string[] }): PauseState {
    const at = this.now();
    this.pauseState = pause({
      by: request.by,
      at,
      ...(request.forMs !== undefined ? { until: at + request.forMs } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.ensembles ? { ensembles: request.ensembles } : {}),
    });
    this.audit.record({ at, type: 'pause', by: request.by, detail: request.reason ?? '' });
    return this.pauseState;
  }

  /** Ends a pause; audited. */
  resume(request: { by: string }): PauseState {
    const at = this.now();
    this.pauseState = resume({ by: request.by, at });
    this.audit.record({ at, type: 'resume', by: request.by });
    return this.pauseState;
  }

  /** The audit trail, newest last. */
  deliveries(limit: number, filter: { hook?: string; ensemble?: string; type?: AuditEntry['type'] }): AuditEntry[] {
    return this.audit.recent(limit, filter);
  }

  /** Pause state, active cooldowns and delivery counters (no secrets). */
  status(ensembles: readonly string[]): unknown {
    const now = this.now();
    const cooldowns = this.activeCooldowns(now).map((t) => ({
      hook: t.hook,
      ensemble: t.ensemble,
      event: t.event,
      until: t.cooldown!.until,
      idempotencyKey: t.cooldown!.idempotencyKey,
    }));
    const maintenance = ensembles.map((ensemble) => ({ ensemble, ...this.suppressionAt(ensemble, now) }));
    return {
      agentId: this.config.agentId,
      dryRun: this.config.dryRun,
      pause: this.pauseState,
      maintenance,
      cooldowns,
      stats: this.deliverer.stats(),
    };
  }

  /** This agent's view for its peers. */
  peerReport(states: Iterable<EnsembleState>): PeerReport {
    return buildPeerReport(this.config.agentId, states);
  }

  /** Hook metric families, read from memory at scrape time. */
  addFamilies(set: HookFamilySink, ensembles: readonly string[]): void {
    const now = this.now();
    addHookFamilies(set, {
      hooks: this.config.targets.map((t) => t.name),
      stats: this.deliverer.stats(),
      suppressed: this.suppressed,
      cooldownsActive: this.activeCooldowns(now).length,
      maintenance: ensembles.map((ensemble) => ({ ensemble, suppressed: this.suppressionAt(ensemble, now).suppressed })),
      alertsReceived: this.alertsReceived,
      alertDuplicates: this.alertDuplicates,
      processingErrors: this.processingErrors,
      storeAvailable: this.unavailable === undefined,
      quarantinedLines: this.quarantinedLines,
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.processingErrors++;
      this.audit.record({ at: this.now(), type: 'skipped', detail: `hook processing failed: ${(err as Error).message}` });
      this.logError('round', err, 'hook processing failed');
    });
  }

  private activeCooldowns(now: number): Array<RulesState['tracks'][string]> {
    return Object.values(this.rules?.tracks ?? {}).filter((t) => t.cooldown && t.cooldown.until > now);
  }

  private suppressionAt(ensemble: string | undefined, now: number): ReturnType<typeof isSuppressed> {
    return isSuppressed({ windows: this.config.maintenance, pause: this.pauseState, ensemble, now });
  }

  private suppressionGate(ensemble: string | undefined, now: number): GateDecision | undefined {
    const verdict = this.suppressionAt(ensemble, now);
    return verdict.suppressed ? { action: 'suppress', reason: verdict.reason } : undefined;
  }

  private countSuppressed(hook: string): void {
    this.suppressed.set(hook, (this.suppressed.get(hook) ?? 0) + 1);
  }

  private async evaluate(state: EnsembleState, transitions: readonly Transition[]): Promise<void> {
    const now = this.now();
    const base = {
      ensemble: state,
      transitions,
      now,
      firstRound: state.rounds === 1,
      inFlight: (hook: string, prefix: string) => this.deliverer.isInFlight(hook, prefix),
    };
    let peerGate: ((due: DueHook) => GateDecision) | undefined;
    if (this.config.peers.length > 0) {
      // Ask the peers only when something would be sent: a dry evaluation that defers everything tells.
      const probe = evaluateRules(
        this.rules,
        { ...base, gate: (due) => this.suppressionGate(due.ensemble, now) ?? { action: 'defer', reason: PROBE_REASON } },
        this.config.rules,
      );
      if (!peersNeeded(probe)) {
        peerGate = () => ({ action: 'defer', reason: 'no peer views fetched' });
      } else {
        const reports = await fetchPeerViews(this.config.peers, PEER_VIEW_PATH, this.config.peerTimeoutMs, this.tokens[0]);
        peerGate = (due) => {
          const decision = decideWithPeers({
            selfId: this.config.agentId,
            state,
            ensemble: due.ensemble,
            event: due.event,
            reports,
            now,
            maxAgeMs: 3 * this.options.intervalMs,
          });
          this.options.log.debug(
            { hook: due.rule.hook, event: due.event, ensemble: due.ensemble, outcome: decision.outcome, reason: decision.reason },
            'peer decision',
          );
          // takeover: keep deferring while another agent sends, so this one sends (same key) if it drops out.
          return gateFromPeers(decision, true);
        };
      }
    }
    const result = evaluateRules(
      this.rules,
      { ...base, gate: (due) => this.suppressionGate(due.ensemble, now) ?? peerGate?.(due) ?? { action: 'send' } },
      this.config.rules,
    );
    this.rules = result.state;
    for (const consumed of result.consumed) {
      if (consumed.why === 'startup') continue;
      const type = consumed.why === 'suppressed' ? 'suppressed' : 'skipped';
      if (type === 'suppressed') this.countSuppressed(consumed.due.rule.hook);
      this.audit.record({
        at: now,
        type,
        hook: consumed.due.rule.hook,
        event: consumed.due.event,
        ensemble: consumed.due.ensemble,
        idempotencyKey: consumed.due.idempotencyKey,
        detail: consumed.reason,
      });
      this.options.log.info(
        {
          hook: consumed.due.rule.hook,
          event: consumed.due.event,
          ensemble: consumed.due.ensemble,
          why: consumed.why,
          reason: consumed.reason,
        },
        'hook not sent',
      );
    }
    for (const due of result.due) await this.submit(intentForDue(due, state, this.agent, randomUUID(), this.now()));
  }

  private async submit(intent: HookIntent): Promise<boolean> {
    if (this.unavailable !== undefined) throw new HookStoreUnavailableError(this.unavailable);
    const accepted = await this.deliverer.submit(intent);
    this.options.log.info(
      { hook: intent.hook, event: intent.event, ensemble: intent.ensemble, idempotencyKey: intent.idempotencyKey, accepted },
      'hook intent',
    );
    return accepted;
  }

  private async deliverAlerts(payload: AlertmanagerPayload): Promise<AcceptedAlerts> {
    // Refused before routing: nothing (not even a suppression) is recorded for a payload answered 503.
    if (this.unavailable !== undefined) throw new HookStoreUnavailableError(this.unavailable);
    const now = this.now();
    const counts: AcceptedAlerts = { intents: 0, duplicates: 0, suppressed: 0 };
    const intents: HookIntent[] = [];
    for (const routed of routeAlerts(payload, this.routes)) {
      const ensemble = routed.alert.labels.ensemble;
      const suppressed = this.suppressionGate(ensemble, now);
      if (suppressed) {
        this.countSuppressed(routed.route.hook);
        counts.suppressed++;
        this.audit.record({
          at: now,
          type: 'suppressed',
          hook: routed.route.hook,
          event: 'alert',
          idempotencyKey: routed.idempotencyKey,
          detail: suppressed.action === 'suppress' ? suppressed.reason : '',
          ...(ensemble ? { ensemble } : {}),
        });
        continue;
      }
      intents.push(intentForAlert(routed, this.agent, randomUUID(), now));
    }
    if (intents.length === 0) return counts;
    // All submitted together: their journal lines share one write and one fsync. The outbox refuses
    // a hook+key it already holds (pending or done, kept 7 days): that is the duplicate check, across
    // Alertmanager replicas, repeats and agent restarts.
    const added = await this.deliverer.submitAll(intents);
    for (const ok of added) {
      if (ok) counts.intents++;
      else counts.duplicates++;
    }
    // One line per payload, not per alert: a payload of hundreds of alerts must not flood the log.
    this.options.log.info({ intents: counts.intents, duplicates: counts.duplicates, suppressed: counts.suppressed }, 'alert hook intents');
    this.alertDuplicates += counts.duplicates;
    return counts;
  }
}

/** An errno code or a message for a log or HTTP reason; paths are named by the caller. */
function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : (err as Error).message;
}
