// JSON.parse keeps the last of two equal keys; a reply that repeats one with another value
// contradicts itself and is refused, an identical repeat is harmless.
import { describe, expect, it } from 'vitest';
import { conflictingDuplicateKey } from '../../../src/parse/json-duplicates.js';

describe('conflictingDuplicateKey', () => {
  it('finds nothing in a reply without repeats', () => {
    expect(conflictingDuplicateKey('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toBeUndefined();
  });

  it('finds nothing in scalars, arrays and empty objects', () => {
    for (const text of ['1', '"x"', 'null', '[]', '{}', '[1,[2,{}],{}]', ' { } '])
      expect([text, conflictingDuplicateKey(text)]).toEqual([text, undefined]);
  });

  it('reports a key repeated with another value at the top level, with both raw values', () => {
    expect(conflictingDuplicateKey('{"server_state":"follower","znode_count":5,"server_state":"leader"}')).toEqual({
      key: 'server_state',
      first: '"follower"',
      second: '"leader"',
    });
  });

  it('reports the last key of an object, ended by the closing brace', () => {
    expect(conflictingDuplicateKey('{ "n" : 1 , "n" : 2 }')).toEqual({ key: 'n', first: '1', second: '2' });
  });

  it('tolerates an identical repeat, also of an object value', () => {
    expect(conflictingDuplicateKey('{"a":1,"b":2,"a":1}')).toBeUndefined();
    expect(conflictingDuplicateKey('{"a":{"x":[1,2]},"a":{"x":[1,2]}}')).toBeUndefined();
  });

  it('reports a repeat inside a nested object, also inside an array', () => {
    expect(conflictingDuplicateKey('{"outer":{"k":true,"k":false}}')).toEqual({ key: 'k', first: 'true', second: 'false' });
    expect(conflictingDuplicateKey('[{"k":1},{"m":1,"m":null}]')).toEqual({ key: 'm', first: '1', second: 'null' });
  });

  it('keeps keys per object: the same key in sibling or nested objects is no repeat', () => {
    expect(conflictingDuplicateKey('{"k":1,"o":{"k":2},"p":{"k":3}}')).toBeUndefined();
    expect(conflictingDuplicateKey('[{"k":1},{"k":2}]')).toBeUndefined();
  });

  it('compares keys as decoded strings, so an escaped spelling is the same key', () => {
    expect(conflictingDuplicateKey('{"ab":1,"\\u0061b":2}')).toEqual({ key: 'ab', first: '1', second: '2' });
  });

  it('ignores braces, brackets, commas, colons and quotes inside strings', () => {
    expect(conflictingDuplicateKey('{"a":"{\\"a\\":1,[}:","b":"]}","a":"{\\"a\\":1,[}:"}')).toBeUndefined();
    expect(conflictingDuplicateKey('{"a":"x,\\"y","a":"x,\\"z"}')).toEqual({ key: 'a', first: '"x,\\"y"', second: '"x,\\"z"' });
  });

  it('shows a value on one line and cuts it at 40 characters', () => {
    const long = `"${'v'.repeat(50)}"`;
    expect(conflictingDuplicateKey(`{"a":{\n  "x" : 1\n},"a":${long}}`)).toEqual({
      key: 'a',
      first: '{ "x" : 1 }',
      second: `"${'v'.repeat(39)}…`,
    });
  });
});
