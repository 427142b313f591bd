/**
 * Closest point of approach (CPA) of two units holding course and speed, on the WGS84 ellipsoid.
 *
 * Model. Constant course and speed is a rhumb line (loxodrome). WGS84 per NIMA TR8350.2:
 * a = 6 378 137 m, f = 1/298.257223563. Along a rhumb line of course θ at speed v:
 * - the meridian arc m grows at v·cos θ;
 * - the isometric latitude ψ = atanh(sin φ) − e·atanh(e·sin φ) grows at v·cos θ / (N cos φ);
 * - so Δλ = tan θ · Δψ (C. F. F. Karney, "The area of rhumb polygons", 2023).
 * M = a(1−e²)/W³ and N = a/W, with W = √(1 − e² sin²φ), are the meridian and prime-vertical radii
 * of curvature.
 *
 * Method (fast; no allocation in `cpaInto`):
 * 1. Each unit is propagated along its rhumb line in closed form. Latitude comes from the meridian
 *    arc, inverted with M at the mid-path latitude. Longitude comes from Δλ = (v_east/v_north)·Δψ, or,
 *    for nearly east–west motion, from v_east·t / (N cos φ) at the mid-path latitude.
 * 2. The separation at time t is measured in the local tangent plane at the pair's mid-latitude φ̄:
 *    east = N(φ̄) cos φ̄ · Δλ, with Δλ taken the short way across the antimeridian, and
 *    north = M(φ̄) · Δφ. This mid-latitude distance differs from the geodesic distance by
 *    O((d/R)² tan² φ̄): at most 2.5e-5 of d (2.3 m) for d = 50 nm at 60°.
 * 3. The first step is the straight relative-motion CPA in that plane, t₁ = −(r·ṙ)/|ṙ|². Here ṙ is
 *    the instantaneous rate of the separation, meridian convergence included.
 * 4. Secant steps on r·ṙ = 0 follow, re-propagating both rhumb lines each time (usually one or
 *    two). The last step, once below 0.1 min, is extrapolated linearly.
 * Cost: about a quarter of a microsecond a pair. Δψ is taken as atanh of a small argument by a
 * short series (`isometricChange`), sin and cos of the mid-latitude come from the units' own,
 * and the per-unit terms (`cpaUnit`) can be computed once per unit and reused for many pairs
 * (`cpaUnits`, the screen's entry): the same numbers as `cpaInto`, bit for bit.
 *
 * Why step 4: a rhumb line is not straight in any fixed tangent plane. At latitude φ, an east–west
 * separation changes by tan φ · Δφ as the pair moves north or south, because meridians converge.
 * At 60° that is 1.7 % per 35 nm of northing, 17 times the 0.1 % error budget.
 *
 * `packages/geo/test/cpa.test.ts` checks the method against a slow reference: exact rhumb
 * propagation, GeographicLib geodesic distance, and minimisation over time. Over 1500 seeded pairs:
 * - step 3 alone misses by up to 70 m (0.26 % of the range), 2.6 times the budget;
 * - the refined answer misses by at most 2.4 m (2.5e-5 of the range), most of it the mid-latitude
 *   distance itself, with tcpa within 0.01 min.
 *
 * Error bound (the property test checks it): |cpa − cpa_ref| ≤ max(0.001 × range, 10 m) for
 * ranges ≤ 50 nm, speeds ≤ 35 kn, |tcpa| ≤ 60 min and latitudes ≤ 60°, across the antimeridian
 * too. The current range is within 1e-4 of the geodesic distance, and the bearing, the geodesic
 * azimuth at a, is within 0.01°.
 *
 * Limits:
 * - The answer is valid for separations up to about 50–100 nm and latitudes up to about 70°.
 * - Near the poles the tangent plane breaks down. Latitudes are clamped to ±89.99°, so the numbers
 *   stay finite but mean little.
 * - Refinement runs only when the first step gives |tcpa| ≤ 240 min. Beyond that, and for
 *   refinement that leaves the window, the straight-line answer is returned, as an indication only.
 * - Parallel tracks at equal speed (relative speed below 1e-6 kn) give tcpa = 0 and cpa = the
 *   current range, by definition. On a real ellipsoid such a pair still drifts slowly with
 *   meridian convergence.
 */
import { ParleyError } from '@parley/core';
import type { Cpa, Motion } from './motion.js';

/** WGS84 semi-major axis, metres (NIMA TR8350.2, table 3.1). */
const A = 6_378_137;
/** WGS84 flattening. */
const F = 1 / 298.257223563;
/** First eccentricity squared, e² = f(2 − f). */
const E2 = F * (2 - F);
/** First eccentricity. */
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;
/** The international nautical mile, metres. */
const NM = 1852;
/** One knot in metres per minute (the working units are metres and minutes). */
const KN = NM / 60;
/** Working latitudes are clamped here: the plane has no meaning at the pole itself. */
const LAT_LIMIT = 89.99 * RAD;
/** Below this relative speed (knots), tracks count as parallel at equal speed. */
const PARALLEL_KN = 1e-6;
/** Refinement runs only when the straight-line tcpa is within this many minutes. */
const REFINE_MAX_MIN = 240;
/**
 * Secant iterations stop when the next step is below this many minutes. The last step is then
 * taken by linear extrapolation from the last evaluated time. Its error is ½|r̈|δ²: a few
 * centimetres for δ = 0.1 min and |r̈| ≈ 1 nm/h², the meridian-convergence acceleration at 60° and
 * 35 kn.
 */
const STEP_TOL_MIN = 0.1;
const MAX_ITER = 12;
/** Below this latitude change (radians), Δλ uses the mid-path parallel radius, not Δψ. */
const DPHI_SMALL = 1e-4;

/** Slots of the `out` array filled by `cpaInto`. */
export const CPA_NM = 0;
export const TCPA_MIN = 1;
export const RANGE_NM = 2;
export const BEARING_DEG = 3;
/** Length of the `out` array `cpaInto` needs. */
export const CPA_OUT_LENGTH = 4;

// Per-unit state, two units × 8 slots (see `cpaUnit`): φ0, v_north, v_east (m/min), sin φ0,
// 1/M(φ0), N(φ0) cos φ0, cos φ0, v_east/v_north.
const U = new Float64Array(16);
// Propagated state, two units × 6 slots: φ(t), λ(t) − λ0, dφ/dt, dλ/dt (radians, per minute),
// sin φ(t), cos φ(t).
const P = new Float64Array(12);
// The pair at the last evaluated time: r·ṙ (m²/min), |ṙ|² (m²/min²), |r|² (m²).
const R = new Float64Array(3);
// Scratch output of `cpa`.
const OUT = new Float64Array(CPA_OUT_LENGTH);

function clampLat(phi: number): number {
  return phi > LAT_LIMIT ? LAT_LIMIT : phi < -LAT_LIMIT ? -LAT_LIMIT : phi;
}

/** 1 / (a(1 − e²)): M(φ) = a(1 − e²)/W³, so 1/M(φ) = W³ · INV_AM, a product, not a quotient. */
const INV_AM = 1 / (A * (1 - E2));

/** Meridian radius of curvature M(φ), metres. */
function meridianRadius(phi: number): number {
  const s = Math.sin(phi);
  const w = 1 - E2 * s * s;
  return (A * (1 - E2)) / (w * Math.sqrt(w));
}

/** Radius of the parallel N(φ)·cos φ, metres. */
function parallelRadius(phi: number): number {
  const s = Math.sin(phi);
  return (A * Math.cos(phi)) / Math.sqrt(1 - E2 * s * s);
}

/**
 * atanh(x) for the small arguments of `isometricChange`: the series to x¹¹ below 2⁻⁵ (relative
 * error under 1e-17), else `Math.atanh`.
 */
function atanhSmall(x: number): number {
  if (!(Math.abs(x) < 0.03125)) return Math.atanh(x);
  const x2 = x * x;
  return x + x * x2 * (1 / 3 + x2 * (1 / 5 + x2 * (1 / 7 + x2 * (1 / 9 + x2 / 11))));
}

/**
 * ψ(φ) − ψ(φ0) from s = sin φ and s0 = sin φ0, where ψ = atanh(sin φ) − e·atanh(e·sin φ) is the
 * isometric latitude. By atanh a − atanh b = atanh((a − b)/(1 − ab)) the two differences become
 * atanh of small arguments, which a short series gives: four `Math.atanh` calls per step of
 * the CPA were a third of its time.
 */
function isometricChange(s: number, s0: number): number {
  const ds = s - s0;
  return atanhSmall(ds / (1 - s * s0)) - E * atanhSmall((E * ds) / (1 - E2 * s * s0));
}

/** Length of one unit's record written by `cpaUnit`. */
export const CPA_UNIT_LENGTH = 8;

/**
 * Writes one unit's per-unit terms into `st[o … o+7]`: φ0 (clamped, radians), v_north and v_east
 * (m/min), sin φ0, 1/M(φ0), N(φ0) cos φ0, cos φ0 and v_east/v_north (one 64-byte record). `cpaInto` computes these for both units of every pair;
 * a caller screening many pairs computes them once per unit and calls `cpaUnits` (same numbers).
 * @internal
 */
export function cpaUnit(
  st: Float64Array,
  o: number,
  latDeg: number,
  sogKn: number,
  cogDeg: number,
): void {
  const phi = clampLat(latDeg * RAD);
  const c = cogDeg * RAD;
  cpaUnitOf(
    st,
    o,
    phi,
    Math.sin(phi),
    Math.cos(phi),
    sogKn * KN * Math.cos(c),
    sogKn * KN * Math.sin(c),
  );
}

/** Latitudes beyond this (radians) are clamped to it by `cpaUnit`. @internal */
export const CPA_LAT_LIMIT = LAT_LIMIT;

/**
 * `cpaUnit` from the latitude φ (radians, |φ| ≤ `CPA_LAT_LIMIT`), its sine and cosine and the
 * north and east speeds (m/min) as `cpaUnit` computes them (sog · (1852/60) · cos and sin of the
 * course), for a caller that has them already. @internal
 */
export function cpaUnitOf(
  st: Float64Array,
  o: number,
  phi: number,
  s: number,
  c0: number,
  vn: number,
  ve: number,
): void {
  const w = 1 - E2 * s * s;
  const sw = Math.sqrt(w);
  st[o] = phi;
  st[o + 1] = vn;
  st[o + 2] = ve;
  st[o + 3] = s;
  st[o + 4] = w * sw * INV_AM; // 1 / meridianRadius(φ0)
  st[o + 5] = (A * c0) / sw; // parallelRadius(φ0)
  st[o + 6] = c0;
  st[o + 7] = ve / vn; // tan θ (±Infinity or NaN when v_north is 0: then unused)
}

/** Moves unit i along its rhumb line to time t (minutes) and writes its state into P. */
function propagate(i: number, t: number): void {
  const o = 8 * i;
  const p = 6 * i;
  const phi0 = U[o]!;
  const vn = U[o + 1]!;
  const ve = U[o + 2]!;
  if (t === 0) {
    P[p] = phi0;
    P[p + 1] = 0;
    P[p + 2] = vn * U[o + 4]!;
    P[p + 3] = ve / U[o + 5]!;
    P[p + 4] = U[o + 3]!;
    P[p + 5] = U[o + 6]!;
    return;
  }
  if (vn === 0 && ve === 0) {
    // At rest: what the general case gives, signed zeros included, without its radii.
    P[p] = phi0;
    P[p + 1] = ve * t;
    P[p + 2] = vn;
    P[p + 3] = ve;
    P[p + 4] = U[o + 3]!;
    P[p + 5] = U[o + 6]!;
    return;
  }
  const dm = vn * t; // meridian arc travelled: exact along a rhumb line
  // Invert the meridian arc with M at the mid-path latitude (error O(Δφ³·e²)).
  const guess = phi0 + dm * U[o + 4]!;
  const sm = Math.sin(clampLat(0.5 * (phi0 + guess)));
  const wm = 1 - E2 * sm * sm;
  const phi = clampLat(phi0 + dm * (wm * Math.sqrt(wm) * INV_AM));
  const dphi = phi - phi0;
  // sin φ once for Δψ, M(φ) and the parallel radius; cos φ from it (|φ| < 90°).
  const s = phi === phi0 ? U[o + 3]! : Math.sin(phi);
  const c = phi === phi0 ? U[o + 6]! : Math.sqrt((1 - s) * (1 + s));
  const w = 1 - E2 * s * s;
  const dlon =
    Math.abs(dphi) > DPHI_SMALL
      ? U[o + 7]! * isometricChange(s, U[o + 3]!) // Δλ = tan θ · Δψ
      : (ve * t) / parallelRadius(0.5 * (phi0 + phi)); // nearly east–west: the mean parallel
  const sw = Math.sqrt(w);
  P[p] = phi;
  P[p + 1] = dlon;
  P[p + 2] = vn * (w * sw * INV_AM);
  P[p + 3] = (ve * sw) / (A * c);
  P[p + 4] = s;
  P[p + 5] = c;
}

/**
 * The pair at time t (minutes), in the tangent plane at its mid-latitude: writes r·ṙ, |ṙ|² and
 * |r|² into R. `dlon0` is the current longitude difference b − a, short way round.
 */
function evaluate(t: number, dlon0: number): void {
  propagate(0, t);
  propagate(1, t);
  const pa = P[0]!;
  const pb = P[6]!;
  const dphi = pb - pa;
  const dlon = dlon0 + P[7]! - P[1]!;
  // sin and cos of the mid-latitude φ̄ = (φa + φb)/2 from those of φa and φb: cos φ̄ is
  // √((1 + cos(φa + φb))/2) (|φ̄| < 90°) and sin φ̄ = sin(φa + φb) / (2 cos φ̄).
  const sa = P[4]!;
  const ca = P[5]!;
  const sb = P[10]!;
  const cb = P[11]!;
  const c = Math.sqrt(0.5 * (1 + (ca * cb - sa * sb)));
  const s = (sa * cb + ca * sb) / (2 * c);
  const iw = 1 / (1 - E2 * s * s); // 1/W²
  const n = A * Math.sqrt(iw); // prime-vertical radius N(φ̄)
  const m = n * (1 - E2) * iw; // meridian radius M(φ̄)
  const k = n * c; // parallel radius
  const east = k * dlon;
  const north = m * dphi;
  const pmDot = 0.5 * (P[2]! + P[8]!);
  // d/dt of k(φ̄)·Δλ and M(φ̄)·Δφ, with dk/dφ = −M sin φ and dM/dφ = 3e²M sin φ cos φ / W².
  const eastDot = k * (P[9]! - P[3]!) - m * s * pmDot * dlon;
  const northDot = m * (P[8]! - P[2]!) + 3 * E2 * m * s * c * iw * pmDot * dphi;
  R[0] = east * eastDot + north * northDot;
  R[1] = eastDot * eastDot + northDot * northDot;
  R[2] = east * east + north * north;
}

/**
 * CPA of two units from plain numbers, for hot loops: no checks and no allocation. Positions are
 * in degrees, `sog` in knots and `cog` in degrees true. It writes `out[CPA_NM]`, `out[TCPA_MIN]`
 * (negative when the closest point is past), `out[RANGE_NM]` and `out[BEARING_DEG]` (a to b,
 * true, 0 ≤ b < 360). Validate inputs first with `parseMotion`.
 * @example const out = new Float64Array(CPA_OUT_LENGTH); cpaInto(out, 10, 114, 12, 0, 10.1, 114, 12, 180);
 */
export function cpaInto(
  out: Float64Array,
  latA: number,
  lonA: number,
  sogA: number,
  cogA: number,
  latB: number,
  lonB: number,
  sogB: number,
  cogB: number,
): void {
  cpaUnit(U, 0, latA, sogA, cogA);
  cpaUnit(U, 8, latB, sogB, cogB);
  solve(out, lonA, lonB, true);
}

/**
 * `cpaInto` for two units whose terms `cpaUnit` wrote at `st[oa…]` and `st[ob…]`, without the
 * bearing (`out[BEARING_DEG]` is left alone): the screen's entry. Same numbers as `cpaInto`.
 * @internal
 */
export function cpaUnits(
  out: Float64Array,
  st: Float64Array,
  oa: number,
  lonA: number,
  ob: number,
  lonB: number,
): void {
  for (let k = 0; k < 8; k++) {
    U[k] = st[oa + k]!;
    U[8 + k] = st[ob + k]!;
  }
  solve(out, lonA, lonB, false);
}

/** The CPA of the two units in U (see the module comment, steps 2–4). */
function solve(out: Float64Array, lonA: number, lonB: number, withBearing: boolean): void {
  let dlon0 = (lonB - lonA) * RAD;
  if (dlon0 > Math.PI) dlon0 -= 2 * Math.PI;
  else if (dlon0 < -Math.PI) dlon0 += 2 * Math.PI;

  // Now: range, and bearing. The mid-latitude bearing is the geodesic azimuth at the midpoint;
  // at a it is smaller by half the meridian convergence Δλ·sin φ̄ (Gauss mid-latitude formulas).
  evaluate(0, dlon0);
  const f0 = R[0]!;
  const q0 = R[1]!;
  const range2 = R[2]!;
  if (withBearing) {
    const pm = 0.5 * (U[0]! + U[8]!);
    const dphi0 = U[8]! - U[0]!;
    let bearing = 0;
    if (range2 > 0) {
      const azMid = Math.atan2(parallelRadius(pm) * dlon0, meridianRadius(pm) * dphi0);
      bearing = (azMid - 0.5 * dlon0 * Math.sin(pm)) * DEG;
      bearing = bearing < 0 ? bearing + 360 : bearing >= 360 ? bearing - 360 : bearing;
      if (bearing >= 360) bearing = 0; // -1e-15 + 360 rounds to 360
    }
    out[BEARING_DEG] = bearing;
  }
  out[RANGE_NM] = Math.sqrt(range2) / NM;

  const dvn = U[9]! - U[1]!;
  const dve = U[10]! - U[2]!;
  if (Math.sqrt(dvn * dvn + dve * dve) < PARALLEL_KN * KN || !(q0 > 0)) {
    out[CPA_NM] = out[RANGE_NM]!;
    out[TCPA_MIN] = 0;
    return;
  }

  // Straight relative motion in the plane at the current mid-latitude.
  const t1 = -f0 / q0 + 0; // + 0 turns −0 into 0
  const straight = Math.sqrt(Math.max(0, range2 - (f0 * f0) / q0)) / NM;
  if (!(Math.abs(t1) <= REFINE_MAX_MIN)) {
    out[CPA_NM] = straight;
    out[TCPA_MIN] = t1;
    return;
  }

  // Secant steps on g(t) = r·ṙ, re-propagating both rhumb lines; Gauss–Newton (−g/|ṙ|²) when the
  // secant slope is not positive. The last, small step is extrapolated: |r + ṙδ|².
  let tPrev = 0;
  let gPrev = f0;
  let t = t1;
  for (let iter = 0; iter < MAX_ITER; iter++) {
    evaluate(t, dlon0);
    const g = R[0]!;
    const q = R[1]!;
    const slope = (g - gPrev) / (t - tPrev);
    const step = slope > 0 ? -g / slope : -g / q;
    if (!Number.isFinite(step)) break;
    if (Math.abs(step) < STEP_TOL_MIN) {
      const tEnd = t + step;
      if (!(Math.abs(tEnd) <= REFINE_MAX_MIN)) break;
      out[CPA_NM] = Math.sqrt(Math.max(0, R[2]! + step * (2 * g + step * q))) / NM;
      out[TCPA_MIN] = tEnd + 0;
      return;
    }
    tPrev = t;
    gPrev = g;
    t += step;
    if (!(Math.abs(t) <= REFINE_MAX_MIN)) break;
  }
  out[CPA_NM] = straight;
  out[TCPA_MIN] = t1;
}

/**
 * Closest point of approach of two units holding course and speed (rhumb lines on WGS84), with
 * the vertical separation at that time when both have an altitude. No input checks: call
 * `parseMotion` at the boundary. See the module comment for the method and its error bound.
 * @example cpa({ lat: 10, lon: 114, sog: 12, cog: 0 }, { lat: 10.1, lon: 114, sog: 12, cog: 180 })
 * // { cpaNm: ≈0, tcpaMin: 14.93…, rangeNm: 5.972…, bearingDeg: 0 }: head-on, 6 nm at 24 kn
 */
export function cpa(a: Motion, b: Motion): Cpa {
  cpaInto(OUT, a.lat, a.lon, a.sog, a.cog, b.lat, b.lon, b.sog, b.cog);
  const tcpaMin = OUT[TCPA_MIN]!;
  const result: Cpa = {
    cpaNm: OUT[CPA_NM]!,
    tcpaMin,
    rangeNm: OUT[RANGE_NM]!,
    bearingDeg: OUT[BEARING_DEG]!,
  };
  if (a.altFt !== undefined && b.altFt !== undefined) {
    result.vsepFt = verticalSeparation(a.altFt, a.vsFpm ?? 0, b.altFt, b.vsFpm ?? 0, tcpaMin);
  }
  return result;
}

/** |altitude b − altitude a| after `tMin` minutes of constant vertical rates (feet, ft/min). */
export function verticalSeparation(
  altA: number,
  vsA: number,
  altB: number,
  vsB: number,
  tMin: number,
): number {
  return Math.abs(altB - altA + (vsB - vsA) * tMin);
}

/** Wire names of the `Motion` fields, for inputs that spell them differently. */
export type MotionKeys = Partial<Readonly<Record<keyof Motion, string>>>;

/** A short, printable rendering of a bad value for an error message. */
function show(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function invalid(field: string, value: unknown, expected: string): ParleyError {
  return new ParleyError(
    'PARLEY_E_INVALID_ARGUMENT',
    `${field} ${show(value)} is not ${expected}`,
    {
      field,
      value,
    },
  );
}

/**
 * Checks an untrusted value and returns it as a `Motion`. It throws `PARLEY_E_INVALID_ARGUMENT`
 * naming the field (as `name.field`) and the bad value when:
 * - the value is not an object, or has an unknown field;
 * - a number is missing, not finite, or a string such as "NaN";
 * - lat is outside −90…90, lon outside −180…180, sog is negative or above 10 000 kn, or cog is
 *   outside 0…360;
 * - altFt or vsFpm is not finite, or vsFpm is given without altFt.
 * `keys` renames fields on the wire, e.g. `{ altFt: 'alt_ft', vsFpm: 'vs_fpm' }`.
 * @example parseMotion(JSON.parse(text).a, 'a', { altFt: 'alt_ft', vsFpm: 'vs_fpm' })
 */
export function parseMotion(value: unknown, name = 'motion', keys: MotionKeys = {}): Motion {
  const wire = (k: keyof Motion): string => keys[k] ?? k;
  const fields = ['lat', 'lon', 'sog', 'cog', 'altFt', 'vsFpm'] as const;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(name, value, `an object {${fields.map(wire).join(', ')}}`);
  }
  const obj = value as Record<string, unknown>;
  const known = new Set(fields.map(wire));
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) throw invalid(`${name}.${key}`, obj[key], 'a known field');
  }
  const num = (k: keyof Motion, min: number, max: number, range: string): number => {
    const v = obj[wire(k)];
    const field = `${name}.${wire(k)}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, v, 'a finite number');
    if (v < min || v > max) throw invalid(field, v, range);
    return v;
  };
  const motion: Motion = {
    lat: num('lat', -90, 90, 'a latitude in −90…90'),
    lon: num('lon', -180, 180, 'a longitude in −180…180'),
    sog: num('sog', 0, 10_000, 'a speed in 0…10000 kn'),
    cog: num('cog', 0, 360, 'a course in 0…360°'),
  };
  const any = Number.MAX_VALUE;
  if (obj[wire('altFt')] !== undefined) motion.altFt = num('altFt', -any, any, '');
  if (obj[wire('vsFpm')] !== undefined) {
    if (motion.altFt === undefined) {
      throw invalid(
        `${name}.${wire('vsFpm')}`,
        obj[wire('vsFpm')],
        `allowed without ${wire('altFt')}`,
      );
    }
    motion.vsFpm = num('vsFpm', -any, any, '');
  }
  return motion;
}
