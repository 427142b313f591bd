import { useEffect, useRef, useState } from 'react';
import { Map as MlMap, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { TrackPicture } from '../api/live.js';
import { encounterCentre } from '../api/types.js';
import {
  formatCourse,
  formatDtg,
  formatKnots,
  formatNm,
  safeDecimal,
  safePosition,
} from '../format.js';
import { noticeTitle, noticeWindow } from '../panes/notices.js';
import type { FeatureCollection } from 'geojson';
import { useI18n } from '../i18n/i18n.js';
import { Dtg } from '../panes/common.js';
import type { Ctx } from '../panes/shell.js';
import { MAP_FONT, baseStyle } from './basemap.js';
import { encounterFeatures, labelFeatures, noticeFeatures } from './overlays.js';
import { PARTY_COLOURS, TrackLayer } from './track-layer.js';
import type { Frame } from './track-protocol.js';
import { FLAG_GONE, FLAG_STALE } from './track-protocol.js';

setWorkerUrl(workerUrl);

const LEVEL = { caution: '#f5a524', danger: '#ff3b30' };
const FONT = MAP_FONT;

interface Hover {
  x: number;
  y: number;
  slot: number;
}

/** Adds the overlay sources and layers to a loaded map. */
function addOverlays(map: MlMap, layer: TrackLayer): void {
  const empty = { type: 'FeatureCollection' as const, features: [] };
  map.addSource('notices', { type: 'geojson', data: empty });
  map.addSource('encounters', { type: 'geojson', data: empty });
  map.addSource('labels', { type: 'geojson', data: empty });
  map.addLayer({
    id: 'notice-fill',
    type: 'fill',
    source: 'notices',
    paint: {
      'fill-color': [
        'match',
        ['get', 'status'],
        'active',
        '#ff6b3d',
        '#f5a524',
      ] as unknown as string,
      'fill-opacity': 0.18,
    },
  });
  map.addLayer({
    id: 'notice-line',
    type: 'line',
    source: 'notices',
    paint: { 'line-color': '#f5a524', 'line-width': 1.5, 'line-dasharray': [2, 2] },
  });
  map.addLayer({
    id: 'notice-label',
    type: 'symbol',
    source: 'notices',
    layout: { 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 11 },
    paint: { 'text-color': '#f5c46b', 'text-halo-color': '#000', 'text-halo-width': 1 },
  });
  map.addLayer(layer);
  const levelColour = [
    'match',
    ['get', 'level'],
    'danger',
    LEVEL.danger,
    LEVEL.caution,
  ] as unknown as string;
  map.addLayer({
    id: 'encounter-track',
    type: 'line',
    source: 'encounters',
    filter: ['==', ['get', 'role'], 'track'],
    paint: { 'line-color': levelColour, 'line-width': 1.5, 'line-dasharray': [2, 2] },
  });
  map.addLayer({
    id: 'encounter-cpa',
    type: 'line',
    source: 'encounters',
    filter: ['==', ['get', 'role'], 'cpa'],
    paint: { 'line-color': levelColour, 'line-width': 3 },
  });
  map.addLayer({
    id: 'encounter-label',
    type: 'symbol',
    source: 'encounters',
    filter: ['==', ['get', 'role'], 'label'],
    layout: {
      'text-field': ['get', 'label'],
      'text-font': FONT,
      'text-size': 12,
      'text-offset': [0, 1.2],
      'text-allow-overlap': true,
    },
    paint: { 'text-color': levelColour, 'text-halo-color': '#000', 'text-halo-width': 1.5 },
  });
  map.addLayer({
    id: 'unit-ring',
    type: 'circle',
    source: 'labels',
    paint: {
      'circle-radius': 7,
      'circle-color': 'rgba(0,0,0,0)',
      'circle-stroke-width': 2,
      'circle-stroke-color': [
        'match',
        ['get', 'party'],
        'own',
        PARTY_COLOURS[0],
        PARTY_COLOURS[1],
      ] as unknown as string,
    },
  });
  map.addLayer({
    id: 'unit-label',
    type: 'symbol',
    source: 'labels',
    layout: {
      'text-field': ['get', 'name'],
      'text-font': FONT,
      'text-size': 12,
      'text-anchor': 'left',
      'text-offset': [1, 0],
      'text-allow-overlap': true,
    },
    paint: { 'text-color': '#e6edf3', 'text-halo-color': '#000', 'text-halo-width': 1.5 },
  });
}

function nearest(map: MlMap, frame: Frame, x: number, y: number): number {
  const ll = map.unproject([x, y]);
  const mx = (ll.lng + 180) / 360;
  const s = Math.sin((ll.lat * Math.PI) / 180);
  const my = 0.5 - (0.25 * Math.log((1 + s) / (1 - s))) / Math.PI;
  const worldPx = 512 * 2 ** map.getZoom();
  const r = 8 / worldPx;
  let best = -1;
  let bestD = r * r;
  for (let i = 0; i < frame.count; i++) {
    if (frame.flags[i]! & FLAG_GONE) continue;
    const dx = frame.xy[2 * i]! - mx;
    const dy = frame.xy[2 * i + 1]! - my;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** The bounding box of a FeatureCollection's polygons, for fitting the map to a notice. */
function bounds(fc: FeatureCollection | undefined): [[number, number], [number, number]] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      w = Math.min(w, c[0] as number);
      e = Math.max(e, c[0] as number);
      s = Math.min(s, c[1] as number);
      n = Math.max(n, c[1] as number);
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const f of fc?.features ?? [])
    if (f.geometry && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return Number.isFinite(w)
    ? [
        [w, s],
        [e, n],
      ]
    : null;
}

export function MapView({
  ctx,
  focus,
  onEncounter,
  onNotice,
}: {
  ctx: Ctx;
  focus: string | null;
  onEncounter: (id: string) => void;
  onNotice: (id: string) => void;
}) {
  const { t, tx, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MlMap | null>(null);
  const [ready, setReady] = useState(false);
  const [hover, setHover] = useState<Hover | null>(null);
  const [frame, setFrame] = useState<Frame | null>(null);
  const picture: TrackPicture = ctx.live.tracks;

  useEffect(() => {
    const map = new MlMap({
      container: box.current!,
      style: baseStyle(),
      center: [114.3, 10.0],
      zoom: 6,
      attributionControl: false,
      fadeDuration: 0,
    });
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new ScaleControl({ unit: 'nautical' }), 'bottom-left');
    mapRef.current = map;
    const layer = new TrackLayer();
    let off = () => {};
    map.on('load', () => {
      addOverlays(map, layer);
      off = picture.subscribe((f) => {
        layer.setFrame(f);
        (map.getSource('labels') as GeoJSONSource | undefined)?.setData(labelFeatures(picture));
        setFrame(f);
      });
      setReady(true);
      (window as unknown as { __parleyMap?: MlMap }).__parleyMap = map;
    });
    map.on('mousemove', (e) => {
      const f = picture.frame;
      const slot = f ? nearest(map, f, e.point.x, e.point.y) : -1;
      setHover(slot >= 0 ? { x: e.point.x, y: e.point.y, slot } : null);
    });
    map.on('click', 'encounter-cpa', (e) => {
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') onEncounter(id);
    });
    return () => {
      off();
      map.remove();
      mapRef.current = null;
    };
  }, [picture]);

  // Overlays that follow the API state.
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('encounters') as GeoJSONSource | undefined)?.setData(
      encounterFeatures(ctx.snap.encounters, picture, lang),
    );
  }, [ready, ctx.snap.encounters, frame, picture, lang]);
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    (map.getSource('notices') as GeoJSONSource | undefined)?.setData(
      noticeFeatures(ctx.snap.notices, ctx.snap.noticeShapes, lang),
    );
  }, [ready, ctx.snap.notices, ctx.snap.noticeShapes, lang]);
  useEffect(() => {
    const e = ctx.snap.encounters.find((x) => x.id === focus);
    const c = e ? encounterCentre(e) : null;
    if (c && mapRef.current)
      mapRef.current.flyTo({
        center: [c.lon, c.lat],
        zoom: Math.max(mapRef.current.getZoom(), 11),
      });
    // Only when the focus changes, not on every refresh of the list.
  }, [focus]);

  // A new danger encounter is brought into view once; after that the watch steers the map.
  const shown = useRef(new Set<string>());
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    for (const e of ctx.snap.encounters) {
      if (e.level !== 'danger' || e.state === 'past' || e.state === 'resolved') continue;
      if (e.kind === 'area' || shown.current.has(e.id)) continue;
      shown.current.add(e.id);
      const c = encounterCentre(e);
      if (c) map.flyTo({ center: [c.lon, c.lat], zoom: Math.max(map.getZoom(), 11) });
    }
  }, [ready, ctx.snap.encounters]);

  const hoverInfo = hover && frame && hover.slot < frame.count ? hover : null;
  const meta = hoverInfo ? picture.meta[hoverInfo.slot] : undefined;
  const live = frame?.replayAt === null || frame?.replayAt === undefined;
  const from = frame?.historyFrom ?? null;
  const to = ctx.snap.now || frame?.now || 0;
  const urgent = ctx.snap.encounters
    .filter(
      (e) =>
        e.kind !== 'area' &&
        e.draft?.status === 'pending' &&
        (e.state === 'projected' || e.state === 'active'),
    )
    .sort((a, b) =>
      a.level === b.level ? (a.tcpaMin ?? 0) - (b.tcpaMin ?? 0) : a.level === 'danger' ? -1 : 1,
    )[0];

  // The other station's newest notice this station has not yet acknowledged.
  const newNotice = (ctx.snap.notices ?? [])
    .filter(
      (n) => !n.own && !n.receipts.understood && (n.status === 'upcoming' || n.status === 'active'),
    )
    .sort((a, b) => b.ts - a.ts)[0];

  return (
    <div className="map-wrap">
      <div
        ref={box}
        className="map"
        data-testid="map"
        data-ready={ready}
        data-tracks={frame?.count ?? 0}
      />
      {urgent ? (
        <div className={`map-banner level-${urgent.level}`} data-testid="encounter-banner">
          <span>
            ⚠{' '}
            {t('encounterBanner', {
              level: tx(`level_${urgent.level}`, urgent.level),
              a: urgent.aName ?? urgent.a,
              b: urgent.bName ?? urgent.b,
              dist: formatNm(urgent.cpaNm ?? NaN, lang),
              min: Math.max(0, Math.round((urgent.tcpaMin ?? 0) * 10) / 10),
            })}
          </span>
          <button
            type="button"
            onClick={() => onEncounter(urgent.id)}
            data-testid="review-encounter"
          >
            {t('review')}
          </button>
        </div>
      ) : null}
      {newNotice ? (
        <div
          className={`map-banner notice-banner ${urgent ? 'second' : ''} ${newNotice.lateness.late ? 'late' : ''}`}
          data-testid="notice-banner"
        >
          <span>
            {t('noticeBanner', {
              title: noticeTitle(newNotice, lang),
              from: formatDtg(noticeWindow(newNotice)?.start ?? newNotice.ts),
            })}
            {newNotice.lateness.late ? <span className="badge state-down">{t('late')}</span> : null}
          </span>
          <button
            type="button"
            onClick={() => {
              const b = bounds(ctx.snap.noticeShapes[newNotice.id]);
              if (b && mapRef.current) mapRef.current.fitBounds(b, { padding: 80, maxZoom: 10 });
              onNotice(newNotice.id);
            }}
            data-testid="review-notice"
          >
            {t('review')}
          </button>
        </div>
      ) : null}
      <div className="map-legend">
        <span style={{ color: PARTY_COLOURS[0] }}>● {t('party_own')}</span>
        <span style={{ color: PARTY_COLOURS[1] }}>● {t('party_other')}</span>
        <span style={{ color: PARTY_COLOURS[2] }}>● {t('party_third')}</span>
        <span className="muted">{t('tracks', { n: frame?.count ?? 0 })}</span>
      </div>
      {hoverInfo && frame ? (
        <div
          className="map-tip"
          style={{ left: hoverInfo.x + 14, top: hoverInfo.y + 14 }}
          data-testid="track-tip"
        >
          <strong>{meta?.name ?? meta?.id ?? '?'}</strong>{' '}
          <span className="muted">{tx(`party_${meta?.party ?? 'third'}`, '')}</span>
          <div
            title={safeDecimal(
              frame.lonlat[2 * hoverInfo.slot + 1]!,
              frame.lonlat[2 * hoverInfo.slot]!,
            )}
          >
            {safePosition(frame.lonlat[2 * hoverInfo.slot + 1]!, frame.lonlat[2 * hoverInfo.slot]!)}
          </div>
          <div className="muted small">
            {safeDecimal(frame.lonlat[2 * hoverInfo.slot + 1]!, frame.lonlat[2 * hoverInfo.slot]!)}
          </div>
          <div>
            {t('course', {
              c: formatCourse(frame.cogsog[2 * hoverInfo.slot]!),
              s: formatKnots(frame.cogsog[2 * hoverInfo.slot + 1]!, lang),
            })}
          </div>
          {frame.flags[hoverInfo.slot]! & FLAG_STALE ? (
            <div className="badge">{t('stale')}</div>
          ) : null}
          <div className="muted small">{meta?.id}</div>
        </div>
      ) : null}
      <div className="time-slider" data-testid="time-slider">
        <button
          type="button"
          className={live ? 'on live' : ''}
          onClick={() => ctx.live.replay(null)}
        >
          {live ? `● ${t('live')}` : t('backToLive')}
        </button>
        <input
          type="range"
          min={from ?? to}
          max={to}
          step={10_000}
          value={live ? to : (frame?.replayAt ?? to)}
          disabled={from === null || to - (from ?? to) < 10_000}
          onChange={(e) => {
            const v = Number(e.target.value);
            ctx.live.replay(v >= to - 10_000 ? null : v);
          }}
          aria-label={t('map')}
        />
        <span className="small">{live ? <Dtg ms={to || null} /> : t('replay', { time: '' })}</span>
        {!live && frame?.replayAt ? <Dtg ms={frame.replayAt} /> : null}
      </div>
    </div>
  );
}
