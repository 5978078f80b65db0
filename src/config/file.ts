/** The YAML config file: text → per-field checked settings and ensembles, every problem collected. */
import { LineCounter, parseDocument } from 'yaml';
import { checkHooksSection, type HooksFile } from './hooks.js';
import type { Problem } from './problems.js';
import { describeValue, isMapping, oneLine } from './problems.js';
import { configFileSchema, logSchema } from './schema.js';
import { SETTINGS, type Given, type Settings } from './settings.js';
import { checkEnsemble, checkField, checkKeys, checkList, checkMapping, checkUniqueNames, type At, type EnsembleEntry } from './walk.js';

/** What the file says. */
export interface FileLayer {
  /** Settings the file sets (absent keys: not in the file). */
  settings: Settings;
  ensembles: EnsembleEntry[];
  /** The file's ensembles could not be read (unreadable file, bad YAML, `ensembles` not a list). */
  ensemblesUnknown: boolean;
  /** The `hooks` section, when the file has one (its settings are in `settings`). */
  hooks?: HooksFile;
}

/** A layer for a file that could not be read or parsed: every setting it might hold is unknown. */
export function unknownFileLayer(): FileLayer {
  const settings: Record<string, Given<unknown>> = {};
  for (const spec of SETTINGS) settings[spec.key] = { value: undefined, path: spec.filePath, source: 'file' };
  return { settings: settings as Settings, ensembles: [], ensemblesUnknown: true };
}

/** Parses YAML text. Syntax problems are reported at `<fileLabel>:<line>:<column>`. */
export function checkConfigText(text: string, fileLabel: string, problems: Problem[]): FileLayer {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlProblems = [...doc.errors, ...doc.warnings].map((error): Problem => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { path: `${fileLabel}:${line}:${col}`, message: yamlMessage(error.code, error.message) };
  });
  if (yamlProblems.length > 0) {
    problems.push(...yamlProblems);
    return unknownFileLayer();
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    problems.push({ path: fileLabel, message: oneLine(error instanceof Error ? error.message : String(error)) });
    return unknownFileLayer();
  }
  return checkConfigObject(raw, fileLabel, problems);
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key';
  if (code === 'MULTIPLE_DOCS') return 'the file must hold one YAML document, not several';
  return oneLine(message);
}

/** Checks an already parsed file (an empty file is an empty mapping). */
export function checkConfigObject(raw: unknown, fileLabel: string, problems: Problem[]): FileLayer {
  if (raw === null || raw === undefined) raw = {};
  if (!isMapping(raw)) {
    problems.push({ path: fileLabel, message: `must be a mapping of settings, got ${describeValue(raw)}` });
    return unknownFileLayer();
  }
  const root: At = { prefix: '', segments: [] };
  checkKeys(configFileSchema, raw, root, problems);
  const shape = configFileSchema.shape;
  const settings: Record<string, Given<unknown>> = {};

  // Schema order, so problems come out in the order the reference lists the keys.
  for (const key of ['listen', 'interval', 'timeout', 'maxReplyBytes', 'concurrency'] as const) {
    const field = checkField(shape, key, raw, root, problems);
    if (field.present) settings[key] = { value: field.ok ? field.value : undefined, path: key, source: 'file' };
  }

  if (raw.log !== undefined) {
    const logAt: At = { prefix: '', segments: ['log'] };
    if (checkMapping(raw.log, logAt, problems)) {
      checkKeys(logSchema, raw.log, logAt, problems);
      const level = checkField(logSchema.shape, 'level', raw.log, logAt, problems);
      const format = checkField(logSchema.shape, 'format', raw.log, logAt, problems);
      if (level.present) settings.logLevel = { value: level.ok ? level.value : undefined, path: 'log.level', source: 'file' };
      if (format.present) settings.logFormat = { value: format.ok ? format.value : undefined, path: 'log.format', source: 'file' };
    } else {
      settings.logLevel = { value: undefined, path: 'log.level', source: 'file' };
      settings.logFormat = { value: undefined, path: 'log.format', source: 'file' };
    }
  }

  const compat = checkField(shape, 'compat', raw, root, problems);
  if (compat.present) settings.compat = { value: compat.ok ? compat.value : undefined, path: 'compat', source: 'file' };

  let ensembles: EnsembleEntry[] = [];
  let ensemblesUnknown = false;
  if (raw.ensembles !== undefined) {
    const listAt: At = { prefix: '', segments: ['ensembles'] };
    if (checkList(raw.ensembles, listAt, problems)) {
      ensembles = raw.ensembles.map((item, index) =>
        checkEnsemble(item, { prefix: '', segments: ['ensembles', index] }, problems, { checkAdminPorts: true }),
      );
      checkUniqueNames(ensembles, problems);
    } else {
      ensemblesUnknown = true;
    }
  }
  const layer: FileLayer = { settings: settings as Settings, ensembles, ensemblesUnknown };
  if (raw.hooks !== undefined) layer.hooks = checkHooksSection(raw.hooks, layer.settings, problems);
  return layer;
}
