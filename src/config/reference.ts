/**
 * Renders the config reference from the schema's own defaults and descriptions and the flags
 * from their one table, so the README's tables can be checked against the code by a test.
 */
import { FLAGS } from './cli.js';
import { configDoc, mappingOf, type DocNode } from './schema.js';

/** The config file reference as a Markdown table: key, type, default, description; one row per field, nested keys dotted. */
export function renderConfigReference(): string {
  return table(['Key', 'Type', 'Default', 'Description'], rowsOf(configDoc, ''));
}

/** Flags and env vars as a Markdown table: flag, env var, what it sets. */
export function renderFlagReference(): string {
  const rows = FLAGS.map((spec) => {
    const repeatable = spec.kind === 'list' ? ' (repeatable)' : '';
    const note = spec.kind === 'list' ? ' (comma-separated)' : spec.flags.includes(' ') ? '' : ' (`true` or `false`)';
    const env = spec.envShown ?? (spec.env ? `\`${spec.env}\`${note}` : '—');
    const sets = spec.key?.startsWith('ensembles.') ? `\`${spec.key.replace(/\.0/g, '[]')}\` of flag and env ensembles` : `\`${spec.key}\``;
    return [`\`${spec.flags}\`${repeatable}`, env, spec.sets ?? sets];
  });
  return table(['Flag', 'Env', 'Sets'], rows);
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

function rowsOf(object: DocNode, prefix: string): string[][] {
  return Object.entries(object.properties ?? {}).flatMap(([key, field]) => {
    const path = `${prefix}${key}`;
    if (field.description === undefined) throw new Error(`config field ${path} has no description: .describe() it in schema.ts`);
    const defaultValue = field.shownDefault ?? defaultCell(field, object.required?.includes(key));
    const item = mappingOf(field.items);
    return [
      [`\`${path}\``, typeOf(field, path), defaultValue, field.description],
      ...(field.properties ? rowsOf(field, `${path}.`) : []),
      ...(item ? rowsOf(item, `${path}[].`) : []),
    ];
  });
}

function defaultCell(field: DocNode, required = false): string {
  if (!('default' in field)) return required ? 'required' : 'unset';
  const value = field.default;
  if (Array.isArray(value)) return `\`[${value.join(', ')}]\``;
  return typeof value === 'object' && value !== null ? '—' : `\`${String(value)}\``;
}

/** The type as users read it: declared with the value's schema, or derived from enums, lists, mappings and unions. */
function typeOf(node: DocNode, path: string): string {
  if (node.enum !== undefined) return node.enum.map((o) => `\`${o}\``).join(' | ');
  if (node.anyOf !== undefined) return node.anyOf.map((o) => typeOf(o, path)).join(' or ');
  if (node.type === 'object') return 'mapping';
  if (node.type !== 'array' || node.items === undefined) {
    if (node.type === undefined) throw new Error(`config field ${path} needs a type: .meta({ type }) on its schema`);
    return node.type;
  }
  const item = typeOf(node.items, path);
  return `list of ${/[`| ]/.test(item) ? item : `${item}s`}`;
}
