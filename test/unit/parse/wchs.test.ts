import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { parseWatchSummary } from '../../../src/parse/wchs.js';
import { fixture } from './fixtures.js';

describe('parseWatchSummary on fixtures', () => {
  it.each([
    ['zookeeper-3.8.0/leader/wchs.txt', { connections: 0, paths: 0, totalWatches: 0 }],
    ['zookeeper-3.8.0/follower/wchs.txt', { connections: 0, paths: 0, totalWatches: 0 }],
    ['zookeeper-3.8.0/observer/wchs.txt', { connections: 1, paths: 1, totalWatches: 1 }],
    ['zookeeper-3.8.0/standalone/wchs.txt', { connections: 1, paths: 1, totalWatches: 1 }],
    ['zookeeper-3.5.9/leader/wchs.txt', { connections: 1, paths: 2, totalWatches: 2 }],
    ['zookeeper-3.5.9/follower/wchs.txt', { connections: 0, paths: 0, totalWatches: 0 }],
    ['zookeeper-3.5.9/standalone/wchs.txt', { connections: 0, paths: 0, totalWatches: 0 }],
    ['zookeeper-3.4.14/leader/wchs.txt', { connections: 1, paths: 1, totalWatches: 1 }],
    ['zookeeper-3.4.14/follower/wchs.txt', { connections: 0, paths: 0, totalWatches: 0 }],
    ['zookeeper-3.4.14/standalone/wchs.txt', { connections: 0, paths: 0, totalWatches: 0 }],
  ])('%s', (file, expected) => {
    expect(parseWatchSummary(fixture(file))).toStrictEqual(expected);
  });

  it.each([
    ['zookeeper-3.8.0/not-serving/wchs.txt', 'This ZooKeeper instance is not currently serving requests'],
    ['zookeeper-3.8.0/whitelist-srvr-only/wchs.txt', 'wchs is not executed because it is not in the whitelist.'],
  ])('rejects the refusal in %s', (file, firstLine) => {
    expect(() => parseWatchSummary(fixture(file))).toThrow(
      new ParseError(`wchs reply is missing "<n> connections watching <m> paths" (first line: ${JSON.stringify(firstLine)})`),
    );
  });
});

describe('parseWatchSummary edge cases', () => {
  it('reads large counts, CRLF and a reply without the final newline', () => {
    const expected = { connections: 1200, paths: 35000, totalWatches: 98765 };
    expect(parseWatchSummary('1200 connections watching 35000 paths\nTotal watches:98765\n')).toStrictEqual(expected);
    expect(parseWatchSummary('1200 connections watching 35000 paths\r\nTotal watches:98765\r\n')).toStrictEqual(expected);
    expect(parseWatchSummary('1200 connections watching 35000 paths\nTotal watches:98765')).toStrictEqual(expected);
  });

  it('fails when the total line is missing or malformed', () => {
    const message = new ParseError('wchs reply is missing "Total watches:<t>" (first line: "0 connections watching 0 paths")');
    expect(() => parseWatchSummary('0 connections watching 0 paths\n')).toThrow(message);
    expect(() => parseWatchSummary('0 connections watching 0 paths\nTotal watches: x\n')).toThrow(message);
  });

  it('fails on an empty reply', () => {
    expect(() => parseWatchSummary('')).toThrow(
      new ParseError('wchs reply is missing "<n> connections watching <m> paths" (first line: "")'),
    );
  });
});
