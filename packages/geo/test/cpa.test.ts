/**
 * CPA: hand cases, then the fast method (`cpa.ts`) against a slow reference.
 *
 * The reference propagates each unit along its rhumb line on WGS84 exactly: the meridian arc from
 * Helmert's series, inverted by Newton's method, and Δλ = tan θ · Δψ from the isometric latitude.
 * It measures the separation with GeographicLib's geodesic inverse (`geographiclib-geodesic`,
 * which has no Rhumb class) and minimises over time: a 1-minute scan, then golden-section search.
 * The propagation is cross-checked twice: against the waypoints in GeographicLib's RhumbSolve(1)
 * manual (EXAMPLES), and against a rhumb line built from many short geodesics.
 */
import fc from 'fast-check';
import geodesicLib from 'geographiclib-geodesic';
import { afterAll, describe, expect, it } from 'vitest';
import { isParleyError } from '@parley/core';
import {
  BEARING_DEG,
  CPA_NM,
  CPA_OUT_LENGTH,
  RANGE_NM,
  TCPA_MIN,
  cpa,
  cpaInto,
  parseMotion,
} from '@parley/geo';
import type { Motion } from '@parley/geo';

const WGS84 = geodesicLib.Geodesic.WGS84;
const NM = 1852;
const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;

// ---------------------------------------------------------------------------------------------
// The slow reference: exact rhumb-line propagation on WGS84.

const A = 6_378_137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const N3 = F / (2 - F); // third flattening n

/** Meridian arc from the equator, metres: Helmert's series in n, truncated at n⁴ (error < 1 µm). */
function meridianArc(phi: number): number {
  const n2 = N3 * N3;
  return (
    (A / (1 + N3)) *
    ((1 + n2 / 4 + (n2 * n2) / 64) * phi -
      1.5 * (N3 - (N3 * n2) / 8) * Math.sin(2 * phi) +
      (15 / 16) * (n2 - (n2 * n2) / 4) * Math.sin(4 * phi) -
      (35 / 48) * N3 * n2 * Math.sin(6 * phi) +
      (315 / 512) * n2 * n2 * Math.sin(8 * phi))
  );
}

function meridianRadius(phi: number): number {
  const w = 1 - E2 * Math.sin(phi) ** 2;
  return (A * (1 - E2)) / w ** 1.5;
}

function parallelRadius(phi: number): number {
  return (A * Math.cos(phi)) / Math.sqrt(1 - E2 * Math.sin(phi) ** 2);
}

function isometric(phi: number): number {
  const s = Math.sin(phi);
  return Math.atanh(s) - E * Math.atanh(E * s);
}

/** Latitude whose meridian arc is m: Newton's method, dm/dφ = M(φ). */
function latitudeFromArc(m: number): number {
  let phi = m / meridianRadius(0);
  for (let i = 0; i < 20; i++) {
    const d = (meridianArc(phi) - m) / meridianRadius(phi);
    phi -= d;
    if (Math.abs(d) < 1e-15) break;
  }
  return phi;
}

/** The rhumb-line direct problem: from (lat, lon) on course `azi` (degrees) for s metres. */
function rhumbDirect(lat: number, lon: number, azi: number, s: number): [number, number] {
  const phi1 = lat * RAD;
  const th = azi * RAD;
  const dm = s * Math.cos(th);
  const phi2 = latitudeFromArc(meridianArc(phi1) + dm);
  const dphi = phi2 - phi1;
  const dlam =
    Math.abs(dphi) < 1e-7
      ? (s * Math.sin(th)) / parallelRadius(0.5 * (phi1 + phi2)) // dψ/dm = 1/(N cos φ)
      : ((s * Math.sin(th)) / dm) * (isometric(phi2) - isometric(phi1)); // tan θ · Δψ
  return [phi2 * DEG, lon + dlam * DEG];
}

/** Where a unit is after t minutes on its rhumb line. */
function positionAt(u: Motion, t: number): [number, number] {
  return rhumbDirect(u.lat, u.lon, u.cog, ((u.sog * NM) / 60) * t);
}

function geodesicDistance(lat1: number, lon1: number, lat2: number, lon2: number): number {
  return WGS84.Inverse(lat1, lon1, lat2, lon2).s12!;
}

interface RefCpa {
  cpaM: number;
  tcpaMin: number;
  rangeM: number;
  /** True when the minimum lies strictly inside the searched window. */
  interior: boolean;
}

/** The slow reference CPA: scan [−window, window] minutes every minute, then golden section. */
function referenceCpa(a: Motion, b: Motion, window = 120): RefCpa {
  const dist = (t: number): number => {
    const [la, oa] = positionAt(a, t);
    const [lb, ob] = positionAt(b, t);
    return geodesicDistance(la, oa, lb, ob);
  };
  let bestT = -window;
  let best = Infinity;
  for (let t = -window; t <= window; t += 1) {
    const d = dist(t);
    if (d < best) {
      best = d;
      bestT = t;
    }
  }
  let lo = Math.max(-window, bestT - 1);
  let hi = Math.min(window, bestT + 1);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = dist(x1);
  let f2 = dist(x2);
  for (let i = 0; i < 50; i++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = dist(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = dist(x2);
    }
  }
  const t = 0.5 * (lo + hi);
  const d = Math.min(dist(t), best);
  return {
    cpaM: d,
    tcpaMin: d === best ? bestT : t,
    rangeM: dist(0),
    interior: Math.abs(t) < window - 0.5,
  };
}

/** The point `nm` nautical miles from (lat, lon) along the geodesic of azimuth `azi`. */
function offset(lat: number, lon: number, azi: number, nm: number): { lat: number; lon: number } {
  const r = WGS84.Direct(lat, lon, azi, nm * NM);
  let lon2 = r.lon2!;
  if (lon2 > 180) lon2 -= 360;
  if (lon2 <= -180) lon2 += 360;
  return { lat: r.lat2!, lon: lon2 };
}

/** The fast answer must meet the bound against the reference. */
function expectNearReference(a: Motion, b: Motion): void {
  const fast = cpa(a, b);
  const ref = referenceCpa(a, b);
  const bound = Math.max(0.001 * ref.rangeM, 10);
  expect(Math.abs(fast.cpaNm * NM - ref.cpaM)).toBeLessThanOrEqual(bound);
  expect(Math.abs(fast.rangeNm * NM - ref.rangeM)).toBeLessThanOrEqual(bound);
}

describe('reference rhumb line (cross-checks of the test oracle)', () => {
  it('the quarter meridian of WGS84 is 10 001 965.729 m', () => {
    expect(meridianArc(Math.PI / 2)).toBeCloseTo(10_001_965.7293, 3);
    expect(latitudeFromArc(meridianArc(0.7))).toBeCloseTo(0.7, 14);
  });

  it('matches the RhumbSolve(1) waypoints JFK → Singapore every 2000 km', () => {
    // GeographicLib RhumbSolve(1) manual, EXAMPLES: -L 40:38:23N 073:46:44W 103:34:58.2.
    const dms = (d: number, m: number, s: number) => d + m / 60 + s / 3600;
    const lat1 = dms(40, 38, 23);
    const lon1 = -dms(73, 46, 44);
    const azi = dms(103, 34, 58.2);
    const waypoints: [number, number, number][] = [
      [2e6, dms(36, 24, 30.3), -dms(51, 28, 26.4)],
      [4e6, dms(32, 10, 26.8), -dms(30, 20, 57.3)],
      [6e6, dms(27, 56, 13.2), -dms(10, 10, 54.2)],
      [8e6, dms(23, 41, 50.1), dms(9, 12, 45.5)],
    ];
    for (const [s, lat, lon] of waypoints) {
      const [la, lo] = rhumbDirect(lat1, lon1, azi, s);
      // Printed to 0.1″; the azimuth's own 0.05″ rounding moves the point < 2 m by 8000 km.
      expect(Math.abs(la - lat) * 3600).toBeLessThan(0.1);
      expect(Math.abs(lo - lon) * 3600 * Math.cos(lat * RAD)).toBeLessThan(0.1);
    }
  });

  it('matches a rhumb line built from 4000 short geodesics at 60°N', () => {
    for (const azi of [0, 45, 89.9, 90, 135, 200, 271, 315]) {
      const s = 35 * NM;
      const steps = 4000;
      let lat = 60;
      let lon = 10;
      for (let i = 0; i < steps; i++) {
        const r = WGS84.Direct(lat, lon, azi, s / steps);
        lat = r.lat2!;
        lon = r.lon2!;
      }
      const [la, lo] = rhumbDirect(60, 10, azi, s);
      expect(geodesicDistance(la, lo, lat, lon)).toBeLessThan(0.5);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('cpa: hand cases', () => {
  it('head-on on the equator: 10 nm apart closing at 20 kn meet in 30 min', () => {
    const b = offset(0, 0, 90, 10);
    const r = cpa({ lat: 0, lon: 0, sog: 10, cog: 90 }, { ...b, sog: 10, cog: 270 });
    expect(r.rangeNm).toBeCloseTo(10, 6);
    expect(r.tcpaMin).toBeCloseTo(30, 4);
    expect(r.cpaNm).toBeLessThan(1e-6);
    expect(r.bearingDeg).toBeCloseTo(90, 6);
    expect(r.vsepFt).toBeUndefined();
  });

  it('crossing at right angles: relative (6 E, 7 N) nm, closing (−12, −12) kn', () => {
    // Plane answer: tcpa = 13·12/(2·12²)·60 = 32.5 min, cpa = |6 − 7|/√2 = 0.7071 nm.
    const b = offset(0, 0, Math.atan2(6, 7) * DEG, Math.hypot(6, 7));
    const a: Motion = { lat: 0, lon: 0, sog: 12, cog: 0 };
    const r = cpa(a, { ...b, sog: 12, cog: 270 });
    expect(r.rangeNm).toBeCloseTo(Math.hypot(6, 7), 4);
    expect(r.tcpaMin).toBeCloseTo(32.5, 1);
    expect(r.cpaNm).toBeCloseTo(Math.SQRT1_2, 3);
    expect(r.bearingDeg).toBeCloseTo(Math.atan2(6, 7) * DEG, 3);
    expectNearReference(a, { ...b, sog: 12, cog: 270 });
  });

  it('overtaking: 16 kn from 2 nm astern, 0.1 nm to starboard of a 10 kn ship', () => {
    const a: Motion = { lat: 35, lon: 140, sog: 10, cog: 0 };
    const b: Motion = {
      ...offset(35, 140, Math.atan2(0.1, -2) * DEG, Math.hypot(0.1, 2)),
      sog: 16,
      cog: 0,
    };
    const r = cpa(a, b);
    expect(r.tcpaMin).toBeCloseTo(20, 1); // 2 nm at 6 kn
    expect(r.cpaNm).toBeCloseTo(0.1, 3);
    expect(r.bearingDeg).toBeCloseTo(180 - Math.atan2(0.1, 2) * DEG, 2);
    expectNearReference(a, b);
  });

  it('parallel tracks at equal speed: tcpa 0 and cpa the current range', () => {
    const a: Motion = { lat: 50, lon: -30, sog: 15, cog: 45 };
    const b: Motion = { ...offset(50, -30, 135, 3), sog: 15, cog: 45 };
    const r = cpa(a, b);
    expect(r.tcpaMin).toBe(0);
    expect(r.cpaNm).toBe(r.rangeNm);
    expect(r.rangeNm).toBeCloseTo(3, 4);
    // Both stopped: the same.
    const s = cpa({ ...a, sog: 0 }, { ...b, sog: 0, cog: 200 });
    expect(s.tcpaMin).toBe(0);
    expect(s.cpaNm).toBe(s.rangeNm);
  });

  it('diverging: the closest point was 15 min ago (negative tcpa), at distance 0', () => {
    const a: Motion = { lat: -20, lon: 60, sog: 10, cog: 180 };
    const b: Motion = { ...offset(-20, 60, 0, 5), sog: 10, cog: 0 };
    const r = cpa(a, b);
    expect(r.tcpaMin).toBeCloseTo(-15, 2);
    expect(r.cpaNm).toBeLessThan(1e-3);
    expect(r.rangeNm).toBeCloseTo(5, 4);
    expect(r.bearingDeg).toBeCloseTo(0, 6);
  });

  it('identical positions: range 0, cpa 0, tcpa 0, bearing 0', () => {
    const p = { lat: 12.5, lon: -45.25 };
    for (const [ca, cb] of [
      [10, 100],
      [10, 10],
    ] as const) {
      const r = cpa({ ...p, sog: 12, cog: ca }, { ...p, sog: 8, cog: cb });
      expect(r).toEqual({ cpaNm: 0, tcpaMin: 0, rangeNm: 0, bearingDeg: 0 });
    }
  });

  it('across the antimeridian: 179.9E and 179.9W are 12 nm apart, not 21 600', () => {
    const range = (A * 0.2 * RAD) / NM; // on the equator the parallel is the geodesic
    const a: Motion = { lat: 0, lon: 179.9, sog: 10, cog: 90 };
    const b: Motion = { lat: 0, lon: -179.9, sog: 10, cog: 270 };
    const r = cpa(a, b);
    expect(r.rangeNm).toBeCloseTo(range, 6);
    expect(r.bearingDeg).toBeCloseTo(90, 6);
    expect(r.tcpaMin).toBeCloseTo((range / 20) * 60, 4);
    expect(r.cpaNm).toBeLessThan(1e-6);
    const back = cpa(b, a);
    expect(back.bearingDeg).toBeCloseTo(270, 6);
    // And at 40°S, obliquely, against the reference.
    const c: Motion = { lat: -40, lon: 179.95, sog: 18, cog: 120 };
    const d: Motion = { lat: -40.1, lon: -179.8, sog: 14, cog: 300 };
    expectNearReference(c, d);
    expect(cpa(c, d).bearingDeg).toBeGreaterThan(90);
  });

  it('Gaven Reef, 30 Sep 2018: a destroyer crossing 45 yd ahead of another', () => {
    // USS Decatur (DDG-73) and PRC Lanzhou (170) near Gaven Reef, Spratly Islands. The US Navy
    // reported the closest approach, 45 yd, off Decatur's bow. It published no track data, so
    // these numbers are a reconstruction. Decatur steers 150° at 12 kn. Lanzhou, 0.66 nm away
    // abaft her port beam, steers 190° at 20 kn and crosses ahead of her.
    const decatur: Motion = { lat: 10.2083, lon: 114.225, sog: 12, cog: 150 };
    const lanzhou: Motion = { lat: 10.215823, lon: 114.233269, sog: 20, cog: 190 };
    const r = cpa(decatur, lanzhou);
    expect(r.cpaNm * NM * 1.0936).toBeCloseTo(45, -1); // 45 ± 5 yd
    expect(r.tcpaMin).toBeCloseTo(3, 1);
    expect(r.rangeNm).toBeCloseTo(0.664, 3);
    expect(r.bearingDeg).toBeCloseTo(47.4, 1); // abaft Decatur's port beam
    expectNearReference(decatur, lanzhou);
  });

  it('aircraft: head-on at 480 kn, one climbing 2000 ft/min through the other’s level', () => {
    const a: Motion = { lat: 25, lon: 121, sog: 480, cog: 90, altFt: 30_000, vsFpm: 0 };
    // B flies the same parallel (a geodesic from A would end 200 m south of it), 40 nm east.
    const dlon = ((40 * NM) / parallelRadius(25 * RAD)) * DEG;
    const b: Motion = { lat: 25, lon: 121 + dlon, sog: 480, cog: 270, altFt: 26_000, vsFpm: 2000 };
    const r = cpa(a, b);
    expect(r.tcpaMin).toBeCloseTo(2.5, 2); // 40 nm at 960 kn
    expect(r.cpaNm).toBeLessThan(1e-6);
    expect(r.vsepFt).toBeCloseTo(1000, 0); // 26 000 + 2.5 × 2000 = 31 000
    // Level, no vertical rate given: the separation now.
    expect(cpa({ ...a, vsFpm: undefined }, { ...b, vsFpm: undefined }).vsepFt).toBe(4000);
    // Only one altitude: no vertical separation.
    expect(cpa(a, { ...b, altFt: undefined, vsFpm: undefined }).vsepFt).toBeUndefined();
  });

  it('at 60°N meridian convergence matters: the refined answer meets the bound', () => {
    // B starts 24.7 nm north and steers 135° at 35 kn; A steers east at 25 kn. Their east rates
    // differ with latitude by tan φ·Δφ, which a straight line in one plane does not see: that
    // alone misses by 68 m, against a bound of 46 m.
    const a: Motion = { lat: 60, lon: 10, sog: 25, cog: 90 };
    const b: Motion = { ...offset(60, 10, 0, 24.7), sog: 35, cog: 135 };
    expectNearReference(a, b);
  });

  it('cpaInto writes the same numbers as cpa into its slots', () => {
    const out = new Float64Array(CPA_OUT_LENGTH);
    cpaInto(out, 10.2083, 114.225, 12, 150, 10.215823, 114.233269, 20, 190);
    const r = cpa(
      { lat: 10.2083, lon: 114.225, sog: 12, cog: 150 },
      { lat: 10.215823, lon: 114.233269, sog: 20, cog: 190 },
    );
    expect([out[CPA_NM], out[TCPA_MIN], out[RANGE_NM], out[BEARING_DEG]]).toEqual([
      r.cpaNm,
      r.tcpaMin,
      r.rangeNm,
      r.bearingDeg,
    ]);
  });

  it('stays finite at the poles and on the antimeridian (degraded, not NaN)', () => {
    const cases: [Motion, Motion][] = [
      [
        { lat: 90, lon: 0, sog: 10, cog: 0 },
        { lat: 89.9, lon: 180, sog: 20, cog: 90 },
      ],
      [
        { lat: -90, lon: -180, sog: 0, cog: 360 },
        { lat: -89, lon: 180, sog: 35, cog: 180 },
      ],
      [
        { lat: 0, lon: 180, sog: 10000, cog: 0 },
        { lat: 0, lon: -180, sog: 0, cog: 0 },
      ],
    ];
    for (const [a, b] of cases) {
      const r = cpa(a, b);
      for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** Worst errors over the property run (print them with CPA_STATS=1). */
const stats = {
  runs: 0,
  compared: 0,
  maxErrM: 0,
  /** The worst error as a fraction of the range, over ranges ≥ 10 km (where 0.1 % ≥ 10 m). */
  maxErrFrac: 0,
  maxTcpaErrMin: 0,
  maxRangeErrM: 0,
  maxBearingErrDeg: 0,
  /** Pairs whose reference minimum lies at the edge of its window (not compared). */
  excluded: 0,
};
afterAll(() => {
  if (process.env['CPA_STATS']) console.log(JSON.stringify(stats));
});

interface PairSpec {
  latA: number;
  lonA: number;
  sogA: number;
  cogA: number;
  sogB: number;
  cogB: number;
  /** The CPA distance as a fraction of 50 nm. */
  missFrac: number;
  side: number;
  /** tcpa as a fraction of what 60 min and a 50 nm range allow. */
  tFrac: number;
  /** Where B lies when the pair has no relative motion. */
  azimuth: number;
}

/**
 * Builds a pair with the wanted CPA and tcpa (in a plane: the reference decides the truth) and
 * checks the fast answer against the reference.
 */
function checkAgainstReference(p: PairSpec): void {
  stats.runs++;
  // Relative velocity (east, north), knots.
  const we = p.sogB * Math.sin(p.cogB * RAD) - p.sogA * Math.sin(p.cogA * RAD);
  const wn = p.sogB * Math.cos(p.cogB * RAD) - p.sogA * Math.cos(p.cogA * RAD);
  const w = Math.hypot(we, wn);
  const miss = p.missFrac * 50;
  let re: number;
  let rn: number;
  if (w < 1e-6) {
    re = miss * Math.sin(p.azimuth * RAD);
    rn = miss * Math.cos(p.azimuth * RAD);
  } else {
    const tMax = Math.min(60, (Math.sqrt(50 * 50 - miss * miss) / w) * 60);
    const t = p.tFrac * tMax;
    re = (p.side * -wn * miss) / w - (we * t) / 60;
    rn = (p.side * we * miss) / w - (wn * t) / 60;
  }
  const range = Math.hypot(re, rn);
  const b = offset(p.latA, p.lonA, Math.atan2(re, rn) * DEG, range);
  const ma: Motion = { lat: p.latA, lon: p.lonA, sog: p.sogA, cog: p.cogA };
  const mb: Motion = { lat: b.lat, lon: b.lon, sog: p.sogB, cog: p.cogB };

  const fast = cpa(ma, mb);
  const ref = referenceCpa(ma, mb);
  for (const v of Object.values(fast)) expect(Number.isFinite(v)).toBe(true);

  // The current range and bearing are geodesic quantities.
  const inv = WGS84.Inverse(ma.lat, ma.lon, mb.lat, mb.lon);
  const rangeErr = Math.abs(fast.rangeNm * NM - inv.s12!);
  stats.maxRangeErrM = Math.max(stats.maxRangeErrM, rangeErr);
  expect(rangeErr).toBeLessThanOrEqual(Math.max(1e-4 * inv.s12!, 0.01));
  if (inv.s12! > 100) {
    const db = Math.abs(((fast.bearingDeg - inv.azi1! + 540) % 360) - 180);
    stats.maxBearingErrDeg = Math.max(stats.maxBearingErrDeg, db);
    expect(db).toBeLessThan(0.01);
  }

  if (!ref.interior) {
    // The distance still falls at the window's edge, so there is no minimum to compare. That
    // happens only when the relative motion is slow enough for meridian convergence to carry the
    // closest point out of the window. The fast answer, a minimum further out, is then no farther
    // than the window's best.
    stats.excluded++;
    expect(w).toBeLessThan(5);
    if (Math.abs(fast.tcpaMin) <= 240) {
      expect(fast.cpaNm * NM).toBeLessThanOrEqual(ref.cpaM + Math.max(0.001 * ref.rangeM, 10));
    }
    return;
  }
  stats.compared++;
  const err = Math.abs(fast.cpaNm * NM - ref.cpaM);
  stats.maxErrM = Math.max(stats.maxErrM, err);
  if (ref.rangeM >= 10_000) stats.maxErrFrac = Math.max(stats.maxErrFrac, err / ref.rangeM);
  expect(err).toBeLessThanOrEqual(Math.max(0.001 * ref.rangeM, 10));
  if (w >= 1) {
    const dt = Math.abs(fast.tcpaMin - ref.tcpaMin);
    stats.maxTcpaErrMin = Math.max(stats.maxTcpaErrMin, dt);
    expect(dt).toBeLessThanOrEqual(0.5);
  }
}

describe('cpa against the slow reference (property)', () => {
  const deg = (min: number, max: number) => fc.double({ min, max, noNaN: true });
  const spec = (
    lat: fc.Arbitrary<number>,
    sog: fc.Arbitrary<number>,
    tFrac: fc.Arbitrary<number>,
  ) =>
    fc.record({
      latA: lat,
      lonA: fc.oneof(deg(-180, 180), deg(179.5, 180), deg(-180, -179.5)),
      sogA: sog,
      cogA: deg(0, 360),
      sogB: sog,
      cogB: deg(0, 360),
      missFrac: deg(0, 1),
      side: fc.constantFrom(-1, 1),
      tFrac,
      azimuth: deg(0, 360),
    });

  it('|cpa − cpa_ref| ≤ max(0.1 % of range, 10 m); tcpa within 0.5 min (1000 seeded pairs)', () => {
    const before = stats.excluded;
    fc.assert(fc.property(spec(deg(-59.2, 59.2), deg(0, 35), deg(-1, 1)), checkAgainstReference), {
      seed: 20180930,
      numRuns: 1000,
    });
    expect(stats.excluded - before).toBeLessThanOrEqual(20); // 2 %
  });

  it('the same at high latitude, fast and far from the closest point (500 seeded pairs)', () => {
    // Where meridian convergence bends the relative track most: a straight line in one tangent
    // plane fails the bound here (by up to 2.6 times: 70 m), the refined method does not.
    const before = stats.excluded;
    fc.assert(
      fc.property(
        spec(
          fc.oneof(deg(45, 59.2), deg(-59.2, -45)),
          deg(20, 35),
          fc.oneof(deg(0.7, 1), deg(-1, -0.7)),
        ),
        checkAgainstReference,
      ),
      { seed: 60, numRuns: 500 },
    );
    expect(stats.excluded - before).toBeLessThanOrEqual(25); // 5 %
  });
});

// ---------------------------------------------------------------------------------------------

describe('parseMotion: validation at the boundary', () => {
  it('accepts a motion, with or without altitude and vertical rate', () => {
    expect(parseMotion({ lat: 10, lon: -180, sog: 0, cog: 360 })).toEqual({
      lat: 10,
      lon: -180,
      sog: 0,
      cog: 360,
    });
    expect(
      parseMotion({ lat: -90, lon: 180, sog: 480, cog: 0, altFt: 30000, vsFpm: -1500 }),
    ).toEqual({ lat: -90, lon: 180, sog: 480, cog: 0, altFt: 30000, vsFpm: -1500 });
  });

  const bad: [unknown, string][] = [
    [null, 'a null'],
    [[1, 2], 'a [1,2]'],
    ['x', 'a "x"'],
    [{ lon: 0, sog: 0, cog: 0 }, 'a.lat undefined'],
    [{ lat: NaN, lon: 0, sog: 0, cog: 0 }, 'a.lat NaN'],
    [{ lat: 'NaN', lon: 0, sog: 0, cog: 0 }, 'a.lat "NaN"'],
    [{ lat: '10', lon: 0, sog: 0, cog: 0 }, 'a.lat "10"'],
    [{ lat: 91, lon: 0, sog: 0, cog: 0 }, 'a.lat 91'],
    [{ lat: 0, lon: 180.5, sog: 0, cog: 0 }, 'a.lon 180.5'],
    [{ lat: 0, lon: 0, sog: -1, cog: 0 }, 'a.sog -1'],
    [{ lat: 0, lon: 0, sog: Infinity, cog: 0 }, 'a.sog Infinity'],
    [{ lat: 0, lon: 0, sog: 0, cog: 361 }, 'a.cog 361'],
    [{ lat: 0, lon: 0, sog: 0, cog: 0, altFt: null }, 'a.altFt null'],
    [{ lat: 0, lon: 0, sog: 0, cog: 0, vsFpm: 100 }, 'a.vsFpm 100'],
    [{ lat: 0, lon: 0, sog: 0, cog: 0, alt_ft: 100 }, 'a.alt_ft 100'],
  ];
  it.each(bad)('rejects %j naming the field and value', (value, text) => {
    try {
      parseMotion(value, 'a');
      expect.unreachable();
    } catch (err) {
      expect(isParleyError(err, 'PARLEY_E_INVALID_ARGUMENT')).toBe(true);
      expect((err as Error).message).toContain(text);
    }
  });
});
