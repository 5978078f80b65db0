import { describe, expect, it } from 'vitest';
import { currentIncidents, evaluateRules, type RulesResult, type RulesState } from '../../../src/hooks/decide/rules.js';
import { intentForDue } from '../../../src/hooks/decide/payload.js';
import { applyCanaryRound } from '../../../src/ensemble/writes.js';
import type { HookRuleConfig } from '../../../src/config/types.js';
import type { CanaryRound } from '../../../src/zk/canary-types.js';
import { ensembleConfig, F, L, server, Sim, T0, X, type NodeSpec } from '../ensemble/samples.js';

const H: NodeSpec[] = [L(1), F(1), F(1)];
// Every voter down but the leader: quorum lost, yet a leader answers.
const LOST: NodeSpec[] = [L(1), X(), X()];
// No node answers srvr: the agent cannot tell what the quorum is.
const BLIND: NodeSpec[] = [X('timeout'), X('timeout'), X('timeout')];

function rule(over: Partial<HookRuleConfig> = {}): HookRuleConfig {
  return { event: 'writes_stalled', hook: 'pager', forMs: 0, cooldownMs: 0, fireOnStartup: false, ...over };
}

/** A canary round finishing at `at`: every node's write commits, or none does (create timed out). */
function canaryRound(at: number, wrote: boolean): CanaryRound {
  return {
    ensemble: 'main',
    startedAt: at - 100,
    finishedAt: at,
    nodes: [1, 2, 3].map((i) =>
      wrote
        ? { server: server(i), startedAt: at - 100, finishedAt: at, wrote: true, ok: true, latencyMs: { write: 3, read: 1 } }
        : {
            server: server(i),
            startedAt: at - 100,
            finishedAt: at,
            wrote: false,
            ok: false,
            failedOp: 'create',
            reason: 'timeout',
            latencyMs: {},
          },
    ),
  };
}

/**
 * One agent as `src/agent.ts` drives it: poll rounds derive the state and evaluate the rules; a canary
 * round, when given, lands in between (halfway to the next poll round) and only updates the state.
 */
class Agent {
  readonly sim = new Sim(ensembleConfig(3));
  rules: RulesState | undefined;
  first = true;

  constructor(readonly hookRules: HookRuleConfig[]) {}

  poll(specs: NodeSpec[], canary?: 'ok' | 'stalled'): RulesResult {
    const transitions = this.sim.round(specs);
    const result = evaluateRules(
      this.rules,
      { ensemble: this.sim.s, transitions, now: this.sim.s.lastRoundAt, firstRound: this.first, inFlight: () => false },
      this.hookRules,
    );
    this.first = false;
    this.rules = result.state;
    if (canary !== undefined) {
      this.sim.state = applyCanaryRound(this.sim.s, canaryRound(this.sim.now - 500, canary === 'ok')).state;
    }
    return result;
  }
}

function outcome(r: RulesResult): string {
  if (r.due.length > 0) return 'sent';
  if (r.held[0]) return `held:${r.held[0].why}`;
  if (r.consumed[0]) return `consumed:${r.consumed[0].why}`;
  return '-';
}

describe('writes_stalled rule', () => {
  const cases: Array<{ name: string; rule: HookRuleConfig; rounds: Array<[NodeSpec[], ('ok' | 'stalled')?]>; expected: string[] }> = [
    {
      name: 'fires at the first poll round after a canary round saw the stall, once per episode, re-arms when writes commit',
      rule: rule(),
      rounds: [[H, 'ok'], [H, 'stalled'], [H, 'stalled'], [H, 'ok'], [H, 'stalled'], [H]],
      expected: ['-', '-', 'sent', '-', '-', 'sent'],
    },
    {
      name: 'for: counts from the canary round that saw the stall, not from the poll round that read it',
      rule: rule({ forMs: 1500 }),
      // Stall seen at T0+1.5 s; polls at T0+2 s (0.5 s), T0+3 s (1.5 s: due).
      rounds: [[H, 'ok'], [H, 'stalled'], [H], [H], [H]],
      expected: ['-', '-', '-', 'sent', '-'],
    },
    {
      name: 'fires whatever the quorum state: lost, and unknown (writes failing is evidence in itself)',
      rule: rule(),
      rounds: [[H, 'ok'], [LOST, 'stalled'], [LOST], [BLIND, 'ok'], [BLIND, 'stalled'], [BLIND]],
      expected: ['-', '-', 'sent', '-', '-', 'sent'],
    },
    {
      name: 'never without a canary, whatever the ensemble does',
      rule: rule(),
      rounds: [[H], [LOST], [BLIND], [H]],
      expected: ['-', '-', '-', '-'],
    },
    {
      name: "start-up: a stall the canary's first round already saw is not fired (even a poll round late); the next episode fires",
      rule: rule(),
      rounds: [[H, 'stalled'], [H, 'ok'], [H, 'stalled'], [H]],
      expected: ['-', 'consumed:startup', '-', 'sent'],
    },
    {
      name: 'cooldown holds the next episode',
      rule: rule({ cooldownMs: 10_000 }),
      rounds: [[H, 'ok'], [H, 'stalled'], [H, 'ok'], [H, 'stalled'], [H]],
      expected: ['-', '-', 'sent', '-', 'held:cooldown'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const agent = new Agent([c.rule]);
      expect(c.rounds.map(([specs, canary]) => outcome(agent.poll(specs, canary)))).toEqual(c.expected);
    });
  }

  it('start-up with a stall already seen: consumed as already true, unless fireOnStartup', () => {
    for (const fireOnStartup of [false, true]) {
      const agent = new Agent([rule({ fireOnStartup })]);
      agent.sim.round(H);
      agent.sim.state = applyCanaryRound(agent.sim.s, canaryRound(T0 + 500, false)).state;
      agent.sim.round(H);
      const result = evaluateRules(
        undefined,
        { ensemble: agent.sim.s, transitions: [], now: agent.sim.s.lastRoundAt, firstRound: true, inFlight: () => false },
        [rule({ fireOnStartup })],
      );
      expect(outcome(result)).toBe(fireOnStartup ? 'sent' : 'consumed:startup');
    }
  });

  it('the due hook: bucketed key, onset at the canary round, the stall transition from the timeline, payload with the failing nodes', () => {
    const agent = new Agent([rule()]);
    agent.poll(H, 'ok');
    agent.poll(H, 'stalled');
    const result = agent.poll(H);
    const due = result.due[0]!;
    expect(due.idempotencyKey).toBe('pager/main/writes_stalled/e1/2023-11-14T22:10:00Z');
    expect(due.incidentKey).toBe('main/writes_stalled/e1');
    expect(currentIncidents(agent.sim.s).writes_stalled).toBe(due.incidentKey);
    expect(due.triggeredAt).toBe(T0 + 1500);
    expect(due.transitions).toEqual([
      {
        at: T0 + 1500,
        ensemble: 'main',
        kind: 'writes_stalled',
        phase: 'started',
        nodes: [1, 2, 3].map((i) => ({ server: server(i), failedOp: 'create', reason: 'timeout' })),
      },
    ]);
    const intent = intentForDue(due, agent.sim.s, { id: 'a', version: '1' }, 'id-1', T0 + 2000);
    expect(intent.payload.canary).toEqual({
      stalledSince: T0 + 1500,
      lastRoundAt: T0 + 1500,
      failingNodes: [1, 2, 3].map((i) => ({ server: server(i), failedOp: 'create', reason: 'timeout', lastSuccessAt: T0 + 500 })),
    });
    expect(intent.payload.event).toBe('writes_stalled');
  });

  it('no canary field on other events, and no writes_stalled incident while writes commit', () => {
    const agent = new Agent([rule(), { ...rule(), event: 'quorum_lost' }]);
    agent.poll(H, 'ok');
    expect(currentIncidents(agent.sim.s).writes_stalled).toBeUndefined();
    const due = agent.poll(LOST).due[0]!;
    expect(due.event).toBe('quorum_lost');
    expect(intentForDue(due, agent.sim.s, { id: 'a', version: '1' }, 'id-1', T0).payload.canary).toBeUndefined();
  });
});
