/** Keeps the README's metric tables in step with what the agent exports. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function families(file: string): string[] {
  return [...readFileSync(path.join(root, file), 'utf8').matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
}

describe('README metrics tables', () => {
  it('document every family of the golden exposition (mntr ones by their naming rule)', () => {
    const names = families('test/golden/metrics.prom').filter((n) => !n.startsWith('zookeeper_mntr_'));
    expect(names.length).toBeGreaterThan(40);
    const missing = names.filter((n) => !readme.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('document every hook family the hook service declares', () => {
    const source = readFileSync(path.join(root, 'src/hooks/metrics.ts'), 'utf8');
    const names = [...source.matchAll(/family\('(zookeeper_hook_[a-z_]+)'/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });
});
