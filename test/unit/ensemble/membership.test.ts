import { describe, expect, it } from 'vitest';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import { pickConf, resolveMembership } from '../../../src/ensemble/membership.js';
import { serverLabel } from '../../../src/model/target.js';
import type { EnsembleConfig } from '../../../src/config/types.js';
import { at, confRecord, ensembleConfig, F, L, members, O, round, sample, server, Sim, T0, X, type NodeSpec } from './samples.js';

describe('serverLabel', () => {
  it('is host:port, bracketing IPv6 hosts like poll/node.ts', () => {
    expect(serverLabel({ host: '10.0.0.1', port: 2181 })).toBe('10.0.0.1:2181');
    expect(serverLabel({ host: 'zk-1.example', port: 2182 })).toBe('zk-1.example:2182');
    expect(serverLabel({ host: '::1', port: 2181 })).toBe('[::1]:2181');
  });
});

describe('pickConf', () => {
  const three = members(3);
  const four = members(4);

  it('takes what a majority agrees on, however high a minority’s version; ignores failures and memberless confs', () => {
    const samples = [
      sample(1, F(1, 0, { conf: confRecord(1, four, '0'), confPolledAt: T0 + 5 }), T0 + 5),
      sample(2, F(1, 0, { conf: confRecord(2, three, '100000003') }), T0),
      sample(3, F(1, 0, { conf: confRecord(3, four, '0') }), T0),
      sample(4, F(1, 0, { conf: 'not_whitelisted' }), T0 + 9),
      sample(5, F(1, 0, { conf: confRecord(0, []) }), T0 + 9),
    ];
    // Nodes 1 and 3 agree; node 1 was asked last, so its record is the one returned.
    expect(pickConf(samples)?.serverId).toBe(1);
    const tie = [
      sample(1, F(1, 0, { conf: confRecord(1, three, '0') }), T0),
      sample(2, F(1, 0, { conf: confRecord(2, four, '0') }), T0 + 1),
    ];
    expect(pickConf(tie)).toBeUndefined();
    expect(pickConf([sample(2, F(1, 0, { conf: confRecord(2, three, '0') }), T0)])?.serverId).toBe(2);
    expect(pickConf([sample(1, F(1, 0, { conf: 'timeout' }), T0)])).toBeUndefined();
  });
});

describe('membership', () => {
  it('falls back to the configured list (all voters, ids unknown) when no conf is available', () => {
    const { state } = deriveEnsemble(
      undefined,
      ensembleConfig(3),
      round([L(1, 0, { conf: 'not_whitelisted' }), F(1, 0), F(1, 0, { conf: 'timeout' })], T0),
      T0,
    );
    expect(state.membershipSource).toBe('configured');
    expect(state.configVersion).toBeUndefined();
    expect(state.nodes.map((n) => [n.server, n.serverId, n.voter])).toEqual([
      [server(1), undefined, true],
      [server(2), undefined, true],
      [server(3), undefined, true],
    ]);
  });

  it('takes voters and observers from any one node’s conf, even one carried over from an earlier round', () => {
    // Only node 3 ever answered conf, a minute ago; node 3 is now down.
    const samples = round(
      [F(1, 0), L(1, 0), X('refused', { conf: confRecord(3, members(3, 2), '100000000'), confPolledAt: T0 - 60_000 })],
      T0,
    );
    const { state } = deriveEnsemble(undefined, ensembleConfig(3), samples, T0);
    expect(state).toMatchObject({ membershipSource: 'conf', configVersion: '100000000', voters: 3, observers: 2, majority: 2 });
    // Nodes 1 and 2 have unknown ids, so unclaimed members 1, 2, 4, 5 may be them: none is listed as unconfigured.
    expect(state.nodes.map((n) => [n.server, n.serverId, n.voter, n.role])).toEqual([
      [server(1), undefined, true, 'follower'],
      [server(2), undefined, true, 'leader'],
      [server(3), 3, true, 'down'],
    ]);
    expect(state).toMatchObject({ healthyVoters: 2, margin: 0, quorum: 'at_risk' });
  });

  it('maps addresses to ids through member client addresses when a node’s own conf is missing', () => {
    const list = members(3, 0, true);
    const samples = round([L(1, 0, { conf: confRecord(1, list) }), F(1, 0), F(1, 0, { conf: 'not_whitelisted' })], T0);
    const { state } = deriveEnsemble(undefined, ensembleConfig(3), samples, T0);
    expect(state.nodes.map((n) => n.serverId)).toEqual([1, 2, 3]);
    expect(state.leader).toEqual({ server: server(1), serverId: 1, epoch: 1, since: T0 });
  });

  it('an ambiguous client address maps to nothing', () => {
    const config: EnsembleConfig = { ...ensembleConfig(1), servers: [{ host: '10.0.0.9', port: 2181 }] };
    const list = members(2, 0, true).map((m) => ({ ...m, host: '10.0.0.9' }));
    const membership = resolveMembership(config, new Map(), new Map());
    expect(membership.nodes).toEqual([{ server: '10.0.0.9:2181', voter: true }]);
    const withConf = resolveMembership(
      config,
      new Map([['10.0.0.8:2181', sample(8, F(1, 0, { conf: confRecord(8, list) }), T0)]]),
      new Map(),
    );
    expect(withConf.nodes).toEqual([{ server: '10.0.0.9:2181', voter: true }]);
  });

  it('remembers a node’s id from an earlier round while it is down', () => {
    const list = members(3);
    const sim = new Sim(ensembleConfig(3));
    const conf = (i: number, spec: NodeSpec): NodeSpec => ({ ...spec, conf: confRecord(i, list) });
    sim.round([conf(1, L(1, 0)), conf(2, F(1, 0)), conf(3, F(1, 0))]);
    const transitions = sim.round([conf(1, L(1, 0)), X('timeout', { conf: 'timeout' }), conf(3, F(1, 0))]);
    expect(sim.s.nodes[1]).toEqual({ server: server(2), serverId: 2, voter: true, role: 'down', reason: 'timeout', lastSeenAt: at(0) });
    expect(transitions[0]).toEqual({
      at: at(1),
      ensemble: 'main',
      kind: 'node_down',
      server: server(2),
      serverId: 2,
      reason: 'timeout',
      from: 'follower',
    });
  });

  it('a conf member nobody configured (discovery off) counts as a voter the agent cannot see (unknown, not_configured)', () => {
    const list = members(4);
    const conf = (i: number, spec: NodeSpec): NodeSpec => ({ ...spec, conf: confRecord(i, list) });
    const sim = new Sim(ensembleConfig(3));
    sim.round([conf(1, L(1, 0)), conf(2, F(1, 0)), conf(3, F(1, 0))]);
    // 3 of 4 healthy is margin 0 if the fourth is down, 1 if it serves: the agent cannot tell which.
    expect(sim.s).toMatchObject({ voters: 4, observers: 0, majority: 3, healthyVoters: 3, unknownVoters: 1, margin: 0, quorum: 'unknown' });
    expect(sim.s.nodes[3]).toEqual({ server: 'server.4', serverId: 4, voter: true, role: 'unknown', reason: 'not_configured' });
    // It never produces node transitions.
    expect(sim.round([conf(1, L(1, 0)), conf(2, F(1, 0)), conf(3, F(1, 0))])).toEqual([]);
  });

  it('an unconfigured member is named by its client address when it has one', () => {
    const list = members(4, 0, true).map((m) => (m.id === 4 ? { ...m, clientAddress: '10.0.0.4:2281' } : m));
    const samples = round([L(1, 0, { conf: confRecord(1, list) }), F(1, 0), F(1, 0)], T0);
    const { state } = deriveEnsemble(undefined, ensembleConfig(3), samples, T0);
    expect(state.nodes.map((n) => n.server)).toEqual([server(1), server(2), server(3), '10.0.0.4:2281']);
  });

  it('a configured node whose id conf does not list is not a voter', () => {
    const samples = round(
      [
        L(1, 0, { conf: confRecord(1, members(2)) }),
        F(1, 0, { conf: confRecord(2, members(2)) }),
        F(1, 0, { conf: confRecord(7, members(2)) }),
      ],
      T0,
    );
    const { state } = deriveEnsemble(undefined, ensembleConfig(3), samples, T0);
    expect(state.nodes.map((n) => [n.serverId, n.voter])).toEqual([
      [1, true],
      [2, true],
      [7, false],
    ]);
    expect(state).toMatchObject({ voters: 2, healthyVoters: 2, margin: 0, quorum: 'at_risk' });
  });

  it('without conf, a node that says it is an observer is one, and stays one while down', () => {
    const sim = new Sim(ensembleConfig(4));
    sim.round([L(1, 0), F(1, 0), F(1, 0), O(1, 0)]);
    expect(sim.s).toMatchObject({ membershipSource: 'configured', voters: 3, observers: 1, margin: 1, quorum: 'healthy' });
    sim.round([L(1, 0), F(1, 0), F(1, 0), X('refused')]);
    expect(sim.s).toMatchObject({ voters: 3, observers: 1, margin: 1, quorum: 'healthy' });
    expect(sim.s.nodes[3]).toMatchObject({ voter: false, role: 'down' });
  });
});
