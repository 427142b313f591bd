/**
 * Space-time conflicts of a notice: with other notices (sent or draft) and planned routes, where
 * areas overlap, vertical bands overlap and windows overlap; and with tracks, units that dead
 * reckoning puts inside an active area within a horizon, with the time they enter.
 */
import { ParleyError } from '@parley/core';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import {
  areaShape,
  intersectShapes,
  pointInShape,
  shapeBounds,
  shapeKm2,
  toGeoJson,
} from './areas.js';
import { deadReckon, wrapLon } from './dead-reckon.js';
import type { AreaUnit, LatLon, Shape } from './areas.js';
import {
  bandInterval,
  bandOverlap,
  inWindows,
  noticeShapes,
  parseBand,
  windowOverlap,
} from './notice.js';
import type { NoticeContent, TimeWindow, VerticalBand } from './notice.js';

/** A planned route of one's own unit: waypoints with UTC times, a band and a half-width. */
export interface PlannedRoute {
  id: string;
  name: string;
  unit: string;
  waypoints: (LatLon & { time: number })[];
  band: VerticalBand;
  halfWidth: number;
  halfWidthUnit: AreaUnit;
}

const MAX_WAYPOINTS = 200;

const routeError = (msg: string) => new ParleyError('PARLEY_E_ROUTE_MALFORMED', msg, {});

/**
 * Checks a planned route (without its id): 2–200 waypoints {lat, lon, time} with strictly
 * increasing UTC times, band (default surface), half-width (default 2 nm). Throws
 * `PARLEY_E_ROUTE_MALFORMED` naming the bad value.
 */
export function parseRoute(value: unknown, id: string): PlannedRoute {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw routeError(`route ${JSON.stringify(value)} is not an object`);
  for (const k of Object.keys(v))
    if (!['name', 'unit', 'waypoints', 'band', 'halfWidth', 'halfWidthUnit'].includes(k))
      throw routeError(`route field ${k} is not known`);
  const name = v.name;
  const unit = v.unit;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 64)
    throw routeError(`route name ${JSON.stringify(name)} is not 1–64 characters`);
  if (typeof unit !== 'string' || unit.trim() === '' || unit.length > 64)
    throw routeError(`route unit ${JSON.stringify(unit)} is not 1–64 characters`);
  const wps = v.waypoints;
  if (!Array.isArray(wps) || wps.length < 2 || wps.length > MAX_WAYPOINTS)
    throw routeError(`route waypoints are not a list of 2–${MAX_WAYPOINTS}`);
  let prev = -Infinity;
  const waypoints = wps.map((w: unknown, i) => {
    const p = w as Partial<LatLon & { time: number }> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      typeof p.lat !== 'number' ||
      typeof p.lon !== 'number' ||
      !(p.lat >= -90 && p.lat <= 90) ||
      !(p.lon >= -180 && p.lon <= 180) ||
      !Number.isSafeInteger(p.time) ||
      p.time! <= prev
    )
      throw routeError(
        `route waypoint ${i} ${JSON.stringify(w)} is not {lat, lon, time} with time after the one before`,
      );
    prev = p.time!;
    return { lat: p.lat, lon: p.lon, time: p.time! };
  });
  const halfWidthUnit = (v.halfWidthUnit ?? 'nm') as AreaUnit;
  const halfWidth = v.halfWidth ?? 2;
  if (halfWidthUnit !== 'nm' && halfWidthUnit !== 'km')
    throw routeError(`route halfWidthUnit ${JSON.stringify(halfWidthUnit)} is not nm or km`);
  if (typeof halfWidth !== 'number' || !(halfWidth > 0) || halfWidth > 100)
    throw routeError(`route halfWidth ${JSON.stringify(halfWidth)} is not in (0, 100]`);
  let band: VerticalBand;
  try {
    band = parseBand(v.band ?? { type: 'surface' });
  } catch (err) {
    throw routeError(`route ${(err as Error).message}`);
  }
  return { id, name, unit, waypoints, band, halfWidth, halfWidthUnit };
}

/** A vertical overlap for JSON: feet, null for unbounded. */
export interface BandRange {
  lowerFt: number | null;
  upperFt: number | null;
}

const bandRange = ([lo, hi]: [number, number]): BandRange => ({
  lowerFt: Number.isFinite(lo) ? lo : null,
  upperFt: Number.isFinite(hi) ? hi : null,
});

/** A space-time conflict of a notice with another notice or a planned route. */
export interface SpaceTimeConflict {
  with: { type: 'notice' | 'route'; id: string; name: string };
  /** Overlapping area, km² on WGS84. */
  km2: number;
  /** The overlap, GeoJSON (split at the antimeridian). */
  geometry: Polygon | MultiPolygon;
  /** When both are active (for a route: when it is inside the area while the notice is active). */
  windows: TimeWindow[];
  band: BandRange;
}

/** Whether two bounding boxes in continuous longitude meet, in any turn of longitude. */
function boxesMeet(
  a: [number, number, number, number],
  b: [number, number, number, number],
): boolean {
  if (a[3] < b[1] || a[1] > b[3]) return false;
  for (const k of [-360, 0, 360]) if (a[0] <= b[2] + k && a[2] >= b[0] + k) return true;
  return false;
}

/** The union of the pairwise overlaps of two lists of shapes, with its area. */
function overlapOf(
  a: Shape[],
  b: Shape[],
): { km2: number; geometry: Polygon | MultiPolygon } | null {
  const polys: Position[][][] = [];
  let km2 = 0;
  for (const sa of a)
    for (const sb of b) {
      if (!boxesMeet(shapeBounds(sa), shapeBounds(sb))) continue;
      const o = intersectShapes(sa, sb);
      if (!o) continue;
      const k = shapeKm2(o);
      if (k <= 0) continue;
      km2 += k;
      const g = toGeoJson(o);
      if (g.type === 'Polygon') polys.push(g.coordinates);
      else polys.push(...g.coordinates);
    }
  if (polys.length === 0) return null;
  return {
    km2,
    geometry:
      polys.length === 1
        ? { type: 'Polygon', coordinates: polys[0]! }
        : { type: 'MultiPolygon', coordinates: polys },
  };
}

/** Conflicts of `notice` with other notices: areas, bands and windows all overlap. */
export function noticeConflicts(
  notice: NoticeContent,
  others: { id: string; name: string; content: NoticeContent }[],
): SpaceTimeConflict[] {
  const shapes = noticeShapes(notice);
  const out: SpaceTimeConflict[] = [];
  for (const o of others) {
    const band = bandOverlap(notice.band, o.content.band);
    if (!band) continue;
    const windows = windowOverlap(notice.windows, o.content.windows);
    if (windows.length === 0) continue;
    const overlap = overlapOf(shapes, noticeShapes(o.content));
    if (!overlap) continue;
    out.push({
      with: { type: 'notice', id: o.id, name: o.name },
      ...overlap,
      windows,
      band: bandRange(band),
    });
  }
  return out;
}

/** Position along a route at time t (linear in latitude and continuous longitude per leg). */
function routeAt(r: PlannedRoute, t: number): LatLon | null {
  const w = r.waypoints;
  if (t < w[0]!.time || t > w[w.length - 1]!.time) return null;
  for (let i = 0; i + 1 < w.length; i++) {
    const a = w[i]!;
    const b = w[i + 1]!;
    if (t > b.time) continue;
    const f = (t - a.time) / (b.time - a.time);
    const dLon = wrapLon(b.lon - a.lon);
    return { lat: a.lat + (b.lat - a.lat) * f, lon: wrapLon(a.lon + dLon * f) };
  }
  return null;
}

/** Intervals in which `inside(t)` holds, sampled every `step` ms over [from, to]. */
function intervals(
  from: number,
  to: number,
  step: number,
  inside: (t: number) => boolean,
): TimeWindow[] {
  const out: TimeWindow[] = [];
  let open: number | null = null;
  for (let t = from; ; t = Math.min(t + step, to)) {
    const yes = inside(t);
    if (yes && open === null) open = t;
    if (!yes && open !== null) {
      out.push({ start: open, end: t });
      open = null;
    }
    if (t >= to) break;
  }
  if (open !== null) out.push({ start: open, end: to });
  return out;
}

/**
 * Conflicts of `notice` with planned routes: the route's corridor overlaps an area, the bands
 * overlap, and the route is inside an area while the notice is active (sampled each minute,
 * windows' edges included).
 */
export function routeConflicts(notice: NoticeContent, routes: PlannedRoute[]): SpaceTimeConflict[] {
  const shapes = noticeShapes(notice);
  const out: SpaceTimeConflict[] = [];
  for (const r of routes) {
    const band = bandOverlap(notice.band, r.band);
    if (!band) continue;
    const first = r.waypoints[0]!.time;
    const last = r.waypoints[r.waypoints.length - 1]!.time;
    const active = windowOverlap(notice.windows, [{ start: first, end: last }]);
    if (active.length === 0) continue;
    const corridor = areaShape({
      type: 'corridor',
      points: r.waypoints.map(({ lat, lon }) => ({ lat, lon })),
      halfWidth: r.halfWidth,
      unit: r.halfWidthUnit,
    });
    const overlap = overlapOf(shapes, [corridor]);
    if (!overlap) continue;
    const windows: TimeWindow[] = [];
    for (const w of active) {
      const step = Math.max(1000, Math.min(60_000, Math.floor((w.end - w.start) / 50)));
      windows.push(
        ...intervals(w.start, w.end, step, (t) => {
          const p = routeAt(r, t);
          return p !== null && shapes.some((s) => pointInShape(p.lat, p.lon, s));
        }),
      );
    }
    if (windows.length === 0) continue;
    out.push({
      with: { type: 'route', id: r.id, name: `${r.unit} ${r.name}` },
      ...overlap,
      windows,
      band: bandRange(band),
    });
  }
  return out;
}

/** A track's last report, for dead reckoning. */
export interface TrackMotion {
  id: string;
  name?: string | null;
  lat: number;
  lon: number;
  /** Knots. */
  sog: number;
  /** Degrees true. */
  cog: number;
  /** Report time, ms. */
  time: number;
  altFt?: number | null;
  vsFpm?: number | null;
}

/** A unit projected inside an active area of a notice. */
export interface TrackIntrusion {
  id: string;
  name: string | null;
  /** When it enters (or `now` if it is already inside an active area). */
  enterAt: number;
  /** Dead-reckoned position at entry. */
  lat: number;
  lon: number;
  /** Index of the notice area it enters. */
  area: number;
  alreadyInside: boolean;
}

/** Where a unit holding course and speed is `ms` after its report: the screen's WGS84 rhumb line. */
function reckon(m: TrackMotion, ms: number): LatLon {
  return deadReckon({ lat: m.lat, lon: m.lon, sog: m.sog, cog: m.cog }, ms / 60_000);
}

function inside(
  m: TrackMotion,
  t: number,
  shapes: Shape[],
  windows: TimeWindow[],
  band: [number, number],
): { area: number; p: LatLon } | null {
  if (!inWindows(windows, t)) return null;
  const alt = (m.altFt ?? 0) + ((m.vsFpm ?? 0) * (t - m.time)) / 60_000;
  if (alt < band[0] || alt > band[1]) return null;
  const p = reckon(m, t - m.time);
  const i = shapes.findIndex((s) => pointInShape(p.lat, p.lon, s));
  return i < 0 ? null : { area: i, p };
}

/**
 * Units that dead reckoning (constant course and speed from their last report) puts inside an
 * active area of the notice between `now` and `now + horizonMs`, with the time they enter,
 * refined to the second. A unit already inside while the notice is active enters at `now`.
 */
export function tracksIntoNotice(
  notice: NoticeContent,
  tracks: TrackMotion[],
  opts: { now: number; horizonMs: number; stepMs?: number },
): TrackIntrusion[] {
  return projectTracks(notice, tracks, opts, true);
}

/** `tracksIntoNotice` without the swept-box filter: every track is sampled (the reference). */
export function tracksIntoNoticeNaive(
  notice: NoticeContent,
  tracks: TrackMotion[],
  opts: { now: number; horizonMs: number; stepMs?: number },
): TrackIntrusion[] {
  return projectTracks(notice, tracks, opts, false);
}

/**
 * Whether a track's path over [from, to] can reach one of the boxes. A rhumb line keeps its
 * course, so latitude and longitude each change monotonically: the path lies in the box of its
 * two ends (longitude made continuous from the first end).
 */
function mayReach(
  m: TrackMotion,
  from: number,
  to: number,
  boxes: [number, number, number, number][],
): boolean {
  const a = reckon(m, from - m.time);
  const b = reckon(m, to - m.time);
  const bLon = a.lon + wrapLon(b.lon - a.lon);
  const w = Math.min(a.lon, bLon) - 1e-6;
  const e = Math.max(a.lon, bLon) + 1e-6;
  const s = Math.min(a.lat, b.lat) - 1e-6;
  const n = Math.max(a.lat, b.lat) + 1e-6;
  for (const [bw, bs, be, bn] of boxes) {
    if (n < bs || s > bn) continue;
    for (const k of [-360, 0, 360]) if (w + k <= be && e + k >= bw) return true;
  }
  return false;
}

function projectTracks(
  notice: NoticeContent,
  tracks: TrackMotion[],
  opts: { now: number; horizonMs: number; stepMs?: number },
  filter: boolean,
): TrackIntrusion[] {
  const shapes = noticeShapes(notice);
  const boxes = shapes.map(shapeBounds);
  const band = bandInterval(notice.band);
  const end = opts.now + opts.horizonMs;
  const active = windowOverlap(notice.windows, [{ start: opts.now, end }]);
  if (active.length === 0) return [];
  const step = opts.stepMs ?? 30_000;
  const out: TrackIntrusion[] = [];
  for (const m of tracks) {
    if (filter && !mayReach(m, active[0]!.start, active[active.length - 1]!.end, boxes)) continue;
    let hit: TrackIntrusion | null = null;
    for (const w of active) {
      let prev = w.start;
      for (let t = w.start; t <= w.end && !hit; t = Math.min(t + step, w.end)) {
        const at = inside(m, t, shapes, notice.windows, band);
        if (at) {
          // Bisect between the last outside sample and this one, to the second.
          let lo = prev;
          let hi = t;
          let best = at;
          if (t > w.start)
            while (hi - lo > 1000) {
              const mid = Math.floor((lo + hi) / 2);
              const x = inside(m, mid, shapes, notice.windows, band);
              if (x) {
                hi = mid;
                best = x;
              } else lo = mid;
            }
          hit = {
            id: m.id,
            name: m.name ?? null,
            enterAt: t === w.start ? t : hi,
            lat: best.p.lat,
            lon: best.p.lon,
            area: best.area,
            alreadyInside: t === opts.now,
          };
        }
        prev = t;
        if (t >= w.end) break;
      }
      if (hit) break;
    }
    if (hit) out.push(hit);
  }
  return out.sort((a, b) => a.enterAt - b.enterAt || (a.id < b.id ? -1 : 1));
}
