import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('createLogger', () => {
  it('writes JSON lines with the level as a name', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (d: Buffer) => chunks.push(d.toString()));
    const log = createLogger({ level: 'info', format: 'json' }, out);
    log.child({ module: 'poll' }).warn({ ensemble: 'kafka' }, 'poll result changed');
    log.debug('below the level');
    const lines = chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'warn',
      name: 'zk-ensemble-exporter',
      module: 'poll',
      ensemble: 'kafka',
      msg: 'poll result changed',
    });
    expect(typeof entry.time).toBe('number');
  });
});
