import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Station } from '@parley/station';
import { formatDtg } from '@parley/core';
import {
  addPeer,
  api,
  makeStation,
  openChannel,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationDir } from './harness.js';

const H = 3_600_000;
const MIN = 60_000;
const RAD = Math.PI / 180;

let A: StationDir;
let B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
const t: Record<string, string> = {};

beforeAll(async () => {
  const root = await tempRoot('parley-notices-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  a = await startInProcess(A, { deadlineTickMs: 0 });
  b = await startInProcess(B, { deadlineTickMs: 0 });
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  for (const [s, side] of [
    [A, 'a'],
    [B, 'b'],
  ] as const)
    for (const role of ['admin', 'operator', 'viewer'] as const)
      t[`${side}.${role}`] = await token(s, role);
  await openChannel(
    { url: a.url, token: t['a.admin']! },
    { url: b.url, token: t['b.admin']! },
    'theater-ops',
    { tier: 'theater' },
  );
});
afterAll(async () => {
  await Promise.allSettled([a.station.close(), b.station.close()]);
});

const A_ = (role: string) => api(a.url, t[`a.${role}`]);
const B_ = (role: string) => api(b.url, t[`b.${role}`]);

const box = (s: number, w: number, n: number, e: number) => ({
  type: 'polygon',
  points: [
    { lat: s, lon: w },
    { lat: s, lon: e },
    { lat: n, lon: e },
    { lat: n, lon: w },
  ],
});

function notice(over: Record<string, unknown>) {
  return {
    kind: 'naval-exercise',
    issuer: { party: 'Alpha', unit: 'CSG 5' },
    areas: [{ area: box(10, 114, 11, 115) }],
    band: { type: 'surface' },
    windows: [{ start: Date.now() + 80 * H, end: Date.now() + 104 * H }],
    remark: 'Surface units are requested to keep clear.',
    contact: 'hotline channel theater-ops',
    ...over,
  };
}

async function noticeAt(side: typeof A_, id: string) {
  const r = await side('viewer').get(`/api/v1/notices/${id}`);
  return r.status === 200 ? r.json : undefined;
}

/** Reads the SSE live stream until `match` holds for an event, or fails after 20 s. */
async function streamUntil(
  url: string,
  bearer: string,
  match: (e: { type: string; [k: string]: unknown }) => boolean,
) {
  const ctl = new AbortController();
  const res = await fetch(`${url}/api/v1/stream`, {
    headers: { authorization: `Bearer ${bearer}` },
    signal: ctl.signal,
  });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const timer = setTimeout(() => ctl.abort(), 20_000);
  try {
    return {
      ready: Promise.resolve(),
      found: (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buf += dec.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const chunk = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = /^data: (.*)$/m.exec(chunk)?.[1];
            if (!data) continue;
            const e = JSON.parse(data) as { type: string };
            if (match(e)) return e;
          }
        }
      })().finally(() => {
        clearTimeout(timer);
        ctl.abort();
      }),
    };
  } catch (err) {
    clearTimeout(timer);
    throw err;
  }
}

describe('notices of planned activity between two real stations', () => {
  it('a launch notice with 10 h of lead against 24 h is flagged late on both sides, by the same amount; the receiver acknowledges', async () => {
    const bStream = await streamUntil(
      b.url,
      t['b.viewer']!,
      (e) => e.type === 'notice' && e.action === 'received',
    );
    const start = Date.now() + 10 * H;
    const r = await A_('operator').post('/api/v1/notices', {
      channel: 'theater-ops',
      send: true,
      notice: notice({
        kind: 'launch',
        band: { type: 'unlimited' },
        areas: [
          {
            role: 'launch',
            area: { type: 'circle', centre: { lat: 19.6, lon: 110.95 }, radius: 5, unit: 'nm' },
          },
          { role: 'impact', area: box(15, 116, 16, 117) },
        ],
        windows: [{ start, end: start + 2 * H }],
      }),
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const id = r.json.id as string;
    expect(r.json.lateness.late).toBe(true);
    expect(r.json.lateness.requiredMs).toBe(24 * H);
    const atA = (await noticeAt(A_, id))!;
    // Deterministic: required − (window start − signed entry time).
    expect(atA.lateness.lateMs).toBe(24 * H - (start - atA.ts));
    expect(atA.lateness.lateMs).toBeGreaterThan(14 * H - MIN);
    expect(atA.lateness.text).toMatch(/^late by 1[34] h/);
    const atB = await waitFor('B holds the notice', () => noticeAt(B_, id));
    expect(atB.lateness).toEqual(atA.lateness);
    expect(atB.own).toBe(false);
    expect(atB.status).toBe('upcoming');
    expect(atB.text.en).toContain('MISSILE OR ROCKET LAUNCH');
    expect(atB.text.en).toContain('A. LAUNCH AREA WITHIN 5 NM OF 19-36.00N 110-57.00E.');
    expect(atB.text.zh).toContain(
      'B. 落区：以下各点连线范围内：16-00.00N 116-00.00E、16-00.00N 117-00.00E、15-00.00N 117-00.00E、15-00.00N 116-00.00E。',
    );
    expect(await bStream.found).toMatchObject({
      type: 'notice',
      action: 'received',
      id,
      channel: 'theater-ops',
      late: true,
      lateMs: atA.lateness.lateMs,
    });
    // Only the receiver acknowledges; understood = acknowledged, seen at the sender.
    const own = await A_('operator').post(`/api/v1/notices/${id}/understood`, {});
    expect(own.status).toBe(400);
    expect(own.json.code).toBe('PARLEY_E_RECEIPT_NOT_ALLOWED');
    expect((await B_('operator').post(`/api/v1/notices/${id}/understood`, {})).status).toBe(201);
    const acked = await waitFor('A sees the acknowledgment', async () => {
      const n = await noticeAt(A_, id);
      return n?.acknowledged ? n : undefined;
    });
    expect(acked.receipts.delivered.ts).toBeGreaterThanOrEqual(atA.ts);
    expect(acked.receipts.understood.by).toMatch(/^token:/);
    // Listed as upcoming on both sides.
    const list = await B_('viewer').get('/api/v1/notices?status=upcoming,active');
    expect(list.json.notices.map((n: { id: string }) => n.id)).toContain(id);
  });

  it('lead times are part of the channel agreement: agreed per kind, defaults filled in', async () => {
    const bad = await A_('admin').post('/api/v1/channels', {
      name: 'fleet-ops',
      agreement: { tier: 'tactical', leadTimes: { party: H } },
    });
    expect(bad.json.code).toBe('PARLEY_E_BAD_AGREEMENT');
    const open = await openChannel(
      { url: a.url, token: t['a.admin']! },
      { url: b.url, token: t['b.admin']! },
      'fleet-ops',
      {
        tier: 'tactical',
        leadTimes: { launch: 2 * H, 'live-fire': 100 * H },
      },
    );
    expect(open.agreement.leadTimes).toMatchObject({
      launch: 2 * H,
      'live-fire': 100 * H,
      'naval-exercise': 72 * H,
      transit: 0,
    });
    const now = Date.now();
    const launch = await A_('operator').post('/api/v1/notices', {
      channel: 'fleet-ops',
      send: true,
      notice: notice({ kind: 'launch', windows: [{ start: now + 3 * H, end: now + 4 * H }] }),
    });
    expect(launch.json.lateness).toMatchObject({ late: false, lateMs: 0, requiredMs: 2 * H });
    const fire = await A_('operator').post('/api/v1/notices', {
      channel: 'fleet-ops',
      send: true,
      notice: notice({ kind: 'live-fire', windows: [{ start: now + 80 * H, end: now + 81 * H }] }),
    });
    expect(fire.json.lateness.late).toBe(true);
    // 100 h required − (80 h − the few ms between the test's clock and the entry's signed time).
    expect(fire.json.lateness.lateMs).toBeGreaterThanOrEqual(20 * H);
    expect(fire.json.lateness.lateMs).toBeLessThan(20 * H + MIN);
    const atB = await waitFor('B holds the live-fire notice', () => noticeAt(B_, fire.json.id));
    expect(atB.lateness.lateMs).toBe(fire.json.lateness.lateMs);
    // Cancel both, so later tests see only their own notices on this side.
    for (const id of [launch.json.id, fire.json.id])
      expect(
        (await A_('operator').post(`/api/v1/notices/${id}/cancel`, { reason: 'test' })).status,
      ).toBe(201);
  });

  it("an exercise area that conflicts with the other side's planned transit route and draft", async () => {
    const now = Date.now();
    // Bravo's own plans: a transit along 10°30′N through the box, and a draft exercise next to it.
    const route = await B_('operator').post('/api/v1/routes', {
      name: 'transit',
      unit: 'DDG 171',
      waypoints: [
        { lat: 10.5, lon: 113, time: now + 70 * H },
        { lat: 10.5, lon: 116, time: now + 88 * H },
      ],
    });
    expect(route.status, JSON.stringify(route.json)).toBe(201);
    const draft = await B_('operator').post('/api/v1/notices', {
      channel: 'theater-ops',
      notice: notice({
        issuer: { party: 'Bravo', unit: 'SAG 2' },
        areas: [{ role: 'exercise', area: box(10.5, 114.5, 11.5, 115.5) }],
        windows: [{ start: now + 90 * H, end: now + 110 * H }],
      }),
    });
    expect(draft.status, JSON.stringify(draft.json)).toBe(201);
    const sent = await A_('operator').post('/api/v1/notices', {
      channel: 'theater-ops',
      send: true,
      notice: notice({ windows: [{ start: now + 72.5 * H, end: now + 96 * H }] }),
    });
    expect(sent.status).toBe(201);
    expect(sent.json.lateness.late).toBe(false);
    const id = sent.json.id as string;
    await waitFor('B holds the exercise notice', () => noticeAt(B_, id));
    const c = await B_('viewer').get(`/api/v1/notices/${id}/conflicts`);
    expect(c.status, JSON.stringify(c.json)).toBe(200);
    expect(c.json.routes).toHaveLength(1);
    const r = c.json.routes[0];
    expect(r.with).toMatchObject({ type: 'route', name: 'DDG 171 transit' });
    // Linear in longitude: 114°E at a third of the 18 h leg, 115°E at two thirds.
    expect(Math.abs(r.windows[0].start - (now + 76 * H))).toBeLessThanOrEqual(MIN);
    expect(Math.abs(r.windows[0].end - (now + 82 * H))).toBeLessThanOrEqual(MIN);
    expect(r.km2).toBeGreaterThan(700);
    expect(r.km2).toBeLessThan(900);
    expect(r.geometry.type).toBe('Polygon');
    expect(c.json.notices).toHaveLength(1);
    expect(c.json.notices[0].with.id).toBe(draft.json.draft.id);
    expect(c.json.notices[0].windows).toEqual([{ start: now + 90 * H, end: now + 96 * H }]);
    expect(c.json.drafts).toHaveLength(2);
    expect(c.json.drafts.every((d: { code: string }) => d.code === 'NTC-05')).toBe(true);
    const texts = c.json.drafts.map((d: { text: { en: string; zh: string } }) => d.text);
    // The expected text is built from the same instants the conflict reports (the windows are
    // placed relative to the real clock), so it holds on any date; formatDtg itself is checked
    // against hand-written groups in core's dtg test.
    const routeText = `planned transit DDG 171 transit, ${r.km2.toFixed(0)} km² shared until ${formatDtg(r.windows.at(-1).end)}`;
    expect(texts.map((x: { en: string }) => x.en)).toContain(
      `Your notice ${c.json.ref} (${routeText}) conflicts with my planned activity from ${formatDtg(r.windows[0].start)}; request you adjust the area or the times`,
    );
    expect(
      texts.every((x: { zh: string }) => x.zh.includes('起的计划活动冲突，请调整区域或时间')),
    ).toBe(true);
    // Bravo's draft, checked before it is sent, meets Alpha's notice the same way round.
    const fromDraft = await B_('viewer').get(`/api/v1/notices/${draft.json.draft.id}/conflicts`);
    expect(fromDraft.json.notices.map((x: { with: { id: string } }) => x.with.id)).toEqual([id]);
    expect(fromDraft.json.notices[0].km2).toBeCloseTo(c.json.notices[0].km2, 3);
    expect(fromDraft.json.drafts).toEqual([]);
    const draftGj = await B_('viewer').get(`/api/v1/notices/${draft.json.draft.id}/geojson`);
    expect(draftGj.json.features[0].properties).toMatchObject({ ref: 'DRAFT', status: 'draft' });
    // Alpha's side: its own notice is checked against Bravo's sent notices (none), not Bravo's routes.
    const mine = await A_('viewer').get(`/api/v1/notices/${id}/conflicts`);
    expect(mine.json.routes).toEqual([]);
    expect(mine.json.notices).toEqual([]);
    // GeoJSON and CoT exports.
    const gj = await A_('viewer').get(`/api/v1/notices/${id}/geojson`);
    expect(gj.json.features[0].geometry.type).toBe('Polygon');
    const cot = await fetch(`${a.url}/api/v1/notices/${id}/cot`, {
      headers: { authorization: `Bearer ${t['a.viewer']}` },
    });
    const xml = await cot.text();
    expect(xml).toContain('type="u-d-r"');
    expect(xml.match(/<link point=/g)).toHaveLength(4);
  });

  it("a unit projected into the other side's live-fire area, with its entry time", async () => {
    const now = Date.now();
    const fire = await A_('operator').post('/api/v1/notices', {
      channel: 'theater-ops',
      send: true,
      notice: notice({
        kind: 'live-fire',
        areas: [{ role: 'danger', area: box(12, 114, 13, 115) }],
        band: { type: 'altitude', lowerFt: 0, upperFt: 25000 },
        windows: [{ start: now - H, end: now + 6 * H }],
      }),
    });
    expect(fire.status).toBe(201);
    expect(fire.json.lateness.late).toBe(true);
    const id = fire.json.id as string;
    await waitFor('B holds the live-fire notice', () => noticeAt(B_, id));
    // Bravo's own frigate heading east toward the danger area at 20 kn, half a degree west of it.
    const rep = await B_('operator').post('/api/v1/tracks', {
      reports: [
        {
          id: 'stn:FFG-530',
          name: 'FFG 530',
          party: 'own',
          domain: 'surface',
          lat: 12.5,
          lon: 113.5,
          sog: 20,
          cog: 90,
        },
        {
          id: 'stn:AOR-1',
          name: 'AOR 1',
          party: 'own',
          domain: 'surface',
          lat: 12.5,
          lon: 113.5,
          sog: 20,
          cog: 270,
        },
      ],
    });
    expect(rep.status, JSON.stringify(rep.json)).toBe(200);
    const c = await waitFor('the conflict check sees the frigate', async () => {
      const r = await B_('viewer').get(`/api/v1/notices/${id}/conflicts?horizonMin=180`);
      return r.json.tracks?.length ? r.json : undefined;
    });
    expect(c.tracks.map((x: { id: string }) => x.id)).toEqual(['stn:FFG-530']);
    // Along the parallel: R cos φ Δλ = 29.3 nm at 20 kn ≈ 88 min (WGS84 rhumb vs the sphere: < 0.5 %).
    const nm = (6_371_008.8 * Math.cos(12.5 * RAD) * 0.5 * RAD) / 1852;
    const expected = c.now + (nm / 20) * H;
    expect(Math.abs(c.tracks[0].enterAt - expected)).toBeLessThan(2 * MIN);
    expect(c.tracks[0].lon).toBeCloseTo(114, 2);
    // The same unit in the station-wide list the encounter picture joins.
    const all = await B_('viewer').get('/api/v1/notices/track-conflicts?horizonMin=180');
    expect(all.status).toBe(200);
    const mine = all.json.conflicts.filter((x: { notice: string }) => x.notice === id);
    expect(
      mine.map((x: { id: string; kind: string; own: boolean }) => [x.id, x.kind, x.own]),
    ).toEqual([['stn:FFG-530', 'live-fire', false]]);
    expect(
      c.drafts.some((d: { text: { en: string } }) =>
        d.text.en.includes(
          '(unit FFG 530 projected inside the area) conflicts with my planned activity from',
        ),
      ),
    ).toBe(true);
  });

  it('amendment and cancellation: seen on both sides; only the issuer may do either', async () => {
    const now = Date.now();
    const sent = await A_('operator').post('/api/v1/notices', {
      channel: 'theater-ops',
      send: true,
      notice: notice({ kind: 'transit', windows: [{ start: now + H, end: now + 5 * H }] }),
    });
    const id = sent.json.id as string;
    expect(sent.json.lateness).toMatchObject({ late: false, requiredMs: 0 });
    await waitFor('B holds the transit notice', () => noticeAt(B_, id));
    const am = await A_('operator').post(`/api/v1/notices/${id}/amend`, {
      notice: notice({
        kind: 'transit',
        areas: [
          {
            role: 'route',
            area: {
              type: 'corridor',
              points: [
                { lat: 9, lon: 113 },
                { lat: 9.5, lon: 116 },
              ],
              halfWidth: 3,
              unit: 'nm',
            },
          },
        ],
        windows: [{ start: now + 2 * H, end: now + 6 * H }],
      }),
    });
    expect(am.status, JSON.stringify(am.json)).toBe(201);
    expect(am.json.id).toBe(id);
    const amended = await waitFor('B sees the amendment', async () => {
      const n = await noticeAt(B_, id);
      return n?.versions.length === 2 ? n : undefined;
    });
    expect(amended.amended).toBe(true);
    expect(amended.notice.areas[0].area.type).toBe('corridor');
    expect(amended.text.en).toContain(`THIS NOTICE AMENDS ${amended.ref}.`);
    expect(amended.text.en).toContain(
      'WITHIN 3 NM EITHER SIDE OF A LINE JOINING 09-00.00N 113-00.00E, 09-30.00N 116-00.00E',
    );
    // The receiver cannot amend or cancel the sender's notice.
    const theirs = await B_('operator').post(`/api/v1/notices/${id}/cancel`, { reason: 'no' });
    expect(theirs.status).toBe(409);
    expect(theirs.json.code).toBe('PARLEY_E_NOTICE_STATE');
    const cancel = await A_('operator').post(`/api/v1/notices/${id}/cancel`, {
      reason: 'transit postponed',
    });
    expect(cancel.status).toBe(201);
    const gone = await waitFor('B sees the cancellation', async () => {
      const n = await noticeAt(B_, id);
      return n?.status === 'cancelled' ? n : undefined;
    });
    expect(gone.cancelled.reason).toBe('transit postponed');
    expect(gone.text.en).toMatch(/THIS NOTICE CANCELLED \d{6}Z [A-Z]{3} \d\d: transit postponed/);
    expect(gone.text.zh).toContain('撤销：transit postponed');
    const again = await A_('operator').post(`/api/v1/notices/${id}/amend`, {
      notice: notice({ kind: 'transit' }),
    });
    expect(again.json.code).toBe('PARLEY_E_NOTICE_STATE');
    const active = await B_('viewer').get('/api/v1/notices?status=active,upcoming');
    expect(active.json.notices.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it('on a ministry channel a notice draft is sent by a second person', async () => {
    await openChannel(
      { url: a.url, token: t['a.admin']! },
      { url: b.url, token: t['b.admin']! },
      'ministry-ops',
      { tier: 'ministry' },
    );
    const body = { channel: 'ministry-ops', notice: notice({ kind: 'transit' }) };
    const direct = await A_('operator').post('/api/v1/notices', { ...body, send: true });
    expect(direct.status).toBe(409);
    expect(direct.json.code).toBe('PARLEY_E_NOTICE_STATE');
    const d = (await A_('operator').post('/api/v1/notices', body)).json.draft.id as string;
    const byAuthor = await A_('operator').post(`/api/v1/notices/drafts/${d}/send`, {});
    expect(byAuthor.json.code).toBe('PARLEY_E_FORBIDDEN');
    const own = (await A_('admin').post('/api/v1/notices', body)).json.draft.id as string;
    const self = await A_('admin').post(`/api/v1/notices/drafts/${own}/send`, {});
    expect(self.json.code).toBe('PARLEY_E_SELF_APPROVAL');
    // Two approvers press send at once: the draft is signed once, the other is refused.
    const approver = {
      name: 'second',
      role: 'approver' as const,
      via: 'token' as const,
      channels: '*' as const,
    };
    const both = await Promise.allSettled([
      a.station.notices.sendDraft(approver, d),
      a.station.notices.sendDraft(approver, d),
    ]);
    expect(both[0]!.status).toBe('fulfilled');
    expect(both[1]).toMatchObject({
      status: 'rejected',
      reason: { code: 'PARLEY_E_NOTICE_STATE' },
    });
    const sent = {
      json: {
        id: (both[0] as PromiseFulfilledResult<{ entry: { hash: string } }>).value.entry.hash,
      },
    };
    const again = await A_('admin').post(`/api/v1/notices/drafts/${d}/send`, {});
    expect([again.status, again.json.code]).toEqual([404, 'PARLEY_E_NOTICE_NOT_FOUND']);
    const onMinistry = (await A_('viewer').get('/api/v1/notices?channel=ministry-ops')).json
      .notices;
    expect(onMinistry).toHaveLength(1);
    const atB = await waitFor('B holds the ministry notice', () => noticeAt(B_, sent.json.id));
    expect(atB.channel).toBe('ministry-ops');
    const drafts = (await A_('viewer').get('/api/v1/notices')).json.drafts.map(
      (x: { id: string }) => x.id,
    );
    expect(drafts).toContain(own);
    expect(drafts).not.toContain(d);
    expect(
      (await A_('operator').post(`/api/v1/notices/${sent.json.id}/cancel`, { reason: 'test' }))
        .status,
    ).toBe(201);
    const del = await fetch(`${a.url}/api/v1/notices/drafts/${own}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${t['a.operator']}` },
    });
    expect(del.status).toBe(204);
  });

  it('hostile notices: any body is refused with a coded 400 and writes nothing', async () => {
    const size = await a.station.handle.totalSize();
    const drafts = (await A_('viewer').get('/api/v1/notices')).json.drafts.length;
    const latLon = fc.record({ lat: fc.double(), lon: fc.double() });
    const area = fc.oneof(
      fc.record({ type: fc.constant('polygon'), points: fc.array(latLon, { maxLength: 120 }) }),
      fc.record({
        type: fc.constant('circle'),
        centre: latLon,
        radius: fc.double(),
        unit: fc.constantFrom('nm', 'km', 'mi'),
      }),
      fc.record({
        type: fc.constant('corridor'),
        points: fc.array(latLon, { maxLength: 5 }),
        halfWidth: fc.double(),
        unit: fc.constantFrom('nm', 'km'),
      }),
      fc.anything(),
    );
    const window = fc.record({ start: fc.integer(), end: fc.integer() });
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            kind: fc.oneof(fc.constantFrom('launch', 'live-fire', 'party'), fc.anything()),
            issuer: fc.oneof(fc.record({ party: fc.string(), unit: fc.string() }), fc.anything()),
            areas: fc.array(fc.record({ area }), { maxLength: 3 }),
            band: fc.oneof(
              fc.record({
                type: fc.constant('altitude'),
                lowerFt: fc.double(),
                upperFt: fc.double(),
              }),
              fc.anything(),
            ),
            windows: fc.array(window, { maxLength: 3 }),
            contact: fc.string(),
          },
          { requiredKeys: [] },
        ),
        fc.boolean(),
        async (notice, send) => {
          const r = await a.station.app.inject({
            method: 'POST',
            url: '/api/v1/notices',
            headers: { authorization: `Bearer ${t['a.operator']}` },
            payload: { channel: 'theater-ops', send, notice },
          });
          // A random body that happens to be valid would be stored; refused ones write nothing.
          if (r.statusCode === 201) return;
          expect(r.statusCode, r.body).toBe(400);
          expect(JSON.parse(r.body).code).toMatch(/^PARLEY_E_/);
        },
      ),
      { numRuns: 150 },
    );
    expect(await a.station.handle.totalSize()).toBe(size);
    expect((await A_('viewer').get('/api/v1/notices')).json.drafts).toHaveLength(drafts);
    // A signed notice entry that fails the checks (written past the API, as a faulty or newer
    // peer might) is held and shown as unreadable on both sides, not dropped silently.
    const pair = await a.station.handle.audienceWriter([B.station]);
    const [bad] = await pair.appendMany([
      { kind: 'notice', channel: 'theater-ops', body: { notice: { kind: 'picnic' }, by: 'x' } },
    ]);
    const seen = await waitFor('B lists the unreadable notice', async () => {
      const r = await B_('viewer').get('/api/v1/notices');
      return r.json.unreadable.find((u: { seq: number }) => u.seq === bad!.entry.seq);
    });
    expect(seen).toMatchObject({ station: A.station, error: expect.stringContaining('picnic') });
  });

  it('malformed geometry and windows are refused with a coded error and nothing is stored', async () => {
    const size = await a.station.handle.totalSize();
    const drafts = (await A_('viewer').get('/api/v1/notices')).json.drafts.length;
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          areas: [
            {
              area: {
                type: 'polygon',
                points: [
                  { lat: 10, lon: 110 },
                  { lat: 11, lon: 111 },
                  { lat: 10, lon: 111 },
                  { lat: 11, lon: 110 },
                ],
              },
            },
          ],
        },
        'PARLEY_E_AREA_SELF_INTERSECTING',
      ],
      [
        {
          areas: [
            { area: { type: 'circle', centre: { lat: 10, lon: 110 }, radius: 0, unit: 'nm' } },
          ],
        },
        'PARLEY_E_AREA_RADIUS',
      ],
      [
        { windows: [{ start: Date.now() + 5 * H, end: Date.now() + 4 * H }] },
        'PARLEY_E_NOTICE_WINDOW',
      ],
      [
        {
          areas: [
            { area: { type: 'circle', centre: { lat: 89.9, lon: 0 }, radius: 20, unit: 'nm' } },
          ],
        },
        'PARLEY_E_AREA_MALFORMED',
      ],
    ];
    for (const [over, code] of cases)
      for (const send of [true, false]) {
        const r = await A_('operator').post('/api/v1/notices', {
          channel: 'theater-ops',
          send,
          notice: notice(over),
        });
        expect(r.status, code).toBe(400);
        expect(r.json.code).toBe(code);
      }
    const amend = await A_('operator').post('/api/v1/notices/nothing/amend', {
      notice: notice(cases[0]![0]),
    });
    expect(amend.json.code).toBe('PARLEY_E_AREA_SELF_INTERSECTING');
    const route = await A_('operator').post('/api/v1/routes', {
      name: 'r',
      unit: 'u',
      waypoints: [
        { lat: 0, lon: 0, time: 2 },
        { lat: 0, lon: 1, time: 1 },
      ],
    });
    expect(route.json.code).toBe('PARLEY_E_ROUTE_MALFORMED');
    expect(await a.station.handle.totalSize()).toBe(size);
    expect((await A_('viewer').get('/api/v1/notices')).json.drafts).toHaveLength(drafts);
    expect((await A_('viewer').get('/api/v1/routes')).json.routes).toHaveLength(0);
    // The route schemas are the OpenAPI document.
    const doc = await A_('viewer').get('/api/docs');
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/notices',
        '/api/v1/notices/{id}/conflicts',
        '/api/v1/notices/drafts/{id}/send',
        '/api/v1/routes',
      ]),
    );
    expect(
      doc.json.paths['/api/v1/notices'].post.requestBody.content['application/json'].schema
        .properties.notice.properties.kind.anyOf,
    ).toHaveLength(8);
    // A viewer may read but not send.
    const viewer = await A_('viewer').post('/api/v1/notices', {
      channel: 'theater-ops',
      notice: notice({}),
    });
    expect(viewer.status).toBe(403);
  });
});
