import type { MntrPlan } from '../commands/mntr-layout.js';
import type { NodeRecord } from '../state/store.js';
import { escapeLabelValue, FamilySet, familyHeader, formatValue, renderFamilies, type SnapshotFamily } from './family.js';
import { eachNodeSample, mntrFamilyRefused, mntrHelp, NODE_FAMILIES } from './node-families.js';

// The per-node part of /metrics is most of its bytes (about a hundred series per node). A node's
// record is replaced every round (every second with the fast lane), far more often than Prometheus
// scrapes (every 15-60 s), yet several scrapes may come within one round (a pair of Prometheus
// servers). So a record's sample lines are written at most once, by the first scrape that finds the
// record new (written after every round instead, most would never be scraped), and a later scrape
// only copies them. Families must stay grouped (all samples of a family under one header), so a
// scrape copies each node's slice of each family in turn: at 1,000 nodes that is ~100,000 slices.
// They are kept as UTF-8 bytes in one buffer per node and copied into one preallocated buffer,
// because joining as many strings (and encoding the result for the socket or gzip) costs several
// times as much.
//
// Each node keeps its buffers from scrape to scrape and a new record is written over the old one's
// bytes. A buffer per record instead (about 11 MB per scrape at 1,000 nodes) lived until a full
// collection noticed its record was gone, and the C heap they came from stayed fragmented: a
// scraped agent's RSS grew by tens of MB over an unscraped one.

/** What a node's sample lines of one family need at scrape time besides the bytes: shared between nodes. */
interface SegmentMeta {
  family: string;
  help: string;
  type: SnapshotFamily['type'];
  /** Whether the family comes from mntr (and is subject to the cross-node type rules). */
  mntr: boolean;
  /** Number of sample lines (mntr only: counted when a type conflict leaves them out). */
  lines: number;
}

/**
 * Rendered sample lines of some families of one node: the bytes, the families' metadata (shared
 * between nodes) and where each family's lines start and end. About a hundred families per node at
 * 1,000 nodes: shared metadata and one Uint32Array keep that to a few hundred bytes beside the text.
 */
interface Block {
  bytes: Buffer;
  meta: readonly SegmentMeta[];
  /** Offsets: family i is bytes[bounds[i], bounds[i + 1]). */
  bounds: Uint32Array;
}

/** One node record's rendered families: the non-mntr ones, then its mntr series. */
interface NodeText {
  own: Block;
  mntr: Block | undefined;
}

/**
 * One node's text kept between scrapes: the record and mntr object it was written from (the store
 * carries a node's mntr object unchanged into the fast-lane rounds that do not ask mntr: those rounds
 * write only the node's other families, a few dozen lines rather than ~100), and the scrape that last used it.
 */
interface NodeSlot {
  record: NodeRecord;
  own: Block;
  mntrFrom: NodeRecord['mntr'];
  mntr: Block | undefined;
  assembly: number;
}

/**
 * A block of `texts` (one per family of `meta`), written into `reuse`'s buffer when it has room and is
 * not far too big, into a new one (with room to grow) otherwise.
 */
function blockOf(texts: readonly string[], meta: readonly SegmentMeta[], reuse: Block | undefined): Block {
  const bounds = reuse?.bounds.length === texts.length + 1 ? reuse.bounds : new Uint32Array(texts.length + 1);
  const whole = texts.join('');
  const size = Buffer.byteLength(whole);
  const old = reuse?.bytes;
  const bytes = old !== undefined && old.length >= size && old.length <= 2 * size + 4096 ? old : Buffer.allocUnsafeSlow(size + (size >> 4));
  if (size === whole.length) {
    // ASCII, as nearly every exposition is: string offsets are byte offsets, and one write does.
    texts.forEach((text, i) => {
      bounds[i + 1] = bounds[i]! + text.length;
    });
    bytes.write(whole, 0, 'latin1');
  } else {
    texts.forEach((text, i) => {
      bounds[i + 1] = bounds[i]! + bytes.write(text, bounds[i]!);
    });
  }
  return { bytes, meta, bounds };
}

// Nodes printing the same keys share one plan object (see mntr-layout.ts): its grouping by family, the
// families' metadata and each item's labels beyond the node's are worked out once per plan.
interface PlanFamilies {
  groups: number[][];
  meta: SegmentMeta[];
  /** Per plan item: `,quantile="…"` or ''. */
  labels: string[];
}
const planFamilies = new WeakMap<MntrPlan, PlanFamilies>();

function familiesOf(plan: MntrPlan): PlanFamilies {
  let out = planFamilies.get(plan);
  if (out === undefined) {
    const byName = new Map<string, { meta: SegmentMeta; items: number[] }>();
    plan.forEach((item, i) => {
      let group = byName.get(item.family);
      if (group === undefined) {
        const meta = { family: item.family, help: mntrHelp(item.family), type: item.type, mntr: true, lines: 0 };
        byName.set(item.family, (group = { meta, items: [] }));
      }
      group.items.push(i);
      group.meta.lines++;
    });
    const groups = [...byName.values()];
    const labels = plan.map((item) =>
      item.labels.quantile === undefined
        ? ''
        : Object.entries(item.labels)
            .map(([name, value]) => `,${name}="${escapeLabelValue(value)}"`)
            .join(''),
    );
    out = { groups: groups.map((g) => g.items), meta: groups.map((g) => g.meta), labels };
    planFamilies.set(plan, out);
  }
  return out;
}

// The non-mntr families are the same few dozen for every node, in one order.
const OWN_META: readonly SegmentMeta[] = NODE_FAMILIES.map((head) => ({
  family: head.name,
  help: head.help,
  type: head.type,
  mntr: false,
  lines: 0,
}));

/** `ensemble="…",server="…"`: the labels every sample of a node starts with. */
function nodeLabelsText(record: NodeRecord): string {
  return `ensemble="${escapeLabelValue(record.ensemble)}",server="${escapeLabelValue(record.server)}"`;
}

/**
 * Writes the non-mntr families of one node (record) straight to text, one string per family: this runs
 * for every node every fast-lane round, so it builds no family objects and no label objects.
 */
function renderOwn(record: NodeRecord, reuse: Block | undefined): Block {
  const node = nodeLabelsText(record);
  const texts = new Array<string>(OWN_META.length).fill('');
  eachNodeSample(record, (at, value, labels) => {
    let extra = '';
    if (labels !== undefined) for (const name in labels) extra += `,${name}="${escapeLabelValue(labels[name]!)}"`;
    texts[at] += `${OWN_META[at]!.family}{${node}${extra}} ${formatValue(value)}\n`;
  });
  return blockOf(texts, OWN_META, reuse);
}

/** Writes the mntr series of one node. */
function renderMntr(record: NodeRecord, mntr: NonNullable<NodeRecord['mntr']>, reuse: Block | undefined): Block {
  const node = nodeLabelsText(record);
  const { groups, meta, labels } = familiesOf(mntr.plan);
  const texts = groups.map((items) => {
    let text = '';
    for (const i of items) text += `${mntr.plan[i]!.sample}{${node}${labels[i]}} ${formatValue(mntr.values[i]!)}\n`;
    return text;
  });
  return blockOf(texts, meta, reuse);
}

/** A family being assembled at scrape time: its header and the nodes' slices in node order. */
interface Assembly {
  header: string;
  type: SnapshotFamily['type'];
  /** Flat triples: node bytes, start, end. */
  slices: Array<Buffer | number>;
}

/** The per-node families of one scrape, ready to be copied into the response. */
export interface NodeExposition {
  /** Bytes {@link writeTo} writes: family blocks each ending in a newline, separated by a blank line. */
  readonly byteLength: number;
  /** Copies the bytes into `out` at `offset`; throws once the cache has assembled another exposition. */
  writeTo(out: Buffer, offset: number): number;
  /**
   * The `zookeeper_exporter_mntr_conflicting_series` family (text, '' when none): per node, the mntr
   * series left out of this scrape because a node listed before it gave the family another type.
   */
  readonly conflicts: string;
}

/**
 * The per-node families' text, rendered once per node record and copied per scrape. The output is
 * byte for byte what `renderFamilies` makes of `addNodeFamilies` over the same records.
 */
export class NodeTextCache {
  // By node (ensemble and server): a node's next record is written over the bytes of its last.
  private readonly slots = new Map<string, NodeSlot>();
  // Counts assemblies: an exposition copies from the slots' buffers, which the next assembly may overwrite.
  private assembly = 0;

  private textOf(record: NodeRecord): NodeText {
    const mntr = record.sample.srvr.ok ? record.mntr : undefined;
    const key = `${record.ensemble}\n${record.server}`;
    let slot = this.slots.get(key);
    if (slot === undefined || slot.assembly === this.assembly) {
      const fresh: NodeSlot = { record, own: renderOwn(record, undefined), mntrFrom: undefined, mntr: undefined, assembly: this.assembly };
      // A node listed twice in one scrape (not from the store) keeps its first slot: that text is still to be copied.
      if (slot === undefined) this.slots.set(key, fresh);
      slot = fresh;
    } else if (slot.record !== record) {
      slot.own = renderOwn(record, slot.own);
      slot.record = record;
    }
    if (mntr !== undefined && slot.mntrFrom !== mntr) {
      slot.mntr = renderMntr(record, mntr, slot.mntr);
      slot.mntrFrom = mntr;
    }
    slot.assembly = this.assembly;
    return { own: slot.own, mntr: mntr === undefined ? undefined : slot.mntr };
  }

  /** Forgets the nodes the last assembly did not list (removed by a reload, or gone from a dynamic ensemble). */
  private forgetUnlisted(): void {
    for (const [key, slot] of this.slots) if (slot.assembly !== this.assembly) this.slots.delete(key);
  }

  /** The per-node families of `records`, grouped by family in first-seen order. */
  assemble(records: readonly NodeRecord[]): NodeExposition {
    const assembly = ++this.assembly;
    const families = new Map<string, Assembly>();
    const typeOf = (name: string): SnapshotFamily['type'] | undefined => families.get(name)?.type;
    const conflicting = new Map<NodeRecord, number>();
    const add = (record: NodeRecord, { bytes, meta, bounds }: Block): void => {
      meta.forEach((segment, index) => {
        let family = families.get(segment.family);
        if (
          segment.mntr &&
          (family === undefined ? mntrFamilyRefused(typeOf, segment.family, segment.type) : family.type !== segment.type)
        ) {
          conflicting.set(record, (conflicting.get(record) ?? 0) + segment.lines);
          return;
        }
        if (family === undefined) {
          family = { header: familyHeader(segment.family, segment.help, segment.type), type: segment.type, slices: [] };
          families.set(segment.family, family);
        }
        if (bounds[index + 1]! > bounds[index]!) family.slices.push(bytes, bounds[index]!, bounds[index + 1]!);
      });
    };
    for (const record of records) {
      const text = this.textOf(record);
      add(record, text.own);
      if (text.mntr !== undefined) add(record, text.mntr);
    }
    this.forgetUnlisted();
    const blocks = [...families.values()].filter((family) => family.slices.length > 0);
    let byteLength = Math.max(0, blocks.length - 1);
    for (const family of blocks) {
      byteLength += Buffer.byteLength(family.header);
      for (let i = 0; i < family.slices.length; i += 3) byteLength += (family.slices[i + 2] as number) - (family.slices[i + 1] as number);
    }
    return {
      byteLength,
      conflicts: conflictsText(conflicting),
      writeTo: (out: Buffer, offset: number): number => {
        if (this.assembly !== assembly) throw new Error('a node exposition was written after the next one was assembled');
        let at = offset;
        blocks.forEach((family, index) => {
          if (index > 0) at += out.write('\n', at);
          at += out.write(family.header, at);
          const { slices } = family;
          for (let i = 0; i < slices.length; i += 3)
            at += (slices[i] as Buffer).copy(out, at, slices[i + 1] as number, slices[i + 2] as number);
        });
        return at - offset;
      },
    };
  }

  /** {@link assemble}'s bytes as a string (for tests and tools). */
  render(records: readonly NodeRecord[]): string {
    const exposition = this.assemble(records);
    const out = Buffer.allocUnsafe(exposition.byteLength);
    exposition.writeTo(out, 0);
    return out.toString('utf8');
  }
}

/** The conflict family's text, one sample per node that lost series; '' when none did. */
function conflictsText(conflicting: ReadonlyMap<NodeRecord, number>): string {
  if (conflicting.size === 0) return '';
  const family = new FamilySet().family(
    'zookeeper_exporter_mntr_conflicting_series',
    'mntr series of each node left out of this scrape because a node listed before it gave the same family another type.',
    'gauge',
  );
  for (const [record, lines] of conflicting) family.add(lines, { ensemble: record.ensemble, server: record.server });
  return renderFamilies([family]);
}
