// Builds the operator console (apps/console → apps/console/dist) with Vite, unless the bundle is
// newer than every input. Run by `npm run build`, `npm start` and `npm test` after `tsc -b`;
// `--force` rebuilds anyway.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../apps/console/', import.meta.url));
const stamp = join(root, 'dist', '.built');
const inputs = [
  join(root, 'src'),
  join(root, 'index.html'),
  join(root, 'bench.html'),
  join(root, 'vite.config.ts'),
  join(root, 'package.json'),
  fileURLToPath(new URL('../packages/core/dist/', import.meta.url)),
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = 0;
  for (const name of readdirSync(path)) m = Math.max(m, newest(join(path, name)));
  return m;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (!process.argv.includes('--force') && built > Math.max(...inputs.map(newest))) {
  console.log('console: up to date (apps/console/dist)');
} else {
  // A production bundle even when run from a test runner (vitest sets NODE_ENV=test, which
  // would otherwise select React's development build).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  const t0 = Date.now();
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, new Date().toISOString() + '\n');
  console.log(`console: built apps/console/dist in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
