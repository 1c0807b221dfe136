// Lint is how determinism is enforced: workflow code may not reach Node built-ins or I/O.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs', 'fs/promises', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads',
  'node:*', 'pg', 'fastify', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', '.tools/**', 'dist/**', 'coverage/**', 'tests/replay/histories/**', 'web/dist/**', 'web/node_modules/**', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // Workflow code and the pure domain it imports are replayed: no I/O, no clocks, no randomness outside Temporal's.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: nodeBuiltins.map((group) => ({ group: [group], message: 'Workflow and domain code must stay deterministic: no Node built-ins or I/O.' })) }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use the workflow sleep/condition APIs.' }, { name: 'setInterval', message: 'Use workflow timers.' }, { name: 'process', message: 'No process state in deterministic code.' }, ...['window', 'document', 'localStorage', 'sessionStorage', 'navigator'].map((name) => ({ name, message: 'Workflow and domain code runs in Temporal\'s sandbox, not in a browser.' }))],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use workflow uuid4 or deterministic ids.' }],
    },
  },
  {
    // tsconfig has the DOM lib (tests import the console's pure modules): server code must still not touch browser globals.
    files: ['api/**/*.ts', 'infra/**/*.ts', 'workers/**/*.ts', 'activities/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...['window', 'document', 'localStorage', 'sessionStorage', 'navigator'].map((name) => ({ name, message: 'Server code runs in Node, not in a browser.' }))],
    },
  },
  {
    // The web console: React's rules of hooks; it runs in the browser, so Node built-ins are out too.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: nodeBuiltins.filter((group) => group !== 'path').map((group) => ({ group: [group], message: 'The console runs in the browser: no Node built-ins or server packages.' })) }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // CommonJS preloads for measured processes (`NODE_OPTIONS=--require`, which reaches every thread).
    files: ['bench/**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', console: 'readonly', setInterval: 'readonly' } },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
