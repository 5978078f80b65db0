/**
 * Loads the agent's configuration in one pass: flags and env are merged over the YAML file and
 * the result is checked by the one schema, every problem from every source collected before
 * answering. Reads nothing but through `readFile`, so a reload can run it again and keep the old
 * config when it fails. Zod's issues become problems here, with the paths the user wrote.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { createAgentCommand, parseCommandLine, type Given } from './cli.js';
import { describeValue, isMapping, joinPath, oneLine, suggest, type Path, type PathSegment, type Problem } from './problems.js';
import { configSchema, docAt, mappingOf, type CheckParams } from './schema.js';
import { mergeSources, type Loose, type Origins } from './sources.js';
import type { AgentConfig } from './types.js';
import { describeReadError } from '../model/read-error.js';

export { formatProblems, type Problem } from './problems.js';

export type Env = NodeJS.ProcessEnv;

export interface LoadOptions {
  /** User arguments only: `process.argv.slice(2)`. */
  argv: readonly string[];
  env: Env;
  /** Reads the config file as UTF-8 text; defaults to `fs.readFileSync`. Throw to report it unreadable. */
  readFile?: (path: string) => string;
  /** The command whose flags `argv` holds; defaults to the agent's (every flag). */
  command?: Command;
}

/**
 * The resolved config and where each value came from (`sourceOf(['timeout'])`: `--timeout`,
 * `ZK_EXPORTER_TIMEOUT`, `file` or `default`), or every problem found. `help` is set (with no
 * problems) when `--help` was asked for.
 */
export type LoadResult =
  { ok: true; config: AgentConfig; sourceOf: (path: Path) => string } | { ok: false; problems: Problem[]; help?: string };

/** Parses `argv`, reads env and the config file, merges them (flags > env > file > defaults) and validates. */
export function loadConfig(options: LoadOptions): LoadResult {
  const cmd = options.command ?? createAgentCommand();
  const parsed = parseCommandLine(cmd, options.argv, options.env);
  if (parsed.help) return { ok: false, problems: [], help: cmd.helpInformation() };

  const problems: Problem[] = [];
  const configFlag = parsed.given.find((g) => g.spec.flag === '--config');
  const file = configFlag && readConfig(configFlag, options.readFile ?? ((path) => readFileSync(path, 'utf8')), problems);
  const merged = mergeSources(file ?? {}, configFlag !== undefined, parsed, options.env);
  if (file === undefined && configFlag !== undefined) {
    // Without the file's values, checks across fields would guess; each flag and env value is checked on its own.
    problems.push(...merged.placed.flatMap(checkAlone));
  } else {
    const result = configSchema.safeParse(merged.raw, { reportInput: true });
    problems.push(...(result.success ? [] : problemsFrom(result.error.issues, merged.origins)), ...merged.shadowed.flatMap(checkAlone));
    if (result.success && problems.length + merged.problems.length + parsed.problems.length === 0) {
      const sourceOf = (path: Path) => {
        const label = merged.origins.label(path).split(/[[.]/)[0]!;
        return !merged.origins.given(path) ? 'default' : /^(--|ZK_EXPORTER_)/.test(label) ? label : 'file';
      };
      return { ok: true, config: result.data, sourceOf };
    }
  }
  // The file's problems first, then the env's, then the flags'.
  const rank = (p: Problem) => (p.path.startsWith('ZK_EXPORTER_') ? 1 : p.path.startsWith('--') ? 2 : 0);
  const sorted = [...merged.problems, ...problems].sort((a, b) => rank(a) - rank(b));
  return { ok: false, problems: dedupe([...sorted, ...parsed.problems]) };
}

/**
 * Problems of one value checked on its own, reported where it was written: the whole schema parses
 * the value alone at its path and only what lies within it counts (not its siblings' checks).
 */
function checkAlone(loose: Loose): Problem[] {
  // Indices do not matter here (labels start at the value), so each list holds the value first.
  const at = loose.path.map((s) => (typeof s === 'number' ? 0 : s));
  const raw = at.reduceRight<unknown>((value, s) => (typeof s === 'number' ? [value] : { [s]: value }), loose.value);
  const issues = configSchema.safeParse(raw, { reportInput: true }).error?.issues ?? [];
  const within = (issue: z.core.$ZodIssue) =>
    at.every((s, i) => issue.path[i] === s) && issue.path.length - ((issue as { params?: CheckParams }).params?.depth ?? 0) >= at.length;
  const label = (path: Path) => joinPath(loose.label, path.slice(at.length));
  return problemsFrom(issues.filter(within), { label, given: () => true });
}

/** One problem per issue (one per key for unknown keys), with the paths the user wrote. */
function problemsFrom(issues: readonly z.core.$ZodIssue[], origins: Origins, prefix: Path = []): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const at: PathSegment[] = [...prefix, ...issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s))];
    if (issue.code === 'invalid_union') {
      // The option whose type the value has (a string or a mapping) says what is wrong with it.
      const meant = issue.errors.filter((option) => !option.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (meant.length === 1) return problemsFrom(meant[0]!, origins, at);
    }
    if (issue.code === 'unrecognized_keys') {
      const allowed = Object.keys(mappingOf(docAt(at))?.properties ?? {});
      return issue.keys.map((key) => ({ path: origins.label([...at, key]), message: `unknown key; ${suggest(key, allowed, 'allowed')}` }));
    }
    const params = (issue.code === 'custom' ? issue.params : undefined) as CheckParams | undefined;
    const base = at.slice(0, at.length - (params?.depth ?? 0));
    const elsewhere = params?.or && [...base, ...params.or];
    const where = elsewhere && !origins.given(at) && origins.given(elsewhere) ? elsewhere : at;
    let message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    if (params?.also) message += ` (also ${origins.label([...base, ...params.also])})`;
    return [{ path: origins.label(where), message }];
  });
}

/** What YAML says of these errors is not clear enough. */
const YAML_MESSAGES: Record<string, string> = {
  DUPLICATE_KEY: 'duplicate key',
  MULTIPLE_DOCS: 'the file must hold one YAML document, not several',
};

/** The file's mapping, or undefined when it cannot be used (the problems say why, at the flag or env var that named it). */
function readConfig(named: Given, readFile: (path: string) => string, problems: Problem[]): Record<string, unknown> | undefined {
  const fail = (...found: Problem[]) => void problems.push(...found);
  const path = named.value as string;
  if (path === '') return fail({ path: named.label, message: 'needs a file path' });
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return fail({ path: named.label, message: `cannot read ${JSON.stringify(path)}: ${describeReadError(error)}` });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const error of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    fail({ path: `${path}:${line}:${col}`, message: oneLine(YAML_MESSAGES[error.code] ?? error.message) });
  }
  if (doc.errors.length + doc.warnings.length > 0) return undefined;
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    return fail({ path, message: oneLine((error as Error).message) });
  }
  return isMapping(raw) ? raw : fail({ path, message: `must be a mapping of settings, got ${describeValue(raw)}` });
}

function dedupe(problems: Problem[]): Problem[] {
  return [...new Map(problems.map((p) => [`${p.path}\u0000${p.message}`, p])).values()];
}
