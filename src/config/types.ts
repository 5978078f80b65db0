import type { HookRule } from '../hooks/rules.js';
import type { HookTarget } from '../hooks/types.js';
import type { FourLetterWord } from '../zk/outcome.js';

/** One configured node. Its `server` label is `host:port` exactly as configured. */
export interface ServerTarget {
  host: string;
  /** Client port, where the four-letter words are sent. */
  port: number;
  /** AdminServer HTTP port, when known (per server, else the ensemble's `adminPort`). */
  adminPort?: number;
}

/** How an ensemble's nodes are asked. */
export type TransportMode = 'fourletter' | 'admin';

/** One watched ensemble after defaults are applied. */
export interface EnsembleConfig {
  name: string;
  servers: ServerTarget[];
  /**
   * `fourletter` (default): 4lw over TCP, falling back to the AdminServer for a command the
   * whitelist refuses when an admin port is known. `admin`: AdminServer only.
   */
  transport: TransportMode;
  /** Commands sent every round (srvr is always included). */
  commands: FourLetterWord[];
  /** `conf` changes rarely: it is re-read every this many milliseconds (and after a node comes back). */
  confIntervalMs: number;
}

/** The agent's whole configuration after validation and defaults (flags > env > file > defaults). */
export interface AgentConfig {
  ensembles: EnsembleConfig[];
  listen: { host: string; port: number };
  intervalMs: number;
  /** Per-command deadline, covering connect and read. */
  timeoutMs: number;
  /** Maximum reply size in bytes before a reply is cut and classed `too_large`. */
  maxReplyBytes: number;
  /** Upper bound on node polls in flight at once across all ensembles. */
  concurrency: number;
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'; format: 'json' | 'pretty' };
  /** `dabealu`: also emit the zk_* series of dabealu/zookeeper-exporter. */
  compat: Array<'dabealu'>;
  /** Failover hooks (absent when none are configured). */
  hooks?: HooksConfig;
}

/** One agent-driven hook rule after defaults (the rules engine's own type). */
export type HookRuleConfig = HookRule;

/** One hook target after defaults (the deliverer's own type). */
export type HookTargetConfig = HookTarget;

/** Routing of Alertmanager alerts to a hook. */
export interface AlertRouteConfig {
  hook: string;
  /** Alertmanager-style matchers: `label="v"`, `label!="v"`, `label=~"re"`, `label!~"re"`. */
  matchers: string[];
  sendResolved: boolean;
}

/** A recurring maintenance window. */
export interface MaintenanceWindowConfig {
  cron: string;
  durationMs: number;
  ensembles?: string[];
  timezone?: string;
}

/** Failover hooks: targets, rules, Alertmanager routes, maintenance, peers, receiver security. */
export interface HooksConfig {
  /** Durable outbox and audit live here; required when any target exists (except dry-run). */
  stateDir?: string;
  dryRun: boolean;
  /** This agent's identity in payloads and among peers (default: hostname:listen port). */
  agentId: string;
  /** Signing secrets, first signs; loaded from `secretFiles` and the ZK_EXPORTER_HOOK_SECRETS env var. */
  secretFiles: string[];
  targets: HookTargetConfig[];
  rules: HookRuleConfig[];
  alertRoutes: AlertRouteConfig[];
  maintenance: MaintenanceWindowConfig[];
  /** Other agents watching the same ensembles, as base URLs (`http://host:9141`). */
  peers: string[];
  peerTimeoutMs: number;
  /** Bearer token(s) required on the receiver and every mutating API, from these files. */
  receiverTokenFiles: string[];
  /** Optional separate listener for the receiver and the hooks API. */
  adminListen?: { host: string; port: number };
  maxBodyBytes: number;
}
