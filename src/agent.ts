import type http from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentConfig, EnsembleConfig } from './config/types.js';
import { deriveEnsemble } from './ensemble/derive.js';
import { DERIVED_MNTR_KEYS } from './ensemble/nodes.js';
import { DEFAULT_TIMELINE_LIMIT } from './ensemble/timeline.js';
import type { EnsembleState, Transition } from './ensemble/types.js';
import { createApp, createRouterApp } from './http/app.js';
import { adminGuard, createHookRouter, markWebUser, type AdminAccess } from './http/hooks-routes.js';
import { createStatusPageRouter, StatusFeed } from './http/status-page.js';
import { createProbeRouter } from './http/probe.js';
import { ProbePoller } from './http/probe-poll.js';
import { HookService } from './hooks/service.js';
import { AGENT_VERSION, AgentMetrics } from './metrics/agent-metrics.js';
import { addDabealuFamilies, dabealuOptions } from './metrics/compat-dabealu.js';
import { addEnsembleFamilies } from './metrics/ensemble-families.js';
import { PollScheduler, type RoundStats } from './poll/scheduler.js';
import type { NodeSample } from './commands/index.js';
import { NodeStore, type OutcomeChange } from './state/store.js';
import { mntrSelectionOf } from './commands/mntr-budget.js';
import { applyCanaryRound } from './ensemble/writes.js';
import { addCanaryFamilies } from './metrics/canary-families.js';
import { CanaryMetrics } from './metrics/canary-metrics.js';
import { serverLabel } from './model/target.js';
import { readCanaryCredentials } from './zk/canary-auth.js';
import { CanaryRunner, type CanaryEnsembleOptions } from './zk/canary-runner.js';
import type { CanaryRound } from './zk/canary-types.js';
import { TlsFileError, withZkTls } from './zk/tls-files.js';
import { createReloadRouter, dropEnsembleSeries, reloadConfig, type ReloadOutcome } from './agent-reconfigure.js';
import type { ConfigDiff } from './config/diff.js';
import type { LoadResult } from './config/load.js';
import { AlertPushService } from './alerting/service.js';
import { defaultExternalUrl } from './alerting/urls.js';
import express from 'express';
import type client from 'prom-client';
import { checkAuthorization } from './hooks/auth.js';
import { BasicAuthChecker, basicAuth, parseBasic } from './http/basic-auth.js';
import { createListener } from './http/server.js';
import { loadWebConfig, type WebSecurity } from './http/web-config-files.js';
import { registerTlsInsecure } from './zk/tls-metrics.js';

/**
 * Wiring of one running agent: scheduler → node store → ensemble derivation → metrics and HTTP.
 * Holds no decision logic of its own.
 */
export class Agent {
  readonly store: NodeStore;
  readonly states = new Map<string, EnsembleState>();
  readonly metrics: AgentMetrics;
  private readonly scheduler: PollScheduler;
  readonly hooks: HookService | undefined;
  private readonly servers: http.Server[] = [];
  /** TLS and basic auth of every listener, from `--web.config.file`. */
  private readonly web: WebSecurity | undefined;
  /** Pushes each derived ensemble to open status pages. */
  private readonly feed: StatusFeed;
  private firstRoundDone = false;
  private canary: CanaryRunner | undefined;
  /** Pushes this agent's own ensemble alerts to Alertmanager; set at start when URLs are configured. */
  private alertPush: AlertPushService | undefined;
  private readonly canaryMetrics: CanaryMetrics;
  /** Each ensemble's latest canary round, applied again to a state that was first derived after it. */
  private readonly canaryRounds = new Map<string, CanaryRound>();
  /** The config running now: the one given at start, then each applied reload's. */
  private running: AgentConfig;
  /** Port the main listener bound, for the canary's agent id when a reload restarts it. */
  private listenPort: number | undefined;
  /** Canary runners a reload replaced, still closing their sessions. */
  private readonly retiredCanaries = new Set<Promise<void>>();

  constructor(
    config: AgentConfig,
    private readonly log: Logger,
    /** Signing secrets from the environment (`ZK_EXPORTER_HOOK_SECRETS`), kept out of the config so it is never printed. */
    hookSecretsFromEnv?: string,
    /** Loads the config again (file, env, flags as at start), for SIGHUP and `POST /-/reload`; without it there is no reload. */
    private readonly loadAgain?: () => LoadResult,
  ) {
    this.running = config;
    const dabealu = dabealuOptions(config.compat);
    // Read at each round, so a reload's new `mntrSeries` applies from the next round on.
    this.store = new NodeStore(dabealu !== undefined, (name) =>
      mntrSelectionOf(this.config.ensembles.find((e) => e.name === name)?.mntrSeries),
    );
    this.metrics = new AgentMetrics(
      (set) => {
        addEnsembleFamilies(set, [...this.states.values()]);
        addCanaryFamilies(set, [...this.states.values()]);
        if (dabealu) addDabealuFamilies(set, this.store.all(), dabealu);
        this.hooks?.addFamilies(
          set,
          this.config.ensembles.map((e) => e.name),
        );
      },
      // Per-node families lead, through the metrics' text cache (written as each ensemble's round ends).
      { runtime: true, nodes: () => this.store.all() },
    );
    this.feed = new StatusFeed(
      // The page reads deliveries from the hooks API only when it is served on the same listener.
      {
        version: AGENT_VERSION,
        intervalMs: config.intervalMs,
        timelineLimit: DEFAULT_TIMELINE_LIMIT,
        hooks: config.hooks !== undefined && config.hooks.adminListen === undefined,
      },
      () => this.states.values(),
    );
    this.canaryMetrics = new CanaryMetrics(this.metrics.registry);
    this.metrics.configLastReloadSuccessful.set(1);
    this.metrics.configLastReloadSuccessTimestamp.set(Date.now() / 1000);
    if (config.hooks) {
      this.hooks = new HookService({
        config: config.hooks,
        log: log.child({ module: 'hooks' }),
        agentVersion: AGENT_VERSION,
        intervalMs: config.intervalMs,
        secretsFromEnv: hookSecretsFromEnv,
      });
    }
    // The web config and its files are read here, once: a bad one stops the start (WebConfigError).
    this.web = config.webConfigFile === undefined ? undefined : loadWebConfig(config.webConfigFile);
    // TLS files are read here, once: a missing or unusable one stops the start (TlsFileError).
    const polled = withZkTls(config);
    this.updateTlsInsecure(config);
    this.scheduler = new PollScheduler(
      polled,
      {
        onEnsemble: (ensemble, samples, now) => this.onEnsemble(ensemble, samples, now),
        onRoundEnd: (stats) => this.onRoundEnd(stats),
        onOverrun: (ensemble) => {
          this.metrics.roundsOverrun.inc();
          this.log.warn(
            { ensemble, intervalMs: config.intervalMs },
            'poll round of one ensemble outlasted the interval; its next round starts late',
          );
        },
        onError: (err) => this.log.error({ err }, 'poll round failed'),
      },
      Date.now,
      // The dabealu series are written from every mntr entry, carried ones included.
      dabealu === undefined ? Object.values(DERIVED_MNTR_KEYS) : undefined,
    );
  }

  /** The config running now. */
  get config(): AgentConfig {
    return this.running;
  }

  /** Loads the config again and applies it when good, else keeps the running one (see `agent-reconfigure.ts`). */
  reload(): ReloadOutcome {
    if (this.loadAgain === undefined)
      return { ok: false, problems: ['config error: reload: this agent was started without a config source'] };
    return reloadConfig(this, this.loadAgain, this.log);
  }

  /**
   * Applies a checked config: removed ensembles stop being polled and lose their state and series;
   * added ones start; changed ones restart with fresh state; the others go on untouched. Files
   * (TLS, canary credentials) are read first: when one is unusable nothing changes and its problem
   * is returned.
   */
  reconfigure(config: AgentConfig, diff: ConfigDiff): string[] {
    let polled: AgentConfig;
    let canaries: CanaryEnsembleOptions[];
    try {
      polled = withZkTls(config);
      canaries = canaryOptions(config);
    } catch (err) {
      if (err instanceof TlsFileError) return [`config error: ${err.path}: ${err.reason}`];
      return [`config error: canary: ${(err as Error).message}`];
    }
    const previous = this.running;
    this.running = config;
    const reset = new Set([...diff.removed, ...diff.changed.map((e) => e.name)]);
    for (const name of reset) {
      this.states.delete(name);
      this.canaryRounds.delete(name);
      this.store.forgetEnsemble(name);
    }
    void dropEnsembleSeries(this.metrics.registry, reset, ['zookeeper_exporter_tls_insecure']).catch((err: unknown) =>
      this.log.error({ err }, 'could not drop the series of a removed ensemble'),
    );
    this.scheduler.reconfigure(
      polled,
      diff.changed.map((e) => e.name),
    );
    this.log.level = config.log.level;
    this.updateTlsInsecure(config);
    const canaryChanged = [...reset, ...diff.added.map((e) => e.name)].some(
      (name) => config.ensembles.some((e) => e.name === name && e.canary) || previous.ensembles.some((e) => e.name === name && e.canary),
    );
    if (canaryChanged && this.listenPort !== undefined) {
      const old = this.canary;
      this.canary = undefined;
      if (old) {
        const stopping = old.stop().finally(() => this.retiredCanaries.delete(stopping));
        this.retiredCanaries.add(stopping);
      }
      this.startCanary(this.listenPort, canaries);
    }
    return [];
  }

  /** `zookeeper_exporter_tls_insecure{ensemble} 1` for each configured ensemble that skips verification, warned about once per (re)load. */
  private updateTlsInsecure(config: AgentConfig): void {
    const insecure = config.ensembles.filter((e) => e.tls?.insecureSkipVerify).map((e) => e.name);
    const existing = this.metrics.registry.getSingleMetric('zookeeper_exporter_tls_insecure') as client.Gauge | undefined;
    if (existing) existing.reset();
    if (insecure.length === 0) return;
    if (existing) for (const ensemble of insecure) existing.set({ ensemble }, 1);
    else registerTlsInsecure(this.metrics.registry, insecure);
    this.log.warn({ ensembles: insecure }, 'TLS certificates of these ensembles are not verified (insecureSkipVerify)');
  }

  /** True once the first round has finished. */
  get ready(): boolean {
    return this.firstRoundDone;
  }

  /** Starts hooks (outbox recovery), the HTTP server(s), then polling. Resolves with the main bound address. */
  async start(): Promise<AddressInfo> {
    await this.hooks?.start();
    const hookRouter = this.hooks
      ? createHookRouter({
          hooks: this.hooks,
          maxBodyBytes: this.config.hooks!.maxBodyBytes,
          states: () => this.states.values(),
          ensembleNames: () => this.config.ensembles.map((e) => e.name),
          webUsers: (this.web?.basicAuthUsers.size ?? 0) > 0,
        })
      : undefined;
    const adminListen = this.config.hooks?.adminListen;
    const app = createApp(
      {
        renderMetrics: (options) => this.metrics.body(options?.gzip === true),
        metricsContentType: this.metrics.contentType,
        ready: () => this.firstRoundDone,
        ensembles: () => [...this.states.values()],
        ensemble: (name) => this.states.get(name),
        ensembleNames: () => this.config.ensembles.map((e) => e.name),
      },
      [
        createStatusPageRouter(this.feed),
        this.probeRouter(),
        // Reload takes the admin credentials: open only while no credential of any kind is configured.
        ...(this.loadAgain
          ? [
              express.Router().post(
                '/-/reload',
                adminGuard(() => this.adminAccess(), 'no_auth'),
              ),
              createReloadRouter(() => this.reload()),
            ]
          : []),
        ...(hookRouter && !adminListen ? [hookRouter] : []),
      ],
    );
    const address = await this.listen(app, this.config.listen);
    this.listenPort = address.port;
    if (hookRouter && adminListen) {
      const admin = await this.listen(createRouterApp([hookRouter]), adminListen);
      this.log.info({ listen: `${admin.address}:${admin.port}` }, 'hooks API and Alertmanager receiver listening');
    }
    this.log.info(
      {
        listen: `${address.address}:${address.port}`,
        ensembles: this.config.ensembles.map((e) => e.name),
        intervalMs: this.config.intervalMs,
        tls: this.web?.tls !== undefined,
        basicAuth: (this.web?.basicAuthUsers.size ?? 0) > 0,
      },
      'agent listening',
    );
    this.startAlertPush(address.port);
    this.startCanary(address.port, canaryOptions(this.config));
    this.scheduler.start();
    return address;
  }

  /** Stops polling (waiting for the round in flight), then hooks, then closes the HTTP servers. */
  async stop(): Promise<void> {
    await Promise.all([this.scheduler.stop(), this.canary?.stop(), ...this.retiredCanaries]);
    await Promise.all([this.hooks?.stop(), this.alertPush?.stop()]);
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private async listen(app: http.RequestListener, at: { host: string; port: number }): Promise<AddressInfo> {
    const server = createListener(this.secured(app), this.web?.tls);
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Who may use the admin routes (ack, pause, resume, reload, hook state reads). */
  private adminAccess(): AdminAccess {
    return {
      adminTokens: this.hooks?.adminTokens ?? [],
      receiverTokens: this.hooks?.receiverTokens ?? [],
      webUsers: (this.web?.basicAuthUsers.size ?? 0) > 0,
    };
  }

  /** `app` behind the web config's basic auth, when it has users. */
  private secured(app: http.RequestListener): http.RequestListener {
    const users = this.web?.basicAuthUsers;
    if (users === undefined || users.size === 0) return app;
    const hooks = this.hooks;
    // The receiver and the hooks API keep their own bearer token: Alertmanager sends one Authorization header.
    // Either token passes here; each route then checks its own scope (a receiver token on ack gets 403).
    const bearerAccepted = (req: express.Request): boolean =>
      hooks !== undefined &&
      /^\/(api\/v1\/(alertmanager|hooks\/)|-\/reload$)/.test(req.path) &&
      checkAuthorization(req.get('authorization'), { bearer: [...hooks.receiverTokens, ...hooks.adminTokens] });
    const outer = express();
    outer.disable('x-powered-by');
    outer.use(basicAuth(new BasicAuthChecker(users), bearerAccepted));
    // Basic credentials reaching this point were verified above: the admin routes accept the user.
    outer.use((req, _res, next) => {
      if (parseBasic(req.get('authorization')) !== undefined) markWebUser(req);
      next();
    });
    outer.use(app as express.RequestHandler);
    return outer;
  }

  private onEnsemble(ensemble: EnsembleConfig, samples: NodeSample[], now: number): void {
    for (const change of this.store.record(samples, now)) this.logOutcomeChange(change);
    const derived = deriveEnsemble(this.states.get(ensemble.name), ensemble, samples, now);
    let { state } = derived;
    const transitions = [...derived.transitions];
    const round = this.canaryRounds.get(ensemble.name);
    if (round && state.canary?.lastRoundAt !== round.finishedAt) {
      const applied = applyCanaryRound(state, round);
      state = applied.state;
      transitions.push(...applied.transitions);
    }
    this.states.set(ensemble.name, state);
    for (const transition of transitions) this.onTransition(transition);
    this.hooks?.onRound(state, transitions);
    this.alertPush?.onRound(state, now);
    this.feed.publish(state);
  }

  /** `/probe`: polls the nodes a request names through the scheduler's limiter; never touches this agent's state. */
  private probeRouter(): ReturnType<typeof createProbeRouter> {
    const poller = new ProbePoller(
      { limiter: this.scheduler.limiter, timeoutMs: this.config.timeoutMs, maxReplyBytes: this.config.maxReplyBytes },
      this.config.concurrency,
    );
    return createProbeRouter({
      poll: (ensemble, targets, deadline) => poller.poll(ensemble, targets, deadline),
      contentType: this.metrics.contentType,
    });
  }

  /** Starts the write canary of the ensembles that have one (at start, and again when a reload changes them). */
  private startCanary(listenPort: number, ensembles: CanaryEnsembleOptions[]): void {
    if (ensembles.length === 0) return;
    this.canary = new CanaryRunner({
      agentId: this.config.hooks?.agentId ?? `${hostname()}:${listenPort}`,
      ensembles,
      onRound: (round) => this.onCanaryRound(round),
      onError: (err) => this.log.error({ err }, 'canary round listener failed'),
    });
    this.canary.start();
    this.log.info({ ensembles: ensembles.map((e) => e.ensemble) }, 'write canary started');
  }

  // A canary round updates the ensemble at once, not at the next poll round: a stall is then
  // visible one canary timeout after the round started.
  private onCanaryRound(round: CanaryRound): void {
    // A round of a runner a reload is replacing, for an ensemble that no longer has a canary.
    if (!this.config.ensembles.some((e) => e.name === round.ensemble && e.canary)) return;
    this.canaryMetrics.observe(round);
    this.canaryRounds.set(round.ensemble, round);
    const previous = this.states.get(round.ensemble);
    if (!previous) return;
    const { state, transitions } = applyCanaryRound(previous, round);
    this.states.set(round.ensemble, state);
    // Hooks read the writes_stalled condition from the state at the next poll round: they are
    // driven once per poll round, not per canary round.
    for (const transition of transitions) this.onTransition(transition);
    // Alertmanager hears of a write stall at once, not a poll round later.
    this.alertPush?.onRound(state, round.finishedAt);
    this.feed.publish(state);
  }

  /** Starts the Alertmanager push when URLs are configured; its links need the bound listen port. */
  private startAlertPush(listenPort: number): void {
    const am = this.config.alertmanager;
    if (am === undefined || am.urls.length === 0) return;
    this.alertPush = new AlertPushService({
      urls: am.urls,
      timeoutMs: am.timeoutMs,
      resendIntervalMs: am.resendIntervalMs,
      externalUrl: am.externalUrl ?? defaultExternalUrl(this.config.listen.host, listenPort, this.web?.tls !== undefined, hostname()),
      agentId: this.config.hooks?.agentId ?? `${hostname()}:${listenPort}`,
      log: this.log.child({ module: 'alertmanager' }),
      registry: this.metrics.registry,
    });
    this.log.info({ alertmanagers: am.urls.length, resendIntervalMs: am.resendIntervalMs }, 'Alertmanager push started');
  }

  private onTransition(transition: Transition): void {
    if (transition.kind === 'election_ended' && !transition.startedAtStartup) {
      this.metrics.electionDuration.observe({ ensemble: transition.ensemble }, transition.durationMs / 1000);
    }
    const level =
      transition.kind === 'split_brain' || transition.kind === 'quorum_state_changed' || transition.kind === 'writes_stalled'
        ? 'warn'
        : 'info';
    this.log[level]({ transition }, `ensemble ${transition.kind}`);
  }

  private onRoundEnd(stats: RoundStats): void {
    this.metrics.roundsTotal.inc();
    this.metrics.roundDuration.observe((stats.finishedAt - stats.startedAt) / 1000);
    this.metrics.lastRoundTimestamp.set(stats.finishedAt / 1000);
    if (!this.firstRoundDone && stats.allPolled) {
      this.firstRoundDone = true;
      this.log.info({ durationMs: stats.finishedAt - stats.startedAt, nodes: stats.nodes }, 'first poll round done');
    }
  }

  // Logged once per change of a node × command's result, not every round.
  private logOutcomeChange(change: OutcomeChange): void {
    const fields = {
      ensemble: change.ensemble,
      server: change.server,
      command: change.command,
      from: change.from,
      to: change.to,
      detail: change.detail,
    };
    // The first success of each node × command is routine: 3,000 info lines at start-up help nobody.
    if (change.to === 'ok') this.log[change.from === undefined ? 'debug' : 'info'](fields, 'poll result changed');
    else this.log.warn(fields, 'poll result changed');
  }
}

/** The canary settings of every ensemble that has one; credentials files are read here (an unreadable one throws). */
function canaryOptions(config: AgentConfig): CanaryEnsembleOptions[] {
  return config.ensembles.flatMap((e): CanaryEnsembleOptions[] =>
    e.canary
      ? [
          {
            ensemble: e.name,
            servers: e.servers.map(serverLabel),
            path: e.canary.path,
            intervalMs: e.canary.intervalMs ?? config.intervalMs,
            timeoutMs: e.canary.timeoutMs,
            ...(e.canary.chroot ? { chroot: e.canary.chroot } : {}),
            ...(e.canary.authFile ? { credentials: readCanaryCredentials(e.canary.authFile) } : {}),
          },
        ]
      : [],
  );
}
