// Lint for every package: typescript-eslint's recommended rules plus a few that protect money
// and ids (no floating promises in services that must not lose an effect).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/generated/**', 'var/**', 'node_modules/**', 'test-artifacts/**', '**/*.mjs', '**/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The storefront and the admin console: plain JavaScript modules the browser loads as they are.
    files: ['web/order-web/storefront/**/*.js', 'web/order-web/admin/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'localStorage',
          'fetch',
          'FormData',
          'URLSearchParams',
          'crypto',
          'setInterval',
          'clearInterval',
          'console',
          'confirm',
          'atob',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { eqeqeq: ['error', 'always'] },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: [
          './tsconfig.test.json',
          './common/tsconfig.json',
          './contracts/tsconfig.json',
          './services/*/tsconfig.json',
          './web/*/tsconfig.json',
          './tools/*/tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // A domain depends on its ports (docs/architecture.md): never on its SQL, its RPC layer or proto.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../store/*', '../rpc/*', '../mq/*', '../clients/*', '../alipay/*'],
              message: 'a domain uses its ports (domain/ports.ts), not their implementations',
            },
            { group: ['@shop/proto'], message: 'a domain has its own types; rpc/ maps them to proto' },
          ],
        },
      ],
    },
  },
);
