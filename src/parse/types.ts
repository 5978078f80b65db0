/** A ZooKeeper transaction id: high 32 bits are the leader epoch, low 32 bits the counter within it. */
export interface Zxid {
  /** The full 64-bit value. */
  value: bigint;
  /** Leader epoch (high 32 bits). */
  epoch: number;
  /** Transaction counter within the epoch (low 32 bits). */
  counter: number;
}

/** Mode reported by `srvr`/`stat`; `read-only` is spelled as ZooKeeper prints it. */
export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only';

/** Parsed `srvr` (or `stat`, or AdminServer `/commands/srvr`) reply. */
export interface ServerStats {
  /** Text after `Zookeeper version: ` (may contain spaces and build noise). */
  version: string;
  /** True when the `READ-ONLY mode` line is present or Mode is read-only. */
  readOnly: boolean;
  latency: { min: number; avg: number; max: number };
  received: number;
  sent: number;
  connections: number;
  outstanding: number;
  zxid: Zxid;
  mode: ServerMode;
  nodeCount: number;
  /** Leader only (3.5+): `Proposal sizes last/min/max: a/b/c`. */
  proposalSizes?: { last: number; min: number; max: number };
  /** `stat` only: one entry per line of the `Clients:` block, as printed. */
  clients?: string[];
}

/** One `mntr` line. `labels` is set for Prometheus-provider style lines like `zk_x{quantile="0.5"}`. */
export interface MntrEntry {
  /** Key without the `zk_` prefix, e.g. `num_alive_connections`. */
  key: string;
  labels?: Record<string, string>;
  /** Numbers (incl. NaN) as number; anything else kept as the original text. */
  value: number | string;
}

/** Parsed `mntr` reply: every line kept, in order. */
export interface MntrRecord {
  entries: MntrEntry[];
}

/** Parsed `wchs` reply. */
export interface WatchSummary {
  connections: number;
  paths: number;
  totalWatches: number;
}

/** One `server.N=` line of `conf`'s membership block (or a static server line). */
export interface QuorumMember {
  id: number;
  host: string;
  quorumPort?: number;
  electionPort?: number;
  role: 'participant' | 'observer';
  /** Client address after `;`, if the line carries one (dynamic config form). */
  clientAddress?: string;
}

/** Parsed `conf` reply. */
export interface ServerConfigRecord {
  /** `serverId=` (absent on standalone 3.4). */
  serverId?: number;
  /** `peerType=` when printed. */
  peerType?: string;
  /** Members from `membership:` / `server.N=` lines; empty on standalone. */
  members: QuorumMember[];
  /** True when `members` lists voters only (the AdminServer's `voting_view` leaves observers out). */
  votersOnly?: boolean;
  /** Hex text after `version=`, when present. */
  configVersion?: string;
  /** Every `key=value` line, kept verbatim (unknown keys are never a failure). */
  raw: Record<string, string>;
}
