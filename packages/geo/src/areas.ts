/**
 * Areas of notices of planned activity: a polygon, a circle (centre and radius) or a route
 * corridor (polyline and half-width), checked at the boundary with coded errors and turned into
 * one planar polygon in a continuous longitude (it may run past ±180° instead of wrapping), so
 * that `@turf/intersect` and point-in-polygon are correct across the antimeridian.
 *
 * Circles and corridor offsets are geodesic on WGS84 (GeographicLib `Direct`), so a 50 nm
 * circle at 80°N is 50 nm in every direction, not a circle in degrees. Polygon edges are straight
 * on the chart (lon/lat), the way NAVAREA areas are drawn; areas in km² are computed on the
 * ellipsoid (GeographicLib polygon area) over edges densified to 0.05°.
 */
import turfIntersect from '@turf/intersect';
import turfKinks from '@turf/kinks';
import turfUnion from '@turf/union';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { featureCollection, polygon as turfPolygon } from '@turf/helpers';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import geodesicLib from 'geographiclib-geodesic';
import { ParleyError } from '@parley/core';
import { wrapLon } from './dead-reckon.js';

const WGS84 = geodesicLib.Geodesic.WGS84;
const NM = 1852;

/** A position, degrees: latitude north, longitude east. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** Units of a radius or half-width. */
export type AreaUnit = 'nm' | 'km';

export interface PolygonArea {
  type: 'polygon';
  /** 3–100 vertices in order (either direction); the closing vertex may be repeated. */
  points: LatLon[];
}
export interface CircleArea {
  type: 'circle';
  centre: LatLon;
  radius: number;
  unit: AreaUnit;
}
export interface CorridorArea {
  type: 'corridor';
  /** 2–100 points of the route's centre line. */
  points: LatLon[];
  /** Distance either side of the centre line. */
  halfWidth: number;
  unit: AreaUnit;
}
/** A notice area. */
export type Area = PolygonArea | CircleArea | CorridorArea;

/** The largest radius or half-width accepted, nautical miles. */
export const MAX_RADIUS_NM = 1000;
/** Vertices of a circle polygon. */
export const CIRCLE_STEPS = 72;
const MAX_POINTS = 100;
/** Edges are split into pieces of at most this many degrees before a geodesic area sum. */
const DENSIFY_DEG = 0.05;

/** A planar polygon in continuous longitude: GeoJSON `Polygon` or `MultiPolygon` coordinates. */
export type Shape = { type: 'Polygon'; coordinates: Position[][] } | MultiPolygon;

function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    const t = JSON.stringify(v) ?? String(v);
    return t.length > 80 ? `${t.slice(0, 77)}...` : t;
  } catch {
    return String(v);
  }
}

const malformed = (what: string, value: unknown, expected: string) =>
  new ParleyError('PARLEY_E_AREA_MALFORMED', `${what} ${show(value)} is not ${expected}`, {
    field: what,
  });

function parsePoint(v: unknown, what: string): LatLon {
  const p = v as Partial<LatLon> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.lat !== 'number' ||
    typeof p.lon !== 'number' ||
    !Number.isFinite(p.lat) ||
    !Number.isFinite(p.lon) ||
    p.lat < -90 ||
    p.lat > 90 ||
    p.lon < -180 ||
    p.lon > 180
  ) {
    throw malformed(what, v, 'a position {lat: −90…90, lon: −180…180}');
  }
  return { lat: p.lat, lon: p.lon };
}

function parsePoints(v: unknown, what: string, min: number): LatLon[] {
  if (!Array.isArray(v) || v.length < min || v.length > MAX_POINTS + 1)
    throw malformed(what, v, `a list of ${min}–${MAX_POINTS} positions`);
  return v.map((p, i) => parsePoint(p, `${what}[${i}]`));
}

function parseDistance(v: unknown, unit: unknown, what: string): { value: number; unit: AreaUnit } {
  if (unit !== 'nm' && unit !== 'km') throw malformed(`${what} unit`, unit, 'nm or km');
  const metres = typeof v === 'number' ? v * (unit === 'nm' ? NM : 1000) : NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || metres > MAX_RADIUS_NM * NM) {
    throw new ParleyError(
      'PARLEY_E_AREA_RADIUS',
      `${what} ${show(v)} ${String(unit)} is not a distance above 0 and at most ${MAX_RADIUS_NM} nm`,
      { field: what, value: v },
    );
  }
  return { value: v, unit };
}

/** Metres of a radius or half-width. */
export function toMetres(value: number, unit: AreaUnit): number {
  return value * (unit === 'nm' ? NM : 1000);
}

/**
 * Checks an area given by an operator or a peer and returns it in normal form (a repeated closing
 * vertex dropped). Throws `PARLEY_E_AREA_MALFORMED`, `PARLEY_E_AREA_RADIUS` (radius 0) or
 * `PARLEY_E_AREA_SELF_INTERSECTING` (a bow-tie polygon), naming the bad value.
 */
export function parseArea(value: unknown, what = 'area'): Area {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw malformed(what, value, 'an object');
  let area: Area;
  if (v.type === 'polygon') {
    extra(v, ['type', 'points'], what);
    let points = parsePoints(v.points, `${what}.points`, 3);
    const first = points[0]!;
    const last = points[points.length - 1]!;
    if (first.lat === last.lat && first.lon === last.lon) points = points.slice(0, -1);
    if (points.length < 3 || points.length > MAX_POINTS)
      throw malformed(`${what}.points`, v.points, `3–${MAX_POINTS} distinct vertices`);
    area = { type: 'polygon', points };
  } else if (v.type === 'circle') {
    extra(v, ['type', 'centre', 'radius', 'unit'], what);
    const centre = parsePoint(v.centre, `${what}.centre`);
    const r = parseDistance(v.radius, v.unit, `${what}.radius`);
    area = { type: 'circle', centre, radius: r.value, unit: r.unit };
  } else if (v.type === 'corridor') {
    extra(v, ['type', 'points', 'halfWidth', 'unit'], what);
    const points = parsePoints(v.points, `${what}.points`, 2);
    const r = parseDistance(v.halfWidth, v.unit, `${what}.halfWidth`);
    area = { type: 'corridor', points, halfWidth: r.value, unit: r.unit };
  } else {
    throw malformed(`${what}.type`, v.type, 'polygon, circle or corridor');
  }
  try {
    areaShape(area, what); // throws for bow-ties, poles and areas wider than 180°
  } catch (err) {
    if (err instanceof ParleyError) throw err;
    // The polygon union fails on degenerate input (a corridor whose centre line is a few
    // 1e-67 degrees long, found by the API fuzz): a coded refusal, not an uncoded crash.
    throw malformed(
      what,
      value,
      `an area whose shape can be computed (${String(err).slice(0, 80)})`,
    );
  }
  return area;
}

function extra(v: Record<string, unknown>, allowed: string[], what: string): void {
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw malformed(`${what}.${k}`, v[k], 'a known field');
}

/** Longitudes made continuous along a path: each within 180° of the one before. */
function unwrap(points: LatLon[], start?: number): Position[] {
  const out: Position[] = [];
  let prev = start ?? points[0]!.lon;
  for (const p of points) {
    const lon = prev + wrapLon(p.lon - prev);
    out.push([lon, p.lat]);
    prev = lon;
  }
  return out;
}

function checkSpan(ring: Position[], what: string): void {
  let min = Infinity;
  let max = -Infinity;
  for (const [x] of ring) {
    min = Math.min(min, x!);
    max = Math.max(max, x!);
  }
  if (max - min >= 180)
    throw malformed(what, `${(max - min).toFixed(1)}° of longitude`, 'less than 180° wide');
}

/** Signed planar area (shoelace), degrees²: positive when counter-clockwise on the chart. */
function planarArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    s += x1! * y2! - x2! * y1!;
  }
  return s / 2;
}

function direct(lat: number, lon: number, azi: number, s: number): LatLon {
  const r = WGS84.Direct(lat, lon, azi, s);
  return { lat: r.lat2!, lon: r.lon2! };
}

/** A geodesic circle as a closed ring, longitudes continuous around the centre's. */
function circleRing(centre: LatLon, metres: number, steps = CIRCLE_STEPS): Position[] {
  const pts: LatLon[] = [];
  // Clockwise from north, then reversed: GeoJSON exterior rings are counter-clockwise.
  for (let i = 0; i < steps; i++)
    pts.push(direct(centre.lat, centre.lon, (360 * i) / steps, metres));
  pts.reverse();
  const ring = pts.map((p) => [centre.lon + wrapLon(p.lon - centre.lon), p.lat]);
  ring.push(ring[0]!);
  return ring;
}

function poleInside(centre: LatLon, metres: number): boolean {
  for (const pole of [90, -90]) {
    if (WGS84.Inverse(centre.lat, centre.lon, pole, centre.lon).s12! <= metres) return true;
  }
  return false;
}

/**
 * The area as one planar shape in continuous longitude (starting near its first point's or
 * centre's longitude). Throws the coded errors of `parseArea`.
 */
export function areaShape(area: Area, what = 'area'): Shape {
  // Areas are treated as immutable values: a checked area's shape is computed once.
  let shape = shapeCache.get(area);
  if (!shape) {
    shape = buildShape(area, what);
    shapeCache.set(area, shape);
  }
  return shape;
}

const shapeCache = new WeakMap<Area, Shape>();

function buildShape(area: Area, what: string): Shape {
  if (area.type === 'polygon') {
    const ring = unwrap(area.points);
    // A ring that does not come back to its starting longitude goes round a pole.
    const closing =
      ring[ring.length - 1]![0]! + wrapLon(area.points[0]!.lon - ring[ring.length - 1]![0]!);
    if (Math.abs(closing - ring[0]![0]!) > 1e-9)
      throw malformed(
        `${what}.points`,
        'a ring round a pole',
        'a ring that leaves both poles outside',
      );
    checkSpan(ring, `${what}.points`);
    const closed = [...ring, ring[0]!];
    const kinks = turfKinks(turfPolygon([closed]));
    if (kinks.features.length > 0) {
      const c = kinks.features[0]!.geometry.coordinates;
      throw new ParleyError(
        'PARLEY_E_AREA_SELF_INTERSECTING',
        `${what}: polygon edges cross at ${c[1]!.toFixed(4)}, ${wrapLon(c[0]!).toFixed(4)}`,
        { at: { lat: c[1], lon: wrapLon(c[0]!) } },
      );
    }
    if (Math.abs(planarArea(ring)) < 1e-12)
      throw malformed(`${what}.points`, area.points, 'vertices enclosing an area');
    if (planarArea(ring) < 0) ring.reverse();
    ring.push(ring[0]!);
    return { type: 'Polygon', coordinates: [ring] };
  }
  if (area.type === 'circle') {
    const m = toMetres(area.radius, area.unit);
    if (poleInside(area.centre, m))
      throw malformed(
        `${what}.centre`,
        area.centre,
        `a centre more than ${area.radius} ${area.unit} from a pole`,
      );
    const ring = circleRing(area.centre, m);
    checkSpan(ring, what);
    return { type: 'Polygon', coordinates: [ring] };
  }
  return corridorShape(area, what);
}

/**
 * A corridor: every segment as a quadrilateral offset geodesically by the half-width either side,
 * and a circle at every vertex (round joins and ends), merged with `@turf/union`.
 */
function corridorShape(area: CorridorArea, what: string): Shape {
  const m = toMetres(area.halfWidth, area.unit);
  const line = unwrap(area.points);
  checkSpan(line, `${what}.points`);
  const near = (p: LatLon, lon: number): Position => [lon + wrapLon(p.lon - wrapLon(lon)), p.lat];
  const parts: Feature<Polygon>[] = [];
  for (let i = 0; i < area.points.length; i++) {
    const p = area.points[i]!;
    if (poleInside(p, m))
      throw malformed(`${what}.points[${i}]`, p, `a point more than the half-width from a pole`);
    const lonC = line[i]![0]!;
    const ring = circleRing(p, m, 36).map(([x, y]) => [x! - wrapLon(p.lon) + lonC, y!]);
    parts.push(turfPolygon([ring]));
    if (i + 1 < area.points.length) {
      const q = area.points[i + 1]!;
      const inv = WGS84.Inverse(p.lat, p.lon, q.lat, q.lon);
      if (inv.s12! < 1) continue;
      const a1 = inv.azi1!;
      const a2 = inv.azi2!;
      const lonQ = line[i + 1]![0]!;
      const quad = [
        near(direct(p.lat, p.lon, a1 - 90, m), lonC),
        near(direct(q.lat, q.lon, a2 - 90, m), lonQ),
        near(direct(q.lat, q.lon, a2 + 90, m), lonQ),
        near(direct(p.lat, p.lon, a1 + 90, m), lonC),
      ];
      if (planarArea(quad) < 0) quad.reverse();
      quad.push(quad[0]!);
      parts.push(turfPolygon([quad]));
    }
  }
  const merged = parts.length === 1 ? parts[0]! : turfUnion(featureCollection(parts));
  if (!merged) throw malformed(what, area, 'a corridor with an area');
  const shape = merged.geometry as Shape;
  const all = shape.type === 'Polygon' ? shape.coordinates.flat() : shape.coordinates.flat(2);
  checkSpan(all, what);
  return shape;
}

/** Shifts a shape by a whole number of turns of longitude. */
function shift(shape: Shape, dx: number): Shape {
  if (dx === 0) return shape;
  const mv = (r: Position[]) => r.map(([x, y]) => [x! + dx, y!]);
  return shape.type === 'Polygon'
    ? { type: 'Polygon', coordinates: shape.coordinates.map(mv) }
    : { type: 'MultiPolygon', coordinates: shape.coordinates.map((p) => p.map(mv)) };
}

const boundsCache = new WeakMap<Shape, [number, number, number, number]>();

/** [west, south, east, north] of a shape in its continuous longitude. */
export function shapeBounds(shape: Shape): [number, number, number, number] {
  let b = boundsCache.get(shape);
  if (!b) {
    b = bounds(shape);
    boundsCache.set(shape, b);
  }
  return b;
}

function bounds(shape: Shape): [number, number, number, number] {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const rings = shape.type === 'Polygon' ? shape.coordinates : shape.coordinates.flat();
  for (const r of rings)
    for (const [x, y] of r) {
      w = Math.min(w, x!);
      e = Math.max(e, x!);
      s = Math.min(s, y!);
      n = Math.max(n, y!);
    }
  return [w, s, e, n];
}

/** `b` moved by whole turns so its middle longitude is within 180° of `a`'s. */
export function alignTo(a: Shape, b: Shape): Shape {
  const [aw, , ae] = bounds(a);
  const [bw, , be] = bounds(b);
  const k = Math.round(((aw + ae) / 2 - (bw + be) / 2) / 360);
  return shift(b, k * 360);
}

function densify(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    const n = Math.max(
      1,
      Math.ceil(Math.max(Math.abs(x2! - x1!), Math.abs(y2! - y1!)) / DENSIFY_DEG),
    );
    for (let k = 0; k < n; k++)
      out.push([x1! + ((x2! - x1!) * k) / n, y1! + ((y2! - y1!) * k) / n]);
  }
  return out;
}

function ringKm2(ring: Position[]): number {
  const p = WGS84.Polygon(false);
  for (const [x, y] of densify(ring)) p.AddPoint(y!, x!);
  return Math.abs(p.Compute(false, true).area!) / 1e6;
}

/** Area of a shape on the WGS84 ellipsoid, km² (holes subtracted). */
export function shapeKm2(shape: Shape): number {
  const polys = shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates;
  let sum = 0;
  for (const rings of polys) rings.forEach((r, i) => (sum += i === 0 ? ringKm2(r) : -ringKm2(r)));
  return sum;
}

/** Area of an area on the WGS84 ellipsoid, km². */
export function areaKm2(area: Area): number {
  return shapeKm2(areaShape(area));
}

/** What two shapes share, in the first one's longitudes, or null. */
export function intersectShapes(a: Shape, b: Shape): Shape | null {
  const f = turfIntersect(
    featureCollection([
      { type: 'Feature', properties: {}, geometry: a },
      { type: 'Feature', properties: {}, geometry: alignTo(a, b) },
    ]),
  );
  if (!f) return null;
  return f.geometry as Shape;
}

/** Overlap of two areas: its area in km² and the polygon (GeoJSON, split at the antimeridian). */
export interface AreaOverlap {
  km2: number;
  geometry: Polygon | MultiPolygon;
}

/** Where two areas overlap, or null. Correct across the antimeridian. */
export function intersectAreas(a: Area | Shape, b: Area | Shape): AreaOverlap | null {
  const sa = 'coordinates' in a ? a : areaShape(a);
  const sb = 'coordinates' in b ? b : areaShape(b);
  const shape = intersectShapes(sa, sb);
  if (!shape) return null;
  const km2 = shapeKm2(shape);
  if (km2 <= 0) return null;
  return { km2, geometry: toGeoJson(shape) };
}

/**
 * A shape in continuous longitude as RFC 7946 GeoJSON: longitudes in [−180, 180], split into a
 * MultiPolygon where it crosses the antimeridian (RFC 7946 §3.1.9).
 */
export function toGeoJson(shape: Shape): Polygon | MultiPolygon {
  const [w, , e] = bounds(shape);
  if (w >= -180 && e <= 180) return shape as Polygon | MultiPolygon;
  const pieces: Position[][][] = [];
  for (let k = Math.floor((w + 180) / 360); k * 360 - 180 < e; k++) {
    const lo = k * 360 - 180;
    const box: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [lo, -90],
          [lo + 360, -90],
          [lo + 360, 90],
          [lo, 90],
          [lo, -90],
        ],
      ],
    };
    const part = intersectShapes(box, shape);
    if (!part) continue;
    const moved = shift(part, -k * 360);
    if (moved.type === 'Polygon') pieces.push(moved.coordinates);
    else pieces.push(...moved.coordinates);
  }
  return pieces.length === 1
    ? { type: 'Polygon', coordinates: pieces[0]! }
    : { type: 'MultiPolygon', coordinates: pieces };
}

/** Whether a position lies inside a shape (in any turn of longitude). */
export function pointInShape(lat: number, lon: number, shape: Shape): boolean {
  const [w, s, e, n] = shapeBounds(shape);
  if (lat < s || lat > n) return false;
  const geometry = shape as Polygon | MultiPolygon;
  for (let k = Math.floor((w - lon) / 360); lon + k * 360 <= e; k++) {
    const x = lon + k * 360;
    if (x >= w && booleanPointInPolygon([x, lat], geometry)) return true;
  }
  return false;
}

/**
 * A polygon's vertices in NAVAREA order: clockwise on the chart, starting from the north-west
 * corner (the vertex with the largest latitude − longitude offset from the centre, i.e. the
 * one furthest up and to the left), longitudes normalised to (−180, 180].
 */
export function clockwiseFromNorthWest(points: LatLon[]): LatLon[] {
  const ring = unwrap(points);
  const cw = planarArea(ring) > 0 ? [...ring].reverse() : ring;
  let cx = 0;
  let cy = 0;
  for (const [x, y] of cw) {
    cx += x!;
    cy += y!;
  }
  cx /= cw.length;
  cy /= cw.length;
  let best = 0;
  for (let i = 1; i < cw.length; i++) {
    const score = (p: Position) => p[1]! - cy - (p[0]! - cx);
    if (score(cw[i]!) > score(cw[best]!)) best = i;
  }
  return [...cw.slice(best), ...cw.slice(0, best)].map(([x, y]) => ({ lat: y!, lon: wrapLon(x!) }));
}
