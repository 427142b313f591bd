// GeoJSON for what is drawn over the tracks: labels of the parties' own units, encounter CPA
// lines and notice areas. These are small (tens of features), so they go through ordinary
// MapLibre GeoJSON sources.
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import type { Encounter, Notice } from '../api/types.js';
import type { TrackPicture } from '../api/live.js';
import { formatDtg, formatNm } from '../format.js';
import type { Lang } from '../api/types.js';
import { noticeTitle, noticeWindow } from '../panes/notices.js';

const fc = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });

/** Labels for own and other-party tracks (third-party AIS is shown on hover only). */
export function labelFeatures(p: TrackPicture): FeatureCollection {
  const f = p.frame;
  if (!f) return fc([]);
  const out: Feature[] = [];
  for (let i = 0; i < f.count; i++) {
    if (f.party[i] === 2 || f.flags[i]! & 4) continue;
    const m = p.meta[i];
    out.push({
      type: 'Feature',
      properties: {
        name: m?.name ?? m?.id ?? '',
        party: f.party[i] === 0 ? 'own' : 'other',
        cog: f.cogsog[2 * i],
      },
      geometry: { type: 'Point', coordinates: [f.lonlat[2 * i]!, f.lonlat[2 * i + 1]!] },
    });
  }
  return fc(out);
}

/** Position of a track id in the current picture, if it is there. */
export function trackPosition(p: TrackPicture, id: string): Position | null {
  const f = p.frame;
  if (!f) return null;
  const slot = p.meta.findIndex((m) => m?.id === id);
  if (slot < 0 || slot >= f.count) return null;
  return [f.lonlat[2 * slot]!, f.lonlat[2 * slot + 1]!];
}

export function encounterFeatures(
  list: Encounter[],
  p: TrackPicture,
  lang: Lang,
): FeatureCollection {
  const out: Feature[] = [];
  for (const e of list) {
    if (e.state === 'resolved') continue;
    const a: Position = [e.cpaA.lon, e.cpaA.lat];
    const b: Position = [e.cpaB.lon, e.cpaB.lat];
    const props = { level: e.level, id: e.id, state: e.state };
    out.push({
      type: 'Feature',
      properties: { ...props, role: 'cpa' },
      geometry: { type: 'LineString', coordinates: [a, b] },
    });
    for (const [id, at] of [
      [e.a, a],
      [e.b, b],
    ] as const) {
      const now = trackPosition(p, id);
      if (now)
        out.push({
          type: 'Feature',
          properties: { ...props, role: 'track' },
          geometry: { type: 'LineString', coordinates: [now, at] },
        });
    }
    out.push({
      type: 'Feature',
      properties: {
        ...props,
        role: 'label',
        label: `CPA ${formatNm(e.cpaNm, lang)} ${formatDtg(e.cpaAt)}`,
      },
      geometry: { type: 'Point', coordinates: [(a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2] },
    });
  }
  return fc(out);
}

/** A circle as a polygon (rhumb approximation, fine for a few miles). */
function circle(lon: number, lat: number, radiusNm: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i <= 64; i++) {
    const a = (i / 64) * 2 * Math.PI;
    const dLat = (radiusNm / 60) * Math.cos(a);
    const dLon = ((radiusNm / 60) * Math.sin(a)) / Math.cos((lat * Math.PI) / 180);
    ring.push([lon + dLon, lat + dLat]);
  }
  return ring;
}

/** The area of a notice as GeoJSON, whichever of the usual shapes it comes in. */
export function noticeGeometry(area: unknown): Geometry | null {
  if (!area || typeof area !== 'object') return null;
  const a = area as Record<string, unknown>;
  if ((a.type === 'Polygon' || a.type === 'MultiPolygon') && Array.isArray(a.coordinates))
    return a as unknown as Geometry;
  if (a.type === 'Feature' && a.geometry) return noticeGeometry(a.geometry);
  if (a.geometry) return noticeGeometry(a.geometry);
  const center = (a.center ?? a.centre) as
    { lat: number; lon: number } | [number, number] | undefined;
  const radius = (a.radiusNm ?? a.radius) as number | undefined;
  if (center && typeof radius === 'number') {
    const [lon, lat] = Array.isArray(center) ? center : [center.lon, center.lat];
    return { type: 'Polygon', coordinates: [circle(lon, lat, radius)] };
  }
  const pts = (a.points ?? a.vertices ?? a.polygon) as { lat: number; lon: number }[] | undefined;
  if (Array.isArray(pts) && pts.length >= 3) {
    const ring = pts.map((p) => (Array.isArray(p) ? (p as Position) : [p.lon, p.lat]));
    return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
  }
  return null;
}

export function noticeFeatures(list: Notice[] | null, lang: Lang): FeatureCollection {
  const out: Feature[] = [];
  for (const n of list ?? []) {
    const w = noticeWindow(n);
    const areas = n.areas ?? (n.area ? [n.area] : []);
    for (const area of areas) {
      const g = noticeGeometry(area);
      if (!g) continue;
      out.push({
        type: 'Feature',
        properties: {
          id: n.id,
          label: `${noticeTitle(n, lang)}${w ? `\n${formatDtg(w.start)} – ${formatDtg(w.end)}` : ''}`,
        },
        geometry: g,
      });
    }
  }
  return fc(out);
}
