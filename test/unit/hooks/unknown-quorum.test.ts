/**
 * Hooks and an `unknown` quorum: it fires nothing, neither starts nor ends an incident, and payloads
 * never name a leader that is not serving now.
 */
import { describe, expect, it } from 'vitest';
import type { HookRuleConfig } from '../../../src/config/types.js';
import type { EnsembleState, QuorumState, Transition } from '../../../src/ensemble/types.js';
import { intentForDue } from '../../../src/hooks/decide/payload.js';
import { evaluateRules, type RulesResult, type RulesState } from '../../../src/hooks/decide/rules.js';
import { ensembleConfig, F, L, NS, Sim, X, type NodeSpec } from '../ensemble/samples.js';

const HEALTHY: NodeSpec[] = [L(1), F(1), F(1)];
const LOST: NodeSpec[] = [X(), X(), NS()];

function rule(event: HookRuleConfig['event']): HookRuleConfig {
  return { event, hook: 'pager', forMs: 0, cooldownMs: 0, fireOnStartup: false };
}

/** Feeds states to the rules engine round by round; `unknown` rounds are the previous state relabelled. */
class Engine {
  private rulesState: RulesState | undefined;
  private first = true;
  private previous: EnsembleState | undefined;
  readonly sim = new Sim(ensembleConfig(3));

  constructor(private readonly rules: HookRuleConfig[]) {}

  /** A round the sample ensemble derives from `specs`. */
  round(specs: NodeSpec[]): RulesResult {
    const transitions = this.sim.round(specs);
    return this.feed(this.sim.s, transitions);
  }

  /** A round in which the agent could not tell the quorum (as when the voters it sees prove nothing). */
  unknown(): RulesResult {
    const before = this.previous!;
    const at = before.lastRoundAt + 1000;
    const state: EnsembleState = { ...before, quorum: 'unknown', quorumSince: at, lastRoundAt: at };
    this.sim.state = state;
    this.sim.now = at + 1000;
    return this.feed(state, before.quorum === 'unknown' ? [] : [change(before, 'unknown', at)]);
  }

  private feed(state: EnsembleState, transitions: Transition[]): RulesResult {
    const result = evaluateRules(
      this.rulesState,
      { ensemble: state, transitions, now: state.lastRoundAt, firstRound: this.first, inFlight: () => false },
      this.rules,
    );
    this.first = false;
    this.rulesState = result.state;
    this.previous = state;
    return result;
  }
}

function change(from: EnsembleState, to: QuorumState, at: number): Transition {
  return {
    at,
    ensemble: from.name,
    kind: 'quorum_state_changed',
    from: from.quorum,
    to,
    voters: from.voters,
    healthyVoters: from.healthyVoters,
    margin: from.margin,
  };
}

const events = (r: RulesResult): string[] => r.due.map((d) => d.event);

describe('rules and an unknown quorum', () => {
  it('quorum_lost and quorum_at_risk never fire while the quorum is unknown', () => {
    const engine = new Engine([rule('quorum_lost'), rule('quorum_at_risk')]);
    engine.round(HEALTHY);
    expect([engine.unknown(), engine.unknown(), engine.unknown()].flatMap(events)).toEqual([]);
  });

  it('healthy → unknown → healthy restores nothing (there was no incident)', () => {
    const engine = new Engine([rule('quorum_restored')]);
    engine.round(HEALTHY);
    engine.unknown();
    // The sample ensemble derives healthy again from the same answers; its transition comes from `unknown`.
    const back = engine.round(HEALTHY);
    expect(events(back)).toEqual([]);
  });

  it('lost → unknown → healthy still restores the loss', () => {
    const engine = new Engine([rule('quorum_restored')]);
    engine.round(HEALTHY);
    engine.round(LOST);
    engine.unknown();
    expect(events(engine.round(HEALTHY))).toEqual(['quorum_restored']);
  });

  it('a lost episode interrupted by unknown rounds fires once', () => {
    const engine = new Engine([rule('quorum_lost')]);
    engine.round(HEALTHY);
    const fired = [engine.round(LOST), engine.unknown(), engine.round(LOST), engine.round(LOST)].flatMap(events);
    expect(fired).toEqual(['quorum_lost']);
  });
});

describe('payload leader', () => {
  it('names only a serving leader; the last one seen, now down, is lastKnownLeader', () => {
    const engine = new Engine([rule('quorum_lost')]);
    engine.round(HEALTHY);
    const due = engine.round(LOST).due[0]!;
    const state = engine.sim.s;
    expect(state.nodes[0]).toMatchObject({ role: 'down' });
    const payload = intentForDue(due, state, { id: 'a', version: '1' }, 'intent', state.lastRoundAt).payload;
    expect(payload.leader).toBeUndefined();
    expect(payload.lastKnownLeader).toEqual({ server: state.nodes[0]!.server, epoch: 1 });
  });
});

describe('rules while a lost quorum recovers', () => {
  it('lost → at risk (one node back) fires no new quorum_at_risk; quorum_restored closes the loss', () => {
    const engine = new Engine([rule('quorum_at_risk'), rule('quorum_lost'), rule('quorum_restored')]);
    engine.round(HEALTHY);
    expect(events(engine.round([L(1), F(1), X()]))).toEqual(['quorum_at_risk']);
    expect(events(engine.round(LOST))).toEqual(['quorum_lost']);
    // Two nodes serve again under a new leader before the third returns.
    expect(events(engine.round([L(2), F(2), X()]))).toEqual([]);
    expect(events(engine.round([L(2), F(2), F(2)]))).toEqual(['quorum_restored']);
  });

  it('a node failing after a recovery completed is a new quorum_at_risk', () => {
    const engine = new Engine([rule('quorum_at_risk'), rule('quorum_lost')]);
    engine.round(HEALTHY);
    engine.round(LOST);
    engine.round([L(2), F(2), X()]);
    engine.round([L(2), F(2), F(2)]);
    expect(events(engine.round([L(2), X(), F(2)]))).toEqual(['quorum_at_risk']);
  });
});
