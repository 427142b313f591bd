/**
 * The near-miss screen: every pair of tracks of screened parties whose closest point of approach
 * falls inside a threshold within a window, by domain and level.
 *
 * Three screens, one pair test. `Plan.judge` (and `Plan.judgeRule`, the same tests for a pair
 * whose rule is known) is the only place a pair is decided: cheap necessary-condition rejects (vertical gap,
 * latitude gap, relative motion with a bound on the CPA model's curvature terms), then the exact
 * CPA (`cpaUnits`: the very numbers `cpaInto` and `cpa()` give) and the predicate below.
 * - `screenNaive` puts all n(n−1)/2 pairs through it: the reference answer (STYLE.md §3). With
 *   `exhaustive` it skips the rejects, the reference for the rejects themselves.
 * - `screen`, the full screen, finds the pairs worth judging with swept boxes: each track's box
 *   holds everywhere the CPA can put it over the window, widened by half the largest threshold
 *   its pairs can have (`sweptBoxes` says why that is enough, across the antimeridian and near
 *   the poles). Boxes go into a uniform grid whose cells list their boxes by party and altitude
 *   class (`altitudeClasses`), so only screened pairs are walked, and by whether they start in
 *   the cell, so each pair of boxes is looked at once, in the cell holding the corner of their
 *   intersection. The cost grows with the number of close pairs, not n².
 *   How it is made fast (for a 100k-track picture, `npm run bench -- screen`; a helper thread
 *   can share the pair search, `ScreenOptions.threads`): tracks are laid out
 *   in a spatial order, so neighbours on the sea are neighbours in memory; each track's terms are
 *   computed once per screen into one record of 16 doubles; the grid walk judges each pair of
 *   boxes as it meets it, while both records are in the cache; hits are kept in flat arrays and
 *   become objects once, sorted by a radix sort; the screen's typed arrays are pooled between
 *   screens.
 * - `ScreenIndex` keeps a flatbush tree of boxes swept a little longer and patches it as reports
 *   arrive (see there).
 * All three return identical hits; `test/screen.test.ts` checks it on random traffic, across the
 * antimeridian, at high latitudes and near the poles, and that every hit's numbers are `cpa()`'s.
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
import {
  CPA_NM,
  CPA_OUT_LENGTH,
  CPA_LAT_LIMIT,
  CPA_UNIT_LENGTH,
  RANGE_NM,
  TCPA_MIN,
  cpaUnit,
  cpaUnitOf,
  cpaUnits,
  verticalSeparation,
} from './cpa.js';
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
 * (≈ 500 yd) within 15 min. Air: danger lateral < 1 nm and vertical < 1,000 ft within 5 min;
 * caution lateral < 5 nm and vertical < 2,000 ft within 10 min, the ICAO separation minima
 * (Doc 4444 PANS-ATM §8.7.3: 5.0 NM surveillance separation; §5.3.2: 2,000 ft vertical above
 * FL 290 outside RVSM, 1,000 ft otherwise). Sources and reasoning: docs/encounters.md.
 */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  surface: Object.freeze([
    Object.freeze({ level: 'danger' as const, cpaNm: 0.25, withinMin: 15 }),
    Object.freeze({ level: 'caution' as const, cpaNm: 2, withinMin: 30 }),
  ]),
  air: Object.freeze([
    Object.freeze({ level: 'danger' as const, cpaNm: 1, withinMin: 5, vsepFt: 1000 }),
    Object.freeze({ level: 'caution' as const, cpaNm: 5, withinMin: 10, vsepFt: 2000 }),
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
  /**
   * A helper thread that judges part of the full screen's pairs beside the calling thread (the
   * station's `ScreenThreads`). The hits are the same with or without it. `screenNaive` and
   * `ScreenIndex.hitsFor` ignore it.
   */
  threads?: PairHelper;
}

/**
 * The calling side of a helper thread for the full screen, as `screen` uses it; the station's
 * `ScreenThreads` implements it over a worker thread (this package does no I/O and starts none).
 * Per slice: `offer` the job; then `claim` chunks of `PAIR_CHUNK` grid cells (shared with the
 * helper) until −1; then always `finish`.
 */
export interface PairHelper {
  /** Whether the helper takes part in a screen of `n` tracks (no: too small, or not running). */
  wants(n: number): boolean;
  offer(job: PairJob): void;
  /** The first cell of the next chunk to judge on the calling thread, or −1: none left. */
  claim(): number;
  /**
   * Ends the job: undefined if the helper did not take part (every chunk was claimed by the
   * calling thread), else its share, once it has finished. Throws if the helper took part and
   * failed; the screen then judges the whole slice again on its own thread.
   */
  finish(): PairResult | undefined;
}

/** Grid cells per claim of the shared pair search. */
export const PAIR_CHUNK = 32;

/**
 * Slice `k` of a full screen, as a helper thread needs it: the arrays are views of shared
 * memory (the screen's pool), the rules plain data. @internal
 */
export interface PairJob {
  id: number;
  n: number;
  k: number;
  cells: number;
  np: number;
  rhoAll: number;
  rules: Rule[];
  gridTable: Int32Array;
  d: Float64Array;
  dom: Uint8Array;
  slot: Int32Array;
  lat: Float64Array;
  lon: Float64Array;
  sog: Float64Array;
  cog: Float64Array;
  start: Int32Array;
  eBox: Float64Array;
  eOwner: Int32Array;
  slices: { box: Float64Array; first: Int32Array; count: number; split: boolean }[];
}

/** A helper's share of one slice: its hits (`HitList`'s columns) and counters. @internal */
export interface PairResult {
  /** The job's id. */
  id: number;
  length: number;
  a: Float64Array;
  b: Float64Array;
  code: Uint8Array;
  num: Float64Array;
  cpaCalls: number;
  met: number;
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
const DEG = 180 / Math.PI;
const TWO_PI = 2 * Math.PI;
/** Smallest radii of curvature (both at the equator): a metre is never fewer radians than here. */
const M_MIN = meridianRadius(0);
const INV_M_MIN = 1 / M_MIN;
/** 1 / (a(1 − e²)): 1/M(φ) = W³ · INV_AM. */
const INV_AM = 1 / (WGS84_A * (1 - WGS84_E2));
const N_MIN = primeVerticalRadius(0);
/** Relative and absolute slack on every conservative bound: rounding, and nothing else. */
const SAFETY = 1.01;
/** Metres per knot-minute, with the slack. */
const REACH = (NM_M / 60) * SAFETY;
const PAD_M = 10;
/** A swept box reaching past this latitude spans every longitude, and the pole. */
const POLAR_DEG = 89.5;
const POLAR_BOX = POLAR_DEG * RAD;
/** Covers any clamp of the CPA's latitudes at or beyond POLAR_DEG, degrees. */
const POLAR_CAP = 90 - POLAR_DEG;
/** The relative-motion reject is skipped for pairs that can reach past this latitude. */
const PREFILTER_LAT = 80 * RAD;

/**
 * tan and cos of latitudes on a grid of 2⁻¹² rad, for bounds that need tan φ from above and cos φ
 * from below: `tanUp(φ)` = tan of φ rounded up to the grid (≥ tan φ on [0, π/2)), `cosDown(φ)`
 * likewise (≤ cos φ). A table read instead of two calls per track per screen.
 */
const TRIG_STEP = 4096;
const TAN_UP = new Float64Array(Math.ceil((Math.PI / 2) * TRIG_STEP) + 1);
const COS_DOWN = new Float64Array(TAN_UP.length);
for (let i = 0; i < TAN_UP.length; i++) {
  const x = Math.min(i / TRIG_STEP, Math.PI / 2);
  TAN_UP[i] = x < Math.PI / 2 ? Math.tan(x) : Infinity;
  COS_DOWN[i] = x < Math.PI / 2 ? Math.cos(x) : 0;
}
function tanUp(phi: number): number {
  return TAN_UP[Math.ceil(phi * TRIG_STEP)]!;
}
function cosDown(phi: number): number {
  return COS_DOWN[Math.ceil(phi * TRIG_STEP)]!;
}

// Offsets in a slot's record of derived terms (`Plan.d`), two cache lines. The first holds all
// that the lateral rejects read of a partner: latitude and longitude (rad); parallel radius
// N·cos φ and meridian radius M (m); longitude and latitude rates (rad/min); speed (m/min);
// |north speed| / M_MIN (rad/min). The second holds what the exact CPA and the vertical reject
// add: sine and cosine of the latitude, altitude (ft), vertical rate (ft/min), the track id, and
// the north and east speeds (m/min).
const STRIDE = 16;
const D_PHI = 0;
const D_LAM = 1;
const D_KK = 2;
const D_MM = 3;
const D_LR = 4;
const D_PR = 5;
const D_SPD = 6;
const D_AVN = 7;
const D_SIN = 8;
const D_COS = 9;
const D_ALT = 10;
const D_VS = 11;
const D_ID = 12;
const D_VN = 13;
const D_VE = 14;

/** @internal */
export interface Lvl {
  level: Level;
  /** nm */
  t: number;
  /** window, min */
  w: number;
  /** ft; Infinity when the level has no vertical term */
  v: number;
}

/** The levels of one domain for one party pair, with the bounds the rejects use. @internal */
export interface LevelSet {
  levels: Lvl[];
  /** Largest threshold, nm. */
  t: number;
  /** Longest window, min. */
  w: number;
  /** Largest vertical threshold, ft (Infinity if any level has none). */
  v: number;
  /** The rejects' bounds: `t` in metres with the slack, that over M_MIN, `v` with the slack. */
  tM: number;
  tRad: number;
  vPad: number;
}

/** @internal */
export interface Rule {
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
  const set: LevelSet = {
    levels,
    t: Math.max(0, ...levels.map((l) => l.t)),
    w: Math.max(0, ...levels.map((l) => l.w)),
    v: Math.max(0, ...levels.map((l) => l.v)),
    tM: 0,
    tRad: 0,
    vPad: 0,
  };
  set.tM = set.t * NM_M * SAFETY + PAD_M;
  set.tRad = set.tM / M_MIN;
  set.vPad = set.v * (1 + 1e-9) + 1e-6;
  return set;
}

/** Where a screen's typed arrays come from: fresh (zeroed), or a pool (not zeroed). */
interface Mem {
  f64(key: string, n: number): Float64Array;
  i32(key: string, n: number): Int32Array;
  u8(key: string, n: number): Uint8Array;
}

const FRESH: Mem = {
  f64: (_key, n) => new Float64Array(n),
  i32: (_key, n) => new Int32Array(n),
  u8: (_key, n) => new Uint8Array(n),
};

/**
 * Typed arrays kept from one full screen to the next, by name. A screen of 100k tracks uses some
 * 60 MB of them; allocating that afresh each time cost more than the geometry computed in them
 * (fresh pages, and the collections that so much external memory triggers). Arrays come back
 * as views of the requested length with whatever the last screen left in them: code that
 * counts into one fills it first. One screen uses the pool at a time (`busy`); a screen started
 * inside another (from an `agreement` callback) gets fresh arrays.
 */
class Pool implements Mem {
  busy = false;
  private readonly bufs = new Map<string, Float64Array | Int32Array | Uint8Array>();

  private take<T extends Float64Array | Int32Array | Uint8Array>(
    key: string,
    n: number,
    make: (n: number) => T,
  ): T {
    let buf = this.bufs.get(key) as T | undefined;
    if (buf === undefined || buf.length < n) {
      buf = make(Math.max(n, Math.ceil((buf?.length ?? 0) * 1.5)));
      this.bufs.set(key, buf);
    }
    return buf.subarray(0, n) as T;
  }

  // Shared memory, so that a helper thread (`ScreenOptions.threads`) reads the very arrays.
  f64(key: string, n: number): Float64Array {
    return this.take(key, n, (m) => new Float64Array(new SharedArrayBuffer(8 * m)));
  }
  i32(key: string, n: number): Int32Array {
    return this.take(key, n, (m) => new Int32Array(new SharedArrayBuffer(4 * m)));
  }
  u8(key: string, n: number): Uint8Array {
    return this.take(key, n, (m) => new Uint8Array(new SharedArrayBuffer(m)));
  }
}

const POOL = new Pool();

/** Altitude classes of the full screen's grid (see `altitudeClasses`). */
const GROUND = 0;
const MID = 1;
const HIGH = 2;

/**
 * Altitude classes, so that the grid never pairs an aircraft high above the surface with a unit
 * on it: the vertical reject would drop every such pair, but an airliner's box (40 nm in its five
 * minutes) meets thousands of ships' boxes. GROUND: altitude ≤ 0 now and at the end of the air
 * window (surface units, at 0 ft). HIGH: an aircraft at or above `high` now and then. Every other
 * unit (an unknown altitude among them) is MID. A GROUND and a HIGH unit form an air pair (one
 * is an aircraft) whose altitude difference, linear in time, is at least `high` over the whole
 * window: at or above every air level's vertical threshold with the reject's slack and a foot
 * more, so `reject` drops it. When some air level has no vertical threshold, nothing is HIGH.
 * Returns `high` and the table of rule indices between grid parties (dense party × 3 + class).
 */
function altitudeClasses(plan: Plan): { high: number; table: Int32Array } {
  let vmax = 0;
  for (const r of plan.rules) if (r.air.levels.length > 0) vmax = Math.max(vmax, r.air.vPad);
  const high = vmax + 1;
  const { np, table } = plan;
  const n3 = 3 * np;
  const out = new Int32Array(n3 * n3);
  for (let a = 0; a < n3; a++)
    for (let b = 0; b < n3; b++) {
      const ca = a % 3;
      const cb = b % 3;
      const apart = (ca === GROUND && cb === HIGH) || (ca === HIGH && cb === GROUND);
      out[a * n3 + b] = apart ? -1 : table[((a / 3) | 0) * np + ((b / 3) | 0)]!;
    }
  return { high, table: out };
}

/**
 * Everything one screen at one time needs: positions dead-reckoned to `now` with their derived
 * per-track terms, the party-pair table, and the pair test that both screens call.
 */
class Plan {
  readonly n: number;
  readonly now: number;
  // Per track, in the plan's order (`slot` maps back to the set): position dead-reckoned to
  // `now` (degrees), speed (knots), cos and sin of the course, domain and dense party. The rest
  // (id, altitude, vertical rate) is in the track's record of derived terms (`d`).
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
  readonly hits: HitList;
  /** Every pair goes to the CPA, no reject: the ground truth the rejects are tested against. */
  exhaustive = false;
  /** Pairs that reached the exact CPA. */
  cpaCalls = 0;
  /** The two units' terms for `cpaUnits`. */
  private readonly units = new Float64Array(2 * CPA_UNIT_LENGTH);

  readonly lat: Float64Array;
  readonly lon: Float64Array;
  /** The full screen's box terms, filled with the rest (else `geometry` computes them). */
  geo: Geometry | undefined;
  /**
   * The full screen's grid parties: dense party × 3 + altitude class (`altitudeClasses`), and
   * their table of rule indices (−1: not paired).
   */
  gridParty: Int32Array | undefined;
  gridTable: Int32Array | undefined;
  /** Speed and course columns in the plan's order; empty in the full screen's plan. */
  readonly sog: Float64Array;
  /** cos and sin of the course (`TrackSet.cosCog`, `sinCog`). */
  readonly cosC: Float64Array;
  readonly sinC: Float64Array;
  /** The set's speed and course columns, by slot (for the CPA's terms). */
  private readonly setSog: Float64Array;
  private readonly setCog: Float64Array;
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
  /** Where this plan's and its screen's arrays come from. */
  readonly mem: Mem;

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
    mem: Mem = FRESH,
  ) {
    this.mem = mem;
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
    const pd = mem.i32('pd0', n);
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
    // order so that pairs of neighbours read neighbouring memory. The spatial order is taken
    // from the reported positions, and the tracks are read in slot order and written to their
    // place (reading every column in a random order cost more than the terms computed).
    const m = bare ? 0 : n;
    const lat0 = mem.f64('lat0', m);
    const lon0 = mem.f64('lon0', m);
    const alt0 = mem.f64('alt0', m);
    if (!bare) set.deadReckon(t, lat0, lon0, alt0);
    this.setSog = set.sog;
    this.setCog = set.cog;
    this.d = mem.f64('d', m * STRIDE);
    const rank = layout === 'spatial' ? spatialRank(set, mem) : undefined;
    if (rank) {
      // The full screen: the boxes' latitude terms in the same pass (`geometry`, which the
      // other plans use, reads the speed and course columns this layout does not keep).
      const slot = (this.slot = mem.i32('slot', m));
      const lat = (this.lat = mem.f64('lat', m));
      const lon = (this.lon = mem.f64('lon', m));
      this.sog = this.cosC = this.sinC = new Float64Array(0);
      const dom = (this.dom = mem.u8('dom', m));
      const pdr = (this.pd = mem.i32('pd', m));
      const g = (this.geo = newGeometry(mem, m, lat, lon));
      const { boxW, boxE, partyActive } = this;
      const { domain, vs, ids, cosCog, sinCog } = set;
      const sogs = set.sog;
      const d = this.d;
      // One pass in slot order (every column read in sequence): each track's inputs written as
      // one 64-byte record to its place in the spatial order, and the largest latitude sweep.
      const inr = mem.f64('inputsInOrder', 8 * m);
      const dpr0 = mem.i32('domPartyInOrder', m);
      let rhoBox = 0;
      for (let s = 0; s < m; s++) {
        const r = rank[s]!;
        slot[r] = s;
        const u = 8 * r;
        const sog = sogs[s]!;
        const dm = domain[s]!;
        const p = pd[s]!;
        inr[u] = lat0[s]!;
        inr[u + 1] = lon0[s]!;
        inr[u + 2] = alt0[s]!;
        inr[u + 3] = sog;
        inr[u + 4] = cosCog[s]!;
        inr[u + 5] = sinCog[s]!;
        inr[u + 6] = vs[s]!;
        inr[u + 7] = ids[s]!;
        dpr0[r] = 2 * p + dm;
        const w = boxW[dm]!;
        if (partyActive[p] !== 1 || !(w >= 0)) continue;
        const reach = (sog * KN * w * SAFETY) / M_MIN;
        if (reach > rhoBox) rhoBox = reach;
      }
      g.rho = rhoBox;
      const cN = 0.011 * rhoBox;
      const e0 = boxE[0]! * NM_M * SAFETY + PAD_M;
      const e1 = boxE[1]! * NM_M * SAFETY + PAD_M;
      const { high, table: gridTable } = altitudeClasses(this);
      const wAir = Math.max(0, boxW[AIR]!);
      const gp = (this.gridParty = mem.i32('gridParty', m));
      this.gridTable = gridTable;
      for (let r = 0; r < m; r++) {
        const o = 8 * r;
        const la = inr[o]!;
        const lo = inr[o + 1]!;
        const al = inr[o + 2]!;
        const sog = inr[o + 3]!;
        const cs = inr[o + 4]!;
        const sn = inr[o + 5]!;
        const v = inr[o + 6]!;
        const id = inr[o + 7]!;
        const dpr = dpr0[r]!;
        const dm = dpr & 1;
        const p = dpr >> 1;
        lat[r] = la;
        lon[r] = lo;
        dom[r] = dm;
        pdr[r] = p;
        const al1 = al + v * wAir;
        gp[r] =
          3 * p +
          (al <= 0 && al1 <= 0 ? GROUND : dm === AIR && al >= high && al1 >= high ? HIGH : MID);
        prepare(d, r, la, lo, al, sog, cs, sn, v, id);
        const w = boxW[dm]!;
        if (partyActive[p] === 1 && w >= 0) latTerms(g, r, la, sog, cs, sn, w, dm ? e1 : e0, cN);
        else g.latLo[r] = NaN;
      }
    } else {
      this.slot = new Int32Array(m);
      for (let r = 0; r < m; r++) this.slot[r] = r;
      this.lat = lat0;
      this.lon = lon0;
      this.sog = set.sog;
      this.cosC = set.cosCog;
      this.sinC = set.sinCog;
      this.dom = set.domain;
      this.pd = pd;
      const { sog, cosCog, sinCog, vs, ids } = set;
      const d = this.d;
      for (let r = 0; r < m; r++)
        prepare(
          d,
          r,
          lat0[r]!,
          lon0[r]!,
          alt0[r]!,
          sog[r]!,
          cosCog[r]!,
          sinCog[r]!,
          vs[r]!,
          ids[r]!,
        );
    }
    this.hits = new HitList(mem);
  }

  /**
   * Slice k of this full screen for a helper thread (`PairJob`). The set's speed and course
   * columns (read for units past `CPA_LAT_LIMIT`) are copied into the shared pool.
   */
  job(set: TrackSet, slices: SlicedBoxes[], k: number, g: Grid): PairJob {
    const { n, mem } = this;
    const sog = mem.f64('sharedSog', n);
    const cog = mem.f64('sharedCog', n);
    sog.set(set.sog.subarray(0, n));
    cog.set(set.cog.subarray(0, n));
    return {
      id: 0,
      n,
      k,
      cells: g.cells,
      np: this.np,
      rhoAll: this.rhoAll,
      rules: this.rules,
      gridTable: this.gridTable!,
      d: this.d,
      dom: this.dom,
      slot: this.slot,
      lat: this.lat,
      lon: this.lon,
      sog,
      cog,
      start: g.start,
      eBox: g.eBox,
      eOwner: g.eOwner,
      slices: slices.map((b) => ({ box: b.box, first: b.first, count: b.count, split: b.split })),
    };
  }

  /**
   * A plan over a helper thread's view of a full screen's arrays (`PairJob`): what the pair
   * test reads, and hits and counters of its own.
   */
  static view(job: PairJob): Plan {
    const plan = Object.create(Plan.prototype) as Plan;
    const fields = {
      n: job.n,
      np: job.np,
      rhoAll: job.rhoAll,
      rules: job.rules,
      gridTable: job.gridTable,
      d: job.d,
      dom: job.dom,
      slot: job.slot,
      lat: job.lat,
      lon: job.lon,
      setSog: job.sog,
      setCog: job.cog,
      mem: FRESH,
      exhaustive: false,
      cpaCalls: 0,
      units: new Float64Array(2 * CPA_UNIT_LENGTH),
      out: new Float64Array(CPA_OUT_LENGTH),
      hits: new HitList(FRESH),
    };
    return Object.assign(plan, fields);
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
      const V = ls.vPad;
      const f0 = d[b + D_ALT]! - d[a + D_ALT]!;
      const f1 = f0 + (d[b + D_VS]! - d[a + D_VS]!) * W;
      if ((f0 >= V && f1 >= V) || (f0 <= -V && f1 <= -V)) return true;
    }
    const phiA = d[a + D_PHI]!;
    const phiB = d[b + D_PHI]!;
    // The most poleward latitude the pair can reach (rhoAll bounds any track's latitude change).
    // Past PREFILTER_LAT, where the CPA clamps latitudes, there is no lateral reject.
    const pa = Math.abs(phiA);
    const pb = Math.abs(phiB);
    const far = (pa > pb ? pa : pb) + this.rhoAll;
    if (!(far < PREFILTER_LAT)) return false;
    const T = ls.tM;
    const rhoA = d[a + D_AVN]! * W;
    const rhoB = d[b + D_AVN]! * W;
    const rho = rhoA > rhoB ? rhoA : rhoB;
    const dphi = phiB - phiA;
    if (Math.abs(dphi) * (1 - 0.011 * rho) >= ls.tRad + rhoA + rhoB) return true;
    const x = tanUp(far) * rho;
    if (!(x <= 0.1)) return false;
    // The plane at the mid-latitude φ̄, its east scale N(φ̄)·cos φ̄ taken from below as the mean of
    // the two parallel radii: N grows and cos φ falls with |φ|, so the mean of N·cos φ is at most
    // mean N · mean cos φ = mean N · cos φ̄ · cos(Δφ/2). Every distance in the plane is then at
    // most the true one, and a pair rejected with it is rejected with the true scale.
    const kb = 0.5 * (d[a + D_KK]! + d[b + D_KK]!);
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
      // Clamped to [0, W] by arithmetic, not branches (converging or not is hard to predict);
      // an ulp off the clamp moves the distance by far less than the slack.
      tt = 0.5 * (tt + Math.abs(tt));
      tt = 0.5 * (W + tt - Math.abs(W - tt));
    }
    const dx = ex + vx * tt;
    const dy = ny + vy * tt;
    const u1 = 1.2 * x + 0.03 * rho + 0.01 * Math.abs(dphi) + 1e-6;
    const u2 = 1.5 * x + 0.03 * rho + 1e-6;
    // dist·(1 − u1) ≥ bound, squared (both sides are positive when it holds).
    const k = 1 - u1;
    const bound = T + u2 * (d[a + D_SPD]! + d[b + D_SPD]!) * W;
    return k > 0 && (dx * dx + dy * dy) * (k * k) >= bound * bound;
  }

  /** The pair test (slots, any order): rejects, then the exact CPA; pushes a hit. */
  judge(s: number, t: number): void {
    const r = this.table[this.pd[s]! * this.np + this.pd[t]!]!;
    if (r >= 0) this.judgeRule(s, t, r);
  }

  /**
   * The pair test for a pair whose rule (the party pair's) the caller has: `judge` looks it up,
   * the full screen takes it from the grid's table. The full screen calls it for each pair of
   * boxes as it finds them, while both records are fresh in the cache (collecting the pairs
   * first and judging them in later passes cost more than it saved).
   */
  judgeRule(s: number, t: number, rule: number): void {
    const dom = this.dom;
    const air = (dom[s]! | dom[t]!) === AIR;
    const r = this.rules[rule]!;
    const ls = air ? r.air : r.surface;
    if (ls.levels.length === 0) return;
    if (!this.exhaustive && this.reject(s, t, ls)) return;
    this.exact(s, t, ls, air);
  }

  /**
   * `cpaUnit`'s terms of track r into `units` at o, from its record: the latitude's sine and
   * cosine and the speeds there are the very numbers `cpaUnit` computes (past `CPA_LAT_LIMIT`,
   * where `cpaUnit` clamps, it is called).
   */
  private unit(r: number, o: number): void {
    const d = this.d;
    const a = r * STRIDE;
    const phi = d[a + D_PHI]!;
    if (Math.abs(phi) <= CPA_LAT_LIMIT)
      cpaUnitOf(this.units, o, phi, d[a + D_SIN]!, d[a + D_COS]!, d[a + D_VN]!, d[a + D_VE]!);
    else {
      const s = this.slot[r]!;
      cpaUnit(this.units, o, this.lat[r]!, this.setSog[s]!, this.setCog[s]!);
    }
  }

  /** The exact CPA of a pair that passed the rejects, and the predicate; pushes a hit. */
  private exact(s: number, t: number, ls: LevelSet, air: boolean): void {
    // The lower id goes first, so both screens hand the CPA the very same arguments.
    const d = this.d;
    const idS = d[s * STRIDE + D_ID]!;
    const idT = d[t * STRIDE + D_ID]!;
    const i = idS < idT ? s : t;
    const j = i === s ? t : s;
    const out = this.out;
    this.cpaCalls++;
    const units = this.units;
    this.unit(i, 0);
    this.unit(j, CPA_UNIT_LENGTH);
    // The same numbers as `cpaInto` on the two motions (and so as `cpa()`), less the bearing.
    cpaUnits(out, units, 0, this.lon[i]!, CPA_UNIT_LENGTH, this.lon[j]!);
    const cpaNm = out[CPA_NM]!;
    const tcpaMin = out[TCPA_MIN]!;
    const rangeNm = out[RANGE_NM]!;
    const a = i * STRIDE;
    const b = j * STRIDE;
    const altA = d[a + D_ALT]!;
    const altB = d[b + D_ALT]!;
    // As `cpa()` gives it; NaN when an altitude is unknown.
    const vCpa = air ? verticalSeparation(altA, d[a + D_VS]!, altB, d[b + D_VS]!, tcpaMin) : NaN;
    const vNow = Math.abs(altB - altA);
    const levels = ls.levels;
    for (let k = 0; k < levels.length; k++) {
      const l = levels[k]!;
      // `!(x >= v)`: an unknown (NaN) vertical separation counts as a conflict.
      const met =
        (tcpaMin >= 0 && tcpaMin <= l.w && cpaNm < l.t && !(vCpa >= l.v)) ||
        (rangeNm < l.t && !(vNow >= l.v));
      if (!met) continue;
      this.hits.push(d[a + D_ID]!, d[b + D_ID]!, air, l.level, cpaNm, tcpaMin, rangeNm, vCpa);
      return;
    }
  }
}

/**
 * Hits as they are found, in flat arrays (no object per hit until the end): track ids a < b,
 * domain and level codes, and the CPA's numbers. `sorted()` builds the `ScreenHit`s in (a, b)
 * order.
 */
class HitList {
  length = 0;
  private readonly mem: Mem;
  private a: Float64Array;
  private b: Float64Array;
  /** Bit 0: air; bit 1: caution (else danger). */
  private code: Uint8Array;
  /** cpa, tcpa, range, vsep (NaN: none) per hit. */
  private num: Float64Array;

  constructor(mem: Mem) {
    this.mem = mem;
    this.a = mem.f64('hitA', 64);
    this.b = mem.f64('hitB', 64);
    this.code = mem.u8('hitCode', 64);
    this.num = mem.f64('hitNum', 4 * 64);
  }

  push(
    a: number,
    b: number,
    air: boolean,
    level: Level,
    cpaNm: number,
    tcpaMin: number,
    rangeNm: number,
    vsepFt: number,
  ): void {
    const k = this.length;
    if (k === this.a.length) this.grow();
    this.a[k] = a;
    this.b[k] = b;
    this.code[k] = (air ? 1 : 0) | (level === 'caution' ? 2 : 0);
    const o = 4 * k;
    this.num[o] = cpaNm;
    this.num[o + 1] = tcpaMin;
    this.num[o + 2] = rangeNm;
    this.num[o + 3] = vsepFt;
    this.length = k + 1;
  }

  /** Appends another list's hits (a helper thread's). */
  append(r: PairResult): void {
    for (let k = 0; k < r.length; k++) {
      const o = 4 * k;
      const c = r.code[k]!;
      this.push(
        r.a[k]!,
        r.b[k]!,
        (c & 1) === 1,
        c & 2 ? 'caution' : 'danger',
        r.num[o]!,
        r.num[o + 1]!,
        r.num[o + 2]!,
        r.num[o + 3]!,
      );
    }
  }

  /** The hits' columns, trimmed to the hits (for a helper's answer). */
  columns(): Pick<PairResult, 'length' | 'a' | 'b' | 'code' | 'num'> {
    const m = this.length;
    return {
      length: m,
      a: this.a.slice(0, m),
      b: this.b.slice(0, m),
      code: this.code.slice(0, m),
      num: this.num.slice(0, 4 * m),
    };
  }

  private grow(): void {
    const m = this.a.length * 2;
    // A pooled array may come back as a longer view of the same buffer: `set` copies in place.
    const f = <T extends Float64Array | Uint8Array>(x: T, y: T) => (y.set(x), y);
    const mem = this.mem;
    this.a = f(this.a, mem.f64('hitA', m));
    this.b = f(this.b, mem.f64('hitB', m));
    this.code = f(this.code, mem.u8('hitCode', m));
    this.num = f(this.num, mem.f64('hitNum', 4 * m));
  }

  /** The hits as objects, sorted by (a, b). */
  sorted(): ScreenHit[] {
    const m = this.length;
    const order = sortByPair(this.a, this.b, m, this.mem);
    const out = new Array<ScreenHit>(m);
    for (let r = 0; r < m; r++) {
      const k = order[r]!;
      const c = this.code[k]!;
      const o = 4 * k;
      const air = (c & 1) === 1;
      const hit: ScreenHit = {
        a: this.a[k]!,
        b: this.b[k]!,
        domain: air ? 'air' : 'surface',
        level: c & 2 ? 'caution' : 'danger',
        cpaNm: this.num[o]!,
        tcpaMin: this.num[o + 1]!,
        rangeNm: this.num[o + 2]!,
      };
      const v = this.num[o + 3]!;
      if (air && !Number.isNaN(v)) hit.vsepFt = v;
      out[r] = hit;
    }
    return out;
  }
}

/**
 * Writes track r's record of derived terms into `d` (see the `D_*` offsets) from its position
 * at `now`, speed, course (cos, sin), vertical rate and id.
 */
function prepare(
  d: Float64Array,
  r: number,
  lat: number,
  lon: number,
  alt: number,
  sog: number,
  cosC: number,
  sinC: number,
  vs: number,
  id: number,
): void {
  const phi = lat * RAD;
  const sin = Math.sin(phi);
  const cos = Math.cos(phi);
  // Radii and rates for the rejects' bounds (products where they can be: divisions dominate).
  const w = 1 - WGS84_E2 * sin * sin;
  const iw = 1 / w;
  const sw = Math.sqrt(w);
  const nn = WGS84_A * sw * iw;
  const mm = nn * (1 - WGS84_E2) * iw;
  const v = sog * KN;
  const vn = v * cosC;
  const ve = v * sinC;
  const o = r * STRIDE;
  d[o + D_PHI] = phi;
  d[o + D_LAM] = lon * RAD;
  d[o + D_KK] = nn * cos;
  d[o + D_MM] = mm;
  d[o + D_LR] = (ve * sw) / (WGS84_A * cos);
  d[o + D_PR] = vn * w * sw * INV_AM;
  d[o + D_SPD] = v;
  d[o + D_AVN] = Math.abs(vn) * INV_M_MIN;
  d[o + D_SIN] = sin;
  d[o + D_COS] = cos;
  d[o + D_ALT] = alt;
  d[o + D_VS] = vs;
  d[o + D_ID] = id;
  d[o + D_VN] = vn;
  d[o + D_VE] = ve;
}

/**
 * Each slot's place in the order of a 256 × 256 grid over the reported positions (row by row; a
 * counting sort, stable): neighbours on the sea end up near each other in memory.
 */
function spatialRank(set: TrackSet, mem: Mem): Int32Array {
  const { lat, lon, size: n } = set;
  let y0 = Infinity;
  let y1 = -Infinity;
  let x0 = Infinity;
  let x1 = -Infinity;
  for (let s = 0; s < n; s++) {
    const y = lat[s]!;
    const x = lon[s]!;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
  }
  const fy = 255.999 / Math.max(y1 - y0, 1e-9);
  const fx = 255.999 / Math.max(x1 - x0, 1e-9);
  const key = mem.i32('spatialKey', n);
  const count = mem.i32('spatialCount', 65537).fill(0);
  for (let s = 0; s < n; s++) {
    const k = (Math.floor((lat[s]! - y0) * fy) << 8) | Math.floor((lon[s]! - x0) * fx);
    key[s] = k;
    count[k + 1]!++;
  }
  for (let k = 0; k < 65536; k++) count[k + 1]! += count[k]!;
  const rank = mem.i32('rank', n);
  for (let s = 0; s < n; s++) rank[s] = count[key[s]!]!++;
  return rank;
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
function slicedBoxes(plan: Plan, g: Geometry, sliceMin: number): SlicedBoxes[] {
  // The full screen's plan has the latitude terms (`g`): the longitude terms are done track by
  // track below, each just before its boxes.
  const { n, boxW, dom, mem } = plan;
  const wMax = Math.max(boxW[0]!, boxW[1]!);
  const slices = Math.max(1, Math.ceil(wMax / sliceMin));
  const out: SlicedBoxes[] = [];
  for (let k = 0; k < slices; k++)
    out.push({
      count: 0,
      box: mem.f64(`slice${k}box`, 8 * n),
      owner: mem.i32(`slice${k}owner`, 2 * n),
      hmax: g.hmax,
      rho: g.rho,
      first: mem.i32(`first${k}`, n + 1),
      split: false,
    });
  // Pieces per domain.
  const pieces = [0, 1].map((d) => Math.max(1, Math.ceil(boxW[d]! / sliceMin)));
  const one = out[0]!;
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < slices; k++) out[k]!.first[s] = out[k]!.count;
    if (Number.isNaN(g.latLo[s]!)) continue;
    lonTerm(g, s, 0);
    const w = boxW[dom[s]!]!;
    const kk = pieces[dom[s]!]!;
    if (kk === 1) {
      emit(g, s, s, 0, 1, one);
      continue;
    }
    for (let k = 0; k < kk; k++) {
      const t0 = k * sliceMin;
      const t1 = k === kk - 1 ? w : (k + 1) * sliceMin;
      emit(g, s, s, t0 / w, t1 / w, out[k]!);
    }
  }
  for (let k = 0; k < slices; k++) {
    const b = out[k]!;
    b.first[n] = b.count;
    for (let s = 0; s < n && !b.split; s++) if (b.first[s + 1]! - b.first[s]! > 1) b.split = true;
  }
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
  /** East sweep (m) and half the threshold with the slack (m), for `lonTerms`. */
  east: Float64Array;
  half: Float64Array;
  hmax: number;
  rho: number;
  lat: Float64Array;
  lon: Float64Array;
}

function newGeometry(mem: Mem, m: number, lat: Float64Array, lon: Float64Array): Geometry {
  return {
    m,
    latLo: mem.f64('geoLatLo', m),
    latHi: mem.f64('geoLatHi', m),
    dn: mem.f64('geoDn', m),
    sw: mem.f64('geoSw', m),
    padLat: mem.f64('geoPadLat', m),
    padLon: mem.f64('geoPadLon', m),
    east: mem.f64('geoEast', m),
    half: mem.f64('geoHalf', m),
    hmax: 0,
    rho: 0,
    lat,
    lon,
  };
}

function geometry(
  plan: Plan,
  extraMin: number,
  reportLat: Float64Array | undefined,
  slots: ArrayLike<number> | undefined,
  floor: { hmax: number; rho: number } | undefined,
): Geometry {
  const m = slots ? slots.length : plan.n;
  const g = newGeometry(plan.mem, m, plan.lat, plan.lon);
  g.hmax = floor?.hmax ?? 0;
  const { lat, boxW, boxE, sog, cosC, sinC, dom } = plan;
  let rho = floor?.rho ?? 0;
  for (let k = 0; k < m; k++) {
    const s = slots ? slots[k]! : k;
    if (!plan.active(s)) continue;
    const r = (sog[s]! * KN * (boxW[dom[s]!]! + extraMin) * SAFETY) / M_MIN;
    if (r > rho) rho = r;
  }
  g.rho = rho;
  const cN = 0.011 * rho;
  for (let k = 0; k < m; k++) {
    const s = slots ? slots[k]! : k;
    if (!plan.active(s)) {
      g.latLo[k] = NaN;
      continue;
    }
    const d = dom[s]!;
    const e = boxE[d]! * NM_M * SAFETY + PAD_M;
    latTerms(g, k, lat[s]!, sog[s]!, cosC[s]!, sinC[s]!, boxW[d]! + extraMin, e, cN);
  }
  lonTerms(g, reportLat, slots);
  return g;
}

/**
 * The latitude range of item k's box (a track at `lat`, `sog` knots along a course of cosine
 * `cosC` and sine `sinC`, over `w` minutes, widened by `e` metres), and its sweeps; grows
 * `g.hmax`. `cN` is 0.011 · g.rho (see `sweptBoxes`).
 */
function latTerms(
  g: Geometry,
  k: number,
  lat: number,
  sog: number,
  cosC: number,
  sinC: number,
  w: number,
  e: number,
  cN: number,
): void {
  const reach = sog * w * REACH;
  const dn = reach * cosC * INV_M_MIN; // radians
  const pad = (e * INV_M_MIN + cN * Math.abs(dn)) / (1 - cN);
  // min(0, dn) and max(0, dn), exactly, without branches (north or south is hard to predict).
  const adn = Math.abs(dn);
  let lo = lat + (0.5 * (dn - adn) - pad) * DEG;
  let hi = lat + (0.5 * (dn + adn) + pad) * DEG;
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
  g.east[k] = reach * sinC; // metres
  g.half[k] = e;
  if (hi - lo > g.hmax) g.hmax = hi - lo;
}

/** The longitude widening and sweep of every active item, once `g.hmax` is known. */
function lonTerms(
  g: Geometry,
  reportLat: Float64Array | undefined,
  slots: ArrayLike<number> | undefined,
): void {
  for (let k = 0; k < g.m; k++)
    if (!Number.isNaN(g.latLo[k]!))
      lonTerm(g, k, reportLat ? Math.abs(reportLat[slots ? slots[k]! : k]!) : 0);
}

/**
 * The longitude widening and sweep of active item k (see `sweptBoxes`); `farDeg`: a latitude
 * (degrees, ≥ 0) the scale must also hold at.
 */
function lonTerm(g: Geometry, k: number, farDeg: number): void {
  const { hmax, rho } = g;
  const far = Math.max(Math.abs(g.latLo[k]! - hmax), Math.abs(g.latHi[k]! + hmax), farDeg) * RAD;
  const cE = far < POLAR_BOX ? tanUp(far) * rho * SAFETY + 0.011 * rho : 1;
  g.padLon[k] = NaN;
  if (cE < 0.5) {
    const k1 = 1 / (N_MIN * cosDown(far)); // radians per metre east
    const sw = g.east[k]! * k1;
    const pad = (g.half[k]! * k1 + cE * Math.abs(sw)) / (1 - cE);
    if (Math.abs(sw) + 2 * pad < 2 * Math.PI) {
      g.sw[k] = sw;
      g.padLon[k] = pad;
    }
  }
}

function newBoxes(m: number, g: Geometry, mem: Mem = FRESH, key = ''): Boxes {
  return {
    count: 0,
    box: mem.f64(`${key}box`, 8 * m),
    owner: mem.i32(`${key}owner`, 2 * m),
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
    // The smaller and larger of dn·f0 and dn·f1 without branches; within an ulp, which the
    // widening's slack covers.
    const a = dn * f0;
    const b = dn * f1;
    const h = 0.5 * Math.abs(a - b);
    la0 = g.lat[s]! + (0.5 * (a + b) - h - pl) * DEG;
    la1 = g.lat[s]! + (0.5 * (a + b) + h + pl) * DEG;
  }
  const pad = g.padLon[k]!;
  if (Number.isNaN(pad)) {
    putBox(out, s, -180, 180, la0, la1);
    return;
  }
  const sw = g.sw[k]!;
  const a = sw * f0;
  const b = sw * f1;
  const h = 0.5 * Math.abs(a - b);
  const lo = g.lon[s]! + (0.5 * (a + b) - h - pad) * DEG;
  const hi = g.lon[s]! + (0.5 * (a + b) + h + pad) * DEG;
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

/**
 * Indices 0…m−1 in (a, b) order. When the a ids span less than 2^32 (they do for MMSIs and
 * ICAO addresses), a two-pass radix sort on a − min(a) (a comparator sort of tens of thousands
 * of entries costs as much as a tenth of a screen), then each run of equal a by b (runs are
 * short: one track's partners); else a comparator sort.
 */
function sortByPair(a: Float64Array, b: Float64Array, m: number, mem: Mem): Int32Array {
  const order = mem.i32('sortOrder', m);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m; i++) {
    const x = a[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (m < 64 || !(hi - lo < 2 ** 32)) {
    for (let i = 0; i < m; i++) order[i] = i;
    order.sort((x, y) => a[x]! - a[y]! || b[x]! - b[y]!);
    return order;
  }
  const key = mem.i32('sortKey', m);
  for (let i = 0; i < m; i++) key[i] = (a[i]! - lo) | 0;
  const tmp = mem.i32('sortTmp', m);
  const count = mem.i32('sortCount', 0x10001).fill(0);
  for (let i = 0; i < m; i++) count[(key[i]! & 0xffff) + 1]!++;
  for (let c = 0; c < 0x10000; c++) count[c + 1]! += count[c]!;
  for (let i = 0; i < m; i++) tmp[count[key[i]! & 0xffff]!++] = i;
  count.fill(0);
  for (let i = 0; i < m; i++) count[(key[i]! >>> 16) + 1]!++;
  for (let c = 0; c < 0x10000; c++) count[c + 1]! += count[c]!;
  for (let r = 0; r < m; r++) {
    const i = tmp[r]!;
    order[count[key[i]! >>> 16]!++] = i;
  }
  for (let r = 0; r < m;) {
    const ar = a[order[r]!]!;
    let e = r + 1;
    while (e < m && a[order[e]!] === ar) e++;
    for (let i = r + 1; i < e; i++) {
      const h = order[i]!;
      const bh = b[h]!;
      let j = i - 1;
      while (j >= r && b[order[j]!]! > bh) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = h;
    }
    r = e;
  }
  return order;
}

/** Counters of one screen, for benchmarks and tests. */
export interface ScreenStats {
  /** Pairs whose swept boxes overlap (the naive screen: every pair). */
  candidates: number;
  /** Pairs that survived the rejects and reached the exact CPA. */
  cpaCalls: number;
  /** Of the candidates, those a helper thread judged (`ScreenOptions.threads`). */
  helped?: number;
}

/**
 * A helper thread's part of slice `job.k`: the same pair search and pair test as `screen`, on
 * the chunks of cells `claim` hands out (−1: none left), into hits of its own. @internal
 */
export function judgeShare(job: PairJob, claim: () => number): PairResult {
  const plan = Plan.view(job);
  const slices: SlicedBoxes[] = job.slices.map((b) => ({
    count: b.count,
    box: b.box,
    owner: new Int32Array(0),
    hmax: 0,
    rho: 0,
    first: b.first,
    split: b.split,
  }));
  const grid: Grid = { cells: job.cells, start: job.start, eBox: job.eBox, eOwner: job.eOwner };
  let met = 0;
  for (let c = claim(); c >= 0; c = claim())
    met += joinSlice(plan, slices, job.k, grid, c, Math.min(job.cells, c + PAIR_CHUNK));
  return { id: job.id, ...plan.hits.columns(), cpaCalls: plan.cpaCalls, met };
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
  const pooled = !POOL.busy;
  POOL.busy = true;
  try {
    const plan = new Plan(set, opts, undefined, undefined, 'spatial', pooled ? POOL : FRESH);
    const slices = slicedBoxes(plan, plan.geo!, SLICE_MIN);
    // A helper thread reads the pool's shared arrays: not for a screen on fresh arrays.
    const threads = pooled ? opts.threads : undefined;
    let candidates = 0;
    let helped = 0;
    for (let k = 0; k < slices.length; k++) {
      const grid = buildGrid(slices[k]!, plan.gridParty!, 3 * plan.np, plan.mem);
      if (!threads?.wants(plan.n)) {
        candidates += joinSlice(plan, slices, k, grid, 0, grid.cells);
        continue;
      }
      const before = { hits: plan.hits.length, cpaCalls: plan.cpaCalls };
      let mine = 0;
      threads.offer(plan.job(set, slices, k, grid));
      try {
        for (let c = threads.claim(); c >= 0; c = threads.claim())
          mine += joinSlice(plan, slices, k, grid, c, Math.min(grid.cells, c + PAIR_CHUNK));
      } catch (err) {
        // Settle the job (waiting for the helper if it took part) before reporting this error.
        try {
          threads.finish();
        } catch {
          // The screen's own error is the one to report.
        }
        throw err;
      }
      let share: PairResult | undefined;
      try {
        share = threads.finish();
      } catch {
        // The helper took part and failed (it tells its owner why): which chunks it judged is
        // unknown, so this thread judges the whole slice again.
        plan.hits.length = before.hits;
        plan.cpaCalls = before.cpaCalls;
        mine = joinSlice(plan, slices, k, grid, 0, grid.cells);
      }
      candidates += mine;
      if (share) {
        plan.hits.append(share);
        plan.cpaCalls += share.cpaCalls;
        candidates += share.met;
        helped += share.met;
      }
    }
    if (stats) {
      stats.candidates = candidates;
      stats.cpaCalls = plan.cpaCalls;
      stats.helped = helped;
    }
    const hits = plan.hits.sorted();
    return hits;
  } finally {
    if (pooled) POOL.busy = false;
  }
}

/**
 * Judges every pair of tracks whose boxes meet in slice k in cells `c0 … c1−1`, once; returns
 * how many. A pair of boxes
 * sharing cells is judged only in the cell holding the lower-left corner of their intersection:
 * the cell where the later-starting box starts in x and the later-starting box starts in y. So a
 * box's entry in a cell is grouped by whether the box starts in that cell's column and row
 * (`Grid`), and each entry is paired only with the groups that complete the corner: no pair is
 * looked at twice, and only screened party pairs are walked, along flat arrays.
 */
function joinSlice(
  plan: Plan,
  slices: SlicedBoxes[],
  k: number,
  g: Grid,
  c0: number,
  c1: number,
): number {
  const table = plan.gridTable!;
  const np = 3 * plan.np;
  const { start, eBox, eOwner } = g;
  // With one slice and one piece per track (no box split at the antimeridian) every meeting is
  // a first meeting of two different tracks.
  const plain = slices.length === 1 && !slices[0]!.split;
  let met = 0;
  for (let c = c0; c < c1; c++) {
    const base = c * np * 4;
    if (start[base + np * 4]! - start[base]! < 2) continue;
    for (let p = 0; p < np; p++) {
      const bp = base + 4 * p;
      if (start[bp]! === start[bp + 4]!) continue;
      for (let q = p; q < np; q++) {
        const rule = table[p * np + q]!;
        if (rule < 0) continue;
        const bq = base + 4 * q;
        if (start[bq]! === start[bq + 4]!) continue;
        for (let ga = 0; ga < 4; ga++) {
          const i1 = start[bp + ga + 1]!;
          const jLo = start[bq + GROUP_LO[ga]!]!;
          const jHi = start[bq + GROUP_HI[ga]! + 1]!;
          for (let i = start[bp + ga]!; i < i1; i++) {
            const s = eOwner[i]!;
            const o = 4 * i;
            const ax0 = eBox[o]!;
            const ay0 = eBox[o + 1]!;
            const ax1 = eBox[o + 2]!;
            const ay1 = eBox[o + 3]!;
            for (let j = q === p && jLo <= i ? i + 1 : jLo; j < jHi; j++) {
              const u = 4 * j;
              const bx0 = eBox[u]!;
              const by0 = eBox[u + 1]!;
              // One branch on the four tests, not four (the outcome is hard to predict).
              if (+(bx0 > ax1) | +(by0 > ay1) | +(eBox[u + 2]! < ax0) | +(eBox[u + 3]! < ay0))
                continue;
              const t = eOwner[j]!;
              if (!plain && (t === s || !firstMeeting(slices, k, s, t, ax0, ay0, bx0, by0)))
                continue;
              met++;
              plan.judgeRule(s, t, rule);
            }
          }
        }
      }
    }
  }
  return met;
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

/** `first[s]…first[s+1]−1` are slot s's pieces; `split`: some slot has more than one. */
type SlicedBoxes = Boxes & { first: Int32Array; split: boolean };

/** Minutes per time slice of the full screen's boxes. */
const SLICE_MIN = 30;

/**
 * A uniform grid over boxes, entries in (cell, party, group) order: the boxes of dense party p in
 * cell c whose group is g are entries `start[(c·np + p)·4 + g] … start[(c·np + p)·4 + g + 1]−1`,
 * each a copy of the box (`eBox`) and its track (`eOwner`); a box touching several cells has an
 * entry in each. The group says whether the box starts in the cell's column (x) and row (y), in
 * the order x only, both, y only, neither: then the groups an entry must be paired with to hold
 * the corner of an intersection (`joinSlice`) are contiguous, `GROUP_LO[g] … GROUP_HI[g]`. The
 * cell is twice the boxes' mean size, grown until there are at most about four cells per box.
 */
interface Grid {
  cells: number;
  start: Int32Array;
  eBox: Float64Array;
  eOwner: Int32Array;
}

/** Group of an entry from its flags (bit 0: starts in the column, bit 1: in the row). */
const GROUP_OF = [3, 0, 2, 1];
/** Partner groups of group g: those whose flags complete both bits (x only: both, y only). */
const GROUP_LO = [1, 0, 0, 1];
const GROUP_HI = [2, 3, 1, 1];

function cellOf(v: number, v0: number, inv: number, nv: number): number {
  const c = Math.floor((v - v0) * inv);
  return c < 0 ? 0 : c >= nv ? nv - 1 : c;
}

function buildGrid(b: Boxes, pd: Int32Array, np: number, mem: Mem): Grid {
  const { box, count, owner } = b;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let size = 0;
  let sized = 0;
  for (let k = 0; k < count; k++) {
    const o = 4 * k;
    const bx0 = box[o]!;
    const by0 = box[o + 1]!;
    const bx1 = box[o + 2]!;
    const by1 = box[o + 3]!;
    if (bx0 < x0) x0 = bx0;
    if (by0 < y0) y0 = by0;
    if (bx1 > x1) x1 = bx1;
    if (by1 > y1) y1 = by1;
    const w = bx1 - bx0;
    if (w < 359) {
      const h = by1 - by0;
      size += w > h ? w : h;
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
  const keys = nx * ny * np * 4;
  const start = mem.i32('gridStart', keys + 1).fill(0);
  const range = mem.i32('gridRange', 4 * count);
  let total = 0;
  for (let k = 0; k < count; k++) {
    const o = 4 * k;
    const p4 = 4 * pd[owner[k]!]!;
    const cx0 = (range[o] = cellOf(box[o]!, x0, inv, nx));
    const cy0 = (range[o + 1] = cellOf(box[o + 1]!, y0, inv, ny));
    const cx1 = (range[o + 2] = cellOf(box[o + 2]!, x0, inv, nx));
    const cy1 = (range[o + 3] = cellOf(box[o + 3]!, y0, inv, ny));
    for (let cy = cy0; cy <= cy1; cy++) {
      const fy = cy === cy0 ? 2 : 0;
      for (let cx = cx0; cx <= cx1; cx++)
        start[(cy * nx + cx) * np * 4 + p4 + GROUP_OF[(cx === cx0 ? 1 : 0) | fy]! + 1]!++;
    }
    total += (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
  }
  for (let c = 0; c < keys; c++) start[c + 1]! += start[c]!;
  const fill = mem.i32('gridFill', keys);
  fill.set(start.subarray(0, keys));
  const eBox = mem.f64('gridBox', 4 * total);
  const eOwner = mem.i32('gridOwner', total);
  for (let k = 0; k < count; k++) {
    const o = 4 * k;
    const s = owner[k]!;
    const p4 = 4 * pd[s]!;
    const bx0 = box[o]!;
    const by0 = box[o + 1]!;
    const bx1 = box[o + 2]!;
    const by1 = box[o + 3]!;
    const cx0 = range[o]!;
    const cy0 = range[o + 1]!;
    for (let cy = cy0; cy <= range[o + 3]!; cy++) {
      const fy = cy === cy0 ? 2 : 0;
      for (let cx = cx0; cx <= range[o + 2]!; cx++) {
        const e = fill[(cy * nx + cx) * np * 4 + p4 + GROUP_OF[(cx === cx0 ? 1 : 0) | fy]!]!++;
        eBox[4 * e] = bx0;
        eBox[4 * e + 1] = by0;
        eBox[4 * e + 2] = bx1;
        eBox[4 * e + 3] = by1;
        eOwner[e] = s;
      }
    }
  }
  return { cells: nx * ny, start, eBox, eOwner };
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
  return plan.hits.sorted();
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
    return plan.hits.sorted();
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
