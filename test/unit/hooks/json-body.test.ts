import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody } from '../../../src/hooks/decide/json-body.js';

const body = (text: string) => Buffer.from(text, 'utf8');

describe('parseJsonBody', () => {
  it('decodes UTF-8 JSON, with or without a charset', () => {
    expect(parseJsonBody(body('{"a":"é"}'), 'application/json')).toEqual({ ok: true, value: { a: 'é' } });
    expect(parseJsonBody(body('[1]'), 'application/json; charset=UTF-8')).toEqual({ ok: true, value: [1] });
    expect(parseJsonBody(body('[1]'), undefined)).toEqual({ ok: true, value: [1] });
  });

  it('refuses another charset with 415', () => {
    expect(parseJsonBody(body('{}'), 'application/json; charset=koi8-r')).toEqual({
      ok: false,
      status: 415,
      reason: 'unsupported charset "koi8-r": send UTF-8 JSON',
    });
  });

  it('refuses nesting deeper than the limit before parsing, with 400 and where', () => {
    const deep = '['.repeat(150_000) + ']'.repeat(150_000);
    expect(parseJsonBody(body(deep), 'application/json')).toEqual({
      ok: false,
      status: 400,
      reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels (at offset ${MAX_JSON_DEPTH})`,
    });
  });

  it('refuses malformed JSON with 400', () => {
    const result = parseJsonBody(body('{"a":'), 'application/json');
    expect(result.ok === false && result.status === 400 && result.reason.startsWith('malformed JSON: ')).toBe(true);
  });
});

describe('jsonDepthExceeds', () => {
  it('counts brackets outside strings only, escapes included', () => {
    expect(jsonDepthExceeds('{"a":"[[[[\\"[[["}', 1)).toBeUndefined();
    expect(jsonDepthExceeds('{"a":[[1]]}', 3)).toBeUndefined();
    expect(jsonDepthExceeds('{"a":[[1]]}', 2)).toBe(6);
  });
});
