import { COMMANDS, type Cadence, type CommandWord, type NodeSample } from '../commands/index.js';
import { ALL_MNTR_SERIES, selectPlan, type MntrSelection } from '../commands/mntr-budget.js';
import { layOutMntr, type MntrPlan, type MntrSeries } from '../commands/mntr-layout.js';
import type { MntrDropReason } from '../commands/mntr-names.js';
import type { CommandOutcome, PollReason } from '../model/outcome.js';

/** Commands whose outcome is tracked per node: every word in the table. */
export type TrackedCommand = CommandWord;

/** History of one node × command, kept across rounds. */
export interface CommandHistory {
  lastReason: PollReason;
  lastDetail?: string;
  lastDurationMs: number;
  lastSuccessAt?: number;
  /** Failures counted by reason since start. */
  errors: Partial<Record<PollReason, number>>;
}

/** The latest view of one node. */
export interface NodeRecord {
  ensemble: string;
  server: string;
  sample: NodeSample;
  /**
   * mntr values laid out once per round (not per scrape); absent unless srvr and mntr both answered.
   * Only the numbers are kept: the layout is shared by every node printing the same keys.
   */
  mntr?: { plan: MntrPlan; values: Float64Array };
  /** mntr entries left out of the exposition since start, by reason (see mntr-names.ts). */
  mntrDropped?: Partial<Record<MntrDropReason, number>>;
  serverId?: number;
  commands: Partial<Record<TrackedCommand, CommandHistory>>;
}

/** The mntr series of a record, as objects (for tests and tools; scrapes read the plan directly). */
export function mntrSeriesOf(record: NodeRecord): MntrSeries[] {
  const { mntr } = record;
  if (!mntr) return [];
  return mntr.plan.map((item, i) => ({
    family: item.family,
    type: item.type,
    sample: item.sample,
    labels: item.labels,
    value: mntr.values[i]!,
  }));
}

/** A change in one node × command's result, for logging once per change. */
export interface OutcomeChange {
  ensemble: string;
  server: string;
  command: TrackedCommand;
  from?: PollReason;
  to: PollReason;
  detail?: string;
}

/** Key of one node of one ensemble in the store. */
function nodeKey(ensemble: string, server: string): string {
  return `${ensemble}\u0000${server}`;
}

function reasonOf(outcome: CommandOutcome<unknown>): PollReason {
  return outcome.ok ? 'ok' : outcome.reason;
}

/**
 * In-memory latest state of every polled node. Written once per round per ensemble, read by scrapes
 * and the API; scrapes never wait on polling.
 */
export class NodeStore {
  private readonly nodes = new Map<string, NodeRecord>();
  /**
   * The keys of each ensemble's nodes: a round of one ensemble looks at its own nodes only, not at
   * all of them (at 1,000 nodes in 200 ensembles, each node would be visited 200 times per round).
   */
  private readonly keysOf = new Map<string, Set<string>>();

  /**
   * @param keepMntrEntries keep each node's parsed mntr lines (only the dabealu compat series need
   *   them); otherwise they are dropped once laid out, so a round's ~500 objects per node do not
   *   survive into the old generation of the heap.
   * @param mntrSelection which mntr series each ensemble exports (`mntrSeries`); every one by default.
   */
  constructor(
    private readonly keepMntrEntries = true,
    private readonly mntrSelection: (ensemble: string) => MntrSelection = () => ALL_MNTR_SERIES,
  ) {}

  /**
   * Records one round's samples of whole ensembles; returns the node × command results that changed
   * reason. A node of a recorded ensemble that is missing from the batch is no longer polled (a member
   * removed from the membership discovery follows) and is forgotten, so its series do not linger.
   */
  record(samples: readonly NodeSample[], now: number): OutcomeChange[] {
    this.forgetUnpolled(samples);
    const changes: OutcomeChange[] = [];
    for (const sample of samples) {
      const key = nodeKey(sample.ensemble, sample.server);
      const previous = this.nodes.get(key);
      const commands: NodeRecord['commands'] = previous?.commands ?? {};
      for (const { word: command, cadence } of COMMANDS) {
        const outcome: CommandOutcome<unknown> | undefined = sample[command];
        // conf_interval and every_round words are carried over between the rounds that ask them: count them only when asked now.
        if (!outcome || !askedNow(sample, cadence)) continue;
        const reason = reasonOf(outcome);
        const history: CommandHistory = commands[command] ?? { lastReason: reason, lastDurationMs: 0, errors: {} };
        if (commands[command] === undefined || history.lastReason !== reason) {
          const change: OutcomeChange = { ensemble: sample.ensemble, server: sample.server, command, to: reason };
          if (commands[command] !== undefined) change.from = history.lastReason;
          if (!outcome.ok) change.detail = outcome.detail;
          changes.push(change);
        }
        history.lastReason = reason;
        history.lastDurationMs = outcome.durationMs;
        if (outcome.ok) {
          history.lastSuccessAt = now;
          delete history.lastDetail;
        } else {
          history.lastDetail = outcome.detail;
          history.errors[reason] = (history.errors[reason] ?? 0) + 1;
        }
        commands[command] = history;
      }
      const up = sample.srvr.ok;
      const serverId = sample.conf?.ok ? sample.conf.value.serverId : previous?.serverId;
      const record: NodeRecord = {
        ensemble: sample.ensemble,
        server: sample.server,
        sample: keptSample(sample, this.keepMntrEntries),
        commands,
      };
      // A carried mntr was laid out (and its drops counted) when it was asked.
      if (up && previous?.mntr && !askedNow(sample, 'every_round')) record.mntr = previous.mntr;
      else if (up && sample.mntr?.ok) {
        const { layout, numbers } = sample.mntrLaidOut ?? layOutMntr(sample.mntr.value);
        const { dropped } = layout;
        // Series left out by the ensemble's budget are a choice, not a drop: they are not counted.
        const plan = selectPlan(layout.plan, this.mntrSelection(sample.ensemble));
        const total = { ...previous?.mntrDropped };
        for (const [reason, count] of Object.entries(dropped) as Array<[MntrDropReason, number]>)
          total[reason] = (total[reason] ?? 0) + count;
        if (Object.keys(total).length > 0) record.mntrDropped = total;
        const values = new Float64Array(plan.length);
        plan.forEach((item, i) => {
          values[i] = numbers[item.index]! / item.divisor;
        });
        record.mntr = { plan, values };
      }
      if (!record.mntrDropped && previous?.mntrDropped) record.mntrDropped = previous.mntrDropped;
      if (serverId !== undefined) record.serverId = serverId;
      this.nodes.set(key, record);
      let keys = this.keysOf.get(record.ensemble);
      if (keys === undefined) this.keysOf.set(record.ensemble, (keys = new Set()));
      keys.add(key);
    }
    return changes;
  }

  private forgetUnpolled(samples: readonly NodeSample[]): void {
    const polled = new Set(samples.map((sample) => nodeKey(sample.ensemble, sample.server)));
    for (const ensemble of new Set(samples.map((sample) => sample.ensemble))) {
      const keys = this.keysOf.get(ensemble);
      for (const key of keys ?? []) {
        if (polled.has(key)) continue;
        this.nodes.delete(key);
        keys!.delete(key);
      }
    }
  }

  /** Forgets every node of one ensemble (removed by a reload, or restarted with new settings), with its counts. */
  forgetEnsemble(name: string): void {
    for (const key of this.keysOf.get(name) ?? []) this.nodes.delete(key);
    this.keysOf.delete(name);
  }

  /** Every node's latest record, in insertion (configured) order. */
  all(): NodeRecord[] {
    return [...this.nodes.values()];
  }

  /** The records of one ensemble, in insertion order. */
  ofEnsemble(name: string): NodeRecord[] {
    return [...(this.keysOf.get(name) ?? [])].map((key) => this.nodes.get(key)!);
  }
}

/** Whether the words of `cadence` in `sample` were asked in its own round (not carried from an earlier one). */
function askedNow(sample: NodeSample, cadence: Cadence): boolean {
  if (cadence === 'conf_interval') return sample.confPolledAt === sample.polledAt;
  if (cadence === 'every_round') return sample.roundPolledAt === undefined || sample.roundPolledAt === sample.polledAt;
  return true;
}

/** mntr outcomes without their entries, per outcome: a carried outcome is emptied once, not every round. */
const emptiedMntr = new WeakMap<object, NonNullable<NodeSample['mntr']>>();

function withoutEntries(mntr: NonNullable<NodeSample['mntr']>): NonNullable<NodeSample['mntr']> {
  if (!mntr.ok) return mntr;
  let emptied = emptiedMntr.get(mntr);
  if (emptied === undefined) emptiedMntr.set(mntr, (emptied = { ...mntr, value: { entries: [] } }));
  return emptied;
}

/** What a record keeps of its sample: no layout (the record has its values), and mntr entries only when asked to. */
function keptSample(sample: NodeSample, keepMntrEntries: boolean): NodeSample {
  const mntr = keepMntrEntries || sample.mntr === undefined ? sample.mntr : withoutEntries(sample.mntr);
  if (sample.mntrLaidOut === undefined) return mntr === sample.mntr ? sample : { ...sample, mntr };
  const { mntrLaidOut: _laidOut, ...kept } = sample;
  return mntr === undefined ? kept : { ...kept, mntr };
}
