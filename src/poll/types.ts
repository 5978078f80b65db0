import type { CommandOutcome } from '../zk/outcome.js';
import type { MntrRecord, ServerConfigRecord, ServerStats, WatchSummary } from '../parse/types.js';

/** Everything learned from one node in one round. A command not asked this round is absent. */
export interface NodeSample {
  ensemble: string;
  /** `host:port` as configured: the `server` label. */
  server: string;
  /** Epoch milliseconds when the node's poll started. */
  polledAt: number;
  srvr: CommandOutcome<ServerStats>;
  mntr?: CommandOutcome<MntrRecord>;
  wchs?: CommandOutcome<WatchSummary>;
  /** Latest `conf` outcome (may be carried over from an earlier round: see `confPolledAt`). */
  conf?: CommandOutcome<ServerConfigRecord>;
  /** When `conf` was last actually asked. */
  confPolledAt?: number;
}

/** One completed poll round across all ensembles. */
export interface RoundResult {
  startedAt: number;
  finishedAt: number;
  /** Samples keyed by ensemble name, in configured server order. */
  samples: Map<string, NodeSample[]>;
}
