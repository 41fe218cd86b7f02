// Lint for every package: typescript-eslint's recommended rules plus a few that protect money
// and ids (no floating promises in services that must not lose an effect).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
/** The workspaces of package.json ("services/*" expanded to the folders holding a package.json). */
const workspaces = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  return readdirSync(path.join(root, parent))
    .filter((name) => existsSync(path.join(root, parent, name, 'package.json')))
    .map((name) => `${parent}/${name}`);
});
/** Workspaces that never ship in the image (the chaos harness): all their code may use devDependencies. */
const DEV_ONLY = ['tools/'];

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
    // Every package declares what it imports: a production install (npm ci --omit=dev, the
    // Dockerfile's prune) holds only what the package.json nearest to a file lists under
    // "dependencies", whatever the workspace's hoisting happens to make resolvable here.
    // Type-only imports are erased at build and are not checked.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    rules: { 'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, optionalDependencies: false, peerDependencies: false }] },
  },
  ...workspaces.map((workspace) => ({
    // A package's tests (and the tools, which never ship) may use its devDependencies and the
    // root's tooling (mocha, playwright-core ...), which runs them.
    files: DEV_ONLY.some((prefix) => workspace.startsWith(prefix)) ? [`${workspace}/**/*.ts`] : [`${workspace}/test/**/*.ts`],
    rules: { 'import-x/no-extraneous-dependencies': ['error', { devDependencies: true, packageDir: [path.join(root, workspace), root] }] },
  })),
  {
    // The root's own code (benches, the local stack's probes): the root package.json declares it.
    files: ['scripts/**/*.ts', 'deploy/**/*.ts', '*.ts'],
    rules: { 'import-x/no-extraneous-dependencies': ['error', { devDependencies: true, packageDir: [root] }] },
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
