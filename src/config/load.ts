/**
 * Loads the agent's configuration in one pass: flags and env are merged over the YAML file and
 * the result is checked by the one schema, every problem from every source collected before
 * answering. Reads nothing but through `readFile`, so a reload can run it again and keep the old
 * config when it fails.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import { createAgentCommand, parseCommandLine, type Given } from './cli.js';
import { problemsFrom } from './issues.js';
import { describeValue, isMapping, joinPath, oneLine, type PathSegment, type Problem } from './problems.js';
import { configSchema, fieldAt } from './schema.js';
import { mergeSources, type Loose } from './sources.js';
import type { AgentConfig } from './types.js';
import { describeReadError } from '../model/read-error.js';

export { formatProblems, type Problem } from './problems.js';

/** Environment variables as `process.env` holds them. */
export type Env = NodeJS.ProcessEnv;

/** Inputs of {@link loadConfig}. */
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
  { ok: true; config: AgentConfig; sourceOf: (path: readonly PathSegment[]) => string } | { ok: false; problems: Problem[]; help?: string };

/** Parses `argv`, reads env and the config file, merges them (flags > env > file > defaults) and validates. */
export function loadConfig(options: LoadOptions): LoadResult {
  const cmd = options.command ?? createAgentCommand();
  const parsed = parseCommandLine(cmd, options.argv, options.env);
  if (parsed.help) return { ok: false, problems: [], help: cmd.helpInformation() };

  const problems: Problem[] = [];
  const configFlag = parsed.given.find((g) => g.spec.flag === '--config');
  const file = configFlag && readConfig(configFlag, options.readFile ?? ((path) => readFileSync(path, 'utf8')), problems);
  const merged = mergeSources(file ?? {}, configFlag !== undefined, parsed.given, parsed.overridden, options.env);
  if (file === undefined && configFlag !== undefined) {
    // Without the file's values, checks across fields would guess; each flag and env value is checked on its own.
    problems.push(...merged.placed.flatMap(checkAlone));
  } else {
    const result = configSchema.safeParse(merged.raw, { reportInput: true });
    problems.push(...(result.success ? [] : problemsFrom(result.error.issues, merged.origins)), ...merged.shadowed.flatMap(checkAlone));
    if (result.success && problems.length + merged.problems.length + parsed.problems.length === 0) {
      const sourceOf = (path: readonly PathSegment[]) => {
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

/** Problems of one value checked against its field's schema, reported where it was written. */
function checkAlone(loose: Loose): Problem[] {
  const result = fieldAt(loose.path)?.safeParse(loose.value, { reportInput: true });
  if (result === undefined || result.success) return [];
  const label = (path: readonly (string | number)[]) => joinPath(loose.label, path.slice(loose.path.length));
  return problemsFrom(result.error.issues, { label, given: () => true }, loose.path);
}

/** The file's mapping, or undefined when it cannot be used (the problems say why, at the flag or env var that named it). */
function readConfig(named: Given, readFile: (path: string) => string, problems: Problem[]): Record<string, unknown> | undefined {
  const path = named.value as string;
  if (path === '') {
    problems.push({ path: named.label, message: 'needs a file path' });
    return undefined;
  }
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    problems.push({ path: named.label, message: `cannot read ${JSON.stringify(path)}: ${describeReadError(error)}` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const error of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const message =
      error.code === 'DUPLICATE_KEY'
        ? 'duplicate key'
        : error.code === 'MULTIPLE_DOCS'
          ? 'the file must hold one YAML document, not several'
          : error.message;
    problems.push({ path: `${path}:${line}:${col}`, message: oneLine(message) });
  }
  if (doc.errors.length + doc.warnings.length > 0) return undefined;
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    problems.push({ path, message: oneLine((error as Error).message) });
    return undefined;
  }
  if (isMapping(raw)) return raw;
  problems.push({ path, message: `must be a mapping of settings, got ${describeValue(raw)}` });
  return undefined;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.path}\u0000${p.message}`) && seen.add(`${p.path}\u0000${p.message}`));
}
