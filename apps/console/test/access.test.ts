// The console's Access pane in real Chromium against a real station: an admin changes an
// operator's role, disables them (their open console loses its session at once), creates an
// expiring token and revokes it. Every POST the console makes carries an Idempotency-Key.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { createUser } from '@parley/station';
import type { Station } from '@parley/station';
import { makeStation, startInProcess, tempRoot, waitFor } from '../../station/test/harness.js';
import { launch } from './browser.js';
import type { Browser } from './browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PASSWORD = 'correct horse battery staple';

let a: { station: Station; url: string };
let browser: Browser;
const posts: { url: string; key: string | undefined }[] = [];

async function signIn(name: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('request', (r: Request) => {
    if (r.method() === 'POST') posts.push({ url: r.url(), key: r.headers()['idempotency-key'] });
  });
  await page.goto(a.url + '/');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=station-name]', { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`console build failed: ${built.stderr}`);
  const A = await makeStation(await tempRoot('parley-console-access-'), 'Alpha');
  a = await startInProcess(A, { deadlineTickMs: 0 });
  const now = Date.now();
  for (const [name, role] of [
    ['admin-a', 'admin'],
    ['watch-a', 'operator'],
  ] as const)
    await createUser(a.station.handle.store, { name, role, password: PASSWORD }, now);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await a?.station.close();
});

describe('the Access pane', () => {
  it('is shown to admins only', async () => {
    const watch = await signIn('watch-a');
    expect(await watch.locator('[data-testid=tab-access]').count()).toBe(0);
    await watch.close();
  });

  it('changes a role, disables an operator (their console is signed out), manages tokens', async () => {
    const watch = await signIn('watch-a');
    const admin = await signIn('admin-a');
    await admin.click('[data-testid=tab-access]');
    await admin.waitForSelector('[data-testid=user-watch-a]');

    await admin.selectOption('[data-testid=role-watch-a]', 'viewer');
    await waitFor(
      'watch-a is a viewer',
      async () => (await a.station.handle.store.user('watch-a'))?.role === 'viewer',
    );

    await admin.click('[data-testid=disable-watch-a]');
    await admin.waitForSelector('[data-testid=enable-watch-a]');
    expect((await a.station.handle.store.user('watch-a'))?.disabled).toBe(true);
    // The disabled operator's next request is refused: their console returns to sign-in.
    await watch.reload();
    await watch.waitForSelector('input[name=password]', { timeout: 30_000 });

    await admin.fill('[data-testid=token-expires]', '12h');
    await admin.click('[data-testid=create-token]');
    const shown = await admin.waitForSelector('[data-testid=new-token] code');
    const tok = (await shown.textContent())!;
    expect(tok).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    const me = await fetch(`${a.url}/api/v1/me`, { headers: { authorization: `Bearer ${tok}` } });
    expect(me.status).toBe(200);
    const id = (await a.station.handle.store.tokens())[0]!.hash.slice(0, 16);
    await admin.click(`[data-testid=revoke-${id}]`);
    await admin.waitForSelector(`[data-testid=token-${id}] >> text=revoked`);
    const after = await fetch(`${a.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${tok}` },
    });
    expect(after.status).toBe(401);

    // Every state-changing POST of the console carried its own Idempotency-Key.
    const actions = posts.filter((p) => !/\/api\/v1\/(login|logout)$/.test(p.url));
    expect(actions.length).toBeGreaterThanOrEqual(4);
    for (const p of actions) expect(p.key, p.url).toMatch(/^"[0-9a-f-]{32,36}"$/);
    expect(new Set(actions.map((p) => p.key)).size).toBe(actions.length);
  });
});
