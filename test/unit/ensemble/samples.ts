// Builders for hand-made rounds: typed records as the parsers would produce them, without any text.
import type { EnsembleConfig } from '../../../src/config/types.js';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import type { DeriveOptions, EnsembleState, Transition } from '../../../src/ensemble/types.js';
import type { MntrRecord, QuorumMember, ServerConfigRecord, ServerMode, ServerStats, Zxid } from '../../../src/parse/types.js';
import type { NodeSample } from '../../../src/commands/index.js';
import type { CommandOutcome, FailureReason } from '../../../src/model/outcome.js';

/** Time of the first round; each further round is one second later. */
export const T0 = 1_700_000_000_000;
/** Spacing of rounds in {@link Sim}. */
const ROUND_MS = 1000;

/** The `server` label of configured node `i` (1-based). */
export function server(i: number): string {
  return `10.0.0.${i}:2181`;
}

/** An ensemble of `n` configured servers, 10.0.0.1:2181 … 10.0.0.n:2181. */
export function ensembleConfig(n: number, name = 'main'): EnsembleConfig {
  return {
    name,
    servers: Array.from({ length: n }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 2181 })),
    transport: 'fourletter',
    commands: ['srvr', 'mntr', 'conf'],
    confIntervalMs: 60_000,
    // Derivation reads only the members a round hands over (`discovered`), which these configs never carry.
    discovery: false,
  };
}

/** A zxid from its epoch and counter. */
function zxid(epoch: number, counter: number): Zxid {
  return { value: (BigInt(epoch) << 32n) | BigInt(counter), epoch, counter };
}

/** A successful outcome. */
export function ok<T>(value: T): CommandOutcome<T> {
  return { ok: true, value, transport: 'fourletter', durationMs: 2 };
}

/** A failed outcome. */
export function fail<T>(reason: FailureReason): CommandOutcome<T> {
  return { ok: false, reason, detail: `test ${reason}`, transport: 'fourletter', durationMs: 2 };
}

/** A mntr record with unlabelled entries. */
function mntr(values: Record<string, number | string>): MntrRecord {
  return { entries: Object.entries(values).map(([key, value]) => ({ key, value })) };
}

/** Conf members 1…voters as participants then observers, quorum host 10.0.0.i. */
export function members(voters: number, observers = 0, clientAddress = false): QuorumMember[] {
  return Array.from({ length: voters + observers }, (_, i) => {
    const member: QuorumMember = {
      id: i + 1,
      host: `10.0.0.${i + 1}`,
      quorumPort: 2888,
      electionPort: 3888,
      role: i < voters ? 'participant' : 'observer',
    };
    if (clientAddress) member.clientAddress = `0.0.0.0:2181`;
    return member;
  });
}

/** A conf record as node `serverId` would print it. */
export function confRecord(serverId: number | undefined, list: QuorumMember[], configVersion = '0'): ServerConfigRecord {
  const record: ServerConfigRecord = { members: list, configVersion, raw: {} };
  if (serverId !== undefined) record.serverId = serverId;
  return record;
}

/** What one node answers in one round. */
export interface NodeSpec {
  /** srvr answered in this mode, or failed with this reason. */
  srvr: ServerMode | FailureReason;
  epoch?: number;
  counter?: number;
  outstanding?: number;
  connections?: number;
  readOnly?: boolean;
  mntr?: Record<string, number | string> | FailureReason;
  conf?: ServerConfigRecord | FailureReason;
  confPolledAt?: number;
}

const MODES: readonly string[] = ['leader', 'follower', 'observer', 'standalone', 'read-only'];

/** Leader in `epoch` at `counter`. */
export const L = (epoch = 1, counter = 0, extra: Partial<NodeSpec> = {}): NodeSpec => ({ srvr: 'leader', epoch, counter, ...extra });
/** Follower in `epoch` at `counter`. */
export const F = (epoch = 1, counter = 0, extra: Partial<NodeSpec> = {}): NodeSpec => ({ srvr: 'follower', epoch, counter, ...extra });
/** Observer in `epoch` at `counter`. */
export const O = (epoch = 1, counter = 0, extra: Partial<NodeSpec> = {}): NodeSpec => ({ srvr: 'observer', epoch, counter, ...extra });
/** Standalone at `counter` (epoch 0, as a standalone prints it). */
export const S = (counter = 0, extra: Partial<NodeSpec> = {}): NodeSpec => ({ srvr: 'standalone', epoch: 0, counter, ...extra });
/** srvr failed with `reason`. */
export const X = (reason: FailureReason = 'refused', extra: Partial<NodeSpec> = {}): NodeSpec => ({ srvr: reason, ...extra });
/** "This ZooKeeper instance is not currently serving requests". */
export const NS = (extra: Partial<NodeSpec> = {}): NodeSpec => ({ srvr: 'not_serving', ...extra });

/** srvr stats for a serving node. */
export function stats(mode: ServerMode, epoch: number, counter: number, extra: Partial<ServerStats> = {}): ServerStats {
  return {
    version: '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC',
    readOnly: mode === 'read-only',
    latency: { min: 0, avg: 0, max: 0 },
    received: 10,
    sent: 9,
    connections: 1,
    outstanding: 0,
    zxid: zxid(epoch, counter),
    mode,
    nodeCount: 5,
    ...extra,
  };
}

/** One node's sample for configured node `i` (1-based). */
export function sample(i: number, spec: NodeSpec, polledAt: number, ensemble = 'main'): NodeSample {
  const srvr: NodeSample['srvr'] = MODES.includes(spec.srvr)
    ? ok(
        stats(spec.srvr as ServerMode, spec.epoch ?? 1, spec.counter ?? 0, {
          outstanding: spec.outstanding ?? 0,
          connections: spec.connections ?? 1,
          readOnly: spec.readOnly ?? spec.srvr === 'read-only',
        }),
      )
    : fail(spec.srvr as FailureReason);
  const result: NodeSample = { ensemble, server: server(i), polledAt, srvr };
  if (spec.mntr !== undefined) result.mntr = typeof spec.mntr === 'string' ? fail(spec.mntr) : ok(mntr(spec.mntr));
  if (spec.conf !== undefined) {
    result.conf = typeof spec.conf === 'string' ? fail(spec.conf) : ok(spec.conf);
    result.confPolledAt = spec.confPolledAt ?? polledAt;
  }
  return result;
}

/** One round: specs in configured order, node i = specs[i − 1]. */
export function round(specs: NodeSpec[], polledAt: number, ensemble = 'main'): NodeSample[] {
  return specs.map((spec, index) => sample(index + 1, spec, polledAt, ensemble));
}

/** Runs rounds one second apart against one ensemble, keeping the state between them. */
export class Sim {
  state: EnsembleState | undefined;
  /** Time of the next round. */
  now = T0;

  constructor(
    readonly config: EnsembleConfig,
    readonly options: DeriveOptions = {},
  ) {}

  /** Derives one round and returns its transitions. */
  round(specs: NodeSpec[]): Transition[] {
    const result = deriveEnsemble(this.state, this.config, round(specs, this.now, this.config.name), this.now, this.options);
    this.state = result.state;
    this.now += ROUND_MS;
    return result.transitions;
  }

  /** The current state (throws before the first round). */
  get s(): EnsembleState {
    if (!this.state) throw new Error('no round yet');
    return this.state;
  }
}

/** `at` of round k (0-based) in a {@link Sim}. */
export function at(k: number): number {
  return T0 + k * ROUND_MS;
}
