/**
 * Renders the config reference from the schema's own defaults and descriptions, so the README's
 * table can be checked against the code by a test instead of drifting.
 */
import type { z } from 'zod';
import { configDocs, configFileSchema } from './schema.js';
import { ENV, HOOK_FLAGS, SETTINGS, type SettingSpec } from './settings.js';

type Row = [key: string, type: string, defaultValue: string, description: string];

/** The config file reference as a Markdown table: key, type, default, description; one row per field, nested keys dotted. */
export function renderConfigReference(): string {
  const rows: Row[] = [];
  addObject(configFileSchema, '', rows);
  return table(['Key', 'Type', 'Default', 'Description'], rows);
}

/** Flags and env vars as a Markdown table: flag, env var, what it sets. */
export function renderFlagReference(): string {
  const rows: Array<[string, string, string]> = [
    ['`--config <file>`', `\`${ENV.config}\``, 'the YAML file to read'],
    ['`--ensemble <name=host:port,...>` (repeatable)', `\`${ENV.ensembles}\` (\`name=h:p,h:p;name2=…\`)`, '`ensembles` (replaces a file ensemble of the same name)'],
    ['`--transport <mode>`', `\`${ENV.transport}\``, '`ensembles[].transport` of flag and env ensembles'],
    ['`--admin-port <port>`', `\`${ENV.adminPort}\``, '`ensembles[].adminPort` of flag and env ensembles'],
  ];
  const settingRow = (spec: SettingSpec): [string, string, string] => {
    let env = `\`${spec.env}\``;
    if (spec.list) env += ' (comma-separated)';
    if (spec.boolean) env += ' (`true` or `false`)';
    return [`\`${spec.boolean ? spec.flag : `${spec.flag} ${spec.placeholder}`}\`${spec.list ? ' (repeatable)' : ''}`, env, `\`${spec.filePath}\``];
  };
  for (const spec of SETTINGS) if (spec.group !== 'hooks') rows.push(settingRow(spec));
  for (const spec of HOOK_FLAGS) {
    rows.push([`\`${spec.flag} ${spec.placeholder}\`${spec.list ? ' (repeatable)' : ''}`, spec.env?.shown ?? '—', spec.sets]);
  }
  for (const spec of SETTINGS) if (spec.group === 'hooks') rows.push(settingRow(spec));
  return table(['Flag', 'Env', 'Sets'], rows);
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

function addObject(object: z.ZodObject, prefix: string, rows: Row[]): void {
  for (const [key, field] of Object.entries(object.shape) as Array<[string, z.ZodType]>) {
    const path = `${prefix}${key}`;
    const doc = configDocs.get(field);
    if (doc === undefined) throw new Error(`config field ${path} has no description in schema.ts`);
    const { inner, defaultCell } = unwrap(field);
    rows.push([`\`${path}\``, doc.type ?? derivedType(inner, path), doc.default ?? defaultCell, doc.description]);

    const nested = objectWithin(inner);
    if (nested !== undefined) addObject(nested.object, `${path}${nested.list ? '[]' : ''}.`, rows);
  }
}

function unwrap(field: z.ZodType): { inner: z.ZodType; defaultCell: string } {
  const def = field.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
  if (def.type === 'prefault' || def.type === 'default') return { inner: def.innerType!, defaultCell: formatDefault(def.defaultValue) };
  if (def.type === 'optional') return { inner: def.innerType!, defaultCell: 'unset' };
  return { inner: field, defaultCell: 'required' };
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return `\`[${value.join(', ')}]\``;
  if (typeof value === 'object' && value !== null) return '—';
  return `\`${String(value)}\``;
}

/** Strips pipes (transforms) to the schema that sees the input. */
function input(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current.def.type === 'pipe') current = (current.def as unknown as { in: z.ZodType }).in;
  return current;
}

function derivedType(schema: z.ZodType, path: string): string {
  const s = input(schema);
  if (s.def.type === 'enum') return (s as z.ZodEnum).options.map((o) => `\`${String(o)}\``).join(' | ');
  if (s.def.type === 'array') return `list of ${derivedType((s as z.ZodArray).element as z.ZodType, path)}`;
  throw new Error(`config field ${path} needs a type in its doc entry`);
}

/** The mapping documented under a field: the field itself, or the mapping (option) of its list elements. */
function objectWithin(schema: z.ZodType): { object: z.ZodObject; list: boolean } | undefined {
  const s = input(schema);
  if (s.def.type === 'object') return { object: s as z.ZodObject, list: false };
  if (s.def.type !== 'array') return undefined;
  const element = input((s as z.ZodArray).element as z.ZodType);
  if (element.def.type === 'object') return { object: element as z.ZodObject, list: true };
  if (element.def.type === 'union') {
    const option = (element as z.ZodUnion).options.map((o) => input(o as z.ZodType)).find((o) => o.def.type === 'object');
    if (option !== undefined) return { object: option as z.ZodObject, list: true };
  }
  return undefined;
}
