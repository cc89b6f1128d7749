// Strict lint: floating promises, type-only imports, and no Node built-ins (or I/O packages)
// in workflow files, which run in Temporal's deterministic sandbox.
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
    files: ['workflows/**/*.ts', 'src/diagnosis/**/*.ts', 'src/recipes/**/*.ts'],
    ignores: ['src/recipes/example-target.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((name) => [
              { name, message: 'Workflow code runs in a sandbox: no Node built-ins.' },
              { name: `node:${name}`, message: 'Workflow code runs in a sandbox: no Node built-ins.' },
            ]),
            { name: 'execa', message: 'Processes belong in activities.' },
            { name: '@temporalio/client', message: 'Use activities to reach the server.' },
            { name: '@temporalio/activity', message: 'Activity context is not available in workflows.' },
          ],
          patterns: [
            {
              group: ['**/activities/*', '!**/activities/*.js'],
              message: 'Import activities as types only.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only.',
            },
          ],
        },
      ],
    },
  },
);
