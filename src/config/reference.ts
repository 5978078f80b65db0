/**
 * Renders the config reference from the schema's own defaults and descriptions and the flags
 * from their one table, so the README's tables can be checked against the code by a test.
 */
import type { z } from 'zod';
import { docPath, FLAGS } from './cli.js';
import { configSchema, inner, itemObject, metaOf } from './schema.js';

type Row = [key: string, type: string, defaultValue: string, description: string];

/** The config file reference as a Markdown table: key, type, default, description; one row per field, nested keys dotted. */
export function renderConfigReference(): string {
  const rows: Row[] = [];
  addObject(inner(configSchema) as z.ZodObject, '', rows);
  return table(['Key', 'Type', 'Default', 'Description'], rows);
}

/** Flags and env vars as a Markdown table: flag, env var, what it sets. */
export function renderFlagReference(): string {
  const rows = FLAGS.map((spec) => {
    const repeatable = spec.kind === 'list' ? ' (repeatable)' : '';
    let env = spec.envShown ?? (spec.env ? `\`${spec.env}\`` : '—');
    if (spec.envShown === undefined && spec.env && spec.kind === 'list') env += ' (comma-separated)';
    if (spec.envShown === undefined && spec.env && !spec.flags.includes(' ')) env += ' (`true` or `false`)';
    const sets = spec.key?.startsWith('ensembles.') ? `\`${docPath(spec)}\` of flag and env ensembles` : `\`${spec.key}\``;
    return [`\`${spec.flags}\`${repeatable}`, env, spec.sets ?? sets];
  });
  return table(['Flag', 'Env', 'Sets'], rows);
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

function addObject(object: z.ZodObject, prefix: string, rows: Row[]): void {
  for (const [key, field] of Object.entries(object.shape) as Array<[string, z.ZodType]>) {
    const path = `${prefix}${key}`;
    const { description, shownDefault } = metaOf(field);
    if (description === undefined) throw new Error(`config field ${path} has no description: .describe() it in schema.ts`);
    rows.push([`\`${path}\``, typeOf(field, path), shownDefault ?? defaultCell(field), description]);
    const s = inner(field);
    if (s.def.type === 'object') addObject(s as z.ZodObject, `${path}.`, rows);
    const item = s.def.type === 'array' ? itemObject(s) : undefined;
    if (item !== undefined) addObject(item, `${path}[].`, rows);
  }
}

function defaultCell(field: z.ZodType): string {
  const def = field.def as { type: string; defaultValue?: unknown };
  if (def.type === 'optional') return 'unset';
  if (def.type !== 'prefault') return 'required';
  const value = def.defaultValue;
  if (Array.isArray(value)) return `\`[${value.join(', ')}]\``;
  return typeof value === 'object' && value !== null ? '—' : `\`${String(value)}\``;
}

/** The type as users read it: declared with the value's schema, or derived from enums, lists, mappings and unions. */
function typeOf(field: z.ZodType, path: string): string {
  const shown = metaOf(field).type;
  if (shown !== undefined) return shown;
  const s = inner(field);
  if (s.def.type === 'enum') return (s as z.ZodEnum).options.map((o) => `\`${String(o)}\``).join(' | ');
  if (s.def.type === 'object') return 'mapping';
  if (s.def.type === 'union') return (s as z.ZodUnion).options.map((o) => typeOf(o as z.ZodType, path)).join(' or ');
  if (s.def.type !== 'array') throw new Error(`config field ${path} needs a type: .meta({ type }) on its schema`);
  const item = typeOf((s as z.ZodArray).element as z.ZodType, path);
  return `list of ${/[`| ]/.test(item) ? item : `${item}s`}`;
}
