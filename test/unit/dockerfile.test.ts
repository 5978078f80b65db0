/**
 * No image registry is reachable here, so the Dockerfile is checked by parsing it: the rules a
 * reviewer would check by eye (official Node 20 base, multi-stage, production deps only, non-root,
 * port, health check) and that its build steps are the same commands CI runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { From, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { dockerfileStages, imageEnv } from '../harness/image.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const stages = dockerfileStages();
const froms = [...stages.build, ...stages.runtime].filter((i): i is From => i instanceof From);
const plain = (instructions: Instruction[]): Array<{ keyword: string; args: string }> =>
  instructions.map((i) => ({ keyword: i.getKeyword(), args: i.getArgumentsContent() ?? '' }));
const runtime = plain(stages.runtime);
const build = plain(stages.build);

describe('Dockerfile', () => {
  it('is multi-stage on the official Node 20 image', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) {
      expect(from.getImageName()).toBe('node');
      expect(from.getImageTag()).toMatch(/^20(\.|-|$)/);
    }
    expect(froms[0]!.getBuildStage()).toBe('build');
  });

  it('builds with the same commands CI runs (npm ci, npm run build)', () => {
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /^npm ci\b/.test(r))).toBe(true);
    expect(runs).toContain('npm run build');
    const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.build).toBe('tsc -p tsconfig.build.json');
    // Every file the build step needs is copied into the build stage.
    const copied = build
      .filter((i) => i.keyword === 'COPY')
      .map((i) => i.args)
      .join(' ');
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src'])
      expect(copied).toContain(needed);
  });

  it('ships production dependencies only and the built output, and runs as a non-root user', () => {
    const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci --omit=dev/.test(r))).toBe(true);
    expect(runtime.some((i) => i.keyword === 'COPY' && /\/app\/dist/.test(i.args))).toBe(true);
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('gives V8 a young generation of 8 MiB semi-spaces, which a container memory limit would shrink to 1 MiB', () => {
    // bench/polling.ts runs its "as in the image" row with these NODE_OPTIONS.
    expect(imageEnv().NODE_OPTIONS?.split(/\s+/)).toContain('--max-semi-space-size=8');
  });

  it('exposes 9141 and health-checks /healthz', () => {
    expect(runtime.find((i) => i.keyword === 'EXPOSE')?.args).toBe('9141');
    const health = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(health).toContain('/healthz');
    expect(health).toContain(':9141');
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe('["node", "dist/main.js"]');
  });
});
