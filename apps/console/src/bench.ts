// The console bench page (bench/console.ts drives it in Chromium): the production map and track
// path fed a synthetic picture of `n` tracks once a second, timing the main thread's work per
// update, beside the naive way (parse the stream event on the page and hand MapLibre a GeoJSON
// FeatureCollection with setData) measured in the same page.
//   /bench.html?n=10000&mode=layer     the console's way: worker parses, WebGL layer draws
//   /bench.html?n=10000&mode=geojson   baseline: JSON.parse + features + setData on the page
import 'maplibre-gl/dist/maplibre-gl.css';
import { Map as MlMap, setWorkerUrl } from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Feature, FeatureCollection } from 'geojson';
import type { Track } from './api/types.js';
import { TrackPicture } from './api/live.js';
import { MAP_FONT, baseStyle } from './map/basemap.js';
import { labelFeatures } from './map/overlays.js';
import { advance, syntheticTracks } from './map/synthetic.js';
import { TrackLayer } from './map/track-layer.js';
import type { FromWorker, ToWorker } from './map/track-protocol.js';

setWorkerUrl(workerUrl);

interface Bench {
  mode: string;
  n: number;
  /** Main-thread ms per update: handling the update and a synchronous redraw. */
  samples: number[];
  /** Worker ms per update (layer mode): parse and pack, off the main thread. */
  workerMs: number[];
  ready: boolean;
}

const q = new URLSearchParams(location.search);
const n = Number(q.get('n') ?? 10_000);
const mode = q.get('mode') === 'geojson' ? 'geojson' : 'layer';
const bench: Bench = { mode, n, samples: [], workerMs: [], ready: false };
(window as unknown as { __bench: Bench }).__bench = bench;

const map = new MlMap({
  container: 'map',
  style: baseStyle(),
  center: [114, 13],
  zoom: 5,
  attributionControl: false,
  fadeDuration: 0,
});

map.on('load', () => {
  if (mode === 'layer') {
    const layer = new TrackLayer();
    const picture = new TrackPicture();
    map.addSource('labels', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer(layer);
    map.addLayer({
      id: 'unit-label',
      type: 'symbol',
      source: 'labels',
      layout: { 'text-field': ['get', 'name'], 'text-font': MAP_FONT, 'text-size': 12 },
    });
    const worker = new Worker(new URL('./map/track-worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      if (e.data.type !== 'frame') return;
      const t0 = performance.now();
      // What the console does per frame: keep the picture, hand the layer its buffers, relabel
      // the parties' own units, and draw.
      picture.accept(e.data);
      layer.setFrame(e.data);
      (map.getSource('labels') as GeoJSONSource).setData(labelFeatures(picture));
      map.redraw();
      bench.samples.push(performance.now() - t0);
      bench.workerMs.push(e.data.workerMs);
    };
    worker.postMessage({
      type: 'start',
      mode: 'synthetic',
      count: n,
      intervalMs: 1000,
      seed: 20180930,
    } satisfies ToWorker);
  } else {
    map.addSource('tracks', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: 'tracks',
      type: 'circle',
      source: 'tracks',
      paint: {
        'circle-radius': 3,
        'circle-color': [
          'match',
          ['get', 'party'],
          'own',
          '#2f7bf6',
          'other',
          '#e5484d',
          '#8b95a7',
        ],
      },
    });
    const tracks = syntheticTracks(n, 20180930);
    let now = Date.now();
    setInterval(() => {
      now += 1000;
      advance(tracks, 1000, now);
      const text = JSON.stringify({ type: 'tracks', now, tracks }); // what the stream carries
      const t0 = performance.now();
      const body = JSON.parse(text) as { tracks: Track[] };
      const features: Feature[] = body.tracks.map((t) => ({
        type: 'Feature',
        properties: { party: t.party, name: t.name, cog: t.cog },
        geometry: { type: 'Point', coordinates: [t.lon, t.lat] },
      }));
      const fc: FeatureCollection = { type: 'FeatureCollection', features };
      (map.getSource('tracks') as GeoJSONSource).setData(fc);
      map.redraw();
      bench.samples.push(performance.now() - t0);
    }, 1000);
  }
  bench.ready = true;
});
