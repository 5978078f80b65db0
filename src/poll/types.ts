// Compatibility path: the node sample is typed from the command table.
export type { NodeSample } from '../commands/index.js';
