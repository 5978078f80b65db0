import { z } from 'zod';
import { ParseError } from '../parse/errors.js';
import type { CommandDefinition } from './command.js';

/** Parsed `isro` reply. */
export interface ReadOnlyMode {
  readOnly: boolean;
}

/**
 * Parses `isro`: `rw` or `ro`, no newline. Its `null` (no server running) is classified `not_serving`
 * before any parser runs.
 */
export function parseReadOnlyMode(text: string): ReadOnlyMode {
  const word = text.trim();
  if (word === 'rw') return { readOnly: false };
  if (word === 'ro') return { readOnly: true };
  throw new ParseError(`isro: expected "rw" or "ro", got ${JSON.stringify(word.slice(0, 40))}`);
}

const isroBody = z.object({ read_only: z.boolean() });

/** Parses the AdminServer `/commands/isro` body (`{"read_only": false, …}`). */
export function adminReadOnlyMode(json: unknown): ReadOnlyMode {
  const body = isroBody.safeParse(json);
  if (!body.success) throw new ParseError('AdminServer isro: no boolean read_only');
  return { readOnly: body.data.read_only };
}

/** `isro`: whether the node serves in read-only mode. */
export const isro: CommandDefinition<'isro', ReadOnlyMode> = {
  word: 'isro',
  admin: ['isro'],
  description: 'Read-only mode (`rw`/`ro`) as `zookeeper_isro_read_only`.',
  byDefault: false,
  cadence: 'every_round',
  parseText: parseReadOnlyMode,
  parseJson: ([json]) => adminReadOnlyMode(json),
  families: [
    {
      name: 'zookeeper_isro_read_only',
      help: 'Whether the node serves in read-only mode (isro "ro": 1) or read-write ("rw": 0).',
      type: 'gauge',
      read: (mode) => [{ value: mode.readOnly ? 1 : 0 }],
    },
  ],
};
