import { describe, expect, it } from 'vitest';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import { duplicateServerIds } from '../../../src/ensemble/nodes.js';
import type { NodeState } from '../../../src/ensemble/types.js';
import type { QuorumMember } from '../../../src/parse/types.js';
import { confRecord, ensembleConfig, F, L, members, round, server, Sim, T0, X, type NodeSpec } from './samples.js';

/** `spec` plus a conf in which the node says it is server `id`. */
const claiming = (spec: NodeSpec, id: number, list: QuorumMember[]): NodeSpec => ({ ...spec, conf: confRecord(id, list) });

describe('duplicateServerIds', () => {
  it('lists ids two or more answering nodes claim, in node order; down nodes and unknown ids claim nothing', () => {
    const node = (i: number, serverId: number | undefined, role: NodeState['role']): NodeState => {
      const state: NodeState = { server: server(i), voter: true, role };
      if (serverId !== undefined) state.serverId = serverId;
      return state;
    };
    expect(
      duplicateServerIds([
        node(1, 2, 'follower'),
        node(2, 1, 'leader'),
        node(3, 2, 'not_serving'),
        node(4, 1, 'down'),
        node(5, undefined, 'follower'),
        node(6, undefined, 'follower'),
        node(7, 3, 'unknown'),
        node(8, 3, 'observer'),
      ]),
    ).toEqual([{ serverId: 2, servers: [server(1), server(3)] }]);
  });
});

describe('duplicate server ids in the quorum', () => {
  it('two nodes claiming one id count once, as a voter not proven healthy', () => {
    const list = members(3);
    const { state } = deriveEnsemble(
      undefined,
      ensembleConfig(3),
      round([claiming(L(1, 5), 1, list), claiming(F(1, 5), 2, list), claiming(F(1, 5), 2, list)], T0),
      T0,
    );
    expect(state).toMatchObject({
      duplicateServerIds: [{ serverId: 2, servers: [server(2), server(3)] }],
      voters: 3,
      majority: 2,
      healthyVoters: 1,
      unknownVoters: 2,
      margin: -1,
      quorum: 'unknown',
    });
    // Member 3 is claimed by no one: it is listed as a voter the agent cannot see.
    expect(state.nodes.map((n) => [n.server, n.serverId, n.role])).toEqual([
      [server(1), 1, 'leader'],
      [server(2), 2, 'follower'],
      [server(3), 2, 'follower'],
      ['server.3', 3, 'unknown'],
    ]);
  });

  it('once one of them stops claiming the id, both count again', () => {
    const list = members(3);
    const sim = new Sim(ensembleConfig(3));
    sim.round([claiming(L(1, 5), 1, list), claiming(F(1, 5), 2, list), claiming(F(1, 5), 2, list)]);
    const transitions = sim.round([claiming(L(1, 5), 1, list), claiming(F(1, 5), 2, list), claiming(F(1, 5), 3, list)]);
    expect(transitions.map((t) => t.kind)).toEqual(['quorum_state_changed']);
    expect(sim.s).toMatchObject({ duplicateServerIds: [], healthyVoters: 3, unknownVoters: 0, margin: 1, quorum: 'healthy' });
  });

  it('measured: four nodes claiming id 1 in a 14-node ensemble (5 voters, 9 observers) with 10 down are not healthy', () => {
    const list = members(5, 9);
    const answering = [L(1, 5), F(1, 5), F(1, 5), F(1, 5)].map((spec) => claiming(spec, 1, list));
    const down = Array.from({ length: 10 }, () => X('refused'));
    const { state } = deriveEnsemble(undefined, ensembleConfig(14), round([...answering, ...down], T0), T0);
    expect(state).toMatchObject({
      duplicateServerIds: [{ serverId: 1, servers: [server(1), server(2), server(3), server(4)] }],
      membershipSource: 'conf',
      voters: 5,
      observers: 9,
      majority: 3,
      healthyVoters: 0,
      unknownVoters: 1,
      margin: -3,
      quorum: 'lost',
    });
  });

  it('measured, all 14 voting: still lost', () => {
    const list = members(14);
    const answering = [L(1, 5), F(1, 5), F(1, 5), F(1, 5)].map((spec) => claiming(spec, 1, list));
    const down = Array.from({ length: 10 }, () => X('refused'));
    const { state } = deriveEnsemble(undefined, ensembleConfig(14), round([...answering, ...down], T0), T0);
    expect(state).toMatchObject({ voters: 14, majority: 8, healthyVoters: 0, unknownVoters: 4, margin: -8, quorum: 'lost' });
    expect(state.duplicateServerIds).toEqual([{ serverId: 1, servers: [server(1), server(2), server(3), server(4)] }]);
  });
});
