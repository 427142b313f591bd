// The operator console with several counterparts (ADR 0003), in a real browser (Debian Chromium
// through playwright-core) against three real stations on loopback, every pair paired. Alpha's
// console lists both peers with their paths, and each peer's safety number and key history (Bravo
// has rotated its key); Alpha's administrator proposes a trilateral channel naming its members;
// once Bravo and Charlie accept it, Alpha's watch sends a FLASH on it, Bravo understands it with a
// read-back, and Alpha's console shows each recipient's ticks and deadline and "understood by 1 of
// 2" (and "2 方中 1 方已理解" in Chinese). Screenshots go to .tmp/console-screens (and to
// docs/screenshots with PARLEY_SCREENSHOTS=docs).
import { copyFile, mkdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '@parley/station';
import type { Station } from '@parley/station';
import {
  addPeer,
  api,
  makeStation,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from '../../station/test/harness.js';
import type { StationDir } from '../../station/test/harness.js';
import { launch } from './browser.js';
import type { Browser } from './browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOTS = join(ROOT, '.tmp', 'console-screens');
const DOCS = join(ROOT, 'docs', 'screenshots');
const PASSWORD = 'correct horse battery staple';

let A: StationDir;
let B: StationDir;
let C: StationDir;
const running: { station: Station; url: string }[] = [];
let browser: Browser;
const tokens: Record<string, string> = {};
const urls: Record<string, string> = {};
let admin: Page;
let watch: Page;

async function shot(page: Page, name: string): Promise<void> {
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.PARLEY_SCREENSHOTS === 'docs') await copyFile(file, join(DOCS, `${name}.png`));
}

async function signIn(url: string, name: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
  await page.goto(url + '/');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=map][data-ready=true]', { timeout: 30_000 });
  return page;
}

const as = (s: StationDir) => api(urls[s.station]!, tokens[s.station]);

beforeAll(async () => {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`console build failed: ${built.stderr}`);
  await mkdir(SHOTS, { recursive: true });
  if (process.env.PARLEY_SCREENSHOTS === 'docs') await mkdir(DOCS, { recursive: true });

  const root = await tempRoot('parley-console3-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  C = await makeStation(root, 'Charlie');
  const dirs = [A, B, C];
  for (const d of dirs) {
    const r = await startInProcess(d);
    running.push(r);
    urls[d.station] = r.url;
  }
  // Members replicate pairwise: every station is paired with both others.
  for (const x of dirs) for (const y of dirs) if (x !== y) await addPeer(x, y, [urls[y.station]!]);
  for (const d of dirs) tokens[d.station] = await token(d, 'admin');
  const store = running[0]!.station.handle.store;
  const now = Date.now();
  await createUser(store, { name: 'admin-a', role: 'admin', password: PASSWORD }, now);
  await createUser(store, { name: 'watch-a', role: 'operator', password: PASSWORD }, now);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(running.map((r) => r.station.close()));
});

describe('the operator console with several counterparts, three stations', () => {
  it("lists both peers with their station ids and paths, and each peer's safety number and key history", async () => {
    // Bravo rotates its key while the links run; Alpha follows the rotation over the link.
    const rot = await as(B).post('/api/v1/station/rotate-key', {});
    expect(rot.status, JSON.stringify(rot.json)).toBe(201);
    const safety = rot.json.safety as string;

    watch = await signIn(urls[A.station]!, 'watch-a');
    // The top bar: one link group per peer, each UP.
    const links = watch.locator('[data-testid=peer-link]');
    await expect.poll(() => links.count(), { timeout: 20_000 }).toBe(2);
    await expect
      .poll(() => links.allTextContents(), { timeout: 20_000 })
      .toEqual([expect.stringMatching(/Bravo\s*UP/), expect.stringMatching(/Charlie\s*UP/)]);

    await watch.click('[data-testid=tab-link]');
    const peers = watch.locator('[data-testid=peer]');
    await expect.poll(() => peers.count(), { timeout: 20_000 }).toBe(2);
    expect(await peers.locator('[data-testid=peer-name]').allTextContents()).toEqual([
      'Bravo',
      'Charlie',
    ]);
    const bravo = watch.locator(`[data-testid=peer][data-station="${B.station}"]`);
    const charlie = watch.locator(`[data-testid=peer][data-station="${C.station}"]`);
    expect(await bravo.locator('[data-testid=peer-station]').textContent()).toBe(B.station);
    expect(await charlie.locator('[data-testid=peer-station]').textContent()).toBe(C.station);
    expect(await bravo.locator('[data-testid=path-row]').textContent()).toContain(urls[B.station]!);
    await expect
      .poll(() => charlie.locator('[data-testid=path-row]').textContent(), { timeout: 20_000 })
      .toContain('UP');

    // Bravo's key history as verified here: the genesis key and the new one, with its safety
    // number and when it came in.
    await expect
      .poll(() => bravo.locator('[data-testid=key]').count(), { timeout: 30_000 })
      .toBe(2);
    expect(await bravo.locator('[data-testid=safety-number]').textContent()).toBe(safety);
    expect(await bravo.locator('[data-testid=key-rotated]').textContent()).toMatch(
      /key last rotated \d{6}Z [A-Z]{3} \d{2}/,
    );
    const keys = await bravo.locator('[data-testid=key]').allTextContents();
    expect(keys[0]).toContain('genesis key, pinned at pairing');
    expect(keys[1]).toContain(safety);
    expect(keys[1]).toContain('current');
    // Charlie has never rotated.
    expect(await charlie.locator('[data-testid=key]').count()).toBe(1);
    expect(await charlie.locator('[data-testid=key-rotated]').textContent()).toContain(
      'not rotated',
    );
    const charlieSafety = (
      (await as(A).get('/api/v1/peers')).json.peers as {
        station: string;
        keys: { safety: string }[];
      }[]
    ).find((p) => p.station === C.station)!.keys[0]!.safety;
    expect(await charlie.locator('[data-testid=safety-number]').textContent()).toBe(charlieSafety);
    await shot(watch, 'peers');
  }, 90_000);

  it('an administrator proposes a trilateral channel naming its members; it opens when both accept', async () => {
    admin = await signIn(urls[A.station]!, 'admin-a');
    // With two peers the form asks for the members, and proposes nothing until one is ticked.
    const boxes = admin.locator('[data-testid=propose-members] input[type=checkbox]');
    await expect.poll(() => boxes.count(), { timeout: 20_000 }).toBe(2);
    await admin.fill('[data-testid=propose-name]', 'cues-net');
    await admin.selectOption('[data-testid=propose-tier]', 'theater');
    expect(await admin.isDisabled('[data-testid=propose]')).toBe(true);
    await admin.check('[data-testid=propose-member-Bravo]');
    await admin.check('[data-testid=propose-member-Charlie]');
    await admin.click('[data-testid=propose]');

    const item = admin.locator('[data-testid=channel-cues-net]');
    await item.waitFor({ timeout: 20_000 });
    expect(await item.locator('[data-testid=channel-members]').textContent()).toBe(
      'Alpha · Bravo · Charlie',
    );
    await item.click();
    await expect
      .poll(() => admin.textContent('[data-testid=conv-members]'), { timeout: 20_000 })
      .toBe('members: Alpha, Bravo, Charlie · awaiting Bravo, Charlie');

    // Both other stations hold the proposal, with all three members, and accept it.
    for (const s of [B, C]) {
      const c = await waitFor(`cues-net proposed at ${s.name}`, async () =>
        (
          (await as(s).get('/api/v1/channels')).json.channels as {
            name: string;
            members: string[];
          }[]
        ).find((x) => x.name === 'cues-net'),
      );
      expect([...c.members].sort()).toEqual([A.station, B.station, C.station].sort());
      expect((await as(s).post('/api/v1/channels/cues-net/accept', {})).status).toBe(201);
    }
    await expect
      .poll(() => admin.textContent('[data-testid=conv-members]'), { timeout: 30_000 })
      .toBe('members: Alpha, Bravo, Charlie');
    expect(await admin.textContent('.conv-head')).toContain('open');
    // The link pane lists the channel with its members' names.
    await admin.click('[data-testid=tab-link]');
    expect(
      await admin
        .locator('[data-testid=audience][data-channel=cues-net] [data-testid=audience-members]')
        .textContent(),
    ).toBe('Alpha, Bravo, Charlie');
  }, 90_000);

  it('a FLASH on it shows each recipient\'s ticks and deadline; "understood by 1 of 2" once Bravo understood', async () => {
    const W = watch;
    await W.click('[data-testid=tab-conversation]');
    await W.click('[data-testid=channel-cues-net]');
    await W.click('[data-testid=mode-text]');
    await W.fill('[data-testid=free-text]', 'CUES: my group will conduct flight operations.');
    await W.click('[data-testid=prec-FLASH]');
    await W.click('[data-testid=send]');
    const msg = W.locator('[data-testid=message]').last();
    await expect
      .poll(() => msg.locator('[data-testid=message-text]').textContent(), { timeout: 20_000 })
      .toBe('CUES: my group will conduct flight operations.');
    const id = (await msg.getAttribute('data-id'))!;

    // One row per recipient, each delivered, each with its own deadline running.
    const rows = msg.locator('[data-testid=party]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    expect(await rows.locator('.party-name').allTextContents()).toEqual(['Bravo', 'Charlie']);
    for (const s of [B, C]) {
      const row = msg.locator(`[data-testid=party][data-station="${s.station}"]`);
      await expect
        .poll(() => row.locator('[data-testid=party-delivered]').getAttribute('data-done'), {
          timeout: 30_000,
        })
        .toBe('true');
      expect(await row.locator('[data-testid=party-deadline]').textContent()).toMatch(/due in/);
    }
    expect(await msg.locator('[data-testid=understood-by]').textContent()).toBe(
      'understood by 0 of 2',
    );

    // Bravo's watch understands it, with a read-back; Charlie has not answered.
    await waitFor('the FLASH at Bravo', async () =>
      (await as(B).messages('cues-net')).find((m) => m.id === id),
    );
    const ack = await as(B).post(`/api/v1/messages/${id}/understood`, {
      readback: 'Roger, flight operations, keeping clear',
    });
    expect(ack.status, JSON.stringify(ack.json)).toBe(201);

    await expect
      .poll(() => msg.locator('[data-testid=understood-by]').textContent(), { timeout: 30_000 })
      .toBe('understood by 1 of 2');
    const bravo = msg.locator(`[data-testid=party][data-station="${B.station}"]`);
    const charlie = msg.locator(`[data-testid=party][data-station="${C.station}"]`);
    expect(await bravo.locator('[data-testid=party-understood]').getAttribute('data-done')).toBe(
      'true',
    );
    expect(await bravo.locator('[data-testid=party-understood]').textContent()).toMatch(
      /understood \d{6}Z [A-Z]{3} \d{2}/,
    );
    expect(await bravo.locator('[data-testid=party-readback]').textContent()).toContain(
      'Roger, flight operations, keeping clear',
    );
    expect(await bravo.locator('[data-testid=party-deadline]').count()).toBe(0);
    expect(await charlie.locator('[data-testid=party-understood]').getAttribute('data-done')).toBe(
      'false',
    );
    expect(await charlie.locator('[data-testid=party-deadline]').textContent()).toMatch(/due in/);
    // The channel list says who still owes the answer.
    await expect
      .poll(() => W.textContent('[data-testid=channel-cues-net] [data-testid=deadline]'), {
        timeout: 20_000,
      })
      .toContain('owed by Charlie');
    await shot(W, 'conversation-parties');

    // In Chinese.
    await W.click('[data-testid=lang-zh]');
    expect(await msg.locator('[data-testid=understood-by]').textContent()).toBe(
      '2 方中 1 方已理解',
    );
    await W.click('[data-testid=lang-en]');
  }, 120_000);

  it('asked nothing of anyone but its own station', () => {
    const origin = new URL(urls[A.station]!).origin;
    const foreign = browser.requests.filter(
      (u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin,
    );
    expect(browser.requests.length).toBeGreaterThan(20);
    expect(foreign).toEqual([]);
  });
});
