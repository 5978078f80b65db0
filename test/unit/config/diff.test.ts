import { describe, expect, it } from 'vitest';
import { appliedConfig, diffConfig } from '../../../src/config/diff.js';
import { loadConfig } from '../../../src/config/load.js';
import type { AgentConfig } from '../../../src/config/types.js';

/** A config loaded from YAML text as the agent would read its file. */
function config(yaml: string): AgentConfig {
  const loaded = loadConfig({ argv: ['--config', 'agent.yml'], env: {}, readFile: () => yaml });
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return loaded.config;
}

const BASE = `
interval: 5s
ensembles:
  - name: a
    servers: ["zk1:2181", "zk2:2181", "zk3:2181"]
  - name: b
    servers: ["hb1:2181"]
  - name: c
    servers: ["c1:2181"]
`;

describe('diffConfig', () => {
  it('finds nothing between a config and itself', () => {
    expect(diffConfig(config(BASE), config(BASE))).toEqual({
      added: [],
      removed: [],
      changed: [],
      unchanged: ['a', 'b', 'c'],
      globalChanged: { live: [], restart: [] },
    });
  });

  it('sorts ensembles into added, removed, changed and unchanged by name', () => {
    const next = config(`
interval: 5s
ensembles:
  - name: a
    servers: ["zk1:2181", "zk2:2181", "zk3:2181"]
  - name: c
    servers: ["c1:2181", "c2:2181"]
  - name: d
    servers: ["d1:2181"]
`);
    const diff = diffConfig(config(BASE), next);
    expect(diff.added.map((e) => e.name)).toEqual(['d']);
    expect(diff.removed).toEqual(['b']);
    expect(diff.changed.map((e) => e.name)).toEqual(['c']);
    expect(diff.changed[0]!.servers.map((s) => `${s.host}:${s.port}`)).toEqual(['c1:2181', 'c2:2181']);
    expect(diff.unchanged).toEqual(['a']);
    expect(diff.globalChanged).toEqual({ live: [], restart: [] });
  });

  it('counts a change of any ensemble setting, not only its servers', () => {
    const next = config(BASE.replace('servers: ["hb1:2181"]', 'servers: ["hb1:2181"]\n    confInterval: 2m'));
    expect(diffConfig(config(BASE), next).changed.map((e) => e.name)).toEqual(['b']);
  });

  it('splits top-level changes into live ones and ones that wait for a restart', () => {
    const next = config(`
interval: 10s
timeout: 3s
listen: 127.0.0.1:9999
concurrency: 8
log:
  level: debug
  format: pretty
${BASE.slice(BASE.indexOf('ensembles:'))}`);
    const { globalChanged } = diffConfig(config(BASE), next);
    expect(globalChanged.live.sort()).toEqual(['interval', 'log.level', 'timeout']);
    expect(globalChanged.restart.sort()).toEqual(['concurrency', 'listen', 'log.format']);
  });

  it('counts hooks appearing as a restart setting', () => {
    const next = config(`${BASE}
hooks:
  dryRun: true
  targets:
    - name: ops
      url: https://hooks.example.com/zk
`);
    expect(diffConfig(config(BASE), next).globalChanged).toEqual({ live: [], restart: ['hooks'] });
  });
});

describe('appliedConfig', () => {
  it('takes the new ensembles and live settings but keeps restart settings at their running value', () => {
    const running = config(BASE);
    const next = config(`
interval: 10s
listen: 127.0.0.1:9999
log:
  level: debug
  format: pretty
ensembles:
  - name: a
    servers: ["zk1:2181", "zk2:2181", "zk3:2181"]
  - name: d
    servers: ["d1:2181"]
`);
    const applied = appliedConfig(running, next, diffConfig(running, next));
    expect(applied.intervalMs).toBe(10_000);
    expect(applied.log).toEqual({ level: 'debug', format: 'json' });
    expect(applied.listen).toEqual(running.listen);
    expect(applied.ensembles.map((e) => e.name)).toEqual(['a', 'd']);
    // The unchanged ensemble keeps its running object, so nothing downstream sees it as new.
    expect(applied.ensembles[0]).toBe(running.ensembles[0]);
  });

  it('leaves out a restart setting the running config does not have', () => {
    const running = config(BASE);
    const next = config(`${BASE}
hooks:
  dryRun: true
  targets:
    - name: ops
      url: https://hooks.example.com/zk
`);
    expect(appliedConfig(running, next, diffConfig(running, next)).hooks).toBeUndefined();
  });
});
