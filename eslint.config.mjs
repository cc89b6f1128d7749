// Strict lint: floating promises, type-only imports, no import cycles, and no Node built-ins,
// I/O packages or I/O modules of ours as values in workflow files, which run in Temporal's
// deterministic sandbox (types from anywhere stay allowed: they vanish from the bundle).
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
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['workflows/**/*.ts', 'src/diagnosis/**/*.ts', 'src/recipes/**/*.ts'],
    ignores: ['src/recipes/example-target.ts'],
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
              group: ['**/src/processes/**', '**/src/inspect/**', '**/src/server/**', '**/src/temporal/**'],
              allowTypeImports: true,
              message:
                'Process, inspection, server and client modules do I/O: reach them through activities.',
            },
            {
              group: ['../processes/**', '../inspect/**', '../server/**', '../temporal/**'],
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
