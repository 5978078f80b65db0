/**
 * The four-letter words the transport will send at all: read-only ones only. It never sends srst/crst,
 * stmk, kill or anything else that changes server state. The command table picks what is polled.
 */
export const READ_ONLY_COMMANDS = ['srvr', 'stat', 'mntr', 'wchs', 'conf', 'isro', 'envi', 'cons', 'ruok'] as const;
/** One of {@link READ_ONLY_COMMANDS}. */
export type FourLetterWord = (typeof READ_ONLY_COMMANDS)[number];

/**
 * The AdminServer commands (`/commands/<name>`) this agent may request: read-only ones only.
 * The AdminServer ignores the 4lw whitelist, so this list is the only thing keeping it read-only.
 */
export const READ_ONLY_ADMIN_COMMANDS = [
  'srvr',
  'stat',
  'mntr',
  'wchs',
  'conf',
  'leader',
  'zabstate',
  'voting_view',
  'ruok',
  'isro',
  'environment',
  'cons',
] as const;
/** One of {@link READ_ONLY_ADMIN_COMMANDS}. */
export type AdminCommand = (typeof READ_ONLY_ADMIN_COMMANDS)[number];
