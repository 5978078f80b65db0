/**
 * The state sets the agent exports (taken from the agent's own lists, so a new value shows up as a
 * stale rendered dashboard), each with the text and colour the dashboards show for it.
 */
import { QUORUM_STATES } from '../../src/metrics/ensemble-families.js';
import { SERVER_ROLES } from '../../src/commands/srvr.js';
import { POLL_REASONS } from '../../src/model/outcome.js';
import type { StateValue } from './common.js';

// `unknown`: the agent cannot tell (voters it cannot see); grey, neither good nor an outage.
const QUORUM_COLORS: Record<(typeof QUORUM_STATES)[number], string> = { healthy: 'green', at_risk: 'orange', lost: 'red', unknown: 'text' };

/** `zookeeper_ensemble_quorum_state{state}`. */
export const QUORUM: StateValue[] = QUORUM_STATES.map((s) => ({
  value: s,
  text: s.replace('_', ' ').toUpperCase(),
  color: QUORUM_COLORS[s],
}));

const ROLE_COLORS: Record<(typeof SERVER_ROLES)[number], string> = {
  leader: 'purple',
  follower: 'blue',
  observer: 'light-blue',
  standalone: 'yellow',
  // Last on purpose: a read-only node may report another role too, and the highest index wins.
  read_only: 'orange',
};

/** `zookeeper_server_role{role}`. */
export const ROLES: StateValue[] = SERVER_ROLES.map((r) => ({ value: r, text: r, color: ROLE_COLORS[r] }));

// A refusal by the whitelist or a node outside quorum is a state to know about, not a broken poll.
const REASON_COLORS: Partial<Record<(typeof POLL_REASONS)[number], string>> = {
  ok: 'green',
  not_whitelisted: 'purple',
  not_serving: 'orange',
};

/** `zookeeper_exporter_command_result{reason}`. */
export const REASONS: StateValue[] = POLL_REASONS.map((r) => ({ value: r, text: r, color: REASON_COLORS[r] ?? 'red' }));
