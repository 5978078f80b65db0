/**
 * Request bodies of the receiver and the hooks API: charset and nesting depth checked on the raw
 * bytes before `JSON.parse`, so a body that parses can also be stored and sent (a very deep
 * value would overflow the stack when serialised again). Pure.
 */

/** Deepest nesting of arrays and objects accepted (an Alertmanager payload needs 4). */
export const MAX_JSON_DEPTH = 32;

/** A decoded body, or why not, with the HTTP status to answer. */
export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 415; reason: string };

/** Decodes a UTF-8 JSON body; `contentType` is the request's header (its `charset`, if any, must be UTF-8). */
export function parseJsonBody(raw: Buffer, contentType: string | undefined, maxDepth = MAX_JSON_DEPTH): JsonBodyResult {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return { ok: false, status: 415, reason: `unsupported charset "${charset.slice(0, 40)}": send UTF-8 JSON` };
  }
  const text = raw.toString('utf8');
  const depth = jsonDepthExceeds(text, maxDepth);
  if (depth !== undefined) return { ok: false, status: 400, reason: `JSON nested deeper than ${maxDepth} levels (at offset ${depth})` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, status: 400, reason: `malformed JSON: ${(err as Error).message.slice(0, 200)}` };
  }
}

/** The offset where nesting first passes `maxDepth`, or undefined. One linear scan; brackets inside strings do not count. */
export function jsonDepthExceeds(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}
