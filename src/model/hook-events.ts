/** Agent-driven events a hook rule can fire on. */
export const HOOK_EVENTS = [
  'quorum_at_risk',
  'quorum_lost',
  'quorum_restored',
  'leader_changed',
  'split_brain',
  'election_too_long',
  'writes_stalled',
] as const;

/** One of {@link HOOK_EVENTS}: an event the agent derives from ensemble state. */
export type AgentHookEvent = (typeof HOOK_EVENTS)[number];

/** One of {@link HOOK_EVENTS}, or `alert` for an Alertmanager-driven delivery. */
export type HookEvent = AgentHookEvent | 'alert';
