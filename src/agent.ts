import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentConfig, EnsembleConfig } from './config/types.js';
import { deriveEnsemble } from './ensemble/derive.js';
import { DEFAULT_TIMELINE_LIMIT } from './ensemble/timeline.js';
import type { EnsembleState, Transition } from './ensemble/types.js';
import { createApp, createRouterApp } from './http/app.js';
import { createHookRouter } from './http/hooks-routes.js';
import { createStatusPageRouter, StatusFeed } from './http/status-page.js';
import { HookService } from './hooks/service.js';
import { AGENT_VERSION, AgentMetrics } from './metrics/agent-metrics.js';
import { addDabealuFamilies } from './metrics/compat-dabealu.js';
import { addEnsembleFamilies } from './metrics/ensemble-families.js';
import { addNodeFamilies } from './metrics/node-families.js';
import { PollScheduler, type RoundStats } from './poll/scheduler.js';
import type { NodeSample } from './commands/index.js';
import { NodeStore, type OutcomeChange } from './state/store.js';

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
  /** Pushes each derived ensemble to open status pages. */
  private readonly feed: StatusFeed;
  private firstRoundDone = false;

  constructor(
    readonly config: AgentConfig,
    private readonly log: Logger,
    /** Signing secrets from the environment (`ZK_EXPORTER_HOOK_SECRETS`), kept out of the config so it is never printed. */
    hookSecretsFromEnv?: string,
  ) {
    this.store = new NodeStore(config.compat.includes('dabealu'));
    this.metrics = new AgentMetrics((set) => {
      addNodeFamilies(set, this.store.all());
      addEnsembleFamilies(set, [...this.states.values()]);
      if (config.compat.includes('dabealu')) addDabealuFamilies(set, this.store.all());
      this.hooks?.addFamilies(set, config.ensembles.map((e) => e.name));
    }, { runtime: true });
    this.feed = new StatusFeed(
      // The page reads deliveries from the hooks API only when it is served on the same listener.
      { version: AGENT_VERSION, intervalMs: config.intervalMs, timelineLimit: DEFAULT_TIMELINE_LIMIT, hooks: config.hooks !== undefined && config.hooks.adminListen === undefined },
      () => this.states.values(),
    );
    if (config.hooks) {
      this.hooks = new HookService({ config: config.hooks, log: log.child({ module: 'hooks' }), agentVersion: AGENT_VERSION, intervalMs: config.intervalMs, secretsFromEnv: hookSecretsFromEnv });
    }
    this.scheduler = new PollScheduler(config, {
      onEnsemble: (ensemble, samples, now) => this.onEnsemble(ensemble, samples, now),
      onRoundEnd: (stats) => this.onRoundEnd(stats),
      onOverrun: () => {
        this.metrics.roundsOverrun.inc();
        this.log.warn({ intervalMs: config.intervalMs }, 'poll round still running at the next tick; tick skipped');
      },
      onError: (err) => this.log.error({ err }, 'poll round failed'),
    });
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
        })
      : undefined;
    const adminListen = this.config.hooks?.adminListen;
    const app = createApp(
      {
        renderMetrics: () => this.metrics.render(),
        metricsContentType: this.metrics.contentType,
        ready: () => this.firstRoundDone,
        ensembles: () => [...this.states.values()],
        ensemble: (name) => this.states.get(name),
        ensembleNames: () => this.config.ensembles.map((e) => e.name),
      },
      [createStatusPageRouter(this.feed), ...(hookRouter && !adminListen ? [hookRouter] : [])],
    );
    const address = await this.listen(app, this.config.listen);
    if (hookRouter && adminListen) {
      const admin = await this.listen(createRouterApp([hookRouter]), adminListen);
      this.log.info({ listen: `${admin.address}:${admin.port}` }, 'hooks API and Alertmanager receiver listening');
    }
    this.log.info(
      { listen: `${address.address}:${address.port}`, ensembles: this.config.ensembles.map((e) => e.name), intervalMs: this.config.intervalMs },
      'agent listening',
    );
    this.scheduler.start();
    return address;
  }

  /** Stops polling (waiting for the round in flight), then hooks, then closes the HTTP servers. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.hooks?.stop();
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private async listen(app: http.RequestListener, at: { host: string; port: number }): Promise<AddressInfo> {
    const server = http.createServer(app);
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

  private onEnsemble(ensemble: EnsembleConfig, samples: NodeSample[], now: number): void {
    for (const change of this.store.record(samples, now)) this.logOutcomeChange(change);
    const { state, transitions } = deriveEnsemble(this.states.get(ensemble.name), ensemble, samples, now);
    this.states.set(ensemble.name, state);
    for (const transition of transitions) this.onTransition(transition);
    this.hooks?.onRound(state, transitions);
    this.feed.publish(state);
  }

  private onTransition(transition: Transition): void {
    if (transition.kind === 'election_ended' && !transition.startedAtStartup) {
      this.metrics.electionDuration.observe({ ensemble: transition.ensemble }, transition.durationMs / 1000);
    }
    const level = transition.kind === 'split_brain' || transition.kind === 'quorum_state_changed' ? 'warn' : 'info';
    this.log[level]({ transition }, `ensemble ${transition.kind}`);
  }

  private onRoundEnd(stats: RoundStats): void {
    this.metrics.roundsTotal.inc();
    this.metrics.roundDuration.observe((stats.finishedAt - stats.startedAt) / 1000);
    this.metrics.lastRoundTimestamp.set(stats.finishedAt / 1000);
    if (!this.firstRoundDone) {
      this.firstRoundDone = true;
      this.log.info({ durationMs: stats.finishedAt - stats.startedAt, nodes: stats.nodes }, 'first poll round done');
    }
  }

  // Logged once per change of a node × command's result, not every round.
  private logOutcomeChange(change: OutcomeChange): void {
    const fields = { ensemble: change.ensemble, server: change.server, command: change.command, from: change.from, to: change.to, detail: change.detail };
    // The first success of each node × command is routine: 3,000 info lines at start-up help nobody.
    if (change.to === 'ok') this.log[change.from === undefined ? 'debug' : 'info'](fields, 'poll result changed');
    else this.log.warn(fields, 'poll result changed');
  }
}
