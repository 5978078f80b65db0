/**
 * Merges the sources into one raw config, as the YAML file would write it: flags over env over
 * the file (defaults are the schema's). Each value set by a flag or env var keeps the flag or
 * variable's name, so a problem is reported where the user wrote the value; a file value that a
 * flag or env var replaced is kept aside to be checked on its own.
 */
import { splitList, type Given, type parseCommandLine } from './cli.js';
import { isMapping, joinPath, type Path, type Problem } from './problems.js';

/** Env vars read here rather than through a flag. */
const ENSEMBLES_ENV = 'ZK_EXPORTER_ENSEMBLES';
/** Signing secrets themselves (not files); the hook service reads them, the config only checks that there is one. */
const SECRETS_ENV = 'ZK_EXPORTER_HOOK_SECRETS';
/** Events of the rules that `--hook-url` adds. */
const FLAG_RULE_EVENTS = ['quorum_at_risk', 'quorum_lost', 'quorum_restored'] as const;

/** Where values came from: the written path of a config path, and whether the user gave a value there. */
export interface Origins {
  label(path: Path): string;
  given(path: Path): boolean;
}

/** A value to check on its own: one a higher source replaced, or (when the file is unreadable) one a flag or env var set. */
export interface Loose {
  path: Path;
  value: unknown;
  label: string;
}

/** Flag and env values as {@link parseCommandLine} found them; `overridden`: env values a flag replaced. */
type Flags = Pick<ReturnType<typeof parseCommandLine>, 'given' | 'overridden'>;

/** Merges flags and env over the file's mapping (`{}` without a file): the raw input and where its parts came from. */
export function mergeSources(file: Record<string, unknown>, hasFile: boolean, flags: Flags, env: NodeJS.ProcessEnv) {
  const { given, overridden } = flags;
  const raw: Record<string, unknown> = structuredClone(file);
  const labels = new Map<string, string>();
  // File and env values that a higher source replaced.
  const shadowed: Loose[] = overridden.filter((g) => g.spec.key).map((g) => ({ path: g.spec.path, value: inputOf(g), label: g.label }));
  // Every value a flag or env var set.
  const placed: Loose[] = [];
  // Flag and env text that does not make a value at all (e.g. an ensemble spec without `=`).
  const problems: Problem[] = [];
  const label = (path: Path): string => {
    for (let n = path.length; n >= 0; n--) {
      const found = labels.get(JSON.stringify(path.slice(0, n)));
      if (found !== undefined) return joinPath(found, path.slice(n));
    }
    return joinPath('', path);
  };
  const labelAt = (path: Path, text: string) => labels.set(JSON.stringify(path), text);
  /** Sets the value at `path`, or with `add` appends it to the list there; when something else is in the way, it is checked alone. */
  const put = (path: Path, value: unknown, text: string, add = false, ...also: Path[]): void => {
    const parent = mappingAt(raw, path.slice(0, -1));
    const key = path.at(-1)!;
    if (add && parent !== undefined) parent[key] ??= [];
    const current = parent?.[key];
    const at = add ? [...path, Array.isArray(current) ? current.length : 0] : path;
    placed.push({ path: at, value, label: text });
    if (parent === undefined || (add && !Array.isArray(current))) return void shadowed.push({ path: at, value, label: text });
    if (add) (current as unknown[]).push(value);
    else {
      if (current !== undefined) shadowed.push({ path, value: current, label: label(path) });
      parent[key] = value;
    }
    for (const sub of [[], ...also]) labelAt([...at, ...sub], text);
  };

  if (!hasFile) labelAt(['ensembles'], '--ensemble');
  if (!isMapping(raw.hooks)) {
    // Without a hooks section in the file, what it lacks can only be given by a flag.
    labelAt(['hooks', 'stateDir'], '--state-dir');
    labelAt(['hooks', 'receiverTokenFiles'], '--receiver-token-file');
  }
  const secrets = env[SECRETS_ENV];
  // Flags that set or add to hooks create the section as they write into it; secrets alone need it too.
  if (secrets && raw.hooks === undefined) raw.hooks = {};
  if (secrets && splitList(secrets, /[,\r\n]/).length === 0) {
    problems.push({ path: SECRETS_ENV, message: 'holds no secret; separate secrets with commas or newlines' });
  }

  for (const g of given) {
    if (g.spec.key !== undefined && !g.spec.key.startsWith('ensembles.')) put(g.spec.path, inputOf(g), g.label);
  }
  const list = (flag: string) => (given.find((g) => g.spec.flag === flag)?.value ?? []) as string[];
  list('--hook-url').forEach((url, i) => {
    const text = `--hook-url[${i}]`;
    const name = `hook-${i + 1}`;
    const targets = isMapping(raw.hooks) ? raw.hooks.targets : undefined;
    const taken = Array.isArray(targets) ? targets.findIndex((t) => isMapping(t) && t.name === name) : -1;
    if (taken !== -1) {
      const message = `would add a target named "${name}", but hooks.targets[${taken}] already has that name; rename that target`;
      return void problems.push({ path: text, message });
    }
    put(['hooks', 'targets'], { name, url }, text, true, ['url'], ['name']);
    for (const event of FLAG_RULE_EVENTS) put(['hooks', 'rules'], { event, hook: name }, text, true);
  });
  const alertUrl = given.find((g) => g.spec.flag === '--alert-hook-url');
  if (alertUrl !== undefined) {
    put(['hooks', 'targets'], { name: 'alert-hook', url: alertUrl.value }, alertUrl.label, true, ['url'], ['name']);
    put(['hooks', 'alertmanager', 'routes'], { hook: 'alert-hook' }, alertUrl.label, true);
  }
  list('--hook-secret-file').forEach((file, i) => put(['hooks', 'secretFiles'], file, `--hook-secret-file[${i}]`, true));
  list('--receiver-token-file').forEach((file, i) => put(['hooks', 'receiverTokenFiles'], file, `--receiver-token-file[${i}]`, true));

  mergeEnsembles();
  return {
    raw,
    origins: {
      label,
      given: (path: Path) =>
        path.reduce<unknown>((node, s) => (isMapping(node) || Array.isArray(node) ? (node as never)[s] : undefined), raw) !== undefined,
    },
    shadowed,
    placed,
    problems,
  };

  /** Flag and env ensembles replace file ensembles (and flag ones env ones) of the same name, in place; new names are appended. */
  function mergeEnsembles(): void {
    const specs = [
      ...splitList(env[ENSEMBLES_ENV] ?? '', ';').map((s, i) => ({ spec: s, text: `${ENSEMBLES_ENV}[${i}]` })),
      ...list('--ensemble').map((s, i) => ({ spec: s, text: `--ensemble[${i}]` })),
    ];
    // Flags of `ensembles.0.*` keys set one mapping that every flag and env ensemble shares.
    const perEnsemble = given.filter((g) => g.spec.key?.startsWith('ensembles.0.') === true);
    const shared: Record<string, unknown> = {};
    for (const g of perEnsemble) {
      if (specs.length === 0) {
        problems.push({ path: g.label, message: `applies only to ensembles from --ensemble or ${ENSEMBLES_ENV}, and none were given` });
      } else if (g.spec.flag === '--transport' && g.value === 'admin' && !given.some((a) => a.spec.flag === '--admin-port')) {
        const message = `"admin" needs --admin-port or ZK_EXPORTER_ADMIN_PORT for the ensembles of --ensemble and ${ENSEMBLES_ENV}`;
        problems.push({ path: g.label, message });
      } else {
        const at = g.spec.path.slice(2);
        mappingAt(shared, at.slice(0, -1))![at.at(-1)!] = inputOf(g);
      }
    }

    raw.ensembles ??= [];
    const ensembles = raw.ensembles;
    const sources = Array.isArray(ensembles) ? ensembles.map(() => 'file') : [];
    for (const { spec, text } of specs) {
      const eq = spec.indexOf('=');
      if (eq === -1) {
        problems.push({ path: text, message: `expected NAME=HOST:PORT[,HOST:PORT...], got ${JSON.stringify(spec)}` });
        continue;
      }
      const servers = spec.slice(eq + 1).trim();
      const ensemble = {
        name: spec.slice(0, eq).trim(),
        servers: servers === '' ? [] : servers.split(',').map((s) => s.trim()),
        ...shared,
      };
      const source = text.startsWith('--') ? 'flag' : 'env';
      if (!Array.isArray(ensembles)) {
        shadowed.push({ path: ['ensembles', 0], value: ensemble, label: text });
        continue;
      }
      const same = ensembles.findIndex((e, i) => isMapping(e) && e.name === ensemble.name && sources[i] !== source);
      const at = same === -1 ? ensembles.length : same;
      if (same !== -1) shadowed.push({ path: ['ensembles', at], value: ensembles[at], label: label(['ensembles', at]) });
      ensembles[at] = ensemble;
      sources[at] = source;
      placed.push({ path: ['ensembles', at], value: ensemble, label: text });
      labelAt(['ensembles', at], text);
      for (const g of perEnsemble) labelAt(['ensembles', at, ...g.spec.path.slice(2)], g.label);
    }
  }
}

/** The mapping at `path` below `root`, created when absent; undefined when something else is there. */
function mappingAt(root: Record<string, unknown>, path: Path): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const segment of path) node = isMapping(node) ? (node[segment] ??= {}) : undefined;
  return isMapping(node) ? node : undefined;
}

/** The config value of a flag or env text: whole numbers for numeric flags, `true`/`false` for a switch. */
function inputOf(g: Given): unknown {
  if (g.spec.kind === 'number' && typeof g.value === 'string' && /^[0-9]+$/.test(g.value)) return Number(g.value);
  if (!g.spec.flags.includes(' ') && typeof g.value === 'string') return g.value === 'true' ? true : g.value === 'false' ? false : g.value;
  return g.value;
}
