// Layering of src/, checked by `npm run lint` (depcruise). Type-only imports count: an
// `import type` from a higher layer is as much a back-edge as a value import.
//
// Layers, lowest first. A folder may import its own layer's and lower layers' folders, never a
// higher layer's; folders that share a layer may import each other as long as no cycle forms.
//   0  src/model      the shared vocabulary; imports nothing from src
//   1  src/zk, src/parse
//   2  src/commands
//   3  src/ensemble
//   4  src/config     imports only src/model and src/commands
//   5  src/state, src/metrics, src/poll, src/hooks
//   6  src/http
//   7  src/cli, src/agent.ts, src/main.ts
// src/log.ts is a leaf utility: it imports nothing from src but src/model, and every layer above
// src/model may use it (src/config excepted: it imports only model and commands).

/** Path patterns of each layer, lowest first. */
const LAYERS = [
  { name: 'model', path: '^src/model/' },
  { name: 'zk-parse', path: '^src/(zk|parse)/' },
  { name: 'commands', path: '^src/commands/' },
  { name: 'ensemble', path: '^src/ensemble/' },
  { name: 'config', path: '^src/config/' },
  { name: 'state-metrics-poll-hooks', path: '^src/(state|metrics|poll|hooks)/' },
  { name: 'http', path: '^src/http/' },
  { name: 'top', path: '^src/(cli/|agent\\.ts$|main\\.ts$)' },
];

/** One rule per layer: nothing in it imports anything in a higher layer. */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.path} must not import a higher layer (${LAYERS.slice(i + 1)
    .map((l) => l.name)
    .join(', ')}); see the layer list in .dependency-cruiser.mjs.`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'model-imports-nothing',
      comment: 'src/model is the shared vocabulary: it imports nothing else from src.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    ...layerRules,
    {
      name: 'config-imports-model-and-commands-only',
      comment: 'src/config reads and validates settings; within src it imports only src/model and src/commands.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(config|model|commands)/' },
    },
    {
      name: 'log-is-a-leaf',
      comment: 'src/log.ts is a leaf utility: within src it imports only src/model.',
      severity: 'error',
      from: { path: '^src/log\\.ts$' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'no-folder-cycle',
      comment: 'No import cycle between folders of src (e.g. state → metrics → state), even when no single module cycle exists.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle between modules.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-outside',
      comment: 'The agent (src) never imports tests, benchmarks, scripts or the dashboard/alert builders.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['local'], pathNot: '^src/' },
    },
    {
      name: 'src-not-to-dev-dep',
      comment: 'The runtime image installs production dependencies only: src must not import a devDependency (type-only imports excepted).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment: 'Every package imported is declared in package.json.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|test/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.eslint.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
