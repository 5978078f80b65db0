import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AgentConfig, EnsembleConfig } from './config/types.js';
import { deriveEnsemble } from './ensemble/derive.js';
import type { EnsembleState, Transition } from './ensemble/types.js';
import { createApp } from './http/app.js';
import { AgentMetrics } from './metrics/agent-metrics.js';
import { addDabealuFamilies } from './metrics/compat-dabealu.js';
import { addEnsembleFamilies } from './metrics/ensemble-families.js';
import { addNodeFamilies } from './metrics/node-families.js';
import { PollScheduler, type RoundStats } from './poll/scheduler.js';
import type { NodeSample } from './poll/types.js';
import { NodeStore, type OutcomeChange } from './state/store.js';

/**
 * Wiring of one running agent: scheduler → node store → ensemble derivation → metrics and HTTP.
 * Holds no decision logic of its own.
 */
export class Agent {
  readonly store = new NodeStore();
  readonly states = new Map<string, EnsembleState>();
  readonly metrics: AgentMetrics;
  private readonly scheduler: PollScheduler;
  private server: http.Server | undefined;
  private firstRoundDone = false;

  constructor(
    readonly config: AgentConfig,
    private readonly log: Logger,
  ) {
    this.metrics = new AgentMetrics((set) => {
      addNodeFamilies(set, this.store.all());
      addEnsembleFamilies(set, [...this.states.values()]);
      if (config.compat.includes('dabealu')) addDabealuFamilies(set, this.store.all());
    });
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

  /** Starts the HTTP server, then polling. Resolves with the bound address. */
  async start(): Promise<AddressInfo> {
    const app = createApp({
      renderMetrics: () => this.metrics.render(),
      metricsContentType: this.metrics.contentType,
      ready: () => this.firstRoundDone,
      ensembles: () => [...this.states.values()],
      ensemble: (name) => this.states.get(name),
      ensembleNames: () => this.config.ensembles.map((e) => e.name),
    });
    const server = http.createServer(app);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.listen.port, this.config.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    this.log.info(
      { listen: `${address.address}:${address.port}`, ensembles: this.config.ensembles.map((e) => e.name), intervalMs: this.config.intervalMs },
      'agent listening',
    );
    this.scheduler.start();
    return address;
  }

  /** Stops polling (waiting for the round in flight) and closes the HTTP server. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private onEnsemble(ensemble: EnsembleConfig, samples: NodeSample[], now: number): void {
    for (const change of this.store.record(samples, now)) this.logOutcomeChange(change);
    const { state, transitions } = deriveEnsemble(this.states.get(ensemble.name), ensemble, samples, now);
    this.states.set(ensemble.name, state);
    for (const transition of transitions) this.onTransition(transition);
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
