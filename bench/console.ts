// `npm run bench -- console [--n=10000] [--updates=20] [--json]`: main-thread work per track
// update in the operator console, in headless Chromium (SwiftShader WebGL), at 10,000 tracks
// updating once a second. The console's way (the stream parsed in a worker, one WebGL custom
// layer fed typed arrays) is measured beside the naive way in the same run (the stream event
// parsed on the page and handed to MapLibre as a GeoJSON FeatureCollection with setData). Each
// sample is the update's handling plus a synchronous redraw (`map.redraw()`), so it counts all
// the main-thread work the update causes. Target: ≤ 16 ms per update (one 60 Hz frame).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../apps/console/test/browser.js';
import { fmt, median } from './util.js';

const DIST = fileURLToPath(new URL('../apps/console/dist/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
};

/** The built console, served from loopback (the page asks nothing else). */
function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(DIST, path === '/' ? 'index.html' : path);
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => server.close(),
      }),
    ),
  );
}

interface Result {
  mode: string;
  median: number;
  p95: number;
  max: number;
  workerMedian: number | null;
}

const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;

export async function run(args: string[]): Promise<void> {
  const opt = (name: string, d: number) =>
    Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
  const n = opt('n', 10_000);
  const updates = opt('updates', 20);
  const json = args.includes('--json');
  if (!existsSync(join(DIST, 'bench.html')))
    throw new Error('apps/console/dist is not built: npm run build');
  if (!json)
    console.log(
      `bench console: ${fmt(n)} tracks, ${updates} updates a run, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  const site = await serve();
  const browser = await launch();
  const results: Result[] = [];
  try {
    for (const mode of ['layer', 'geojson']) {
      const page = await browser.newPage({ width: 1600, height: 900 });
      await page.goto(`${site.url}/bench.html?n=${n}&mode=${mode}`);
      // The first updates warm up shaders, tiles and the JIT; they are not counted.
      const warm = 3;
      await page.waitForFunction(
        (k: number) =>
          ((globalThis as unknown as { __bench?: { samples: number[] } }).__bench?.samples.length ??
            0) >= k,
        warm + updates,
        { timeout: (warm + updates) * 5000 + 30_000, polling: 500 },
      );
      const b = (await page.evaluate(
        () =>
          (globalThis as unknown as { __bench: { samples: number[]; workerMs: number[] } }).__bench,
      )) as {
        samples: number[];
        workerMs: number[];
      };
      const s = b.samples.slice(warm, warm + updates);
      const w = b.workerMs.slice(warm, warm + updates);
      results.push({
        mode,
        median: median(s),
        p95: p95(s),
        max: Math.max(...s),
        workerMedian: w.length ? median(w) : null,
      });
      await page.context().close();
    }
  } finally {
    await browser.close();
    site.close();
  }
  const [layer, naive] = results as [Result, Result];
  if (json) {
    console.log(JSON.stringify({ n, updates, layer, geojson: naive }));
    return;
  }
  const line = (r: Result, what: string) =>
    console.log(
      `  ${what.padEnd(52)} median ${fmt(r.median, 1).padStart(6)} ms   p95 ${fmt(r.p95, 1).padStart(6)} ms   max ${fmt(r.max, 1).padStart(6)} ms` +
        (r.workerMedian !== null
          ? `   (worker, off the main thread: ${fmt(r.workerMedian, 1)} ms)`
          : ''),
    );
  line(layer, 'console: worker + WebGL layer, main thread per update');
  line(naive, 'baseline: JSON.parse + GeoJSON setData on the page');
  console.log(
    `  ratio: the console's main-thread work is ${fmt(naive.median / layer.median, 1)}× less than the baseline's (medians)`,
  );
  console.log(
    `  target ≤ 16 ms per update (p95): ${layer.p95 <= 16 ? 'met' : 'NOT MET'} (${fmt(layer.p95, 1)} ms)`,
  );
}
