import fs from 'node:fs';
import { parseDigestCredentials, type DigestCredentials } from './canary-znode.js';

/**
 * Reads a canary credentials file (`user:password` on its first line). Errors name the file, never
 * its content.
 */
export function readCanaryCredentials(file: string): DigestCredentials {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read canary credentials file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  try {
    return parseDigestCredentials(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
