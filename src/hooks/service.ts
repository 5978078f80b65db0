import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { HooksConfig } from '../config/types.js';
import type { EnsembleState, Transition } from '../ensemble/types.js';
import type { FamilySet } from '../metrics/family.js';
import { compileRoute, routeAlerts, type AlertmanagerPayload, type AlertRoute } from './alertmanager.js';
import { AuditLog } from './audit.js';
import { loadToken } from './auth.js';
import { Deliverer } from './delivery.js';
import { isSuppressed, NOT_PAUSED, parseWindow, pause, resume, type MaintenanceWindow, type PauseState } from './maintenance.js';
import { Outbox } from './outbox.js';
import { fetchPeerViews, type PeerFetchResult } from './peer-client.js';
import { buildPeerReport, decideAsPeer, gateFromPeers, viewFromReport, viewOf, type PeerReport } from './peers.js';
import { acknowledge, evaluateRules, type AckRecord, type AgentEvent, type DueHook, type GateDecision, type RulesState } from './rules.js';
import { loadSecrets } from './signing.js';
import type { AuditEntry, HookIntent, HookPayload } from './types.js';

/** Path peers GET for this agent's own view of its ensembles. */
export const PEER_VIEW_PATH = '/api/v1/hooks/peer-view';
/** How many recent transitions a hook payload carries. */
const PAYLOAD_TRANSITIONS = 20;

/** A hook setting that passed validation but cannot be used (an unreadable secret or token file): a config error. */
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
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/**
 * Failover hooks at run time: evaluates agent-driven rules after each round, takes Alertmanager
 * alerts, applies maintenance/pause and the peers' majority, and hands intents to the durable
 * outbox and deliverer. Decisions live in the pure modules it calls (rules, maintenance, peers,
 * alertmanager); this class only does the I/O around them.
 */
export class HookService {
  private rules: RulesState | undefined;
  private pauseState: PauseState = NOT_PAUSED;
  private readonly windows: MaintenanceWindow[] = [];
  private readonly routes: AlertRoute[] = [];
  private readonly tokens: string[] = [];
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
  }

  private get config(): HooksConfig {
    return this.options.config;
  }

  /** Loads secrets and tokens, opens the outbox and audit trail, and resumes pending deliveries. Throws on unreadable files. */
  async start(): Promise<void> {
    const env = this.options.env ?? process.env;
    const secretEnv = env.ZK_EXPORTER_HOOK_SECRETS;
    let secrets: string[];
    try {
      secrets = loadSecrets(secretEnv === undefined || secretEnv === '' ? { files: this.config.secretFiles } : { env: secretEnv, files: this.config.secretFiles });
      for (const file of this.config.receiverTokenFiles) this.tokens.push(loadToken(file));
    } catch (err) {
      // The messages name the file, never its content.
      throw new HookConfigError((err as Error).message);
    }
    for (const window of this.config.maintenance) {
      const parsed = parseWindow(window.timezone === undefined ? { cron: window.cron, durationMs: window.durationMs, ...(window.ensembles ? { ensembles: window.ensembles } : {}) } : window, new Date(this.now()));
      if (!parsed.ok) throw new HookConfigError(`maintenance window "${window.cron}": ${parsed.reason}`);
      this.windows.push(parsed.window);
    }
    for (const route of this.config.alertRoutes) {
      const compiled = compileRoute(route);
      if (!compiled.ok) throw new HookConfigError(`alert route for ${route.hook}: ${compiled.reasons.join('; ')}`);
      this.routes.push(compiled.route);
    }
    const stateDir = this.config.stateDir;
    const onError = (err: Error): void => this.options.log.error({ err }, 'hook state write failed');
    this.outbox = stateDir === undefined ? Outbox.memory() : await Outbox.open(stateDir, { onError });
    this.audit = stateDir === undefined ? AuditLog.inMemory() : await AuditLog.open(stateDir, { onError });
    if (this.outbox.recovered > 0 || this.outbox.tornBytes > 0) {
      this.options.log.warn({ pending: this.outbox.pending().length, tornBytes: this.outbox.tornBytes }, 'hook outbox recovered after an unclean stop');
    }
    const failpoint = env.ZK_EXPORTER_FAILPOINT;
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
      // Crash-recovery tests kill the agent exactly at these points; never set in production.
      ...(failpoint ? { failpoint: (point) => point === failpoint && process.kill(process.pid, 'SIGKILL') } : {}),
    });
    this.deliverer.start();
    this.options.log.info(
      { targets: this.config.targets.map((t) => t.name), rules: this.config.rules.length, routes: this.routes.length, peers: this.config.peers.length, dryRun: this.config.dryRun, signed: secrets.length > 0 },
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
  acknowledge(request: { ensemble: string; event: AgentEvent; hook?: string; by: string; comment?: string }): AckRecord {
    const at = this.now();
    const result = acknowledge(this.rules ?? { version: 1, tracks: {} }, { ...request, at });
    this.rules = result.state;
    this.record({ at, type: 'ack', ensemble: request.ensemble, event: request.event, by: request.by, detail: request.comment ?? '', ...(request.hook ? { hook: request.hook } : {}) });
    return result.ack;
  }

  /** Pauses every hook (or those of some ensembles) until resumed or `until`; audited. */
  pause(request: { by: string; reason?: string; untilMs?: number; ensembles?: string[] }): PauseState {
    const at = this.now();
    this.pauseState = pause({ by: request.by, at, ...(request.untilMs !== undefined ? { until: request.untilMs } : {}), ...(request.reason ? { reason: request.reason } : {}), ...(request.ensembles ? { ensembles: request.ensembles } : {}) });
    this.record({ at, type: 'pause', by: request.by, detail: request.reason ?? '' });
    return this.pauseState;
  }

  /** Ends a pause; audited. */
  resume(request: { by: string }): PauseState {
    const at = this.now();
    this.pauseState = resume({ by: request.by, at });
    this.record({ at, type: 'resume', by: request.by });
    return this.pauseState;
  }

  /** The audit trail, newest last. */
  deliveries(limit: number, filter: { hook?: string; ensemble?: string; type?: AuditEntry['type'] }): AuditEntry[] {
    return this.audit.recent(limit, filter);
  }

  /** Pause state, active cooldowns and delivery counters (no secrets). */
  status(ensembles: readonly string[]): unknown {
    const now = this.now();
    const cooldowns = Object.values(this.rules?.tracks ?? {})
      .filter((t) => t.cooldown && t.cooldown.until > now)
      .map((t) => ({ hook: t.hook, ensemble: t.ensemble, event: t.event, until: t.cooldown!.until, idempotencyKey: t.cooldown!.idempotencyKey }));
    const maintenance = ensembles.map((ensemble) => ({ ensemble, ...isSuppressed({ windows: this.windows, pause: this.pauseState, ensemble, now }) }));
    return { agentId: this.config.agentId, dryRun: this.config.dryRun, pause: this.pauseState, maintenance, cooldowns, stats: this.deliverer.stats() };
  }

  /** This agent's view for its peers. */
  peerReport(states: Iterable<EnsembleState>): PeerReport {
    return buildPeerReport(this.config.agentId, states);
  }

  /** Hook metric families, read from memory at scrape time. */
  addFamilies(set: FamilySet, ensembles: readonly string[]): void {
    const stats = this.deliverer.stats();
    const now = this.now();
    const deliveries = set.family('zookeeper_hook_deliveries_total', 'Hook intents finished, by hook and result (delivered, rejected, dead_lettered, suppressed, dry_run).', 'counter');
    const queue = set.family('zookeeper_hook_queue_depth', 'Hook intents waiting for a slot or for their next retry.', 'gauge');
    const inFlight = set.family('zookeeper_hook_in_flight', 'Hook requests in flight.', 'gauge');
    for (const target of this.config.targets) {
      const results = stats.results[target.name];
      for (const [result, count] of Object.entries(results ?? {})) {
        deliveries.add(result === 'suppressed' ? (this.suppressed.get(target.name) ?? 0) : count, { hook: target.name, result });
      }
      queue.add(stats.queueDepth[target.name] ?? 0, { hook: target.name });
      inFlight.add(stats.inFlight[target.name] ?? 0, { hook: target.name });
    }
    set.family('zookeeper_hook_oldest_pending_age_seconds', 'Age of the oldest hook intent not yet finished (0 when none).', 'gauge').add((stats.oldestPendingAgeMs ?? 0) / 1000, {});
    set.family('zookeeper_hook_dead_letters_total', 'Hook intents given up after their maximum age.', 'counter').add(stats.deadLetters, {});
    const cooldowns = Object.values(this.rules?.tracks ?? {}).filter((t) => t.cooldown && t.cooldown.until > now).length;
    set.family('zookeeper_hook_cooldowns_active', 'Hook+ensemble+event cooldowns currently running.', 'gauge').add(cooldowns, {});
    const maintenance = set.family('zookeeper_hook_maintenance_active', '1 while hooks of the ensemble are suppressed by a maintenance window or a pause.', 'gauge');
    for (const ensemble of ensembles) {
      maintenance.add(isSuppressed({ windows: this.windows, pause: this.pauseState, ensemble, now }).suppressed ? 1 : 0, { ensemble });
    }
    set.family('zookeeper_hook_alerts_received_total', 'Alerts received from Alertmanager.', 'counter').add(this.alertsReceived, {});
    set.family('zookeeper_hook_alert_duplicates_total', 'Alert deliveries dropped as duplicates (same fingerprint, startsAt and status).', 'counter').add(this.alertDuplicates, {});
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => this.options.log.error({ err }, 'hook processing failed'));
  }

  private record(entry: AuditEntry): void {
    this.audit.record(entry);
  }

  private suppression(ensemble: string | undefined, now: number): GateDecision | undefined {
    const verdict = isSuppressed({ windows: this.windows, pause: this.pauseState, ensemble, now });
    return verdict.suppressed ? { action: 'suppress', reason: verdict.reason } : undefined;
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
      const probe = evaluateRules(this.rules, { ...base, gate: (due) => this.suppression(due.ensemble, now) ?? { action: 'defer', reason: 'probe' } }, this.config.rules);
      const candidates = probe.held.filter((h) => h.why === 'deferred' && h.reason === 'probe');
      if (candidates.length === 0 && probe.due.length === 0) {
        peerGate = () => ({ action: 'defer', reason: 'no peer views fetched' });
      } else {
        const reports = await fetchPeerViews(this.config.peers, PEER_VIEW_PATH, this.config.peerTimeoutMs, this.tokens[0]);
        peerGate = (due) => this.peerDecision(due, state, reports, now);
      }
    }
    const result = evaluateRules(
      this.rules,
      { ...base, gate: (due) => this.suppression(due.ensemble, now) ?? peerGate?.(due) ?? { action: 'send' } },
      this.config.rules,
    );
    this.rules = result.state;
    for (const consumed of result.consumed) {
      if (consumed.why === 'startup') continue;
      const type = consumed.why === 'suppressed' ? 'suppressed' : 'skipped';
      if (type === 'suppressed') this.suppressed.set(consumed.due.rule.hook, (this.suppressed.get(consumed.due.rule.hook) ?? 0) + 1);
      this.record({ at: now, type, hook: consumed.due.rule.hook, event: consumed.due.event, ensemble: consumed.due.ensemble, idempotencyKey: consumed.due.idempotencyKey, detail: consumed.reason });
      this.options.log.info({ hook: consumed.due.rule.hook, event: consumed.due.event, ensemble: consumed.due.ensemble, why: consumed.why, reason: consumed.reason }, 'hook not sent');
    }
    for (const due of result.due) await this.submit(this.intentFor(due, state));
  }

  private peerDecision(due: DueHook, state: EnsembleState, reports: readonly PeerFetchResult[], now: number): GateDecision {
    const decision = decideAsPeer({
      selfId: this.config.agentId,
      selfRank: 0,
      selfView: viewOf(state, due.event),
      peerViews: reports.map((r) => ({
        id: r.report?.agentId ?? r.url,
        rank: 0,
        view: viewFromReport(r.report, due.ensemble, due.event, { now, maxAgeMs: 3 * this.options.intervalMs }),
      })),
      totalAgents: this.config.peers.length + 1,
    });
    this.options.log.debug({ hook: due.rule.hook, event: due.event, ensemble: due.ensemble, outcome: decision.outcome, reason: decision.reason }, 'peer decision');
    // takeover: keep deferring while another agent sends, so this one sends (same key) if it drops out.
    return gateFromPeers(decision, true);
  }

  private intentFor(due: DueHook, state: EnsembleState): HookIntent {
    const payload: HookPayload = {
      event: due.event,
      idempotencyKey: due.idempotencyKey,
      ensemble: state.name,
      quorum: state.quorum,
      margin: state.margin,
      nodes: state.nodes.map((n) => ({ server: n.server, role: n.role, ...(n.serverId !== undefined ? { serverId: n.serverId } : {}), ...(n.reason ? { reason: n.reason } : {}) })),
      transitions: state.timeline.slice(-PAYLOAD_TRANSITIONS),
      agent: { id: this.config.agentId, version: this.options.agentVersion },
      triggeredAt: due.triggeredAt,
    };
    const leader = state.leader ?? state.lastKnownLeader;
    if (leader) payload.leader = { server: leader.server, epoch: leader.epoch, ...(leader.serverId !== undefined ? { serverId: leader.serverId } : {}) };
    return { id: randomUUID(), idempotencyKey: due.idempotencyKey, hook: due.rule.hook, event: due.event, ensemble: state.name, createdAt: this.now(), payload };
  }

  private async submit(intent: HookIntent): Promise<boolean> {
    const accepted = await this.deliverer.submit(intent);
    this.options.log.info({ hook: intent.hook, event: intent.event, ensemble: intent.ensemble, idempotencyKey: intent.idempotencyKey, accepted }, 'hook intent');
    return accepted;
  }

  private async deliverAlerts(payload: AlertmanagerPayload): Promise<void> {
    const now = this.now();
    for (const routed of routeAlerts(payload, this.routes)) {
      const ensemble = routed.alert.labels.ensemble;
      const suppressed = this.suppression(ensemble, now);
      if (suppressed) {
        this.suppressed.set(routed.route.hook, (this.suppressed.get(routed.route.hook) ?? 0) + 1);
        this.record({ at: now, type: 'suppressed', hook: routed.route.hook, event: 'alert', idempotencyKey: routed.idempotencyKey, detail: suppressed.action === 'suppress' ? suppressed.reason : '', ...(ensemble ? { ensemble } : {}) });
        continue;
      }
      const startsAt = Date.parse(routed.alert.startsAt);
      const intent: HookIntent = {
        id: randomUUID(),
        idempotencyKey: routed.idempotencyKey,
        hook: routed.route.hook,
        event: 'alert',
        createdAt: now,
        payload: {
          event: 'alert',
          idempotencyKey: routed.idempotencyKey,
          alert: routed.alert,
          agent: { id: this.config.agentId, version: this.options.agentVersion },
          triggeredAt: Number.isNaN(startsAt) ? now : startsAt,
          ...(ensemble ? { ensemble } : {}),
        },
        ...(ensemble ? { ensemble } : {}),
      };
      // The outbox refuses a hook+key it already holds (pending or done, kept 7 days): that is the
      // duplicate check, across Alertmanager replicas, repeats and agent restarts.
      if (!(await this.submit(intent))) this.alertDuplicates++;
    }
  }
}
