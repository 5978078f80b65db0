/** Renders hook body templates: `{{path}}` placeholders filled from a payload, the result checked to be JSON. */
/** Fills `{{a.b.c}}` placeholders from `payload` (JSON values, or escaped text inside strings); throws unless the result is JSON. */
export function renderTemplate(template: string, payload: unknown): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '{' && template[i + 1] === '{') {
      const end = template.indexOf('}}', i + 2);
      if (end < 0) throw new Error(`template: unterminated placeholder at offset ${i}`);
      const path = template.slice(i + 2, end).trim();
      const value = lookup(payload, path, i);
      const json = JSON.stringify(value) ?? 'null';
      // Inside a string literal the placeholder contributes characters, so the quotes of the JSON form go.
      out += inString ? JSON.stringify(typeof value === 'string' ? value : json).slice(1, -1) : json;
      i = end + 2;
      continue;
    }
    // A tiny lexer: knowing whether we are inside a string decides how a placeholder is written.
    if (inString) {
      if (ch === '\\') {
        out += template.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    }
    out += ch;
    i++;
  }
  try {
    JSON.parse(out);
  } catch (err) {
    throw new Error(`template does not render to valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return out;
}

function lookup(payload: unknown, path: string, offset: number): unknown {
  if (path === '.') return payload;
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path)) {
    throw new Error(`template: invalid placeholder {{${path}}} at offset ${offset}; expected a dotted path like {{leader.server}}`);
  }
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    // Own properties only: `{{constructor}}` must not reach into the prototype.
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
