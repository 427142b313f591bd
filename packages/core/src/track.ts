/**
 * Tracks: the latest known state of one unit (a ship, an aircraft), as a station holds it. A
 * track comes from AIS, from TAK/CoT, from a GeoJSON file or from the station's own feeds; its
 * party is relative to the station that holds it (`own`, `other` — the party across the
 * hotline — or `third`). Tracks are sensor data, not transcript: they are never signed into a
 * feed; what the hotline carries about them is the message an operator sends.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ParleyError } from './errors.js';
import { parsePolicyText } from './text-policy.js';

export const TRACK_PARTIES = ['own', 'other', 'third'] as const;
export type TrackParty = (typeof TRACK_PARTIES)[number];
export const TRACK_SOURCES = ['ais', 'cot', 'geojson', 'station'] as const;
export type TrackSource = (typeof TRACK_SOURCES)[number];
export const TRACK_DOMAINS = ['surface', 'air'] as const;
export type TrackDomain = (typeof TRACK_DOMAINS)[number];

/** Track ids: a source prefix and a local id (`ais:412345678`, `cot:ANDROID-1`, `stn:DDG-89`). */
export const TRACK_ID_RE = /^[a-z]{2,8}:[\x21-\x7e]{1,64}$/;
/** The longest unit name (hull number, call sign, AIS ship name), in UTF-16 code units. */
export const MAX_TRACK_NAME = 64;

const num = (opts: { minimum?: number; maximum?: number; description: string }) =>
  Type.Number(opts);

/** One position report as an operator, a feed or a peer tool submits it. */
export const TrackReportSchema = Type.Object(
  {
    id: Type.String({ pattern: TRACK_ID_RE.source, description: 'source prefix and local id' }),
    name: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: MAX_TRACK_NAME }), Type.Null()]),
    ),
    party: Type.Union(
      TRACK_PARTIES.map((p) => Type.Literal(p)),
      { description: 'relative to this station' },
    ),
    domain: Type.Union(TRACK_DOMAINS.map((d) => Type.Literal(d))),
    source: Type.Optional(Type.Union(TRACK_SOURCES.map((s) => Type.Literal(s)))),
    lat: num({ minimum: -90, maximum: 90, description: 'degrees north, WGS 84' }),
    lon: num({ minimum: -180, maximum: 180, description: 'degrees east, WGS 84' }),
    sog: num({ minimum: 0, maximum: 2000, description: 'speed over ground, knots' }),
    cog: num({ minimum: 0, maximum: 360, description: 'course over ground, degrees true' }),
    heading: Type.Optional(
      Type.Union([num({ minimum: 0, maximum: 360, description: 'degrees true' }), Type.Null()]),
    ),
    altFt: Type.Optional(
      Type.Union([num({ minimum: -2000, maximum: 100_000, description: 'feet' }), Type.Null()]),
    ),
    vsFpm: Type.Optional(
      Type.Union([
        num({ minimum: -60_000, maximum: 60_000, description: 'feet per minute' }),
        Type.Null(),
      ]),
    ),
    time: Type.Optional(
      Type.Integer({ minimum: 0, description: 'report time, ms since the epoch (default now)' }),
    ),
  },
  { additionalProperties: false },
);
export type TrackReportInput = Static<typeof TrackReportSchema>;

/** A track as held and served: every optional field resolved. */
export interface TrackRecord {
  id: string;
  name: string | null;
  party: TrackParty;
  source: TrackSource;
  domain: TrackDomain;
  lat: number;
  lon: number;
  sog: number;
  cog: number;
  heading: number | null;
  altFt: number | null;
  vsFpm: number | null;
  /** Report time, ms since the epoch. */
  at: number;
}

const check = TypeCompiler.Compile(TrackReportSchema);

/**
 * Checks one report and resolves it to a record; `now` fills a missing time, `source` a missing
 * source. Throws PARLEY_E_TRACK_INVALID naming the field and the bad value.
 */
export function parseTrackReport(
  value: unknown,
  now: number,
  source: TrackSource = 'station',
): TrackRecord {
  if (!check.Check(value)) {
    const first = check.Errors(value).First();
    const path = first?.path ?? '';
    const bad = first ? first.value : value;
    throw new ParleyError(
      'PARLEY_E_TRACK_INVALID',
      `track report${path ? ` field ${path.slice(1)}` : ''}: ${first?.message ?? 'malformed'} (got ${JSON.stringify(bad) ?? String(bad)})`,
      { path, value: bad },
    );
  }
  const r = value;
  const name = r.name?.trim()
    ? parsePolicyText(r.name, { field: 'name', max: MAX_TRACK_NAME })
    : null;
  return {
    id: r.id,
    name,
    party: r.party,
    source: r.source ?? source,
    domain: r.domain,
    lat: r.lat,
    lon: r.lon === -180 ? 180 : r.lon,
    sog: r.sog,
    cog: r.cog === 360 ? 0 : r.cog,
    heading: r.heading ?? null,
    altFt: r.domain === 'air' ? (r.altFt ?? null) : null,
    vsFpm: r.domain === 'air' ? (r.vsFpm ?? null) : null,
    at: r.time ?? now,
  };
}

/**
 * How far ahead of the station clock a report may be dated (clock skew between sensors and the
 * station): 5 minutes. A report dated later would pin its track, since older reports never
 * replace a newer one.
 */
export const TRACK_FUTURE_SKEW_MS = 5 * 60_000;
/** How old a live report (operator API, CoT) may be: 24 hours. Imports of history (GeoJSON, AIS) have no lower bound. */
export const TRACK_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Checks a report time against the station clock: at most TRACK_FUTURE_SKEW_MS ahead and, when
 * `maxAgeMs` is given, at most that far behind. Throws PARLEY_E_TRACK_TIME.
 */
export function checkTrackTime(at: number, now: number, maxAgeMs?: number): number {
  const late = at > now + TRACK_FUTURE_SKEW_MS;
  const early = maxAgeMs !== undefined && at < now - maxAgeMs;
  if (late || early)
    throw new ParleyError(
      'PARLEY_E_TRACK_TIME',
      `report time ${showTime(at)} is ${late ? 'more than 5 minutes ahead of' : `more than ${Math.round(maxAgeMs! / 3_600_000)} h behind`} the station clock (${showTime(now)})`,
      { at, now, futureSkewMs: TRACK_FUTURE_SKEW_MS, ...(maxAgeMs ? { maxAgeMs } : {}) },
    );
  return at;
}

function showTime(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}
