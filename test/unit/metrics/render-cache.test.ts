import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MNTR_SELECTION } from '../../../src/commands/mntr-budget.js';
import { AgentMetrics } from '../../../src/metrics/agent-metrics.js';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';
import { addNodeFamilies } from '../../../src/metrics/node-families.js';
import { NodeTextCache } from '../../../src/metrics/render-cache.js';
import type { NodeSample } from '../../../src/commands/index.js';
import { NodeStore, type NodeRecord } from '../../../src/state/store.js';
import { capturedSample, failedSample, T0 } from './captured.js';

/** What the family builder and renderer make of the records: the reference for the cache. */
function uncached(records: readonly NodeRecord[]): string {
  const set = new FamilySet();
  addNodeFamilies(set, records);
  return renderFamilies(set.all());
}

/** Records of two ensembles (3.8.0 leader, follower, observer, standalone, a timed-out node). */
function records(store: NodeStore, at = T0): NodeRecord[] {
  store.record(
    [
      capturedSample('leader', '10.0.0.1:2181', at, 'a'),
      failedSample('10.0.0.2:2181', 'timeout', at, 'a'),
      capturedSample('follower', '10.0.0.3:2181', at, 'a'),
    ],
    at,
  );
  store.record([capturedSample('observer', '10.0.1.1:2181', at, 'b'), capturedSample('standalone', '10.0.1.2:2181', at, 'b')], at);
  return store.all();
}

describe('NodeTextCache', () => {
  it('renders byte for byte what renderFamilies makes of addNodeFamilies (every series)', () => {
    const all = records(new NodeStore());
    expect(`${new NodeTextCache().render(all)}`).toBe(uncached(all));
  });

  it('renders byte for byte what renderFamilies makes of addNodeFamilies (default mntr series)', () => {
    const all = records(new NodeStore(true, () => DEFAULT_MNTR_SELECTION));
    const text = new NodeTextCache().render(all);
    expect(text).toBe(uncached(all));
    expect(text).toContain('zookeeper_mntr_fsynctime_count{ensemble="a",server="10.0.0.1:2181"}');
    expect(text).not.toContain('zookeeper_mntr_proposal_latency');
  });

  it('renders byte for byte, also when a label value is not ASCII or needs escaping', () => {
    const store = new NodeStore();
    const sample = capturedSample('leader', '10.0.0.1:2181', T0, 'a');
    if (!sample.srvr.ok) throw new Error('the captured leader srvr reply did not parse');
    sample.srvr.value.version = '3.8.0-ünïcode "quoted" back\\slash\nnew line';
    store.record([sample, capturedSample('follower', '10.0.0.3:2181', T0, 'a')], T0);
    const text = new NodeTextCache().render(store.all());
    expect(text).toBe(uncached(store.all()));
    expect(text).toContain('version="3.8.0-ünïcode \\"quoted\\" back\\\\slash\\nnew line"');
  });

  it('leaves out, as the family builder does, a family another node exported with another type', () => {
    const store = new NodeStore();
    const all = records(store);
    // The second node exports fsynctime_sum as a plain key: a summary `fsynctime` owns that name already.
    const clash: NodeRecord = {
      ...all[2]!,
      server: '10.0.0.9:2181',
      mntr: {
        plan: [
          {
            index: 0,
            divisor: 1,
            family: 'zookeeper_mntr_fsynctime_sum',
            type: 'untyped',
            sample: 'zookeeper_mntr_fsynctime_sum',
            labels: {},
          },
        ],
        values: new Float64Array([3]),
      },
    };
    const text = new NodeTextCache().render([...all, clash]);
    expect(text).toBe(uncached([...all, clash]));
    expect(text).not.toContain('zookeeper_mntr_fsynctime_sum{ensemble="a",server="10.0.0.9:2181"}');
    // The left-out line is counted against the node that lost it, and only that node.
    const { conflicts } = new NodeTextCache().assemble([...all, clash]);
    expect(conflicts).toBe(
      '# HELP zookeeper_exporter_mntr_conflicting_series mntr series of each node left out of this scrape because a node listed before it gave the same family another type.\n' +
        '# TYPE zookeeper_exporter_mntr_conflicting_series gauge\n' +
        'zookeeper_exporter_mntr_conflicting_series{ensemble="a",server="10.0.0.9:2181"} 1\n',
    );
    expect(new NodeTextCache().assemble(all).conflicts).toBe('');
  });

  it('writes a record once and a new record (next round) anew', () => {
    const store = new NodeStore();
    const cache = new NodeTextCache();
    const first = records(store, T0);
    const before = cache.render(first);
    expect(cache.render(first)).toBe(before);
    const next = records(store, T0 + 5000);
    expect(next[0]).not.toBe(first[0]);
    const after = cache.render(next);
    expect(after).toBe(uncached(next));
    expect(after).toContain(
      'zookeeper_exporter_poll_last_success_timestamp_seconds{ensemble="a",server="10.0.0.1:2181",command="srvr"} 1700000005',
    );
    expect(before).not.toContain('1700000005');
  });
});

describe("NodeTextCache's per-node buffers", () => {
  it('refuses to write an exposition once the next one was assembled (its bytes may be overwritten)', () => {
    const store = new NodeStore();
    const cache = new NodeTextCache();
    const first = cache.assemble(records(store, T0));
    const next = records(store, T0 + 1000);
    const second = cache.assemble(next);
    expect(() => first.writeTo(Buffer.alloc(first.byteLength), 0)).toThrow(/after the next one was assembled/);
    const out = Buffer.alloc(second.byteLength);
    expect(second.writeTo(out, 0)).toBe(second.byteLength);
    expect(out.toString('utf8')).toBe(uncached(next));
  });

  it('renders a node listed twice in one scrape twice, byte for byte', () => {
    const all = records(new NodeStore());
    const twice = [...all, all[0]!];
    expect(new NodeTextCache().render(twice)).toBe(uncached(twice));
  });

  it("writes over a node's bytes round after round and stays byte for byte, also when a node leaves and comes back", () => {
    const store = new NodeStore();
    const cache = new NodeTextCache();
    for (let round = 0; round < 4; round++) {
      const all = records(store, T0 + round * 1000);
      // Round 2 lists one node fewer (a reload removed it): its buffers are let go, then made anew.
      const listed = round === 2 ? all.slice(1) : all;
      expect(cache.render(listed), `round ${round}`).toBe(uncached(listed));
    }
  });
});

describe('NodeTextCache across fast-lane rounds', () => {
  it('writes a fast-lane record (mntr carried, not asked) anew with the carried mntr lines', () => {
    const store = new NodeStore();
    const cache = new NodeTextCache();
    store.record([capturedSample('leader', '10.0.0.1:2181', T0, 'a')], T0);
    const [asked] = store.all();
    cache.render([asked!]);
    // A fast-lane round one second later: srvr asked, mntr carried from the round that asked it.
    const fast = { ...capturedSample('leader', '10.0.0.1:2181', T0 + 1000, 'a'), roundPolledAt: T0 };
    store.record([fast], T0 + 1000);
    const [next] = store.all();
    expect(next!.mntr).toBe(asked!.mntr);
    const text = cache.render([next!]);
    expect(text).toBe(uncached([next!]));
    expect(text).toContain('zookeeper_mntr_znode_count{ensemble="a",server="10.0.0.1:2181"}');
    expect(text).toContain(
      'zookeeper_exporter_poll_last_success_timestamp_seconds{ensemble="a",server="10.0.0.1:2181",command="srvr"} 1700000001',
    );
  });
});

describe("NodeTextCache over a node's life", () => {
  it('renders byte for byte after every round: asked, fast-lane, down, back, failing words', () => {
    const store = new NodeStore();
    const cache = new NodeTextCache();
    const servers = ['10.0.0.1:2181', '10.0.0.2:2181'];
    const full = (server: string, at: number): NodeSample => ({ ...capturedSample('follower', server, at, 'a'), roundPolledAt: at });
    // A fast-lane round as the scheduler makes it: srvr asked now, the other words carried (same objects).
    const fast = (previous: NodeSample, at: number, srvr = capturedSample('follower', previous.server, at, 'a').srvr): NodeSample => ({
      ensemble: previous.ensemble,
      server: previous.server,
      polledAt: at,
      srvr,
      mntr: previous.mntr,
      wchs: previous.wchs,
      conf: previous.conf,
      roundPolledAt: previous.roundPolledAt,
      confPolledAt: previous.confPolledAt,
    });
    const down = failedSample('x', 'timeout').srvr;
    let samples = servers.map((server) => full(server, T0));
    const rounds: Array<(previous: NodeSample, at: number, i: number) => NodeSample> = [
      (p, at) => fast(p, at),
      (p, at) => fast(p, at),
      (p, at, i) => (i === 0 ? fast(p, at, down) : fast(p, at)), // the first node stops answering
      (p, at, i) => (i === 0 ? full(p.server, at) : fast(p, at)), // it is back: every word asked again
      (p, at) => fast(p, at),
      // mntr and wchs asked again and failing; conf carried.
      (p, at) => ({
        ...fast(p, at),
        mntr: failedSample(p.server, 'timeout').mntr,
        wchs: failedSample(p.server, 'refused').wchs,
        roundPolledAt: at,
      }),
      (p, at) => fast(p, at),
      (p, at) => fast(p, at),
    ];
    const check = (at: number): void => {
      store.record(samples, at);
      expect(cache.render(store.all()), `round at ${at}`).toBe(uncached(store.all()));
    };
    check(T0);
    rounds.forEach((round, r) => {
      const at = T0 + (r + 1) * 1000;
      samples = samples.map((previous, i) => round(previous, at, i));
      check(at);
    });
    expect(cache.render(store.all())).toContain(
      'zookeeper_exporter_poll_errors_total{ensemble="a",server="10.0.0.1:2181",command="mntr",reason="timeout"} 1',
    );
  });
});

describe('AgentMetrics.body', () => {
  it('answers gzip that decompresses to the text, and records the scrape it measured', async () => {
    const store = new NodeStore();
    records(store);
    const metrics = new AgentMetrics(() => undefined, { nodes: () => store.all(), runtime: true });
    const body = await metrics.body(true);
    if (Buffer.isBuffer(body)) throw new Error('expected a gzip body');
    const text = gunzipSync(body.gzip).toString('utf8');
    expect(text).toContain(new NodeTextCache().render(store.all()));
    const body2 = await metrics.body(false);
    if (!Buffer.isBuffer(body2)) throw new Error('expected a plain body');
    const plain = body2.toString('utf8');
    // The second body reports the first one's size (a scrape cannot report its own).
    const bytes = /^zookeeper_exporter_scrape_bytes (\d+)$/m.exec(plain);
    expect(Number(bytes?.[1])).toBe(Buffer.byteLength(text));
    const duration = /^zookeeper_exporter_scrape_duration_seconds (\S+)$/m.exec(plain);
    expect(Number(duration?.[1])).toBeGreaterThan(0);
  });
});
