// Display formats: date-time groups (UTC), NAVAREA positions, ages. The formatters come from
// @parley/core (pure), so the console writes exactly what the station and the catalogue write.
import {
  formatCourse,
  formatDecimal,
  formatDistance,
  formatDtg,
  formatPosition,
  formatSpeed,
} from '@parley/core';
import type { Lang } from './api/types.js';

export { formatCourse, formatDecimal, formatDtg, formatPosition };

/** `HH:MM:SSZ`, the UTC wall clock. */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + 'Z';
}

/** A span as `1 h 05 min`, `4 min 10 s` or `12 s`. */
export function formatSpan(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (lang === 'zh') {
    if (h) return `${h}小时${String(m).padStart(2, '0')}分`;
    if (m) return `${m}分${String(sec).padStart(2, '0')}秒`;
    return `${sec}秒`;
  }
  if (h) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/** A distance in nautical miles, in yards below a mile (the way a bridge says it). */
export function formatNm(nm: number, lang: Lang): string {
  if (!Number.isFinite(nm) || nm < 0) return '—';
  if (nm < 1) return formatDistance(Math.round(nm * 2025.372), 'yd', lang);
  return formatDistance(Math.round(nm * 100) / 100, 'nm', lang);
}

export function formatKnots(kn: number, lang: Lang): string {
  return Number.isFinite(kn) && kn >= 0 ? formatSpeed(Math.round(kn * 10) / 10, lang) : '—';
}

/** A position in NAVAREA style, or a dash for a bad one (never throws in a render). */
export function safePosition(lat: number, lon: number): string {
  try {
    return formatPosition(lat, lon);
  } catch {
    return '—';
  }
}
export function safeDecimal(lat: number, lon: number): string {
  try {
    return formatDecimal(lat, lon);
  } catch {
    return '';
  }
}
