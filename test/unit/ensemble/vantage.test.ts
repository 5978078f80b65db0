/**
 * Truth from any vantage point: what the agent did not see is `unknown`, never `down`, and the quorum
 * state is derived from what was seen (healthy, at_risk and lost each need proof; `unknown` otherwise).
 */
import { describe, expect, it } from 'vitest';
import type { EnsembleConfig } from '../../../src/config/types.js';
import type { DiscoveredMember, EnsembleInput } from '../../../src/ensemble/types.js';
import { at, confRecord, ensembleConfig, F, L, members, NS, server, Sim, X, type NodeSpec } from './samples.js';

const THREE = members(3);
/** Node `i` of a 3-voter ensemble answering `spec`, with its own conf listing all three. */
const withConf = (i: number, spec: NodeSpec): NodeSpec => ({ ...spec, conf: confRecord(i, THREE) });

/** Members 2…n of the sample ensemble as discovery hands them over (10.0.0.i:2181). */
function discovered(ids: number[]): DiscoveredMember[] {
  return ids.map((id) => ({ target: { host: `10.0.0.${id}`, port: 2181 }, server: server(id), serverId: id, voter: true }));
}

/** An ensemble configured with its first `seeds` servers only, optionally discovering the others. */
function seeded(seeds: number, found?: number[]): EnsembleConfig & EnsembleInput {
  const config: EnsembleConfig & EnsembleInput = { ...ensembleConfig(seeds) };
  if (found) config.discovered = discovered(found);
  return config;
}

function quorumOf(sim: Sim) {
  const { voters, majority, healthyVoters, unknownVoters, margin, quorum } = sim.s;
  return { voters, majority, healthyVoters, unknownVoters, margin, quorum };
}

describe('without discovery: members the agent was not told about', () => {
  it('one leader address: the others are unknown (not_configured), and so is the quorum, not lost', () => {
    const sim = new Sim(seeded(1));
    sim.round([withConf(1, L(1, 0))]);
    expect(quorumOf(sim)).toEqual({ voters: 3, majority: 2, healthyVoters: 1, unknownVoters: 2, margin: -1, quorum: 'unknown' });
    expect(sim.s.nodes.slice(1)).toEqual([
      { server: 'server.2', serverId: 2, voter: true, role: 'unknown', reason: 'not_configured' },
      { server: 'server.3', serverId: 3, voter: true, role: 'unknown', reason: 'not_configured' },
    ]);
    expect(sim.s.leader).toMatchObject({ server: server(1), serverId: 1 });
  });

  it('two followers listed: they prove the unseen leader, so the quorum is healthy and no election is under way', () => {
    const sim = new Sim(seeded(2));
    sim.round([withConf(1, F(1, 4)), withConf(2, F(1, 4))]);
    expect(quorumOf(sim)).toEqual({ voters: 3, majority: 2, healthyVoters: 3, unknownVoters: 0, margin: 1, quorum: 'healthy' });
    expect(sim.s.election.inProgress).toBe(false);
    expect(sim.s.leader).toBeUndefined();
    expect(sim.s.nodes[2]).toMatchObject({ serverId: 3, role: 'unknown', reason: 'not_configured' });
  });

  it('one follower listed (a sidecar): a quorum exists but its margin depends on the unseen voter → unknown', () => {
    const sim = new Sim(seeded(1));
    sim.round([withConf(1, F(1, 4))]);
    expect(quorumOf(sim)).toEqual({ voters: 3, majority: 2, healthyVoters: 2, unknownVoters: 1, margin: 0, quorum: 'unknown' });
  });

  it('the only listed node down or not serving proves nothing about the other two → unknown', () => {
    const sim = new Sim(seeded(1));
    sim.round([withConf(1, L(1, 0))]);
    sim.round([X('refused')]);
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 0, unknownVoters: 2, quorum: 'unknown' });
    sim.round([withConf(1, NS())]);
    expect(sim.s.quorum).toBe('unknown');
  });

  it('a majority of voters seen down proves the loss whatever the unseen ones do', () => {
    const five = members(5);
    const sim = new Sim(seeded(3));
    // A refused node answers no conf either: the membership seen in the first round still counts.
    const down = (): NodeSpec => X('refused');
    sim.round([
      { ...L(1, 0), conf: confRecord(1, five) },
      { ...F(1, 0), conf: confRecord(2, five) },
      { ...F(1, 0), conf: confRecord(3, five) },
    ]);
    // 3 of 5 healthy: margin 0 if the unseen two are down, 2 if they serve.
    expect(quorumOf(sim)).toEqual({ voters: 5, majority: 3, healthyVoters: 3, unknownVoters: 2, margin: 0, quorum: 'unknown' });
    const transitions = sim.round([down(), down(), down()]);
    expect(quorumOf(sim)).toEqual({ voters: 5, majority: 3, healthyVoters: 0, unknownVoters: 2, margin: -3, quorum: 'lost' });
    expect(transitions.at(-1)).toMatchObject({ kind: 'quorum_state_changed', from: 'unknown', to: 'lost' });
  });

  it('one configured server, no conf, not serving and no standalone: part of an ensemble it does not show → unknown', () => {
    const sim = new Sim(ensembleConfig(1));
    sim.round([NS()]);
    expect(sim.s).toMatchObject({ membershipSource: 'configured', voters: 1, unknownVoters: 1, quorum: 'unknown' });
    // A standalone node is its own whole ensemble: its outage is a loss.
    const standalone = new Sim(ensembleConfig(1));
    standalone.round([{ srvr: 'standalone', epoch: 0, counter: 0 }]);
    standalone.round([X('refused')]);
    expect(standalone.s.quorum).toBe('lost');
  });

  it('a configured list without conf: followers serving for a leader it does not name are unknown, not lost', () => {
    const sim = new Sim(ensembleConfig(2));
    sim.round([F(1, 0), F(1, 0)]);
    expect(sim.s).toMatchObject({ membershipSource: 'configured', quorum: 'unknown' });
    expect(sim.s.election.inProgress).toBe(false);
  });
});

describe('with discovery', () => {
  it('discovered members count like configured ones and are flagged as discovered', () => {
    const sim = new Sim(seeded(1, [2, 3]));
    sim.round([withConf(1, F(1, 2)), withConf(2, L(1, 2)), withConf(3, F(1, 2))]);
    expect(quorumOf(sim)).toEqual({ voters: 3, majority: 2, healthyVoters: 3, unknownVoters: 0, margin: 1, quorum: 'healthy' });
    expect(sim.s.nodes.map((n) => [n.server, n.serverId, n.role, n.discovered])).toEqual([
      [server(1), 1, 'follower', undefined],
      [server(2), 2, 'leader', true],
      [server(3), 3, 'follower', true],
    ]);
  });

  it('a discovered member never seen answering is unknown; once seen, silence is down (with node_down)', () => {
    const sim = new Sim(seeded(1, [2, 3]));
    sim.round([withConf(1, L(1, 0)), withConf(2, F(1, 0)), X('refused')]);
    expect(sim.s.nodes[2]).toMatchObject({ role: 'unknown', reason: 'refused', discovered: true });
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 2, unknownVoters: 1, quorum: 'unknown' });

    sim.round([withConf(1, L(1, 0)), withConf(2, F(1, 0)), withConf(3, F(1, 0))]);
    expect(sim.s.quorum).toBe('healthy');

    const transitions = sim.round([withConf(1, L(1, 0)), withConf(2, F(1, 0)), X('refused')]);
    expect(sim.s.nodes[2]).toMatchObject({ role: 'down', reason: 'refused' });
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 2, unknownVoters: 0, margin: 0, quorum: 'at_risk' });
    expect(transitions.map((t) => t.kind)).toEqual(['node_down', 'quorum_state_changed']);
  });

  it('two of three killed with one address known: lost once both were seen before, unknown to a newcomer', () => {
    const sim = new Sim(seeded(1, [2, 3]));
    sim.round([withConf(1, F(1, 0)), withConf(2, L(1, 0)), withConf(3, F(1, 0))]);
    // The survivor still says follower for a moment, then stops serving; the others refuse.
    sim.round([withConf(1, F(1, 0)), X('refused'), X('refused')]);
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 1, unknownVoters: 0, quorum: 'lost' });
    sim.round([NS(), X('refused'), X('refused')]);
    expect(sim.s.quorum).toBe('lost');
    expect(sim.s.timeline.filter((t) => t.kind === 'node_down').map((t) => t.at)).toEqual([at(1), at(1)]);

    // A one-shot look from the survivor's address alone never saw the others answer.
    const newcomer = new Sim(seeded(1, [2, 3]));
    newcomer.round([NS(), X('refused'), X('refused')]);
    expect(quorumOf(newcomer)).toMatchObject({ healthyVoters: 0, unknownVoters: 2, quorum: 'unknown' });
  });

  it('a member never seen answering comes without a sample, only its failure: unknown with that reason', () => {
    const config = seeded(1, [2, 3]);
    config.discovered = config.discovered!.map((m) => (m.serverId === 3 ? { ...m, failure: 'timeout' as const } : m));
    const sim = new Sim(config);
    sim.round([withConf(1, L(1, 0)), withConf(2, F(1, 0))]);
    expect(sim.s.nodes[2]).toEqual({ server: server(3), serverId: 3, voter: true, discovered: true, role: 'unknown', reason: 'timeout' });
  });

  it('a member discovery could not address is unknown with reason no_address', () => {
    const sim = new Sim(seeded(1, [2]));
    sim.round([withConf(1, L(1, 0)), withConf(2, F(1, 0))]);
    expect(sim.s.nodes[2]).toEqual({ server: 'server.3', serverId: 3, voter: true, role: 'unknown', reason: 'no_address' });
    expect(quorumOf(sim)).toMatchObject({ healthyVoters: 2, unknownVoters: 1, quorum: 'unknown' });
  });
});
