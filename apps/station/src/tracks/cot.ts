/**
 * Cursor-on-Target (CoT, the TAK event format) ↔ tracks, through `@tak-ps/node-cot`.
 *
 * Ingest (`cotToTrack`): an atom event `a-<affiliation>-<battle dimension>-…` becomes a track
 * report in the shape `POST /api/v1/tracks` takes:
 * - id `cot:<uid>`; name from `detail/contact@callsign`;
 * - domain from the battle dimension: `S` (sea surface) → surface, `A` (air) → air; anything else
 *   (ground, subsurface, space, tasking `t-…`, drawings `u-…`, pings) is PARLEY_E_COT_UNSUPPORTED;
 * - party, first match wins: the uid mapping, then the longest matching type prefix, then the
 *   affiliation letter (default: f friend, a assumed friend → own; h hostile, s suspect, j joker,
 *   k faker → other; n neutral, u unknown, p pending, o none, x other → third); a mapping to null
 *   refuses the event (PARLEY_E_COT_UNSUPPORTED);
 * - position from `point` (lat, lon, WGS 84); altitude from `point@hae` (metres above the
 *   ellipsoid, not mean sea level: the geoid differs by up to ~100 m) in feet, air only; the CoT
 *   "unknown" value 9999999 is no altitude;
 * - `detail/track`: `course` degrees true, `speed` metres per second (the CoT schema) → knots,
 *   `slope` degrees above the horizontal: with a slope, speed is the 3-D magnitude, split into
 *   ground speed and vertical rate (air only). No track detail means not moving (0 kn, 0°);
 * - time from `event@time`; `stale` is returned beside the report.
 * Malformed XML or attributes are PARLEY_E_COT_MALFORMED. Nothing is partial.
 *
 * Emit (`trackToCot`, `encounterToCot`): a track becomes an atom event whose affiliation says
 * what the track is to the party receiving the picture (default own f, other h, third u), with
 * uid `parley.<track id>` so it never overwrites the TAK unit it may have come from; an encounter
 * becomes a `u-d-f` line from one unit's position at the CPA to the other's.
 *
 * node-cot publishes its TypeScript sources as its types (`"types": "index.ts"`), which do not
 * compile under this repository's strict flags, so it is loaded at run time and the part used is
 * typed below. Its error class prints every schema failure with `console.warn`; a hostile peer
 * could flood the log with that, so the warning is muted for the (synchronous) parse and the
 * failure is reported by code instead. Its XML writer escapes only `"` in attribute values, so
 * strings are escaped for `&`, `<` and `>` before they reach it.
 */
import { ParleyError } from '@parley/core';
import { xmlAttr, xmlClean } from './xml-text.js';

export type CotParty = 'own' | 'other' | 'third';
export type CotDomain = 'surface' | 'air';

/** A report as `POST /api/v1/tracks` takes it (exactly those fields). */
export interface CotTrackReport {
  id: string;
  name: string | null;
  party: CotParty;
  domain: CotDomain;
  source: 'cot';
  lat: number;
  lon: number;
  /** Knots. */
  sog: number;
  /** Degrees true, [0, 360). */
  cog: number;
  heading: null;
  altFt: number | null;
  vsFpm: number | null;
  /** Event time, ms since the epoch. */
  time: number;
}

/** An ingested event: the report and what else the event said. */
export interface CotTrack {
  report: CotTrackReport;
  uid: string;
  type: string;
  how: string | null;
  /** `event@stale`, ms since the epoch. */
  staleAt: number;
}

/** How CoT senders map onto parties; `null` refuses the event. */
export interface CotPartyMapping {
  /** By exact uid; wins over everything else. */
  uids?: Readonly<Record<string, CotParty | null>>;
  /** By type prefix (e.g. `a-h-S-X-L`); the longest matching prefix wins. */
  types?: Readonly<Record<string, CotParty | null>>;
  /** By affiliation letter (the second atom), over the defaults. */
  affiliations?: Readonly<Record<string, CotParty | null>>;
}

/** Default party of each CoT affiliation letter (MIL-STD-2525 standard identities). */
export const DEFAULT_COT_AFFILIATIONS: Readonly<Record<string, CotParty>> = Object.freeze({
  f: 'own',
  a: 'own',
  h: 'other',
  s: 'other',
  j: 'other',
  k: 'other',
  n: 'third',
  u: 'third',
  p: 'third',
  o: 'third',
  x: 'third',
});

// ---- node-cot, typed for what is used ----

type Attrs = Record<string, string | number | boolean | undefined>;
interface NodeCotRaw {
  event: {
    _attributes: Attrs;
    point: { _attributes: Attrs };
    detail?: Record<string, unknown>;
  };
}
interface NodeCot {
  raw: NodeCotRaw;
  to_xml(): string;
}
interface NodeCotClass {
  new (input: string | NodeCotRaw): NodeCot;
}
// A string-typed specifier keeps the compiler away from node-cot's sources (see the header).
const NODE_COT: string = '@tak-ps/node-cot';
const { default: CoT } = (await import(NODE_COT)) as { default: NodeCotClass };

/** Constructs a node-cot event with its console warnings muted (synchronous, so nothing else runs meanwhile). */
function nodeCot(input: string | NodeCotRaw): NodeCot {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return new CoT(input);
  } finally {
    console.warn = warn;
  }
}

// ---- units ----

const M_PER_FT = 0.3048;
const KN_PER_MS = 3600 / 1852;
const FPM_PER_MS = 60 / M_PER_FT;
const HAE_UNKNOWN = 9999999;
const DEG = Math.PI / 180;
const MAX_NAME = 64;
const UID_RE = /^[\x21-\x7e]{1,64}$/;
const TYPE_RE = /^a-([a-z])-([A-Z])(?:-[A-Za-z0-9_]+)*$/;
const END_RE = /<\/event\s*>\s*$/;
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function malformed(message: string, details: Record<string, unknown> = {}): never {
  throw new ParleyError('PARLEY_E_COT_MALFORMED', `CoT event: ${message}`, details);
}

function unsupported(message: string, details: Record<string, unknown>): never {
  throw new ParleyError('PARLEY_E_COT_UNSUPPORTED', `CoT event: ${message}`, details);
}

function attrsOf(v: unknown): Attrs | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const a = (v as { _attributes?: unknown })._attributes;
  return typeof a === 'object' && a !== null ? (a as Attrs) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function num(v: unknown, what: string): number {
  const s = str(v);
  const n = s === undefined || s.trim() === '' ? NaN : Number(s);
  if (!Number.isFinite(n))
    malformed(`${what} is not a number (got ${JSON.stringify(v)})`, { field: what });
  return n;
}

function time(v: unknown, what: string): number {
  const s = str(v);
  const t = s !== undefined && TIME_RE.test(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(t))
    malformed(`${what} is not an ISO 8601 time (got ${JSON.stringify(v)})`, { field: what });
  return t;
}

function partyOf(
  uid: string,
  type: string,
  affiliation: string,
  map: CotPartyMapping,
): CotParty | null {
  if (map.uids && Object.prototype.hasOwnProperty.call(map.uids, uid)) return map.uids[uid] ?? null;
  if (map.types) {
    let best = -1;
    let party: CotParty | null = null;
    for (const [prefix, p] of Object.entries(map.types)) {
      if (type.startsWith(prefix) && prefix.length > best) {
        best = prefix.length;
        party = p;
      }
    }
    if (best >= 0) return party;
  }
  if (map.affiliations && Object.prototype.hasOwnProperty.call(map.affiliations, affiliation))
    return map.affiliations[affiliation] ?? null;
  return DEFAULT_COT_AFFILIATIONS[affiliation] ?? null;
}

/**
 * One CoT event (XML text) → a track report. Throws PARLEY_E_COT_MALFORMED or
 * PARLEY_E_COT_UNSUPPORTED.
 *
 * @example
 * const { report } = cotToTrack(xml, { affiliations: { n: 'other' } });
 */
export function cotToTrack(xml: string, mapping: CotPartyMapping = {}): CotTrack {
  // xml-js forgives a missing end tag; a truncated event is not an event.
  if (!END_RE.test(xml)) malformed('does not end with </event>');
  let c: NodeCot;
  try {
    c = nodeCot(xml);
  } catch (err) {
    malformed(`not a CoT event: ${(err as Error).message.split('\n')[0]}`);
  }
  const ev = c.raw.event;
  const a = ev._attributes;
  const uid = str(a.uid) ?? '';
  if (!UID_RE.test(uid))
    malformed(`uid must be 1–64 printable ASCII characters (got ${JSON.stringify(uid)})`, {
      field: 'uid',
    });
  const type = str(a.type) ?? '';
  const m = TYPE_RE.exec(type);
  if (!m) unsupported(`type ${JSON.stringify(type)} is not a unit (a-…)`, { uid, type });
  const [, affiliation, dimension] = m as unknown as [string, string, string];
  const domain: CotDomain | undefined =
    dimension === 'S' ? 'surface' : dimension === 'A' ? 'air' : undefined;
  if (!domain) unsupported(`type ${type} is neither surface (S) nor air (A)`, { uid, type });
  const party = partyOf(uid, type, affiliation, mapping);
  if (party === null) unsupported(`no party for uid ${uid}, type ${type}`, { uid, type });

  const p = ev.point._attributes;
  const lat = num(p.lat, 'point lat');
  const lon = num(p.lon, 'point lon');
  if (Math.abs(lat) > 90) malformed(`point lat ${lat} is outside −90…90`, { field: 'point lat' });
  if (Math.abs(lon) > 180)
    malformed(`point lon ${lon} is outside −180…180`, { field: 'point lon' });
  const at = time(a.time, 'time');
  const staleAt = time(a.stale, 'stale');

  const detail = ev.detail ?? {};
  const track = attrsOf(detail.track);
  let speed = 0;
  let course = 0;
  let slope = 0;
  const sloped = track?.slope !== undefined;
  if (track) {
    if (track.speed !== undefined) speed = num(track.speed, 'track speed');
    if (track.course !== undefined) course = num(track.course, 'track course');
    if (sloped) slope = num(track.slope, 'track slope');
  }
  if (speed < 0) malformed(`track speed ${speed} is negative`, { field: 'track speed' });
  if (Math.abs(slope) > 90)
    malformed(`track slope ${slope} is outside −90…90`, { field: 'track slope' });
  const air = domain === 'air';
  const horizontal = air && slope !== 0 ? speed * Math.cos(slope * DEG) : speed;
  const cog = ((course % 360) + 360) % 360;

  let altFt: number | null = null;
  if (air && p.hae !== undefined) {
    const hae = num(p.hae, 'point hae');
    if (Math.abs(hae) < HAE_UNKNOWN) altFt = hae / M_PER_FT;
  }
  // No slope: the vertical rate is unknown (null), not zero.
  const vsFpm = air && sloped ? speed * Math.sin(slope * DEG) * FPM_PER_MS : null;

  const callsign = str(attrsOf(detail.contact)?.callsign)?.trim();
  const name = callsign ? callsign.slice(0, MAX_NAME) : null;
  const how = str(a.how) ?? null;
  return {
    report: {
      id: `cot:${uid}`,
      name,
      party,
      domain,
      source: 'cot',
      lat,
      lon,
      sog: horizontal * KN_PER_MS,
      cog: cog === 360 ? 0 : cog,
      heading: null,
      altFt,
      vsFpm,
      time: at,
    },
    uid,
    type,
    how,
    staleAt,
  };
}

// ---- emit ----

/** A track to emit: the fields of a served track that CoT can say. */
export interface CotEmitTrack {
  id: string;
  name: string | null;
  party: CotParty;
  domain: CotDomain;
  lat: number;
  lon: number;
  sog: number;
  cog: number;
  altFt: number | null;
  vsFpm?: number | null;
  /** Report time, ms since the epoch. */
  at: number;
}

export interface CotEmitOptions {
  /** Event time (`time`), ms since the epoch. Default: the track's report time. */
  now?: number;
  /** `stale` is this long after `now`, ms. Default 120 000. */
  staleMs?: number;
  /** Prefix of emitted uids. Default `parley.`. */
  uidPrefix?: string;
  /** Affiliation letter per party, as the receiving side sees them. Default own f, other h, third u. */
  affiliations?: Readonly<Record<CotParty, string>>;
  /** `event@how`. Default `m-f` (machine, fused). */
  how?: string;
}

const EMIT_AFFILIATIONS: Readonly<Record<CotParty, string>> = Object.freeze({
  own: 'f',
  other: 'h',
  third: 'u',
});

function iso(ms: number, what: string): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) malformed(`${what} ${ms} is not a time`, { field: what });
  return d.toISOString();
}

function finite(v: number, what: string): number {
  if (!Number.isFinite(v)) malformed(`${what} ${v} is not a finite number`, { field: what });
  return v;
}

function render(raw: NodeCotRaw): string {
  let c: NodeCot;
  try {
    c = nodeCot(raw);
  } catch (err) {
    malformed(`cannot build the event: ${(err as Error).message}`);
  }
  // node-cot stamps its own flow tag with the wall clock; the event says when it was made.
  if (c.raw.event.detail) delete c.raw.event.detail['_flow-tags_'];
  return c.to_xml();
}

function eventAttrs(uid: string, type: string, how: string, now: number, staleMs: number): Attrs {
  const t = iso(now, 'time');
  return {
    version: '2.0',
    uid: xmlAttr(uid),
    type: xmlAttr(type),
    how: xmlAttr(how),
    time: t,
    start: t,
    stale: iso(now + staleMs, 'stale'),
  };
}

/**
 * A track → one CoT event (XML), for a party's own TAK server.
 *
 * @example
 * socket.write(trackToCot(track, { now: Date.now() }));
 */
export function trackToCot(t: CotEmitTrack, opts: CotEmitOptions = {}): string {
  const now = opts.now ?? t.at;
  const aff = (opts.affiliations ?? EMIT_AFFILIATIONS)[t.party];
  const dim = t.domain === 'air' ? 'A' : 'S';
  const air = t.domain === 'air';
  const ms = finite(t.sog, 'sog') / KN_PER_MS;
  const vms = air ? finite(t.vsFpm ?? 0, 'vsFpm') / FPM_PER_MS : 0;
  const track: Attrs = { course: String(finite(t.cog, 'cog')) };
  if (vms !== 0) {
    track.speed = String(Math.hypot(ms, vms));
    track.slope = String(Math.atan2(vms, ms) / DEG);
  } else track.speed = String(ms);
  const hae = air && t.altFt !== null ? finite(t.altFt, 'altFt') * M_PER_FT : HAE_UNKNOWN;
  return render({
    event: {
      _attributes: eventAttrs(
        `${opts.uidPrefix ?? 'parley.'}${t.id}`,
        `a-${aff}-${dim}`,
        opts.how ?? 'm-f',
        now,
        opts.staleMs ?? 120_000,
      ),
      point: {
        _attributes: {
          lat: String(finite(t.lat, 'lat')),
          lon: String(finite(t.lon, 'lon')),
          hae: air && t.altFt !== null ? String(hae) : '9999999.0',
          ce: '9999999.0',
          le: '9999999.0',
        },
      },
      detail: {
        contact: { _attributes: { callsign: xmlAttr(t.name ?? t.id) } },
        track: { _attributes: track },
      },
    },
  });
}

/** An encounter to draw: the units' positions at the CPA (as `GET /api/v1/encounters` has them). */
export interface CotEncounterLine {
  id: string;
  level: 'caution' | 'danger';
  cpaNm: number;
  tcpaMin: number;
  /** Time of the CPA, ms since the epoch. */
  cpaAt: number;
  cpaA: { lat: number; lon: number };
  cpaB: { lat: number; lon: number };
  aName?: string | null;
  bName?: string | null;
}

/** ARGB as CoT's signed 32-bit colour values: danger red, caution amber. */
const LINE_ARGB: Record<CotEncounterLine['level'], number> = {
  danger: 0xffff0000 | 0,
  caution: 0xffffbf00 | 0,
};

function hhmmZ(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}${String(d.getUTCMinutes()).padStart(2, '0')}Z`;
}

/**
 * An encounter → a `u-d-f` drawing (a line from unit a's position at the CPA to unit b's),
 * labelled with the CPA and its time.
 */
export function encounterToCot(e: CotEncounterLine, opts: CotEmitOptions = {}): string {
  const now = opts.now ?? e.cpaAt;
  const pts = [e.cpaA, e.cpaB].map((p, i) => {
    const lat = finite(p.lat, `cpa${i ? 'B' : 'A'}.lat`);
    const lon = finite(p.lon, `cpa${i ? 'B' : 'A'}.lon`);
    return { lat, lon };
  });
  const [pa, pb] = pts as [{ lat: number; lon: number }, { lat: number; lon: number }];
  const label = `CPA ${finite(e.cpaNm, 'cpaNm').toFixed(2)} NM ${hhmmZ(e.cpaAt)}`;
  const who = [e.aName, e.bName].filter((n): n is string => !!n).join(' / ');
  return render({
    event: {
      _attributes: eventAttrs(
        `${opts.uidPrefix ?? 'parley.'}enc.${e.id}`,
        'u-d-f',
        opts.how ?? 'm-f',
        now,
        opts.staleMs ?? 120_000,
      ),
      point: {
        _attributes: {
          lat: String((pa.lat + pb.lat) / 2),
          lon: String(Math.abs(pa.lon - pb.lon) > 180 ? pa.lon : (pa.lon + pb.lon) / 2),
          hae: '9999999.0',
          ce: '9999999.0',
          le: '9999999.0',
        },
      },
      detail: {
        contact: { _attributes: { callsign: xmlAttr(label) } },
        link: pts.map((p) => ({ _attributes: { point: `${p.lat},${p.lon}` } })),
        strokeColor: { _attributes: { value: String(LINE_ARGB[e.level]) } },
        strokeWeight: { _attributes: { value: '3' } },
        strokeStyle: { _attributes: { value: e.level === 'danger' ? 'solid' : 'dashed' } },
        labels_on: { _attributes: { value: 'true' } },
        remarks: {
          _text: xmlClean(
            `${e.level} encounter ${e.id}${who ? `: ${who}` : ''}, CPA ${e.cpaNm.toFixed(2)} NM in ${finite(e.tcpaMin, 'tcpaMin').toFixed(1)} min`,
          ),
        },
      },
    },
  });
}
