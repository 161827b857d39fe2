import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.steward/', '.tools/', 'bin/', 'dist/'] },
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
);
