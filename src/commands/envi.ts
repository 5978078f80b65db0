import { z } from 'zod';
import { ParseError } from '../parse/errors.js';
import { claimKey, setOwn, splitLines } from '../parse/text.js';
import type { CommandDefinition } from './command.js';

/** Parsed `envi` reply: every `key=value` property, e.g. `java.version` → `17.0.15`. */
export type Environment = Record<string, string>;

/** Parses `envi`: an `Environment:` header, then one `key=value` line per JVM/OS property. */
export function parseEnvironment(text: string): Environment {
  const lines = splitLines(text);
  if (lines[0] !== 'Environment:') throw new ParseError(`envi: expected "Environment:", got ${JSON.stringify(lines[0]!.slice(0, 40))}`);
  const environment: Environment = {};
  // Java system properties are unique: one printed twice with two values means the reply cannot be trusted.
  const seen = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const eq = line.indexOf('=');
    if (eq > 0 && claimKey(seen, line.slice(0, eq), line.slice(eq + 1), 'envi')) setOwn(environment, line.slice(0, eq), line.slice(eq + 1));
  }
  if (environment['zookeeper.version'] === undefined) throw new ParseError('envi: no zookeeper.version');
  return environment;
}

const environmentBody = z.record(z.string(), z.unknown());

/** Parses the AdminServer `/commands/environment` body: the same properties as JSON strings. */
export function adminEnvironment(json: unknown): Environment {
  const body = environmentBody.safeParse(json);
  if (!body.success) throw new ParseError('AdminServer environment: not an object');
  const environment: Environment = {};
  for (const [key, value] of Object.entries(body.data)) {
    if (key !== 'command' && key !== 'error' && typeof value === 'string') setOwn(environment, key, value);
  }
  if (environment['zookeeper.version'] === undefined) throw new ParseError('AdminServer environment: no zookeeper.version');
  return environment;
}

// Label → property. Only facts that change with an upgrade: paths, user names and memory are left out
// so the info series stays one per node and version.
const INFO_LABELS = {
  zookeeper_version: 'zookeeper.version',
  java_version: 'java.version',
  java_vendor: 'java.vendor',
  os_name: 'os.name',
  os_arch: 'os.arch',
  os_version: 'os.version',
} as const;

/** `envi`: the JVM and OS a node runs on. */
export const envi: CommandDefinition<'envi', Environment> = {
  word: 'envi',
  admin: ['environment'],
  description: 'ZooKeeper, Java and OS versions as `zookeeper_envi_info`.',
  byDefault: false,
  cadence: 'every_round',
  parseText: parseEnvironment,
  parseJson: ([json]) => adminEnvironment(json),
  families: [
    {
      name: 'zookeeper_envi_info',
      help: 'Always 1 while the node answers envi; carries its ZooKeeper, Java and OS versions.',
      type: 'gauge',
      read: (environment) => {
        const labels: Record<string, string> = {};
        for (const [label, key] of Object.entries(INFO_LABELS)) labels[label] = environment[key] ?? '';
        return [{ value: 1, labels }];
      },
    },
  ],
};
