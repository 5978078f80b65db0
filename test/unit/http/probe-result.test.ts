import { describe, expect, it } from 'vitest';
import { probeSucceeded, renderProbe, type ProbeRound } from '../../../src/http/probe-result.js';
import { sampleValue } from '../../harness/agent-process.js';
import { capturedSample, failedSample, T0 } from '../metrics/captured.js';

const targets = [
  { host: 'a', port: 2181 },
  { host: 'b', port: 2181 },
];

function round(samples: ProbeRound['samples']): ProbeRound {
  return { ensemble: 'kafka', targets, samples, startedAt: T0, finishedAt: T0 + 250 };
}

describe('renderProbe', () => {
  it('answers probe_success, probe_duration_seconds, then the per-node and ensemble series under the given ensemble label', () => {
    const text = renderProbe(round([capturedSample('leader', 'a:2181', T0, 'kafka'), failedSample('b:2181', 'refused', T0, 'kafka')]));
    expect(text.startsWith('# HELP probe_success ')).toBe(true);
    expect(text).toContain('\nprobe_success 1\n');
    expect(text).toContain('\nprobe_duration_seconds 0.25\n');
    expect(text).toContain('\nzookeeper_up{ensemble="kafka",server="a:2181"} 1\n');
    expect(text).toContain('\nzookeeper_up{ensemble="kafka",server="b:2181"} 0\n');
    expect(text).toContain('\nzookeeper_exporter_command_result{ensemble="kafka",server="b:2181",command="srvr",reason="refused"} 1\n');
    expect(sampleValue(text, 'zookeeper_ensemble_leader', { ensemble: 'kafka', server: 'a:2181' })).toBe(1);
    expect(sampleValue(text, 'zookeeper_ensemble_quorum_state', { ensemble: 'kafka', state: 'healthy' })).toBeDefined();
  });

  it('reports probe_success 0 when no target answered, and still exports each node down with its reason', () => {
    const text = renderProbe(round([failedSample('a:2181', 'timeout', T0, 'kafka'), failedSample('b:2181', 'refused', T0, 'kafka')]));
    expect(text).toContain('\nprobe_success 0\n');
    expect(text).toContain('\nzookeeper_exporter_command_result{ensemble="kafka",server="a:2181",command="srvr",reason="timeout"} 1\n');
    expect(sampleValue(text, 'zookeeper_ensemble_quorum_state', { ensemble: 'kafka', state: 'healthy' })).toBe(0);
  });

  it('renders each probe from its own round only: a second probe carries nothing of the first', () => {
    const first = renderProbe(round([capturedSample('leader', 'a:2181', T0, 'kafka'), failedSample('b:2181', 'refused', T0, 'kafka')]));
    const second = renderProbe(round([capturedSample('leader', 'a:2181', T0, 'kafka'), failedSample('b:2181', 'refused', T0, 'kafka')]));
    // Error counters start from zero in every probe: the same round twice renders the same text.
    expect(second).toBe(first);
    expect(second).toContain(
      '\nzookeeper_exporter_poll_errors_total{ensemble="kafka",server="b:2181",command="srvr",reason="refused"} 1\n',
    );
  });
});

describe('probeSucceeded', () => {
  it('counts a node that answers "not serving" as reached', () => {
    expect(probeSucceeded([failedSample('a:2181', 'not_serving')])).toBe(true);
    expect(probeSucceeded([failedSample('a:2181', 'timeout'), failedSample('b:2181', 'malformed')])).toBe(false);
    expect(probeSucceeded([])).toBe(false);
  });
});
