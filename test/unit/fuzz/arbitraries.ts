// Hostile replies for the property tests: random text, raw bytes, truncated, oversized, spliced and
// mutated captures. `FUZZ_RUNS` raises every property's run count (`npm run fuzz`).
import fc from 'fast-check';
import { fixture } from '../parse/fixtures.js';

/** Runs of one property: `base` in the unit suite, `FUZZ_RUNS` when set. */
export function runs(base: number): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : base;
}

/** The captured replies of one word, over every version and role that has them. */
export function capturesOf(word: string): string[] {
  const paths = [
    '3.4.14/leader',
    '3.4.14/follower',
    '3.5.9/leader',
    '3.5.9/standalone',
    '3.8.0/leader',
    '3.8.0/follower',
    '3.8.0/observer',
    '3.8.0/standalone',
  ];
  const out: string[] = [];
  for (const path of paths) {
    try {
      out.push(fixture(`zookeeper-${path}/${word}.txt`));
    } catch {
      // not every word was captured for every version
    }
  }
  if (word === 'mntr') out.push(fixture('hand-made/prometheus-provider/mntr.txt'));
  return out;
}

/** Bytes as the four-letter transport turns them into text (UTF-8, invalid sequences as U+FFFD). */
const bytesAsText = fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes).toString('utf8'));

// Fragments that steer random text toward the shapes the parsers look for.
const FRAGMENTS = [
  'zk_',
  '\t',
  '\n',
  '\r\n',
  '{',
  '}',
  '="',
  '",',
  'quantile',
  '0.5',
  'NaN',
  '-1',
  '1.0E-4',
  'Infinity',
  ':',
  '=',
  'Mode: ',
  'leader',
  'follower',
  'Zxid: 0x',
  'Latency min/avg/max: ',
  '/',
  'server.1=',
  'membership: ',
  ';',
  ' connections watching ',
  ' paths',
  'Total watches:',
  'Environment:',
  'zookeeper.version=',
  ' /1.2.3.4:5[1](',
  'queued=',
  ',',
  ')',
  'sid=0x1',
  'rw',
  'ro',
  'null',
  '__proto__',
  'constructor',
  '_count',
  '_sum',
  'cnt_',
  'p99_',
  '_ms',
  '\u0000',
  '\\',
  '"',
  '\u00e9',
  '\ud83d\ude00',
  '\ufffd',
  '9'.repeat(30),
  ' ',
];
const steered = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), { maxLength: 80 })
  .map((parts) => parts.join(''));

type Mutation = (text: string, rng: { pick: number; other: string }) => string;
const MUTATIONS: Mutation[] = [
  (t, r) => t.slice(0, r.pick % (t.length + 1)), // truncated mid-reply, as a cut connection leaves it
  (t, r) => t.slice(r.pick % (t.length + 1)),
  (t, r) => {
    const lines = t.split('\n');
    const i = r.pick % lines.length;
    return [...lines.slice(0, i), lines[i]!, ...lines.slice(i)].join('\n'); // a line printed twice
  },
  (t, r) => {
    const lines = t.split('\n');
    const i = r.pick % lines.length;
    return [...lines.slice(0, i), r.other, ...lines.slice(i + 1)].join('\n'); // a line replaced
  },
  (t, r) => {
    const i = r.pick % (t.length + 1);
    return t.slice(0, i) + r.other + t.slice(i); // text inserted
  },
  (t, r) => {
    const i = r.pick % (t.length + 1);
    const o = r.other.length > 0 ? r.other : 'x';
    return t.slice(0, i) + o + t.slice(i + o.length); // bytes overwritten
  },
  (t) => t.replace(/\n/g, '\r\n'),
  (t, r) => {
    // One number (not always the first) replaced: by other text, or by one too long for any Java type.
    let n = 0;
    const target = r.pick % 40;
    return t.replace(/[0-9]+/g, (digits) => (n++ === target ? (r.pick % 2 === 0 ? r.other : '9'.repeat(320)) : digits));
  },
];

/** A captured reply changed by a few mutations. */
function mutated(captures: readonly string[]): fc.Arbitrary<string> {
  const step = fc.record({
    mutation: fc.nat(MUTATIONS.length - 1),
    pick: fc.nat(),
    other: fc.oneof(steered, fc.string({ maxLength: 20 })),
  });
  return fc
    .tuple(fc.constantFrom(...captures), fc.array(step, { minLength: 1, maxLength: 4 }))
    .map(([text, steps]) => steps.reduce((acc, s) => MUTATIONS[s.mutation]!(acc, s), text));
}

/** Two replies spliced: the head of one and the tail of another, as interleaved writes would leave them. */
function spliced(captures: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...captures), fc.constantFrom(...captures), fc.nat(), fc.nat())
    .map(([a, b, i, j]) => a.slice(0, i % (a.length + 1)) + b.slice(j % (b.length + 1)));
}

/** A capture repeated with numbered keys until it is large (up to ~800 kB): oversized replies. */
function oversized(captures: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...captures), fc.integer({ min: 2, max: 25 }), fc.boolean())
    .map(([text, times, renumber]) =>
      Array.from({ length: times }, (_, i) => (renumber ? text.replace(/^zk_/gm, `zk_r${i}_`) : text)).join(''),
    );
}

/** Any reply a hostile or broken node might send for a word whose real replies are `captures`. */
export function hostileReply(captures: readonly string[]): fc.Arbitrary<string> {
  const real = captures.length > 0 ? captures : [''];
  return fc.oneof(
    { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 2, arbitrary: bytesAsText },
    { weight: 3, arbitrary: steered },
    { weight: 6, arbitrary: mutated(real) },
    { weight: 2, arbitrary: spliced(real) },
    { weight: 1, arbitrary: oversized(real) },
    { weight: 1, arbitrary: fc.constantFrom(...real) },
  );
}

/** JSON values shaped like AdminServer bodies: random JSON, and `base` with fields replaced or removed. */
export function hostileJson(bases: readonly unknown[]): fc.Arbitrary<unknown> {
  const tweaked = fc
    .tuple(
      fc.constantFrom(...bases),
      fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }), fc.boolean()), { maxLength: 4 }),
      fc.nat(),
    )
    .map(([base, edits, pick]) => {
      if (typeof base !== 'object' || base === null || Array.isArray(base)) return base;
      const copy: Record<string, unknown> = { ...(base as Record<string, unknown>) };
      const keys = Object.keys(copy);
      for (const [extra, value, remove] of edits) {
        const key = keys.length > 0 && extra.length < 2 ? keys[pick % keys.length]! : extra;
        if (remove) Reflect.deleteProperty(copy, key);
        else copy[key] = value;
      }
      return copy;
    });
  return fc.oneof(fc.jsonValue({ maxDepth: 3 }), tweaked, fc.constantFrom(...bases), fc.anything({ maxDepth: 2 }));
}

/** Per-test timeout: generous under `npm run fuzz`, where run counts are large. */
export const FUZZ_TIMEOUT = process.env.FUZZ_RUNS ? 3_600_000 : 30_000;
