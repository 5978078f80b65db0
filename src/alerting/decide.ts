/**
 * What to push to Alertmanager after a round: (previous push state, the ensemble's state, now) →
 * (new push state, alerts to post). New alerts go out at once, active ones again every resend
 * interval with `endsAt` a few intervals ahead (so a stopped agent's alerts expire), and an alert
 * whose condition ended goes out with `endsAt` = now. Pure: no clock, no I/O.
 */
import type { EnsembleState } from '../ensemble/types.js';
import { ALERT_SEVERITY, evaluateConditions, PUSHED_ALERTS, type PushedAlertName } from './conditions.js';

/** Value of the `source` label on every pushed alert. */
const ALERT_SOURCE = 'zk-ensemble-exporter';

/** How many resend intervals ahead a firing alert's `endsAt` lies. */
const ENDS_AFTER_INTERVALS = 3;

/** One alert in Alertmanager's API v2 form (`POST /api/v2/alerts` takes an array of them). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339. */
  startsAt: string;
  /** RFC 3339; now for a resolved alert. */
  endsAt: string;
  generatorURL: string;
}

/** What the decision remembers of one alert of one ensemble (plain JSON). */
export interface TrackedAlert {
  /** When the condition was first seen (the alert's `startsAt`). */
  startsAt: number;
  /** When the alert was last posted. */
  sentAt: number;
  /** The `endsAt` posted while firing: Alertmanager expires it then if nothing else comes. */
  expiresAt: number;
  /** Set once the condition ended: the `endsAt` of the resolution. */
  resolvedAt?: number;
  summary: string;
  description: string;
}

/** The push state of one ensemble. */
export type PushState = Partial<Record<PushedAlertName, TrackedAlert>>;

/** Settings of {@link decidePush}. */
export interface PushSettings {
  resendIntervalMs: number;
  /** The agent's base URL without trailing slash; alerts link to `<externalUrl>/#ensemble-<name>`. */
  externalUrl: string;
  /** The agent's id, shown in an annotation (never a label: agents watching one ensemble send the same alert). */
  agentId: string;
}

/** What {@link decidePush} returns. */
export interface PushDecision {
  state: PushState;
  /** Alerts to post now (empty: nothing to send this round). */
  alerts: PostableAlert[];
}

/**
 * Decides the pushes of one ensemble after one round. A resolved alert is posted again at each
 * resend interval (in case a post was lost) until the `endsAt` it last fired with has passed.
 */
export function decidePush(previous: PushState | undefined, ensemble: EnsembleState, now: number, settings: PushSettings): PushDecision {
  const verdicts = evaluateConditions(ensemble);
  const state: PushState = {};
  const alerts: PostableAlert[] = [];
  const due = (tracked: TrackedAlert) => now - tracked.sentAt >= settings.resendIntervalMs;

  for (const name of PUSHED_ALERTS) {
    const verdict = verdicts[name];
    const old = previous?.[name];
    const firing = old !== undefined && old.resolvedAt === undefined;
    let next: TrackedAlert | undefined;
    let send = false;

    if (verdict.status === 'active') {
      if (firing) {
        const changed = old.summary !== verdict.summary || old.description !== verdict.description;
        next = { ...old, summary: verdict.summary, description: verdict.description };
        send = changed || due(old);
      } else {
        next = { startsAt: now, sentAt: now, expiresAt: now, summary: verdict.summary, description: verdict.description };
        send = true;
      }
    } else if (verdict.status === 'hold') {
      // Nothing proven either way: a firing alert keeps being re-sent, nothing else changes.
      if (old !== undefined) next = { ...old };
      send = firing && due(old);
    } else if (firing) {
      next = { ...old, resolvedAt: now };
      send = true;
    } else if (old !== undefined && now < old.expiresAt) {
      next = { ...old };
      send = due(old);
    }

    if (next === undefined) continue;
    if (send) {
      next.sentAt = now;
      if (next.resolvedAt === undefined) next.expiresAt = now + ENDS_AFTER_INTERVALS * settings.resendIntervalMs;
      alerts.push(postable(name, next, ensemble, settings));
    }
    state[name] = next;
  }
  return { state, alerts };
}

function postable(name: PushedAlertName, tracked: TrackedAlert, state: EnsembleState, settings: PushSettings): PostableAlert {
  const ensemble = state.name;
  // The leader epoch hook payloads name in `incident.epoch`, so a receiver can tie the two together.
  const epoch = (state.leader ?? state.lastKnownLeader)?.epoch;
  return {
    labels: { alertname: name, ensemble, severity: ALERT_SEVERITY[name], source: ALERT_SOURCE },
    annotations: {
      summary: tracked.summary,
      description: tracked.description,
      agent: settings.agentId,
      ...(epoch !== undefined ? { epoch: String(epoch) } : {}),
    },
    startsAt: new Date(tracked.startsAt).toISOString(),
    endsAt: new Date(tracked.resolvedAt ?? tracked.expiresAt).toISOString(),
    generatorURL: `${settings.externalUrl}/#ensemble-${encodeURIComponent(ensemble)}`,
  };
}
