/**
 * Checks raw values against the schema one field at a time, so that one bad field never hides
 * another: every problem is collected, and every good field keeps its value for the checks that
 * span fields (duplicates, admin ports, timeout < interval) and for merging with env and flags.
 */
import type { z } from 'zod';
import type { EnsembleConfig, ServerTarget } from './types.js';
import { formatHostPort } from './hostport.js';
import { closest, describeValue, isMapping, joinPath, type PathSegment, type Problem } from './problems.js';
import { ensembleSchema, NO_SERVERS, serverObjectSchema, serverStringSchema } from './schema.js';

/** Where in which source: a prefix (`''` for the file, `--ensemble[0]`, `ZK_EXPORTER_ENSEMBLES[1]`) plus segments. */
export interface At {
  prefix: string;
  segments: readonly PathSegment[];
}

/** `at` extended by more segments. */
export function under(at: At, ...segments: PathSegment[]): At {
  return { prefix: at.prefix, segments: [...at.segments, ...segments] };
}

/** The path text of `at`, e.g. `ensembles[0].servers[1]`. */
export function pathOf(at: At): string {
  return joinPath(at.prefix, at.segments);
}

/** A value checked against a schema: `ok: false` means problems were already reported. */
export type Checked<T> = { ok: true; value: T } | { ok: false };

/** Parses one leaf value; each zod issue becomes a Problem (only the first per path, zod may repeat itself). */
export function checkLeaf<S extends z.ZodType>(schema: S, input: unknown, at: At, problems: Problem[]): Checked<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const path = pathOf(under(at, ...issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s))));
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push({ path, message: issue.message });
  }
  return { ok: false };
}

/** One field of a mapping: absent (default or undefined applied), or checked. */
export type FieldResult<T> = Checked<T> & { present: boolean };

/**
 * Reads `raw[key]` against `shape[key]`: absent optional fields get their default (or stay
 * undefined), absent required ones are reported as `is required`.
 */
export function checkField<Shape extends z.ZodRawShape, K extends keyof Shape & string>(
  shape: Shape,
  key: K,
  raw: Record<string, unknown>,
  at: At,
  problems: Problem[],
): FieldResult<z.output<Shape[K]>> {
  const schema = shape[key] as z.ZodType;
  const input = raw[key];
  if (input === undefined && !isOptional(schema)) {
    problems.push({ path: pathOf(under(at, key)), message: 'is required' });
    return { ok: false, present: false };
  }
  return { ...checkLeaf(schema, input, under(at, key), problems), present: input !== undefined } as FieldResult<
    z.output<Shape[K]>
  >;
}

/** True when the schema accepts a missing value (optional, or has a default). */
function isOptional(schema: z.ZodType): boolean {
  const type = schema.def.type;
  return type === 'optional' || type === 'prefault' || type === 'default';
}

/** Reports each key of `raw` that `schema` does not declare, suggesting the likely intended key. */
export function checkKeys(schema: z.ZodObject, raw: Record<string, unknown>, at: At, problems: Problem[]): void {
  const allowed = Object.keys(schema.shape);
  for (const key of Object.keys(raw)) {
    if (allowed.includes(key)) continue;
    const guess = closest(key, allowed);
    problems.push({
      path: pathOf(under(at, key)),
      message: guess === undefined ? `unknown key; allowed: ${allowed.join(', ')}` : `unknown key; did you mean "${guess}"?`,
    });
  }
}

/** Reports `raw` unless it is a mapping. */
export function checkMapping(raw: unknown, at: At, problems: Problem[]): raw is Record<string, unknown> {
  if (isMapping(raw)) return true;
  problems.push({ path: pathOf(at), message: `must be a mapping, got ${describeValue(raw)}` });
  return false;
}

/** Reports `raw` unless it is a list. */
export function checkList(raw: unknown, at: At, problems: Problem[]): raw is unknown[] {
  if (Array.isArray(raw)) return true;
  problems.push({ path: pathOf(at), message: `must be a list, got ${describeValue(raw)}` });
  return false;
}

/** One server, string or mapping form. */
export function checkServer(raw: unknown, at: At, problems: Problem[]): Checked<ServerTarget> {
  if (typeof raw === 'string') return checkLeaf(serverStringSchema, raw, at, problems);
  if (!isMapping(raw)) {
    problems.push({
      path: pathOf(at),
      message: `must be "HOST:PORT" or a mapping with host, port and optional adminPort, got ${describeValue(raw)}`,
    });
    return { ok: false };
  }
  checkKeys(serverObjectSchema, raw, at, problems);
  const shape = serverObjectSchema.shape;
  const host = checkField(shape, 'host', raw, at, problems);
  const port = checkField(shape, 'port', raw, at, problems);
  const adminPort = checkField(shape, 'adminPort', raw, at, problems);
  if (!host.ok || !port.ok || !adminPort.ok) return { ok: false };
  const server: ServerTarget = { host: host.value, port: port.value };
  if (adminPort.value !== undefined) server.adminPort = adminPort.value;
  return { ok: true, value: server };
}

/** An ensemble from any source: its name when valid (to match across sources) and its config when all of it is valid. */
export interface EnsembleEntry {
  name: string | undefined;
  config: EnsembleConfig | undefined;
  at: At;
}

/** Options of {@link checkEnsemble}. */
export interface EnsembleCheckOptions {
  /**
   * Check that transport `admin` has an admin port for every server. Off for flag and env
   * ensembles, whose transport and admin port come from one shared flag checked once.
   */
  checkAdminPorts: boolean;
}

/** One ensemble: shape, fields, duplicate servers and admin ports; defaults applied. */
export function checkEnsemble(raw: unknown, at: At, problems: Problem[], options: EnsembleCheckOptions): EnsembleEntry {
  if (!checkMapping(raw, at, problems)) return { name: undefined, config: undefined, at };
  checkKeys(ensembleSchema, raw, at, problems);
  const shape = ensembleSchema.shape;
  const name = checkField(shape, 'name', raw, at, problems);
  const servers = checkServers(raw, at, problems);
  const transport = checkField(shape, 'transport', raw, at, problems);
  const adminPort = checkField(shape, 'adminPort', raw, at, problems);
  const commands = checkField(shape, 'commands', raw, at, problems);
  const confInterval = checkField(shape, 'confInterval', raw, at, problems);

  if (options.checkAdminPorts && transport.ok && transport.value === 'admin' && adminPort.ok && adminPort.value === undefined) {
    const valid = servers.filter((s): s is { ok: true; value: ServerTarget; index: number } => s.ok);
    const lacking = valid.filter((s) => s.value.adminPort === undefined);
    if (lacking.length > 0 && lacking.length === valid.length) {
      problems.push({
        path: pathOf(under(at, 'adminPort')),
        message: 'is required by transport "admin" unless every server sets its own adminPort',
      });
    } else {
      for (const server of lacking) {
        problems.push({
          path: pathOf(under(at, 'servers', server.index)),
          message: 'needs an adminPort: transport is "admin" and the ensemble sets no adminPort',
        });
      }
    }
  }

  const entryName = name.ok ? name.value : undefined;
  const allServersOk = servers.length > 0 && servers.every((s) => s.ok);
  if (!name.ok || !allServersOk || !transport.ok || !adminPort.ok || !commands.ok || !confInterval.ok) {
    return { name: entryName, config: undefined, at };
  }
  const ensembleAdminPort = adminPort.value;
  const config: EnsembleConfig = {
    name: name.value,
    servers: servers.map((s) => {
      const server = (s as { value: ServerTarget }).value;
      return server.adminPort === undefined && ensembleAdminPort !== undefined ? { ...server, adminPort: ensembleAdminPort } : server;
    }),
    transport: transport.value,
    commands: commands.value,
    confIntervalMs: confInterval.value,
  };
  return { name: name.value, config, at };
}

type IndexedServer = ({ ok: true; value: ServerTarget } | { ok: false }) & { index: number };

/** The `servers` list: each server checked, then duplicates (same host, ignoring case, and port) reported. */
function checkServers(raw: Record<string, unknown>, at: At, problems: Problem[]): IndexedServer[] {
  const listAt = under(at, 'servers');
  if (raw.servers === undefined) {
    problems.push({ path: pathOf(listAt), message: 'is required' });
    return [];
  }
  if (!checkList(raw.servers, listAt, problems)) return [];
  if (raw.servers.length === 0) {
    problems.push({ path: pathOf(listAt), message: NO_SERVERS });
    return [];
  }
  const servers = raw.servers.map((item, index): IndexedServer => ({ ...checkServer(item, under(listAt, index), problems), index }));
  const firstSeen = new Map<string, number>();
  for (const server of servers) {
    if (!server.ok) continue;
    const key = `${server.value.host.toLowerCase()}:${server.value.port}`;
    const first = firstSeen.get(key);
    if (first === undefined) {
      firstSeen.set(key, server.index);
      continue;
    }
    problems.push({
      path: pathOf(under(listAt, server.index)),
      message: `duplicate server "${formatHostPort(server.value.host, server.value.port)}" (also ${pathOf(under(listAt, first))})`,
    });
  }
  return servers;
}

/** Reports every entry whose name an earlier entry already used. */
export function checkUniqueNames(entries: readonly EnsembleEntry[], problems: Problem[]): void {
  const firstSeen = new Map<string, EnsembleEntry>();
  for (const entry of entries) {
    if (entry.name === undefined) continue;
    const first = firstSeen.get(entry.name);
    if (first === undefined) {
      firstSeen.set(entry.name, entry);
      continue;
    }
    problems.push({
      path: pathOf(under(entry.at, 'name')),
      message: `duplicate ensemble name ${JSON.stringify(entry.name)} (also ${pathOf(first.at)})`,
    });
  }
}
