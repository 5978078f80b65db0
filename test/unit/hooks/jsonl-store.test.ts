import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonlLines } from '../../../src/hooks/deliver/jsonl-lines.js';
import { JsonlStore } from '../../../src/hooks/deliver/jsonl-store.js';

interface Row {
  n: number;
}
const check = (value: unknown): Row | undefined => (typeof (value as Row | null)?.n === 'number' ? (value as Row) : undefined);
const parse = (text: string, onBadLine: 'throw' | 'skip' = 'throw', startsMidLine = false) =>
  parseJsonlLines(Buffer.from(text), { check, onBadLine, startsMidLine, name: 'test file /x.jsonl' });

describe('parseJsonlLines', () => {
  const table: Array<[string, string, boolean, { rows: number[]; goodBytes: number }]> = [
    ['empty', '', false, { rows: [], goodBytes: 0 }],
    ['complete lines', '{"n":1}\n{"n":2}\n', false, { rows: [1, 2], goodBytes: 16 }],
    ['a last line without its newline is torn', '{"n":1}\n{"n":', false, { rows: [1], goodBytes: 8 }],
    ['an undecodable last line is torn', '{"n":1}\n{"n":}\n', false, { rows: [1], goodBytes: 8 }],
    ['a tail read drops the fragment it starts in', '":1}\n{"n":2}\n', true, { rows: [2], goodBytes: 13 }],
    ['a tail read inside one huge line cuts nothing', '{"n":1', true, { rows: [], goodBytes: 6 }],
  ];
  for (const [name, text, startsMidLine, expected] of table) {
    it(name, () => {
      const { records, goodBytes } = parse(text, 'throw', startsMidLine);
      expect({ rows: records.map((r) => r.n), goodBytes }).toEqual(expected);
    });
  }

  it('a bad line before the last is corruption, or skipped when asked', () => {
    const text = '{"n":1}\n{"x":1}\n{"n":3}\n';
    expect(() => parse(text)).toThrow('test file /x.jsonl: line 2 is not a valid record; the file is corrupt (not a torn last line)');
    expect(parse(text, 'skip').records).toEqual([{ n: 1 }, { n: 3 }]);
  });
});

describe('JsonlStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-jsonl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file 0600 in a 0700 directory and appends in call order', async () => {
    const stateDir = join(dir, 'state');
    const { store, records, tornBytes } = await JsonlStore.open(stateDir, 'rows.jsonl', { kind: 'rows', check, onBadLine: 'throw' });
    expect([records, tornBytes]).toEqual([[], 0]);
    await Promise.all([store.append([{ n: 1 }], true), store.append([{ n: 2 }, { n: 3 }], false)]);
    await store.close();
    expect(readFileSync(join(stateDir, 'rows.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect([statSync(stateDir).mode & 0o777, statSync(join(stateDir, 'rows.jsonl')).mode & 0o777]).toEqual([0o700, 0o600]);
    await expect(store.append([{ n: 4 }], false)).rejects.toThrow('is closed');
  });

  it('cuts a torn last line on open so the next record starts on its own line', async () => {
    writeFileSync(join(dir, 'rows.jsonl'), '{"n":1}\n{"n":2');
    const { store, records, tornBytes } = await JsonlStore.open(dir, 'rows.jsonl', { kind: 'rows', check, onBadLine: 'throw' });
    await store.append([{ n: 3 }], true);
    await store.close();
    expect([records, tornBytes, readFileSync(join(dir, 'rows.jsonl'), 'utf8')]).toEqual([[{ n: 1 }], 6, '{"n":1}\n{"n":3}\n']);
  });

  it('replace builds its records after earlier appends and swaps the file atomically', async () => {
    const { store } = await JsonlStore.open<Row>(dir, 'rows.jsonl', { kind: 'rows', check, onBadLine: 'throw' });
    const written: number[] = [];
    void store.append([{ n: 1 }], false).then(() => written.push(1));
    await store.replace(() => written.map((n) => ({ n: n * 10 })));
    await store.append([{ n: 2 }], false);
    await store.close();
    expect(readFileSync(join(dir, 'rows.jsonl'), 'utf8')).toBe('{"n":10}\n{"n":2}\n');
  });

  it('rotates to <file>.1 before an append would pass the size limit', async () => {
    const { store } = await JsonlStore.open<Row>(dir, 'rows.jsonl', { kind: 'rows', check, onBadLine: 'quarantine', rotateAtBytes: 20 });
    for (const n of [1, 2, 3]) await store.append([{ n }], false);
    await store.close();
    expect([readFileSync(join(dir, 'rows.jsonl.1'), 'utf8'), readFileSync(join(dir, 'rows.jsonl'), 'utf8')]).toEqual([
      '{"n":1}\n{"n":2}\n',
      '{"n":3}\n',
    ]);
  });
});
