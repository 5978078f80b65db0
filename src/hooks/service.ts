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
import { acknowledge, evaluateRules, type AckRecord, type DueHook, type GateDecision, type RulesState } from './decide/rules.js';
import { AuditLog } from './deliver/audit.js';
import { Deliverer } from './deliver/http-delivery.js';
import { Outbox } from './deliver/outbox.js';
import { fetchPeerViews } from './deliver/peer-client.js';
import { loadSecrets, loadToken } from './deliver/secret-files.js';
import { addHookFamilies, type HookFamilySink } from './metrics.js';
import type { AuditEntry, HookIntent } from './types.js';

/** Path peers GET for this agent's own view of its ensembles. */
export const PEER_VIEW_PATH = '/api/v1/hooks/peer-view';

/** A secret or token file that config accepted but that cannot be used (unreadable, empty): a config error. */
export class HookConfigError extends Error {
  override readonly name = 'HookConfigError';
}

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
  private readonly agent: AgentIdentity;
  private outbox!: Outbox;
  private audit!: AuditLog;
  private deliverer!: Deliverer;
  private readonly now: () => number;
  private readonly suppressed = new Map<string, number>();
  private alertsReceived = 0;
  private alertDuplicates = 0;
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
    } catch (err) {
      // The messages name the file, never its content.
      throw new HookConfigError((err as Error).message);
    }
    const stateDir = this.config.stateDir;
    const onError = (err: Error): void => this.options.log.error({ err }, 'hook state write failed');
    this.outbox = stateDir === undefined ? Outbox.memory() : await Outbox.open(stateDir, { onError });
    this.audit = stateDir === undefined ? AuditLog.inMemory() : await AuditLog.open(stateDir, { onError });
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
      onResult: (intent, result) =>
        this.options.log[result === 'delivered' || result === 'dry_run' ? 'info' : 'warn'](
          { hook: intent.hook, event: intent.event, ensemble: intent.ensemble, idempotencyKey: intent.idempotencyKey, result },
          'hook finished',
        ),
      onError: (err, intent) => this.options.log.error({ err, hook: intent.hook }, 'hook delivery bookkeeping failed'),
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
      },
      'failover hooks ready',
    );
  }

  /** Waits for queued work, stops retries (pending intents stay in the outbox) and closes files. */
  async stop(): Promise<void> {
    await this.chain;
    await this.deliverer?.stop();
    await this.outbox?.close();
    await this.audit?.close();
  }

  /** Bearer tokens accepted on the receiver and mutating APIs (empty: those are refused). */
  get receiverTokens(): readonly string[] {
    return this.tokens;
  }

  /** Evaluates the agent-driven rules after one ensemble's round (queued; never blocks polling). */
  onRound(state: EnsembleState, transitions: readonly Transition[]): void {
    this.enqueue(() => this.evaluate(state, transitions));
  }

  /** Routes a validated Alertmanager payload to hooks (queued: the HTTP answer does not wait). */
  onAlerts(payload: AlertmanagerPayload): void {
    this.alertsReceived += payload.alerts.length;
    this.enqueue(() => this.deliverAlerts(payload));
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
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => this.options.log.error({ err }, 'hook processing failed'));
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
    const accepted = await this.deliverer.submit(intent);
    this.options.log.info(
      { hook: intent.hook, event: intent.event, ensemble: intent.ensemble, idempotencyKey: intent.idempotencyKey, accepted },
      'hook intent',
    );
    return accepted;
  }

  private async deliverAlerts(payload: AlertmanagerPayload): Promise<void> {
    const now = this.now();
    for (const routed of routeAlerts(payload, this.routes)) {
      const ensemble = routed.alert.labels.ensemble;
      const suppressed = this.suppressionGate(ensemble, now);
      if (suppressed) {
        this.countSuppressed(routed.route.hook);
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
      // The outbox refuses a hook+key it already holds (pending or done, kept 7 days): that is the
      // duplicate check, across Alertmanager replicas, repeats and agent restarts.
      if (!(await this.submit(intentForAlert(routed, this.agent, randomUUID(), now)))) this.alertDuplicates++;
    }
  }
}
