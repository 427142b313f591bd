// The offline basemap: Natural Earth 1:50m land and country borders from the world-atlas
// package (TopoJSON, bundled), turned into GeoJSON here. No tiles, no fonts, no sprites are
// fetched: the style has only these GeoJSON sources, and MapLibre draws label glyphs locally.
import type { StyleSpecification } from 'maplibre-gl';
import { feature, mesh } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, Geometry, MultiLineString } from 'geojson';
import land50 from 'world-atlas/land-50m.json';
import countries50 from 'world-atlas/countries-50m.json';
import fontUrl from '../fonts/DejaVuSans.ttf?url';

type World = Topology<{ land: GeometryCollection; countries: GeometryCollection }>;

export function basemapData(): { land: FeatureCollection<Geometry>; borders: MultiLineString } {
  const land = land50 as unknown as World;
  const countries = countries50 as unknown as World;
  const l = feature(land, land.objects.land) as unknown as FeatureCollection<Geometry>;
  const borders = mesh(countries, countries.objects.countries, (a, b) => a !== b);
  return { land: l, borders };
}

export const COLOURS = {
  sea: '#0d1b2a',
  land: '#2b3440',
  border: '#5b6573',
  graticule: '#1b2d42',
};

/** One-degree graticule lines over the area of interest, for a sense of scale. */
function graticule(): FeatureCollection {
  const lines: GeoJSON.Feature[] = [];
  for (let lon = -180; lon <= 180; lon += 5)
    lines.push({
      type: 'Feature',
      properties: {},
      geometry: {
        type: 'LineString',
        coordinates: [
          [lon, -80],
          [lon, 80],
        ],
      },
    });
  for (let lat = -80; lat <= 80; lat += 5)
    lines.push({
      type: 'Feature',
      properties: {},
      geometry: {
        type: 'LineString',
        coordinates: Array.from({ length: 73 }, (_, i) => [-180 + i * 5, lat]),
      },
    });
  return { type: 'FeatureCollection', features: lines };
}

/** The font map labels are drawn with (bundled; CJK falls back to the system's font). */
export const MAP_FONT = ['Parley Sans'];

/**
 * The map style: local GeoJSON sources only, no sprite, and no glyphs URL: MapLibre draws label
 * glyphs itself from the bundled font (`font-faces`), served by the station with the console.
 */
export function baseStyle(): StyleSpecification {
  const { land, borders } = basemapData();
  return {
    version: 8,
    'font-faces': {
      'Parley Sans': [
        {
          url: new URL(fontUrl, location.href).href,
          'unicode-range': ['U+0000-024F', 'U+2000-27FF'],
        },
      ],
    },
    sources: {
      land: { type: 'geojson', data: land },
      borders: { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: borders } },
      graticule: { type: 'geojson', data: graticule() },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': COLOURS.sea } },
      {
        id: 'graticule',
        type: 'line',
        source: 'graticule',
        paint: { 'line-color': COLOURS.graticule, 'line-width': 1 },
      },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': COLOURS.land } },
      {
        id: 'borders',
        type: 'line',
        source: 'borders',
        paint: { 'line-color': COLOURS.border, 'line-width': 0.8, 'line-dasharray': [3, 2] },
      },
    ],
  };
}
