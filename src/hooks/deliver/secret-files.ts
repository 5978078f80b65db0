/** Reads the hook credentials kept in files: signing secrets and receiver tokens. Errors name the file, never its content. */
import { readFileSync } from 'node:fs';
import { secretProblem } from '../standard-webhooks.js';

/** Sources of signing secrets: an environment variable's value and/or secret files. */
export interface SecretSources {
  /** The value of a variable (not its name): secrets separated by commas or newlines. */
  env?: string;
  /** Files holding one secret each (surrounding whitespace trimmed). */
  files?: string[];
}

/** Loads signing secrets, files first (in order) then the env value; errors name the file, never a secret. */
export function loadSecrets(sources: SecretSources): string[] {
  const secrets: string[] = [];
  for (const file of sources.files ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // Only the error code: a message could in theory quote more than the path.
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
      // The cause keeps the stack for debugging; only the code reaches the message.
      throw new Error(`hook secret file ${file} cannot be read (${code})`, { cause: err });
    }
    // A whole file is one secret: base64 tools wrap long output, and splitting it would create bogus keys.
    const secret = text.trim();
    if (secret === '') throw new Error(`hook secret file ${file} is empty`);
    const problem = secretProblem(secret);
    if (problem !== undefined) throw new Error(`hook secret file ${file}: ${problem}`);
    secrets.push(secret);
  }
  let position = 0;
  for (const item of (sources.env ?? '').split(/[,\r\n]/)) {
    const secret = item.trim();
    if (secret === '') continue;
    position++;
    // The position, not the value, tells which entry to fix.
    const problem = secretProblem(secret);
    if (problem !== undefined) throw new Error(`hook secret ${position} of the environment: ${problem}`);
    secrets.push(secret);
  }
  return secrets;
}

/** Reads a token file: surrounding whitespace (the trailing newline editors add) is dropped; an empty token is refused. */
export function loadToken(file: string): string {
  const token = readFileSync(file, 'utf8').trim();
  if (token === '') throw new Error(`token file ${file} is empty`);
  // A token with inner whitespace could never arrive intact in an `Authorization: Bearer` header.
  if (/\s/.test(token)) throw new Error(`token file ${file} holds whitespace inside the token`);
  return token;
}
