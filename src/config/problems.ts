/** One thing wrong with the configuration, wherever it came from. */
export interface Problem {
  /** Where: a file path like `ensembles[0].servers[1]`, a flag like `--interval`, or an env var like `ZK_EXPORTER_INTERVAL`. */
  path: string;
  /** What is wrong, without repeating the path; one line. */
  message: string;
}

/** A segment of a path into the config file: a key or a list index. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** Renders `prefix` + segments as `ensembles[0].servers[1]` (prefix may be empty or a flag name). */
export function joinPath(prefix: string, segments: Path): string {
  return segments.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : out === '' ? s : `${out}.${s}`), prefix);
}

/** Renders problems one per line as `config error: <path>: <message>` (no trailing newline). */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `config error: ${oneLine(p.path)}: ${oneLine(p.message)}`).join('\n');
}

/** Collapses line breaks so each problem stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Describes a config value for a message: strings quoted, lists and mappings named. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'function' || typeof value === 'symbol' ? typeof value : `${value as number | boolean | bigint}`;
}

/** True for a YAML mapping as parsed to JS: a non-null, non-array object. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `did you mean "y"?` when `word` is a likely typo of a candidate (edit distance ≤ 2), else `<listed>: a, b, c`. */
export function suggest(word: string, candidates: readonly string[], listed: string): string {
  const scored = candidates.map((candidate) => [editDistance(word.toLowerCase(), candidate.toLowerCase()), candidate] as const);
  const closest = scored.reduce<readonly [number, string?]>((best, next) => (next[0] < best[0] ? next : best), [3])[1];
  return closest === undefined ? `${listed}: ${candidates.join(', ')}` : `did you mean ${JSON.stringify(closest)}?`;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
