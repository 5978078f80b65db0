import { adminMntr, parseMntr } from '../parse/index.js';
import type { MntrRecord } from '../parse/types.js';
import type { CommandDefinition } from './command.js';

/**
 * `mntr`: every numeric key becomes a `zookeeper_mntr_*` series. Its families depend on the keys each
 * node prints, so they follow the naming rule in mntr-layout.ts rather than a fixed list.
 */
export const mntr: CommandDefinition<'mntr', MntrRecord> = {
  word: 'mntr',
  admin: ['mntr'],
  description: 'Every numeric monitoring key as `zookeeper_mntr_*` (naming rule under Metrics); global sessions for the ensemble totals.',
  byDefault: true,
  cadence: 'every_round',
  parseText: parseMntr,
  parseJson: ([json]) => adminMntr(json),
  families: [],
};
