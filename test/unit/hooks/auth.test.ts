import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAuthorization, type ExpectedCredentials } from '../../../src/hooks/auth.js';
import { loadToken } from '../../../src/hooks/deliver/secret-files.js';

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

describe('checkAuthorization', () => {
  const expected: ExpectedCredentials = {
    bearer: ['s3cret-token', 'next-token'],
    basic: [{ user: 'alertmanager', password: 'pa:ss' }],
  };
  const table: Array<[string, string | undefined, boolean]> = [
    ['no header', undefined, false],
    ['the first bearer token', 'Bearer s3cret-token', true],
    ['the second bearer token (rotation)', 'Bearer next-token', true],
    ['the scheme is case-insensitive', 'bearer s3cret-token', true],
    ['a wrong token', 'Bearer s3cret-tokem', false],
    ['a prefix of the token', 'Bearer s3cret', false],
    ['the token with a suffix', 'Bearer s3cret-token2', false],
    ['an empty bearer', 'Bearer ', false],
    ['a token without a scheme', 's3cret-token', false],
    ['a token under another scheme', 'Token s3cret-token', false],
    ['basic with a colon in the password', basic('alertmanager:pa:ss'), true],
    ['basic with a wrong password', basic('alertmanager:pa'), false],
    ['basic with a wrong user', basic('prometheus:pa:ss'), false],
    ['basic without a colon', basic('alertmanager'), false],
    ['basic that is not base64', 'Basic !!!', false],
    ['a bearer token offered as basic', basic('s3cret-token'), false],
  ];
  for (const [name, header, ok] of table) {
    it(`${name} → ${ok}`, () => {
      expect(checkAuthorization(header, expected)).toBe(ok);
    });
  }

  it('accepts nothing when nothing is expected', () => {
    expect(checkAuthorization('Bearer x', {})).toBe(false);
    expect(checkAuthorization('Bearer ', { bearer: [] })).toBe(false);
    expect(checkAuthorization(basic(':'), { basic: [] })).toBe(false);
  });
});

describe('loadToken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('drops the trailing newline', () => {
    expect(loadToken(file('ok', 's3cret-token\n'))).toBe('s3cret-token');
  });

  it('refuses an empty file and a token with inner whitespace', () => {
    const empty = file('empty', ' \n');
    const spaced = file('spaced', 'two words\n');
    expect(() => loadToken(empty)).toThrow(`token file ${empty} is empty`);
    expect(() => loadToken(spaced)).toThrow(`token file ${spaced} holds whitespace inside the token`);
  });

  it('reports a missing file', () => {
    expect(() => loadToken(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
