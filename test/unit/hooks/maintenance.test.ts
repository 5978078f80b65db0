import { describe, expect, it } from 'vitest';
import {
  activeOccurrence,
  activeWindow,
  isPaused,
  isSuppressed,
  NOT_PAUSED,
  pause,
  resume,
  windowOccurrence,
} from '../../../src/hooks/decide/maintenance.js';
import type { MaintenanceWindowConfig as MaintenanceWindow } from '../../../src/config/types.js';

const NIGHTLY: MaintenanceWindow = { cron: '0 2 * * *', durationMs: 3600_000 };
const ms = (iso: string): number => Date.parse(iso);

describe('windowOccurrence', () => {
  const cases: Array<{ name: string; window: MaintenanceWindow; now: string; open?: [string, string] }> = [
    {
      name: 'nightly 02:00 for 1h, at 02:30',
      window: NIGHTLY,
      now: '2025-03-01T02:30:00Z',
      open: ['2025-03-01T02:00:00Z', '2025-03-01T03:00:00Z'],
    },
    { name: 'nightly, at 03:01', window: NIGHTLY, now: '2025-03-01T03:01:00Z' },
    {
      name: 'nightly, at its start (inclusive)',
      window: NIGHTLY,
      now: '2025-03-01T02:00:00Z',
      open: ['2025-03-01T02:00:00Z', '2025-03-01T03:00:00Z'],
    },
    { name: 'nightly, a millisecond before its start', window: NIGHTLY, now: '2025-03-01T01:59:59.999Z' },
    {
      name: 'nightly, a millisecond before its end',
      window: NIGHTLY,
      now: '2025-03-01T02:59:59.999Z',
      open: ['2025-03-01T02:00:00Z', '2025-03-01T03:00:00Z'],
    },
    { name: 'nightly, at its end (exclusive)', window: NIGHTLY, now: '2025-03-01T03:00:00Z' },
    {
      name: 'Saturday 23:00 for 3h spans midnight',
      window: { cron: '0 23 * * 6', durationMs: 3 * 3600_000 },
      now: '2025-03-02T01:00:00Z',
      open: ['2025-03-01T23:00:00Z', '2025-03-02T02:00:00Z'],
    },
    { name: 'Saturday 23:00, on Sunday 23:30', window: { cron: '0 23 * * 6', durationMs: 3 * 3600_000 }, now: '2025-03-02T23:30:00Z' },
    {
      name: 'overlapping openings: the latest start counts',
      window: { cron: '*/10 * * * *', durationMs: 25 * 60_000 },
      now: '2025-03-01T10:32:00Z',
      open: ['2025-03-01T10:30:00Z', '2025-03-01T10:55:00Z'],
    },
    {
      name: 'six fields (seconds): open for the second after :30',
      window: { cron: '30 * * * * *', durationMs: 1000 },
      now: '2025-03-01T10:00:30.500Z',
      open: ['2025-03-01T10:00:30Z', '2025-03-01T10:00:31Z'],
    },
    { name: 'six fields, one second later', window: { cron: '30 * * * * *', durationMs: 1000 }, now: '2025-03-01T10:00:31Z' },
    {
      name: 'Europe/Paris 02:00 in winter is 01:00 UTC',
      window: { ...NIGHTLY, timezone: 'Europe/Paris' },
      now: '2025-01-15T01:30:00Z',
      open: ['2025-01-15T01:00:00Z', '2025-01-15T02:00:00Z'],
    },
    {
      name: 'Europe/Paris 02:00 in summer is 00:00 UTC',
      window: { ...NIGHTLY, timezone: 'Europe/Paris' },
      now: '2025-07-15T00:30:00Z',
      open: ['2025-07-15T00:00:00Z', '2025-07-15T01:00:00Z'],
    },
    { name: 'Europe/Paris in summer, at 01:30 UTC', window: { ...NIGHTLY, timezone: 'Europe/Paris' }, now: '2025-07-15T01:30:00Z' },
    {
      name: 'a preset in a zone: @daily in America/New_York opens at local midnight',
      window: { cron: '@daily', durationMs: 3600_000, timezone: 'America/New_York' },
      now: '2025-03-01T05:30:00Z',
      open: ['2025-03-01T05:00:00Z', '2025-03-01T06:00:00Z'],
    },
    {
      name: 'day-of-week names: mon-fri is closed on a Saturday',
      window: { cron: '0 2 * * mon-fri', durationMs: 3600_000 },
      now: '2025-03-01T02:30:00Z',
    },
    {
      name: 'day-of-week names: mon-fri is open on a Monday',
      window: { cron: '0 2 * * mon-fri', durationMs: 3600_000 },
      now: '2025-03-03T02:30:00Z',
      open: ['2025-03-03T02:00:00Z', '2025-03-03T03:00:00Z'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const occurrence = windowOccurrence(c.window, new Date(c.now));
      expect(occurrence && [new Date(occurrence.start).toISOString(), new Date(occurrence.end).toISOString()]).toEqual(
        c.open && [new Date(c.open[0]).toISOString(), new Date(c.open[1]).toISOString()],
      );
    });
  }
});

describe('activeWindow', () => {
  const mainOnly: MaintenanceWindow = { cron: '0 4 * * *', durationMs: 3600_000, ensembles: ['main'] };
  const windows = [NIGHTLY, mainOnly];
  const table: Array<[string, string | undefined, MaintenanceWindow | undefined]> = [
    ['2025-03-01T02:30:00Z', 'main', NIGHTLY],
    ['2025-03-01T02:30:00Z', undefined, NIGHTLY],
    ['2025-03-01T04:30:00Z', 'main', mainOnly],
    ['2025-03-01T04:30:00Z', 'batch', undefined],
    ['2025-03-01T04:30:00Z', undefined, undefined],
    ['2025-03-01T05:00:00Z', 'main', undefined],
  ];
  for (const [now, ensemble, expected] of table) {
    it(`${now} ${ensemble ?? '(no ensemble)'} → ${expected?.cron ?? 'none'}`, () => {
      expect(activeWindow(windows, ensemble, new Date(now))).toBe(expected);
    });
  }

  it('of several open windows reports the one ending last', () => {
    const long: MaintenanceWindow = { cron: '0 1 * * *', durationMs: 4 * 3600_000 };
    expect(activeOccurrence([NIGHTLY, long], 'main', new Date('2025-03-01T02:30:00Z'))).toEqual({
      window: long,
      start: ms('2025-03-01T01:00:00Z'),
      end: ms('2025-03-01T05:00:00Z'),
    });
  });
});

describe('pause and isSuppressed', () => {
  const at = ms('2025-03-01T10:00:00Z');

  it('a pause until a time ends by itself', () => {
    const state = pause({ by: 'alice', at, until: at + 60_000, reason: 'rolling restart' });
    expect(state).toEqual({ paused: true, by: 'alice', at, until: at + 60_000, reason: 'rolling restart' });
    expect([isPaused(state, 'main', at + 59_999), isPaused(state, 'main', at + 60_000)]).toEqual([true, false]);
  });

  it('resume ends a pause; a pause can cover some ensembles only', () => {
    const some = pause({ by: 'bob', at, ensembles: ['main'] });
    expect([isPaused(some, 'main', at), isPaused(some, 'batch', at), isPaused(some, undefined, at)]).toEqual([true, false, false]);
    expect(resume({ by: 'bob', at: at + 1 })).toEqual({ paused: false, by: 'bob', at: at + 1 });
    expect(isPaused(resume({ by: 'bob', at: at + 1 }), 'main', at + 2)).toBe(false);
  });

  it('reports why a hook is suppressed: the pause first, then windows', () => {
    const windows = [NIGHTLY];
    const night = ms('2025-03-01T02:30:00Z');
    expect(isSuppressed({ windows, pause: NOT_PAUSED, ensemble: 'main', now: night })).toEqual({
      suppressed: true,
      by: 'window',
      reason: 'maintenance window "0 2 * * *" until 2025-03-01T03:00:00.000Z',
      window: NIGHTLY,
      until: ms('2025-03-01T03:00:00Z'),
    });
    expect(isSuppressed({ windows, pause: pause({ by: 'alice', at: night, reason: 'upgrade' }), ensemble: 'main', now: night })).toEqual({
      suppressed: true,
      by: 'pause',
      reason: 'paused by alice: upgrade',
    });
    expect(isSuppressed({ windows, pause: pause({ by: 'alice', at, until: at + 5000 }), ensemble: 'main', now: at })).toEqual({
      suppressed: true,
      by: 'pause',
      reason: 'paused by alice',
      until: at + 5000,
    });
    expect(isSuppressed({ windows, pause: NOT_PAUSED, ensemble: 'main', now: ms('2025-03-01T03:01:00Z') })).toEqual({ suppressed: false });
  });
});
