import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser, Env, type Instruction } from 'dockerfile-ast';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The Dockerfile's instructions, split at its last `FROM`: the build stages, then the runtime stage. */
export function dockerfileStages(): { build: Instruction[]; runtime: Instruction[] } {
  const instructions = DockerfileParser.parse(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).getInstructions();
  const lastStageStart = instructions.map((i) => i.getKeyword()).lastIndexOf('FROM');
  return { build: instructions.slice(0, lastStageStart), runtime: instructions.slice(lastStageStart) };
}

/** The environment the Dockerfile's runtime stage sets with `ENV`. */
export function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of dockerfileStages().runtime) {
    if (!(instruction instanceof Env)) continue;
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  return env;
}
