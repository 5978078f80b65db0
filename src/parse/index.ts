// Public surface of src/parse: pure text/JSON → typed records, no I/O.
export { ParseError } from './errors.js';
export { parseZxid, formatZxid, zxidFromValue } from './zxid.js';
export { parseServerStats, SERVER_MODES } from './srvr.js';
export { parseMntr, parseMntrValue, splitMntrKey, mntrEntry } from './mntr.js';
export { parseWatchSummary } from './wchs.js';
export { parseServerConfig, parseQuorumMember, peerTypeName } from './conf.js';
export { classifyFourLetterReply, NOT_SERVING_MESSAGE } from './classify.js';
export type { FourLetterClassification, FourLetterRefusal } from './classify.js';
export { adminErrorOf, adminServerStats, adminMntr, adminWatchSummary, adminServerConfig, adminVotingView } from './admin.js';
export type * from './types.js';
