import { describe, expect, it } from 'vitest';
import { majorityOf } from '../../../src/ensemble/quorum.js';
import { at, confRecord, ensembleConfig, F, L, members, NS, O, S, server, Sim, T0, X, type NodeSpec } from './samples.js';

/** The quorum fields of the current state. */
function quorumOf(sim: Sim) {
  const { voters, observers, majority, healthyVoters, margin, quorum } = sim.s;
  return { voters, observers, majority, healthyVoters, margin, quorum };
}

describe('majorityOf', () => {
  it('is floor(n / 2) + 1', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(majorityOf)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('quorum by ensemble size', () => {
  it('1 node (standalone): a healthy voter and serving leader, but margin 0 → at_risk, never healthy', () => {
    const sim = new Sim(ensembleConfig(1));
    sim.round([S(5, { conf: confRecord(0, []) })]);
    expect(quorumOf(sim)).toEqual({ voters: 1, observers: 0, majority: 1, healthyVoters: 1, margin: 0, quorum: 'at_risk' });
    expect(sim.s.membershipSource).toBe('configured');
    expect(sim.s.leader).toEqual({ server: server(1), serverId: 0, epoch: 0, since: T0 });
    expect(sim.s.nodes[0]).toMatchObject({ role: 'standalone', serverId: 0, lag: 0 });
    sim.round([X('refused')]);
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 0, margin: -1, quorum: 'lost' });
    expect(sim.s.election).toEqual({ inProgress: false });
    // A restarted standalone keeps epoch 0: the same term, not a change.
    sim.round([S(5)]);
    expect(sim.s).toMatchObject({ quorum: 'at_risk', leaderChanges: 0 });
  });

  it('2 nodes: at_risk when both serve, lost when one is down', () => {
    const sim = new Sim(ensembleConfig(2));
    sim.round([L(1, 0), F(1, 0)]);
    expect(quorumOf(sim)).toEqual({ voters: 2, observers: 0, majority: 2, healthyVoters: 2, margin: 0, quorum: 'at_risk' });
    sim.round([L(1, 0), X('timeout')]);
    expect(quorumOf(sim)).toEqual({ voters: 2, observers: 0, majority: 2, healthyVoters: 1, margin: -1, quorum: 'lost' });
  });

  it('3 nodes: healthy, at_risk, lost', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 0), F(1, 0), F(1, 0)]);
    expect(quorumOf(sim)).toEqual({ voters: 3, observers: 0, majority: 2, healthyVoters: 3, margin: 1, quorum: 'healthy' });
    sim.round([L(1, 0), F(1, 0), X('refused')]);
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 2, margin: 0, quorum: 'at_risk' });
    sim.round([L(1, 0), X('refused'), X('refused')]);
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 1, margin: -1, quorum: 'lost' });
  });

  it('5 voters: margin 2; two down → at_risk; three down → lost', () => {
    const sim = new Sim(ensembleConfig(5));
    sim.round([F(1, 0), F(1, 0), L(1, 0), F(1, 0), F(1, 0)]);
    expect(quorumOf(sim)).toEqual({ voters: 5, observers: 0, majority: 3, healthyVoters: 5, margin: 2, quorum: 'healthy' });
    sim.round([X('refused'), F(1, 0), L(1, 0), X('timeout'), F(1, 0)]);
    expect(quorumOf(sim)).toEqual({ voters: 5, observers: 0, majority: 3, healthyVoters: 3, margin: 0, quorum: 'at_risk' });
    const transitions = sim.round([X('refused'), X('refused'), L(1, 0), X('timeout'), F(1, 0)]);
    expect(quorumOf(sim)).toEqual({ voters: 5, observers: 0, majority: 3, healthyVoters: 2, margin: -1, quorum: 'lost' });
    expect(transitions.at(-1)).toEqual({
      at: at(2),
      ensemble: 'main',
      kind: 'quorum_state_changed',
      from: 'at_risk',
      to: 'lost',
      voters: 5,
      healthyVoters: 2,
      margin: -1,
    });
  });

  it('no serving leader is lost even when every voter answers', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([NS(), NS(), NS()]);
    expect(quorumOf(sim)).toEqual({ voters: 3, observers: 0, majority: 2, healthyVoters: 0, margin: -2, quorum: 'lost' });
  });

  it('followers without a leader count as healthy voters, but there is no serving leader → lost', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([X('timeout'), F(1, 0), F(1, 0)]);
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 2, margin: 0, quorum: 'lost' });
  });

  it('read-only nodes are reachable but not healthy', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([{ srvr: 'read-only', epoch: 1, counter: 4 }, X('refused'), X('refused')]);
    expect(sim.s.nodes[0]).toMatchObject({ role: 'read_only', voter: true });
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 0, quorum: 'lost' });
    // A reachable voter without a leader: an election (ZooKeeper keeps looking for a quorum).
    expect(sim.s.election).toEqual({ inProgress: true, startedAt: T0, startedAtStartup: true });
  });
});

describe('observers', () => {
  const list = members(3, 1);
  const withConf = (i: number, spec: NodeSpec): NodeSpec => ({ ...spec, conf: confRecord(i, list) });

  it('3 voters + 1 observer: the observer never counts; its outage changes no margin', () => {
    const sim = new Sim(ensembleConfig(4));
    sim.round([withConf(1, F(1, 3)), withConf(2, F(1, 3)), withConf(3, L(1, 3)), withConf(4, O(1, 1))]);
    expect(quorumOf(sim)).toEqual({ voters: 3, observers: 1, majority: 2, healthyVoters: 3, margin: 1, quorum: 'healthy' });
    expect(sim.s.membershipSource).toBe('conf');
    expect(sim.s.nodes[3]).toEqual({
      server: server(4),
      serverId: 4,
      voter: false,
      role: 'observer',
      zxid: { hex: '0x100000001', epoch: 1, counter: 1 },
      lag: 2,
      lagIsLowerBound: false,
      outstanding: 0,
      connections: 1,
      lastSeenAt: T0,
    });

    const transitions = sim.round([withConf(1, F(1, 3)), withConf(2, F(1, 3)), withConf(3, L(1, 3)), withConf(4, X('refused'))]);
    expect(transitions).toEqual([
      { at: at(1), ensemble: 'main', kind: 'node_down', server: server(4), serverId: 4, reason: 'refused', from: 'observer' },
    ]);
    expect(quorumOf(sim)).toEqual({ voters: 3, observers: 1, majority: 2, healthyVoters: 3, margin: 1, quorum: 'healthy' });
  });

  it('an observer alone answering is no evidence of an election', () => {
    const sim = new Sim(ensembleConfig(4));
    sim.round([withConf(1, X('refused')), withConf(2, X('refused')), withConf(3, X('refused')), withConf(4, NS())]);
    expect(sim.s.election).toEqual({ inProgress: false });
    expect(quorumOf(sim)).toMatchObject({ voters: 3, observers: 1, healthyVoters: 0, quorum: 'lost' });
  });
});
