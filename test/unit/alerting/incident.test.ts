/**
 * One incident, one correlation: the payload of an agent rule and the payload of the agent's own
 * Alertmanager alert forwarded through the receiver carry the same `incident`.
 */
import { describe, expect, it } from 'vitest';
import { decidePush, type PostableAlert } from '../../../src/alerting/decide.js';
import type { HookRuleConfig } from '../../../src/config/types.js';
import { compileRoute, parseAlertmanagerPayload, routeAlerts } from '../../../src/hooks/decide/alertmanager.js';
import { intentForAlert, intentForDue } from '../../../src/hooks/decide/payload.js';
import { evaluateRules, type DueHook, type RulesState } from '../../../src/hooks/decide/rules.js';
import { ensembleConfig, F, L, NS, Sim, T0, X, type NodeSpec } from '../ensemble/samples.js';

const AGENT = { id: 'agent-a', version: '0.1.0' };
const RULE: HookRuleConfig = { event: 'quorum_lost', hook: 'pager', forMs: 0, cooldownMs: 0, fireOnStartup: false };
const SETTINGS = { resendIntervalMs: 30_000, externalUrl: 'http://agent-a:9141', agentId: 'agent-a' };

/** A pushed alert as Alertmanager's webhook delivers it back (firing: zero endsAt, a fingerprint). */
function asWebhook(alerts: PostableAlert[]) {
  const parsed = parseAlertmanagerPayload({
    version: '4',
    status: 'firing',
    alerts: alerts.map((a) => ({ ...a, status: 'firing', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'c0ffee' })),
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.payload;
}

describe('incident correlation', () => {
  it('an agent rule and the forwarded ZookeeperQuorumLost alert carry the same incident', () => {
    const sim = new Sim(ensembleConfig(3, 'kafka'));
    let rules: RulesState | undefined;
    let push: ReturnType<typeof decidePush> | undefined;
    const rounds: NodeSpec[][] = [
      [L(4), F(4), F(4)],
      [NS(), X(), X()],
    ];
    let due: DueHook | undefined;
    for (const [k, specs] of rounds.entries()) {
      const transitions = sim.round(specs);
      const input = { ensemble: sim.s, transitions, now: sim.s.lastRoundAt, firstRound: k === 0, inFlight: () => false };
      const result = evaluateRules(rules, input, [RULE]);
      rules = result.state;
      due = result.due[0];
      push = decidePush(push?.state, sim.s, sim.s.lastRoundAt, SETTINGS);
    }
    const fromRule = intentForDue(due!, sim.s, AGENT, 'id-1', T0 + 1000).payload;
    const lost = push!.alerts.filter((a) => a.labels.alertname === 'ZookeeperQuorumLost');
    const [routed] = routeAlerts(asWebhook(lost), [compileRoute({ hook: 'pager', matchers: [], sendResolved: false })]);
    const fromAlert = intentForAlert(routed!, AGENT, 'id-2', T0 + 2000).payload;

    expect(fromRule.idempotencyKey).not.toBe(fromAlert.idempotencyKey);
    expect(fromRule.incident).toEqual({ ensemble: 'kafka', event: 'quorum_lost', epoch: 4, onset: T0 + 1000 });
    expect(fromAlert.incident).toEqual(fromRule.incident);
  });

  it('a Prometheus alert (no epoch annotation) carries ensemble, event and onset; an unrelated alert none', () => {
    const payload = asWebhook([
      {
        labels: { alertname: 'ZookeeperQuorumLost', ensemble: 'kafka', severity: 'critical', job: 'zk', instance: 'agent-a:9141' },
        annotations: { summary: 'lost' },
        startsAt: '2026-11-25T10:00:00.000Z',
        endsAt: '',
        generatorURL: 'http://prometheus/graph',
      },
      {
        labels: { alertname: 'ZookeeperLatencyHigh', ensemble: 'kafka' },
        annotations: {},
        startsAt: '2026-11-25T10:00:00.000Z',
        endsAt: '',
        generatorURL: '',
      },
    ]);
    const routed = routeAlerts(payload, [compileRoute({ hook: 'pager', matchers: [], sendResolved: false })]);
    const [lost, latency] = routed.map((r) => intentForAlert(r, AGENT, 'id', T0).payload);
    expect(lost!.incident).toEqual({ ensemble: 'kafka', event: 'quorum_lost', onset: Date.parse('2026-11-25T10:00:00.000Z') });
    expect(latency!.incident).toBeUndefined();
  });
});
