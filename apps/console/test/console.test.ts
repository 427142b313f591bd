// The operator console in a real browser (Debian Chromium through playwright-core, WebGL on
// SwiftShader) against two real stations on loopback, each serving its own console. The story:
// both watches sign in; Alpha's destroyer and Bravo's destroyer close head-on (the 30 Sep 2018
// geometry) and the encounter shows on both maps; Alpha's watch sends the drafted warning as
// FLASH; Bravo's watch, working in Chinese, reads it in Chinese and marks it understood; Alpha
// sees the understood tick with its time. A viewer cannot send. No page asks anything of anyone
// but its own station. Screenshots of the main screens go to .tmp/console-screens (and to
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
const NM_DEG = 1 / 60;
/** Both stations' clock: the deadline test moves it on (together, so the link sees no skew). */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

let A: StationDir;
let B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
let browser: Browser;
const tokens: Record<string, string> = {};
const pages: Record<string, Page> = {};

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

/** Own destroyer northbound at 12 kn; the other's southbound 4 nm ahead, 40 yd to the east. */
function headOn(now: number, own: 'alpha' | 'bravo') {
  const lat = 10 + 6 / 60;
  const lon = 114 + 13 / 60;
  const us = { id: 'stn:DDG-73', name: 'DECATUR' };
  const them = { id: 'ais:412000170', name: 'LANZHOU 170' };
  return [
    {
      ...us,
      party: own === 'alpha' ? 'own' : 'other',
      domain: 'surface',
      lat,
      lon,
      sog: 12,
      cog: 0,
      time: now,
    },
    {
      ...them,
      party: own === 'alpha' ? 'other' : 'own',
      domain: 'surface',
      lat: lat + 4 * NM_DEG,
      lon: lon + (40 / 2025.4) * NM_DEG,
      sog: 12,
      cog: 180,
      time: now,
    },
    // A little AIS background traffic.
    ...[0, 1, 2, 3, 4].map((i) => ({
      id: `ais:5630000${i}`,
      name: `MV BACKGROUND ${i}`,
      party: 'third',
      domain: 'surface',
      lat: lat - 0.4 + i * 0.2,
      lon: lon + 0.3 - i * 0.1,
      sog: 10 + i,
      cog: 45 * i,
      time: now,
    })),
  ];
}

beforeAll(async () => {
  // The stations serve apps/console/dist; build it if `npm test` has not.
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], {
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`console build failed: ${built.stderr}`);
  await mkdir(SHOTS, { recursive: true });
  if (process.env.PARLEY_SCREENSHOTS === 'docs') await mkdir(DOCS, { recursive: true });

  const root = await tempRoot('parley-console-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  a = await startInProcess(A, { clock });
  b = await startInProcess(B, { clock });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  for (const [s, side] of [
    [A, 'a'],
    [B, 'b'],
  ] as const)
    for (const role of ['admin', 'operator'] as const)
      tokens[`${side}.${role}`] = await token(s, role);
  const now = Date.now();
  await createUser(
    a.station.handle.store,
    { name: 'watch-a', role: 'operator', password: PASSWORD },
    now,
  );
  await createUser(
    a.station.handle.store,
    { name: 'look-a', role: 'viewer', password: PASSWORD },
    now,
  );
  await createUser(
    a.station.handle.store,
    { name: 'second-a', role: 'approver', password: PASSWORD },
    now,
  );
  await createUser(
    a.station.handle.store,
    { name: 'tl-a', role: 'linguist', password: PASSWORD },
    now,
  );
  await createUser(
    a.station.handle.store,
    { name: 'admin-a', role: 'admin', password: PASSWORD },
    now,
  );
  await createUser(
    b.station.handle.store,
    { name: 'admin-b', role: 'admin', password: PASSWORD },
    now,
  );
  await createUser(
    b.station.handle.store,
    { name: 'watch-b', role: 'operator', password: PASSWORD },
    now,
  );

  // The tactical channel the encounter drafts go to, and a ministry channel (two-person rule),
  // agreed by both.
  const A_ = api(a.url, tokens['a.admin']);
  const B_ = api(b.url, tokens['b.admin']);
  for (const [name, tier] of [
    ['scs-tactical', 'tactical'],
    ['mfa-hotline', 'ministry'],
  ] as const) {
    // Unanswered tactical traffic escalates to the ministry channel.
    const agreement = name === 'scs-tactical' ? { tier, escalation: 'mfa-hotline' } : { tier };
    expect((await A_.post('/api/v1/channels', { name, agreement })).status).toBe(201);
    await waitFor(`${name} proposed at Bravo`, async () =>
      ((await B_.get('/api/v1/channels')).json.channels as { name: string }[]).some(
        (c) => c.name === name,
      ),
    );
    expect((await B_.post(`/api/v1/channels/${name}/accept`, {})).status).toBe(201);
    await waitFor(`${name} open at Alpha`, async () =>
      ((await A_.get('/api/v1/channels')).json.channels as { name: string; status: string }[]).some(
        (c) => c.name === name && c.status === 'open',
      ),
    );
  }
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled([a?.station.close(), b?.station.close()]);
});

describe('the operator console in Chromium, two stations', () => {
  it('signs in on both consoles; a wrong password is refused', async () => {
    const page = await browser.newPage();
    await page.goto(a.url + '/');
    await page.fill('input[name=name]', 'watch-a');
    await page.fill('input[name=password]', 'not the password at all');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toContain('wrong password');
    await shot(page, 'login');
    await page.context().close();

    pages.a = await signIn(a.url, 'watch-a');
    pages.b = await signIn(b.url, 'watch-b');
    expect(await pages.a.textContent('[data-testid=station-name]')).toBe('Alpha');
    expect(await pages.b.textContent('[data-testid=station-name]')).toBe('Bravo');
    // The UTC clock shows a date-time group.
    expect(await pages.a.textContent('[data-testid=utc-clock]')).toMatch(
      /\d{2}:\d{2}:\d{2}Z\d{6}Z [A-Z]{3} \d{2}/,
    );
    // The link comes up, and the console says so.
    await expect
      .poll(() => pages.a!.textContent('[data-testid=link-state]'), { timeout: 20_000 })
      .toContain('UP');
  }, 90_000);

  it('shows the encounter on both maps, with its CPA line', async () => {
    const now = Date.now();
    for (const [s, side, own] of [
      [a, 'a', 'alpha'],
      [b, 'b', 'bravo'],
    ] as const) {
      const r = await api(s.url, tokens[`${side}.operator`]).post('/api/v1/tracks', {
        reports: headOn(now, own),
      });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }
    for (const side of ['a', 'b'] as const) {
      const page = pages[side]!;
      await page.waitForSelector('[data-testid=encounter-banner]', { timeout: 30_000 });
      expect(await page.textContent('[data-testid=encounter-banner]')).toMatch(/DECATUR|LANZHOU/);
      // The tracks are in the picture and the CPA line is in the map's encounter source.
      await expect
        .poll(() => page.getAttribute('[data-testid=map]', 'data-tracks'), { timeout: 20_000 })
        .toBe('7');
      const cpaLines = await page.evaluate(async () => {
        const map = (
          globalThis as unknown as {
            __parleyMap: {
              getSource(id: string): {
                getData(): Promise<{ features: { properties: { role: string; level: string } }[] }>;
              };
            };
          }
        ).__parleyMap;
        const data = await map.getSource('encounters').getData();
        return data.features
          .filter((f) => f.properties.role === 'cpa')
          .map((f) => f.properties.level);
      });
      expect(cpaLines.length).toBeGreaterThanOrEqual(1);
      expect(cpaLines).toContain('danger');
    }
    // Hovering a track shows it NAVAREA style, with decimal degrees beside.
    const A = pages.a!;
    const lat = 10 + 6 / 60;
    const lon = 114 + 13 / 60;
    await A.evaluate(
      ([lo, la]) => {
        const map = (globalThis as unknown as { __parleyMap: { jumpTo(o: unknown): void } })
          .__parleyMap;
        map.jumpTo({ center: [lo, la], zoom: 10 });
      },
      [lon, lat],
    );
    await A.waitForTimeout(500);
    const box = (await A.locator('[data-testid=map]').boundingBox())!;
    const pos = await A.evaluate(
      ([lo, la]) =>
        (
          globalThis as unknown as {
            __parleyMap: { project(p: [number, number]): { x: number; y: number } };
          }
        ).__parleyMap.project([lo!, la!]),
      [lon, lat],
    );
    // The track has moved on a little since its report: find it near its reported position.
    let tip = '';
    for (let dy = 0; dy > -40 && !tip.includes('DECATUR'); dy -= 4) {
      await A.mouse.move(box.x + pos.x, box.y + pos.y + dy);
      const tipBox = A.locator('[data-testid=track-tip]');
      tip = (await tipBox.count()) > 0 ? ((await tipBox.textContent()) ?? '') : '';
    }
    expect(tip).toContain('DECATUR');
    expect(tip).toMatch(/10-0\d\.\dN 114-13\.0E/);
    expect(tip).toMatch(/10\.1\d{4}° N, 114\.21667° E/);
    await pages.a!.click('[data-testid=review-encounter]');
    await pages.a!.waitForSelector('[data-testid=encounter] [data-testid=encounter-send]');
    await pages.a!.waitForTimeout(2500); // the map flies to the encounter
    await shot(pages.a!, 'encounter');
  }, 90_000);

  let sentText = { en: '', zh: '' };

  it('Alpha sends the drafted warning as FLASH; Bravo reads it in Chinese and marks it understood', async () => {
    const A = pages.a!;
    const card = A.locator('[data-testid=encounter][data-level=danger]').first();
    sentText = {
      en: (await card.locator('[data-testid=encounter-draft] p[lang=en]').textContent())!
        .replace(/^EN\s*/, '')
        .trim(),
      zh: (await card.locator('[data-testid=encounter-draft] p[lang=zh]').textContent())!
        .replace(/^中文\s*/, '')
        .trim(),
    };
    expect(sentText.zh).toMatch(/[\u4e00-\u9fff]/);
    await card.locator('[data-testid=encounter-precedence]').selectOption('FLASH');
    await card.locator('[data-testid=encounter-send]').click();
    await expect
      .poll(() => card.locator('[data-testid=encounter-draft]').getAttribute('data-status'), {
        timeout: 15_000,
      })
      .toBe('sent');

    // Alpha's conversation shows it, FLASH, delivered.
    await A.click('[data-testid=channel-scs-tactical]');
    const mine = A.locator('[data-testid=message]').last();
    await expect.poll(() => mine.locator('.badge.prec-flash').count()).toBe(1);
    await expect
      .poll(() => mine.locator('[data-testid=tick-delivered]').getAttribute('data-done'), {
        timeout: 20_000,
      })
      .toBe('true');

    // Bravo's watch works in Chinese.
    const B = pages.b!;
    await B.click('[data-testid=lang-zh]');
    await B.click('[data-testid=channel-scs-tactical]');
    expect(await B.textContent('[data-testid=tab-conversation]')).toContain('对话');
    const theirs = B.locator('[data-testid=message]').last();
    await expect
      .poll(() => theirs.locator('[data-testid=message-text]').textContent(), { timeout: 20_000 })
      .toBe(sentText.zh);
    expect(await theirs.locator('.badge.prec-flash').textContent()).toBe('特急');
    await shot(B, 'conversation-zh');
    await theirs.locator('[data-testid=mark-read]').click();
    await theirs.locator('[data-testid=readback]').fill('明白，保持距离');
    await theirs.locator('[data-testid=mark-understood]').click();
    await expect
      .poll(() => theirs.locator('[data-testid=tick-understood]').getAttribute('data-done'))
      .toBe('true');

    // Alpha sees the understood tick, with its time as a date-time group.
    const tick = mine.locator('[data-testid=tick-understood]');
    await expect.poll(() => tick.getAttribute('data-done'), { timeout: 30_000 }).toBe('true');
    expect(await tick.textContent()).toMatch(/understood \d{6}Z [A-Z]{3} \d{2}/);
    expect(await mine.textContent()).toContain('明白，保持距离');
    expect(await mine.locator('[data-testid=message-text]').textContent()).toBe(sentText.en);
    await shot(A, 'conversation');
  }, 120_000);

  it('Bravo edits its own drafted warning in the composer, then sends it; Alpha reads it in English', async () => {
    const B = pages.b!;
    await B.click('[data-testid=tab-encounters]');
    const card = B.locator('[data-testid=encounter][data-level=danger]').first();
    await card.locator('[data-testid=encounter-edit]').click();
    // The composer holds the draft's code and parameters; its preview is the draft's text.
    // Head-on (Rule 14): MAN-21, both alter to starboard.
    await expect.poll(() => B.inputValue('[data-testid=catalogue-code]')).toBe('MAN-21');
    const zh = (await B.locator('[data-testid=preview] p[lang=zh]').textContent())!;
    expect(zh).toContain('LANZHOU 170');
    await B.fill('[data-testid=param-speed]', '15');
    await expect
      .poll(() => B.locator('[data-testid=preview] p[lang=zh]').textContent())
      .toContain('航速15节');
    await B.click('[data-testid=prec-IMMEDIATE]');
    await B.click('[data-testid=send]');
    // A choice in the form reads as it will in the message: MAN-06's side is 左舷/右舷 (of a
    // ship's side), where MAN-07's turn is 左/右.
    await B.selectOption('[data-testid=catalogue-code]', 'MAN-07');
    expect(await B.locator('[data-testid=param-turn] option').allTextContents()).toEqual([
      '左',
      '右',
    ]);
    await B.selectOption('[data-testid=catalogue-code]', 'MAN-06');
    expect(await B.locator('[data-testid=param-side] option').allTextContents()).toEqual([
      '左舷',
      '右舷',
    ]);
    await B.click('[data-testid=tab-encounters]');
    await expect
      .poll(() => card.locator('[data-testid=encounter-draft]').getAttribute('data-status'), {
        timeout: 15_000,
      })
      .toBe('discarded');
    const A = pages.a!;
    await A.click('[data-testid=tab-conversation]');
    await A.click('[data-testid=channel-scs-tactical]');
    const theirs = A.locator('[data-testid=message]').last();
    await expect
      .poll(() => theirs.locator('[data-testid=message-text]').textContent(), { timeout: 20_000 })
      .toMatch(/^(FOR RECORD[^:]*: )?My ship LANZHOU 170 .*speed 15 kn/);
    expect(await theirs.locator('.badge.prec-immediate').count()).toBe(1);
  }, 60_000);

  it("Alpha's linguist attaches a translation of Bravo's free text; the watch sees the original beside it", async () => {
    const text = '我舰正在进行例行航行，请你舰保持安全距离。';
    const r = await api(b.url, tokens['b.operator']).post('/api/v1/messages', {
      channel: 'scs-tactical',
      precedence: 'IMMEDIATE',
      text,
      lang: 'zh',
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const L = await signIn(a.url, 'tl-a');
    await L.click('[data-testid=channel-scs-tactical]');
    const msg = L.locator(`[data-testid=message][data-id="${r.json.id}"]`);
    await msg.waitFor({ timeout: 20_000 });
    // A linguist translates but does not acknowledge.
    expect(await msg.locator('[data-testid=mark-understood]').count()).toBe(0);
    await msg
      .locator('[data-testid=translate-text]')
      .fill('My ship is on a routine passage; request your ship keep a safe distance.');
    await msg.locator('[data-testid=translate]').click();
    await L.context().close();
    const A = pages.a!;
    const seen = A.locator(`[data-testid=message][data-id="${r.json.id}"]`);
    await expect
      .poll(() => seen.locator('[data-testid=translation]').textContent(), { timeout: 20_000 })
      .toContain('routine passage');
    expect(await seen.locator('[data-testid=message-text]').textContent()).toBe(text);
    expect(await seen.locator('.msg-body.with-translation').count()).toBe(1);
    expect(await seen.textContent()).toContain('tl-a');
  }, 60_000);

  it('switches every pane between English and 中文', async () => {
    const A = pages.a!;
    const labels = async () => A.locator('nav.tabs [role=tab]').allTextContents();
    const en = await labels();
    await A.click('[data-testid=lang-zh]');
    const zh = await labels();
    expect(zh.join(' ')).toContain('对话');
    expect(zh.join(' ')).toContain('遭遇态势');
    expect(zh.join(' ')).not.toContain('Conversation');
    await A.click('[data-testid=tab-link]');
    await A.waitForSelector('[data-testid=feed]');
    expect(await A.textContent('[data-testid=link-status]')).toContain('已验证');
    await A.click('[data-testid=lang-en]');
    expect(await labels()).toEqual(en);
    expect(await A.textContent('[data-testid=link-status]')).toMatch(/verified \d{6}Z/);
    await shot(A, 'link-status');
  }, 60_000);

  it('replays the picture of a few seconds ago with the time slider, then goes back to live', async () => {
    const A = pages.a!;
    const slider = A.locator('[data-testid=time-slider] input[type=range]');
    await expect.poll(() => slider.isEnabled(), { timeout: 30_000 }).toBe(true);
    await A.evaluate(`(() => {
      const el = document.querySelector('[data-testid=time-slider] input[type=range]');
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      set.call(el, el.min);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    })()`);
    await expect
      .poll(() => A.textContent('[data-testid=time-slider]'))
      .toMatch(/REPLAY.*\d{6}Z [A-Z]{3} \d{2}/);
    await A.click('[data-testid=time-slider] button');
    await expect.poll(() => A.textContent('[data-testid=time-slider]')).toContain('LIVE');
  }, 60_000);

  it('the two-person rule: a ministry message waits in the approval queue for a second person', async () => {
    const A = pages.a!;
    await A.click('[data-testid=channel-mfa-hotline]');
    await A.click('[data-testid=mode-text]');
    await A.fill('[data-testid=free-text]', 'Request a call between our ministries at 0900Z.');
    await A.click('[data-testid=prec-PRIORITY]');
    await A.click('[data-testid=send]');
    await expect
      .poll(() => A.textContent('[data-testid=compose]'))
      .toContain('second person to approve');
    await A.click('[data-testid=tab-approvals]');
    await A.waitForSelector('[data-testid=draft]');
    // The watch officer wrote it and holds no approval right: no approve button.
    expect(await A.locator('[data-testid=draft] [data-testid=approve]').count()).toBe(0);
    await shot(A, 'approvals');

    const S = await signIn(a.url, 'second-a');
    await S.click('[data-testid=tab-approvals]');
    const draft = S.locator('[data-testid=draft]').first();
    expect(await draft.textContent()).toContain('Request a call between our ministries');
    expect(await draft.textContent()).toContain('watch-a');
    await draft.locator('[data-testid=approve]').click();
    await expect.poll(() => S.locator('[data-testid=draft]').count()).toBe(0);
    await S.context().close();

    // Sent, signed with both names, and delivered to Bravo.
    await A.click('[data-testid=channel-mfa-hotline]');
    const msg = A.locator('[data-testid=message]').last();
    await expect
      .poll(() => msg.textContent(), { timeout: 20_000 })
      .toContain('approved by second-a');
    await expect
      .poll(() => msg.locator('[data-testid=tick-delivered]').getAttribute('data-done'), {
        timeout: 20_000,
      })
      .toBe('true');
    await expect
      .poll(() => pages.b!.locator('[data-testid=channel-mfa-hotline]').textContent(), {
        timeout: 20_000,
      })
      .toMatch(/1/);
  }, 90_000);

  it('a late live-fire notice shows in the notices pane, on the map with its window, and is acknowledged', async () => {
    const start = Date.now() + 30 * 60_000;
    const r = await api(b.url, tokens['b.operator']).post('/api/v1/notices', {
      channel: 'scs-tactical',
      send: true,
      notice: {
        kind: 'live-fire',
        issuer: { party: 'Bravo', unit: 'LANZHOU 170' },
        areas: [
          {
            role: 'danger',
            area: { type: 'circle', centre: { lat: 10.05, lon: 113.9 }, radius: 5, unit: 'nm' },
          },
        ],
        band: { type: 'surface' },
        windows: [{ start, end: start + 3 * 3600_000 }],
        remark: 'Naval gunnery.',
        contact: 'scs-tactical',
      },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const A = pages.a!;
    // It is announced over the map until acknowledged; Review opens it.
    const banner = A.locator('[data-testid=notice-banner]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toMatch(
      /New notice: LIVE FIRE · LANZHOU 170 from \d{6}Z.*LATE/,
    );
    await A.click('[data-testid=review-notice]');
    expect(await A.getAttribute('[data-testid=tab-notices]', 'aria-selected')).toBe('true');
    const card = A.locator('[data-testid=notice][data-kind=live-fire]');
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator('[data-testid=notice-late]').textContent()).toContain('LATE');
    // The window is shown as date-time groups.
    expect(await card.textContent()).toMatch(/\d{6}Z [A-Z]{3} \d{2} → \d{6}Z [A-Z]{3} \d{2}/);
    // The area is on the map, labelled with its window.
    await expect
      .poll(
        () =>
          A.evaluate(async () => {
            const map = (
              globalThis as unknown as {
                __parleyMap: {
                  getSource(id: string): {
                    getData(): Promise<{ features: { properties: { label: string } }[] }>;
                  };
                };
              }
            ).__parleyMap;
            const d = await map.getSource('notices').getData();
            return d.features.map((f) => f.properties.label).join('|');
          }),
        { timeout: 20_000 },
      )
      .toMatch(/LIVE FIRE · LANZHOU 170\n\d{6}Z/);
    await card.locator('button.primary').click();
    await expect
      .poll(() => card.locator('.tick.done').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(0);
    await A.evaluate(() => {
      const map = (globalThis as unknown as { __parleyMap: { jumpTo(o: unknown): void } })
        .__parleyMap;
      map.jumpTo({ center: [113.95, 10.08], zoom: 9 });
    });
    await A.waitForTimeout(1500);
    await shot(A, 'notices');
  }, 90_000);

  it('a call request from one console is accepted on the other', async () => {
    const A = pages.a!;
    const B = pages.b!;
    await A.click('[data-testid=tab-calls]');
    await A.locator('[data-testid=request-call] button.primary').click();
    await B.click('[data-testid=tab-calls]');
    const accept = B.locator('[data-testid=calls] .card li button').first();
    await accept.waitFor({ timeout: 20_000 });
    await accept.click();
    await expect
      .poll(() => A.textContent('[data-testid=calls]'), { timeout: 20_000 })
      .toContain('accepted');
    // Bravo works in Chinese: the same state reads 已接受 there.
    await expect
      .poll(() => B.textContent('[data-testid=calls]'), { timeout: 20_000 })
      .toContain('已接受');
  }, 60_000);

  it('administrators agree a channel across the two consoles, then suspend and resume it with a reason', async () => {
    const AA = await signIn(a.url, 'admin-a');
    const BA = await signIn(b.url, 'admin-b');
    // Only administrators see channel management.
    expect(await pages.a!.locator('[data-testid=propose-channel]').count()).toBe(0);
    await AA.fill('[data-testid=propose-name]', 'exercise-net');
    await AA.selectOption('[data-testid=propose-tier]', 'theater');
    await AA.click('[data-testid=propose]');
    await BA.locator('[data-testid=channel-exercise-net]').click({ timeout: 20_000 });
    expect(await BA.textContent('.conv-head')).toContain('proposed');
    await BA.click('[data-testid=channel-admin] button.primary');
    await AA.click('[data-testid=channel-exercise-net]');
    await expect.poll(() => AA.textContent('.conv-head'), { timeout: 20_000 }).toContain('open');
    await AA.fill('[data-testid=channel-reason]', 'Exercise paused for weather');
    await AA.click('[data-testid=channel-suspend]');
    await expect
      .poll(() => BA.textContent('.conv-head'), { timeout: 20_000 })
      .toContain('Exercise paused for weather');
    // A suspended channel refuses messages, and the console says why.
    await BA.click('[data-testid=mode-text]');
    await BA.fill('[data-testid=free-text]', 'Test');
    await BA.click('[data-testid=send]');
    await expect
      .poll(() => BA.textContent('[data-testid=compose]'))
      .toContain('PARLEY_E_CHANNEL_SUSPENDED');
    await BA.fill('[data-testid=channel-reason]', 'Weather cleared');
    await BA.click('[data-testid=channel-suspend]');
    await expect
      .poll(() => AA.textContent('.conv-head'), { timeout: 20_000 })
      .not.toContain('paused');
    await AA.context().close();
    await BA.context().close();
  }, 90_000);

  it('a viewer sees everything but cannot send, in the console or behind its back', async () => {
    const V = await signIn(a.url, 'look-a');
    expect(await V.textContent('[data-testid=who]')).toContain('read only');
    await V.click('[data-testid=channel-scs-tactical]');
    await V.waitForSelector('[data-testid=message]');
    expect(await V.locator('[data-testid=compose] [data-testid=send]').count()).toBe(0);
    expect(await V.textContent('[data-testid=compose]')).toContain('cannot send');
    await V.click('[data-testid=tab-encounters]');
    await V.waitForSelector('[data-testid=encounter]');
    expect(await V.locator('[data-testid=encounter-send]').count()).toBe(0);
    // Even a hand-made request from the viewer's session is refused by the station.
    const status = await V.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrf: string };
      const r = await fetch('/api/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
        body: JSON.stringify({
          channel: 'scs-tactical',
          precedence: 'FLASH',
          text: 'viewer was here',
        }),
      });
      return [r.status, ((await r.json()) as { code: string }).code];
    });
    expect(status).toEqual([403, 'PARLEY_E_FORBIDDEN']);
    await V.context().close();
  }, 60_000);

  it('a FLASH message left unanswered past its deadline raises an alarm and escalates, on screen', async () => {
    const sent = await api(a.url, tokens['a.operator']).send(
      'Acknowledge: my helicopter will launch in 5 minutes.',
      'FLASH',
      'scs-tactical',
    );
    await waitFor('delivery at Bravo', async () =>
      (await api(a.url, tokens['a.operator']).messages('scs-tactical')).some(
        (m) => m.id === sent.id && m.status.delivered,
      ),
    );
    // Eleven minutes later on both stations' clocks, Bravo has still not answered.
    clock.offset = 11 * 60_000;
    const A = pages.a!;
    await A.click('[data-testid=tab-conversation]');
    await A.click('[data-testid=channel-scs-tactical]');
    const msg = A.locator(`[data-testid=message][data-id="${sent.id}"]`);
    await expect.poll(() => msg.locator('.banner.alarm').count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => A.textContent('[aria-label=Alarms]'), { timeout: 20_000 })
      .toMatch(/FLASH\) on scs-tactical: no answer for 1\d min/);
    // The escalation notice went out on the ministry channel, one precedence up (FLASH stays FLASH).
    await A.click('[data-testid=channel-mfa-hotline]');
    const esc = A.locator('[data-testid=message]').filter({ has: A.locator('.banner.escalation') });
    await expect.poll(() => esc.count(), { timeout: 20_000 }).toBe(1);
    expect(await esc.textContent()).toMatch(/ESC-01.*unanswered for 1\d min/);
    await shot(A, 'alarm-escalation');
  }, 90_000);

  it('asked nothing of anyone but its own station', () => {
    const origins = new Set([new URL(a.url).origin, new URL(b.url).origin]);
    const foreign = browser.requests.filter(
      (u) => !u.startsWith('data:') && !u.startsWith('blob:') && !origins.has(new URL(u).origin),
    );
    expect(browser.requests.length).toBeGreaterThan(20);
    expect(foreign).toEqual([]);
  });
});
