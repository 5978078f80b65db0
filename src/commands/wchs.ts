import { adminWatchSummary, parseWatchSummary } from '../parse/index.js';
import type { WatchSummary } from '../parse/types.js';
import { gauge, type CommandDefinition } from './command.js';

/** `wchs`: how many connections watch how many paths. */
export const wchs: CommandDefinition<'wchs', WatchSummary> = {
  word: 'wchs',
  admin: ['wchs'],
  description: 'Watch summary: connections with watches, watched paths, data watches.',
  byDefault: true,
  cadence: 'every_round',
  parseText: parseWatchSummary,
  parseJson: ([json]) => adminWatchSummary(json),
  families: [
    gauge('zookeeper_wchs_connections', 'Connections holding data watches (wchs).', (w) => w.connections),
    gauge('zookeeper_wchs_watched_paths', 'Paths with data watches (wchs).', (w) => w.paths),
    gauge('zookeeper_wchs_watches', 'Data watches in total (wchs; child watches are not included).', (w) => w.totalWatches),
  ],
};
