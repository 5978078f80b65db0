import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  currentIncidents,
  evaluateRules,
  forgetEnsembles,
  type GateDecision,
  type RulesInput,
  type RulesResult,
  type RulesState,
} from '../../../src/hooks/decide/rules.js';
import type { HookRuleConfig as HookRule } from '../../../src/config/types.js';
import type { Transition } from '../../../src/ensemble/types.js';
import { ensembleConfig, F, L, NS, Sim, T0, X, type NodeSpec } from '../ensemble/samples.js';

const H: NodeSpec[] = [L(1), F(1), F(1)];
const R: NodeSpec[] = [L(1), F(1), X()];
const LOST: NodeSpec[] = [L(1), X(), X()];
const ELECTION: NodeSpec[] = [X(), NS(), NS()];
const NEW_LEADER: NodeSpec[] = [F(2), L(2), F(2)];
const SPLIT: NodeSpec[] = [L(2), L(2), F(2)];

// Golden facts of the 3-node sample ensemble (no conf, so voters are named host:port).
const AT_RISK_KEY = 'main/quorum_at_risk/e1/8ed17db72b90';
const LOST_KEY = 'main/quorum_lost/e1/1656b47fd58f';

function rule(event: HookRule['event'], over: Partial<HookRule> = {}): HookRule {
  return { event, hook: 'pager', forMs: 0, cooldownMs: 0, fireOnStartup: false, ...over };
}

/** One agent: an ensemble simulation feeding the rules engine round by round. */
class Agent {
  readonly sim: Sim;
  state: RulesState | undefined;
  first = true;
  readonly inFlight = new Set<string>();
  readonly probes: Array<[string, string]> = [];
  gate: ((due: Parameters<NonNullable<RulesInput['gate']>>[0]) => GateDecision) | undefined;
  lastTransitions: Transition[] = [];
  incidentBucketMs: number | undefined;

  constructor(
    public rules: HookRule[],
    startAt = T0,
  ) {
    this.sim = new Sim(ensembleConfig(3));
    this.sim.now = startAt;
  }

  round(specs: NodeSpec[]): RulesResult {
    this.lastTransitions = this.sim.round(specs);
    const input: RulesInput = {
      ensemble: this.sim.s,
      transitions: this.lastTransitions,
      now: this.sim.s.lastRoundAt,
      firstRound: this.first,
      inFlight: (hook, prefix) => {
        this.probes.push([hook, prefix]);
        return [...this.inFlight].some((key) => key.startsWith(prefix));
      },
    };
    if (this.gate) input.gate = this.gate;
    if (this.incidentBucketMs !== undefined) input.incidentBucketMs = this.incidentBucketMs;
    const result = evaluateRules(this.state, input, this.rules);
    this.first = false;
    this.state = result.state;
    return result;
  }
}

/** One word per round: what the engine did. */
function outcome(r: RulesResult): string {
  if (r.due.length > 0) return r.due.map(() => 'sent').join(',');
  if (r.held[0]) return `held:${r.held[0].why}`;
  if (r.consumed[0]) return `consumed:${r.consumed[0].why}`;
  return '-';
}

describe('evaluateRules: conditions, for, cooldown, start-up', () => {
  const cases: Array<{ name: string; rule: HookRule; rounds: NodeSpec[][]; expected: string[] }> = [
    {
      name: 'at_risk fires at once, once per episode, re-arms when it clears',
      rule: rule('quorum_at_risk'),
      rounds: [H, R, R, H, R],
      expected: ['-', 'sent', '-', '-', 'sent'],
    },
    {
      name: 'for: fires once the condition held 2 s',
      rule: rule('quorum_at_risk', { forMs: 2000 }),
      rounds: [H, R, R, R, R],
      expected: ['-', '-', '-', 'sent', '-'],
    },
    {
      name: 'for: a clear restarts the wait',
      rule: rule('quorum_at_risk', { forMs: 2000 }),
      rounds: [H, R, H, R, R, R],
      expected: ['-', '-', '-', '-', '-', 'sent'],
    },
    {
      name: 'cooldown holds the next episode, which fires when it elapses if still true',
      rule: rule('quorum_at_risk', { cooldownMs: 3000 }),
      rounds: [H, R, H, R, R, R],
      expected: ['-', 'sent', '-', 'held:cooldown', 'sent', '-'],
    },
    {
      name: 'cooldown: an episode that ends while held is not sent',
      rule: rule('quorum_at_risk', { cooldownMs: 3000 }),
      rounds: [H, R, H, R, H, H],
      expected: ['-', 'sent', '-', 'held:cooldown', '-', '-'],
    },
    {
      name: 'start-up: already true → not fired; the next episode fires',
      rule: rule('quorum_at_risk'),
      rounds: [R, R, H, R],
      expected: ['consumed:startup', '-', '-', 'sent'],
    },
    {
      name: 'fireOnStartup fires for a condition already true',
      rule: rule('quorum_at_risk', { fireOnStartup: true }),
      rounds: [R, R],
      expected: ['sent', '-'],
    },
    {
      name: 'fireOnStartup still waits for `for`',
      rule: rule('quorum_at_risk', { fireOnStartup: true, forMs: 1000 }),
      rounds: [R, R, R],
      expected: ['-', 'sent', '-'],
    },
    { name: 'quorum_lost', rule: rule('quorum_lost'), rounds: [H, LOST, LOST, H, LOST], expected: ['-', 'sent', '-', '-', 'sent'] },
    {
      name: 'quorum_lost at start-up',
      rule: rule('quorum_lost'),
      rounds: [LOST, LOST, R, LOST],
      expected: ['consumed:startup', '-', '-', 'sent'],
    },
    {
      name: 'quorum_restored fires once per recovery',
      rule: rule('quorum_restored'),
      rounds: [H, R, H, H, LOST, H],
      expected: ['-', '-', 'sent', '-', '-', 'sent'],
    },
    {
      name: 'quorum_restored with for: a recovery that does not last is dropped',
      rule: rule('quorum_restored', { forMs: 1000 }),
      rounds: [H, R, H, R, H, H, H],
      expected: ['-', '-', '-', '-', '-', 'sent', '-'],
    },
    {
      name: 'quorum_restored never fires for a healthy start',
      rule: rule('quorum_restored', { fireOnStartup: true }),
      rounds: [H, H],
      expected: ['-', '-'],
    },
    { name: 'leader_changed', rule: rule('leader_changed'), rounds: [H, NEW_LEADER, NEW_LEADER], expected: ['-', 'sent', '-'] },
    {
      name: 'leader_changed with for: needs the new leader to stay',
      rule: rule('leader_changed', { forMs: 1000 }),
      rounds: [H, NEW_LEADER, NEW_LEADER, NEW_LEADER],
      expected: ['-', '-', 'sent', '-'],
    },
    {
      name: 'leader_changed with for: a leader lost before `for` is dropped',
      rule: rule('leader_changed', { forMs: 1000 }),
      rounds: [H, NEW_LEADER, ELECTION, ELECTION],
      expected: ['-', '-', '-', '-'],
    },
    { name: 'split_brain', rule: rule('split_brain'), rounds: [H, SPLIT, SPLIT, NEW_LEADER], expected: ['-', 'sent', '-', '-'] },
    {
      name: 'election_too_long after 2 s',
      rule: rule('election_too_long', { electionTooLongMs: 2000 }),
      rounds: [H, ELECTION, ELECTION, ELECTION, ELECTION],
      expected: ['-', '-', '-', 'sent', '-'],
    },
    {
      name: 'election_too_long: an election ending in time never fires',
      rule: rule('election_too_long', { electionTooLongMs: 2000 }),
      rounds: [H, ELECTION, ELECTION, NEW_LEADER],
      expected: ['-', '-', '-', '-'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const agent = new Agent([c.rule]);
      expect(c.rounds.map((specs) => outcome(agent.round(specs)))).toEqual(c.expected);
    });
  }

  it('describes a due hook exactly', () => {
    const agent = new Agent([rule('quorum_at_risk', { forMs: 1000 })]);
    agent.round(H);
    agent.round(R);
    const onset = agent.lastTransitions;
    const result = agent.round(R);
    expect(result.due).toEqual([
      {
        rule: rule('quorum_at_risk', { forMs: 1000 }),
        event: 'quorum_at_risk',
        ensemble: 'main',
        incidentKey: AT_RISK_KEY,
        idempotencyKey: `pager/${AT_RISK_KEY}/2023-11-14T22:10:00Z`,
        triggeredAt: T0 + 1000,
        transitions: onset,
      },
    ]);
    expect(onset.map((t) => t.kind)).toEqual(['node_down', 'quorum_state_changed']);
  });

  it('rules apply only to their ensembles', () => {
    const agent = new Agent([
      rule('quorum_at_risk', { ensembles: ['other'] }),
      rule('quorum_at_risk', { hook: 'ops', ensembles: ['main'] }),
    ]);
    agent.round(H);
    expect(agent.round(R).due.map((d) => d.idempotencyKey)).toEqual([`ops/${AT_RISK_KEY}/2023-11-14T22:10:00Z`]);
  });

  it('two hooks on one event fire independently, each with its own key', () => {
    const agent = new Agent([rule('quorum_lost'), rule('quorum_lost', { hook: 'failover', cooldownMs: 60_000 })]);
    agent.round(H);
    expect(agent.round(LOST).due.map((d) => d.idempotencyKey)).toEqual([
      `pager/${LOST_KEY}/2023-11-14T22:10:00Z`,
      `failover/${LOST_KEY}/2023-11-14T22:10:00Z`,
    ]);
  });
});

describe('evaluateRules: in-flight deliveries', () => {
  it('asks about the hook and its ensemble+event prefix, and holds while one is in flight', () => {
    const agent = new Agent([rule('quorum_at_risk')]);
    agent.round(H);
    const first = agent.round(R);
    agent.inFlight.add(first.due[0]!.idempotencyKey);
    agent.round(H);
    expect(outcome(agent.round(R))).toBe('held:in_flight');
    expect(agent.probes.at(-1)).toEqual(['pager', 'pager/main/quorum_at_risk/']);
    agent.inFlight.clear();
    expect(outcome(agent.round(R))).toBe('sent');
  });

  it('a cooldown cannot expire while its delivery is in flight', () => {
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 3000 })]);
    agent.round(H);
    agent.inFlight.add(agent.round(R).due[0]!.idempotencyKey); // t1: sent, cooldown until t4
    expect([H, R, R].map((specs) => outcome(agent.round(specs)))).toEqual(['-', 'held:cooldown', 'held:in_flight']);
    agent.inFlight.clear();
    expect(outcome(agent.round(R))).toBe('sent');
  });
});

describe('acknowledge', () => {
  it('clears a running cooldown early and records who, when and why', () => {
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 }), rule('quorum_at_risk', { hook: 'ops', cooldownMs: 60_000 })]);
    agent.round(H);
    expect(agent.round(R).due).toHaveLength(2);
    agent.round(H);
    expect(outcome(agent.round(R))).toBe('held:cooldown');
    const acked = acknowledge(agent.state, {
      ensemble: 'main',
      event: 'quorum_at_risk',
      hook: 'pager',
      by: 'alice',
      at: T0 + 3500,
      comment: 'handled',
    });
    expect(acked.ack).toEqual({
      ensemble: 'main',
      event: 'quorum_at_risk',
      hook: 'pager',
      by: 'alice',
      at: T0 + 3500,
      comment: 'handled',
      cleared: ['pager'],
    });
    expect(acked.state.tracks['pager/main/quorum_at_risk']?.lastAck).toEqual({ by: 'alice', at: T0 + 3500, comment: 'handled' });
    agent.state = acked.state;
    const next = agent.round(R);
    expect(next.due.map((d) => d.rule.hook)).toEqual(['pager']);
    expect(next.held.map((h) => [h.due.rule.hook, h.why])).toEqual([['ops', 'cooldown']]);
  });

  it('without a hook clears every hook of the ensemble+event; nothing running → cleared is empty', () => {
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 }), rule('quorum_at_risk', { hook: 'ops', cooldownMs: 60_000 })]);
    agent.round(H);
    agent.round(R);
    const first = acknowledge(agent.state, { ensemble: 'main', event: 'quorum_at_risk', by: 'bob', at: T0 + 2000 });
    expect(first.ack).toEqual({ ensemble: 'main', event: 'quorum_at_risk', by: 'bob', at: T0 + 2000, cleared: ['ops', 'pager'] });
    expect(acknowledge(first.state, { ensemble: 'main', event: 'quorum_at_risk', by: 'bob', at: T0 + 2001 }).ack.cleared).toEqual([]);
    expect(acknowledge(undefined, { ensemble: 'main', event: 'quorum_lost', by: 'bob', at: T0 }).ack.cleared).toEqual([]);
  });

  it('does not override a delivery still in flight', () => {
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 })]);
    agent.round(H);
    agent.inFlight.add(agent.round(R).due[0]!.idempotencyKey);
    agent.round(H);
    agent.state = acknowledge(agent.state, { ensemble: 'main', event: 'quorum_at_risk', by: 'alice', at: T0 + 2500 }).state;
    expect(outcome(agent.round(R))).toBe('held:in_flight');
  });
});

describe('evaluateRules: gate', () => {
  it('defer keeps the hook due (same onset); suppress and skip close the episode without a cooldown', () => {
    const decisions: GateDecision[] = [{ action: 'defer', reason: 'peers disagree' }, { action: 'send' }];
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 })]);
    agent.gate = () => decisions.shift() ?? { action: 'suppress', reason: 'maintenance window' };
    agent.round(H);
    const deferred = agent.round(R);
    expect(deferred.held.map((h) => [h.why, h.reason])).toEqual([['deferred', 'peers disagree']]);
    const sent = agent.round(R);
    expect(sent.due.map((d) => d.triggeredAt)).toEqual([T0 + 1000]);
    expect(sent.due[0]!.idempotencyKey).toBe(deferred.held[0]!.due.idempotencyKey);
  });

  it('a suppressed episode is recorded once, not retried, and the next episode is offered again', () => {
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 })]);
    agent.gate = () => ({ action: 'suppress', reason: 'maintenance window' });
    agent.round(H);
    const r = agent.round(R);
    expect(r.consumed.map((c) => [c.why, c.reason, c.due.incidentKey])).toEqual([['suppressed', 'maintenance window', AT_RISK_KEY]]);
    expect(outcome(agent.round(R))).toBe('-');
    agent.round(H);
    agent.gate = undefined;
    expect(outcome(agent.round(R))).toBe('sent');
  });

  it('is not asked while a cooldown holds the hook', () => {
    let asked = 0;
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 })]);
    agent.gate = () => {
      asked++;
      return { action: 'send' };
    };
    [H, R, H, R, R].forEach((specs) => agent.round(specs));
    expect(asked).toBe(1);
  });
});

describe('evaluateRules: state', () => {
  it('survives a JSON round trip at every round', () => {
    const rounds = [H, R, R, H, LOST, LOST, H, NEW_LEADER, SPLIT, ELECTION, ELECTION, ELECTION, NEW_LEADER];
    const rules = [
      rule('quorum_at_risk', { forMs: 1000, cooldownMs: 2000 }),
      rule('quorum_lost'),
      rule('quorum_restored'),
      rule('leader_changed'),
      rule('split_brain'),
      rule('election_too_long', { electionTooLongMs: 1000 }),
    ];
    const plain = new Agent(rules);
    const revived = new Agent(rules);
    for (const specs of rounds) {
      const before = JSON.stringify(plain.state);
      const previous = plain.state;
      const a = plain.round(specs);
      expect(JSON.stringify(previous)).toBe(before); // the previous state is never mutated
      revived.state = (JSON.parse(JSON.stringify(revived.state ?? null)) as RulesState | null) ?? undefined;
      const b = revived.round(specs);
      expect(b.due.map((d) => d.idempotencyKey)).toEqual(a.due.map((d) => d.idempotencyKey));
      expect(JSON.parse(JSON.stringify(b.state))).toEqual(b.state);
    }
  });

  it('reload: a new rule does not fire for a condition already true; existing rules carry on', () => {
    const agent = new Agent([rule('quorum_at_risk', { forMs: 2000 })]);
    agent.round(H);
    agent.round(R); // onset t1
    agent.rules = [rule('quorum_at_risk', { forMs: 2000 }), rule('quorum_at_risk', { hook: 'ops' })];
    const reloaded = agent.round(R);
    expect(reloaded.consumed.map((c) => [c.due.rule.hook, c.why])).toEqual([['ops', 'startup']]);
    expect(agent.round(R).due.map((d) => [d.rule.hook, d.triggeredAt])).toEqual([['pager', T0 + 1000]]);
  });

  it('restart with persisted state: episodes are forgotten (start-up rules apply), cooldowns are kept', () => {
    const agent = new Agent([rule('quorum_at_risk', { cooldownMs: 60_000 })]);
    agent.round(H);
    agent.round(R);
    agent.first = true;
    expect(outcome(agent.round(R))).toBe('consumed:startup');
    agent.round(H);
    expect(outcome(agent.round(R))).toBe('held:cooldown');
  });

  it('keeps other ensembles tracks; drops tracks of rules no longer configured; forgetEnsembles prunes', () => {
    const other: RulesState = {
      version: 1,
      tracks: {
        'pager/other/quorum_lost': { hook: 'pager', ensemble: 'other', event: 'quorum_lost', fired: true, since: T0, transitions: [] },
      },
    };
    const agent = new Agent([rule('quorum_at_risk'), rule('quorum_lost')]);
    agent.state = other;
    agent.round(H);
    expect(Object.keys(agent.state.tracks)).toEqual(['pager/other/quorum_lost', 'pager/main/quorum_at_risk', 'pager/main/quorum_lost']);
    agent.rules = [rule('quorum_lost')];
    agent.round(H);
    expect(Object.keys(agent.state.tracks)).toEqual(['pager/other/quorum_lost', 'pager/main/quorum_lost']);
    expect(Object.keys(forgetEnsembles(agent.state, ['main']).tracks)).toEqual(['pager/main/quorum_lost']);
  });
});

describe('idempotency keys', () => {
  // Agent B polls 400 ms after agent A and started 3 rounds earlier: transition times differ, keys must not.
  const scenarios: Array<{ event: HookRule['event']; rounds: NodeSpec[][]; key: string }> = [
    { event: 'quorum_at_risk', rounds: [H, R], key: `pager/${AT_RISK_KEY}/2023-11-14T22:10:00Z` },
    { event: 'quorum_lost', rounds: [H, LOST], key: `pager/${LOST_KEY}/2023-11-14T22:10:00Z` },
    {
      event: 'quorum_restored',
      rounds: [H, R, H],
      key: 'pager/main/quorum_restored/e1/after/quorum_at_risk/e1/8ed17db72b90@2023-11-14T22:10:00Z',
    },
    { event: 'leader_changed', rounds: [H, NEW_LEADER], key: 'pager/main/leader_changed/e2/10.0.0.2:2181' },
    { event: 'split_brain', rounds: [H, SPLIT], key: 'pager/main/split_brain/e2/c517e98044a8' },
    { event: 'election_too_long', rounds: [H, ELECTION, ELECTION, ELECTION], key: 'pager/main/election_too_long/after-e1' },
  ];
  for (const s of scenarios) {
    it(`${s.event}: equal on two agents that saw the incident at different times`, () => {
      const rules = [rule(s.event, { electionTooLongMs: 1500 })];
      const a = new Agent(rules, T0);
      const b = new Agent(rules, T0 - 3000 + 400);
      for (let i = 0; i < 3; i++) b.round(H);
      const dueA = s.rounds.map((specs) => a.round(specs)).flatMap((r) => r.due);
      const dueB = s.rounds.map((specs) => b.round(specs)).flatMap((r) => r.due);
      expect(dueA.map((d) => d.idempotencyKey)).toEqual([s.key]);
      expect(dueB.map((d) => d.idempotencyKey)).toEqual([s.key]);
      expect(dueB[0]!.triggeredAt - dueA[0]!.triggeredAt).toBe(400);
      expect(dueA[0]!.incidentKey).toBe(currentIncidents(a.sim.s)[s.event]);
    });
  }

  it('a repeat of the same fault in the same epoch 20 minutes later gets a new key', () => {
    const agent = new Agent([rule('quorum_at_risk')]);
    agent.round(H);
    const first = agent.round(R).due[0]!.idempotencyKey;
    agent.round(H);
    agent.sim.now = T0 + 20 * 60_000;
    const second = agent.round(R).due[0]!.idempotencyKey;
    expect([first, second]).toEqual([`pager/${AT_RISK_KEY}/2023-11-14T22:10:00Z`, `pager/${AT_RISK_KEY}/2023-11-14T22:30:00Z`]);
  });

  it('a configured incident bucket is used by every bucketed key, the recovery pairing of quorum_restored included', () => {
    const agent = new Agent([rule('quorum_at_risk'), rule('quorum_restored')]);
    agent.incidentBucketMs = 60_000;
    const keys = [H, R, H].flatMap((specs) => agent.round(specs).due.map((d) => d.idempotencyKey));
    // T0 is 22:13:20 UTC: one-minute buckets give 22:13:00 where the default ten-minute ones give 22:10:00.
    expect(keys).toEqual([
      `pager/${AT_RISK_KEY}/2023-11-14T22:13:00Z`,
      'pager/main/quorum_restored/e1/after/quorum_at_risk/e1/8ed17db72b90@2023-11-14T22:13:00Z',
    ]);
  });

  it('the unhealthy-voter set is part of the at_risk key', () => {
    const a = new Agent([rule('quorum_at_risk')]);
    a.round(H);
    const b = new Agent([rule('quorum_at_risk')]);
    b.round(H);
    expect(a.round([L(1), F(1), X()]).due[0]!.incidentKey).not.toBe(b.round([L(1), X(), F(1)]).due[0]!.incidentKey);
  });

  it('an onset straddling a bucket boundary gives two keys (the documented rare duplicate)', () => {
    const boundary = Date.UTC(2023, 10, 14, 22, 20);
    const a = new Agent([rule('quorum_at_risk')], boundary - 1000 - 100);
    const b = new Agent([rule('quorum_at_risk')], boundary - 1000 + 300);
    a.round(H);
    b.round(H);
    expect([a.round(R).due[0]!.idempotencyKey, b.round(R).due[0]!.idempotencyKey]).toEqual([
      `pager/${AT_RISK_KEY}/2023-11-14T22:10:00Z`,
      `pager/${AT_RISK_KEY}/2023-11-14T22:20:00Z`,
    ]);
  });
});
