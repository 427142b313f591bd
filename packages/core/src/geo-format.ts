/**
 * How positions, courses, speeds, distances, altitudes and durations are written on the hotline,
 * in English and in Simplified Chinese.
 *
 * Positions follow NAVAREA navigational warnings (IMO/IHO World-Wide Navigational Warning
 * Service): `DD-MM.mN DDD-MM.mE`, degrees and decimal minutes. China MSA warnings use the same
 * Latin form, so a position reads the same in both languages. Numbers stay Arabic digits in
 * Chinese; only the unit word changes (`12 kn` / `12节`, `5 nm` / `5海里`).
 *
 * Every function is pure and deterministic: integer arithmetic on scaled values, no locale.
 */
import { ParleyError } from './errors.js';

/** The languages the formatters write. */
export type FormatLanguage = 'en' | 'zh';

/** Distance units a catalogue message may carry. */
export const DISTANCE_UNITS = ['nm', 'km', 'yd', 'm'] as const;
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];

const DISTANCE_UNIT_LABELS: Readonly<
  Record<DistanceUnit, Readonly<Record<FormatLanguage, string>>>
> = {
  nm: { en: ' nm', zh: '海里' },
  km: { en: ' km', zh: '公里' },
  yd: { en: ' yd', zh: '码' },
  m: { en: ' m', zh: '米' },
};

/** The most decimals of a minute `formatPosition` writes (0.0001' is about 0.2 m). */
export const MAX_POSITION_DECIMALS = 4;

function badArgument(what: string, value: unknown, expected: string): ParleyError {
  return new ParleyError(
    'PARLEY_E_INVALID_ARGUMENT',
    `${what} ${describe(value)} is not ${expected}`,
    { [what]: value },
  );
}

/** A short, printable rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value); // NaN, Infinity and -0 stay readable
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function finite(what: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw badArgument(what, value, 'a finite number');
  }
  return value;
}

/** Longitude in (-180, 180]: 180 and -180 are the same meridian, written 180°E. */
export function normaliseLongitude(lon: number): number {
  finite('longitude', lon);
  const l = (((lon % 360) + 360) % 360) + 0; // [0, 360), never -0
  return l > 180 ? l - 360 : l;
}

function checkLatitude(lat: number): number {
  finite('latitude', lat);
  if (lat < -90 || lat > 90) throw badArgument('latitude', lat, 'in [-90, 90]');
  return lat;
}

/**
 * One coordinate as `D..D-MM.m` plus hemisphere. The rounding is done once, on the whole value
 * in units of 10^-decimals minute, so 10°59.97' carries into 11-00.0 instead of printing 10-60.0.
 * A value that rounds to zero is written with the positive hemisphere (`00-00.0N`, never S).
 */
function dm(value: number, degDigits: number, pos: string, neg: string, decimals: number): string {
  const scale = 10 ** decimals;
  const perDegree = 60 * scale;
  const units = Math.round(Math.abs(value) * perDegree);
  const deg = Math.floor(units / perDegree);
  const rest = units - deg * perDegree;
  const min = Math.floor(rest / scale);
  const frac = rest - min * scale;
  const minutes =
    String(min).padStart(2, '0') + (decimals > 0 ? `.${String(frac).padStart(decimals, '0')}` : '');
  const hemisphere = value < 0 && units !== 0 ? neg : pos;
  return `${String(deg).padStart(degDigits, '0')}-${minutes}${hemisphere}`;
}

/**
 * A position in NAVAREA style, degrees and decimal minutes: `formatPosition(9.875, 114.35)` →
 * `09-52.5N 114-21.0E`. Latitude must be in [-90, 90]; longitude is normalised to (-180, 180]
 * and a longitude that rounds to 180° is written `180-00.0E`. Throws `PARLEY_E_INVALID_ARGUMENT`
 * naming the bad value.
 */
export function formatPosition(lat: number, lon: number, decimals = 1): string {
  checkLatitude(lat);
  const l = normaliseLongitude(lon);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_POSITION_DECIMALS) {
    throw badArgument('decimals', decimals, `an integer in [0, ${MAX_POSITION_DECIMALS}]`);
  }
  const lonText = dm(l, 3, 'E', 'W', decimals);
  // -179.99999 rounds to 180-00.0W, the same meridian as 180-00.0E: write it one way only.
  const lonFixed = lonText.startsWith('180-') ? lonText.slice(0, -1) + 'E' : lonText;
  return `${dm(lat, 2, 'N', 'S', decimals)} ${lonFixed}`;
}

/** Five decimals of a degree with hemisphere, rounded half away from zero; zero is N/E. */
function decimalDegrees(value: number, pos: string, neg: string): string {
  const units = Math.round(Math.abs(value) * 1e5);
  const int = Math.floor(units / 1e5);
  const frac = String(units - int * 1e5).padStart(5, '0');
  return `${int}.${frac}° ${value < 0 && units !== 0 ? neg : pos}`;
}

/**
 * A position in decimal degrees, for a hover or a tooltip: `formatDecimal(9.875, 114.35)` →
 * `9.87500° N, 114.35000° E`. Same range rules as `formatPosition`.
 */
export function formatDecimal(lat: number, lon: number): string {
  checkLatitude(lat);
  const l = normaliseLongitude(lon);
  const lonText = decimalDegrees(l, 'E', 'W');
  const lonFixed = lonText.startsWith('180.00000°') ? '180.00000° E' : lonText;
  return `${decimalDegrees(lat, 'N', 'S')}, ${lonFixed}`;
}

/**
 * A course or heading in whole degrees true, three digits: `formatCourse(275)` → `275°`,
 * `formatCourse(359.6)` → `000°`. Any finite angle is taken modulo 360. The same in both
 * languages; Chinese templates put 航向 in front (`航向275°`).
 */
export function formatCourse(deg: number): string {
  finite('course', deg);
  const whole = ((Math.round(deg) % 360) + 360) % 360;
  return `${String(whole).padStart(3, '0')}°`;
}

/**
 * A non-negative number rounded half up to at most `decimals` decimals, trailing zeros dropped:
 * 12 → `12`, 12.25 (1 decimal) → `12.3`, 0.5 → `0.5`. Integer arithmetic, so no `1e21` forms
 * within the catalogue's ranges.
 */
function plain(what: string, value: number, decimals: number): string {
  finite(what, value);
  if (value < 0) throw badArgument(what, value, 'zero or more');
  const scale = 10 ** decimals;
  const units = Math.round(value * scale);
  const int = Math.floor(units / scale);
  const frac = String(units - int * scale)
    .padStart(decimals, '0')
    .replace(/0+$/, '');
  return frac ? `${int}.${frac}` : String(int);
}

/** Speed in knots, one decimal at most: `12 kn`, `12节`. */
export function formatSpeed(knots: number, lang: FormatLanguage = 'en'): string {
  const n = plain('speed', knots, 1);
  return lang === 'zh' ? `${n}节` : `${n} kn`;
}

/** A distance with its unit, two decimals at most: `5 nm` / `5海里`, `45 yd` / `45码`. */
export function formatDistance(
  value: number,
  unit: DistanceUnit,
  lang: FormatLanguage = 'en',
): string {
  const labels = Object.hasOwn(DISTANCE_UNIT_LABELS, unit) ? DISTANCE_UNIT_LABELS[unit] : undefined;
  if (labels === undefined) {
    throw badArgument('unit', unit, `one of ${DISTANCE_UNITS.join(', ')}`);
  }
  return `${plain('distance', value, 2)}${labels[lang]}`;
}

/** Altitude in whole feet: `25000 ft` / `25000英尺`. Negative altitudes (below sea level) allowed. */
export function formatAltitude(feet: number, lang: FormatLanguage = 'en'): string {
  finite('altitude', feet);
  const n = Math.round(feet) + 0; // no "-0"
  return lang === 'zh' ? `${n}英尺` : `${n} ft`;
}

/**
 * A duration given in whole minutes, as hours and minutes: `32 h` / `32小时`,
 * `1 h 30 min` / `1小时30分钟`, `45 min` / `45分钟`. Days are written as hours (`48 h`), the
 * way response deadlines are stated.
 */
export function formatDuration(minutes: number, lang: FormatLanguage = 'en'): string {
  finite('duration', minutes);
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw badArgument('duration', minutes, 'a whole number of minutes, zero or more');
  }
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (lang === 'zh') {
    if (h === 0) return `${m}分钟`;
    return m === 0 ? `${h}小时` : `${h}小时${m}分钟`;
  }
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
