import type { EnsembleState } from '../ensemble/types.js';
import type { FamilySet } from './family.js';

/**
 * Builds the per-node canary families from the derived states; an ensemble without a canary (or
 * before its first round) adds nothing. Pure.
 */
export function addCanaryFamilies(set: FamilySet, states: readonly EnsembleState[]): void {
  const up = set.family(
    'zookeeper_canary_up',
    '1 when the latest canary write and read-back through this node both succeeded within the timeout.',
    'gauge',
  );
  const lastSuccess = set.family(
    'zookeeper_canary_last_success_timestamp_seconds',
    'Unix time of the latest canary probe through this node that succeeded.',
    'gauge',
  );
  for (const state of states) {
    for (const node of state.canary?.nodes ?? []) {
      const labels = { ensemble: state.name, server: node.server };
      up.add(node.ok ? 1 : 0, labels);
      if (node.lastSuccessAt !== undefined) lastSuccess.add(node.lastSuccessAt / 1000, labels);
    }
  }
}
