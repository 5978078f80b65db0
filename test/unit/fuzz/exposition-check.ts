// An in-process checker of the Prometheus text format (0.0.4) for the exposition property test: the
// parser's rules (names, label syntax and escapes, values, one HELP/TYPE per family before its samples,
// summary quantiles, no repeated series). promtool also lints; the test runs it on a batch too.

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A string with one encodes to invalid UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const VALUE = /^(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)$/;

/** Parses `{a="x",b="y"}` at the start of `text`; returns the labels and the rest, or a problem. */
function readLabels(text: string): { labels: Array<[string, string]>; rest: string } | string {
  const labels: Array<[string, string]> = [];
  let i = 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('="', i);
    if (eq < 0) return 'label without ="';
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) return `bad label name ${JSON.stringify(name)}`;
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined || c === '\n') return 'unterminated label value';
      if (c === '"') break;
      if (c === '\\') {
        const e = text[j + 1];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else return `bad escape \\${e}`;
        j += 2;
      } else {
        value += c;
        j++;
      }
    }
    if (LONE_SURROGATE.test(value)) return 'label value is not valid UTF-8';
    if (labels.some(([n]) => n === name)) return `label ${name} twice`;
    labels.push([name, value]);
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return 'expected , or }';
  }
  return { labels, rest: text.slice(i + 1) };
}

/** Every problem the text format's parser would report in `text` (empty: it parses). */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  if (text !== '' && !text.endsWith('\n')) problems.push('no final newline');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const sampled = new Set<string>();
  const series = new Set<string>();
  let current = '';
  for (const line of text.split('\n').slice(0, -1)) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) problems.push(`bad family name ${name}`);
      if (kind === 'HELP') {
        if (helps.has(name)) problems.push(`second HELP for ${name}`);
        helps.add(name);
        if (/\\[^n\\]/.test(rest.replace(/\\\\/g, ''))) problems.push(`bad escape in HELP of ${name}`);
      } else {
        if (types.has(name)) problems.push(`second TYPE for ${name}`);
        if (sampled.has(name)) problems.push(`TYPE for ${name} after its samples`);
        if (!['counter', 'gauge', 'summary', 'histogram', 'untyped'].includes(rest)) problems.push(`bad type ${rest}`);
        types.set(name, rest);
      }
      current = name;
      continue;
    }
    if (line.startsWith('#')) continue;
    const nameEnd = line.search(/[{ ]/);
    const name = nameEnd < 0 ? line : line.slice(0, nameEnd);
    if (!NAME.test(name)) {
      problems.push(`bad metric name ${JSON.stringify(name.slice(0, 60))}`);
      continue;
    }
    let labels: Array<[string, string]> = [];
    let rest = line.slice(name.length);
    if (rest.startsWith('{')) {
      const read = readLabels(rest);
      if (typeof read === 'string') {
        problems.push(`${name}: ${read}`);
        continue;
      }
      ({ labels, rest } = read);
    }
    const value = rest.replace(/^ /, '');
    if (!VALUE.test(value)) problems.push(`${name}: bad value ${JSON.stringify(value.slice(0, 40))}`);
    const summaryBase = /^(.+)_(?:sum|count)$/.exec(name)?.[1];
    const family = types.get(current) === 'summary' && (name === current || summaryBase === current) ? current : name;
    if (family !== current) problems.push(`${name}: sample outside its family block (${current})`);
    sampled.add(family);
    if (types.get(family) === 'summary' && name === family) {
      const q = labels.find(([n]) => n === 'quantile');
      if (!q || !VALUE.test(q[1])) problems.push(`${name}: quantile ${JSON.stringify(q?.[1])} is not a float`);
    }
    const id = `${name}{${labels
      .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
      .sort()
      .join(',')}}`;
    if (series.has(id)) problems.push(`repeated series ${id.slice(0, 120)}`);
    series.add(id);
  }
  return problems;
}
