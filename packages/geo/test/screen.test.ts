/**
 * The screen: hand cases for each threshold and for party selection, then the contract suite
 * (STYLE.md §3): on random traffic the fast screen, the incremental index and the naive screen
 * return identical hits, and the naive screen's rejects drop nothing that putting every pair
 * through the CPA would find.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, ScreenIndex, TrackSet, cpa, screen, screenNaive } from '@parley/geo';
import type { ScreenHit, ScreenOptions, TrackReport } from '@parley/geo';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const NM_LAT = 1 / 60; // degrees of latitude per nautical mile (near enough for hand cases)

/** A report `eastNm`/`northNm` from (lat0, lon0). */
function at(
  lat0: number,
  lon0: number,
  eastNm: number,
  northNm: number,
  r: Partial<TrackReport> & { id: number },
): TrackReport {
  const lat = lat0 + northNm * NM_LAT;
  let lon = lon0 + (eastNm * NM_LAT) / Math.cos((lat0 * Math.PI) / 180);
  if (lon > 180) lon -= 360;
  if (lon < -180) lon += 360;
  return { party: 1, domain: 'surface', lat, lon, sog: 0, cog: 0, time: T0, ...r };
}

function setOf(...rs: TrackReport[]): TrackSet {
  const set = new TrackSet(2);
  for (const r of rs) set.add(r);
  return set;
}

/** Screens both ways, checks they agree, returns the hits. */
/** The air danger level alone (the default air levels add a caution, < 5 nm and < 2,000 ft). */
const DANGER_ONLY: ScreenOptions = {
  thresholds: { air: DEFAULT_THRESHOLDS.air.filter((l) => l.level === 'danger') },
};

function both(set: TrackSet, opts: ScreenOptions = {}): ScreenHit[] {
  const fast = screen(set, { now: T0, ...opts });
  const naive = screenNaive(set, { now: T0, ...opts });
  const every = screenNaive(set, { now: T0, ...opts }, { exhaustive: true });
  expect(fast).toEqual(naive);
  expect(naive).toEqual(every);
  return fast;
}

/** Two ships head-on along a parallel, `offNm` apart laterally, `gapNm` apart, 10 kn each. */
function headOn(gapNm: number, offNm: number, partyB = 2): TrackSet {
  return setOf(
    at(10, 114, 0, 0, { id: 1, sog: 10, cog: 90 }),
    at(10, 114, gapNm, offNm, { id: 2, party: partyB, sog: 10, cog: 270 }),
  );
}

describe('screen: surface thresholds', () => {
  it('caution: CPA 1 nm in 15 min', () => {
    const hits = both(headOn(5, 1));
    expect(hits).toHaveLength(1);
    const h = hits[0]!;
    expect(h).toMatchObject({ a: 1, b: 2, domain: 'surface', level: 'caution' });
    expect(h.cpaNm).toBeCloseTo(1, 1);
    expect(h.tcpaMin).toBeCloseTo(15, 0);
    expect(h.vsepFt).toBeUndefined();
  });

  it('danger: CPA 0.1 nm in 12 min', () => {
    const hits = both(headOn(4, 0.1));
    expect(hits.map((h) => h.level)).toEqual(['danger']);
  });

  it('danger only within 15 min: the same CPA 24 min out is a caution', () => {
    expect(both(headOn(8, 0.1)).map((h) => h.level)).toEqual(['caution']);
  });

  it('caution only within 30 min: 36 min out is nothing', () => {
    expect(both(headOn(12, 0.1))).toEqual([]);
  });

  it('CPA at or beyond 2 nm is nothing', () => {
    expect(both(headOn(5, 2.2))).toEqual([]);
  });

  it('already inside the threshold and opening: a caution on the present range', () => {
    const set = setOf(
      at(10, 114, 0, 0, { id: 1, sog: 10, cog: 270 }),
      at(10, 114, 1, 0, { id: 2, party: 2, sog: 10, cog: 90 }),
    );
    const hits = both(set);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.level).toBe('caution');
    expect(hits[0]!.tcpaMin).toBeLessThan(0);
    expect(hits[0]!.rangeNm).toBeCloseTo(1, 1);
  });

  it('the horizon caps every window', () => {
    expect(both(headOn(5, 1), { horizonMin: 10 })).toEqual([]);
    expect(both(headOn(5, 1), { horizonMin: 20 })).toHaveLength(1);
  });

  it('dead-reckons stale reports to now', () => {
    // Reported 10 min before now at 20 kn closing: at now they are 5 nm apart, as in the caution case.
    const set = setOf(
      at(10, 114, -10 / 6, 0, { id: 1, sog: 10, cog: 90, time: T0 - 600_000 }),
      at(10, 114, 5 + 10 / 6, 1, { id: 2, party: 2, sog: 10, cog: 270, time: T0 - 600_000 }),
    );
    const hits = both(set);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.tcpaMin).toBeCloseTo(15, 0);
  });
});

describe('screen: air thresholds', () => {
  /** Two aircraft head-on, 300 kn each, `gapNm` apart, 0.5 nm offset. */
  function air(gapNm: number, altB: number, vsB = 0): TrackSet {
    return setOf(
      at(15, 112, 0, 0, { id: 10, domain: 'air', sog: 300, cog: 90, altFt: 10_000 }),
      at(15, 112, gapNm, 0.5, {
        id: 11,
        party: 2,
        domain: 'air',
        sog: 300,
        cog: 270,
        altFt: altB,
        vsFpm: vsB,
      }),
    );
  }

  it('lateral < 1 nm and vertical < 1,000 ft within 5 min', () => {
    const hits = both(air(40, 10_500));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ a: 10, b: 11, domain: 'air', level: 'danger' });
    expect(hits[0]!.tcpaMin).toBeCloseTo(4, 1);
    expect(hits[0]!.vsepFt).toBeCloseTo(500, 6);
  });

  it('vertical ≥ 1,000 ft is not a danger: a caution below 2,000 ft, nothing from 2,000 ft', () => {
    expect(both(air(40, 11_500), DANGER_ONLY)).toEqual([]);
    expect(both(air(40, 11_500))).toMatchObject([{ level: 'caution', vsepFt: 1500 }]);
    expect(both(air(40, 12_000))).toEqual([]);
  });

  it('caution: lateral < 5 nm and vertical < 2,000 ft within 10 min (ICAO separation minima)', () => {
    // 600 kn closing: 80 nm is 8 min out (a caution), 110 nm is 11 min (nothing).
    expect(both(air(80, 11_900))).toMatchObject([{ level: 'caution', domain: 'air' }]);
    expect(both(air(110, 10_000))).toEqual([]);
    const set = setOf(
      at(15, 112, 0, 0, { id: 10, domain: 'air', sog: 300, cog: 90, altFt: 10_000 }),
      at(15, 112, 40, 4.9, { id: 11, party: 2, domain: 'air', sog: 300, cog: 270, altFt: 10_000 }),
    );
    expect(both(set)).toMatchObject([{ level: 'caution' }]);
  });

  it('a descent into the other level counts at the CPA', () => {
    const hits = both(air(40, 12_000, -500)); // 2,000 ft down in 4 min
    expect(hits).toHaveLength(1);
    expect(hits[0]!.vsepFt!).toBeLessThan(50);
  });

  it('beyond 5 min is not a danger', () => {
    expect(both(air(60, 10_000), DANGER_ONLY)).toEqual([]);
    expect(both(air(60, 10_000))).toMatchObject([{ level: 'caution' }]);
  });

  it('lateral ≥ 1 nm is nothing', () => {
    const set = setOf(
      at(15, 112, 0, 0, { id: 10, domain: 'air', sog: 300, cog: 90, altFt: 10_000 }),
      at(15, 112, 40, 1.3, { id: 11, party: 2, domain: 'air', sog: 300, cog: 270, altFt: 10_000 }),
    );
    expect(both(set, DANGER_ONLY)).toEqual([]);
    expect(both(set)).toMatchObject([{ level: 'caution' }]);
  });

  it('a helicopter low over a ship is an air encounter; unknown altitude counts', () => {
    const ship = at(18, 110, 0, 0, { id: 1, sog: 12, cog: 0 });
    const helo = at(18, 110, 0, 3, {
      id: 2,
      party: 2,
      domain: 'air',
      sog: 90,
      cog: 180,
      altFt: 300,
    });
    expect(both(setOf(ship, helo)).map((h) => [h.domain, h.level])).toEqual([['air', 'danger']]);
    const high = { ...helo, altFt: 5000 };
    expect(both(setOf(ship, high))).toEqual([]);
    const unknown: TrackReport = { ...helo };
    delete unknown.altFt;
    expect(both(setOf(ship, unknown))).toHaveLength(1);
  });

  it('aircraft above the surface by the vertical threshold, descending into it, or on levels without one', () => {
    // The full screen never pairs units on the surface with aircraft that stay high above it:
    // each case is checked against the naive screen and every pair through the CPA (`both`).
    const ship = at(18, 110, 0, 0, { id: 1, sog: 12, cog: 0 });
    const plane = (altFt: number, vsFpm = 0) =>
      at(18, 110, 0, 3, { id: 2, party: 2, domain: 'air', sog: 90, cog: 180, altFt, vsFpm });
    expect(both(setOf(ship, plane(999)), DANGER_ONLY)).toHaveLength(1);
    expect(both(setOf(ship, plane(1001)), DANGER_ONLY)).toEqual([]);
    expect(both(setOf(ship, plane(1500)), DANGER_ONLY)).toEqual([]);
    // With the default caution level, 2,000 ft: 1,500 ft is a caution, 2,001 ft nothing.
    expect(both(setOf(ship, plane(1500)))).toMatchObject([{ level: 'caution' }]);
    expect(both(setOf(ship, plane(2001)))).toEqual([]);
    // From 2,500 ft down at 1,000 ft/min: about 750 ft at the CPA, 1.8 min out.
    expect(both(setOf(ship, plane(2500, -1000)), DANGER_ONLY)).toHaveLength(1);
    // Not low enough within the window: past the CPA it is still above 1,000 ft.
    expect(both(setOf(ship, plane(30_000, -1000)), DANGER_ONLY)).toEqual([]);
    // A party pair whose air level has no vertical threshold: any altitude meets it.
    const lateral = { air: [{ level: 'danger' as const, cpaNm: 1, withinMin: 5 }] };
    expect(both(setOf(ship, plane(35_000)), { thresholds: lateral })).toHaveLength(1);
    expect(both(setOf(ship, plane(35_000)), { agreement: () => lateral })).toHaveLength(1);
  });
});

describe('screen: parties and agreements', () => {
  it('same-party pairs are not screened by default', () => {
    expect(both(headOn(5, 1, 1))).toEqual([]);
  });

  it('configured party pairs: [1, 1] screens a party against itself', () => {
    expect(both(headOn(5, 1, 1), { partyPairs: [[1, 1]] })).toHaveLength(1);
    expect(both(headOn(5, 1, 2), { partyPairs: [[1, 1]] })).toEqual([]);
    expect(both(headOn(5, 1, 2), { partyPairs: [[2, 1]] })).toHaveLength(1);
    expect(both(headOn(5, 1, 2), { partyPairs: [[1, 3]] })).toEqual([]);
  });

  it('a channel agreement replaces the thresholds of its party pair', () => {
    const set = headOn(5, 3);
    expect(both(set)).toEqual([]);
    const calls: [number, number][] = [];
    const agreement = (p: number, q: number) => {
      calls.push([p, q]);
      return p === 1 && q === 2
        ? { surface: [{ level: 'caution' as const, cpaNm: 5, withinMin: 30 }] }
        : undefined;
    };
    const hits = both(set, { agreement });
    expect(hits.map((h) => h.level)).toEqual(['caution']);
    expect(calls.every(([p, q]) => p <= q)).toBe(true);
  });

  it('a screen run inside an agreement callback does not disturb the outer one', () => {
    // The full screen keeps its arrays between calls; a nested call must get its own. The inner
    // set numbers its parties differently slot by slot, so sharing would show.
    const inner = setOf(
      at(10, 114, 0, 0, { id: 1, sog: 10, cog: 90 }),
      at(10, 114, 0, 0.5, { id: 2, sog: 10, cog: 90 }),
      at(10, 114, 5, 1, { id: 3, party: 2, sog: 10, cog: 270 }),
    );
    const innerHits = both(inner);
    const nested: number[] = [];
    const agreement = () => {
      nested.push(screen(inner, { now: T0 }).length);
      return undefined;
    };
    const outer = headOn(4, 0.1);
    expect(both(outer, { agreement }).map((h) => h.level)).toEqual(['danger']);
    expect(nested.length).toBeGreaterThan(0);
    expect(nested.every((k) => k === innerHits.length)).toBe(true);
  });

  it('hits are sorted by (a, b) with a < b, whatever the insertion order', () => {
    const set = setOf(
      at(10, 114, 5, 1, { id: 9, party: 2, sog: 10, cog: 270 }),
      at(10, 114, 0, 0, { id: 7, sog: 10, cog: 90 }),
      at(10, 114, 0, 0.5, { id: 3, party: 3, sog: 0, cog: 0 }),
    );
    const hits = both(set);
    expect(hits.length).toBeGreaterThan(1);
    for (const h of hits) expect(h.a).toBeLessThan(h.b);
    const keys = hits.map((h) => [h.a, h.b]);
    expect(keys).toEqual([...keys].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!));
  });

  it('across the antimeridian', () => {
    const set = setOf(
      at(-16, 179.98, 0, 0, { id: 1, sog: 10, cog: 90 }),
      at(-16, -179.95, 0, 0.3, { id: 2, party: 2, sog: 10, cog: 270 }),
    );
    expect(both(set).map((h) => h.level)).toEqual(['caution']);
  });

  it('rejects bad options with the bad value', () => {
    expect(() => screen(headOn(5, 1), { horizonMin: -1 })).toThrow(/horizonMin -1/);
    expect(() =>
      screen(headOn(5, 1), {
        thresholds: { surface: [{ level: 'caution', cpaNm: 0, withinMin: 1 }] },
      }),
    ).toThrow(/cpaNm 0/);
    expect(() => screen(headOn(5, 1), { partyPairs: [[1, -2]] })).toThrow(/party pair/);
  });
});

describe('TrackSet', () => {
  it('adds, updates, removes by id and grows its capacity', () => {
    const set = new TrackSet(1);
    for (let i = 0; i < 5; i++) set.add(at(10, 114, i, 0, { id: 100 + i }));
    expect(set.size).toBe(5);
    expect(set.capacity).toBeGreaterThanOrEqual(5);
    expect(() => set.add(at(10, 114, 0, 0, { id: 101 }))).toThrow(/already/);
    set.update({ ...set.get(102)!, sog: 12 });
    expect(set.get(102)!.sog).toBe(12);
    expect(set.remove(101)).toEqual({ from: 4, to: 1 });
    expect(set.get(104)!.id).toBe(104);
    expect(set.slotOf(104)).toBe(1);
    expect(set.has(101)).toBe(false);
    expect(set.remove(101)).toBeUndefined();
    expect(() => set.update(at(10, 114, 0, 0, { id: 101 }))).toThrow(/not in the set/);
    expect(() => set.upsert(at(10, 114, 0, 0, { id: 1, lat: 91 }))).toThrow(/lat 91/);
    expect(() => set.upsert(at(10, 114, 0, 0, { id: 1, sog: -1 }))).toThrow(/sog -1/);
  });

  it('dead-reckons along course and speed', () => {
    const set = setOf(at(0, 100, 0, 0, { id: 1, sog: 60, cog: 90 }));
    const m = set.motionAt(1, T0 + 3_600_000)!;
    expect(m.lat).toBeCloseTo(0, 9);
    const hourDeg = (60 * 1852) / ((6378137 * Math.PI) / 180); // 60 nm along the equator
    expect(m.lon).toBeCloseTo(100 + hourDeg, 9);
    const wrap = setOf(at(0, 179.9, 0, 0, { id: 2, sog: 60, cog: 90 }));
    expect(wrap.motionAt(2, T0 + 3_600_000)!.lon).toBeCloseTo(179.9 + hourDeg - 360, 9);
  });
});

// ---------------------------------------------------------------------------------------------
// The contract: fast = naive = every pair to the CPA, on random clustered traffic.

const regime = fc.constantFrom('open', 'antimeridian', 'high', 'polar', 'open');

/**
 * Uniform in [min, max]: `fc.double` spreads over bit patterns, not values (most draws land near
 * 0), which would pile every track onto one point.
 */
const uniform = (min: number, max: number) =>
  fc.noBias(fc.integer({ min: 0, max: 2 ** 30 })).map((i) => min + ((max - min) * i) / 2 ** 30);

const track = fc.record({
  dx: uniform(-1, 1),
  dy: uniform(-1, 1),
  party: fc.integer({ min: 0, max: 3 }),
  air: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
  still: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  speed: uniform(0, 1),
  cog: fc.oneof(uniform(0, 360), fc.constantFrom(0, 90, 180, 270, 360)),
  alt: fc.option(fc.integer({ min: 0, max: 40 }), { freq: 6 }),
  vs: fc.constantFrom(0, 0, 0, -1500, 800),
  ageS: fc.integer({ min: 0, max: 180 }),
  same: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});

const scenario = fc.record({
  regime,
  lat: uniform(-1, 1),
  lon: uniform(-180, 180),
  // Log-uniform 0.3…300 nm: from everyone-on-top-of-everyone to sparse, boundary cases between.
  spreadNm: uniform(0, 1).map((u) => 0.3 * 1000 ** u),
  tracks: fc.array(track, { maxLength: 300, size: 'max' }),
  horizon: fc.constantFrom(30, 30, 10, 60, 90),
  pairs: fc.constantFrom('default', 'list', 'agreement', 'long'),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

function build(sc: Scenario): { set: TrackSet; opts: ScreenOptions } {
  let lat0: number;
  let lon0: number;
  switch (sc.regime) {
    case 'antimeridian':
      lat0 = sc.lat * 50;
      lon0 = sc.lon >= 0 ? 179.5 + sc.lon / 360 : -179.5 + sc.lon / 360;
      break;
    case 'high':
      lat0 = Math.sign(sc.lat || 1) * (60 + Math.abs(sc.lat) * 25);
      lon0 = sc.lon;
      break;
    case 'polar':
      lat0 = Math.sign(sc.lat || 1) * (85 + Math.abs(sc.lat) * 4.9);
      lon0 = sc.lon;
      break;
    default:
      lat0 = sc.lat * 60;
      lon0 = sc.lon;
  }
  const set = new TrackSet(8);
  let prev: TrackReport | undefined;
  sc.tracks.forEach((t, i) => {
    const lat = Math.max(-90, Math.min(90, lat0 + t.dy * sc.spreadNm * NM_LAT));
    const c = Math.max(0.02, Math.cos((lat * Math.PI) / 180));
    let lon = lon0 + (t.dx * sc.spreadNm * NM_LAT) / c;
    lon = ((((lon + 180) % 360) + 360) % 360) - 180;
    const sog = t.still ? 0 : t.air ? 60 + t.speed * 440 : t.speed * 35;
    const r: TrackReport = {
      id: 1000 + ((i * 7919) % 100_003),
      party: t.party,
      domain: t.air ? 'air' : 'surface',
      lat: t.same && prev ? prev.lat : lat,
      lon: t.same && prev ? prev.lon : lon,
      sog,
      cog: t.cog,
      time: T0 - t.ageS * 1000,
    };
    if (t.air && t.alt !== null) {
      r.altFt = t.alt * 500;
      r.vsFpm = t.vs;
    }
    set.upsert(r);
    prev = r;
  });
  const opts: ScreenOptions = { now: T0, horizonMin: sc.horizon };
  // Windows past 30 min: the full screen cuts its boxes into more than one time slice.
  if (sc.pairs === 'long')
    opts.thresholds = {
      surface: [
        { level: 'danger', cpaNm: 0.25, withinMin: 15 },
        { level: 'caution', cpaNm: 2, withinMin: 75 },
      ],
      air: [{ level: 'danger', cpaNm: 1, withinMin: 40, vsepFt: 1000 }],
    };
  if (sc.pairs === 'list')
    opts.partyPairs = [
      [0, 1],
      [2, 2],
      [3, 1],
    ];
  if (sc.pairs === 'agreement')
    opts.agreement = (p, q) =>
      p === 0 && q === 2
        ? {
            surface: [{ level: 'caution', cpaNm: 4, withinMin: 45 }],
            air: [{ level: 'caution', cpaNm: 3, withinMin: 8, vsepFt: 2000 }],
          }
        : undefined;
  return { set, opts };
}

describe('screen = screenNaive (property)', () => {
  it('identical hits on random clustered traffic, antimeridian and high latitudes included', () => {
    const tally = { hits: 0, surface: 0, air: 0, danger: 0, scenarios: 0 };
    fc.assert(
      fc.property(scenario, (sc) => {
        const { set, opts } = build(sc);
        const fast = screen(set, opts);
        const naive = screenNaive(set, opts);
        expect(fast).toEqual(naive);
        expect(naive).toEqual(screenNaive(set, opts, { exhaustive: true }));
        const ordered = fast.every(
          (h, i) =>
            h.a < h.b &&
            (i === 0 || fast[i - 1]!.a < h.a || (fast[i - 1]!.a === h.a && fast[i - 1]!.b < h.b)),
        );
        expect(ordered).toBe(true);
        // The screen's numbers are `cpa()`'s on the dead-reckoned motions, to the last bit.
        for (const h of fast) {
          const c = cpa(set.motionAt(h.a, T0)!, set.motionAt(h.b, T0)!);
          expect([h.cpaNm, h.tcpaMin, h.rangeNm]).toEqual([c.cpaNm, c.tcpaMin, c.rangeNm]);
        }
        tally.scenarios++;
        tally.hits += fast.length;
        for (const h of fast) {
          tally[h.domain]++;
          if (h.level === 'danger') tally.danger++;
        }
      }),
      { seed: 20250601, numRuns: 300 },
    );
    // The traffic is dense enough that the equality is not vacuous.
    expect(tally.hits).toBeGreaterThan(5000);
    expect(tally.air).toBeGreaterThan(100);
    expect(tally.danger).toBeGreaterThan(100);
  });

  it('the incremental index equals the naive screen as reports arrive', () => {
    const tally = { queries: 0, rebuilds: 0 };
    fc.assert(
      fc.property(
        scenario,
        fc.array(
          fc.record({
            pick: fc.nat(),
            // Mostly within the index's 5-minute slack, so its overlay serves; now and then past it.
            dMin: fc.oneof(
              { arbitrary: uniform(0, 1), weight: 5 },
              { arbitrary: uniform(0, 8), weight: 1 },
            ),
            cog: uniform(0, 360),
            sog: uniform(0, 40),
            kind: fc.constantFrom('move', 'move', 'move', 'remove', 'party'),
            query: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (sc, updates) => {
          const { set, opts } = build(sc);
          const index = new ScreenIndex(set, { ...opts, maxDirty: 8 });
          let now = T0;
          expect(index.screen(now)).toEqual(screenNaive(set, { ...opts, now }));
          const reported = new Set<number>();
          updates.forEach((u, k) => {
            if (set.size === 0) return;
            now += u.dMin * 60_000;
            const id = set.ids[u.pick % set.size]!;
            const r = set.get(id)!;
            if (u.kind === 'remove') {
              index.remove(id);
              reported.delete(id);
            } else {
              index.upsert({
                ...r,
                ...set.motionAt(id, now),
                cog: u.cog,
                sog: r.domain === 'air' ? r.sog : u.sog,
                party: u.kind === 'party' ? (r.party + 1) % 5 : r.party,
                time: now,
              });
              reported.add(id);
            }
            if (!u.query && k < updates.length - 1) return;
            const naive = screenNaive(set, { ...opts, now });
            for (const rid of reported)
              expect(index.hitsFor(rid, now)).toEqual(
                naive.filter((h) => h.a === rid || h.b === rid),
              );
            expect(index.screen(now)).toEqual(naive);
            reported.clear();
            tally.queries++;
          });
          tally.rebuilds += Math.max(0, index.rebuilds - 1);
        },
      ),
      { seed: 7, numRuns: 80 },
    );
    // The overlay, not a rebuild, answered most queries.
    expect(tally.rebuilds).toBeLessThan(tally.queries / 2);
  });
});
