import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import geodesicLib from 'geographiclib-geodesic';
import {
  areaKm2,
  areaShape,
  clockwiseFromNorthWest,
  intersectAreas,
  parseArea,
  pointInShape,
  shapeKm2,
  toGeoJson,
} from '@parley/geo';
import type { Area, PolygonArea } from '@parley/geo';

const WGS84 = geodesicLib.Geodesic.WGS84;
const A = 6378.137; // km
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const B2 = A * A * (1 - E2);
const RAD = Math.PI / 180;

/**
 * Hand formula: area of the quadrangle between two parallels and two meridians on the WGS84
 * ellipsoid, Δλ · b² · [q(φ2) − q(φ1)] / 2 with q the authalic function (Snyder, Map Projections:
 * A Working Manual, eq. 3-12).
 */
function quadrangleKm2(lat1: number, lat2: number, dLonDeg: number): number {
  const q = (phi: number) => {
    const s = Math.sin(phi * RAD);
    return s / (1 - E2 * s * s) - (1 / (2 * E)) * Math.log((1 - E * s) / (1 + E * s));
  };
  return (dLonDeg * RAD * B2 * (q(lat2) - q(lat1))) / 2;
}

/** A regular n-gon inscribed in a circle of radius r: (n/2) r² sin(2π/n). */
const inscribedKm2 = (r: number, n = 72) => (n / 2) * r * r * Math.sin((2 * Math.PI) / n);

const box = (s: number, w: number, n: number, e: number): Area => ({
  type: 'polygon',
  points: [
    { lat: s, lon: w },
    { lat: s, lon: e },
    { lat: n, lon: e },
    { lat: n, lon: w },
  ],
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('areas: validation', () => {
  it('refuses a self-intersecting polygon (bow tie) with a coded error naming where', () => {
    const bowTie = {
      type: 'polygon',
      points: [
        { lat: 10, lon: 110 },
        { lat: 11, lon: 111 },
        { lat: 10, lon: 111 },
        { lat: 11, lon: 110 },
      ],
    };
    expect(code(() => parseArea(bowTie))).toBe('PARLEY_E_AREA_SELF_INTERSECTING');
    expect(() => parseArea(bowTie)).toThrow(/10\.5000, 110\.5000/);
  });

  it('refuses radius 0, a negative or absurd radius, and a zero half-width', () => {
    const c = (radius: unknown, unit: unknown = 'nm') => ({
      type: 'circle',
      centre: { lat: 10, lon: 110 },
      radius,
      unit,
    });
    for (const r of [0, -1, NaN, 1e6, '5'])
      expect(
        code(() => parseArea(c(r))),
        String(r),
      ).toBe('PARLEY_E_AREA_RADIUS');
    expect(code(() => parseArea(c(5, 'mi')))).toBe('PARLEY_E_AREA_MALFORMED');
    expect(
      code(() =>
        parseArea({
          type: 'corridor',
          points: [
            { lat: 0, lon: 0 },
            { lat: 0, lon: 1 },
          ],
          halfWidth: 0,
          unit: 'km',
        }),
      ),
    ).toBe('PARLEY_E_AREA_RADIUS');
  });

  it('refuses bad positions, too few points, degenerate rings, poles and areas wider than 180°', () => {
    const bad: unknown[] = [
      null,
      [],
      { type: 'square' },
      {
        type: 'polygon',
        points: [
          { lat: 0, lon: 0 },
          { lat: 1, lon: 0 },
        ],
      },
      {
        type: 'polygon',
        points: [
          { lat: 91, lon: 0 },
          { lat: 1, lon: 0 },
          { lat: 1, lon: 1 },
        ],
      },
      {
        type: 'polygon',
        points: [
          { lat: 0, lon: 0 },
          { lat: 1, lon: 1 },
          { lat: 2, lon: 2 },
        ],
      },
      // Round the North Pole: longitudes never come back.
      {
        type: 'polygon',
        points: [0, 90, 180, -90].map((lon) => ({ lat: 80, lon })),
      },
      { type: 'circle', centre: { lat: 89.5, lon: 0 }, radius: 60, unit: 'nm' },
      { type: 'circle', centre: { lat: 10, lon: 110 }, radius: 5, unit: 'nm', extra: 1 },
    ];
    for (const b of bad.slice(0, 7))
      expect(
        code(() => parseArea(b)),
        JSON.stringify(b),
      ).toBe('PARLEY_E_AREA_MALFORMED');
    expect(code(() => parseArea(bad[7]))).toBe('PARLEY_E_AREA_MALFORMED');
    expect(code(() => parseArea(bad[8]))).toBe('PARLEY_E_AREA_MALFORMED');
  });

  it('takes a repeated closing vertex and either orientation', () => {
    const a = parseArea({
      ...box(0, 0, 1, 1),
      points: [...(box(0, 0, 1, 1) as PolygonArea).points, { lat: 0, lon: 0 }],
    });
    expect(a.type === 'polygon' && a.points.length).toBe(4);
    const reversed = {
      type: 'polygon',
      points: [...(box(0, 0, 1, 1) as PolygonArea).points].reverse(),
    };
    expect(areaKm2(parseArea(reversed))).toBeCloseTo(areaKm2(a), 6);
  });
});

describe('areas: sizes against hand-computed cases', () => {
  it('a 1°×1° box at the equator has the area of the ellipsoidal quadrangle', () => {
    const hand = quadrangleKm2(0, 1, 1); // ≈ 12,308 km²
    expect(hand).toBeGreaterThan(12_300);
    expect(hand).toBeLessThan(12_320);
    expect(areaKm2(box(0, 0, 1, 1)) / hand).toBeCloseTo(1, 4);
  });

  it('a box across the antimeridian has the same area as one beside it, and splits in GeoJSON', () => {
    const across = parseArea(box(10, 179.5, 11, -179.5));
    const hand = quadrangleKm2(10, 11, 1);
    expect(areaKm2(across) / hand).toBeCloseTo(1, 4);
    const gj = toGeoJson(areaShape(across));
    expect(gj.type).toBe('MultiPolygon');
    const lons = (gj as { coordinates: number[][][][] }).coordinates.flat(2).map((p) => p[0]!);
    expect(Math.max(...lons)).toBeLessThanOrEqual(180);
    expect(Math.min(...lons)).toBeGreaterThanOrEqual(-180);
    expect(shapeKm2(gj) / hand).toBeCloseTo(1, 4);
  });

  it('a circle at 80°N is geodesic: every vertex at the radius, area of the inscribed 72-gon', () => {
    const c: Area = { type: 'circle', centre: { lat: 80, lon: 20 }, radius: 50, unit: 'nm' };
    const shape = areaShape(c);
    const ring = (shape as { coordinates: number[][][] }).coordinates[0]!;
    for (const [lon, lat] of ring)
      expect(WGS84.Inverse(80, 20, lat!, lon!).s12! / 1852).toBeCloseTo(50, 6);
    const r = 50 * 1.852;
    expect(areaKm2(c) / inscribedKm2(r)).toBeCloseTo(1, 3);
    // A circle drawn in degrees would span 2·50' of longitude; the geodesic one spans ≈ 1/cos 80° more.
    const lons = ring.map((p) => p[0]!);
    const span = Math.max(...lons) - Math.min(...lons);
    expect(span).toBeGreaterThan(((2 * 50) / 60 / Math.cos(80 * RAD)) * 0.99);
  });

  it('two circles across the antimeridian at 80°N overlap in the lens of the hand formula', () => {
    const r = 20;
    const d = 20;
    const c1 = { lat: 80, lon: 179.95 };
    const p = WGS84.Direct(c1.lat, c1.lon, 90, d * 1000);
    const c2 = { lat: p.lat2!, lon: p.lon2! };
    expect(c2.lon).toBeLessThan(0); // the second centre is west of the antimeridian
    const a: Area = { type: 'circle', centre: c1, radius: r, unit: 'km' };
    const b: Area = { type: 'circle', centre: c2, radius: r, unit: 'km' };
    const lens = 2 * r * r * Math.acos(d / (2 * r)) - (d / 2) * Math.sqrt(4 * r * r - d * d);
    const o = intersectAreas(a, b)!;
    expect(o).not.toBeNull();
    expect(Math.abs(o.km2 / lens - 1)).toBeLessThan(0.01);
    expect(o.geometry.type).toBe('MultiPolygon'); // split at 180°
    // Symmetric, and far-apart circles do not overlap.
    expect(intersectAreas(b, a)!.km2 / o.km2).toBeCloseTo(1, 4);
    const far = { ...b, centre: { lat: 80, lon: -170 } };
    expect(intersectAreas(a, far)).toBeNull();
  });

  it('a straight corridor is a rectangle with two half-disc ends', () => {
    const w = 10;
    const c: Area = {
      type: 'corridor',
      points: [
        { lat: 0, lon: 0 },
        { lat: 0, lon: 1 },
      ],
      halfWidth: w,
      unit: 'km',
    };
    const len = WGS84.Inverse(0, 0, 0, 1).s12! / 1000;
    const hand = len * 2 * w + Math.PI * w * w;
    expect(Math.abs(areaKm2(c) / hand - 1)).toBeLessThan(0.005);
    const s = areaShape(c);
    expect(pointInShape(0.05, 0.5, s)).toBe(true);
    expect(pointInShape(0.1, 0.5, s)).toBe(false); // 11 km off the centre line
  });

  it('a corridor across the antimeridian holds points on both sides', () => {
    const c = areaShape({
      type: 'corridor',
      points: [
        { lat: -20, lon: 179 },
        { lat: -20, lon: -179 },
      ],
      halfWidth: 5,
      unit: 'nm',
    });
    expect(pointInShape(-20, 179.5, c)).toBe(true);
    expect(pointInShape(-20, -179.5, c)).toBe(true);
    expect(pointInShape(-20, 0, c)).toBe(false);
  });
});

describe('areas: NAVAREA order', () => {
  it('lists polygon points clockwise from the north-west corner', () => {
    // Given counter-clockwise from the south-east.
    const pts = [
      { lat: 10, lon: 111 },
      { lat: 11, lon: 111 },
      { lat: 11, lon: 110 },
      { lat: 10, lon: 110 },
    ];
    expect(clockwiseFromNorthWest(pts)).toEqual([
      { lat: 11, lon: 110 },
      { lat: 11, lon: 111 },
      { lat: 10, lon: 111 },
      { lat: 10, lon: 110 },
    ]);
    // Across the antimeridian the west edge is at 179°E.
    const across = clockwiseFromNorthWest([
      { lat: 0, lon: -179 },
      { lat: 1, lon: -179 },
      { lat: 1, lon: 179 },
      { lat: 0, lon: 179 },
    ]);
    expect(across[0]).toEqual({ lat: 1, lon: 179 });
    expect(across[1]).toEqual({ lat: 1, lon: -179 });
  });
});

describe('areas: properties', () => {
  const circle = fc.record({
    lat: fc.double({ min: -75, max: 75, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
    r: fc.double({ min: 1, max: 60, noNaN: true }),
  });
  it('an overlap is symmetric and no larger than either area', () => {
    fc.assert(
      fc.property(
        circle,
        fc.double({ min: 0, max: 1.5, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        (c, k, azi) => {
          const a: Area = {
            type: 'circle',
            centre: { lat: c.lat, lon: c.lon },
            radius: c.r,
            unit: 'nm',
          };
          const p = WGS84.Direct(c.lat, c.lon, azi, k * c.r * 1852);
          const b: Area = {
            type: 'circle',
            centre: { lat: p.lat2!, lon: p.lon2! },
            radius: c.r * 0.8,
            unit: 'nm',
          };
          const ab = intersectAreas(a, b);
          const ba = intersectAreas(b, a);
          expect(ab === null).toBe(ba === null);
          if (!ab || !ba) return;
          expect(ab.km2).toBeLessThanOrEqual(Math.min(areaKm2(a), areaKm2(b)) * 1.0001);
          expect(Math.abs(ab.km2 - ba.km2)).toBeLessThan(ab.km2 * 1e-3 + 1e-6);
        },
      ),
      { numRuns: 60 },
    );
  });
});
