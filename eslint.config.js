import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'lib/**', 'node_modules/**', 'coverage/**', '.bench/**', '.ferry-demo/**', '*.config.js', 'scripts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The engine never talks to the Actions runtime: adapters in src/actions do.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@actions/*', '@octokit/*', '../../actions/*', '../../cli/*'] }],
      // The Actions environment (GITHUB_SERVER_URL, GITHUB_REPOSITORY, ...) is read by the adapters and passed in.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env'][property.name=/^GITHUB_/]",
          message: 'Core does not read process.env.GITHUB_*: take the value as a parameter and let the adapter pass it.',
        },
      ],
    },
  },
);
