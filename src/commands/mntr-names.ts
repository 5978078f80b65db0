// Which names and label values an mntr series may carry. Keys come from the node and are not trusted:
// a series that `promtool check metrics` would reject (its text parser or its lint rules) is dropped,
// never written, so one node cannot break the whole exposition.

/** Why an mntr entry yielded no series; exported as the `reason` of the dropped-series counter. */
export type MntrDropReason = 'invalid_name' | 'invalid_label' | 'name_clash' | 'over_cap';

/** Most mntr series one node may export; the rest of its reply is dropped as `over_cap` (a 3.8 leader prints ~540 keys). */
export const MNTR_SERIES_CAP = 2000;

// Unit abbreviations the Prometheus linter rejects as name tokens (s, ms, us, ns and sec are renamed to
// `seconds` before this check, so only these can remain).
const ABBREVIATIONS = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd']);
// Unit words the linter knows, with their base unit: a token naming a non-base unit (`minutes`, `bits`)
// or a prefixed one (`milliseconds`, `kilobytes`) is rejected.
const UNITS: Record<string, string> = {
  amperes: 'amperes',
  bytes: 'bytes',
  celsius: 'celsius',
  grams: 'grams',
  joules: 'joules',
  kelvin: 'kelvin',
  meters: 'meters',
  metres: 'metres',
  seconds: 'seconds',
  volts: 'volts',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kelvins: 'kelvin',
  fahrenheit: 'celsius',
  rankine: 'celsius',
  inches: 'meters',
  yards: 'meters',
  miles: 'meters',
  bits: 'bytes',
  calories: 'joules',
  pounds: 'grams',
  ounces: 'grams',
};
const UNIT_PREFIXES = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function nonBaseUnit(token: string): boolean {
  if (Object.hasOwn(UNITS, token)) return UNITS[token] !== token;
  return UNIT_PREFIXES.some((prefix) => token.startsWith(prefix) && Object.hasOwn(UNITS, token.slice(prefix.length)));
}

/**
 * Why `family` (of `type`) would fail `promtool check metrics`, or undefined when it passes. Stricter
 * than the linter where that is simpler: any non-base unit token is refused, not only the first unit token.
 */
export function nameProblem(family: string, type: 'untyped' | 'summary'): string | undefined {
  if (!METRIC_NAME.test(family)) return 'not a metric name';
  if (family.includes(':')) return 'reserved character ":"';
  if (family !== family.toLowerCase()) return 'not snake_case';
  for (const token of family.split('_')) {
    if (ABBREVIATIONS.has(token)) return `abbreviated unit "${token}"`;
    if (nonBaseUnit(token)) return `non-base unit "${token}"`;
  }
  // Untyped families are exempt from the type-specific rules; summaries are not.
  if (type === 'summary') {
    if (family.endsWith('_total')) return 'a summary ending in "_total"';
    if (family.endsWith('_bucket')) return 'a summary ending in "_bucket"';
    if (family.endsWith('_summary') || family.includes('_summary_')) return 'a summary named "summary"';
  }
  return undefined;
}

// A plain decimal, as ZooKeeper's Prometheus provider prints quantiles (`0.5`, `0.999`).
const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/**
 * A `quantile` label value in canonical form (`"0.50"` → `"0.5"`), or undefined when it is not a number
 * in [0, 1]: Prometheus's text parser rejects a summary line whose quantile is not a float.
 */
export function canonicalQuantile(text: string): string | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return value >= 0 && value <= 1 ? String(value) : undefined;
}
