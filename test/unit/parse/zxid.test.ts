import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { formatZxid, parseZxid, zxidFromValue } from '../../../src/parse/zxid.js';

describe('parseZxid', () => {
  it('splits the hex value srvr prints into epoch (high 32 bits) and counter (low 32 bits)', () => {
    expect(parseZxid('0x100000007')).toStrictEqual({ value: 4294967303n, epoch: 1, counter: 7 });
    expect(parseZxid('0x30000001a')).toStrictEqual({ value: 0x30000001an, epoch: 3, counter: 26 });
  });

  it('reads a fresh node as 0x0 and a standalone node as epoch 0', () => {
    expect(parseZxid('0x0')).toStrictEqual({ value: 0n, epoch: 0, counter: 0 });
    expect(parseZxid('0x5')).toStrictEqual({ value: 5n, epoch: 0, counter: 5 });
  });

  it('keeps the full unsigned 64-bit range exact', () => {
    expect(parseZxid('0xffffffffffffffff')).toStrictEqual({
      value: 18446744073709551615n,
      epoch: 4294967295,
      counter: 4294967295,
    });
    expect(parseZxid('0x100000000')).toStrictEqual({ value: 4294967296n, epoch: 1, counter: 0 });
  });

  it("accepts AdminServer's decimal last_processed_zxid", () => {
    expect(parseZxid('4294967303')).toStrictEqual({ value: 4294967303n, epoch: 1, counter: 7 });
    expect(parseZxid('0')).toStrictEqual({ value: 0n, epoch: 0, counter: 0 });
    expect(parseZxid('18446744073709551615')).toStrictEqual(parseZxid('0xffffffffffffffff'));
  });

  it('accepts upper-case hex digits and leading zeros', () => {
    expect(parseZxid('0X1A').value).toBe(26n);
    expect(parseZxid('0x0000000100000007')).toStrictEqual(parseZxid('0x100000007'));
  });

  it.each([
    ['0x10000000000000000', 'zxid 18446744073709551616 is outside the unsigned 64-bit range'],
    ['18446744073709551616', 'zxid 18446744073709551616 is outside the unsigned 64-bit range'],
    ['-1', 'not a zxid: "-1"'],
    ['0x-1', 'not a zxid: "0x-1"'],
    ['', 'not a zxid: ""'],
    ['0x', 'not a zxid: "0x"'],
    ['0xzz', 'not a zxid: "0xzz"'],
    ['12a', 'not a zxid: "12a"'],
    ['1.5', 'not a zxid: "1.5"'],
    ['+5', 'not a zxid: "+5"'],
    [' 0x5', 'not a zxid: " 0x5"'],
    ['0x5\n', 'not a zxid: "0x5\\n"'],
  ])('rejects %j with a ParseError', (text, message) => {
    expect(() => parseZxid(text)).toThrow(ParseError);
    expect(() => parseZxid(text)).toThrow(message);
  });
});

describe('zxidFromValue', () => {
  it('rejects values outside 0..2^64-1', () => {
    expect(() => zxidFromValue(-1n)).toThrow(new ParseError('zxid -1 is outside the unsigned 64-bit range'));
    expect(() => zxidFromValue(1n << 64n)).toThrow(ParseError);
    expect(zxidFromValue((1n << 64n) - 1n).epoch).toBe(4294967295);
  });
});

describe('formatZxid', () => {
  it('prints 0x + lowercase hex without padding, as ZooKeeper does', () => {
    expect(formatZxid(parseZxid('0x100000007'))).toBe('0x100000007');
    expect(formatZxid(parseZxid('0x0'))).toBe('0x0');
    expect(formatZxid(parseZxid('0XFFFFFFFFFFFFFFFF'))).toBe('0xffffffffffffffff');
    expect(formatZxid(parseZxid('0x0000000100000007'))).toBe('0x100000007');
    expect(formatZxid(parseZxid('4294967303'))).toBe('0x100000007');
  });
});
