// Strict lint: floating promises, type-only imports, no import cycles, the layers of the code (each
// folder imports only from the folders below it, see docs/ARCHITECTURE.md), error classes only in
// src/errors.ts, no SDK internals, and no Node built-ins, I/O packages or I/O modules of ours as values
// in workflow files, which run in Temporal's deterministic sandbox (types from anywhere stay allowed:
// they vanish from the bundle).
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'child_process',
  'crypto',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'timers',
  'timers/promises',
  'url',
  'util',
  'worker_threads',
];

const sandbox = 'Workflow code runs in a sandbox: no Node built-ins.';

/** The layers, top to bottom: a file imports only from its own layer or the ones below it. */
export const LAYERS = [
  ['src/main.ts'],
  ['src/mcp'],
  ['src/cli'],
  ['src/control-worker.ts'],
  ['src/workflow-bundle.ts'],
  ['workflows'],
  ['activities'],
  ['src/host/replay'],
  ['src/host/starter'],
  ['src/host/notify'],
  ['src/host/server'],
  ['src/host/workers'],
  ['src/host/projects'],
  ['src/host/logs'],
  ['src/host/records'],
  ['src/inspect'],
  ['src/temporal'],
  ['src/diagnosis'],
  ['src/contract'],
  ['src/errors.ts', 'src/config.ts', 'src/defaults.ts'],
];

const layerZones = LAYERS.slice(1).map((target, i) => ({
  target,
  from: LAYERS.slice(0, i + 1).flat(),
  message: `${target.join(', ')} sits below ${LAYERS.slice(0, i + 1)
    .flat()
    .join(', ')}: it imports only from below (docs/ARCHITECTURE.md).`,
}));

const noSdkInternals = [
  {
    selector: 'ImportDeclaration[source.value=/^@temporalio\\/[^/]+\\/lib\\//]',
    message: "Import the SDK's public entry points, never @temporalio/*/lib/*.",
  },
  {
    selector: 'ImportExpression[source.value=/^@temporalio\\/[^/]+\\/lib\\//]',
    message: "Import the SDK's public entry points, never @temporalio/*/lib/*.",
  },
];
const errorsInOnePlace = [
  {
    selector: 'ClassDeclaration[superClass.name=/Error$/]',
    message: 'Error classes live in src/errors.ts.',
  },
  {
    selector: 'ExportNamedDeclaration[source] > ExportSpecifier[local.name=/Error$/]',
    message: 'Import errors from src/errors.ts; do not pass them on.',
  },
  {
    selector: 'ExportNamedDeclaration:not([source]) > ExportSpecifier[local.name=/Error$/]',
    message: 'Import errors from src/errors.ts; do not pass them on.',
  },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', '.venv/', 'dist/', 'examples/', 'test/fixtures/', 'bin/', 'scripts/setup.mjs'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // node:test's describe/it return promises the runner itself awaits.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    // Our imports name the emitted `.js` file; the resolver maps it back to the `.ts` source.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json'],
          extensionAlias: { '.js': ['.ts', '.js'] },
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones }],
    },
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    rules: { 'no-restricted-syntax': ['error', ...noSdkInternals, ...errorsInOnePlace] },
  },
  {
    files: ['src/errors.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...noSdkInternals] },
  },
  {
    // Connections are opened in src/temporal only (one place that knows TLS, keys and profiles).
    files: ['src/**/*.ts', 'activities/**/*.ts'],
    ignores: ['src/temporal/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@temporalio/client',
              importNames: ['Connection'],
              allowTypeImports: true,
              message: 'Open connections through src/temporal/connection.ts.',
            },
            {
              name: '@temporalio/worker',
              importNames: ['NativeConnection'],
              allowTypeImports: true,
              message: 'Open connections through src/temporal/connection.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/diagnosis/**/*.ts', 'src/contract/**/*.ts', 'src/defaults.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((name) => [
              { name, message: sandbox, allowTypeImports: true },
              { name: `node:${name}`, message: sandbox, allowTypeImports: true },
            ]),
            { name: 'execa', message: 'Processes belong in activities.', allowTypeImports: true },
            {
              name: '@temporalio/client',
              message: 'Use activities to reach the server.',
              allowTypeImports: true,
            },
            {
              name: '@temporalio/activity',
              message: 'Activity context is not available in workflows.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              group: ['**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only.',
            },
            {
              group: ['**/src/host/**', '**/src/inspect/**', '**/src/temporal/**'],
              allowTypeImports: true,
              message:
                'Process, inspection, server and client modules do I/O: reach them through activities.',
            },
            {
              group: ['../host/**', '../inspect/**', '../temporal/**'],
              allowTypeImports: true,
              message:
                'Process, inspection, server and client modules do I/O: reach them through activities.',
            },
          ],
        },
      ],
    },
  },
);
