import { ParseError } from './errors.js';
import { claimKey, parseInteger, splitLines } from './text.js';
import type { WatchSummary } from './types.js';

const HEADER = /^([0-9]+) connections watching ([0-9]+) paths$/;
// No space after the colon: WatchManager.toString appends "Total watches:" then the number.
const TOTAL = /^Total watches:([0-9]+)$/;

/** Parses a `wchs` reply: `<n> connections watching <m> paths` then `Total watches:<t>` (data watches only). */
export function parseWatchSummary(text: string): WatchSummary {
  let header: RegExpExecArray | null = null;
  let total: RegExpExecArray | null = null;
  // WatchManager prints each line once: a second, different one makes the reply ambiguous.
  const seen = new Map<string, string>();
  for (const line of splitLines(text)) {
    const headerMatch = HEADER.exec(line);
    if (headerMatch && claimKey(seen, 'connections watching paths', line, 'wchs')) header = headerMatch;
    const totalMatch = TOTAL.exec(line);
    if (totalMatch && claimKey(seen, 'Total watches', line, 'wchs')) total = totalMatch;
  }
  if (!header || !total) {
    const first = splitLines(text)[0]!.slice(0, 80);
    throw new ParseError(
      `wchs reply is missing ${!header ? '"<n> connections watching <m> paths"' : '"Total watches:<t>"'} (first line: ${JSON.stringify(first)})`,
    );
  }
  return {
    connections: parseInteger(header[1]!, 'wchs connections'),
    paths: parseInteger(header[2]!, 'wchs paths'),
    totalWatches: parseInteger(total[1]!, 'wchs total watches'),
  };
}
