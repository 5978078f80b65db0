// Reads fixtures byte for byte (as UTF-8 text, never trimmed) for the parser tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of test/fixtures. */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** The captured 3.8.0 roles that answer normally. */
export const SERVING_ROLES_380 = ['leader', 'follower', 'observer', 'standalone'] as const;

/** A fixture file's exact text, e.g. `fixture('zookeeper-3.8.0/leader/srvr.txt')`. */
export function fixture(relative: string): string {
  return fs.readFileSync(path.join(FIXTURES, relative), 'utf8');
}

/** An `admin-<command>.http` fixture: its status line, raw body, and the body JSON.parsed. */
export function adminFixture(relative: string): { status: number; body: string; json: unknown } {
  const text = fixture(relative);
  const newline = text.indexOf('\n');
  const status = /^HTTP ([0-9]{3})$/.exec(text.slice(0, newline));
  if (!status) throw new Error(`${relative}: first line is not "HTTP <status>"`);
  const body = text.slice(newline + 1);
  return { status: Number(status[1]), body, json: JSON.parse(body) as unknown };
}
