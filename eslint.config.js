// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Layering the build enforces (STYLE.md §9): the pure packages import no I/O, no server, no
 * database and no UI. node:crypto is allowed: hashing and signing are computation, not I/O.
 */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'os',
  'process',
  'inspector',
  'v8',
  'vm',
  'repl',
];
const IO_PACKAGES = [
  'better-sqlite3',
  'pg',
  'pg-*',
  'fastify',
  'fastify-*',
  '@fastify/*',
  'ws',
  'undici',
  'react',
  'react-*',
  'maplibre-gl',
  'pino',
  'prom-client',
  'cli-progress',
  'commander',
  '@parley/store',
  '@parley/link',
];

export const pureImportRule = {
  'no-restricted-imports': [
    'error',
    {
      paths: IO_MODULES.flatMap((m) => [
        { name: m, message: 'pure packages (core, ledger, geo) must not do I/O' },
        { name: `node:${m}`, message: 'pure packages (core, ledger, geo) must not do I/O' },
      ]),
      patterns: [
        {
          group: IO_PACKAGES,
          message: 'pure packages (core, ledger, geo) must not import servers, databases or UI',
        },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**', '**/test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['packages/core/src/**', 'packages/ledger/src/**', 'packages/geo/src/**'],
    rules: pureImportRule,
  },
  {
    // The console runs in the browser (and its track worker in a worker).
    files: ['apps/console/src/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
);
