import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/model/template.js';

const PAYLOAD = {
  event: 'quorum_lost',
  ensemble: 'kafka "prod"',
  margin: -1,
  leader: { server: 'zk1:2181', epoch: 7 },
  nodes: [{ server: 'zk1:2181', role: 'leader' }],
  agent: { id: 'a1', version: '0.1.0' },
};

describe('renderTemplate', () => {
  it('puts JSON values where a placeholder is a JSON value', () => {
    const out = renderTemplate('{"e": {{event}}, "m": {{ margin }}, "l": {{leader}}, "n": {{nodes}}, "x": {{no.such.path}}}', PAYLOAD);
    expect(out).toBe(
      '{"e": "quorum_lost", "m": -1, "l": {"server":"zk1:2181","epoch":7}, "n": [{"server":"zk1:2181","role":"leader"}], "x": null}',
    );
  });

  it('follows dotted paths, including array indexes', () => {
    expect(renderTemplate('[{{leader.epoch}}, {{nodes.0.role}}, {{nodes.5.role}}]', PAYLOAD)).toBe('[7, "leader", null]');
  });

  it('escapes values placed inside a JSON string', () => {
    const out = renderTemplate('{"text": "{{event}} on {{ensemble}} (margin {{margin}}, leader {{leader.server}}, {{missing}})"}', PAYLOAD);
    expect(out).toBe('{"text": "quorum_lost on kafka \\"prod\\" (margin -1, leader zk1:2181, null)"}');
    expect(JSON.parse(out)).toEqual({ text: 'quorum_lost on kafka "prod" (margin -1, leader zk1:2181, null)' });
  });

  it('embeds an object inside a string as its JSON text', () => {
    expect(JSON.parse(renderTemplate('{"t": "leader={{leader}}"}', PAYLOAD))).toEqual({ t: 'leader={"server":"zk1:2181","epoch":7}' });
  });

  it('keeps escaped quotes in the template text', () => {
    expect(renderTemplate('{"t": "say \\"{{event}}\\"", "e": {{event}}}', PAYLOAD)).toBe(
      '{"t": "say \\"quorum_lost\\"", "e": "quorum_lost"}',
    );
  });

  it('renders {{.}} as the whole payload', () => {
    expect(JSON.parse(renderTemplate('{"data": {{.}}}', PAYLOAD))).toEqual({ data: PAYLOAD });
  });

  it('does not reach into prototypes', () => {
    expect(renderTemplate('{"c": {{constructor}}, "p": {{leader.__proto__}}}', PAYLOAD)).toBe('{"c": null, "p": null}');
  });

  it('throws when the result is not JSON', () => {
    expect(() => renderTemplate('{"e": {{event}}', PAYLOAD)).toThrow(/^template does not render to valid JSON: /);
    expect(() => renderTemplate('{"e": {{event}} {{margin}}}', PAYLOAD)).toThrow(/^template does not render to valid JSON: /);
  });

  it('throws on a malformed placeholder', () => {
    expect(() => renderTemplate('{"e": {{event}', PAYLOAD)).toThrow('template: unterminated placeholder at offset 6');
    expect(() => renderTemplate('{"e": {{a..b}}}', PAYLOAD)).toThrow(
      'template: invalid placeholder {{a..b}} at offset 6; expected a dotted path like {{leader.server}}',
    );
  });

  it('validates a template against an empty payload (as config loading does)', () => {
    expect(renderTemplate('{"text": "{{event}}", "n": {{margin}}}', {})).toBe('{"text": "null", "n": null}');
  });
});
