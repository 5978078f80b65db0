/** Label set of one sample. */
export type Labels = Record<string, string | number>;

/** One sample line. `metricName` is set for `_sum`/`_count` lines of a summary. */
export interface FamilyValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

/**
 * A metric family built from an in-memory snapshot at scrape time and written out by
 * {@link renderFamilies}. It also has the shape prom-client's Registry reads (`get()` → name, help, type,
 * values), which the tests use to check the renderer against prom-client's own output.
 */
export class SnapshotFamily {
  readonly aggregator = 'sum';
  readonly values: FamilyValue[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter' | 'summary' | 'untyped',
  ) {}

  /** Adds one sample line. */
  add(value: number, labels: Labels, metricName?: string): void {
    this.values.push(metricName === undefined ? { value, labels } : { value, labels, metricName });
  }

  /** The family as built, in the shape prom-client's Registry reads. */
  get(): { name: string; help: string; type: string; values: FamilyValue[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: this.values, aggregator: this.aggregator };
  }
}

/** Collects families by name, creating each on first use. */
export class FamilySet {
  private readonly families = new Map<string, SnapshotFamily>();

  /** The family `name`, created with `help`/`type` the first time it is asked for. */
  family(name: string, help: string, type: SnapshotFamily['type']): SnapshotFamily {
    let family = this.families.get(name);
    if (!family) {
      family = new SnapshotFamily(name, help, type);
      this.families.set(name, family);
    }
    return family;
  }

  /** Whether `name` exists already (with whatever type). */
  typeOf(name: string): SnapshotFamily['type'] | undefined {
    return this.families.get(name)?.type;
  }

  /** Every family built so far, in creation order. */
  all(): SnapshotFamily[] {
    return [...this.families.values()];
  }
}

function escapeText(text: string): string {
  // Nearly every text has nothing to escape; one test is cheaper than two replaces (hundreds of
  // thousands of label values per minute at 1,000 nodes).
  return /[\\\n]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text;
}

/** A label value as written between quotes: backslash, newline and double quote escaped. */
export function escapeLabelValue(value: string): string {
  return /[\\\n"]/.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

/** The `# HELP` and `# TYPE` lines of a family, each ending in a newline. */
export function familyHeader(name: string, help: string, type: SnapshotFamily['type']): string {
  const escaped = escapeText(name);
  return `# HELP ${escaped} ${escapeText(help)}\n# TYPE ${escaped} ${type}\n`;
}

/** A label set as written after the metric name: `{name="value",…}` (escaped), or '' when empty. */
function labelsText(labels: Labels): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) parts.push(`${name}="${escapeLabelValue(String(value))}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A sample value as the text format writes it (`NaN`, `+Inf`, `-Inf`, else the shortest exact decimal). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Renders snapshot families in the Prometheus text format (0.0.4), the same layout prom-client's
 * Registry produces. Written out here because scrape-time families reach hundreds of thousands of
 * lines at 1,000 nodes, where building a registry per scrape and formatting each label set anew cost
 * seconds of CPU; a node's label set is shared by all its series, so it is escaped once per scrape.
 */
export function renderFamilies(families: readonly SnapshotFamily[]): string {
  const labelText = new WeakMap<Labels, string>();
  const labelsOf = (labels: Labels): string => {
    let text = labelText.get(labels);
    if (text === undefined) {
      text = labelsText(labels);
      labelText.set(labels, text);
    }
    return text;
  };
  const blocks: string[] = [];
  for (const family of families) {
    if (family.values.length === 0) continue;
    const name = escapeText(family.name);
    const lines = [`# HELP ${name} ${escapeText(family.help)}`, `# TYPE ${name} ${family.type}`];
    for (const sample of family.values) lines.push(`${sample.metricName ?? name}${labelsOf(sample.labels)} ${formatValue(sample.value)}`);
    blocks.push(lines.join('\n'));
  }
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}
