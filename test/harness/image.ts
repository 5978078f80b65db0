import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser, Env } from 'dockerfile-ast';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The environment the Dockerfile's runtime stage (its last `FROM`) sets with `ENV`. */
export function imageEnv(): Record<string, string> {
  const dockerfile = DockerfileParser.parse(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  const instructions = dockerfile.getInstructions();
  const runtime = instructions.slice(instructions.map((i) => i.getKeyword()).lastIndexOf('FROM'));
  const env: Record<string, string> = {};
  for (const instruction of runtime) {
    if (!(instruction instanceof Env)) continue;
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  return env;
}
