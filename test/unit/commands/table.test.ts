import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminConnections, parseConnections } from '../../../src/commands/cons.js';
import { adminEnvironment, parseEnvironment } from '../../../src/commands/envi.js';
import { ALLOWED_COMMANDS, COMMAND_DESCRIPTIONS, COMMANDS, DEFAULT_COMMANDS } from '../../../src/commands/index.js';
import { adminReadOnlyMode, parseReadOnlyMode } from '../../../src/commands/isro.js';
import { adminClientList, parseClientList } from '../../../src/commands/stat.js';
import { READ_ONLY_ADMIN_COMMANDS, READ_ONLY_COMMANDS } from '../../../src/zk/read-only.js';
import { adminFixture, fixture, FIXTURES, SERVING_ROLES_380 } from '../parse/fixtures.js';

describe('the command table', () => {
  it('accepts every table word and never ruok', () => {
    expect([...ALLOWED_COMMANDS]).toStrictEqual(['srvr', 'stat', 'mntr', 'wchs', 'conf', 'isro', 'envi', 'cons']);
    expect(ALLOWED_COMMANDS).not.toContain('ruok');
  });

  it('polls srvr, mntr, wchs and conf by default; cons, isro, envi and stat are opt-in', () => {
    expect(DEFAULT_COMMANDS).toStrictEqual(['srvr', 'mntr', 'wchs', 'conf']);
  });

  it('stays inside the transport’s read-only lists', () => {
    for (const command of COMMANDS) {
      expect(READ_ONLY_COMMANDS).toContain(command.word);
      for (const admin of command.admin) expect(READ_ONLY_ADMIN_COMMANDS).toContain(admin);
    }
  });

  it('describes every word, and every word but mntr and conf feeds fixed families', () => {
    for (const command of COMMANDS) {
      expect(COMMAND_DESCRIPTIONS[command.word]).toBe(command.description);
      expect(command.families.length > 0).toBe(command.word !== 'mntr' && command.word !== 'conf');
    }
  });

  it('has a captured four-letter reply for every word', () => {
    for (const command of COMMANDS) {
      expect(fs.existsSync(path.join(FIXTURES, 'zookeeper-3.8.0', 'leader', `${command.word}.txt`))).toBe(true);
    }
  });

  it('is the README’s list of four-letter words, word for word', () => {
    const readme = fs.readFileSync(path.resolve(FIXTURES, '..', '..', 'README.md'), 'utf8');
    const section = /<!-- commands:start -->\n([\s\S]*?)<!-- commands:end -->/.exec(readme)?.[1] ?? '';
    const listed = [...section.matchAll(/^\| `([a-z]{4})` \|/gm)].map((m) => m[1]);
    expect(listed).toStrictEqual([...ALLOWED_COMMANDS]);
  });
});

describe('isro', () => {
  it.each(SERVING_ROLES_380)('%s: rw over both transports', (role) => {
    expect(parseReadOnlyMode(fixture(`zookeeper-3.8.0/${role}/isro.txt`))).toStrictEqual({ readOnly: false });
    expect(adminReadOnlyMode(adminFixture(`zookeeper-3.8.0/${role}/admin-isro.http`).json)).toStrictEqual({ readOnly: false });
  });

  it('reads ro, and rejects anything else', () => {
    expect(parseReadOnlyMode('ro')).toStrictEqual({ readOnly: true });
    expect(() => parseReadOnlyMode('maybe')).toThrow('isro: expected "rw" or "ro", got "maybe"');
  });
});

describe('envi', () => {
  it('reads the captured leader’s properties, the same over both transports except the live memory figures', () => {
    const text = parseEnvironment(fixture('zookeeper-3.8.0/leader/envi.txt'));
    const json = adminEnvironment(adminFixture('zookeeper-3.8.0/leader/admin-environment.http').json);
    expect(text['java.version']).toBe('17.0.15');
    expect(text['zookeeper.version']).toBe('3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC');
    expect(text['os.arch']).toBe('amd64');
    const stable = (e: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(e).filter(([key]) => !key.startsWith('os.memory.')));
    expect(stable(json)).toStrictEqual(stable(text));
  });

  it('answers even when the node is not serving', () => {
    expect(parseEnvironment(fixture('zookeeper-3.8.0/not-serving/envi.txt'))['java.vendor']).toBe('Debian');
  });
});

describe('cons', () => {
  it('summarises the leader’s two sessions and leaves out the poll’s own sessionless connection', () => {
    // Lines: avglat 17 maxlat 29, the poll (no sid), avglat 8 maxlat 8.
    expect(parseConnections(fixture('zookeeper-3.8.0/leader/cons.txt'))).toStrictEqual({
      sessions: 2,
      queued: 0,
      maxLatencyMs: 29,
      meanAvgLatencyMs: 12.5,
    });
  });

  it.each(SERVING_ROLES_380)('%s: the AdminServer form gives the same summary', (role) => {
    expect(adminConnections(adminFixture(`zookeeper-3.8.0/${role}/admin-cons.http`).json)).toStrictEqual(
      parseConnections(fixture(`zookeeper-3.8.0/${role}/cons.txt`)),
    );
  });

  it('rejects a line that is not a connection', () => {
    expect(() => parseConnections('hello\n')).toThrow('not a connection line: "hello"');
  });
});

describe('stat', () => {
  it('summarises the Clients block of the leader (the poll’s own connection included)', () => {
    expect(parseClientList(fixture('zookeeper-3.8.0/leader/stat.txt'))).toStrictEqual({ clients: 1, queued: 0 });
  });

  it('reads the AdminServer’s connection objects', () => {
    expect(adminClientList(adminFixture('zookeeper-3.8.0/standalone/admin-stat.http').json)).toStrictEqual({ clients: 1, queued: 0 });
  });
});
