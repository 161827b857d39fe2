import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.steward/', '.tools/', 'bin/', 'dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // An operation is a state object and named steps: a long function hides its invariants.
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'http', 'https', 'child_process'],
              message: 'Workflows must be deterministic.',
            },
            {
              group: ['**/activities/*', '!**/activities/index'],
              message: 'Import activity types only via activities/index.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Activities act on what workflows decide: they share the API's types and the pure policy,
    // never a workflow's code, the worker or the CLI.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)workflows/(?!api(/|$)|policy/)',
              message: 'Activities import only workflows/api and workflows/policy.',
            },
            {
              group: ['**/workers/**', '**/cli/**', '**/scripts/**', '**/lab/**', '**/test/**'],
              message: 'Activities do not reach the worker, the CLI, the lab or the tests.',
            },
          ],
        },
      ],
    },
  },
  {
    // The lab plays the datacenter: it must work for any client, so it knows nothing of Steward.
    files: ['lab/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/workflows/**',
                '**/activities/**',
                '**/workers/**',
                '**/cli/**',
                '**/scripts/**',
              ],
              message: 'The lab reaches no product folder.',
            },
          ],
        },
      ],
    },
  },
);
