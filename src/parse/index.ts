// Public surface of src/parse: pure text/JSON → typed records, no I/O.
export { parseServerStats } from './srvr.js';
export { parseMntr } from './mntr.js';
export { parseWatchSummary } from './wchs.js';
export { parseServerConfig } from './conf.js';
export { classifyFourLetterReply } from './classify.js';
export { adminErrorOf, adminServerStats, adminMntr, adminWatchSummary, adminServerConfig, adminVotingView } from './admin.js';
export type * from './types.js';
