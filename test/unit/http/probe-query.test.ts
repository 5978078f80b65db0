import { describe, expect, it } from 'vitest';
import { parseProbeQuery, PROBE_DEFAULT_BUDGET_MS, PROBE_MAX_TARGETS, probeBudget } from '../../../src/http/probe-query.js';

describe('parseProbeQuery', () => {
  it('reads comma-separated and repeated targets in order, with the ensemble name', () => {
    const parsed = parseProbeQuery({ target: ['zk1:2181,10.0.0.2:2181', '[::1]:2182'], ensemble: 'kafka-prod.eu_1' }, undefined);
    expect(parsed).toEqual({
      ok: true,
      value: {
        ensemble: 'kafka-prod.eu_1',
        targets: [
          { host: 'zk1', port: 2181 },
          { host: '10.0.0.2', port: 2181 },
          { host: '::1', port: 2182 },
        ],
        budgetMs: PROBE_DEFAULT_BUDGET_MS,
      },
    });
  });

  it.each([
    [{ target: 'zk1:2181' }, 'missing ensemble parameter: ensemble=NAME (the ensemble label of every series)'],
    [{ target: 'zk1:2181', ensemble: '' }, 'missing ensemble parameter: ensemble=NAME (the ensemble label of every series)'],
    [{ target: 'zk1:2181', ensemble: 'a b' }, 'ensemble must be 1 to 128 letters, digits, "_", "." and "-", got "a b"'],
    [
      { target: 'zk1:2181', ensemble: 'x'.repeat(129) },
      `ensemble must be 1 to 128 letters, digits, "_", "." and "-", got "${'x'.repeat(129)}"`,
    ],
    [{ target: 'zk1:2181', ensemble: ['a', 'b'] }, 'give the ensemble parameter once: ensemble=NAME'],
    [{ target: 'zk1:2181', ensemble: { nested: 'x' } }, 'give the ensemble parameter once: ensemble=NAME'],
    [{ ensemble: 'e' }, 'missing target parameter: target=HOST:PORT[,HOST:PORT...]'],
    [{ target: '', ensemble: 'e' }, 'missing target parameter: target=HOST:PORT[,HOST:PORT...]'],
    [{ target: { a: 'b' }, ensemble: 'e' }, 'target must be text: target=HOST:PORT[,HOST:PORT...]'],
    [{ target: 'zk1', ensemble: 'e' }, 'bad target: "zk1" has no port; expected HOST:PORT'],
    [{ target: 'zk1:2181,', ensemble: 'e' }, 'bad target: empty; expected HOST:PORT'],
    [{ target: 'zk1:0', ensemble: 'e' }, 'bad target: "zk1:0": port must be an integer from 1 to 65535, got "0"'],
    [{ target: 'zk 1:2181', ensemble: 'e' }, 'bad target: "zk 1:2181": "zk 1" is not a hostname or IP address'],
    [{ target: 'zk1:2181,ZK1:2181', ensemble: 'e' }, 'duplicate target "ZK1:2181"'],
  ])('refuses %j: %s', (query, message) => {
    expect(parseProbeQuery(query, undefined)).toEqual({ ok: false, message });
  });

  it(`accepts ${PROBE_MAX_TARGETS} targets and refuses one more`, () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `zk${i}:2181`).join(',');
    const atCap = parseProbeQuery({ target: hosts(PROBE_MAX_TARGETS), ensemble: 'e' }, undefined);
    expect(atCap.ok && atCap.value.targets).toHaveLength(PROBE_MAX_TARGETS);
    expect(parseProbeQuery({ target: hosts(PROBE_MAX_TARGETS + 1), ensemble: 'e' }, undefined)).toEqual({
      ok: false,
      message: `too many targets: ${PROBE_MAX_TARGETS + 1}, at most ${PROBE_MAX_TARGETS}`,
    });
  });

  it('refuses an unparsable scrape-timeout header', () => {
    expect(parseProbeQuery({ target: 'zk1:2181', ensemble: 'e' }, 'soon')).toEqual({
      ok: false,
      message: 'X-Prometheus-Scrape-Timeout-Seconds must be a positive number of seconds, got "soon"',
    });
  });
});

describe('probeBudget', () => {
  it.each([
    [undefined, PROBE_DEFAULT_BUDGET_MS],
    ['3', 2500],
    ['1.5', 1000],
    ['60', PROBE_DEFAULT_BUDGET_MS],
    ['0.2', 100],
  ])('scrape timeout %s s → %i ms', (header, budget) => {
    expect(probeBudget(header)).toEqual({ ok: true, value: budget });
  });

  it.each(['0', '-1', '', '1e3', 'NaN'])('refuses %j', (header) => {
    expect(probeBudget(header).ok).toBe(false);
  });
});
