import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Loads a config file holding one ensemble with this `canary` mapping (YAML flow style). */
function withCanary(canary: string): ReturnType<typeof loadConfig> {
  const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, `ensembles:\n  - name: k\n    servers: ["127.0.0.1:2181"]\n    canary: ${canary}\n`);
  return loadConfig({ argv: ['--config', file], env: {} });
}

describe('canary config', () => {
  it('reads every key, durations in ms', () => {
    const loaded = withCanary('{path: /zk/canary, interval: 2s, timeout: 500ms, authFile: /etc/zk/canary, chroot: /kafka}');
    expect(loaded.ok && loaded.config.ensembles[0]!.canary).toEqual({
      path: '/zk/canary',
      intervalMs: 2000,
      timeoutMs: 500,
      authFile: '/etc/zk/canary',
      chroot: '/kafka',
    });
  });

  it('defaults the timeout to 1 s and leaves the interval to the agent (its poll interval)', () => {
    const loaded = withCanary('{path: /zk/canary}');
    expect(loaded.ok && loaded.config.ensembles[0]!.canary).toEqual({ path: '/zk/canary', timeoutMs: 1000 });
  });

  it('leaves an ensemble without canary without the key', () => {
    const loaded = loadConfig({ argv: ['--ensemble', 'k=127.0.0.1:2181'], env: {} });
    expect(loaded.ok && 'canary' in loaded.config.ensembles[0]!).toBe(false);
  });

  it('rejects a timeout longer than the interval, and a path that is not absolute', () => {
    const slow = withCanary('{path: /c, interval: 1s, timeout: 2s}');
    expect(!slow.ok && slow.problems).toEqual([
      { path: 'ensembles[0].canary.timeout', message: 'timeout (2s) must not be more than interval (1s)' },
    ]);
    const relative = withCanary('{path: c}');
    expect(!relative.ok && relative.problems).toEqual([
      { path: 'ensembles[0].canary.path', message: 'must be an absolute ZooKeeper path below "/" without ".", ".." or empty segments' },
    ]);
  });

  it('turns the canary on for flag ensembles with --canary-path', () => {
    const loaded = loadConfig({
      argv: ['--ensemble', 'a=127.0.0.1:2181', '--ensemble', 'b=127.0.0.1:2182', '--canary-path', '/zk/canary'],
      env: {},
    });
    expect(loaded.ok && loaded.config.ensembles.map((e) => e.canary)).toEqual([
      { path: '/zk/canary', timeoutMs: 1000 },
      { path: '/zk/canary', timeoutMs: 1000 },
    ]);
    const alone = loadConfig({ argv: ['--canary-path', '/zk/canary'], env: {} });
    expect(!alone.ok && alone.problems).toContainEqual({
      path: '--canary-path',
      message: 'applies only to ensembles from --ensemble or ZK_EXPORTER_ENSEMBLES, and none were given',
    });
  });
});
