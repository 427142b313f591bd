/**
 * The shared vocabulary of the near-miss screen: a unit's motion at one instant, and the closest
 * point of approach of two of them. `cpa.ts` computes a `Cpa` for one pair; `screen.ts` finds the
 * pairs worth computing among many tracks.
 */

/** Position and motion at one instant: constant course and speed means a rhumb line. */
export interface Motion {
  /** Latitude, degrees north (−90…90). */
  lat: number;
  /** Longitude, degrees east (−180…180]. */
  lon: number;
  /** Speed over ground, knots (≥ 0). */
  sog: number;
  /** Course over ground, degrees true (0…360). */
  cog: number;
  /** Altitude, feet (aircraft). */
  altFt?: number;
  /** Vertical rate, feet per minute (aircraft). */
  vsFpm?: number;
}

/** Closest point of approach of two units holding course and speed. */
export interface Cpa {
  /** Distance at the closest point, nautical miles. */
  cpaNm: number;
  /** Minutes until the closest point; negative when it lies in the past. */
  tcpaMin: number;
  /** Current distance, nautical miles. */
  rangeNm: number;
  /** Current true bearing from the first unit to the second, degrees (0…360). */
  bearingDeg: number;
  /** Vertical separation at the closest point, feet (when both have an altitude). */
  vsepFt?: number;
}
