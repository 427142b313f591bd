import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import geodesicLib from 'geographiclib-geodesic';
import {
  noticeConflicts,
  parseNotice,
  parseRoute,
  routeConflicts,
  tracksIntoNotice,
  tracksIntoNoticeNaive,
} from '@parley/geo';

const WGS84 = geodesicLib.Geodesic.WGS84;
const H = 3_600_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 21, 0, 0);
const RAD = Math.PI / 180;

const box = (s: number, w: number, n: number, e: number) => ({
  type: 'polygon',
  points: [
    { lat: s, lon: w },
    { lat: s, lon: e },
    { lat: n, lon: e },
    { lat: n, lon: w },
  ],
});
const notice = (over: Record<string, unknown> = {}) =>
  parseNotice({
    kind: 'naval-exercise',
    issuer: { party: 'Alpha', unit: 'CSG 5' },
    areas: [{ area: box(10, 114, 11, 115) }],
    band: { type: 'surface' },
    windows: [{ start: T0 + 72 * H, end: T0 + 96 * H }],
    contact: 'theater-ops',
    ...over,
  });

/** Snyder eq. 3-12 (authalic), as in areas.test.ts. */
function quadrangleKm2(lat1: number, lat2: number, dLonDeg: number): number {
  const a = 6378.137;
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const e = Math.sqrt(e2);
  const q = (phi: number) => {
    const s = Math.sin(phi * RAD);
    return s / (1 - e2 * s * s) - (1 / (2 * e)) * Math.log((1 - e * s) / (1 + e * s));
  };
  return (dLonDeg * RAD * a * a * (1 - e2) * (q(lat2) - q(lat1))) / 2;
}

describe('notice against notices', () => {
  it('overlapping areas, bands and windows: the overlap quadrangle and the common window', () => {
    const mine = notice();
    const theirs = notice({
      kind: 'live-fire',
      areas: [{ area: box(10.5, 114.5, 11.5, 115.5) }],
      band: { type: 'altitude', lowerFt: 0, upperFt: 25000 },
      windows: [{ start: T0 + 90 * H, end: T0 + 100 * H }],
    });
    const [c] = noticeConflicts(mine, [{ id: 'x', name: 'x', content: theirs }]);
    expect(c).toBeDefined();
    expect(c!.km2 / quadrangleKm2(10.5, 11, 0.5)).toBeCloseTo(1, 3);
    expect(c!.windows).toEqual([{ start: T0 + 90 * H, end: T0 + 96 * H }]);
    expect(c!.band).toEqual({ lowerFt: 0, upperFt: 0 });
  });

  it('no conflict when the bands, the windows or the areas are apart', () => {
    const mine = notice();
    const above = notice({ band: { type: 'altitude', lowerFt: 1000, upperFt: 5000 } });
    const later = notice({ windows: [{ start: T0 + 96 * H, end: T0 + 99 * H }] });
    const elsewhere = notice({ areas: [{ area: box(12, 114, 13, 115) }] });
    for (const o of [above, later, elsewhere])
      expect(noticeConflicts(mine, [{ id: 'o', name: 'o', content: o }])).toEqual([]);
  });
});

describe('notice against planned routes', () => {
  it('a transit along 10°30′N crosses the exercise box for the middle third of its leg', () => {
    const route = parseRoute(
      {
        name: 'transit',
        unit: 'DDG 171',
        waypoints: [
          { lat: 10.5, lon: 113, time: T0 + 70 * H },
          { lat: 10.5, lon: 116, time: T0 + 88 * H },
        ],
      },
      'r1',
    );
    const [c] = routeConflicts(notice(), [route]);
    expect(c).toBeDefined();
    expect(c!.with).toEqual({ type: 'route', id: 'r1', name: 'DDG 171 transit' });
    // Linear in longitude: lon 114 at 1/3 of the 18 h leg (+76 h), lon 115 at 2/3 (+82 h).
    expect(c!.windows).toHaveLength(1);
    expect(Math.abs(c!.windows[0]!.start - (T0 + 76 * H))).toBeLessThanOrEqual(MIN);
    expect(Math.abs(c!.windows[0]!.end - (T0 + 82 * H))).toBeLessThanOrEqual(MIN);
    // The overlap is the 2 nm corridor across the box: 1° of the parallel × 4 nm.
    const inside = WGS84.Inverse(10.5, 114, 10.5, 115).s12! / 1000;
    expect(Math.abs(c!.km2 / (inside * 4 * 1.852) - 1)).toBeLessThan(0.01);
  });

  it('no conflict when the route passes before the exercise starts', () => {
    const early = parseRoute(
      {
        name: 'early',
        unit: 'DDG 171',
        waypoints: [
          { lat: 10.5, lon: 113, time: T0 },
          { lat: 10.5, lon: 116, time: T0 + 18 * H },
        ],
      },
      'r2',
    );
    expect(routeConflicts(notice(), [early])).toEqual([]);
  });

  it('refuses malformed routes with a coded error', () => {
    for (const bad of [
      { name: 'x', unit: 'y', waypoints: [{ lat: 0, lon: 0, time: 1 }] },
      {
        name: 'x',
        unit: 'y',
        waypoints: [
          { lat: 0, lon: 0, time: 2 },
          { lat: 0, lon: 1, time: 1 },
        ],
      },
      { name: '', unit: 'y', waypoints: [] },
    ])
      expect(() => parseRoute(bad, 'r')).toThrow(
        expect.objectContaining({ code: 'PARLEY_E_ROUTE_MALFORMED' }),
      );
  });
});

describe('notice against tracks (dead reckoning)', () => {
  const fire = notice({
    kind: 'live-fire',
    band: { type: 'altitude', lowerFt: 0, upperFt: 25000 },
    windows: [{ start: T0, end: T0 + 6 * H }],
  });

  it('a ship heading east at 12 kn enters at the hand-computed time', () => {
    const ship = {
      id: 'ais:1',
      name: 'OCEAN STAR',
      lat: 10.5,
      lon: 113.5,
      sog: 12,
      cog: 90,
      time: T0,
    };
    const [hit] = tracksIntoNotice(fire, [ship], { now: T0, horizonMs: 6 * H });
    // Along the parallel on WGS84 (the screen's rhumb line): N(φ) cos φ Δλ, N = a / √(1 − e² sin² φ).
    const e2 = 6.69437999014e-3;
    const s = Math.sin(10.5 * RAD);
    const nm = ((6_378_137 / Math.sqrt(1 - e2 * s * s)) * Math.cos(10.5 * RAD) * 0.5 * RAD) / 1852;
    const expected = T0 + (nm / 12) * H;
    expect(hit).toBeDefined();
    expect(Math.abs(hit!.enterAt - expected)).toBeLessThanOrEqual(2000);
    expect(hit!.lon).toBeCloseTo(114, 3);
    expect(hit!.alreadyInside).toBe(false);
    expect(hit!.lat).toBeCloseTo(10.5, 6);
  });

  it('ignores units heading away, beyond the horizon or above the band; a unit inside enters now', () => {
    const away = { id: 'a', lat: 10.5, lon: 113.5, sog: 12, cog: 270, time: T0 };
    const slow = { id: 's', lat: 10.5, lon: 113.5, sog: 1, cog: 90, time: T0 };
    const high = {
      id: 'h',
      lat: 10.5,
      lon: 114.5,
      sog: 300,
      cog: 0,
      time: T0,
      altFt: 30000,
      vsFpm: 0,
    };
    const inside = { id: 'i', lat: 10.5, lon: 114.5, sog: 0, cog: 0, time: T0 };
    const hits = tracksIntoNotice(fire, [away, slow, high, inside], { now: T0, horizonMs: 2 * H });
    expect(hits.map((h) => [h.id, h.enterAt, h.alreadyInside])).toEqual([['i', T0, true]]);
  });

  it('a descending aircraft enters when it drops into the band; a stationary ship when the window opens', () => {
    const jet = {
      id: 'j',
      lat: 10.5,
      lon: 114.5,
      sog: 0,
      cog: 0,
      time: T0,
      altFt: 30000,
      vsFpm: -1000,
    };
    const later = notice({ windows: [{ start: T0 + H, end: T0 + 2 * H }] });
    const ship = { id: 'k', lat: 10.5, lon: 114.5, sog: 0, cog: 0, time: T0 };
    const [a] = tracksIntoNotice(fire, [jet], { now: T0, horizonMs: H });
    expect(Math.abs(a!.enterAt - (T0 + 5 * MIN))).toBeLessThanOrEqual(1000);
    const [b] = tracksIntoNotice(later, [ship], { now: T0, horizonMs: 3 * H });
    expect(b!.enterAt).toBe(T0 + H);
  });

  it('across the antimeridian', () => {
    const across = notice({
      kind: 'live-fire',
      areas: [{ area: { type: 'circle', centre: { lat: -17, lon: 180 }, radius: 10, unit: 'nm' } }],
      windows: [{ start: T0, end: T0 + 6 * H }],
    });
    const ship = { id: 'w', lat: -17, lon: -179.5, sog: 15, cog: 270, time: T0 };
    const [hit] = tracksIntoNotice(across, [ship], { now: T0, horizonMs: 6 * H });
    // 0.5° of longitude minus 10 nm, along the parallel.
    const nm = (6_371_008.8 * Math.cos(17 * RAD) * 0.5 * RAD) / 1852 - 10;
    expect(Math.abs(hit!.enterAt - (T0 + (nm / 15) * H))).toBeLessThan(30_000);
  });
});

describe('tracks: the swept-box filter never changes the answer', () => {
  it('fast = naive for random tracks around random areas, across the antimeridian too', () => {
    let hits = 0;
    const track = fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      dLat: fc.double({ min: -3, max: 3, noNaN: true }),
      dLon: fc.double({ min: -3, max: 3, noNaN: true }),
      sog: fc.double({ min: 0, max: 40, noNaN: true }),
      cog: fc.double({ min: 0, max: 359.9, noNaN: true }),
      altFt: fc.option(fc.integer({ min: 0, max: 40_000 }), { nil: undefined }),
      vsFpm: fc.option(fc.integer({ min: -3000, max: 3000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.boolean(),
        fc.array(track, { minLength: 1, maxLength: 12 }),
        (lat, lon, circle, ts) => {
          const area = circle
            ? { type: 'circle', centre: { lat, lon }, radius: 20, unit: 'nm' }
            : {
                type: 'polygon',
                points: [
                  { lat, lon },
                  { lat, lon: lon + 0.6 > 180 ? lon + 0.6 - 360 : lon + 0.6 },
                  { lat: lat + 0.5, lon },
                ],
              };
          const n = notice({
            kind: 'live-fire',
            areas: [{ area }],
            band: { type: 'altitude', lowerFt: 0, upperFt: 20_000 },
            windows: [{ start: T0 + 10 * MIN, end: T0 + 3 * H }],
          });
          const tracks = ts.map((x, i) => ({
            id: `${i}${x.id}`,
            lat: Math.max(-85, Math.min(85, lat + x.dLat)),
            lon: ((lon + x.dLon + 540) % 360) - 180,
            sog: x.sog,
            cog: x.cog,
            time: T0,
            altFt: x.altFt,
            vsFpm: x.vsFpm,
          }));
          const opts = { now: T0, horizonMs: 2 * H };
          const fast = tracksIntoNotice(n, tracks, opts);
          expect(fast).toEqual(tracksIntoNoticeNaive(n, tracks, opts));
          hits += fast.length;
        },
      ),
      { numRuns: 60 },
    );
    // The runs did exercise intrusions, not only misses.
    expect(hits).toBeGreaterThan(10);
  });
});
