// Tracks and encounters on two real stations (loopback, real SQLite files, one test-driven
// clock). Alpha's watch reports its destroyer and the other party's destroyer closing head-on
// (the 30 Sep 2018 geometry: a pass at about 40 yd); the screen sees it coming, the encounter
// carries a bilingual catalogue draft on the tactical channel, the watch sends it as FLASH, and
// Bravo reads it in Chinese. Also: dead reckoning in the served positions, staleness, the
// encounter lifecycle to resolved, roles, discarding a draft, bad reports refused whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import type { LiveEvent } from '../src/hotline/live-bus.js';
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

const clock = { offset: 0, now: () => Date.now() + clock.offset };
const MIN = 60_000;
const NM_DEG = 1 / 60;

let A: StationDir;
let B: StationDir;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
const t: Record<string, string> = {};
const events: LiveEvent[] = [];

const A_ = (role: string) => api(a.url, t[`a.${role}`]);
const B_ = (role: string) => api(b.url, t[`b.${role}`]);

beforeAll(async () => {
  const root = await tempRoot('parley-tracks-');
  A = await makeStation(root, 'Alpha');
  B = await makeStation(root, 'Bravo');
  const opts = {
    clock,
    deadlineTickMs: 0,
    tracks: { tickMs: 0, holdMs: 30_000, staleMs: 30 * MIN },
  };
  // Alpha starts the screen's helper thread from two tracks on (a station starts it at 20,000),
  // so its screens below offer their pairs to a real worker; whichever share it takes, the
  // encounters are the same (apps/station/test/screen-threads.test.ts).
  a = await startInProcess(A, { ...opts, tracks: { ...opts.tracks, screenThreadsMin: 2 } });
  b = await startInProcess(B, opts);
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  for (const [s, side] of [
    [A, 'a'],
    [B, 'b'],
  ] as const)
    for (const role of ['admin', 'operator', 'viewer'] as const)
      t[`${side}.${role}`] = await token(s, role);
  a.station.bus.subscribe((e) => events.push(e));
  // The tactical channel the drafts go to (a theater one too: the lowest tier wins).
  for (const [name, tier] of [
    ['theater-ops', 'theater'],
    ['scs-tactical', 'tactical'],
  ] as const)
    await openChannel(
      { url: a.url, token: t['a.admin']! },
      { url: b.url, token: t['b.admin']! },
      name,
      {
        tier,
      },
    );
});
afterAll(async () => {
  await Promise.allSettled([a.station.close(), b.station.close()]);
});

/** Own destroyer northbound at 12 kn; the other's southbound 4 nm ahead, 40 yd to the east. */
function headOn(now: number) {
  const lat = 9 + 52.5 / 60;
  const lon = 114 + 21 / 60;
  return [
    {
      id: 'stn:DDG-73',
      name: 'DECATUR',
      party: 'own',
      domain: 'surface',
      lat,
      lon,
      sog: 12,
      cog: 0,
      heading: 0,
      time: now,
    },
    {
      id: 'ais:412000170',
      name: 'LANZHOU 170',
      party: 'other',
      domain: 'surface',
      lat: lat + 4 * NM_DEG,
      lon: lon + (40 / 2025.4) * NM_DEG,
      sog: 12,
      cog: 180,
      time: now,
    },
  ];
}

interface EncounterJson {
  id: string;
  a: string;
  b: string;
  aName: string;
  bName: string;
  level: string;
  state: string;
  reason: string | null;
  cpaNm: number;
  tcpaMin: number;
  timeToActMin: number;
  situation: string | null;
  giveWay: string | null;
  draft: {
    channel: string;
    code: string;
    precedence: string;
    status: string;
    text: { en: string; zh: string };
    messageId?: string;
    timeToActMin?: number;
    forRecord?: boolean;
  } | null;
}

async function encounters(): Promise<EncounterJson[]> {
  const r = await A_('viewer').get('/api/v1/encounters');
  expect(r.status).toBe(200);
  return r.json.encounters as EncounterJson[];
}

describe('tracks and encounters', () => {
  let encounterId = '';
  let reportedAt = 0;

  it('sees the head-on closing coming and drafts a FLASH warning on the tactical channel', async () => {
    const now = clock.now();
    reportedAt = now;
    const r = await A_('operator').post('/api/v1/tracks', { reports: headOn(now) });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toEqual({ accepted: 2 });
    await a.station.tracks.tick();
    const [e] = await encounters();
    expect(e).toBeDefined();
    encounterId = e!.id;
    expect(e).toMatchObject({
      a: 'stn:DDG-73',
      b: 'ais:412000170',
      aName: 'DECATUR',
      bName: 'LANZHOU 170',
      level: 'danger',
      state: 'active',
    });
    expect(e!.cpaNm).toBeLessThan(0.03); // ≈ 40 yd
    expect(e!.tcpaMin).toBeGreaterThan(9.5);
    expect(e!.tcpaMin).toBeLessThan(10.5); // 4 nm at 24 kn closing
    // Reciprocal courses (000 and 180), each within 0.3° of the other's bow: head-on (Rule 14),
    // both give way: the draft says own ship turns to starboard and asks the same of the other.
    expect(e).toMatchObject({ situation: 'head-on', giveWay: 'both' });
    // FLASH on the tactical channel: a 10 min objective, so about 0 min to act.
    expect(e!.timeToActMin).toBeCloseTo(e!.tcpaMin - 10, 1);
    expect(e!.draft).toMatchObject({
      channel: 'scs-tactical',
      code: 'MAN-21',
      precedence: 'FLASH',
      status: 'pending',
      forRecord: e!.draft!.timeToActMin! <= 0,
    });
    expect(e!.draft!.text.en).toMatch(
      /^(FOR RECORD, the ships act bridge-to-bridge \(VHF, CUES\): )?My ship DECATUR at 09-52\.5N 114-21\.0E, course 000°/,
    );
    expect(e!.draft!.text.en).toMatch(
      /we are meeting head-on, closest point of approach (39|40|41) yd/,
    );
    expect(e!.draft!.text.en).toContain(
      'I am altering my course to starboard; request you alter your course to starboard',
    );
    expect(e!.draft!.text.zh).toMatch(/^(仅供备案[^：]*：)?我舰DECATUR位于09-52\.5N 114-21\.0E/);
    expect(e!.draft!.text.zh).toMatch(/我舰正在向右转向；请你向右转向/);
    const live = events.filter((x) => x.type === 'encounter');
    expect(live.at(-1)).toMatchObject({ encounter: { id: encounterId, state: 'active' } });
    expect(events.some((x) => x.type === 'tracks' && x.tracks.length === 2)).toBe(true);
    // The helper thread started with the picture; later screens share their pairs with it.
    await waitFor('the screen helper thread', async () => a.station.tracks.screenThreads);
    await a.station.tracks.tick();
    expect((await encounters()).map((x) => x.id)).toEqual([encounterId]);
  });

  it('serves tracks dead-reckoned to now', async () => {
    clock.offset += 5 * MIN;
    const r = await A_('viewer').get('/api/v1/tracks');
    expect(r.status).toBe(200);
    const own = (r.json.tracks as { id: string; lat: number; stale: boolean }[]).find(
      (x) => x.id === 'stn:DDG-73',
    )!;
    // 12 kn for 5 min (and the few ms the test took) = 1 nm north.
    const hours = (r.json.now - reportedAt) / 3_600_000;
    expect(hours).toBeGreaterThanOrEqual(5 / 60);
    expect((own.lat - (9 + 52.5 / 60)) / NM_DEG).toBeCloseTo(12 * hours, 2);
    expect(own.stale).toBe(false);
  });

  it('a viewer cannot send the draft; an operator sends it, and the other side reads it in Chinese', async () => {
    const denied = await A_('viewer').post(`/api/v1/encounters/${encounterId}/send`, {});
    expect(denied.status).toBe(403);
    expect(denied.json.code).toBe('PARLEY_E_FORBIDDEN');
    // Two operators press send at once: one message goes out, the other request is refused.
    const both = await Promise.all([
      A_('operator').post(`/api/v1/encounters/${encounterId}/send`, {}),
      A_('operator').post(`/api/v1/encounters/${encounterId}/send`, {}),
    ]);
    both.sort((x, y) => x.status - y.status);
    const [sent, twice] = both as [(typeof both)[0], (typeof both)[0]];
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    expect(twice.status).toBe(409);
    expect(twice.json.code).toBe('PARLEY_E_ENCOUNTER_DRAFT');
    const atB = await waitFor('the warning at Bravo', async () =>
      (
        (await B_('viewer').get('/api/v1/messages?channel=scs-tactical&lang=zh')).json.messages as {
          id: string;
          text: string;
          precedence: string;
        }[]
      ).find((m) => m.id === sent.json.id),
    );
    expect(atB.precedence).toBe('FLASH');
    expect(atB.text).toMatch(/我舰DECATUR位于/);
    const warnings = (
      (await A_('viewer').get('/api/v1/messages?channel=scs-tactical')).json.messages as {
        text: string;
      }[]
    ).filter((m) => /My ship DECATUR at/.test(m.text));
    expect(warnings).toHaveLength(1);
    const [e] = (await encounters()).filter((x) => x.id === encounterId);
    expect(e!.draft).toMatchObject({ status: 'sent', messageId: sent.json.id });
    const again = await A_('operator').post(`/api/v1/encounters/${encounterId}/send`, {});
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('PARLEY_E_ENCOUNTER_DRAFT');
  });

  it('the encounter moves past its closest point, then resolves once the range opens and holds', async () => {
    clock.offset += 6 * MIN; // 11 min after the first report: past the closest point
    await a.station.tracks.tick();
    expect((await encounters()).find((x) => x.id === encounterId)!.state).toBe('past');
    // The range opens at 0.4 nm a minute: beyond the caution threshold × 1.2 (2.4 nm) about
    // 6 min after the closest point, then the 30 s hold.
    for (let i = 0; i < 40; i++) {
      clock.offset += 15_000;
      await a.station.tracks.tick();
    }
    const e = (await encounters()).find((x) => x.id === encounterId)!;
    expect(e.state).toBe('resolved');
    expect(e.reason).toBe('cleared');
    const states = events
      .filter((x) => x.type === 'encounter')
      .map((x) => (x as { encounter: { id: string; state: string } }).encounter)
      .filter((x) => x.id === encounterId)
      .map((x) => x.state);
    expect([...new Set(states)]).toEqual(['active', 'past', 'resolved']);
  });

  it('a discarded draft stays listed as discarded', async () => {
    const now = clock.now();
    const reports = headOn(now).map((r) => ({ ...r, id: r.id + '-2', name: `${r.name} 2` }));
    expect((await A_('operator').post('/api/v1/tracks', { reports })).status).toBe(200);
    await a.station.tracks.tick();
    const e = (await encounters()).find((x) => x.a === 'stn:DDG-73-2')!;
    expect(e.draft!.status).toBe('pending');
    const d = await A_('operator').post(`/api/v1/encounters/${e.id}/discard`, {});
    expect(d.status).toBe(200);
    expect(d.json.draft.status).toBe('discarded');
    const missing = await A_('operator').post('/api/v1/encounters/nope/discard', {});
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe('PARLEY_E_ENCOUNTER_NOT_FOUND');
  });

  it('a draft is sent once: a second send while the first signs is refused; a failed send leaves it pending', async () => {
    const now = clock.now();
    const reports = headOn(now).map((r) => ({ ...r, id: r.id + '-3', name: `${r.name} 3` }));
    expect((await A_('operator').post('/api/v1/tracks', { reports })).status).toBe(200);
    await a.station.tracks.tick();
    const e = (await encounters()).find((x) => x.a === 'stn:DDG-73-3')!;
    const service = a.station.tracks;
    await expect(
      service.sendDraft(e.id, async () => {
        throw new Error('the hotline refused it');
      }),
    ).rejects.toThrow('the hotline refused it');
    expect((await encounters()).find((x) => x.id === e.id)!.draft!.status).toBe('pending');
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const first = service.sendDraft(e.id, async () => {
      await gate;
      return { messageId: 'm-1', result: 'sent' };
    });
    await expect(
      service.sendDraft(e.id, async () => ({ messageId: 'm-2', result: 'sent' })),
    ).rejects.toMatchObject({ code: 'PARLEY_E_ENCOUNTER_DRAFT', details: { status: 'sending' } });
    release();
    expect(await first).toBe('sent');
    expect((await encounters()).find((x) => x.id === e.id)!.draft).toMatchObject({
      status: 'sent',
      messageId: 'm-1',
    });
  });

  it('a track unreported for longer than the stale age is flagged and leaves the screen', async () => {
    clock.offset += 35 * MIN;
    await a.station.tracks.tick();
    const r = await A_('viewer').get('/api/v1/tracks');
    const stale = (r.json.tracks as { id: string; stale: boolean }[]).filter((x) => x.stale);
    expect(stale.map((x) => x.id).sort()).toEqual(
      [
        'ais:412000170',
        'ais:412000170-2',
        'ais:412000170-3',
        'stn:DDG-73',
        'stn:DDG-73-2',
        'stn:DDG-73-3',
      ].sort(),
    );
    const open = (await encounters()).filter((x) => x.state !== 'resolved');
    expect(open).toEqual([]);
  });

  it('a batch with one bad report is refused whole, naming the report; nothing is stored', async () => {
    const before = (await A_('viewer').get('/api/v1/tracks')).json.tracks.length;
    const good = headOn(clock.now())[0]!;
    for (const [bad, field] of [
      [{ ...good, id: 'stn:X', lat: 91 }, 'lat'],
      [{ ...good, id: 'stn:Y', party: 'enemy' }, 'party'],
      [{ ...good, id: 'no prefix' }, 'id'],
      [{ ...good, id: 'stn:Z', sog: -1 }, 'sog'],
      [{ ...good, id: 'stn:W', extra: 1 }, 'extra'],
    ] as const) {
      const r = await A_('operator').post('/api/v1/tracks', {
        reports: [{ ...good, id: 'stn:OK' }, bad],
      });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('PARLEY_E_TRACK_INVALID');
      expect(r.json.message).toMatch(/^report 1: /);
      expect(r.json.message).toContain(field);
    }
    const after = (await A_('viewer').get('/api/v1/tracks')).json.tracks.length;
    expect(after).toBe(before);
    const unauth = await api(a.url).get('/api/v1/tracks');
    expect(unauth.status).toBe(401);
  });

  it("units heading into the other side's notified live-fire area join the encounter list, with drafts", async () => {
    const now = clock.now();
    const fire = await B_('operator').post('/api/v1/notices', {
      channel: 'scs-tactical',
      send: true,
      notice: {
        kind: 'live-fire',
        issuer: { party: 'Bravo', unit: 'DDG 170' },
        areas: [
          {
            role: 'danger',
            area: { type: 'circle', centre: { lat: 15, lon: 115 }, radius: 5, unit: 'nm' },
          },
        ],
        band: { type: 'surface' },
        windows: [{ start: now - 60 * MIN, end: now + 6 * 60 * MIN }],
        remark: 'Gunnery exercise.',
        contact: 'hotline channel scs-tactical',
      },
    });
    expect(fire.status, JSON.stringify(fire.json)).toBe(201);
    await waitFor('Alpha holds the notice', async () =>
      (await A_('viewer').get(`/api/v1/notices/${fire.json.id}`)).status === 200 ? true : undefined,
    );
    // Alpha's frigate 15 nm south of the centre, northbound at 20 kn: 10 nm to the edge, 30 min;
    // a third-party freighter already inside the area.
    const r = await A_('operator').post('/api/v1/tracks', {
      reports: [
        {
          id: 'stn:FFG-1',
          name: 'FFG 1',
          party: 'own',
          domain: 'surface',
          lat: 15 - 15 / 60,
          lon: 115,
          sog: 20,
          cog: 0,
          time: now,
        },
        {
          id: 'ais:235000001',
          party: 'third',
          domain: 'surface',
          lat: 15,
          lon: 115,
          sog: 0,
          cog: 0,
          time: now,
        },
      ],
    });
    expect(r.status).toBe(200);
    type AreaJson = {
      id: string;
      kind: string;
      a: string;
      state: string;
      level: string;
      enterAt: number;
      notice: { id: string; own: boolean };
      draft: { code: string; channel: string; text: { en: string } } | null;
    };
    // The notice folds asynchronously at Alpha: screen until the intrusion shows (bounded).
    const list = await waitFor('the frigate in the encounter list', async () => {
      await a.station.tracks.tick();
      const l = (await A_('viewer').get('/api/v1/encounters')).json.encounters as AreaJson[];
      return l.some((e) => e.kind === 'area' && e.a === 'stn:FFG-1') ? l : undefined;
    });
    const frigate = list.find((e) => e.kind === 'area' && e.a === 'stn:FFG-1')!;
    expect(frigate).toMatchObject({
      state: 'projected',
      level: 'caution',
      notice: { id: fire.json.id, own: false },
      draft: { code: 'NTC-05', channel: 'scs-tactical' },
    });
    expect(Math.abs(frigate.enterAt - (now + 30 * MIN))).toBeLessThan(2 * MIN);
    expect(frigate.draft!.text.en).toMatch(
      /^Your notice BRAVO NTC \d+\/\d\d conflicts with my planned activity from /,
    );
    const freighter = list.find((e) => e.kind === 'area' && e.a === 'ais:235000001')!;
    expect(freighter).toMatchObject({ state: 'active', level: 'danger', draft: null });
    const sent = await A_('operator').post(
      `/api/v1/encounters/${encodeURIComponent(frigate.id)}/send`,
      {},
    );
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    await waitFor('the conflict message at Bravo', async () =>
      (
        (await B_('viewer').get('/api/v1/messages?channel=scs-tactical')).json.messages as {
          id: string;
        }[]
      ).some((m) => m.id === sent.json.id),
    );
    // The frigate turns away: the intrusion resolves.
    await A_('operator').post('/api/v1/tracks', {
      reports: [
        {
          id: 'stn:FFG-1',
          name: 'FFG 1',
          party: 'own',
          domain: 'surface',
          lat: 15 - 15 / 60,
          lon: 115,
          sog: 20,
          cog: 180,
          time: clock.now(),
        },
      ],
    });
    await a.station.tracks.tick();
    const after = (await A_('viewer').get('/api/v1/encounters')).json.encounters as {
      id: string;
      state: string;
    }[];
    expect(after.find((e) => e.id === frigate.id)!.state).toBe('resolved');
  });

  it("the other side's unit heading into our own notified area gets an NTC-06 warning draft", async () => {
    const now = clock.now();
    const own = await A_('operator').post('/api/v1/notices', {
      channel: 'scs-tactical',
      send: true,
      notice: {
        kind: 'live-fire',
        issuer: { party: 'Alpha', unit: 'FFG 1' },
        areas: [
          {
            role: 'danger',
            area: { type: 'circle', centre: { lat: 17, lon: 117 }, radius: 5, unit: 'nm' },
          },
        ],
        band: { type: 'surface' },
        windows: [{ start: now - 60 * MIN, end: now + 6 * 60 * MIN }],
        contact: 'hotline channel scs-tactical',
      },
    });
    expect(own.status, JSON.stringify(own.json)).toBe(201);
    // Their patrol ship 10 nm west of the centre, eastbound at 10 kn: 5 nm to the edge, 30 min.
    const r = await A_('operator').post('/api/v1/tracks', {
      reports: [
        {
          id: 'ais:412000999',
          name: 'HAI XUN 9',
          party: 'other',
          domain: 'surface',
          lat: 17,
          lon: 117 - 10 / 60 / Math.cos((17 * Math.PI) / 180),
          sog: 10,
          cog: 90,
          time: now,
        },
      ],
    });
    expect(r.status).toBe(200);
    type AreaJson = {
      kind: string;
      a: string;
      state: string;
      enterAt: number;
      notice: { id: string; own: boolean };
      draft: { code: string; channel: string; text: { en: string; zh: string } } | null;
    };
    const patrol = await waitFor('their patrol ship in the encounter list', async () => {
      await a.station.tracks.tick();
      const l = (await A_('viewer').get('/api/v1/encounters')).json.encounters as AreaJson[];
      return l.find((e) => e.kind === 'area' && e.a === 'ais:412000999');
    });
    expect(patrol).toMatchObject({
      state: 'projected',
      notice: { id: own.json.id, own: true },
      draft: { code: 'NTC-06', channel: 'scs-tactical' },
    });
    expect(Math.abs(patrol.enterAt - (now + 30 * MIN))).toBeLessThan(2 * MIN);
    expect(patrol.draft!.text.en).toMatch(
      /^Your unit HAI XUN 9 is projected to enter the area of my notice ALPHA NTC \d+\/\d\d at /,
    );
    expect(patrol.draft!.text.zh).toMatch(/^你方HAI XUN 9预计于.*进入我方通报ALPHA NTC/);
  });

  it('names a unit; a bad name or an unknown unit is refused', async () => {
    const r = await A_('operator').post('/api/v1/tracks/ais%3A412000170/name', {
      name: 'LANZHOU (DDG-170)',
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({ id: 'ais:412000170', name: 'LANZHOU (DDG-170)' });
    const bad = await A_('operator').post('/api/v1/tracks/ais%3A412000170/name', { name: ' ' });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('PARLEY_E_TRACK_INVALID');
    const none = await A_('operator').post('/api/v1/tracks/ais%3A1/name', { name: 'X' });
    expect(none.status).toBe(404);
    const viewer = await A_('viewer').post('/api/v1/tracks/ais%3A412000170/name', { name: 'Y' });
    expect(viewer.status).toBe(403);
  });

  it('serves the picture as GeoJSON', async () => {
    const r = await A_('viewer').get('/api/v1/tracks.geojson');
    expect(r.status).toBe(200);
    expect(r.json.type).toBe('FeatureCollection');
    const f = (r.json.features as { id: string; geometry: { coordinates: number[] } }[]).find(
      (x) => x.id === 'stn:DDG-73',
    )!;
    expect(f.geometry.coordinates).toHaveLength(2);
  });
  it('drops units unreported for the drop age, from the picture and from the store', async () => {
    const before = a.station.tracks.size;
    expect(before).toBeGreaterThan(0);
    clock.offset += 7 * 60 * MIN; // past the 6 h default
    await a.station.tracks.tick();
    expect(a.station.tracks.size).toBe(0);
    const r = await A_('viewer').get('/api/v1/tracks');
    expect(r.json.tracks).toEqual([]);
    const { SqliteTrackStore } = await import('@parley/store');
    const store = new SqliteTrackStore(`${A.dir}/tracks.sqlite`);
    try {
      expect(store.count()).toBe(0);
    } finally {
      store.close();
    }
  });
});
