/**
 * The one formatter from zod issues to config problems: each issue's path is written where the
 * user set the value (a file key, a flag, an env var), unknown keys get a suggestion, a union
 * reports the option the value was meant for, and a missing value reads `is required`.
 */
import type { z } from 'zod';
import { closest, type PathSegment, type Problem } from './problems.js';
import { keysAt, type CheckParams } from './schema.js';

type Path = readonly PathSegment[];

/** Where values came from: the written path of a config path, and whether the user gave a value there. */
export interface Origins {
  label(path: Path): string;
  given(path: Path): boolean;
}

/** One problem per issue (one per key for unknown keys), with the paths the user wrote. */
export function problemsFrom(issues: readonly z.core.$ZodIssue[], origins: Origins, prefix: Path = []): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const at: PathSegment[] = [...prefix, ...issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s))];
    if (issue.code === 'invalid_union') {
      // The option whose type the value has (a string or a mapping) says what is wrong with it.
      const meant = issue.errors.filter((option) => !option.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (meant.length === 1) return problemsFrom(meant[0]!, origins, at);
    }
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(at);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        const message = guess === undefined ? `unknown key; allowed: ${allowed.join(', ')}` : `unknown key; did you mean "${guess}"?`;
        return { path: origins.label([...at, key]), message };
      });
    }
    const params = (issue.code === 'custom' ? issue.params : undefined) as CheckParams | undefined;
    const base = at.slice(0, at.length - (params?.depth ?? 0));
    const elsewhere = params?.or && [...base, ...params.or];
    const where = elsewhere && !origins.given(at) && origins.given(elsewhere) ? elsewhere : at;
    let message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    if (params?.also) message += ` (also ${origins.label([...base, ...params.also])})`;
    return [{ path: origins.label(where), message }];
  });
}
