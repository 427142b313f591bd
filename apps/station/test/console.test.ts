// The station serves the operator console: index.html at /, hashed assets cached for good, a
// fallback to index.html for deep links, coded 404s under /api, /link and /metrics, and a plain
// answer when the console is not built.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import { makeStation, tempRoot } from './harness.js';

let root: string;
const stations: Station[] = [];

async function station(consoleDir: string | false): Promise<Station> {
  const s = await makeStation(root, `S${stations.length}`);
  const st = await buildStation({ dataDir: s.dir, console: consoleDir });
  stations.push(st);
  return st;
}

beforeAll(async () => {
  root = await tempRoot('parley-console-serve-');
  await mkdir(join(root, 'dist', 'assets'), { recursive: true });
  await writeFile(join(root, 'dist', 'index.html'), '<!doctype html><title>Parley console</title>');
  await writeFile(join(root, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(async () => {
  await Promise.allSettled(stations.map((s) => s.close()));
});

describe('the console, served by the station', () => {
  it('serves index.html at / (not cached) and hashed assets cached for good', async () => {
    const { app } = await station(join(root, 'dist'));
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toMatch(/text\/html/);
    expect(home.body).toContain('<title>Parley console</title>');
    expect(home.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers deep links with the console, and unknown API, link and metrics paths with a coded 404', async () => {
    const { app } = await station(join(root, 'dist'));
    for (const url of ['/channels/scs-tactical', '/encounters?id=1', '/a/b/c']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('Parley console');
    }
    for (const [method, url] of [
      ['GET', '/api/v1/nothing-here'],
      ['GET', '/api'],
      ['GET', '/link/v1/nothing'],
      ['GET', '/metrics/x'],
      ['POST', '/not-a-route'],
      ['DELETE', '/'],
    ] as const) {
      const r = await app.inject({ method, url });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.json(), `${method} ${url}`).toEqual({
        code: 'PARLEY_E_NOT_FOUND',
        message: `no route ${method} ${url}`,
      });
    }
    // The API itself is unaffected.
    const health = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(200);
    // A path that tries to climb out of the bundle gets the console, never a file outside it.
    const climb = await app.inject({ method: 'GET', url: '/../../station.json' });
    expect(climb.body).not.toContain('"station"');
  });

  it('says so when the console is not built, and serves none with console: false', async () => {
    const missing = await station(join(root, 'no-such-dist'));
    const r = await missing.app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(404);
    expect(r.body).toContain('npm run build');
    const none = await station(false);
    const n = await none.app.inject({ method: 'GET', url: '/' });
    expect(n.statusCode).toBe(404);
    expect(n.body).not.toContain('Parley console');
  });
});
