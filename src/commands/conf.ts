import { adminServerConfig, adminVotingView, parseServerConfig } from '../parse/index.js';
import type { ServerConfigRecord } from '../parse/types.js';
import type { CommandDefinition } from './command.js';

/**
 * The AdminServer's `conf` has no membership block: the voting members come from `voting_view`, which
 * lists voters only, so the record is marked `votersOnly`.
 */
function adminConf(conf: unknown, votingView: unknown): ServerConfigRecord {
  return { ...adminServerConfig(conf), members: adminVotingView(votingView), votersOnly: true };
}

/** `conf`: the node's server id and the ensemble's membership; read rarely, kept between reads. */
export const conf: CommandDefinition<'conf', ServerConfigRecord> = {
  word: 'conf',
  admin: ['conf', 'voting_view'],
  description: 'Server id and membership (voters, observers, config version); read every `confInterval` and when a node comes back.',
  byDefault: true,
  cadence: 'conf_interval',
  parseText: parseServerConfig,
  parseJson: ([confBody, votingView]) => adminConf(confBody, votingView),
  families: [],
};
