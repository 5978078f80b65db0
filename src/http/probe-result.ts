/**
 * What one `/probe` answers, from the samples of its single round. Pure: a fresh node store and a
 * first-round derivation (no previous state), rendered into a family set of its own, so a probe never
 * reads or changes the agent's own state or `/metrics`.
 */
import type { NodeSample } from '../commands/index.js';
import { deriveEnsemble } from '../ensemble/derive.js';
import type { EnsembleState } from '../ensemble/types.js';
import { addEnsembleFamilies } from '../metrics/ensemble-families.js';
import { FamilySet, renderFamilies } from '../metrics/family.js';
import { addNodeFamilies } from '../metrics/node-families.js';
import type { ServerTarget } from '../model/target.js';
import { NodeStore } from '../state/store.js';

/** One finished probe round. */
export interface ProbeRound {
  ensemble: string;
  targets: readonly ServerTarget[];
  /** One sample per target, in target order. */
  samples: readonly NodeSample[];
  startedAt: number;
  finishedAt: number;
}

/**
 * Whether a probe succeeded: at least one target answered `srvr`, with a parsable reply or with
 * "not currently serving requests". It says the ensemble was reached; whether it is healthy is what
 * the quorum series say (an ensemble without quorum is still probed successfully).
 */
export function probeSucceeded(samples: readonly NodeSample[]): boolean {
  return samples.some((sample) => sample.srvr.ok || sample.srvr.reason === 'not_serving');
}

/** The ensemble derived from the probe's one round, as a first observation. */
function deriveProbe(round: ProbeRound): EnsembleState {
  return deriveEnsemble(undefined, { name: round.ensemble, servers: round.targets }, round.samples, round.finishedAt).state;
}

/**
 * The probe's exposition: `probe_success`, `probe_duration_seconds`, then the same per-node and
 * ensemble families `/metrics` renders for a polled ensemble.
 */
export function renderProbe(round: ProbeRound): string {
  const set = new FamilySet();
  set
    .family('probe_success', 'Whether at least one target answered srvr (parsable, or not serving requests).', 'gauge')
    .add(probeSucceeded(round.samples) ? 1 : 0, {});
  set
    .family('probe_duration_seconds', 'How long the probe took to poll every target.', 'gauge')
    .add((round.finishedAt - round.startedAt) / 1000, {});
  const store = new NodeStore(false);
  store.record(round.samples, round.finishedAt);
  addNodeFamilies(set, store.all());
  addEnsembleFamilies(set, [deriveProbe(round)]);
  return renderFamilies(set.all());
}
