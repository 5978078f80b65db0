import { COMMANDS, type AnyCommand, type NodeFacts } from '../commands/index.js';
import type { NodeRecord, TrackedCommand } from '../state/store.js';
import type { FamilySet, Labels, SnapshotFamily } from './family.js';

const TABLE = COMMANDS as unknown as readonly AnyCommand[];

/** A per-node family other than mntr's. */
export interface NodeFamilyHead {
  name: string;
  help: string;
  type: SnapshotFamily['type'];
}

/** Position of each family by name: a name two commands describe is one family, at its first place. */
const positions = new Map<string, number>();
const heads: NodeFamilyHead[] = [];
function position(name: string, help: string, type: SnapshotFamily['type']): number {
  let at = positions.get(name);
  if (at === undefined) {
    at = heads.push({ name, help, type }) - 1;
    positions.set(name, at);
  }
  return at;
}

const UP = position('zookeeper_up', 'Whether the node answered srvr with a parsable reply in the latest round (1) or not (0).', 'gauge');
const DESCRIBED = TABLE.map((command) => ({
  command,
  families: command.families.map((descriptor) => ({ descriptor, at: position(descriptor.name, descriptor.help, descriptor.type) })),
}));
const RESULT = position(
  'zookeeper_exporter_command_result',
  'Result of the latest poll of each node × command: 1 on the series whose reason is current.',
  'gauge',
);
const DURATION = position('zookeeper_exporter_poll_duration_seconds', 'Duration of the latest poll of each node × command.', 'gauge');
const LAST_SUCCESS = position(
  'zookeeper_exporter_poll_last_success_timestamp_seconds',
  'Unix time of the latest successful poll of each node × command.',
  'gauge',
);
const ERRORS = position('zookeeper_exporter_poll_errors_total', 'Failed polls of each node × command by reason.', 'counter');
const MNTR_DROPPED = position(
  'zookeeper_exporter_mntr_dropped_series_total',
  'mntr entries of each node left out of the exposition, by reason (invalid_name, invalid_label, name_clash, over_cap).',
  'counter',
);

/** The per-node families besides mntr's, in exposition order: `zookeeper_up`, the table's, then poll health. */
export const NODE_FAMILIES: readonly NodeFamilyHead[] = heads;

/**
 * Receives one node's samples: the family's place in {@link NODE_FAMILIES}, the value, and the labels
 * besides `ensemble` and `server` (which come first, and which these never repeat).
 */
export type NodeSampleSink = (family: number, value: number, labels?: Readonly<Record<string, string>>) => void;

/**
 * Hands every non-mntr sample of one node to `emit`: `zookeeper_up`, the families each command of the
 * table describes (in table order), then the agent's own poll health per command. A node that did not
 * answer srvr keeps `zookeeper_up 0`, its reason (`zookeeper_exporter_command_result`) and no data
 * series: old values never linger. Pure.
 */
export function eachNodeSample(record: NodeRecord, emit: NodeSampleSink): void {
  const isUp = record.sample.srvr.ok;
  emit(UP, isUp ? 1 : 0);
  const facts: NodeFacts = record.serverId === undefined ? {} : { serverId: record.serverId };
  for (const { command, families } of DESCRIBED) {
    const outcome = record.sample[command.word];
    for (const { descriptor, at } of families) {
      if (!isUp) {
        for (const sample of descriptor.whenDown ?? []) emit(at, sample.value, sample.labels);
      } else if (outcome?.ok) {
        for (const sample of descriptor.read(outcome.value, facts)) emit(at, sample.value, sample.labels);
      }
    }
  }
  for (const [command, history] of Object.entries(record.commands) as Array<
    [TrackedCommand, NonNullable<NodeRecord['commands'][TrackedCommand]>]
  >) {
    const labels = { command };
    emit(RESULT, 1, { command, reason: history.lastReason });
    emit(DURATION, history.lastDurationMs / 1000, labels);
    if (history.lastSuccessAt !== undefined) emit(LAST_SUCCESS, history.lastSuccessAt / 1000, labels);
    for (const [reason, count] of Object.entries(history.errors)) emit(ERRORS, count, { command, reason });
  }
  for (const [reason, count] of Object.entries(record.mntrDropped ?? {})) emit(MNTR_DROPPED, count, { reason });
}

/**
 * Builds every per-node family from the latest records: those of {@link eachNodeSample}, then the mntr
 * series. Pure.
 */
export function addNodeFamilies(set: FamilySet, records: readonly NodeRecord[]): void {
  const families = NODE_FAMILIES.map((head) => set.family(head.name, head.help, head.type));
  for (const record of records) {
    const labels: Labels = { ensemble: record.ensemble, server: record.server };
    // The node's label object is reused when there are no extra labels (its text is cached per scrape).
    eachNodeSample(record, (at, value, extra) => families[at]!.add(value, extra === undefined ? labels : { ...labels, ...extra }));
    const mntr = record.mntr;
    if (record.sample.srvr.ok && mntr) {
      mntr.plan.forEach((item, i) => {
        if (mntrFamilyRefused((name) => set.typeOf(name), item.family, item.type)) return;
        set
          .family(item.family, mntrHelp(item.family), item.type)
          .add(
            mntr.values[i]!,
            item.labels.quantile === undefined ? labels : { ...labels, ...item.labels },
            item.sample === item.family ? undefined : item.sample,
          );
      });
    }
  }
}

/**
 * Whether a node's mntr family must be left out because of families already exported (`typeOf`) by
 * earlier nodes: one seen with another type (an older/newer version), one that another node's summary
 * owns as its `_sum`/`_count`, or a summary whose `_sum`/`_count` is taken. Skipping it keeps the
 * exposition valid. Pure.
 */
export function mntrFamilyRefused(
  typeOf: (name: string) => SnapshotFamily['type'] | undefined,
  family: string,
  type: SnapshotFamily['type'],
): boolean {
  const existing = typeOf(family);
  if (existing !== undefined && existing !== type) return true;
  const part = /^(.+)_(?:sum|count)$/.exec(family);
  if (part && typeOf(part[1]!) === 'summary') return true;
  return type === 'summary' && (typeOf(`${family}_sum`) !== undefined || typeOf(`${family}_count`) !== undefined);
}

/** The `# HELP` text of an mntr family. */
export function mntrHelp(family: string): string {
  return `ZooKeeper mntr value ${family.slice('zookeeper_mntr_'.length)} (see the README for the naming rule).`;
}
