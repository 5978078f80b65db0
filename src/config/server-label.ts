/** The `server` label now lives in the model; this re-export keeps older imports working. */
export { serverLabel } from '../model/target.js';
