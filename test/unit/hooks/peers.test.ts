import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPeerViews } from '../../../src/hooks/deliver/peer-client.js';
import {
  buildPeerReport,
  decideAsPeer,
  decideWithPeers,
  gateFromPeers,
  peersNeeded,
  PROBE_REASON,
  viewFromReport,
  viewOf,
  type PeerEntry,
  type PeerReport,
  type PeerView,
} from '../../../src/hooks/decide/peers.js';
import type { HookRuleConfig as HookRule } from '../../../src/config/types.js';
import type { EnsembleState } from '../../../src/ensemble/types.js';
import { currentIncidents, evaluateRules, type RulesState } from '../../../src/hooks/decide/rules.js';
import { ensembleConfig, F, L, Sim, T0, X, type NodeSpec } from '../ensemble/samples.js';

const LOST = 'main/quorum_lost/e1/1656b47fd58f';
const view = (incidentKey: string | undefined, quorum: PeerView['quorum'] = 'lost'): PeerView => ({
  ensemble: 'main',
  quorum,
  incidentKey,
});
const peer = (id: string, rank: number, v?: PeerView): PeerEntry => (v ? { id, rank, view: v } : { id, rank });

describe('decideAsPeer', () => {
  const cases: Array<{
    name: string;
    self: [string, number];
    selfView?: PeerView;
    peers: PeerEntry[];
    total?: number;
    fire: boolean;
    outcome: string;
    reason: string;
  }> = [
    {
      name: '3 agents, 2 unreachable: the minority side never fires',
      self: ['a', 0],
      peers: [peer('b', 1), peer('c', 2)],
      fire: false,
      outcome: 'no_majority',
      reason: '1 of 3 agents agree (majority 2; 2 unreachable, 0 disagree)',
    },
    {
      name: '3 agents agree: the lowest rank sends',
      self: ['a', 0],
      peers: [peer('b', 1, view(LOST)), peer('c', 2, view(LOST))],
      fire: true,
      outcome: 'send',
      reason: '3 of 3 agents agree (majority 2; 0 unreachable, 0 disagree); this agent ranks lowest and sends',
    },
    {
      name: '3 agents agree: the others do not send',
      self: ['b', 1],
      peers: [peer('a', 0, view(LOST)), peer('c', 2, view(LOST))],
      fire: false,
      outcome: 'other_sends',
      reason: '3 of 3 agents agree (majority 2; 0 unreachable, 0 disagree); a ranks lower and sends',
    },
    {
      name: 'the lowest is unreachable: the next agreeing agent sends',
      self: ['b', 1],
      peers: [peer('a', 0), peer('c', 2, view(LOST))],
      fire: true,
      outcome: 'send',
      reason: '2 of 3 agents agree (majority 2; 1 unreachable, 0 disagree); this agent ranks lowest and sends',
    },
    {
      name: 'a lower agent with another incident does not count',
      self: ['b', 1],
      peers: [peer('a', 0, view('main/quorum_lost/e1/000000000000')), peer('c', 2, view(LOST))],
      fire: true,
      outcome: 'send',
      reason: '2 of 3 agents agree (majority 2; 0 unreachable, 1 disagree); this agent ranks lowest and sends',
    },
    {
      name: 'same key but another quorum state disagrees',
      self: ['a', 0],
      peers: [peer('b', 1, view(LOST, 'at_risk')), peer('c', 2)],
      fire: false,
      outcome: 'no_majority',
      reason: '1 of 3 agents agree (majority 2; 1 unreachable, 1 disagree)',
    },
    {
      name: 'a peer where the condition does not hold disagrees',
      self: ['a', 0],
      peers: [peer('b', 1, view(undefined)), peer('c', 2)],
      fire: false,
      outcome: 'no_majority',
      reason: '1 of 3 agents agree (majority 2; 1 unreachable, 1 disagree)',
    },
    {
      name: 'equal ranks: the lowest agent id sends',
      self: ['agent-2', 0],
      peers: [peer('agent-1', 0, view(LOST)), peer('agent-3', 0, view(LOST))],
      fire: false,
      outcome: 'other_sends',
      reason: '3 of 3 agents agree (majority 2; 0 unreachable, 0 disagree); agent-1 ranks lower and sends',
    },
    {
      name: '4 agents: 2 agreeing are not a majority',
      self: ['a', 0],
      peers: [peer('b', 1, view(LOST)), peer('c', 2), peer('d', 3)],
      fire: false,
      outcome: 'no_majority',
      reason: '2 of 4 agents agree (majority 3; 2 unreachable, 0 disagree)',
    },
    {
      name: 'configured agents missing from the list count against',
      self: ['a', 0],
      peers: [peer('b', 1, view(LOST))],
      total: 5,
      fire: false,
      outcome: 'no_majority',
      reason: '2 of 5 agents agree (majority 3; 0 unreachable, 0 disagree)',
    },
    {
      name: 'a single agent decides alone',
      self: ['a', 0],
      peers: [],
      fire: true,
      outcome: 'send',
      reason: '1 of 1 agents agree (majority 1; 0 unreachable, 0 disagree); this agent ranks lowest and sends',
    },
    {
      name: 'no incident on this agent: never fires',
      self: ['a', 0],
      selfView: view(undefined),
      peers: [],
      fire: false,
      outcome: 'no_majority',
      reason: '1 of 1 agents agree (majority 1; 0 unreachable, 0 disagree)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideAsPeer({
        selfId: c.self[0],
        selfRank: c.self[1],
        selfView: c.selfView ?? view(LOST),
        peerViews: c.peers,
        totalAgents: c.total ?? c.peers.length + 1,
      });
      expect({ fire: d.fire, outcome: d.outcome, reason: d.reason }).toEqual({ fire: c.fire, outcome: c.outcome, reason: c.reason });
    });
  }

  it('lists the agreeing agents, sender first', () => {
    expect(
      decideAsPeer({ selfId: 'c', selfRank: 2, selfView: view(LOST), peerViews: [peer('b', 1, view(LOST)), peer('a', 0)], totalAgents: 3 })
        .agreeing,
    ).toEqual(['b', 'c']);
  });

  it('gateFromPeers: defer without a majority; skip (or defer for takeover) when another sends', () => {
    const base = { fire: false, reason: 'r', agreeing: [] };
    expect(gateFromPeers({ ...base, fire: true, outcome: 'send' })).toEqual({ action: 'send' });
    expect(gateFromPeers({ ...base, outcome: 'no_majority' })).toEqual({ action: 'defer', reason: 'r' });
    expect(gateFromPeers({ ...base, outcome: 'other_sends' })).toEqual({ action: 'skip', reason: 'r' });
    expect(gateFromPeers({ ...base, outcome: 'other_sends' }, true)).toEqual({ action: 'defer', reason: 'r' });
  });
});

describe('three agents, one ensemble, end to end through the rules engine', () => {
  const H: NodeSpec[] = [L(1), F(1), F(1)];
  const DOWN: NodeSpec[] = [L(1), X(), X()];
  const rules: HookRule[] = [{ event: 'quorum_lost', hook: 'pager', forMs: 0, cooldownMs: 60_000, fireOnStartup: false }];

  class Member {
    readonly sim = new Sim(ensembleConfig(3));
    rules: RulesState | undefined;
    first = true;
    constructor(
      readonly id: string,
      offset: number,
    ) {
      this.sim.now = T0 + offset;
    }
  }

  it('fires once, from the lowest-ranked agent, when a majority has seen the same loss', () => {
    const agents = [new Member('a', 0), new Member('b', 300), new Member('c', 600)];
    const sent: string[] = [];
    const log: string[] = [];
    // Each agent polls, then decides with its peers' latest reports (served from their latest rounds).
    const step = (agent: Member, specs: NodeSpec[]): void => {
      const transitions = agent.sim.round(specs);
      const state = agent.sim.s;
      const others = agents.filter((o) => o !== agent);
      const result = evaluateRules(
        agent.rules,
        {
          ensemble: state,
          transitions,
          now: state.lastRoundAt,
          firstRound: agent.first,
          inFlight: () => false,
          gate: (due) => {
            const peerViews = others.map((o): PeerEntry => {
              const report = o.sim.state ? buildPeerReport(o.id, [o.sim.s]) : undefined;
              return { id: o.id, rank: 0, view: viewFromReport(report, due.ensemble, due.event) };
            });
            return gateFromPeers(
              decideAsPeer({ selfId: agent.id, selfRank: 0, selfView: viewOf(state, due.event), peerViews, totalAgents: agents.length }),
            );
          },
        },
        rules,
      );
      agent.rules = result.state;
      agent.first = false;
      for (const d of result.due) sent.push(`${agent.id} ${d.idempotencyKey}`);
      for (const h of result.held) log.push(`${agent.id} held ${h.reason}`);
      for (const c of result.consumed) log.push(`${agent.id} ${c.why}`);
    };
    for (const agent of agents) step(agent, H);
    // a sees the loss first: b and c still report a healthy ensemble.
    step(agents[0]!, DOWN);
    expect(log).toEqual(['a held 1 of 3 agents agree (majority 2; 0 unreachable, 2 disagree)']);
    step(agents[1]!, DOWN);
    step(agents[2]!, DOWN);
    step(agents[0]!, DOWN);
    expect(sent).toEqual([`a pager/${LOST}/2023-11-14T22:10:00Z`]);
    expect(log.slice(1)).toEqual(['b skipped', 'c skipped']);
  });
});

describe('fetchPeerViews', () => {
  let server: http.Server;
  let base: string;
  const report = {
    agentId: 'peer-1',
    ensembles: [{ ensemble: 'main', quorum: 'lost', lastRoundAt: T0, incidents: { quorum_lost: LOST }, extra: 1 }],
  };
  const seenAuth: Array<string | undefined> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seenAuth.push(req.headers.authorization);
      const path = req.url ?? '';
      if (path.startsWith('/ok/')) return void res.setHeader('content-type', 'application/json').end(JSON.stringify(report));
      if (path.startsWith('/slow/')) {
        const timer = setTimeout(() => res.end('{}'), 2000);
        return void res.on('close', () => clearTimeout(timer));
      }
      if (path.startsWith('/fail/')) return void res.writeHead(503).end('busy');
      if (path.startsWith('/text/')) return void res.end('not json');
      if (path.startsWith('/endless/')) {
        // Chunked (no content-length): a bit over the 1 MiB cap, then the body never ends.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(Buffer.alloc((1 << 20) + 1, 0x20));
        return;
      }
      if (path.startsWith('/bad/'))
        return void res.end(
          JSON.stringify({ agentId: 'x', ensembles: [{ ensemble: 'main', quorum: 'gone', lastRoundAt: 0, incidents: {} }] }),
        );
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('returns each peer’s report or its own error, never rejecting', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const urls = [`${base}/ok/`, `${base}/slow`, `${base}/fail`, `${base}/text`, `${base}/bad`, closedUrl];
    const results = await fetchPeerViews(urls, '/api/v1/peer-view', 300, 'tok');
    expect(results.map((r) => [r.url, r.report ?? r.error])).toEqual([
      [`${base}/ok/`, report],
      [`${base}/slow`, 'timed out after 300ms'],
      [`${base}/fail`, 'HTTP 503'],
      [`${base}/text`, 'report is not JSON'],
      [`${base}/bad`, 'invalid report: ensembles.0.quorum: Invalid option: expected one of "healthy"|"at_risk"|"lost"'],
      [closedUrl, 'ECONNREFUSED'],
    ]);
    expect(results[1]!.durationMs).toBeLessThan(1500);
    expect(seenAuth.slice(0, 5)).toEqual(['Bearer tok', 'Bearer tok', 'Bearer tok', 'Bearer tok', 'Bearer tok']);
    expect(viewFromReport(results[0]!.report, 'main', 'quorum_lost')).toEqual({ ensemble: 'main', quorum: 'lost', incidentKey: LOST });
  });

  it('stops reading a body without content-length as soon as it passes the cap', async () => {
    // The body never ends, so only a reader that stops at the cap answers before the 10 s deadline.
    const [result] = await fetchPeerViews([`${base}/endless`], '/api/v1/peer-view', 10_000);
    expect(result!.error).toBe('report too large');
    expect(result!.durationMs).toBeLessThan(5_000);
  });

  it('a stale report does not vote', () => {
    const parsed = {
      agentId: 'p',
      ensembles: [{ ensemble: 'main', quorum: 'lost' as const, lastRoundAt: T0, incidents: { quorum_lost: LOST } }],
    };
    expect(viewFromReport(parsed, 'main', 'quorum_lost', { now: T0 + 10_000, maxAgeMs: 10_000 })).toEqual({
      ensemble: 'main',
      quorum: 'lost',
      incidentKey: LOST,
    });
    expect(viewFromReport(parsed, 'main', 'quorum_lost', { now: T0 + 10_001, maxAgeMs: 10_000 })).toBeUndefined();
    expect(viewFromReport(parsed, 'other', 'quorum_lost')).toBeUndefined();
    expect(viewFromReport(undefined, 'main', 'quorum_lost')).toBeUndefined();
  });
});

describe('decideWithPeers', () => {
  const DOWN: NodeSpec[] = [L(1), X(), X()];
  const lostState = (): EnsembleState => {
    const sim = new Sim(ensembleConfig(3));
    sim.now = T0;
    sim.round([L(1), F(1), F(1)]);
    sim.round(DOWN);
    return sim.s;
  };
  const reportOf = (agentId: string, lastRoundAt: number, incident: string): PeerReport => ({
    agentId,
    ensembles: [{ ensemble: 'main', quorum: 'lost', lastRoundAt, incidents: { quorum_lost: incident } }],
  });

  it('counts fresh agreeing peers, drops stale and failed ones, and sends when this agent ranks lowest', () => {
    const state = lostState();
    const now = state.lastRoundAt;
    const decision = decideWithPeers({
      selfId: 'a',
      state,
      ensemble: 'main',
      event: 'quorum_lost',
      reports: [
        { url: 'http://b', report: reportOf('b', now - 1000, LOST) },
        { url: 'http://c', report: reportOf('c', now - 4000, LOST) },
        { url: 'http://d' },
      ],
      now,
      maxAgeMs: 3000,
    });
    // 4 agents: a and b agree (2 < majority 3), c is stale, d failed.
    expect(decision).toEqual({
      fire: false,
      outcome: 'no_majority',
      reason: '2 of 4 agents agree (majority 3; 2 unreachable, 0 disagree)',
      agreeing: ['a', 'b'],
    });
  });

  it('a failed peer is named by its URL; the lowest agent id sends', () => {
    const state = lostState();
    const now = state.lastRoundAt;
    const decision = decideWithPeers({
      selfId: 'b',
      state,
      ensemble: 'main',
      event: 'quorum_lost',
      reports: [{ url: 'http://a', report: reportOf('a', now, LOST) }],
      now,
      maxAgeMs: 3000,
    });
    expect([decision.outcome, decision.agreeing]).toEqual(['other_sends', ['a', 'b']]);
  });
});

describe('peersNeeded', () => {
  it('asks peers only when the dry evaluation found something to send', () => {
    expect(peersNeeded({ due: [], held: [] })).toBe(false);
    expect(peersNeeded({ due: [], held: [{ why: 'cooldown', reason: 'cooldown until later' }] })).toBe(false);
    expect(peersNeeded({ due: [], held: [{ why: 'deferred', reason: PROBE_REASON }] })).toBe(true);
    expect(peersNeeded({ due: [{}], held: [] })).toBe(true);
  });
});

describe('buildPeerReport', () => {
  it('reports each ensemble with its incidents, and leaves out one whose quorum state is unknown', () => {
    const sim = new Sim(ensembleConfig(3));
    sim.now = T0;
    sim.round([L(1), F(1), F(1)]);
    sim.round([L(1), X(), X()]);
    const lost = sim.s;
    const unknown: EnsembleState = { ...lost, name: 'dark', quorum: 'unknown' };
    expect(buildPeerReport('agent-a', [lost, unknown])).toEqual({
      agentId: 'agent-a',
      ensembles: [{ ensemble: 'main', quorum: 'lost', lastRoundAt: lost.lastRoundAt, incidents: currentIncidents(lost) }],
    });
  });
});
