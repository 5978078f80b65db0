import { describe, expect, it } from 'vitest';
import { ensembleConfig, F, L, NS, Sim, X } from './samples.js';

describe('ensemble totals', () => {
  it('sums alive connections (else srvr connections) and outstanding over answering nodes; sessions from the leader', () => {
    const sim = new Sim(ensembleConfig(5));
    sim.round([
      L(1, 10, { outstanding: 2, connections: 9, mntr: { num_alive_connections: 7, global_sessions: 12 } }),
      F(1, 8, { outstanding: 1, connections: 4, mntr: { num_alive_connections: 5, global_sessions: 99 } }),
      // mntr refused by the whitelist: srvr's count stands in.
      F(1, 10, { outstanding: 3, connections: 6, mntr: 'not_whitelisted' }),
      X('timeout'),
      NS(),
    ]);
    expect(sim.s.totals).toEqual({
      globalSessions: 12,
      connections: 7 + 5 + 6,
      outstanding: 2 + 1 + 3,
      maxFollowerLag: 2,
      maxFollowerLagIsLowerBound: false,
    });
  });

  it('falls back to srvr connections when mntr lacks the key or it is not a number', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([
      L(1, 0, { connections: 3, mntr: { num_alive_connections: Number.NaN } }),
      F(1, 0, { connections: 2, mntr: { num_alive_connections: 'n/a' } }),
      F(1, 0, { connections: 1, mntr: {} }),
    ]);
    expect(sim.s.totals.connections).toBe(6);
    expect(sim.s.nodes.map((n) => n.aliveConnections)).toEqual([undefined, undefined, undefined]);
    expect(sim.s.totals.globalSessions).toBeUndefined();
  });

  it('no global sessions without a leader or without its mntr', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.round([L(1, 0, { mntr: 'timeout' }), F(1, 0, { mntr: { global_sessions: 4 } }), F(1, 0)]);
    expect(sim.s.totals.globalSessions).toBeUndefined();
    sim.round([NS(), NS({ mntr: 'not_serving' }), F(1, 0, { mntr: { global_sessions: 4 } })]);
    expect(sim.s.totals).toEqual({ connections: 1, outstanding: 0, maxFollowerLagIsLowerBound: false });
  });
});
