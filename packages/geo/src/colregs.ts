/**
 * The Rules of the Road (COLREGS 1972, Part B, Section II: Rules 13, 14, 15 and 17) for one pair
 * of surface vessels in sight of one another: which situation the pair is in and which of them
 * gives way. Pure functions of the present geometry; see docs/encounters.md for the rules, the
 * tolerances and the worked cases.
 *
 * Terms, all in degrees:
 * - heading h: the unit's heading when reported, else its course over ground (COG) when it makes
 *   way (sog ≥ `MIN_WAY_KN`); a unit with neither has no known heading and no situation is given;
 * - relative bearing of the other: rb = (true bearing of the other − own heading) mod 360, 0 dead
 *   ahead, 90 starboard beam, 270 port beam;
 * - stern sector: rb in [112.5, 247.5], i.e. 22.5° or more abaft either beam (Rule 13(b); the
 *   boundary counts as abaft, Rule 13(c): "in any doubt … she shall assume that this is the case");
 * - starboard side: rb in (0, 112.5); port side: rb in (247.5, 360); dead ahead: rb = 0.
 *
 * Classification, in this order (the first that holds):
 * 0. no risk of collision (the pair is not closing to a CPA inside a surface level's distance
 *    within its window: 0 < tcpa ≤ withinMin and cpa < cpaNm), either unit not a surface vessel,
 *    or a heading unknown: `null`, no rule applies;
 * 1. overtaking (Rule 13): one unit lies in the other's stern sector: it is overtaking and gives
 *    way (Rule 13(a) applies "notwithstanding" Rules 14 and 15, so it is tested first);
 * 2. head-on (Rule 14): each sees the other within ±`HEAD_ON_DEG` of dead ahead and the headings
 *    differ by 180° ± `HEAD_ON_DEG` (masthead lights in line or nearly, both sidelights): both
 *    give way (each alters to starboard); boundaries inclusive (Rule 14(c), doubt);
 * 3. crossing (Rule 15): one has the other on her starboard side and is herself on the other's
 *    port side or dead ahead of her: she gives way, the other stands on (Rule 17);
 * 4. otherwise (each has the other on her starboard side, or each on her port side: passing
 *    starboard to starboard or port to port on nearly reciprocal courses outside the head-on
 *    tolerance): Rules 13–15 name no give-way vessel; `null` (Rules 2, 7 and 8 still apply).
 */
import type { Cpa, Motion } from './motion.js';
import { DEFAULT_THRESHOLDS } from './screen.js';

/** The situations of Rules 13, 14 and 15. */
export type Situation = 'head-on' | 'crossing' | 'overtaking';
/** Which unit gives way: `a`, `b`, both (head-on), or none named (`null`). */
export type GiveWay = 'a' | 'b' | 'both';

/** Half-width of the head-on tolerance, degrees: bearings within ±6° of dead ahead, headings 180° ± 6°. */
export const HEAD_ON_DEG = 6;
/** The stern sector starts this far from dead ahead: 22.5° abaft the beam (Rule 13(b)). */
export const ABAFT_DEG = 112.5;
/** Below this speed, knots, the course over ground does not stand in for a heading. */
export const MIN_WAY_KN = 0.5;

/** One unit as the rules see it. */
export interface ColregsUnit {
  /** Course over ground, degrees true. */
  cog: number;
  /** Speed over ground, knots. */
  sog: number;
  /** Heading, degrees true, when known (else the COG stands in). */
  heading?: number | null;
  /** False for aircraft: the rules apply to vessels only. */
  surface: boolean;
}

/** The pair's present geometry (as `cpa()` gives it). */
export interface ColregsGeometry {
  /** True bearing from a to b, degrees. */
  bearingDeg: number;
  cpaNm: number;
  tcpaMin: number;
}

/** A distance and window within which a closing pair has a risk of collision. */
export interface RiskLevel {
  cpaNm: number;
  withinMin: number;
}

/** The classification of one pair. */
export interface Colregs {
  situation: Situation | null;
  giveWay: GiveWay | null;
  /** The rule applied (13, 14 or 15), or null. */
  rule: 13 | 14 | 15 | null;
  /** Relative bearing of b from a, and of a from b, degrees [0, 360) (null: heading unknown). */
  relA: number | null;
  relB: number | null;
}

/** x mod 360 in [0, 360). */
export function norm360(x: number): number {
  const r = x % 360;
  const y = r < 0 ? r + 360 : r;
  return y >= 360 ? 0 : y + 0;
}

/** Signed angle in (−180, 180]. */
function signed(x: number): number {
  const y = norm360(x);
  return y > 180 ? y - 360 : y;
}

/** The heading the rules use: the reported heading, else the COG when the unit makes way. */
export function headingOf(u: ColregsUnit): number | null {
  if (u.heading !== undefined && u.heading !== null && Number.isFinite(u.heading))
    return norm360(u.heading);
  return u.sog >= MIN_WAY_KN ? norm360(u.cog) : null;
}

/** Relative bearing, degrees [0, 360), of a target at true bearing `bearing` from a unit heading `heading`. */
export function relativeBearing(bearing: number, heading: number): number {
  return norm360(bearing - heading);
}

/** In the stern sector: 22.5° or more abaft the beam, [112.5, 247.5]. */
export function inSternSector(rb: number): boolean {
  return rb >= ABAFT_DEG && rb <= 360 - ABAFT_DEG;
}

/** On the starboard side, (0, 112.5). */
function onStarboard(rb: number): boolean {
  return rb > 0 && rb < ABAFT_DEG;
}

/** On the port side (247.5, 360), or dead ahead. */
function onPortOrAhead(rb: number): boolean {
  return rb === 0 || rb > 360 - ABAFT_DEG;
}

/**
 * Whether the pair runs a risk of collision: closing (tcpa > 0) to a CPA inside one of `levels`
 * within its window. With the default surface levels: CPA < 2 nm within 30 min.
 */
export function riskOfCollision(g: ColregsGeometry, levels: readonly RiskLevel[]): boolean {
  if (!(g.tcpaMin > 0)) return false;
  return levels.some((l) => g.cpaNm < l.cpaNm && g.tcpaMin <= l.withinMin);
}

const NONE = (relA: number | null, relB: number | null): Colregs => ({
  situation: null,
  giveWay: null,
  rule: null,
  relA,
  relB,
});

/**
 * The situation of two surface vessels under Rules 13–15, and which gives way, from headings and
 * the bearing a → b (b sees a on the reciprocal, bearing + 180). See the module comment.
 * @example classifyEncounter({ cog: 0, sog: 12, surface: true }, { cog: 270, sog: 12, surface: true },
 *   { bearingDeg: 45, cpaNm: 0.1, tcpaMin: 10 }, [{ cpaNm: 2, withinMin: 30 }])
 * // crossing; a has b on her starboard bow and gives way: { situation: 'crossing', giveWay: 'a', rule: 15, … }
 */
export function classifyEncounter(
  a: ColregsUnit,
  b: ColregsUnit,
  g: ColregsGeometry,
  levels: readonly RiskLevel[],
): Colregs {
  const ha = headingOf(a);
  const hb = headingOf(b);
  const relA = ha === null ? null : relativeBearing(g.bearingDeg, ha);
  const relB = hb === null ? null : relativeBearing(g.bearingDeg + 180, hb);
  if (!a.surface || !b.surface || relA === null || relB === null || ha === null || hb === null)
    return NONE(relA, relB);
  if (!riskOfCollision(g, levels)) return NONE(relA, relB);
  // 1. Overtaking: b in a's stern sector means b comes up on a from abaft: b overtakes.
  const bOvertakes = inSternSector(relA);
  const aOvertakes = inSternSector(relB);
  if (aOvertakes !== bOvertakes)
    return { situation: 'overtaking', giveWay: aOvertakes ? 'a' : 'b', rule: 13, relA, relB };
  if (aOvertakes) return NONE(relA, relB); // each astern of the other: opening, never reached
  // 2. Head-on.
  const headings = Math.abs(signed(hb - ha - 180));
  if (
    Math.abs(signed(relA)) <= HEAD_ON_DEG &&
    Math.abs(signed(relB)) <= HEAD_ON_DEG &&
    headings <= HEAD_ON_DEG
  )
    return { situation: 'head-on', giveWay: 'both', rule: 14, relA, relB };
  // 3. Crossing: the one with the other on her starboard side gives way.
  if (onStarboard(relA) && onPortOrAhead(relB))
    return { situation: 'crossing', giveWay: 'a', rule: 15, relA, relB };
  if (onStarboard(relB) && onPortOrAhead(relA))
    return { situation: 'crossing', giveWay: 'b', rule: 15, relA, relB };
  // 4. Both starboard or both port: no give-way vessel named.
  return NONE(relA, relB);
}

/** The same classification with a and b exchanged in the answer (for a view that swaps them). */
export function swapColregs(c: Colregs): Colregs {
  return {
    situation: c.situation,
    giveWay: c.giveWay === 'a' ? 'b' : c.giveWay === 'b' ? 'a' : c.giveWay,
    rule: c.rule,
    relA: c.relB,
    relB: c.relA,
  };
}

/** Which way a give-way vessel turns, from the side she sees the other on. */
export type Turn = 'port' | 'starboard';

/**
 * The alteration the rules expect of a give-way vessel that sees the other at relative bearing
 * `rel`: to starboard in head-on (Rule 14(a)) and crossing (Rule 15: pass astern, not ahead)
 * situations; when overtaking, away from the side the overtaken vessel is on (Rule 13 lets the
 * overtaking vessel pass on either side): starboard when she is fine on the port bow or dead
 * ahead, port when she is on the starboard bow.
 */
export function giveWayTurn(situation: Situation, rel: number): Turn {
  if (situation !== 'overtaking') return 'starboard';
  return rel > 0 && rel < 180 ? 'port' : 'starboard';
}

/**
 * `classifyEncounter` for two motions and their CPA (`cpa(a, b)`): a unit with an altitude is an
 * aircraft, and the COG stands in for the heading. The risk levels default to the screen's surface
 * levels (`DEFAULT_THRESHOLDS.surface`: CPA under 2 nm within 30 min). `parley cpa` uses this.
 */
export function colregsOf(
  a: Motion,
  b: Motion,
  c: Cpa,
  levels: readonly RiskLevel[] = DEFAULT_THRESHOLDS.surface,
): Colregs {
  const unit = (m: Motion): ColregsUnit => ({
    cog: m.cog,
    sog: m.sog,
    surface: m.altFt === undefined,
  });
  return classifyEncounter(unit(a), unit(b), c, levels);
}
