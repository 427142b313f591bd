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
    // Stale (1) and gone (4) units are not labelled: a label says "this unit is here now".
    if (f.party[i] === 2 || f.flags[i]! & 5) continue;
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
    if (!e.cpaA || !e.cpaB) {
      // A unit heading into a notice area: a line from the unit to where it enters.
      const now = trackPosition(p, e.a);
      if (e.enterPos && now)
        out.push({
          type: 'Feature',
          properties: { level: e.level, id: e.id, state: e.state, role: 'track' },
          geometry: { type: 'LineString', coordinates: [now, [e.enterPos.lon, e.enterPos.lat]] },
        });
      continue;
    }
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
        label: `CPA ${formatNm(e.cpaNm ?? NaN, lang)} ${e.cpaAt ? formatDtg(e.cpaAt) : ''}`,
      },
      geometry: { type: 'Point', coordinates: [(a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2] },
    });
  }
  return fc(out);
}

/** Notice areas with their kind, status and time windows for the label. */
export function noticeFeatures(
  list: Notice[] | null,
  shapes: Record<string, FeatureCollection>,
  lang: Lang,
): FeatureCollection {
  const out: Feature[] = [];
  for (const n of list ?? []) {
    if (n.status === 'cancelled' || n.status === 'expired') continue;
    const w = noticeWindow(n);
    for (const f of shapes[n.id]?.features ?? []) {
      out.push({
        type: 'Feature',
        properties: {
          id: n.id,
          status: n.status,
          label: `${noticeTitle(n, lang)}${w ? `\n${formatDtg(w.start)} – ${formatDtg(w.end)}` : ''}`,
        },
        geometry: f.geometry as Geometry,
      });
    }
  }
  return fc(out);
}
