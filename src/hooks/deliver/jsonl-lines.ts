/** Splits the bytes of an append-only JSONL file into records, telling a torn tail from corruption. Pure. */

/** How {@link parseJsonlLines} treats the bytes it is given. */
export interface ParseJsonlOptions<T> {
  /** Checks one decoded line; undefined = not a valid record. */
  check: (value: unknown) => T | undefined;
  /** A bad line before the last: `throw`, or `skip` it (counted in `badLines`). */
  onBadLine: 'throw' | 'skip';
  /** The bytes start in the middle of the file (a tail read), so the first line is a fragment. */
  startsMidLine: boolean;
  /** Names the file in the corruption error, e.g. `outbox journal /var/lib/x/outbox.jsonl`. */
  name: string;
}

/** Records found and the byte length of the intact prefix (everything after it is a torn tail to cut). */
export interface ParsedJsonl<T> {
  records: T[];
  goodBytes: number;
  /** Bad lines skipped before the last (always 0 with `throw`). */
  badLines: number;
}

/**
 * Parses JSONL bytes. A last line without its newline, or a last line that does not decode, is
 * a write cut short by a crash: it is left out of `goodBytes`. Any other bad line is corruption.
 */
export function parseJsonlLines<T>(content: Buffer, options: ParseJsonlOptions<T>): ParsedJsonl<T> {
  const records: T[] = [];
  let badLines = 0;
  let start = 0;
  if (options.startsMidLine) {
    const first = content.indexOf(0x0a);
    // No newline at all in a tail read: one enormous line; nothing is known to be torn.
    if (first < 0) return { records, goodBytes: content.length, badLines };
    start = first + 1;
  }
  let lineNo = 0;
  while (start < content.length) {
    const nl = content.indexOf(0x0a, start);
    // No newline: the process died mid-write; that line was never acknowledged to anyone.
    if (nl < 0) return { records, goodBytes: start, badLines };
    lineNo++;
    const record = decode(content.subarray(start, nl).toString('utf8'), options.check);
    if (record === undefined) {
      if (nl === content.length - 1) return { records, goodBytes: start, badLines };
      if (options.onBadLine === 'throw')
        throw new Error(`${options.name}: line ${lineNo} is not a valid record; the file is corrupt (not a torn last line)`);
      badLines++;
    } else {
      records.push(record);
    }
    start = nl + 1;
  }
  return { records, goodBytes: content.length, badLines };
}

function decode<T>(text: string, check: (value: unknown) => T | undefined): T | undefined {
  try {
    return check(JSON.parse(text));
  } catch {
    return undefined;
  }
}
