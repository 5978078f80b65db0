// Whatever a node answers to srvr and mntr, /metrics stays valid: replies go through the real path
// (decode → store → derivation → render) and the text is checked in process for every case, then the
// nodes of all cases are rendered into one exposition and checked with `promtool check metrics`.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeSample } from '../../../src/commands/index.js';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import { addEnsembleFamilies } from '../../../src/metrics/ensemble-families.js';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';
import { addNodeFamilies } from '../../../src/metrics/node-families.js';
import { decodeFourLetter } from '../../../src/poll/decode.js';
import { NodeStore } from '../../../src/state/store.js';
import { capturedSample, ensembleConfig, T0 } from '../metrics/captured.js';
import { capturesOf, FUZZ_TIMEOUT, hostileReply, runs } from './arbitraries.js';
import { expositionProblems } from './exposition-check.js';

type Case = { srvr: string; mntr: string; otherMntr: string };

const reply = (body: string) => ({ ok: true as const, body, durationMs: 1 });

/** One ensemble of two nodes: a hostile srvr+mntr node and a real srvr with a hostile mntr. */
function samplesOf(c: Case, ensemble: string): NodeSample[] {
  const hostile = capturedSample('follower', '10.0.0.1:2181', T0, ensemble);
  const half = capturedSample('observer', '10.0.0.2:2181', T0, ensemble);
  return [
    { ...hostile, srvr: decodeFourLetter('srvr', reply(c.srvr)), mntr: decodeFourLetter('mntr', reply(c.mntr)) },
    { ...half, mntr: decodeFourLetter('mntr', reply(c.otherMntr)) },
  ];
}

function render(cases: readonly Case[]): string {
  const store = new NodeStore();
  const states = cases.map((c, i) => {
    const ensemble = `e${i}`;
    const samples = samplesOf(c, ensemble);
    store.record(samples, T0 + 50);
    return deriveEnsemble(undefined, ensembleConfig(ensemble, ['10.0.0.1', '10.0.0.2']), samples, T0 + 50).state;
  });
  const set = new FamilySet();
  addNodeFamilies(set, store.all());
  addEnsembleFamilies(set, states);
  return renderFamilies(set.all());
}

const hostileCase: fc.Arbitrary<Case> = fc.record({
  srvr: hostileReply(capturesOf('srvr')),
  mntr: hostileReply(capturesOf('mntr')),
  otherMntr: hostileReply(capturesOf('mntr')),
});

describe('/metrics under hostile srvr and mntr replies', () => {
  it('every case renders a valid exposition; all cases together pass promtool check metrics', { timeout: FUZZ_TIMEOUT }, () => {
    const seen: Case[] = [];
    fc.assert(
      fc.property(hostileCase, (c) => {
        const text = render([c]);
        expect(expositionProblems(text)).toEqual([]);
        // Bounded output: the 2,000-series cap holds whatever the reply size.
        expect(text.split('\n').filter((line) => line.startsWith('zookeeper_mntr_')).length).toBeLessThanOrEqual(2 * 2000 + 1000);
        // One promtool run over the first 200 cases (100 in the unit suite) keeps the check quick.
        if (seen.length < 200) seen.push(c);
      }),
      { numRuns: runs(100) },
    );
    const all = render(seen);
    expect(expositionProblems(all)).toEqual([]);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: all, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect({ status: promtool.status, output: `${promtool.stdout}${promtool.stderr}`.slice(0, 2000) }).toEqual({ status: 0, output: '' });
  });

  it('the reported cases: a bad quantile and a srvr that changes its Mode', () => {
    const mntr = capturesOf('mntr')[4]!;
    const text = render([
      { srvr: `${capturesOf('srvr')[4]!}Mode: follower\n`, mntr: `${mntr}zk_fsync{quantile="abc"}\t2\n`, otherMntr: mntr },
    ]);
    expect(expositionProblems(text)).toEqual([]);
    expect(text).toContain('zookeeper_up{ensemble="e0",server="10.0.0.1:2181"} 0');
    expect(text).not.toContain('quantile="abc"');
  });
});
