/**
 * The bounds an operator's notice must keep, beyond what `parseNotice` checks for both stations
 * (issue 16; docs/api.md "Notices"). A peer's notices are folded as `parseNotice` decides: these
 * bounds apply only to what this station's operators send, amend or draft.
 *
 * - texts (issuer party and unit, contact: one line; remark: multi-line) follow the text policy
 *   (`parsePolicyText`): PARLEY_E_TEXT_INVALID / PARLEY_E_TEXT_EMPTY;
 * - a circle radius or corridor half-width is at least MIN_RADIUS_NM: PARLEY_E_AREA_RADIUS;
 * - a corridor's centre line is at least MIN_CORRIDOR_NM long: PARLEY_E_AREA_MALFORMED;
 * - every position is within ±MAX_NOTICE_LAT degrees of latitude: PARLEY_E_AREA_MALFORMED;
 * - every window lies within now − WINDOW_PAST_MS … now + WINDOW_FUTURE_MS: PARLEY_E_NOTICE_WINDOW.
 */
import { ParleyError, parsePolicyText } from '@parley/core';
import type { Area, LatLon } from './areas.js';
import type { NoticeContent, TimeWindow } from './notice.js';
import { MAX_REMARK } from './notice.js';

/** The smallest circle radius or corridor half-width an operator may give, nautical miles (≈ 18.5 m). */
export const MIN_RADIUS_NM = 0.01;
/** The shortest corridor centre line, nautical miles. */
export const MIN_CORRIDOR_NM = 0.01;
/** The highest latitude (north or south) of any notice position, degrees. */
export const MAX_NOTICE_LAT = 89;
const DAY = 86_400_000;
/** How far back a window may start: one year. */
export const WINDOW_PAST_MS = 365 * DAY;
/** How far ahead a window may end: two years. */
export const WINDOW_FUTURE_MS = 2 * 365 * DAY;

const NM = 1852;
const EARTH_M = 6_371_008.8;

function metresBetween(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function positions(a: Area): LatLon[] {
  return a.type === 'circle' ? [a.centre] : a.points;
}

function checkArea(a: Area, what: string): void {
  for (const [i, p] of positions(a).entries())
    if (Math.abs(p.lat) > MAX_NOTICE_LAT)
      throw new ParleyError(
        'PARLEY_E_AREA_MALFORMED',
        `${what} position ${i} at latitude ${p.lat} is beyond ±${MAX_NOTICE_LAT}°`,
        { field: what, index: i, limit: MAX_NOTICE_LAT },
      );
  if (a.type === 'polygon') return;
  const r = a.type === 'circle' ? a.radius : a.halfWidth;
  const nm = a.unit === 'nm' ? r : (r * 1000) / NM;
  if (nm < MIN_RADIUS_NM)
    throw new ParleyError(
      'PARLEY_E_AREA_RADIUS',
      `${what} ${a.type === 'circle' ? 'radius' : 'half-width'} ${r} ${a.unit} is below the minimum of ${MIN_RADIUS_NM} nm`,
      { field: what, value: r, minimumNm: MIN_RADIUS_NM },
    );
  if (a.type === 'corridor') {
    let length = 0;
    for (let i = 1; i < a.points.length; i++)
      length += metresBetween(a.points[i - 1]!, a.points[i]!);
    if (length / NM < MIN_CORRIDOR_NM)
      throw new ParleyError(
        'PARLEY_E_AREA_MALFORMED',
        `${what} centre line is ${(length / NM).toFixed(4)} nm long; the minimum is ${MIN_CORRIDOR_NM} nm`,
        { field: what, minimumNm: MIN_CORRIDOR_NM },
      );
  }
}

/** Checks that windows lie within now − 1 year … now + 2 years (also for planned routes). */
export function checkWindowBounds(windows: TimeWindow[], now: number, what = 'window'): void {
  const lo = now - WINDOW_PAST_MS;
  const hi = now + WINDOW_FUTURE_MS;
  for (const [i, w] of windows.entries())
    if (w.start < lo || w.end > hi)
      throw new ParleyError(
        'PARLEY_E_NOTICE_WINDOW',
        `${what} ${i} (${iso(w.start)} … ${iso(w.end)}) is not within ${iso(lo)} … ${iso(hi)} (one year back, two years ahead)`,
        { index: i, earliest: lo, latest: hi },
      );
}

function iso(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

/** Applies the operator bounds to a notice `parseNotice` accepted; returns it with texts normalised. */
export function checkOperatorNotice(n: NoticeContent, now: number): NoticeContent {
  const party = parsePolicyText(n.issuer.party, { field: 'issuer.party', max: 64 });
  const unit = parsePolicyText(n.issuer.unit, { field: 'issuer.unit', max: 64 });
  const contact = parsePolicyText(n.contact, { field: 'contact', max: 200 });
  const remark =
    n.remark.trim() === ''
      ? ''
      : parsePolicyText(n.remark, { field: 'remark', max: MAX_REMARK, multiline: true });
  n.areas.forEach((a, i) => checkArea(a.area, `areas[${i}].area`));
  checkWindowBounds(n.windows, now);
  return { ...n, issuer: { party, unit }, contact, remark };
}
