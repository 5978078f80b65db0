import { COMMANDS, type AnyCommand, type NodeFacts } from '../commands/index.js';
import type { NodeRecord, TrackedCommand } from '../state/store.js';
import type { FamilySet, Labels, SnapshotFamily } from './family.js';

const TABLE = COMMANDS as unknown as readonly AnyCommand[];

/**
 * Builds every per-node family from the latest records: `zookeeper_up`, the families each command of
 * the table describes (in table order), the agent's own poll health per node × command, then the mntr
 * series. A node that did not answer srvr keeps `zookeeper_up 0`, its reason
 * (`zookeeper_exporter_command_result`) and no data series: old values never linger. Pure.
 */
export function addNodeFamilies(set: FamilySet, records: readonly NodeRecord[]): void {
  const up = set.family(
    'zookeeper_up',
    'Whether the node answered srvr with a parsable reply in the latest round (1) or not (0).',
    'gauge',
  );
  const described = TABLE.map((command) => ({
    command,
    families: command.families.map((descriptor) => ({ descriptor, family: set.family(descriptor.name, descriptor.help, descriptor.type) })),
  }));
  const result = set.family(
    'zookeeper_exporter_command_result',
    'Result of the latest poll of each node × command: 1 on the series whose reason is current.',
    'gauge',
  );
  const duration = set.family('zookeeper_exporter_poll_duration_seconds', 'Duration of the latest poll of each node × command.', 'gauge');
  const lastSuccess = set.family(
    'zookeeper_exporter_poll_last_success_timestamp_seconds',
    'Unix time of the latest successful poll of each node × command.',
    'gauge',
  );
  const errors = set.family('zookeeper_exporter_poll_errors_total', 'Failed polls of each node × command by reason.', 'counter');
  const mntrDropped = set.family(
    'zookeeper_exporter_mntr_dropped_series_total',
    'mntr entries of each node left out of the exposition, by reason (invalid_name, invalid_label, name_clash, over_cap).',
    'counter',
  );

  for (const record of records) {
    const labels: Labels = { ensemble: record.ensemble, server: record.server };
    const isUp = record.sample.srvr.ok;
    up.add(isUp ? 1 : 0, labels);
    const facts: NodeFacts = record.serverId === undefined ? {} : { serverId: record.serverId };
    for (const { command, families } of described) {
      const outcome = record.sample[command.word];
      for (const { descriptor, family } of families) {
        if (!isUp) {
          for (const sample of descriptor.whenDown ?? []) add(family, sample.value, labels, sample.labels);
        } else if (outcome?.ok) {
          for (const sample of descriptor.read(outcome.value, facts)) add(family, sample.value, labels, sample.labels);
        }
      }
    }
    const mntr = record.mntr;
    if (isUp && mntr) {
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
    for (const [command, history] of Object.entries(record.commands) as Array<
      [TrackedCommand, NonNullable<NodeRecord['commands'][TrackedCommand]>]
    >) {
      const commandLabels = { ...labels, command };
      result.add(1, { ...commandLabels, reason: history.lastReason });
      duration.add(history.lastDurationMs / 1000, commandLabels);
      if (history.lastSuccessAt !== undefined) lastSuccess.add(history.lastSuccessAt / 1000, commandLabels);
      for (const [reason, count] of Object.entries(history.errors)) errors.add(count, { ...commandLabels, reason });
    }
    for (const [reason, count] of Object.entries(record.mntrDropped ?? {})) mntrDropped.add(count, { ...labels, reason });
  }
}

/** Adds one sample; the node's label object is reused when there are no extra labels (its text is cached per scrape). */
function add(family: SnapshotFamily, value: number, node: Labels, extra: Readonly<Record<string, string>> | undefined): void {
  family.add(value, extra === undefined ? node : { ...node, ...extra });
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
