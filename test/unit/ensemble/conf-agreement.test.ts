import { describe, expect, it } from 'vitest';
import { agreeOnConf, confReports, membershipKey } from '../../../src/ensemble/agreement.js';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import { pickConf } from '../../../src/ensemble/membership.js';
import type { QuorumMember } from '../../../src/parse/types.js';
import { confRecord, ensembleConfig, F, L, members, O, round, server, Sim, T0, X, type NodeSpec } from './samples.js';

/** `spec` plus a conf naming `id` over `list` at `version`. */
const withConf = (spec: NodeSpec, id: number, list: QuorumMember[], version = '100000000'): NodeSpec => ({
  ...spec,
  conf: confRecord(id, list, version),
});

/** The measured hostile conf: a huge version, the real leader (id 1) made an observer, 30 phantom observers. */
function hostileMembers(): QuorumMember[] {
  const list = members(3).map((m) => (m.id === 1 ? { ...m, role: 'observer' as const } : m));
  for (let id = 4; id <= 33; id++) list.push({ id, host: `10.66.0.${id}`, quorumPort: 2888, electionPort: 3888, role: 'observer' });
  return list;
}

describe('membershipKey', () => {
  it('compares version and each member’s id and role, not hosts or order', () => {
    const list = members(2, 1);
    const moved = [...list].reverse().map((m) => ({ ...m, host: '0.0.0.0' }));
    expect(membershipKey(list, '0x100000000')).toBe('100000000|1:p,2:p,3:o');
    expect(membershipKey(moved, '100000000')).toBe(membershipKey(list, '0x100000000'));
    expect(membershipKey(list, undefined)).toBe('|1:p,2:p,3:o');
  });
});

describe('agreeOnConf', () => {
  const three = members(3);
  const five = members(5);

  it('a strict majority of reporting voters decides; a tie accepts nothing', () => {
    const majority = confReports(round([withConf(L(), 1, three), withConf(F(), 2, three), withConf(F(), 3, five, 'ff')], T0));
    expect(agreeOnConf(majority)).toEqual({ conf: confRecord(1, three, '100000000'), agreedBy: 2 });
    const tie = confReports(round([withConf(L(), 1, three), withConf(F(), 2, five, 'ff')], T0));
    expect(agreeOnConf(tie)).toEqual({ agreedBy: 0 });
  });

  it('observers decide only when no voter reports', () => {
    const list = members(3, 2);
    // Voters 1 and 2 agree; observers 4 and 5 report another version: the voters win 2 of 2.
    const mixed = confReports(
      round([withConf(L(), 1, list), withConf(F(), 2, list), X('refused'), withConf(O(), 4, list, '2'), withConf(O(), 5, list, '2')], T0),
    );
    expect(agreeOnConf(mixed).conf?.configVersion).toBe('100000000');
    const observersOnly = confReports(
      round([X('refused'), X('refused'), X('refused'), withConf(O(), 4, list), withConf(O(), 5, list)], T0),
    );
    expect(agreeOnConf(observersOnly)).toEqual({ conf: confRecord(4, list, '100000000'), agreedBy: 2 });
  });

  it('nodes claiming one id vote once, and not at all when they disagree', () => {
    // Three copies of id 1 report conf A; ids 2 and 3 report conf B: B wins 2 of 3.
    const a = members(5);
    const copies = confReports(
      round(
        [withConf(L(), 1, a, '9'), withConf(F(), 1, a, '9'), withConf(F(), 1, a, '9'), withConf(F(), 2, three), withConf(F(), 3, three)],
        T0,
      ),
    );
    expect(agreeOnConf(copies)).toEqual({ conf: confRecord(2, three, '100000000'), agreedBy: 2 });
    // Two copies of id 1 disagree: their vote is void, and id 2 alone is 1 of 2, no majority.
    const split = confReports(round([withConf(L(), 1, a, '9'), withConf(F(), 1, three), withConf(F(), 2, three)], T0));
    expect(agreeOnConf(split)).toEqual({ agreedBy: 0 });
  });

  it('a lone reporter is accepted unless it contradicts a membership several nodes vouched for', () => {
    const lone = confReports(round([withConf(F(), 2, five, '2')], T0));
    expect(agreeOnConf(lone)).toEqual({ conf: confRecord(2, five, '2'), agreedBy: 1 });
    expect(agreeOnConf(lone, { members: three, configVersion: '100000000', agreedBy: 1 })).toEqual({
      conf: confRecord(2, five, '2'),
      agreedBy: 1,
    });
    expect(agreeOnConf(lone, { members: three, configVersion: '100000000', agreedBy: 3 })).toEqual({ agreedBy: 0 });
    expect(agreeOnConf(lone, { members: five, configVersion: '0x2', agreedBy: 3 })).toEqual({
      conf: confRecord(2, five, '2'),
      agreedBy: 1,
    });
  });
});

describe('membership from agreeing confs', () => {
  it('measured: one node’s conf with a huge version and 30 phantom observers changes nothing, and is flagged', () => {
    const three = members(3);
    const sim = new Sim(ensembleConfig(3));
    sim.round([withConf(L(1, 5), 1, three), withConf(F(1, 5), 2, three), withConf(F(1, 5), 3, three)]);
    const transitions = sim.round([
      withConf(L(1, 6), 1, three),
      withConf(F(1, 6), 2, three),
      withConf(F(1, 6), 3, hostileMembers(), 'ffffffffff'),
    ]);
    expect(transitions).toEqual([]);
    expect(sim.s).toMatchObject({
      membershipSource: 'conf',
      configVersion: '100000000',
      voters: 3,
      observers: 0,
      healthyVoters: 3,
      unknownVoters: 0,
      margin: 1,
      quorum: 'healthy',
      membershipConflicts: [{ server: server(3), serverId: 3, configVersion: 'ffffffffff' }],
    });
    expect(sim.s.confMembership).toEqual({ members: three, configVersion: '100000000', agreedBy: 3 });
    // No phantom members, and the leader still votes and leads.
    expect(sim.s.nodes.map((n) => [n.server, n.serverId, n.voter, n.role])).toEqual([
      [server(1), 1, true, 'leader'],
      [server(2), 2, true, 'follower'],
      [server(3), 3, true, 'follower'],
    ]);
    expect(sim.s.leader).toEqual({ server: server(1), serverId: 1, epoch: 1, since: T0 });
  });

  it('measured, first round: the two agreeing nodes outvote the hostile conf at start-up too, and discovery sees no phantom', () => {
    const three = members(3);
    const samples = round(
      [withConf(L(1, 5), 1, three), withConf(F(1, 5), 2, three), withConf(F(1, 5), 3, hostileMembers(), 'ffffffffff')],
      T0,
    );
    const { state } = deriveEnsemble(undefined, ensembleConfig(3), samples, T0);
    expect(state).toMatchObject({ configVersion: '100000000', voters: 3, observers: 0, quorum: 'healthy' });
    expect(state.nodes).toHaveLength(3);
    expect(pickConf(samples)?.members).toEqual(three);
  });

  it('a dynamic reconfig, every member moving to the new version together, is accepted without conflicts', () => {
    const before = members(3);
    const after = members(3, 1);
    const sim = new Sim(ensembleConfig(3));
    sim.round([withConf(L(1, 5), 1, before), withConf(F(1, 5), 2, before), withConf(F(1, 5), 3, before)]);
    sim.round([
      withConf(L(1, 6), 1, after, '100000006'),
      withConf(F(1, 6), 2, after, '100000006'),
      withConf(F(1, 6), 3, after, '100000006'),
    ]);
    expect(sim.s).toMatchObject({ configVersion: '100000006', voters: 3, observers: 1, membershipConflicts: [] });
    expect(sim.s.confMembership).toEqual({ members: after, configVersion: '100000006', agreedBy: 3 });
  });

  it('a reconfig seen by one node first is a conflict until most have been asked again', () => {
    const before = members(3);
    const after = members(3, 1);
    const sim = new Sim(ensembleConfig(3));
    sim.round([withConf(L(1, 5), 1, before), withConf(F(1, 5), 2, before), withConf(F(1, 5), 3, before)]);
    sim.round([withConf(L(1, 6), 1, after, '100000006'), withConf(F(1, 6), 2, before), withConf(F(1, 6), 3, before)]);
    expect(sim.s).toMatchObject({
      configVersion: '100000000',
      observers: 0,
      membershipConflicts: [{ server: server(1), serverId: 1, configVersion: '100000006' }],
    });
    sim.round([withConf(L(1, 7), 1, after, '100000006'), withConf(F(1, 7), 2, after, '100000006'), withConf(F(1, 7), 3, before)]);
    expect(sim.s).toMatchObject({
      configVersion: '100000006',
      observers: 1,
      membershipConflicts: [{ server: server(3), serverId: 3, configVersion: '100000000' }],
    });
  });

  it('a tie keeps the last accepted membership; at start-up, the configured list; both sides are flagged', () => {
    const three = members(3);
    const five = members(5);
    const first = deriveEnsemble(
      undefined,
      ensembleConfig(2),
      round([withConf(L(1, 5), 1, three), withConf(F(1, 5), 2, five, '2')], T0),
      T0,
    );
    expect(first.state).toMatchObject({
      membershipSource: 'configured',
      voters: 2,
      membershipConflicts: [
        { server: server(1), serverId: 1, configVersion: '100000000' },
        { server: server(2), serverId: 2, configVersion: '2' },
      ],
    });
    expect(first.state.confMembership).toBeUndefined();

    const sim = new Sim(ensembleConfig(2));
    sim.round([withConf(L(1, 5), 1, three), withConf(F(1, 5), 2, three)]);
    sim.round([withConf(L(1, 5), 1, three), withConf(F(1, 5), 2, five, '2')]);
    expect(sim.s).toMatchObject({
      membershipSource: 'conf',
      configVersion: '100000000',
      voters: 3,
      membershipConflicts: [{ server: server(2), serverId: 2, configVersion: '2' }],
    });
  });

  it('one seed without discovery still follows a reconfig: a lone node may replace what it alone vouched for', () => {
    const sim = new Sim(ensembleConfig(1));
    sim.round([withConf(L(1, 5), 1, members(3))]);
    expect(sim.s.confMembership).toEqual({ members: members(3), configVersion: '100000000', agreedBy: 1 });
    sim.round([withConf(L(1, 5), 1, members(5), '100000009')]);
    expect(sim.s).toMatchObject({ configVersion: '100000009', voters: 5, membershipConflicts: [] });
  });

  it('a lone node contradicting a membership three nodes agreed on is flagged, not followed', () => {
    const three = members(3);
    const sim = new Sim(ensembleConfig(3));
    sim.round([withConf(L(1, 5), 1, three), withConf(F(1, 5), 2, three), withConf(F(1, 5), 3, three)]);
    // Nodes 1 and 2 are replaced by hosts that answer no conf; node 3 alone reports another membership.
    sim.round([
      L(1, 5, { conf: 'not_whitelisted' }),
      F(1, 5, { conf: 'not_whitelisted' }),
      withConf(F(1, 5), 3, hostileMembers(), 'ffffffffff'),
    ]);
    expect(sim.s).toMatchObject({
      configVersion: '100000000',
      voters: 3,
      observers: 0,
      membershipConflicts: [{ server: server(3), serverId: 3, configVersion: 'ffffffffff' }],
    });
    expect(sim.s.confMembership?.agreedBy).toBe(3);
  });
});
