/**
 * A notice of planned activity as both stations understand it: kind, issuing party and unit,
 * areas, vertical band, UTC validity windows, remark and contact. `parseNotice` is the one check,
 * used on what an operator sends and on what arrives from the peer.
 */
import { NOTICE_KINDS, ParleyError } from '@parley/core';
import type { NoticeKind } from '@parley/core';
import { areaShape, parseArea } from './areas.js';
import type { Area, Shape } from './areas.js';

/** What an area of a notice is for (a launch notice names a launch area and an impact area). */
export const AREA_ROLES = ['launch', 'impact', 'danger', 'exercise', 'route'] as const;
export type AreaRole = (typeof AREA_ROLES)[number];

export interface NoticeArea {
  role: AreaRole | null;
  area: Area;
}

/**
 * Vertical extent: at the surface; below it (submarines); between two altitudes in feet above
 * mean sea level (lowerFt 0 means from the surface); or unlimited.
 */
export type VerticalBand =
  | { type: 'surface' }
  | { type: 'subsurface' }
  | { type: 'altitude'; lowerFt: number; upperFt: number }
  | { type: 'unlimited' };

/** A UTC validity window, ms since the epoch, start < end. */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface NoticeContent {
  kind: NoticeKind;
  issuer: { party: string; unit: string };
  areas: NoticeArea[];
  band: VerticalBand;
  /** Sorted by start. */
  windows: TimeWindow[];
  remark: string;
  /** How to reach the issuer about this activity: a channel name, a radio frequency, … */
  contact: string;
}

export const MAX_AREAS = 8;
export const MAX_WINDOWS = 16;
export const MAX_REMARK = 2000;
const MAX_ALT_FT = 200_000;

function show(v: unknown): string {
  try {
    const t = JSON.stringify(v) ?? String(v);
    return t.length > 80 ? `${t.slice(0, 77)}...` : t;
  } catch {
    return String(v);
  }
}

const bad = (field: string, value: unknown, expected: string) =>
  new ParleyError(
    'PARLEY_E_NOTICE_MALFORMED',
    `notice ${field} ${show(value)} is not ${expected}`,
    {
      field,
    },
  );

function text(v: unknown, field: string, min: number, max: number): string {
  if (typeof v !== 'string' || v.trim().length < min || v.length > max)
    throw bad(field, v, `text of ${min}–${max} characters`);
  return v;
}

function only(v: Record<string, unknown>, allowed: string[], field: string): void {
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw bad(`${field}.${k}`, v[k], 'a known field');
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseBand(v: unknown): VerticalBand {
  if (!isObject(v)) throw bad('band', v, 'a vertical band');
  if (v.type === 'surface' || v.type === 'subsurface' || v.type === 'unlimited') {
    only(v, ['type'], 'band');
    return { type: v.type };
  }
  if (v.type === 'altitude') {
    only(v, ['type', 'lowerFt', 'upperFt'], 'band');
    const { lowerFt, upperFt } = v;
    if (
      typeof lowerFt !== 'number' ||
      typeof upperFt !== 'number' ||
      !Number.isFinite(lowerFt) ||
      !Number.isFinite(upperFt) ||
      lowerFt < 0 ||
      upperFt <= lowerFt ||
      upperFt > MAX_ALT_FT
    )
      throw bad('band', v, `altitudes 0 ≤ lowerFt < upperFt ≤ ${MAX_ALT_FT}`);
    return { type: 'altitude', lowerFt, upperFt };
  }
  throw bad('band.type', v.type, 'surface, subsurface, altitude or unlimited');
}

/** Checks windows: 1–16, each start < end, integers; returned sorted by start. */
export function parseWindows(v: unknown): TimeWindow[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_WINDOWS)
    throw new ParleyError(
      'PARLEY_E_NOTICE_WINDOW',
      `windows ${show(v)} are not a list of 1–${MAX_WINDOWS} UTC windows`,
      {},
    );
  const out = v.map((w: unknown, i) => {
    const x = w as Partial<TimeWindow> | null;
    if (
      !isObject(x) ||
      !Number.isSafeInteger(x.start) ||
      !Number.isSafeInteger(x.end) ||
      (x.start as number) < 0
    )
      throw new ParleyError(
        'PARLEY_E_NOTICE_WINDOW',
        `window ${i} ${show(w)} is not {start, end} in UTC ms`,
        { index: i },
      );
    only(x as Record<string, unknown>, ['start', 'end'], `windows[${i}]`);
    if (x.end! <= x.start!)
      throw new ParleyError(
        'PARLEY_E_NOTICE_WINDOW',
        `window ${i} ends (${new Date(x.end!).toISOString()}) before or when it starts (${new Date(x.start!).toISOString()})`,
        { index: i },
      );
    return { start: x.start!, end: x.end! };
  });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Checks a notice given by an operator or a peer. Throws `PARLEY_E_NOTICE_MALFORMED`,
 * `PARLEY_E_NOTICE_WINDOW` or an area error (`PARLEY_E_AREA_*`), naming the bad value.
 */
export function parseNotice(value: unknown): NoticeContent {
  if (!isObject(value)) throw bad('', value, 'an object');
  only(value, ['kind', 'issuer', 'areas', 'band', 'windows', 'remark', 'contact'], 'notice');
  const kind = value.kind;
  if (typeof kind !== 'string' || !(NOTICE_KINDS as readonly string[]).includes(kind))
    throw bad('kind', kind, `one of ${NOTICE_KINDS.join(', ')}`);
  const issuer = value.issuer;
  if (!isObject(issuer)) throw bad('issuer', issuer, '{party, unit}');
  only(issuer, ['party', 'unit'], 'issuer');
  const party = text(issuer.party, 'issuer.party', 1, 64);
  const unit = text(issuer.unit, 'issuer.unit', 1, 64);
  const areasIn = value.areas;
  if (!Array.isArray(areasIn) || areasIn.length < 1 || areasIn.length > MAX_AREAS)
    throw bad('areas', areasIn, `a list of 1–${MAX_AREAS} areas`);
  const areas = areasIn.map((a: unknown, i): NoticeArea => {
    if (!isObject(a)) throw bad(`areas[${i}]`, a, '{role?, area}');
    only(a, ['role', 'area'], `areas[${i}]`);
    const role = a.role ?? null;
    if (role !== null && !(AREA_ROLES as readonly string[]).includes(role as string))
      throw bad(`areas[${i}].role`, role, `one of ${AREA_ROLES.join(', ')}`);
    return { role: role as AreaRole | null, area: parseArea(a.area, `areas[${i}].area`) };
  });
  const band = parseBand(value.band);
  const windows = parseWindows(value.windows);
  const remark = value.remark === undefined ? '' : text(value.remark, 'remark', 0, MAX_REMARK);
  const contact = text(value.contact, 'contact', 1, 200);
  return {
    kind: kind as NoticeKind,
    issuer: { party, unit },
    areas,
    band,
    windows,
    remark,
    contact,
  };
}

/** The vertical band as an interval of feet (−∞ below the surface, +∞ above). */
export function bandInterval(b: VerticalBand): [number, number] {
  switch (b.type) {
    case 'surface':
      return [0, 0];
    case 'subsurface':
      return [-Infinity, 0];
    case 'altitude':
      return [b.lowerFt, b.upperFt];
    case 'unlimited':
      return [-Infinity, Infinity];
  }
}

/** Where two vertical bands overlap, or null. */
export function bandOverlap(a: VerticalBand, b: VerticalBand): [number, number] | null {
  const [a0, a1] = bandInterval(a);
  const [b0, b1] = bandInterval(b);
  const lo = Math.max(a0, b0);
  const hi = Math.min(a1, b1);
  return lo <= hi ? [lo, hi] : null;
}

/** Where two lists of windows overlap (sorted, merged). */
export function windowOverlap(a: TimeWindow[], b: TimeWindow[]): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (const x of a)
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (start < end) out.push({ start, end });
    }
  out.sort((p, q) => p.start - q.start);
  const merged: TimeWindow[] = [];
  for (const w of out) {
    const last = merged[merged.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else merged.push({ ...w });
  }
  return merged;
}

/** Whether `t` falls in one of the windows. */
export function inWindows(windows: TimeWindow[], t: number): boolean {
  return windows.some((w) => t >= w.start && t < w.end);
}

/** The planar shapes of a notice's areas (in continuous longitude). */
export function noticeShapes(n: NoticeContent): Shape[] {
  return n.areas.map((a) => areaShape(a.area));
}
