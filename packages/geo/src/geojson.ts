/**
 * GeoJSON (RFC 7946) import and export of tracks: a FeatureCollection of Point features, one per
 * unit, position in the geometry ([lon, lat], WGS 84) and the rest in the properties:
 *
 *   { id, name, party, domain, sog, cog, heading, altFt, vsFpm, time, source }
 *
 * `id` is a track id (`<source prefix>:<local id>`, e.g. `ais:412345678`); `party` is `own`,
 * `other` or `third`; `domain` `surface` or `air`; `sog` knots, `cog` and `heading` degrees true,
 * `altFt` feet, `vsFpm` feet per minute; `time` the report time as ISO 8601 UTC
 * (`2025-06-01T08:00:00.000Z`); `source` where the track came from (default `geojson`). `name`,
 * `heading`, `altFt`, `vsFpm` and `source` may be absent or null.
 *
 * Import is strict and all-or-nothing: the first bad field stops it with a coded error naming the
 * feature index, the field and the bad value, and nothing is returned. A third coordinate
 * (altitude in metres, RFC 7946 §3.1.1) is allowed and ignored: `altFt` is the altitude. A
 * Feature `id` member, if present, must equal `properties.id`. Unknown properties are refused
 * unless `ignoreUnknown` is set (other tools' styling, say). Sizes are bounded before any work.
 */
import {
  MAX_TRACK_NAME,
  ParleyError,
  TRACK_DOMAINS,
  TRACK_ID_RE,
  TRACK_PARTIES,
  TRACK_SOURCES,
  parseTrackReport,
  checkJsonDepth,
  checkTrackTime,
} from '@parley/core';
import type { TrackParty, TrackRecord, TrackSource } from '@parley/core';
import type { Domain } from './track-set.js';

export type GeoJsonParty = TrackParty;
export type GeoJsonSource = TrackSource;

/** One track as imported or exported: the shape the station holds and serves (core's `TrackRecord`). */
export type GeoJsonTrack = TrackRecord;

/** The properties of one exported feature. */
export interface GeoJsonTrackProperties {
  id: string;
  name: string | null;
  party: GeoJsonParty;
  domain: Domain;
  sog: number;
  cog: number;
  heading: number | null;
  altFt: number | null;
  vsFpm: number | null;
  /** ISO 8601 UTC. */
  time: string;
  source: GeoJsonSource;
}

export interface GeoJsonTrackFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: GeoJsonTrackProperties;
}

export interface GeoJsonTrackCollection {
  type: 'FeatureCollection';
  features: GeoJsonTrackFeature[];
}

export interface GeoJsonImportOptions {
  /** Most features accepted (default 100 000). */
  maxFeatures?: number;
  /** Longest text `parseGeoJsonTracks` accepts, UTF-16 code units (default 64 Mi). */
  maxChars?: number;
  /** Skip properties this format does not know instead of refusing them. */
  ignoreUnknown?: boolean;
  /**
   * The importing station's clock: a report dated more than TRACK_FUTURE_SKEW_MS after it is
   * refused with PARLEY_E_TRACK_TIME (it would pin its track). History has no lower bound.
   */
  now?: number;
}

const PARTIES: readonly string[] = TRACK_PARTIES;
const SOURCES: readonly string[] = TRACK_SOURCES;
const DOMAINS: readonly string[] = TRACK_DOMAINS;
const KNOWN = new Set([
  'id',
  'name',
  'party',
  'domain',
  'sog',
  'cog',
  'heading',
  'altFt',
  'vsFpm',
  'time',
  'source',
]);
/** Track ids: a source prefix and a local id of printable ASCII (as the station's API). */
const ID_RE = TRACK_ID_RE;
const MAX_NAME = MAX_TRACK_NAME;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

const DEFAULT_MAX_FEATURES = 100_000;
const DEFAULT_MAX_CHARS = 64 * 1024 * 1024;

function fail(index: number | null, field: string, value: unknown, why: string): never {
  const where = index === null ? 'GeoJSON' : `GeoJSON feature ${index}`;
  let shown: string;
  try {
    shown = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) shown = String(value);
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  throw new ParleyError('PARLEY_E_GEOJSON_INVALID', `${where}: ${field} ${why} (got ${shown})`, {
    index,
    field,
    value: typeof value === 'object' && value !== null ? undefined : value,
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function numberIn(
  i: number,
  field: string,
  v: unknown,
  min: number,
  max: number,
  unit: string,
): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(i, field, v, 'must be a finite number');
  if (v < min || v > max) fail(i, field, v, `must be within ${min}…${max} ${unit}`);
  return v;
}

function optionalNumber(
  i: number,
  p: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
  unit: string,
): number | null {
  const v = p[key];
  if (v === undefined || v === null) return null;
  return numberIn(i, `properties.${key}`, v, min, max, unit);
}

function oneOf<T extends string>(
  i: number,
  field: string,
  v: unknown,
  allowed: readonly string[],
): T {
  if (typeof v !== 'string' || !allowed.includes(v))
    fail(i, field, v, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** ISO 8601 UTC with a `Z` and at most millisecond precision, a real calendar date, ≥ 1970. */
function parseTime(i: number, v: unknown): number {
  const field = 'properties.time';
  if (typeof v !== 'string') fail(i, field, v, 'must be an ISO 8601 UTC time string');
  const m = ISO_RE.exec(v);
  if (!m) fail(i, field, v, 'must be ISO 8601 UTC, e.g. 2025-06-01T08:00:00.000Z');
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    fail(i, field, v, 'is not a calendar date and time');
  if (t < 0) fail(i, field, v, 'is before 1970');
  return t;
}

/** Checks one feature and returns its track; throws PARLEY_E_GEOJSON_INVALID naming the field. */
function featureToTrack(i: number, f: unknown, ignoreUnknown: boolean): GeoJsonTrack {
  if (!isObject(f)) fail(i, 'feature', f, 'must be an object');
  if (f.type !== 'Feature') fail(i, 'type', f.type, 'must be "Feature"');
  const g = f.geometry;
  if (g === undefined || g === null) fail(i, 'geometry', g, 'is missing');
  if (!isObject(g)) fail(i, 'geometry', g, 'must be an object');
  if (g.type !== 'Point') fail(i, 'geometry.type', g.type, 'must be "Point"');
  const c = g.coordinates;
  if (!Array.isArray(c) || c.length < 2 || c.length > 3)
    fail(i, 'geometry.coordinates', c, 'must be [lon, lat] or [lon, lat, alt]');
  const lon = numberIn(i, 'geometry.coordinates[0]', c[0], -180, 180, 'degrees east');
  const lat = numberIn(i, 'geometry.coordinates[1]', c[1], -90, 90, 'degrees north');
  if (c.length === 3 && (typeof c[2] !== 'number' || !Number.isFinite(c[2])))
    fail(i, 'geometry.coordinates[2]', c[2], 'must be a finite number (metres)');
  const p = f.properties;
  if (!isObject(p)) fail(i, 'properties', p, 'must be an object');
  if (!ignoreUnknown) {
    for (const k of Object.keys(p))
      if (!KNOWN.has(k)) fail(i, `properties.${k}`, p[k], 'is not a track property');
  }
  const id = p.id;
  if (typeof id !== 'string' || !ID_RE.test(id))
    fail(i, 'properties.id', id, 'must be a track id like ais:412345678');
  if (has(f, 'id') && f.id !== id) fail(i, 'id', f.id, 'must equal properties.id');
  let name: string | null = null;
  if (p.name !== undefined && p.name !== null) {
    if (typeof p.name !== 'string' || p.name.length < 1 || p.name.length > MAX_NAME)
      fail(i, 'properties.name', p.name, `must be a string of 1–${MAX_NAME} characters or null`);
    name = p.name;
  }
  const party = oneOf<GeoJsonParty>(i, 'properties.party', p.party, PARTIES);
  const domain = oneOf<Domain>(i, 'properties.domain', p.domain, DOMAINS);
  const sog = numberIn(i, 'properties.sog', p.sog, 0, 2000, 'knots');
  const cog = numberIn(i, 'properties.cog', p.cog, 0, 360, 'degrees');
  const heading = optionalNumber(i, p, 'heading', 0, 360, 'degrees');
  const altFt = optionalNumber(i, p, 'altFt', -2000, 100_000, 'feet');
  const vsFpm = optionalNumber(i, p, 'vsFpm', -60_000, 60_000, 'feet per minute');
  const at = parseTime(i, p.time);
  const source =
    p.source === undefined || p.source === null
      ? 'geojson'
      : oneOf<GeoJsonSource>(i, 'properties.source', p.source, SOURCES);
  // The checks above name the GeoJSON field; core resolves the report as the station's API does
  // (−180° stored as 180°, a course of 360° as 0°, names trimmed, no altitude for a surface unit).
  const report = { id, name, party, source, domain, lat, lon, sog, cog, heading, altFt, vsFpm };
  try {
    return parseTrackReport({ ...report, time: at }, at, source);
  } catch (err) {
    if (err instanceof ParleyError) fail(i, 'feature', undefined, err.message);
    throw err;
  }
}

/**
 * Tracks from a parsed GeoJSON FeatureCollection, all or nothing: throws
 * PARLEY_E_GEOJSON_TOO_LARGE beyond `maxFeatures`, PARLEY_E_GEOJSON_INVALID (details
 * `{ index, field, value }`) on the first bad feature or a repeated track id.
 */
export function geoJsonToTracks(value: unknown, opts: GeoJsonImportOptions = {}): GeoJsonTrack[] {
  const max = opts.maxFeatures ?? DEFAULT_MAX_FEATURES;
  if (!isObject(value)) fail(null, 'collection', value, 'must be a GeoJSON object');
  if (value.type !== 'FeatureCollection')
    fail(null, 'type', value.type, 'must be "FeatureCollection"');
  const features = value.features;
  if (!Array.isArray(features)) fail(null, 'features', features, 'must be an array');
  if (features.length > max) {
    throw new ParleyError(
      'PARLEY_E_GEOJSON_TOO_LARGE',
      `GeoJSON: ${features.length} features, more than the limit of ${max}`,
      { features: features.length, max },
    );
  }
  const out: GeoJsonTrack[] = new Array<GeoJsonTrack>(features.length);
  const seen = new Map<string, number>();
  for (let i = 0; i < features.length; i++) {
    const t = featureToTrack(i, features[i], opts.ignoreUnknown === true);
    if (opts.now !== undefined) {
      try {
        checkTrackTime(t.at, opts.now);
      } catch (err) {
        if (err instanceof ParleyError)
          throw new ParleyError(err.code, `GeoJSON feature ${i}: ${err.message}`, {
            ...err.details,
            index: i,
          });
        throw err;
      }
    }
    const first = seen.get(t.id);
    if (first !== undefined) fail(i, 'properties.id', t.id, `repeats feature ${first}`);
    seen.set(t.id, i);
    out[i] = t;
  }
  return out;
}

/**
 * Tracks from GeoJSON text: the length is bounded before parsing, bad JSON is
 * PARLEY_E_GEOJSON_INVALID, the rest as `geoJsonToTracks`.
 */
export function parseGeoJsonTracks(text: string, opts: GeoJsonImportOptions = {}): GeoJsonTrack[] {
  const max = opts.maxChars ?? DEFAULT_MAX_CHARS;
  if (text.length > max) {
    throw new ParleyError(
      'PARLEY_E_GEOJSON_TOO_LARGE',
      `GeoJSON: ${text.length} characters, more than the limit of ${max}`,
      { chars: text.length, max },
    );
  }
  // Depth is bounded before parsing: deeply nested text would overflow the stack further on.
  checkJsonDepth(text, 'GeoJSON');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    fail(null, 'text', text.slice(0, 40), `is not JSON: ${(err as Error).message}`);
  }
  return geoJsonToTracks(value, opts);
}

/**
 * A FeatureCollection of the tracks (objects with more fields, like a served track's `stale`,
 * export the fields above only). Every feature is checked as import would check it, so what is
 * exported always imports back to the same tracks; a bad track throws PARLEY_E_GEOJSON_INVALID
 * with its index.
 *
 * @example
 * JSON.stringify(tracksToGeoJson(tracks)); // → a file `parseGeoJsonTracks` reads back
 */
export function tracksToGeoJson(tracks: readonly GeoJsonTrack[]): GeoJsonTrackCollection {
  const features: GeoJsonTrackFeature[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < tracks.length; i++) {
    const t = tracks[i]!;
    const first = seen.get(t.id);
    if (first !== undefined) fail(i, 'properties.id', t.id, `repeats track ${first}`);
    seen.set(t.id, i);
    let time: string;
    try {
      time = new Date(t.at).toISOString();
    } catch {
      fail(i, 'properties.time', t.at, 'must be a time in ms since the epoch');
    }
    const f: GeoJsonTrackFeature = {
      type: 'Feature',
      id: t.id,
      geometry: { type: 'Point', coordinates: [t.lon, t.lat] },
      properties: {
        id: t.id,
        name: t.name ?? null,
        party: t.party,
        domain: t.domain,
        sog: t.sog,
        cog: t.cog,
        heading: t.heading ?? null,
        altFt: t.altFt ?? null,
        vsFpm: t.vsFpm ?? null,
        time,
        source: t.source ?? 'geojson',
      },
    };
    const back = featureToTrack(i, f, false);
    if (back.at !== t.at) fail(i, 'properties.time', t.at, 'must be a whole number of ms');
    features.push(f);
  }
  return { type: 'FeatureCollection', features };
}
