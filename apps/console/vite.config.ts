import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console is a static bundle served by each station at `/` (apps/station/src/console.ts).
// Everything it needs (code, the Natural Earth basemap, styles) is in the bundle: the page asks
// nothing of anyone but its own station.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
    // The bundle is small work for Vite; the plugin-timing report is noise in `npm start`.
    rolldownOptions: {
      checks: { pluginTimings: false },
      // The console, and the bench page that times its track path (bench/console.ts).
      input: { index: 'index.html', bench: 'bench.html' },
    },
  },
  server: {
    // `npx vite` in apps/console during development: the API of a local station.
    proxy: { '/api': process.env.PARLEY_STATION ?? 'http://127.0.0.1:7301' },
  },
});
