import { describe, expect, it } from 'vitest';
import { parseHostPort, serverLabel } from '../../../src/model/target.js';

describe('parseHostPort', () => {
  it.each([
    ['zk1:2181', 'zk1', 2181],
    ['zk-1.example.com:2181', 'zk-1.example.com', 2181],
    ['zk_1:1', 'zk_1', 1],
    ['10.0.0.1:65535', '10.0.0.1', 65535],
    ['[::1]:2181', '::1', 2181],
    ['[fd00::1:2]:2181', 'fd00::1:2', 2181],
  ])('%s', (text, host, port) => {
    expect(parseHostPort(text)).toStrictEqual({ ok: true, value: { host, port } });
    expect(serverLabel({ host, port })).toBe(text);
  });

  it('allows port 0 only when asked (listen)', () => {
    expect(parseHostPort('127.0.0.1:0', 0)).toStrictEqual({ ok: true, value: { host: '127.0.0.1', port: 0 } });
    expect(parseHostPort('127.0.0.1:0')).toStrictEqual({
      ok: false,
      message: '"127.0.0.1:0": port must be an integer from 1 to 65535, got "0"',
    });
  });

  it.each([
    ['', 'empty; expected HOST:PORT'],
    ['zk1', '"zk1" has no port; expected HOST:PORT'],
    ['zk1:', '"zk1:": port must be an integer from 1 to 65535, got ""'],
    ['zk1:+1', '"zk1:+1": port must be an integer from 1 to 65535, got "+1"'],
    ['zk1:002181', '"zk1:002181": port must be an integer from 1 to 65535, got "002181"'],
    [':2181', '":2181" has no host; expected HOST:PORT'],
    ['::1:2181', '"::1:2181": put an IPv6 address in brackets, like "[::1]:2181"'],
    ['a:b:2181', '"a:b:2181" is not HOST:PORT; a host cannot contain ":"'],
    ['[::1]', '"[::1]" has no port; expected HOST:PORT'],
    ['[::1:2181', '"[::1:2181" has no closing "]"; write IPv6 addresses like "[::1]:2181"'],
    ['[::1]2181', '"[::1]2181" is not HOST:PORT; expected ":" after "]"'],
    ['[zk1]:2181', '"[zk1]:2181": only IPv6 addresses go in brackets'],
    ['-zk:2181', '"-zk:2181": "-zk" is not a hostname or IP address'],
    ['zk 1:2181', '"zk 1:2181": "zk 1" is not a hostname or IP address'],
  ])('%j is rejected', (text, message) => {
    expect(parseHostPort(text)).toStrictEqual({ ok: false, message });
  });
});
