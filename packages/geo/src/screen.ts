/**
 * The near-miss screen: every pair of tracks of screened parties whose closest point of approach
 * falls inside a threshold within a window, by domain and level.
 *
 * Three screens, one pair test. `Plan.judge` is the only place a pair is decided: cheap
 * necessary-condition rejects (latitude gap, vertical gap, relative motion with a bound on the
 * CPA model's curvature terms), then the exact `cpaInto` and the predicate below.
 * - `screenNaive` puts all n(n−1)/2 pairs through it: the reference answer (STYLE.md §3). With
 *   `exhaustive` it skips the rejects, the reference for the rejects themselves.
 * - `screen`, the full screen, finds the pairs worth judging with swept boxes: each track's box
 *   holds everywhere the CPA can put it over the window, widened by half the largest threshold
 *   its pairs can have (`sweptBoxes` says why that is enough, across the antimeridian and near
 *   the poles). Boxes go into a uniform grid whose cells list their boxes by party, so only
 *   screened party pairs are walked; pairs of overlapping boxes are judged once. The cost grows
 *   with the number of close pairs, not n². Tracks are laid out in a spatial order first, so
 *   neighbours on the sea are neighbours in memory.
 * - `ScreenIndex` keeps a flatbush tree of boxes swept a little longer and patches it as reports
 *   arrive (see there).
 * All three return identical hits; `test/screen.test.ts` checks it on random traffic, across the
 * antimeridian, at high latitudes and near the poles.
 *
 * Predicate, for one pair and one level (cpa, tcpa, range and vsep from `cpa()`):
 *   (0 ≤ tcpa ≤ window and cpa < cpaNm and vsep at the CPA < vsepFt)
 *   or (range < cpaNm and the altitude difference now < vsepFt),
 * the vertical terms only for air levels, an unknown altitude counting as a conflict. The window
 * is the level's `withinMin` capped by the horizon. The most severe level met is reported.
 * A pair of two surface units uses the surface thresholds; a pair with an aircraft uses the air
 * thresholds, a surface unit standing at its altitude (0 ft): a helicopter over a ship is an
 * air encounter.
 */
import Flatbush from 'flatbush';
import { CPA_NM, CPA_OUT_LENGTH, RANGE_NM, TCPA_MIN, cpaInto, verticalSeparation } from './cpa.js';
import {
  AIR,
  SURFACE,
  WGS84_A,
  WGS84_E2,
  meridianRadius,
  primeVerticalRadius,
  TrackSet,
  type Domain,
  type TrackReport,
} from './track-set.js';

export type Level = 'caution' | 'danger';

/** One alarm level of one domain. */
export interface LevelThreshold {
  level: Level;
  /** Closest approach (or present range) below this many nautical miles… */
  cpaNm: number;
  /** …within this many minutes from now (capped by the horizon)… */
  withinMin: number;
  /** …and, for air, vertical separation at that moment below this many feet. */
  vsepFt?: number;
}

/** Alarm levels per domain. */
export interface Thresholds {
  surface: readonly LevelThreshold[];
  air: readonly LevelThreshold[];
}

/**
 * Surface: caution CPA < 2 nm within 30 min (OpenCPN's default CPA alarm), danger < 0.25 nm
 * (≈ 500 yd) within 15 min. Air: lateral < 1 nm and vertical < 1,000 ft within 5 min.
 */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  surface: Object.freeze([
    Object.freeze({ level: 'danger' as const, cpaNm: 0.25, withinMin: 15 }),
    Object.freeze({ level: 'caution' as const, cpaNm: 2, withinMin: 30 }),
  ]),
  air: Object.freeze([
    Object.freeze({ level: 'danger' as const, cpaNm: 1, withinMin: 5, vsepFt: 1000 }),
  ]),
});

export interface ScreenOptions {
  /** Screening time, ms since the epoch; every track is dead-reckoned to it. Default: the latest report. */
  now?: number;
  /** Minutes ahead; caps every level's window. Default 30. */
  horizonMin?: number;
  /** Thresholds per domain; a domain given replaces that domain's defaults. */
  thresholds?: Partial<Thresholds>;
  /**
   * Party pairs screened, unordered (`[1, 2]` screens 1 against 2; `[3, 3]` screens 3 against
   * itself). Default: every pair of different parties.
   */
  partyPairs?: readonly (readonly [number, number])[];
  /**
   * Channel agreement thresholds for one party pair (partyA ≤ partyB), replacing the screen's
   * thresholds per domain given; undefined keeps them. Called once per screened party pair per
   * screen, never per track pair, so the fast screen can size its boxes before it looks at pairs.
   */
  agreement?: (partyA: number, partyB: number) => Partial<Thresholds> | undefined;
}

/** One encounter: tracks `a` < `b` (ids), at the most severe level met. */
export interface ScreenHit {
  a: number;
  b: number;
  domain: Domain;
  level: Level;
  cpaNm: number;
  tcpaMin: number;
  rangeNm: number;
  /** Vertical separation at the CPA (air encounters, when `cpa()` gives one). */
  vsepFt?: number;
}

// Units: metres, minutes, radians inside; nautical miles, knots, degrees outside.
const NM_M = 1852;
const KN = NM_M / 60;
const RAD = Math.PI / 180;
const TWO_PI = 2 * Math.PI;
/** Smallest radii of curvature (both at the equator): a metre is never fewer radians than here. */
const M_MIN = meridianRadius(0);
const N_MIN = primeVerticalRadius(0);
/** Relative and absolute slack on every conservative bound: rounding, and nothing else. */
const SAFETY = 1.01;
const PAD_M = 10;
/** A swept box reaching past this latitude spans every longitude, and the pole. */
const POLAR_DEG = 89.5;
const POLAR_BOX = POLAR_DEG * RAD;
/** Covers any clamp of the CPA's latitudes at or beyond POLAR_DEG, degrees. */
const POLAR_CAP = 90 - POLAR_DEG;
/** The relative-motion reject is skipped for pairs that can reach past this latitude. */
const PREFILTER_LAT = 80 * RAD;

// Offsets in a slot's record of derived terms (`Plan.d`): latitude and longitude (rad) and the
// sine and cosine of the latitude; radii N and M (m); longitude and latitude rates (rad/min);
// |north speed| / M_MIN (rad/min); speed (m/min); tan of the most poleward latitude the slot's
// pairs can see (NaN beyond PREFILTER_LAT); altitude (ft) and vertical rate (ft/min).
const STRIDE = 16;
const D_PHI = 0;
const D_LAM = 1;
const D_SIN = 2;
const D_COS = 3;
const D_NN = 4;
const D_MM = 5;
const D_LR = 6;
const D_PR = 7;
const D_AVN = 8;
const D_SPD = 9;
const D_TANFAR = 10;
const D_ALT = 11;
const D_VS = 12;

interface Lvl {
  level: Level;
  /** nm */
  t: number;
  /** window, min */
  w: number;
  /** ft; Infinity when the level has no vertical term */
  v: number;
}

/** The levels of one domain for one party pair, with the bounds the rejects use. */
interface LevelSet {
  levels: Lvl[];
  /** Largest threshold, nm. */
  t: number;
  /** Longest window, min. */
  w: number;
  /** Largest vertical threshold, ft (Infinity if any level has none). */
  v: number;
}

interface Rule {
  surface: LevelSet;
  air: LevelSet;
}

const SEVERITY: Record<Level, number> = { danger: 0, caution: 1 };

function bad(what: string, value: unknown): never {
  throw new RangeError(`screen options: bad ${what} ${JSON.stringify(value)}`);
}

function resolveLevels(ls: readonly LevelThreshold[], horizon: number, air: boolean): LevelSet {
  const what = air ? 'air' : 'surface';
  if (!Array.isArray(ls)) bad(what, ls);
  const levels = ls
    .map((l): Lvl => {
      if (l.level !== 'caution' && l.level !== 'danger') bad(`${what} level`, l.level);
      if (!(Number.isFinite(l.cpaNm) && l.cpaNm > 0)) bad(`${what} cpaNm`, l.cpaNm);
      if (!(Number.isFinite(l.withinMin) && l.withinMin >= 0))
        bad(`${what} withinMin`, l.withinMin);
      if (l.vsepFt !== undefined && !(Number.isFinite(l.vsepFt) && l.vsepFt > 0))
        bad(`${what} vsepFt`, l.vsepFt);
      const v = air ? (l.vsepFt ?? Infinity) : Infinity;
      return { level: l.level, t: l.cpaNm, w: Math.min(l.withinMin, horizon), v };
    })
    .sort((x, y) => SEVERITY[x.level] - SEVERITY[y.level]);
  return {
    levels,
    t: Math.max(0, ...levels.map((l) => l.t)),
    w: Math.max(0, ...levels.map((l) => l.w)),
    v: Math.max(0, ...levels.map((l) => l.v)),
  };
}

/**
 * Everything one screen at one time needs: positions dead-reckoned to `now` with their derived
 * per-track terms, the party-pair table, and the pair test that both screens call.
 */
class Plan {
  readonly n: number;
  readonly now: number;
  // Per track, in the plan's order (`slot` maps back to the set): id, motion dead-reckoned to
  // `now` (degrees, knots, feet, ft/min), domain and dense party.
  readonly ids: Float64Array;
  readonly vs: Float64Array;
  readonly dom: Uint8Array;
  readonly pd: Int32Array;
  /** Dense party indices in order of their party ids, e.g. "1,2,7": changes force a rebuild. */
  readonly partyKey: string;
  readonly np: number;
  /** np × np: rule index, −1 when the pair is not screened. */
  readonly table: Int32Array;
  readonly rules: Rule[];
  /** Per dense party: screened against any party. */
  readonly partyActive: Uint8Array;
  /** Per domain (SURFACE, AIR): minutes a box sweeps, −1 for none. */
  readonly boxW = new Float64Array(2);
  /** Per domain: nm a box is widened by on each side. */
  readonly boxE = new Float64Array(2);
  /** Largest latitude change of any track over its box window, radians (a bound, from sog). */
  readonly rhoAll: number;
  readonly hits: ScreenHit[] = [];
  /** Every pair goes to the CPA, no reject: the ground truth the rejects are tested against. */
  exhaustive = false;
  /** Pairs that reached `cpaInto`. */
  cpaCalls = 0;

  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly alt: Float64Array;
  readonly sog: Float64Array;
  readonly cog: Float64Array;
  /**
   * Derived terms, one record of `STRIDE` doubles per slot (one or two cache lines, where
   * separate columns would cost a miss each on a random partner): see the `D_*` offsets.
   */
  private readonly d: Float64Array;
  private readonly out = new Float64Array(CPA_OUT_LENGTH);
  /** Slot of each track in the plan's order. */
  readonly slot: Int32Array;

  /** Party id → dense index (−1: absent). */
  readonly partyIndex: Int32Array;

  /**
   * `base`: take the party table, rules and box sizes from a plan of a larger set (the subset's
   * parties must all be in it). `bare`: rules only, no per-track terms.
   */
  constructor(
    set: TrackSet,
    opts: ScreenOptions,
    now?: number,
    base?: Plan,
    layout: 'slots' | 'spatial' | 'bare' = 'slots',
  ) {
    const n = (this.n = set.size);
    const bare = layout === 'bare';
    let t = now ?? opts.now;
    if (t === undefined) {
      t = n === 0 ? 0 : -Infinity;
      for (let s = 0; s < n; s++) if (set.time[s]! > t) t = set.time[s]!;
    }
    if (!Number.isFinite(t)) bad('now', t);
    this.now = t;
    const horizon = opts.horizonMin ?? 30;
    if (!(Number.isFinite(horizon) && horizon >= 0)) bad('horizonMin', horizon);

    // Parties present, densely numbered.
    const partyIndex = (this.partyIndex = base?.partyIndex ?? new Int32Array(0x10000).fill(-1));
    const parties: number[] = [];
    const pd = new Int32Array(n);
    const party = set.party;
    for (let s = 0; s < n; s++) {
      const p = party[s]!;
      let d = partyIndex[p]!;
      if (d < 0) {
        if (base) throw new Error(`screen: party ${p} is not in the base plan`);
        d = partyIndex[p] = parties.length;
        parties.push(p);
      }
      pd[s] = d;
    }
    if (base) {
      this.np = base.np;
      this.partyKey = base.partyKey;
      this.table = base.table;
      this.rules = base.rules;
      this.partyActive = base.partyActive;
      this.boxW.set(base.boxW);
      this.boxE.set(base.boxE);
    } else {
      this.np = parties.length;
      this.partyKey = [...parties].sort((x, y) => x - y).join(',');
      this.rules = [];
      this.table = new Int32Array(this.np * this.np).fill(-1);
      this.partyActive = new Uint8Array(this.np);
      this.screenedPairs(opts, horizon, parties);
    }

    let rho = 0;
    for (let s = 0; s < n; s++) {
      const w = this.boxW[set.domain[s]!]!;
      if (w > 0 && set.sog[s]! * w > rho) rho = set.sog[s]! * w;
    }
    this.rhoAll = (rho * KN) / M_MIN;

    // Per-track columns at `now`, in the plan's order: slots, or (the full screen) a spatial
    // order so that pairs of neighbours read neighbouring memory.
    const m = bare ? 0 : n;
    const lat = new Float64Array(m);
    const lon = new Float64Array(m);
    const alt = new Float64Array(m);
    if (!bare) set.deadReckon(t, lat, lon, alt);
    const order = layout === 'spatial' ? spatialOrder(lat, lon) : undefined;
    if (order) {
      this.slot = order;
      this.lat = permute(lat, order, new Float64Array(m));
      this.lon = permute(lon, order, new Float64Array(m));
      this.alt = permute(alt, order, new Float64Array(m));
      this.ids = permute(set.ids, order, new Float64Array(m));
      this.sog = permute(set.sog, order, new Float64Array(m));
      this.cog = permute(set.cog, order, new Float64Array(m));
      this.vs = permute(set.vs, order, new Float64Array(m));
      this.dom = permute(set.domain, order, new Uint8Array(m));
      this.pd = permute(pd, order, new Int32Array(m));
    } else {
      this.slot = Int32Array.from({ length: m }, (_, r) => r);
      this.lat = lat;
      this.lon = lon;
      this.alt = alt;
      this.ids = set.ids;
      this.sog = set.sog;
      this.cog = set.cog;
      this.vs = set.vs;
      this.dom = set.domain;
      this.pd = pd;
    }
    this.d = new Float64Array(m * STRIDE);
    for (let r = 0; r < m; r++) this.prepare(r);
  }

  /** Fills the party-pair table, the rules and the box sizes. */
  private screenedPairs(opts: ScreenOptions, horizon: number, parties: number[]): void {
    const { partyIndex, np, table } = this;
    this.rules.push(this.resolve(opts.thresholds, horizon));
    const screened = (p: number, q: number) => {
      const dp = partyIndex[p]!;
      const dq = partyIndex[q]!;
      if (dp < 0 || dq < 0 || table[dp * np + dq]! >= 0) return;
      const over = opts.agreement?.(Math.min(p, q), Math.max(p, q));
      let r = 0;
      if (over !== undefined) {
        r = this.rules.length;
        this.rules.push(this.resolve({ ...opts.thresholds, ...over }, horizon));
      }
      table[dp * np + dq] = table[dq * np + dp] = r;
    };
    if (opts.partyPairs === undefined) {
      for (const p of parties) for (const q of parties) if (p < q) screened(p, q);
    } else {
      if (!Array.isArray(opts.partyPairs)) bad('partyPairs', opts.partyPairs);
      for (const pair of opts.partyPairs) {
        const ok =
          Array.isArray(pair) &&
          pair.length === 2 &&
          pair.every((p) => Number.isInteger(p) && p >= 0 && p <= 0xffff);
        if (!ok) bad('party pair', pair);
        screened(pair[0], pair[1]);
      }
    }

    // Box sizes from the rules in use: a surface unit meets surface units (surface levels) and
    // aircraft (air levels); an aircraft meets only air levels. Each side of a pair is widened by
    // half the pair's threshold, so the two widenings add up to it.
    let sw = -1;
    let st = 0;
    let aw = -1;
    let at = 0;
    for (let dp = 0; dp < np; dp++)
      for (let dq = 0; dq < np; dq++) {
        const r = table[dp * np + dq]!;
        if (r < 0) continue;
        this.partyActive[dp] = 1;
        const { surface, air } = this.rules[r]!;
        if (surface.levels.length) {
          sw = Math.max(sw, surface.w);
          st = Math.max(st, surface.t);
        }
        if (air.levels.length) {
          aw = Math.max(aw, air.w);
          at = Math.max(at, air.t);
        }
      }
    this.boxW[SURFACE] = Math.max(sw, aw);
    this.boxE[SURFACE] = Math.max(st, at) / 2;
    this.boxW[AIR] = aw;
    this.boxE[AIR] = at / 2;
  }

  private resolve(th: Partial<Thresholds> | undefined, horizon: number): Rule {
    if (th !== undefined && (typeof th !== 'object' || th === null)) bad('thresholds', th);
    return {
      surface: resolveLevels(th?.surface ?? DEFAULT_THRESHOLDS.surface, horizon, false),
      air: resolveLevels(th?.air ?? DEFAULT_THRESHOLDS.air, horizon, true),
    };
  }

  /** Fills the derived terms of track `s` (in the plan's order). */
  private prepare(s: number): void {
    const phi = this.lat[s]! * RAD;
    const sin = Math.sin(phi);
    const cos = Math.cos(phi);
    const w = 1 - WGS84_E2 * sin * sin;
    const nn = WGS84_A / Math.sqrt(w);
    const mm = (nn * (1 - WGS84_E2)) / w;
    const c = this.cog[s]! * RAD;
    const v = this.sog[s]! * KN;
    const vn = v * Math.cos(c);
    const ve = v * Math.sin(c);
    const d = this.d;
    const o = s * STRIDE;
    d[o + D_PHI] = phi;
    d[o + D_LAM] = this.lon[s]! * RAD;
    d[o + D_SIN] = sin;
    d[o + D_COS] = cos;
    d[o + D_NN] = nn;
    d[o + D_MM] = mm;
    d[o + D_PR] = vn / mm;
    d[o + D_LR] = ve / (nn * cos);
    d[o + D_AVN] = Math.abs(vn) / M_MIN;
    d[o + D_SPD] = v;
    const far = Math.abs(phi) + this.rhoAll;
    d[o + D_TANFAR] = far < PREFILTER_LAT ? Math.tan(far) : NaN;
    d[o + D_ALT] = this.alt[s]!;
    d[o + D_VS] = this.vs[s]!;
  }

  /** Whether slot `s` can be in any screened pair at all. */
  active(s: number): boolean {
    return this.partyActive[this.pd[s]!] === 1 && this.boxW[this.dom[s]!]! >= 0;
  }

  /**
   * True when the pair provably meets no level, so the CPA need not be computed. Each test is a
   * necessary condition of the predicate under the CPA's own model (rhumb lines, separation in
   * the plane at the pair's mid-latitude, or its straight-line first step):
   * 1. latitude: the north separation must fall below T at some t ≤ W;
   * 2. vertical (air levels): |Δalt + Δvs·t| is linear, so its minimum over [0, W] is exact;
   * 3. relative motion: the straight-line distance d(t) in the plane at the current
   *    mid-latitude stays within u₁·d + u₂·(travel) of the CPA's separation, where u₁ and u₂ bound
   *    the meridian convergence (tan φ·Δφ) and the change of the radii over the window.
   * The property test checks the rejects against `exhaustive` (every pair to the CPA).
   */
  private reject(s: number, t: number, ls: LevelSet): boolean {
    const d = this.d;
    const a = s * STRIDE;
    const b = t * STRIDE;
    const W = ls.w;
    if (ls.v !== Infinity) {
      const V = ls.v * (1 + 1e-9) + 1e-6;
      const f0 = d[b + D_ALT]! - d[a + D_ALT]!;
      const f1 = f0 + (d[b + D_VS]! - d[a + D_VS]!) * W;
      if ((f0 >= V && f1 >= V) || (f0 <= -V && f1 <= -V)) return true;
    }
    const ta = d[a + D_TANFAR]!;
    const tb = d[b + D_TANFAR]!;
    // NaN: the pair can reach past PREFILTER_LAT, where the CPA clamps latitudes: no lateral reject.
    if (Number.isNaN(ta + tb)) return false;
    const T = ls.t * NM_M * SAFETY + PAD_M;
    const rhoA = d[a + D_AVN]! * W;
    const rhoB = d[b + D_AVN]! * W;
    const rho = rhoA > rhoB ? rhoA : rhoB;
    const dphi = d[b + D_PHI]! - d[a + D_PHI]!;
    if (Math.abs(dphi) * (1 - 0.011 * rho) >= T / M_MIN + rhoA + rhoB) return true;
    const x = (ta > tb ? ta : tb) * rho;
    if (!(x <= 0.1)) return false;
    // The plane at the mid-latitude: cos φ̄ = √((1 + cos(φa + φb)) / 2).
    const cm = Math.sqrt(0.5 * (1 + d[a + D_COS]! * d[b + D_COS]! - d[a + D_SIN]! * d[b + D_SIN]!));
    const kb = 0.5 * (d[a + D_NN]! + d[b + D_NN]!) * cm;
    const mb = 0.5 * (d[a + D_MM]! + d[b + D_MM]!);
    let dl = d[b + D_LAM]! - d[a + D_LAM]!;
    if (dl > Math.PI) dl -= TWO_PI;
    else if (dl < -Math.PI) dl += TWO_PI;
    const ex = kb * dl;
    const ny = mb * dphi;
    const vx = kb * (d[b + D_LR]! - d[a + D_LR]!);
    const vy = mb * (d[b + D_PR]! - d[a + D_PR]!);
    const vv = vx * vx + vy * vy;
    let tt = 0;
    if (vv > 0) {
      tt = -(ex * vx + ny * vy) / vv;
      tt = tt < 0 ? 0 : tt > W ? W : tt;
    }
    const dx = ex + vx * tt;
    const dy = ny + vy * tt;
    const u1 = 1.2 * x + 0.03 * rho + 0.01 * Math.abs(dphi) + 1e-6;
    const u2 = 1.5 * x + 0.03 * rho + 1e-6;
    const dist = Math.sqrt(dx * dx + dy * dy);
    return dist * (1 - u1) >= T + u2 * (d[a + D_SPD]! + d[b + D_SPD]!) * W;
  }

  /** The pair test (slots, any order): rejects, then the exact CPA; pushes a hit. */
  judge(s: number, t: number): void {
    const r = this.table[this.pd[s]! * this.np + this.pd[t]!]!;
    if (r < 0) return;
    const air = (this.dom[s]! | this.dom[t]!) === AIR;
    const rule = this.rules[r]!;
    const ls = air ? rule.air : rule.surface;
    if (ls.levels.length === 0) return;
    if (!this.exhaustive && this.reject(s, t, ls)) return;
    // The lower id goes first, so both screens hand the CPA the very same arguments.
    const ids = this.ids;
    const i = ids[s]! < ids[t]! ? s : t;
    const j = i === s ? t : s;
    const out = this.out;
    this.cpaCalls++;
    cpaInto(
      out,
      this.lat[i]!,
      this.lon[i]!,
      this.sog[i]!,
      this.cog[i]!,
      this.lat[j]!,
      this.lon[j]!,
      this.sog[j]!,
      this.cog[j]!,
    );
    const cpaNm = out[CPA_NM]!;
    const tcpaMin = out[TCPA_MIN]!;
    const rangeNm = out[RANGE_NM]!;
    const altA = this.alt[i]!;
    const altB = this.alt[j]!;
    // As `cpa()` gives it; NaN when an altitude is unknown.
    const vCpa = air ? verticalSeparation(altA, this.vs[i]!, altB, this.vs[j]!, tcpaMin) : NaN;
    const vNow = Math.abs(altB - altA);
    for (const l of ls.levels) {
      // `!(x >= v)`: an unknown (NaN) vertical separation counts as a conflict.
      const met =
        (tcpaMin >= 0 && tcpaMin <= l.w && cpaNm < l.t && !(vCpa >= l.v)) ||
        (rangeNm < l.t && !(vNow >= l.v));
      if (!met) continue;
      const hit: ScreenHit = {
        a: ids[i]!,
        b: ids[j]!,
        domain: air ? 'air' : 'surface',
        level: l.level,
        cpaNm,
        tcpaMin,
        rangeNm,
      };
      if (air && !Number.isNaN(vCpa)) hit.vsepFt = vCpa;
      this.hits.push(hit);
      return;
    }
  }
}

function permute<A extends Float64Array | Int32Array | Uint8Array>(
  src: A,
  order: Int32Array,
  out: A,
): A {
  for (let r = 0; r < order.length; r++) out[r] = src[order[r]!]!;
  return out;
}

/**
 * Tracks in the order of a 256 × 256 grid over their positions (row by row; a counting sort):
 * neighbours on the sea end up near each other in memory.
 */
function spatialOrder(lat: Float64Array, lon: Float64Array): Int32Array {
  const n = lat.length;
  let y0 = Infinity;
  let y1 = -Infinity;
  let x0 = Infinity;
  let x1 = -Infinity;
  for (let s = 0; s < n; s++) {
    y0 = Math.min(y0, lat[s]!);
    y1 = Math.max(y1, lat[s]!);
    x0 = Math.min(x0, lon[s]!);
    x1 = Math.max(x1, lon[s]!);
  }
  const fy = 255.999 / Math.max(y1 - y0, 1e-9);
  const fx = 255.999 / Math.max(x1 - x0, 1e-9);
  const key = new Int32Array(n);
  const count = new Int32Array(65537);
  for (let s = 0; s < n; s++) {
    const k = (Math.floor((lat[s]! - y0) * fy) << 8) | Math.floor((lon[s]! - x0) * fx);
    key[s] = k;
    count[k + 1]!++;
  }
  for (let k = 0; k < 65536; k++) count[k + 1]! += count[k]!;
  const order = new Int32Array(n);
  for (let s = 0; s < n; s++) order[count[key[s]!]!++] = s;
  return order;
}

/** Swept boxes as flat pieces: `box[4k…4k+3]` = minLon, minLat, maxLon, maxLat of `owner[k]`. */
interface Boxes {
  count: number;
  box: Float64Array;
  owner: Int32Array;
  /** Tallest box, degrees of latitude. */
  hmax: number;
  /** Largest latitude change over a box window, radians. */
  rho: number;
}

/**
 * The swept box of each active slot in `slots` (default: all) over [now, now + window +
 * `extraMin`], in degrees, widened by half the largest threshold its pairs can have.
 *
 * Why no hit is missed. The CPA moves each unit along its rhumb line and measures the separation
 * in the plane at the pair's mid-latitude φ̄: north = M(φ̄)·Δφ, east = N(φ̄)·cos φ̄·Δλ (or, if its
 * refinement fails, extrapolates that separation from its rate now). A hit needs both components
 * below the threshold T at some t in the window.
 * - North: a unit's latitude moves by at most |vₙ|·t / M_MIN, and |Δφ| < T / M_MIN. The
 *   straight-line fallback adds at most 0.011·ρ·|Δφ₀| (the e² term of dM/dφ), covered by `cN`.
 * - East: along the path |φ| ≤ `far`, our box's most poleward latitude plus the tallest box
 *   (the partner's latitude lies in its own box, which overlaps ours), so a unit's longitude moves
 *   by at most |vₑ|·t / (N_MIN·cos far) and |Δλ| < T / (N_MIN·cos far). The fallback's meridian
 *   convergence term adds at most tan(far)·ρ·|Δλ₀|, covered by `cE` as a share of the sweeps.
 * Longitudes compare modulo 360°: a box crossing the antimeridian is split in two; one reaching
 * past POLAR_DEG, or 360° wide, spans all, and one reaching past POLAR_DEG in latitude takes in
 * the pole and POLAR_CAP more towards the equator, since the CPA clamps latitudes near the poles. With `extraMin` > 0 (the incremental index) the box also
 * holds the dead-reckoned track at any time in the slack, so `far` includes the report latitude
 * whose scale the dead reckoning uses.
 */
function sweptBoxes(
  plan: Plan,
  extraMin: number,
  reportLat?: Float64Array,
  slots?: ArrayLike<number>,
  floor?: { hmax: number; rho: number },
): Boxes {
  const g = geometry(plan, extraMin, reportLat, slots, floor);
  const out = newBoxes(g.m, g);
  for (let k = 0; k < g.m; k++) emit(g, k, slots ? slots[k]! : k, 0, 1, out);
  return out;
}

/**
 * The same boxes cut in time (the full screen): each track's window in slices of `sliceMin`
 * minutes, one set of boxes per slice. A hit at time t lies in the slice holding t for both
 * tracks (their windows both reach t), so pairing boxes of the same slice only loses nothing,
 * and passing ships that cross the same water at different times no longer pair. The widenings
 * stay those of the whole window. `first[s]…first[s+1]−1` are slot s's pieces in each slice.
 */
function slicedBoxes(plan: Plan, sliceMin: number): SlicedBoxes[] {
  const g = geometry(plan, 0, undefined, undefined, undefined);
  const wMax = Math.max(plan.boxW[0]!, plan.boxW[1]!);
  const slices = Math.max(1, Math.ceil(wMax / sliceMin));
  const out = Array.from({ length: slices }, () => ({
    ...newBoxes(g.m, g),
    first: new Int32Array(plan.n + 1),
  }));
  for (let s = 0; s < plan.n; s++) {
    for (const b of out) b.first[s] = b.count;
    if (Number.isNaN(g.latLo[s]!)) continue;
    const w = plan.boxW[plan.dom[s]!]!;
    const kk = Math.max(1, Math.ceil(w / sliceMin));
    for (let k = 0; k < kk; k++) {
      const t0 = k * sliceMin;
      const t1 = k === kk - 1 ? w : (k + 1) * sliceMin;
      emit(g, s, s, w > 0 ? t0 / w : 0, w > 0 ? t1 / w : 1, out[k]!);
    }
  }
  for (const b of out) b.first[plan.n] = b.count;
  return out;
}

/** Per-track terms of the swept boxes: see `sweptBoxes` for why they hold. */
interface Geometry {
  m: number;
  /** The whole window's latitude range, degrees (NaN: inactive). */
  latLo: Float64Array;
  latHi: Float64Array;
  /** North and east sweeps over the window (radians of latitude, of longitude). */
  dn: Float64Array;
  sw: Float64Array;
  /** Widenings (radians of latitude, of longitude; NaN: every longitude). */
  padLat: Float64Array;
  padLon: Float64Array;
  hmax: number;
  rho: number;
  lat: Float64Array;
  lon: Float64Array;
}

function geometry(
  plan: Plan,
  extraMin: number,
  reportLat: Float64Array | undefined,
  slots: ArrayLike<number> | undefined,
  floor: { hmax: number; rho: number } | undefined,
): Geometry {
  const m = slots ? slots.length : plan.n;
  const f = () => new Float64Array(m);
  const g: Geometry = {
    m,
    latLo: f(),
    latHi: f(),
    dn: f(),
    sw: f(),
    padLat: f(),
    padLon: f(),
    hmax: floor?.hmax ?? 0,
    rho: floor?.rho ?? 0,
    lat: plan.lat,
    lon: plan.lon,
  };
  const { lat, boxW, boxE, sog, cog, dom } = plan;
  let rho = g.rho;
  for (let k = 0; k < m; k++) {
    const s = slots ? slots[k]! : k;
    if (!plan.active(s)) continue;
    const r = (sog[s]! * KN * (boxW[dom[s]!]! + extraMin) * SAFETY) / M_MIN;
    if (r > rho) rho = r;
  }
  g.rho = rho;
  const cN = 0.011 * rho;
  let hmax = g.hmax;
  const east = f();
  const half = f();
  for (let k = 0; k < m; k++) {
    const s = slots ? slots[k]! : k;
    if (!plan.active(s)) {
      g.latLo[k] = NaN;
      continue;
    }
    const d = dom[s]!;
    const reach = ((sog[s]! * (boxW[d]! + extraMin)) / 60) * NM_M * SAFETY;
    const e = boxE[d]! * NM_M * SAFETY + PAD_M;
    const c = cog[s]! * RAD;
    const dn = (reach * Math.cos(c)) / M_MIN; // radians
    const pad = (e / M_MIN + cN * Math.abs(dn)) / (1 - cN);
    let lo = lat[s]! + (Math.min(0, dn) - pad) / RAD;
    let hi = lat[s]! + (Math.max(0, dn) + pad) / RAD;
    // The CPA clamps latitudes short of the poles, moving a unit there up to POLAR_CAP towards
    // the equator: a box reaching that far takes in the pole and that much more.
    if (hi > POLAR_DEG) {
      hi = 91;
      lo -= POLAR_CAP;
    }
    if (lo < -POLAR_DEG) {
      lo = -91;
      hi += POLAR_CAP;
    }
    g.latLo[k] = lo;
    g.latHi[k] = hi;
    g.dn[k] = dn;
    g.padLat[k] = pad;
    east[k] = reach * Math.sin(c); // metres
    half[k] = e;
    if (hi - lo > hmax) hmax = hi - lo;
  }
  g.hmax = hmax;
  for (let k = 0; k < m; k++) {
    const la0 = g.latLo[k]!;
    if (Number.isNaN(la0)) continue;
    const s = slots ? slots[k]! : k;
    let far = Math.max(Math.abs(la0 - hmax), Math.abs(g.latHi[k]! + hmax)) * RAD;
    if (reportLat) far = Math.max(far, Math.abs(reportLat[s]!) * RAD);
    const cE = far < POLAR_BOX ? Math.tan(far) * rho * SAFETY + 0.011 * rho : 1;
    g.padLon[k] = NaN;
    if (cE < 0.5) {
      const k1 = 1 / (N_MIN * Math.cos(far)); // radians per metre east
      const sw = east[k]! * k1;
      const pad = (half[k]! * k1 + cE * Math.abs(sw)) / (1 - cE);
      if (Math.abs(sw) + 2 * pad < 2 * Math.PI) {
        g.sw[k] = sw;
        g.padLon[k] = pad;
      }
    }
  }
  return g;
}

function newBoxes(m: number, g: Geometry): Boxes {
  return {
    count: 0,
    box: new Float64Array(8 * m),
    owner: new Int32Array(2 * m),
    hmax: g.hmax,
    rho: g.rho,
  };
}

function putBox(out: Boxes, s: number, x0: number, x1: number, y0: number, y1: number): void {
  if (4 * out.count + 4 > out.box.length) {
    const box = new Float64Array(out.box.length * 2 + 8);
    box.set(out.box);
    out.box = box;
    const owner = new Int32Array(out.owner.length * 2 + 2);
    owner.set(out.owner);
    out.owner = owner;
  }
  const o = 4 * out.count;
  out.box[o] = x0;
  out.box[o + 1] = y0;
  out.box[o + 2] = x1;
  out.box[o + 3] = y1;
  out.owner[out.count++] = s;
}

/** Appends the box of item `k` (slot `s`) over the fraction [f0, f1] of its window to `out`. */
function emit(g: Geometry, k: number, s: number, f0: number, f1: number, out: Boxes): void {
  let la0 = g.latLo[k]!;
  let la1 = g.latHi[k]!;
  // A box near a pole (capped in `geometry`) is not cut: the CPA's clamp of a start latitude
  // there shifts the whole path, which a slice's own range would not follow.
  if (la1 !== 91 && la0 !== -91) {
    const dn = g.dn[k]!;
    const pl = g.padLat[k]!;
    la0 = g.lat[s]! + (Math.min(dn * f0, dn * f1) - pl) / RAD;
    la1 = g.lat[s]! + (Math.max(dn * f0, dn * f1) + pl) / RAD;
  }
  const pad = g.padLon[k]!;
  if (Number.isNaN(pad)) {
    putBox(out, s, -180, 180, la0, la1);
    return;
  }
  const sw = g.sw[k]!;
  const lo = g.lon[s]! + (Math.min(sw * f0, sw * f1) - pad) / RAD;
  const hi = g.lon[s]! + (Math.max(sw * f0, sw * f1) + pad) / RAD;
  if (lo < -180) {
    putBox(out, s, lo + 360, 180, la0, la1);
    putBox(out, s, -180, hi, la0, la1);
  } else if (hi > 180) {
    putBox(out, s, lo, 180, la0, la1);
    putBox(out, s, -180, hi - 360, la0, la1);
  } else putBox(out, s, lo, hi, la0, la1);
}

function buildTree(b: Boxes): Flatbush | undefined {
  if (b.count === 0) return undefined;
  const tree = new Flatbush(b.count, 16);
  const box = b.box;
  for (let k = 0; k < b.count; k++) {
    const o = 4 * k;
    tree.add(box[o]!, box[o + 1]!, box[o + 2]!, box[o + 3]!);
  }
  tree.finish();
  return tree;
}

/** Partners of the pieces `from … to−1` of `q` found in `tree` (items of `b`), each once. */
function probe(
  q: Boxes,
  from: number,
  to: number,
  b: Boxes,
  tree: Flatbush | undefined,
  visit: (owner: number) => void,
): void {
  if (!tree) return;
  const seen = new Set<number>();
  const fn = (k: number): boolean => {
    const o = b.owner[k]!;
    if (!seen.has(o)) {
      seen.add(o);
      visit(o);
    }
    return false;
  };
  for (let k = from; k < to; k++) {
    const o = 4 * k;
    tree.search(q.box[o]!, q.box[o + 1]!, q.box[o + 2]!, q.box[o + 3]!, fn);
  }
}

function byPair(x: ScreenHit, y: ScreenHit): number {
  return x.a - y.a || x.b - y.b;
}

/**
 * Hits in (a, b) order. A comparator sort of tens of thousands of objects costs as much as a
 * tenth of a screen, so when ids allow, it sorts packed keys (a · 2^k + index, exact below 2^53)
 * natively, then each run of equal a by b.
 */
function sortHits(hits: ScreenHit[]): ScreenHit[] {
  const m = hits.length;
  let maxA = 0;
  for (let i = 0; i < m; i++) if (hits[i]!.a > maxA) maxA = hits[i]!.a;
  const scale = 2 ** Math.ceil(Math.log2(m + 1));
  if (m < 64 || maxA * scale + scale > Number.MAX_SAFE_INTEGER) return hits.sort(byPair);
  const key = new Float64Array(m);
  for (let i = 0; i < m; i++) key[i] = hits[i]!.a * scale + i;
  key.sort();
  const out = new Array<ScreenHit>(m);
  for (let i = 0; i < m; i++) out[i] = hits[key[i]! % scale]!;
  for (let r = 0; r < m;) {
    let e = r + 1;
    while (e < m && out[e]!.a === out[r]!.a) e++;
    for (let i = r + 1; i < e; i++) {
      const h = out[i]!;
      let j = i - 1;
      while (j >= r && out[j]!.b > h.b) {
        out[j + 1] = out[j]!;
        j--;
      }
      out[j + 1] = h;
    }
    r = e;
  }
  return out;
}

/** Counters of one screen, for benchmarks and tests. */
export interface ScreenStats {
  /** Pairs whose swept boxes overlap (the naive screen: every pair). */
  candidates: number;
  /** Pairs that survived the rejects and reached the exact CPA. */
  cpaCalls: number;
}

/**
 * All encounters among the tracks at `opts.now`, sorted by (a, b): the fast screen. Its hits are
 * exactly `screenNaive`'s.
 *
 * @example
 * const hits = screen(set, { now: Date.now() });
 * // [{ a: 412000001, b: 563000002, domain: 'surface', level: 'caution', cpaNm: 1.2, tcpaMin: 11, … }]
 */
export function screen(set: TrackSet, opts: ScreenOptions = {}, stats?: ScreenStats): ScreenHit[] {
  const plan = new Plan(set, opts, undefined, undefined, 'spatial');
  const slices = slicedBoxes(plan, SLICE_MIN);
  let candidates = 0;
  for (let k = 0; k < slices.length; k++)
    candidates += joinSlice(plan, slices, k, buildGrid(slices[k]!, plan.pd, plan.np));
  if (stats) {
    stats.candidates = candidates;
    stats.cpaCalls = plan.cpaCalls;
  }
  return sortHits(plan.hits);
}

/**
 * Judges every pair of tracks whose boxes meet in slice k, once; returns how many. Pairs of boxes
 * sharing a cell are reported only in the cell holding the lower-left corner of their
 * intersection. A cell's entries are grouped by party, so only the blocks of screened party
 * pairs are walked, along flat arrays.
 */
function joinSlice(plan: Plan, slices: SlicedBoxes[], k: number, g: Grid): number {
  const { table, np } = plan;
  const { x0, y0, inv, nx, ny, start, eBox, eOwner } = g;
  const cells = nx * ny;
  let candidates = 0;
  for (let c = 0; c < cells; c++) {
    const base = c * np;
    if (start[base + np]! - start[base]! < 2) continue;
    for (let p = 0; p < np; p++) {
      const i0 = start[base + p]!;
      const i1 = start[base + p + 1]!;
      if (i0 === i1) continue;
      for (let q = p; q < np; q++) {
        if (table[p * np + q]! < 0) continue;
        const j0 = start[base + q]!;
        const j1 = start[base + q + 1]!;
        for (let i = i0; i < i1; i++) {
          const s = eOwner[i]!;
          const o = 4 * i;
          const ax0 = eBox[o]!;
          const ay0 = eBox[o + 1]!;
          const ax1 = eBox[o + 2]!;
          const ay1 = eBox[o + 3]!;
          for (let j = q === p ? i + 1 : j0; j < j1; j++) {
            const u = 4 * j;
            const bx0 = eBox[u]!;
            if (bx0 > ax1) continue;
            const by0 = eBox[u + 1]!;
            if (by0 > ay1 || eBox[u + 2]! < ax0 || eBox[u + 3]! < ay0) continue;
            const t = eOwner[j]!;
            if (t === s) continue;
            const rx = bx0 > ax0 ? bx0 : ax0;
            const ry = by0 > ay0 ? by0 : ay0;
            if (cellOf(ry, y0, inv, ny) * nx + cellOf(rx, x0, inv, nx) !== c) continue;
            if (!firstMeeting(slices, k, s, t, ax0, ay0, bx0, by0)) continue;
            candidates++;
            plan.judge(s, t);
          }
        }
      }
    }
  }
  return candidates;
}

/**
 * Whether pieces of tracks s and t meeting in slice k, at boxes whose lower-left corners are
 * (ax0, ay0) and (bx0, by0), are the pair's first meeting: none in an earlier slice, and, when a
 * track has two pieces in this slice (the antimeridian), no earlier pair of pieces here. So a
 * pair of tracks is judged once however many of their boxes meet.
 */
function firstMeeting(
  slices: SlicedBoxes[],
  k: number,
  s: number,
  t: number,
  ax0: number,
  ay0: number,
  bx0: number,
  by0: number,
): boolean {
  for (let e = 0; e < k; e++) if (meet(slices[e]!, s, t) >= 0) return false;
  const { first } = slices[k]!;
  if (first[s + 1]! - first[s]! === 1 && first[t + 1]! - first[t]! === 1) return true;
  // Pieces of the lower slot first, then of the higher.
  const m = s < t ? meet(slices[k]!, s, t) : meet(slices[k]!, t, s);
  const box = slices[k]!.box;
  const ps = first[s]! + (s < t ? m >> 1 : m & 1);
  const pt = first[t]! + (s < t ? m & 1 : m >> 1);
  return (
    box[4 * ps] === ax0 && box[4 * ps + 1] === ay0 && box[4 * pt] === bx0 && box[4 * pt + 1] === by0
  );
}

/** The first pair of pieces of s and t (in that order) whose boxes meet, as 2p + q; −1: none. */
function meet(b: SlicedBoxes, s: number, t: number): number {
  const { box, first } = b;
  for (let p = first[s]!; p < first[s + 1]!; p++)
    for (let q = first[t]!; q < first[t + 1]!; q++) {
      const o = 4 * p;
      const u = 4 * q;
      if (box[u]! > box[o + 2]! || box[u + 2]! < box[o]!) continue;
      if (box[u + 1]! > box[o + 3]! || box[u + 3]! < box[o + 1]!) continue;
      return 2 * (p - first[s]!) + (q - first[t]!);
    }
  return -1;
}

type SlicedBoxes = Boxes & { first: Int32Array };

/** Minutes per time slice of the full screen's boxes. */
const SLICE_MIN = 30;

/**
 * A uniform grid over boxes, entries in (cell, party) order: the boxes of dense party p in cell c
 * are entries `start[c·np + p] … start[c·np + p + 1]−1`, each a copy of the box (`eBox`) and its
 * track (`eOwner`); a box touching several cells has an entry in each. The cell is twice the
 * boxes' mean size, grown until there are at most about four cells per box.
 */
interface Grid {
  x0: number;
  y0: number;
  inv: number;
  nx: number;
  ny: number;
  start: Int32Array;
  eBox: Float64Array;
  eOwner: Int32Array;
}

function cellOf(v: number, v0: number, inv: number, nv: number): number {
  const c = Math.floor((v - v0) * inv);
  return c < 0 ? 0 : c >= nv ? nv - 1 : c;
}

function buildGrid(b: Boxes, pd: Int32Array, np: number): Grid {
  const { box, count, owner } = b;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let size = 0;
  let sized = 0;
  for (let k = 0; k < count; k++) {
    const o = 4 * k;
    x0 = Math.min(x0, box[o]!);
    y0 = Math.min(y0, box[o + 1]!);
    x1 = Math.max(x1, box[o + 2]!);
    y1 = Math.max(y1, box[o + 3]!);
    const w = box[o + 2]! - box[o]!;
    if (w < 359) {
      size += Math.max(w, box[o + 3]! - box[o + 1]!);
      sized++;
    }
  }
  if (count === 0) x0 = y0 = x1 = y1 = 0;
  let cell = Math.max(sized ? (2 * size) / sized : 1, 1e-9);
  const across = (d: number) => Math.floor(d / cell) + 1;
  while (across(x1 - x0) * across(y1 - y0) > 4 * count + 64) cell *= 1.5;
  const nx = across(x1 - x0);
  const ny = across(y1 - y0);
  const inv = 1 / cell;
  const keys = nx * ny * np;
  const start = new Int32Array(keys + 1);
  const range = new Int32Array(4 * count);
  let total = 0;
  for (let k = 0; k < count; k++) {
    const o = 4 * k;
    const p = pd[owner[k]!]!;
    const cx0 = (range[o] = cellOf(box[o]!, x0, inv, nx));
    const cy0 = (range[o + 1] = cellOf(box[o + 1]!, y0, inv, ny));
    const cx1 = (range[o + 2] = cellOf(box[o + 2]!, x0, inv, nx));
    const cy1 = (range[o + 3] = cellOf(box[o + 3]!, y0, inv, ny));
    for (let cy = cy0; cy <= cy1; cy++)
      for (let cx = cx0; cx <= cx1; cx++) {
        start[(cy * nx + cx) * np + p + 1]!++;
        total++;
      }
  }
  for (let c = 0; c < keys; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, keys);
  const eBox = new Float64Array(4 * total);
  const eOwner = new Int32Array(total);
  for (let k = 0; k < count; k++) {
    const o = 4 * k;
    const s = owner[k]!;
    const p = pd[s]!;
    for (let cy = range[o + 1]!; cy <= range[o + 3]!; cy++)
      for (let cx = range[o]!; cx <= range[o + 2]!; cx++) {
        const e = fill[(cy * nx + cx) * np + p]!++;
        eBox[4 * e] = box[o]!;
        eBox[4 * e + 1] = box[o + 1]!;
        eBox[4 * e + 2] = box[o + 2]!;
        eBox[4 * e + 3] = box[o + 3]!;
        eOwner[e] = s;
      }
  }
  return { x0, y0, inv, nx, ny, start, eBox, eOwner };
}

/**
 * All encounters by putting every one of the n(n−1)/2 pairs through the same pair test as
 * `screen` (cheap necessary-condition rejects, then the exact CPA): the reference answer for the
 * index. With `exhaustive`, every pair of screened parties goes to the CPA with no reject at all:
 * the reference for the rejects themselves (slow: about a microsecond a pair).
 */
export function screenNaive(
  set: TrackSet,
  opts: ScreenOptions = {},
  how: { exhaustive?: boolean; stats?: ScreenStats } = {},
): ScreenHit[] {
  const plan = new Plan(set, opts);
  plan.exhaustive = how.exhaustive === true;
  const n = plan.n;
  for (let s = 0; s < n; s++) for (let t = s + 1; t < n; t++) plan.judge(s, t);
  if (how.stats) {
    how.stats.candidates = (n * (n - 1)) / 2;
    how.stats.cpaCalls = plan.cpaCalls;
  }
  return sortHits(plan.hits);
}

export interface ScreenIndexOptions extends Omit<ScreenOptions, 'now'> {
  /** Minutes a built index serves: its boxes sweep horizon + slack. Default 5. */
  slackMin?: number;
  /** Reports held in the overlay before the next query rebuilds. Default 1024. */
  maxDirty?: number;
}

interface Built {
  at: number;
  partyKey: string;
  boxW: Float64Array;
  boxE: Float64Array;
  /** Track id of each slot at build time. */
  ids: Float64Array;
  boxes: Boxes;
  tree: Flatbush | undefined;
}

interface Overlay {
  /** Current slots of the tracks reported since the build. */
  slots: Int32Array;
  boxes: Boxes;
  tree: Flatbush | undefined;
}

/**
 * The screen kept up as reports arrive: `hitsFor` answers one track's report in about the time of
 * its own box's neighbourhood, not of the whole picture.
 *
 * Approach: flatbush trees are static, so rather than move one box in place the index is built
 * for a stretch of time and patched between builds. A build sweeps every box over
 * [t₀, t₀ + horizon + slack], so an unreported track's box still holds it, dead-reckoned, for any
 * query time in [t₀, t₀ + slack]. A track reported since the build ("dirty") leaves the tree and
 * goes into a small overlay tree of boxes swept from its new report. `hitsFor` probes the tree
 * (clean partners) and the overlay (dirty ones) with the track's box and judges only those
 * partners. The next query rebuilds (about the cost of one full screen) once the slack is used
 * up, the overlay holds more than `maxDirty` tracks, the set of parties changes, or an overlay box
 * outgrows the sizes the tree was built with. `screen` runs a full screen. Results are exactly
 * `screenNaive`'s at the query time.
 *
 * @example
 * const index = new ScreenIndex(set);
 * index.upsert(report);
 * const mine = index.hitsFor(report.id, report.time); // the reporting track's encounters
 */
export class ScreenIndex {
  readonly set: TrackSet;
  /** Builds so far. */
  rebuilds = 0;
  private readonly opts: ScreenIndexOptions;
  private readonly slack: number;
  private readonly maxDirty: number;
  private built: Built | undefined;
  private readonly dirty = new Set<number>();

  constructor(set: TrackSet, opts: ScreenIndexOptions = {}) {
    this.set = set;
    this.opts = opts;
    this.slack = opts.slackMin ?? 5;
    this.maxDirty = opts.maxDirty ?? 1024;
    if (!(Number.isFinite(this.slack) && this.slack >= 0)) bad('slackMin', this.slack);
    if (!(Number.isInteger(this.maxDirty) && this.maxDirty >= 0)) bad('maxDirty', this.maxDirty);
  }

  /** Adds or replaces a track's report (see `TrackSet.upsert`). Returns its slot. */
  upsert(r: TrackReport): number {
    const slot = this.set.upsert(r);
    this.dirty.add(r.id);
    return slot;
  }

  /** Removes a track; false if it was absent. */
  remove(id: number): boolean {
    if (!this.set.remove(id)) return false;
    this.dirty.delete(id);
    return true;
  }

  /**
   * All encounters at `now`, sorted by (a, b): a full `screen`, which builds its own grid. (Joining
   * the tree with itself and the overlay gives the same hits but costs more than that build.)
   */
  screen(now: number): ScreenHit[] {
    return screen(this.set, { ...this.opts, now });
  }

  /** The encounters of one track at `now`, sorted by (a, b): the answer to its new report. */
  hitsFor(id: number, now: number): ScreenHit[] {
    const whole = new Plan(this.set, { ...this.opts, now }, now, undefined, 'bare');
    if (!this.set.has(id)) return [];
    const { built, overlay } = this.ready(whole);
    // Partners by box, from the tree (unreported since the build) and the overlay.
    const partners = new Set<number>();
    const one = this.subset([id]);
    const mine = sweptBoxes(new Plan(one, this.opts, now, whole), 0, undefined, undefined, {
      hmax: built.boxes.hmax,
      rho: built.boxes.rho,
    });
    probe(mine, 0, mine.count, built.boxes, built.tree, (o) => {
      const pid = built.ids[o]!;
      if (pid !== id && !this.dirty.has(pid) && this.set.has(pid)) partners.add(pid);
    });
    probe(mine, 0, mine.count, overlay.boxes, overlay.tree, (o) => {
      const pid = this.set.ids[overlay.slots[o]!]!;
      if (pid !== id) partners.add(pid);
    });
    const sub = this.subset([id, ...partners]);
    const plan = new Plan(sub, this.opts, now, whole);
    for (let t = 1; t < sub.size; t++) plan.judge(0, t);
    return sortHits(plan.hits);
  }

  /** A set of copies of the given tracks, in that order. */
  private subset(ids: number[]): TrackSet {
    const sub = new TrackSet(Math.max(1, ids.length));
    for (const id of ids) sub.upsert(this.set.get(id)!);
    return sub;
  }

  /** The tree and overlay valid at `plan.now`, rebuilding when needed. */
  private ready(plan: Plan): { built: Built; overlay: Overlay } {
    const now = plan.now;
    let b = this.built;
    const fits =
      b !== undefined &&
      now >= b.at &&
      now <= b.at + this.slack * 60_000 &&
      b.partyKey === plan.partyKey &&
      b.boxW[0] === plan.boxW[0] &&
      b.boxW[1] === plan.boxW[1] &&
      b.boxE[0] === plan.boxE[0] &&
      b.boxE[1] === plan.boxE[1] &&
      this.dirty.size <= this.maxDirty;
    if (b !== undefined && fits) {
      const overlay = this.overlay(plan, b);
      if (overlay.boxes.hmax <= b.boxes.hmax && overlay.boxes.rho <= b.boxes.rho)
        return { built: b, overlay };
    }
    const full = plan.lat.length === plan.n ? plan : new Plan(this.set, { ...this.opts, now });
    const boxes = sweptBoxes(full, this.slack, this.set.lat);
    b = this.built = {
      at: now,
      partyKey: full.partyKey,
      boxW: full.boxW.slice(),
      boxE: full.boxE.slice(),
      ids: this.set.ids.slice(0, this.set.size),
      boxes,
      tree: buildTree(boxes),
    };
    this.rebuilds++;
    this.dirty.clear();
    return { built: b, overlay: this.overlay(plan, b) };
  }

  private overlay(plan: Plan, b: Built): Overlay {
    const ids = [...this.dirty];
    const slots = Int32Array.from(ids, (id) => this.set.slotOf(id));
    if (ids.length === 0)
      return {
        slots,
        boxes: { count: 0, box: new Float64Array(0), owner: new Int32Array(0), hmax: 0, rho: 0 },
        tree: undefined,
      };
    // Boxes of the overlay's own subset (`owner` indexes `slots`), sized with at least the
    // tree's bounds so they meet its boxes soundly; `ready` rebuilds if they exceed them.
    const sub = this.subset(ids);
    const sized = sweptBoxes(new Plan(sub, this.opts, plan.now, plan), 0, undefined, undefined, {
      hmax: b.boxes.hmax,
      rho: b.boxes.rho,
    });
    return { slots, boxes: sized, tree: buildTree(sized) };
  }
}
