import { describe, expect, it } from 'vitest';
import {
  alertmanagerPayloadSchema,
  compileRoute,
  isValidPayload,
  parseAlertmanagerPayload,
  routeAlerts,
  type AlertRoute,
  type AlertmanagerPayload,
} from '../../../src/hooks/decide/alertmanager.js';
import { matches, parseMatcher } from '../../../src/model/matchers.js';

/** A payload as Alertmanager 0.27 sends it, trimmed to two alerts. */
function payload(): Record<string, unknown> {
  return {
    receiver: 'zk-exporter',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'ZooKeeperQuorumLost', ensemble: 'main', severity: 'critical' },
        annotations: { summary: 'quorum lost' },
        startsAt: '2024-05-01T10:00:00.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
        fingerprint: 'a1b2c3d4e5f60718',
      },
      {
        status: 'resolved',
        labels: { alertname: 'ZooKeeperAtRisk', ensemble: 'batch', severity: 'warning' },
        annotations: {},
        startsAt: '2024-05-01T09:00:00Z',
        endsAt: '2024-05-01T09:30:00+02:00',
        fingerprint: '0f0e0d0c0b0a0908',
      },
    ],
    groupLabels: { alertname: 'ZooKeeperQuorumLost' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="ZooKeeperQuorumLost"}',
    truncatedAlerts: 0,
  };
}

function parsed(body: unknown = payload()): AlertmanagerPayload {
  const r = parseAlertmanagerPayload(body);
  if (!r.ok) throw new Error(r.reason);
  return r.payload;
}

describe('parseAlertmanagerPayload', () => {
  it('accepts a version 4 payload, keeps unknown fields, accepts a missing generatorURL', () => {
    const body: Record<string, unknown> = { ...payload(), futureField: { x: 1 } };
    (body.alerts as Array<Record<string, unknown>>)[0]!['newAlertField'] = true;
    const p = parsed(body);
    expect(p).toEqual(body);
    expect(p.alerts[1]!.generatorURL).toBeUndefined();
  });

  const refusals: Array<{ name: string; body: unknown; reason: string }> = [
    { name: 'not an object', body: 'hello', reason: 'body: Invalid input: expected object, received string' },
    { name: 'null', body: null, reason: 'body: Invalid input: expected object, received null' },
    { name: 'wrong version', body: { ...payload(), version: '3' }, reason: 'version: expected "4" (only webhook version 4 is understood)' },
    {
      name: 'version as a number',
      body: { ...payload(), version: 4 },
      reason: 'version: expected "4" (only webhook version 4 is understood)',
    },
    {
      name: 'unknown status',
      body: { ...payload(), status: 'pending' },
      reason: 'status: Invalid option: expected one of "firing"|"resolved"',
    },
    {
      name: 'alerts missing',
      body: { version: '4', status: 'firing' },
      reason: 'alerts: Invalid input: expected array, received undefined',
    },
    {
      name: 'an alert without a fingerprint',
      body: { ...payload(), alerts: [{ ...(payload().alerts as object[])[0], fingerprint: undefined }] },
      reason: 'alerts[0].fingerprint: Invalid input: expected string, received undefined',
    },
    {
      name: 'a label that is not a string',
      body: {
        ...payload(),
        alerts: [(payload().alerts as object[])[0], { ...(payload().alerts as object[])[1], labels: { replicas: 3 } }],
      },
      reason: 'alerts[1].labels.replicas: Invalid input: expected string, received number',
    },
    {
      name: 'a startsAt that is not RFC 3339',
      body: { ...payload(), alerts: [{ ...(payload().alerts as object[])[0], startsAt: '2024-05-01 10:00' }] },
      reason: 'alerts[0].startsAt: Invalid ISO datetime',
    },
    {
      name: 'more than three problems',
      body: { version: '5', status: 'x', alerts: [{}] },
      reason:
        'version: expected "4" (only webhook version 4 is understood); status: Invalid option: expected one of "firing"|"resolved"; alerts[0].status: Invalid option: expected one of "firing"|"resolved"; and 5 more',
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      expect(parseAlertmanagerPayload(r.body)).toEqual({ ok: false, reason: r.reason });
    });
  }
});

describe('parseMatcher', () => {
  const good: Array<[string, { label: string; op: string; value: string }]> = [
    ['severity="critical"', { label: 'severity', op: '=', value: 'critical' }],
    ['severity!="info"', { label: 'severity', op: '!=', value: 'info' }],
    ['alertname=~"ZooKeeper.*"', { label: 'alertname', op: '=~', value: 'ZooKeeper.*' }],
    ['env!~"dev|test"', { label: 'env', op: '!~', value: 'dev|test' }],
    ['  team = "a \\"b\\" \\\\ c" ', { label: 'team', op: '=', value: 'a "b" \\ c' }],
    ['empty=""', { label: 'empty', op: '=', value: '' }],
  ];
  for (const [text, expected] of good) {
    it(`parses ${text}`, () => {
      const r = parseMatcher(text);
      expect(r.ok && { label: r.matcher.label, op: r.matcher.op, value: r.matcher.value }).toEqual(expected);
    });
  }

  const bad: Array<[string, string]> = [
    ['severity=critical', 'matcher "severity=critical": expected label="value", label!="value", label=~"regex" or label!~"regex"'],
    ['1abc="x"', 'matcher "1abc=\\"x\\"": expected label="value", label!="value", label=~"regex" or label!~"regex"'],
    ['a=="x"', 'matcher "a==\\"x\\"": expected label="value", label!="value", label=~"regex" or label!~"regex"'],
    ['a="x\\t"', 'matcher "a=\\"x\\\\t\\"": unknown escape \\t (use \\", \\\\ or \\n)'],
    ['a=~"("', 'matcher "a=~\\"(\\"": invalid regular expression: Invalid regular expression: /^(?:()$/: Unterminated group'],
  ];
  for (const [text, reason] of bad) {
    it(`refuses ${text}`, () => {
      expect(parseMatcher(text)).toEqual({ ok: false, reason });
    });
  }
});

describe('matches', () => {
  const labels = { alertname: 'ZooKeeperQuorumLost', severity: 'critical' };
  const table: Array<[string, boolean]> = [
    ['severity="critical"', true],
    ['severity="crit"', false],
    ['severity!="critical"', false],
    ['alertname=~"ZooKeeper.*"', true],
    // Anchored: a match in the middle is not a match.
    ['alertname=~"Quorum"', false],
    ['alertname=~".*Quorum.*"', true],
    ['alertname!~"ZooKeeper.*"', false],
    // A missing label is the empty string.
    ['team=""', true],
    ['team!=""', false],
    ['team=~".*"', true],
    ['team!~".+"', true],
  ];
  for (const [text, expected] of table) {
    it(`${text} → ${expected}`, () => {
      const r = parseMatcher(text);
      if (!r.ok) throw new Error(r.reason);
      expect(matches(r.matcher, labels)).toBe(expected);
    });
  }
});

describe('routeAlerts', () => {
  function route(hook: string, matchers: string[], sendResolved = false): AlertRoute {
    return compileRoute({ hook, matchers, sendResolved });
  }

  it('one entry per matching route; resolved only for sendResolved routes; exact keys', () => {
    const routes = [
      route('pager', ['severity="critical"']),
      route('ticket', ['alertname=~"ZooKeeper.*"'], true),
      route('none', ['ensemble="nope"']),
    ];
    const out = routeAlerts(parsed(), routes).map((r) => [r.route.hook, r.alert.fingerprint, r.dedupeKey, r.idempotencyKey]);
    expect(out).toEqual([
      [
        'pager',
        'a1b2c3d4e5f60718',
        'a1b2c3d4e5f60718/2024-05-01T10:00:00.123456789Z/firing',
        'pager/alert/a1b2c3d4e5f60718/2024-05-01T10:00:00.123456789Z/firing',
      ],
      [
        'ticket',
        'a1b2c3d4e5f60718',
        'a1b2c3d4e5f60718/2024-05-01T10:00:00.123456789Z/firing',
        'ticket/alert/a1b2c3d4e5f60718/2024-05-01T10:00:00.123456789Z/firing',
      ],
      [
        'ticket',
        '0f0e0d0c0b0a0908',
        '0f0e0d0c0b0a0908/2024-05-01T09:00:00Z/resolved',
        'ticket/alert/0f0e0d0c0b0a0908/2024-05-01T09:00:00Z/resolved',
      ],
    ]);
  });

  it('the same notification repeated (repeat_interval, a second Alertmanager) has the same keys', () => {
    const routes = [route('pager', [])];
    const first = routeAlerts(parsed(), routes).map((r) => r.idempotencyKey);
    const again = routeAlerts(parsed({ ...payload(), receiver: 'other-replica', groupKey: 'x' }), routes).map((r) => r.idempotencyKey);
    expect(again).toEqual(first);
  });

  it('a new firing of the same alert (new startsAt) is not a duplicate', () => {
    const body = payload();
    const later = { ...body, alerts: [{ ...(body.alerts as object[])[0], startsAt: '2024-05-02T08:00:00Z' }] };
    const keys = [parsed(body), parsed(later)].map((p) => routeAlerts(p, [route('pager', [])])[0]!.dedupeKey);
    expect(keys).toEqual(['a1b2c3d4e5f60718/2024-05-01T10:00:00.123456789Z/firing', 'a1b2c3d4e5f60718/2024-05-02T08:00:00Z/firing']);
  });

  it('compileRoute parses the matchers config validated, in order', () => {
    expect(compileRoute({ hook: 'pager', matchers: ['a="x"', 'b!~"y|z"'], sendResolved: true })).toMatchObject({
      hook: 'pager',
      sendResolved: true,
      matchers: [
        { label: 'a', op: '=', value: 'x', text: 'a="x"' },
        { label: 'b', op: '!~', value: 'y|z', text: 'b!~"y|z"' },
      ],
    });
  });

  it('compileRoute throws on a matcher config would have refused (a bug, not a user error)', () => {
    expect(() => compileRoute({ hook: 'pager', matchers: ['b=y'], sendResolved: false })).toThrow(
      'alert route for pager: matcher "b=y": expected label="value", label!="value", label=~"regex" or label!~"regex"',
    );
  });
});

describe('isValidPayload: the hand check accepts nothing the schema refuses', () => {
  const base = {
    version: '4',
    status: 'firing',
    receiver: 'r',
    groupLabels: { a: 'b' },
    truncatedAlerts: 0,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'X' },
        annotations: {},
        startsAt: '2025-03-01T10:00:00.123456789+02:00',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'f',
        extra: [1],
      },
    ],
    extra: { kept: true },
  };
  // Each variant breaks or bends one field; the two checks must agree on every one.
  type Json = Record<string, unknown>;
  // `p` is the payload, `a` its first alert.
  const variants: Array<[string, (p: Json, a: Json) => void]> = [
    ['as is', () => {}],
    ['version 3', (p) => (p.version = '3')],
    ['version as a number', (p) => (p.version = 4)],
    ['status unknown', (p) => (p.status = 'pending')],
    ['receiver a number', (p) => (p.receiver = 1)],
    ['truncatedAlerts negative', (p) => (p.truncatedAlerts = -1)],
    ['truncatedAlerts fractional', (p) => (p.truncatedAlerts = 1.5)],
    ['groupLabels an array', (p) => (p.groupLabels = ['a'])],
    ['groupLabels with a number', (p) => (p.groupLabels = { x: 1 })],
    ['alerts missing', (p) => delete p.alerts],
    ['alerts an object', (p) => (p.alerts = {})],
    ['alert null', (p) => (p.alerts = [null])],
    ['alert status missing', (_p, a) => delete a.status],
    ['labels with null', (_p, a) => (a.labels = { a: null })],
    ['annotations missing', (_p, a) => delete a.annotations],
    ['startsAt without seconds', (_p, a) => (a.startsAt = '2025-03-01T10:00Z')],
    ['startsAt 30 February', (_p, a) => (a.startsAt = '2025-02-30T10:00:00Z')],
    ['startsAt 29 February of a leap year', (_p, a) => (a.startsAt = '2024-02-29T10:00:00Z')],
    ['startsAt without an offset', (_p, a) => (a.startsAt = '2025-03-01T10:00:00')],
    ['endsAt a number', (_p, a) => (a.endsAt = 0)],
    ['generatorURL a number', (_p, a) => (a.generatorURL = 1)],
    ['fingerprint empty', (_p, a) => (a.fingerprint = '')],
    ['fingerprint missing', (_p, a) => delete a.fingerprint],
    ['no alerts', (p) => (p.alerts = [])],
  ];
  for (const [name, change] of variants) {
    it(name, () => {
      const body = structuredClone(base) as Json;
      change(body, (body.alerts as Json[])[0]!);
      const schema = alertmanagerPayloadSchema.safeParse(body).success;
      expect(isValidPayload(body)).toBe(schema);
      expect(parseAlertmanagerPayload(body).ok).toBe(schema);
    });
  }
});
