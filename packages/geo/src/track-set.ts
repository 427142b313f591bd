/**
 * A columnar set of tracks: one slot per unit, each field in its own typed array (STYLE.md §6),
 * so the screen walks flat `Float64Array`s instead of objects. Slots are dense: removing a track
 * moves the last one into its hole, so `0 … size-1` are always live. Inputs are checked here, at
 * the boundary, with the exact bad value; nothing downstream checks again.
 */
import type { Motion } from './motion.js';

/** Surface units (ships, boats) and air units (aircraft, helicopters, drones). */
export type Domain = 'surface' | 'air';

/** Column code of `Domain` in `TrackSet.domain`. */
export const SURFACE = 0;
/** Column code of `Domain` in `TrackSet.domain`. */
export const AIR = 1;

/** One position report, as it arrives. */
export interface TrackReport {
  /** Track id, a non-negative safe integer (an MMSI, an ICAO 24-bit address, a local number). */
  id: number;
  /** Party the unit belongs to, an integer 0…65535 (who screens whom is the screen's business). */
  party: number;
  domain: Domain;
  /** Latitude, degrees north (−90…90). */
  lat: number;
  /** Longitude, degrees east (−180…180; −180 is stored as 180). */
  lon: number;
  /** Speed over ground, knots (≥ 0). */
  sog: number;
  /** Course over ground, degrees true (0…360; 360 is stored as 0). */
  cog: number;
  /** Altitude, feet; surface units are at 0, an air unit without it is of unknown altitude. */
  altFt?: number;
  /** Vertical rate, feet per minute (air units; 0 when absent). */
  vsFpm?: number;
  /** Time of the report, milliseconds since the Unix epoch. */
  time: number;
}

// WGS84 (NIMA TR8350.2 §3): semi-major axis and first eccentricity squared.
/** @internal */
export const WGS84_A = 6378137;
/** @internal */
export const WGS84_E2 = 6.69437999014e-3;
const NM_M = 1852;
const DEG = Math.PI / 180;

/** Meridional radius of curvature M(φ), metres. */
export function meridianRadius(latDeg: number): number {
  const s = Math.sin(latDeg * DEG);
  const w = 1 - WGS84_E2 * s * s;
  return (WGS84_A * (1 - WGS84_E2)) / (w * Math.sqrt(w));
}

/** Prime-vertical radius of curvature N(φ), metres. */
export function primeVerticalRadius(latDeg: number): number {
  const s = Math.sin(latDeg * DEG);
  return WGS84_A / Math.sqrt(1 - WGS84_E2 * s * s);
}

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new RangeError(`track report: bad ${what} ${String(value)}`);
}

/**
 * Tracks in parallel typed arrays, addressed by slot; `slotOf(id)` finds a slot.
 *
 * @example
 * const set = new TrackSet();
 * set.upsert({ id: 412000001, party: 1, domain: 'surface', lat: 12, lon: 112, sog: 14, cog: 45, time: Date.now() });
 */
export class TrackSet {
  /** Number of live tracks; slots `0 … size-1`. */
  size = 0;
  ids: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  sog: Float64Array;
  cog: Float64Array;
  /** Feet; 0 for surface units, NaN for an air unit of unknown altitude. */
  alt: Float64Array;
  /** Feet per minute. */
  vs: Float64Array;
  time: Float64Array;
  party: Uint16Array;
  /** `SURFACE` or `AIR`. */
  domain: Uint8Array;
  /**
   * Derived per report, so that dead reckoning and screening do no trigonometry per track:
   * cos and sin of the course, the meridian radius M(lat) and the parallel radius N(lat)·cos(lat)
   * (metres) at the report position.
   */
  cosCog: Float64Array;
  sinCog: Float64Array;
  mRad: Float64Array;
  kRad: Float64Array;
  private readonly slots = new Map<number, number>();

  constructor(capacity = 1024) {
    check(Number.isInteger(capacity) && capacity >= 1, 'capacity', capacity);
    this.ids = new Float64Array(capacity);
    this.lat = new Float64Array(capacity);
    this.lon = new Float64Array(capacity);
    this.sog = new Float64Array(capacity);
    this.cog = new Float64Array(capacity);
    this.alt = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
    this.time = new Float64Array(capacity);
    this.party = new Uint16Array(capacity);
    this.domain = new Uint8Array(capacity);
    this.cosCog = new Float64Array(capacity);
    this.sinCog = new Float64Array(capacity);
    this.mRad = new Float64Array(capacity);
    this.kRad = new Float64Array(capacity);
  }

  /** Slots allocated; grows by doubling. */
  get capacity(): number {
    return this.ids.length;
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  /** Slot of a track, or −1. Slots change when another track is removed. */
  slotOf(id: number): number {
    return this.slots.get(id) ?? -1;
  }

  /** Adds a new track; throws if the id is already present. Returns its slot. */
  add(r: TrackReport): number {
    if (this.slots.has(r.id)) throw new RangeError(`track ${r.id} is already in the set`);
    return this.upsert(r);
  }

  /** Replaces an existing track's report; throws if the id is absent. Returns its slot. */
  update(r: TrackReport): number {
    if (!this.slots.has(r.id)) throw new RangeError(`track ${r.id} is not in the set`);
    return this.upsert(r);
  }

  /** Adds the track or replaces its report. Returns its slot. */
  upsert(r: TrackReport): number {
    check(Number.isSafeInteger(r.id) && r.id >= 0, 'id', r.id);
    check(Number.isInteger(r.party) && r.party >= 0 && r.party <= 0xffff, 'party', r.party);
    check(r.domain === 'surface' || r.domain === 'air', 'domain', r.domain);
    check(Number.isFinite(r.lat) && Math.abs(r.lat) <= 90, 'lat', r.lat);
    check(Number.isFinite(r.lon) && Math.abs(r.lon) <= 180, 'lon', r.lon);
    check(Number.isFinite(r.sog) && r.sog >= 0, 'sog', r.sog);
    check(Number.isFinite(r.cog) && r.cog >= 0 && r.cog <= 360, 'cog', r.cog);
    check(r.altFt === undefined || Number.isFinite(r.altFt), 'altFt', r.altFt);
    check(r.vsFpm === undefined || Number.isFinite(r.vsFpm), 'vsFpm', r.vsFpm);
    check(Number.isFinite(r.time), 'time', r.time);
    let slot = this.slots.get(r.id);
    if (slot === undefined) {
      if (this.size === this.capacity) this.grow(this.capacity * 2);
      slot = this.size++;
      this.slots.set(r.id, slot);
    }
    const air = r.domain === 'air';
    this.ids[slot] = r.id;
    this.lat[slot] = r.lat;
    this.lon[slot] = r.lon === -180 ? 180 : r.lon;
    this.sog[slot] = r.sog;
    this.cog[slot] = r.cog === 360 ? 0 : r.cog;
    this.alt[slot] = air ? (r.altFt ?? NaN) : (r.altFt ?? 0);
    this.vs[slot] = r.vsFpm ?? 0;
    this.time[slot] = r.time;
    this.party[slot] = r.party;
    this.domain[slot] = air ? AIR : SURFACE;
    const c = this.cog[slot]! * DEG;
    const lat = this.lat[slot]!;
    this.cosCog[slot] = Math.cos(c);
    this.sinCog[slot] = Math.sin(c);
    this.mRad[slot] = meridianRadius(lat);
    this.kRad[slot] = primeVerticalRadius(lat) * Math.cos(lat * DEG);
    return slot;
  }

  /**
   * Removes a track: the last slot moves into its hole. Returns the slot that moved as
   * `{ from, to }` (`from === to` when the removed track was last), or undefined if absent.
   */
  remove(id: number): { from: number; to: number } | undefined {
    const hole = this.slots.get(id);
    if (hole === undefined) return undefined;
    this.slots.delete(id);
    const last = --this.size;
    if (hole !== last) {
      for (const col of this.columns()) col.copyWithin(hole, last, last + 1);
      this.slots.set(this.ids[hole]!, hole);
    }
    return { from: last, to: hole };
  }

  /** The stored report of a track, or undefined. */
  get(id: number): TrackReport | undefined {
    const s = this.slots.get(id);
    if (s === undefined) return undefined;
    const air = this.domain[s] === AIR;
    const alt = this.alt[s]!;
    return {
      id,
      party: this.party[s]!,
      domain: air ? 'air' : 'surface',
      lat: this.lat[s]!,
      lon: this.lon[s]!,
      sog: this.sog[s]!,
      cog: this.cog[s]!,
      ...(Number.isNaN(alt) ? {} : { altFt: alt }),
      vsFpm: this.vs[s]!,
      time: this.time[s]!,
    };
  }

  /** Makes room for at least `capacity` tracks. */
  reserve(capacity: number): void {
    if (capacity > this.capacity) this.grow(capacity);
  }

  /**
   * Dead-reckons every track to `time` (ms) into `lat`, `lon` and `alt` (length ≥ size): constant
   * course and speed on the plane tangent at each track's report position (WGS84 radii of
   * curvature), the same flat-earth model as the CPA, so a rhumb line approximated to first
   * order: exact enough for screening windows of minutes to an hour. Latitude is clamped to ±90,
   * longitude wrapped to (−180, 180]. `from`/`to` limit it to a range of slots.
   */
  deadReckon(
    time: number,
    lat: Float64Array,
    lon: Float64Array,
    alt: Float64Array,
    from = 0,
    to = this.size,
  ): void {
    for (let s = from; s < to; s++) {
      const dtMin = (time - this.time[s]!) / 60000;
      this.reckon(s, dtMin, scratch);
      lat[s] = scratch[0]!;
      lon[s] = scratch[1]!;
      alt[s] = this.alt[s]! + this.vs[s]! * dtMin;
    }
  }

  /** The motion of one track dead-reckoned to `time` (ms), or undefined if absent. */
  motionAt(id: number, time: number): Motion | undefined {
    const s = this.slots.get(id);
    if (s === undefined) return undefined;
    const dtMin = (time - this.time[s]!) / 60000;
    this.reckon(s, dtMin, scratch);
    const m: Motion = { lat: scratch[0]!, lon: scratch[1]!, sog: this.sog[s]!, cog: this.cog[s]! };
    const alt = this.alt[s]! + this.vs[s]! * dtMin;
    if (!Number.isNaN(alt)) m.altFt = alt;
    if (this.domain[s] === AIR) m.vsFpm = this.vs[s]!;
    return m;
  }

  private columns(): (Float64Array | Uint16Array | Uint8Array)[] {
    return [
      this.ids,
      this.lat,
      this.lon,
      this.sog,
      this.cog,
      this.alt,
      this.vs,
      this.time,
      this.party,
      this.domain,
      this.cosCog,
      this.sinCog,
      this.mRad,
      this.kRad,
    ];
  }

  /**
   * One dead-reckoning step of slot s into `out` = [lat, lon]: constant velocity on the plane
   * tangent at the report position, so the displacement is linear in time (which the screen's
   * swept boxes rely on).
   */
  private reckon(s: number, dtMin: number, out: Float64Array): void {
    const lat = this.lat[s]!;
    const lon = this.lon[s]!;
    const dM = (this.sog[s]! * dtMin * NM_M) / 60;
    if (dM === 0) {
      out[0] = lat;
      out[1] = lon;
      return;
    }
    const la = lat + (dM * this.cosCog[s]!) / this.mRad[s]! / DEG;
    const k = this.kRad[s]!;
    let lo = k > 1e-3 ? lon + (dM * this.sinCog[s]!) / k / DEG : lon;
    // Wrap to [−180, 180): ((((lo + 180) % 360) + 360) % 360) − 180. For lo + 180 in [0, 360)
    // the first % is the identity and the second an exact subtraction (Sterbenz), so the same
    // number comes out of plain arithmetic, without two calls to fmod.
    const y = lo + 180;
    lo = y >= 0 && y < 360 ? y + 360 - 360 - 180 : ((((lo + 180) % 360) + 360) % 360) - 180;
    out[0] = la > 90 ? 90 : la < -90 ? -90 : la;
    out[1] = lo === -180 ? 180 : lo;
  }

  private grow(capacity: number): void {
    const f = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.size));
      return b;
    };
    this.ids = f(this.ids);
    this.lat = f(this.lat);
    this.lon = f(this.lon);
    this.sog = f(this.sog);
    this.cog = f(this.cog);
    this.alt = f(this.alt);
    this.vs = f(this.vs);
    this.time = f(this.time);
    this.cosCog = f(this.cosCog);
    this.sinCog = f(this.sinCog);
    this.mRad = f(this.mRad);
    this.kRad = f(this.kRad);
    const party = new Uint16Array(capacity);
    party.set(this.party.subarray(0, this.size));
    this.party = party;
    const domain = new Uint8Array(capacity);
    domain.set(this.domain.subarray(0, this.size));
    this.domain = domain;
  }
}

const scratch = new Float64Array(2);
