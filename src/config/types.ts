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
}
