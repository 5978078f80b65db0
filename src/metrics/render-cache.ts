import type { MntrPlan } from '../commands/mntr-layout.js';
import type { NodeRecord } from '../state/store.js';
import { FamilySet, familyHeader, formatValue, labelsText, type SnapshotFamily } from './family.js';
import { addNodeFamilies, mntrFamilyRefused, mntrHelp } from './node-families.js';

// The per-node part of /metrics is most of its bytes (hundreds of series per node). A node's record
// changes once per round, while Prometheus may scrape several times per round (or several Prometheus
// servers may), so each record's sample lines are written once, when the record is new, and a scrape
// only joins them. Families must stay grouped (all samples of a family under one header), so the text
// is kept per family and node, and joined family by family at scrape time.

/** The sample lines one node contributes to one family. */
interface Segment {
  family: string;
  help: string;
  type: SnapshotFamily['type'];
  /** Whether the family comes from mntr (and is subject to the cross-node type rules). */
  mntr: boolean;
  /** Sample lines, each ending in a newline. */
  text: string;
}

/** One mntr family of a plan: its type and the plan items (in plan order) that write its samples. */
interface PlanFamily {
  family: string;
  type: SnapshotFamily['type'];
  items: number[];
}

// Nodes printing the same keys share one plan object (see mntr-layout.ts): its grouping by family is
// worked out once per plan.
const planFamilies = new WeakMap<MntrPlan, PlanFamily[]>();

function familiesOf(plan: MntrPlan): PlanFamily[] {
  let out = planFamilies.get(plan);
  if (out === undefined) {
    const byName = new Map<string, PlanFamily>();
    plan.forEach((item, i) => {
      let group = byName.get(item.family);
      if (group === undefined) byName.set(item.family, (group = { family: item.family, type: item.type, items: [] }));
      group.items.push(i);
    });
    out = [...byName.values()];
    planFamilies.set(plan, out);
  }
  return out;
}

/** Writes every family of one node (record) as segments, in the order addNodeFamilies creates them. */
function renderNode(record: NodeRecord): Segment[] {
  // Everything but mntr goes through the same builder as before, so its families and lines cannot drift.
  const set = new FamilySet();
  const { mntr, ...rest } = record;
  addNodeFamilies(set, [rest]);
  const segments: Segment[] = [];
  for (const family of set.all()) {
    const lines = family.values.map(
      (sample) => `${sample.metricName ?? family.name}${labelsText(sample.labels)} ${formatValue(sample.value)}\n`,
    );
    segments.push({ family: family.name, help: family.help, type: family.type, mntr: false, text: lines.join('') });
  }
  if (record.sample.srvr.ok && mntr) {
    const node = { ensemble: record.ensemble, server: record.server };
    const nodeLabels = labelsText(node);
    for (const group of familiesOf(mntr.plan)) {
      const lines = group.items.map((i) => {
        const item = mntr.plan[i]!;
        const labels = item.labels.quantile === undefined ? nodeLabels : labelsText({ ...node, ...item.labels });
        return `${item.sample}${labels} ${formatValue(mntr.values[i]!)}\n`;
      });
      // join, not +=: it yields a flat string, which every later scrape copies directly instead of walking a rope.
      segments.push({ family: group.family, help: mntrHelp(group.family), type: group.type, mntr: true, text: lines.join('') });
    }
  }
  return segments;
}

/** A family being assembled at scrape time: its header and the nodes' lines in node order. */
interface Assembly {
  header: string;
  type: SnapshotFamily['type'];
  parts: string[];
}

/**
 * The per-node families' text, rendered once per node record and joined per scrape. The output is
 * byte for byte what `renderFamilies` makes of `addNodeFamilies` over the same records.
 */
export class NodeTextCache {
  // Keyed by the record object: the store replaces a node's record each round, so a new object is new data.
  private readonly segments = new WeakMap<NodeRecord, Segment[]>();

  /** Renders the records not rendered yet (call after each round, so scrapes find them ready). */
  prepare(records: Iterable<NodeRecord>): void {
    for (const record of records) this.segmentsOf(record);
  }

  private segmentsOf(record: NodeRecord): Segment[] {
    let segments = this.segments.get(record);
    if (segments === undefined) {
      segments = renderNode(record);
      this.segments.set(record, segments);
    }
    return segments;
  }

  /**
   * The per-node families of `records` in the text format: each family a block ending in a newline,
   * blocks separated by a blank line; '' without samples.
   */
  render(records: readonly NodeRecord[]): string {
    const families = new Map<string, Assembly>();
    const typeOf = (name: string): SnapshotFamily['type'] | undefined => families.get(name)?.type;
    for (const record of records) {
      for (const segment of this.segmentsOf(record)) {
        let family = families.get(segment.family);
        if (segment.mntr && (family === undefined ? mntrFamilyRefused(typeOf, segment.family, segment.type) : family.type !== segment.type))
          continue;
        if (family === undefined) {
          family = { header: familyHeader(segment.family, segment.help, segment.type), type: segment.type, parts: [] };
          families.set(segment.family, family);
        }
        if (segment.text !== '') family.parts.push(segment.text);
      }
    }
    // One join over every piece: intermediate per-family strings would copy the text twice.
    const pieces: string[] = [];
    for (const family of families.values()) {
      if (family.parts.length === 0) continue;
      if (pieces.length > 0) pieces.push('\n');
      pieces.push(family.header, ...family.parts);
    }
    return pieces.join('');
  }
}
