/**
 * Dead reckoning: where a unit holding course and speed is after some minutes. Constant course
 * means a rhumb line on the WGS84 ellipsoid, the same model as the CPA (`cpa.ts`): the meridian
 * arc travelled is exact, it is inverted with the meridian radius at the mid-path latitude, and
 * the longitude follows Δλ = tan θ · Δψ (ψ the isometric latitude), or the mean parallel when the
 * track runs nearly east–west. Latitude is clamped short of the poles, as the CPA clamps it.
 */
import type { Motion } from './motion.js';
import { meridianRadius, WGS84_A, WGS84_E2 } from './track-set.js';

const RAD = Math.PI / 180;
const E = Math.sqrt(WGS84_E2);
const KN_M_PER_MIN = 1852 / 60;
const LAT_LIMIT = 89.9;
/** Below this latitude change (degrees), the mean parallel gives Δλ (tan θ · Δψ is 0/0). */
const DLAT_SMALL = 1e-9;

const isometric = (latDeg: number): number => {
  const s = Math.sin(latDeg * RAD);
  return Math.atanh(s) - E * Math.atanh(E * s);
};

const parallelRadius = (latDeg: number): number => {
  const s = Math.sin(latDeg * RAD);
  return (WGS84_A * Math.cos(latDeg * RAD)) / Math.sqrt(1 - WGS84_E2 * s * s);
};

const clamp = (lat: number): number => Math.max(-LAT_LIMIT, Math.min(LAT_LIMIT, lat));

/** Longitude into (−180, 180]. */
export function wrapLon(lon: number): number {
  const w = ((((lon + 180) % 360) + 360) % 360) - 180;
  return w === -180 ? 180 : w;
}

/** Position of `m` after `minutes` (negative: before) along its rhumb line. */
export function deadReckon(m: Motion, minutes: number): { lat: number; lon: number } {
  if (minutes === 0 || m.sog === 0) return { lat: m.lat, lon: m.lon };
  const lat0 = clamp(m.lat);
  const c = m.cog * RAD;
  const dist = m.sog * KN_M_PER_MIN * minutes; // metres along the track
  const north = dist * Math.cos(c);
  const east = dist * Math.sin(c);
  const guess = clamp(lat0 + north / meridianRadius(lat0) / RAD);
  const lat = clamp(lat0 + north / meridianRadius(0.5 * (lat0 + guess)) / RAD);
  const dlat = lat - lat0;
  const dlon =
    Math.abs(dlat) > DLAT_SMALL
      ? (Math.tan(c) * (isometric(lat) - isometric(lat0))) / RAD
      : east / parallelRadius(0.5 * (lat0 + lat)) / RAD;
  return { lat, lon: wrapLon(m.lon + dlon) };
}
