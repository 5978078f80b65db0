/**
 * Alertmanager-style label matchers (`label="v"`, `label!="v"`, `label=~"re"`, `label!~"re"`):
 * parsed once when config is loaded, then applied to alert labels.
 */

/** How a matcher compares a label value. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/** One parsed label matcher. */
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
  /** For `=~` and `!~`: the value as a fully anchored regex. */
  regex?: RegExp;
  /** The text it was parsed from (for messages and the status API). */
  text: string;
}

/** A parsed matcher or why not. */
export type ParseMatcherResult = { ok: true; matcher: Matcher } | { ok: false; reason: string };

const MATCHER_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n' };

/** Parses `label="v"`, `label!="v"`, `label=~"re"` or `label!~"re"` (value double-quoted; `\"`, `\\`, `\n` escapes). */
export function parseMatcher(text: string): ParseMatcherResult {
  const m = MATCHER_RE.exec(text);
  if (!m)
    return {
      ok: false,
      reason: `matcher ${JSON.stringify(text)}: expected label="value", label!="value", label=~"regex" or label!~"regex"`,
    };
  const [, label, op, quoted] = m as unknown as [string, string, MatchOp, string];
  let value = '';
  for (let i = 0; i < quoted.length; i++) {
    const c = quoted[i] as string;
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = quoted[++i] as string;
    const escaped = ESCAPES[next];
    if (escaped === undefined)
      return { ok: false, reason: `matcher ${JSON.stringify(text)}: unknown escape \\${next} (use \\", \\\\ or \\n)` };
    value += escaped;
  }
  const matcher: Matcher = { label, op, value, text };
  if (op === '=~' || op === '!~') {
    try {
      // Anchored like Alertmanager (and Prometheus): the regex must match the whole value.
      matcher.regex = new RegExp(`^(?:${value})$`);
    } catch (err) {
      return { ok: false, reason: `matcher ${JSON.stringify(text)}: invalid regular expression: ${(err as Error).message}` };
    }
  }
  return { ok: true, matcher };
}

/** True when `labels` satisfy the matcher; a missing label counts as the empty string (as in Alertmanager). */
export function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.regex!.test(value);
    case '!~':
      return !matcher.regex!.test(value);
  }
}
