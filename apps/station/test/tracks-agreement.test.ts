// Encounter thresholds agreed per channel: two real stations open a tactical channel whose
// agreement sets a tighter surface threshold (danger under 0.01 nm, no caution level), and the
// screen uses it for own-versus-other pairs: a pass at 40 yd is no encounter, a pass at 10 yd is.
// A malformed threshold is refused when proposed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Station } from '@parley/station';
import {
  addPeer,
  api,
  makeStation,
  openChannel,
  startInProcess,
  tempRoot,
  token,
} from './harness.js';

const NM_DEG = 1 / 60;
let a: { station: Station; url: string };
let b: { station: Station; url: string };
let ta = '';
let tb = '';

beforeAll(async () => {
  const root = await tempRoot('parley-agreed-');
  const A = await makeStation(root, 'Alpha');
  const B = await makeStation(root, 'Bravo');
  const opts = { deadlineTickMs: 0, tracks: { tickMs: 0 } };
  a = await startInProcess(A, opts);
  b = await startInProcess(B, opts);
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  ta = await token(A, 'admin');
  tb = await token(B, 'admin');
});
afterAll(async () => {
  await Promise.allSettled([a.station.close(), b.station.close()]);
});

/** Own northbound and other southbound, 2 nm apart, passing `yd` yards abeam, at `lon`. */
function pass(tag: string, yd: number, now: number, lon: number) {
  const lat = 10;
  const dlon = ((yd / 2025.37) * NM_DEG) / Math.cos((lat * Math.PI) / 180);
  return [
    { id: `stn:OWN-${tag}`, party: 'own', domain: 'surface', lat, lon, sog: 10, cog: 0, time: now },
    {
      id: `stn:OTHER-${tag}`,
      party: 'other',
      domain: 'surface',
      lat: lat + 2 * NM_DEG,
      lon: lon + dlon,
      sog: 10,
      cog: 180,
      time: now,
    },
  ];
}

describe('encounter thresholds agreed on the channel', () => {
  it('refuses a malformed threshold when the channel is proposed', async () => {
    const r = await api(a.url, ta).post('/api/v1/channels', {
      name: 'bad',
      agreement: {
        tier: 'tactical',
        screening: { surface: [{ level: 'danger', cpaNm: 0, withinMin: 15 }] },
      },
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('PARLEY_E_BAD_AGREEMENT');
    expect(r.json.message).toContain('/screening/surface/0/cpaNm');
  });

  it('screens own against other with the agreed thresholds', async () => {
    const screening = { surface: [{ level: 'danger', cpaNm: 0.01, withinMin: 15 }] };
    const escort = await openChannel(
      { url: a.url, token: ta },
      { url: b.url, token: tb },
      'escort',
      {
        tier: 'tactical',
        screening,
      },
    );
    expect(escort.agreement.screening).toEqual(screening);
    const now = Date.now();
    const r = await api(a.url, ta).post('/api/v1/tracks', {
      reports: [...pass('A', 40, now, 114), ...pass('B', 10, now, 114.5)],
    });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    await a.station.tracks.tick();
    const list = (await api(a.url, ta).get('/api/v1/encounters')).json.encounters as {
      a: string;
      level: string;
      cpaNm: number;
      draft: { channel: string } | null;
    }[];
    // Under the defaults both passes would be danger (< 0.25 nm); agreed, only the 10 yd one is.
    expect(list.map((e) => e.a)).toEqual(['stn:OWN-B']);
    expect(list[0]).toMatchObject({ level: 'danger', draft: { channel: 'escort' } });
    expect(list[0]!.cpaNm).toBeLessThan(0.01);
  });
});
