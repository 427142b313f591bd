import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import each workspace package from its TypeScript source; spawned CLIs use the build.
    alias: {
      '@parley/core': src('./packages/core/src/index.ts'),
      '@parley/ledger': src('./packages/ledger/src/index.ts'),
      '@parley/geo': src('./packages/geo/src/index.ts'),
      '@parley/link': src('./packages/link/src/index.ts'),
      '@parley/station': src('./apps/station/src/index.ts'),
      '@parley/store': src('./packages/store/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
