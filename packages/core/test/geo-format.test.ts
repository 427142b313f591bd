import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAltitude,
  formatCourse,
  formatDecimal,
  formatDistance,
  formatDuration,
  formatPosition,
  formatSpeed,
  isParleyError,
  normaliseLongitude,
} from '@parley/core';
import type { DistanceUnit } from '@parley/core';

/** Throws unless `fn` throws a ParleyError of `code` whose message contains `mention`. */
function expectCoded(fn: () => unknown, code: string, mention?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isParleyError(caught), String(caught)).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  if (mention !== undefined) expect((caught as Error).message).toContain(mention);
}

const POSITION_RE = /^(\d{2})-(\d{2}(?:\.\d+)?)([NS]) (\d{3})-(\d{2}(?:\.\d+)?)([EW])$/;

/** The inverse of formatPosition, written independently of it: `09-52.5N 114-21.0E` → degrees. */
function parsePosition(text: string): { lat: number; lon: number; decimals: number } {
  const m = POSITION_RE.exec(text);
  if (m === null) throw new Error(`not a NAVAREA position: ${text}`);
  const [, latD, latM, ns, lonD, lonM, ew] = m as unknown as string[];
  const decimals = latM!.includes('.') ? latM!.split('.')[1]!.length : 0;
  expect(lonM!.includes('.') ? lonM!.split('.')[1]!.length : 0).toBe(decimals);
  expect(Number(latM)).toBeLessThan(60);
  expect(Number(lonM)).toBeLessThan(60);
  const lat = (Number(latD) + Number(latM) / 60) * (ns === 'S' ? -1 : 1);
  const lon = (Number(lonD) + Number(lonM) / 60) * (ew === 'W' ? -1 : 1);
  return { lat, lon, decimals };
}

describe('formatPosition', () => {
  it.each([
    [9.875, 114.35, 1, '09-52.5N 114-21.0E'],
    [-0.5, -179.99, 1, '00-30.0S 179-59.4W'],
    [9.875, 114.35, 2, '09-52.50N 114-21.00E'],
    [9.875, 114.35, 0, '09-53N 114-21E'], // 52.5' rounds half up
    [0, 0, 1, '00-00.0N 000-00.0E'],
    [-0, -0, 1, '00-00.0N 000-00.0E'],
    [-0.00001, -0.00001, 1, '00-00.0N 000-00.0E'], // rounds to zero: no 00-00.0S
    [90, 0, 1, '90-00.0N 000-00.0E'],
    [-90, 0, 1, '90-00.0S 000-00.0E'],
    [9.8769, 114.3517, 4, '09-52.6140N 114-21.1020E'],
    [-33.8688, 151.2093, 1, '33-52.1S 151-12.6E'],
    [18.2167, 109.4833, 1, '18-13.0N 109-29.0E'],
  ])('(%d, %d, %d decimals) → %s', (lat, lon, d, expected) => {
    expect(formatPosition(lat, lon, d)).toBe(expected);
  });

  it('defaults to one decimal of a minute', () => {
    expect(formatPosition(9.875, 114.35)).toBe('09-52.5N 114-21.0E');
  });

  it('carries 59.95′ and up into the next degree instead of writing 60.0', () => {
    expect(formatPosition(10 + 59.97 / 60, 114 + 59.96 / 60)).toBe('11-00.0N 115-00.0E');
    expect(formatPosition(-(10 + 59.97 / 60), -(114 + 59.96 / 60))).toBe('11-00.0S 115-00.0W');
    expect(formatPosition(10 + 59.94 / 60, 114 + 59.94 / 60)).toBe('10-59.9N 114-59.9E');
    expect(formatPosition(10 + 59.996 / 60, 0, 2)).toBe('11-00.00N 000-00.00E');
    expect(formatPosition(89 + 59.99 / 60, 0)).toBe('90-00.0N 000-00.0E');
  });

  it('writes the 180th meridian as 180-00.0E, whichever way it is reached', () => {
    expect(formatPosition(0, 180)).toBe('00-00.0N 180-00.0E');
    expect(formatPosition(0, -180)).toBe('00-00.0N 180-00.0E');
    expect(formatPosition(0, 179.99999)).toBe('00-00.0N 180-00.0E');
    expect(formatPosition(0, -179.99999)).toBe('00-00.0N 180-00.0E');
    expect(formatPosition(0, -179.9)).toBe('00-00.0N 179-54.0W');
  });

  it('normalises longitude into (-180, 180]', () => {
    expect(formatPosition(0, 190)).toBe('00-00.0N 170-00.0W');
    expect(formatPosition(0, -190)).toBe('00-00.0N 170-00.0E');
    expect(formatPosition(0, 360)).toBe('00-00.0N 000-00.0E');
    expect(formatPosition(0, 540)).toBe('00-00.0N 180-00.0E');
    expect(formatPosition(0, -540)).toBe('00-00.0N 180-00.0E');
    expect(normaliseLongitude(-180)).toBe(180);
    expect(normaliseLongitude(180)).toBe(180);
    expect(Object.is(normaliseLongitude(-360), 0)).toBe(true);
  });

  it('refuses bad input with PARLEY_E_INVALID_ARGUMENT naming the value', () => {
    expectCoded(() => formatPosition(90.1, 0), 'PARLEY_E_INVALID_ARGUMENT', '90.1');
    expectCoded(() => formatPosition(-91, 0), 'PARLEY_E_INVALID_ARGUMENT', '-91');
    expectCoded(() => formatPosition(Number.NaN, 0), 'PARLEY_E_INVALID_ARGUMENT', 'NaN');
    expectCoded(() => formatPosition(0, Infinity), 'PARLEY_E_INVALID_ARGUMENT', 'Infinity');
    expectCoded(() => formatPosition(0, 0, 5), 'PARLEY_E_INVALID_ARGUMENT', '5');
    expectCoded(() => formatPosition(0, 0, -1), 'PARLEY_E_INVALID_ARGUMENT', '-1');
    expectCoded(() => formatPosition(0, 0, 1.5), 'PARLEY_E_INVALID_ARGUMENT', '1.5');
    expectCoded(
      () => formatPosition('9' as unknown as number, 0),
      'PARLEY_E_INVALID_ARGUMENT',
      '"9"',
    );
  });

  it('parses back within half a unit of the last decimal, and is a fixed point', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -10_000, max: 10_000, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        (lat, lon, d) => {
          const text = formatPosition(lat, lon, d);
          const back = parsePosition(text);
          expect(back.decimals).toBe(d);
          const halfUnit = 0.5 * 10 ** -d; // minutes
          const eps = 1e-9;
          expect(Math.abs(back.lat - lat) * 60).toBeLessThanOrEqual(halfUnit + eps);
          const dLon = ((((back.lon - lon) % 360) + 540) % 360) - 180;
          expect(Math.abs(dLon) * 60).toBeLessThanOrEqual(halfUnit + eps);
          expect(back.lat).toBeGreaterThanOrEqual(-90);
          expect(back.lat).toBeLessThanOrEqual(90);
          expect(back.lon).toBeGreaterThan(-180);
          expect(back.lon).toBeLessThanOrEqual(180);
          // Formatting the parsed grid point gives the same text.
          expect(formatPosition(back.lat, back.lon, d)).toBe(text);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('formatDecimal', () => {
  it.each([
    [9.875, 114.35, '9.87500° N, 114.35000° E'],
    [-33.8688, 151.2093, '33.86880° S, 151.20930° E'],
    [-0.5, -179.99, '0.50000° S, 179.99000° W'],
    [0, -180, '0.00000° N, 180.00000° E'],
    [-0.000001, -179.999999, '0.00000° N, 180.00000° E'],
    [90, 190, '90.00000° N, 170.00000° W'],
  ])('(%d, %d) → %s', (lat, lon, expected) => {
    expect(formatDecimal(lat, lon)).toBe(expected);
  });

  it('refuses a latitude out of range', () => {
    expectCoded(() => formatDecimal(-90.5, 0), 'PARLEY_E_INVALID_ARGUMENT', '-90.5');
  });
});

describe('formatCourse', () => {
  it.each([
    [275, '275°'],
    [5, '005°'],
    [0, '000°'],
    [45.4, '045°'],
    [359.4, '359°'],
    [359.6, '000°'],
    [-90, '270°'],
    [720.2, '000°'],
  ])('%d → %s', (deg, expected) => {
    expect(formatCourse(deg)).toBe(expected);
  });

  it('always three digits and a degree sign, in [000, 359]', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (deg) => {
        const text = formatCourse(deg);
        expect(text).toMatch(/^\d{3}°$/);
        expect(Number(text.slice(0, 3))).toBeLessThan(360);
      }),
    );
  });

  it('refuses NaN', () => {
    expectCoded(() => formatCourse(Number.NaN), 'PARLEY_E_INVALID_ARGUMENT', 'NaN');
  });
});

describe('speed, distance, altitude and duration in both languages', () => {
  it('speed in knots', () => {
    expect(formatSpeed(12)).toBe('12 kn');
    expect(formatSpeed(12, 'zh')).toBe('12节');
    expect(formatSpeed(12.25, 'en')).toBe('12.3 kn');
    expect(formatSpeed(0.04)).toBe('0 kn');
    expect(formatSpeed(30.5, 'zh')).toBe('30.5节');
    expectCoded(() => formatSpeed(-1), 'PARLEY_E_INVALID_ARGUMENT', '-1');
  });

  it.each<[number, DistanceUnit, string, string]>([
    [5, 'nm', '5 nm', '5海里'],
    [2.5, 'km', '2.5 km', '2.5公里'],
    [45, 'yd', '45 yd', '45码'],
    [41, 'm', '41 m', '41米'],
    [0.125, 'nm', '0.13 nm', '0.13海里'],
    [150, 'yd', '150 yd', '150码'],
  ])('distance %d %s → %s / %s', (value, unit, en, zh) => {
    expect(formatDistance(value, unit)).toBe(en);
    expect(formatDistance(value, unit, 'en')).toBe(en);
    expect(formatDistance(value, unit, 'zh')).toBe(zh);
  });

  it('refuses an unknown distance unit, including prototype keys', () => {
    expectCoded(() => formatDistance(1, 'mi' as DistanceUnit), 'PARLEY_E_INVALID_ARGUMENT', 'mi');
    expectCoded(
      () => formatDistance(1, '__proto__' as DistanceUnit),
      'PARLEY_E_INVALID_ARGUMENT',
      '__proto__',
    );
    expectCoded(() => formatDistance(-5, 'nm'), 'PARLEY_E_INVALID_ARGUMENT', '-5');
  });

  it('altitude in feet', () => {
    expect(formatAltitude(25000)).toBe('25000 ft');
    expect(formatAltitude(25000, 'zh')).toBe('25000英尺');
    expect(formatAltitude(-0.4)).toBe('0 ft');
    expect(formatAltitude(-1200, 'zh')).toBe('-1200英尺');
  });

  it.each([
    [32 * 60, '32 h', '32小时'],
    [48 * 60, '48 h', '48小时'],
    [90, '1 h 30 min', '1小时30分钟'],
    [45, '45 min', '45分钟'],
    [0, '0 min', '0分钟'],
  ])('duration %d min → %s / %s', (minutes, en, zh) => {
    expect(formatDuration(minutes)).toBe(en);
    expect(formatDuration(minutes, 'zh')).toBe(zh);
  });

  it('refuses a fractional or negative duration', () => {
    expectCoded(() => formatDuration(1.5), 'PARLEY_E_INVALID_ARGUMENT', '1.5');
    expectCoded(() => formatDuration(-1), 'PARLEY_E_INVALID_ARGUMENT', '-1');
  });

  it('Chinese keeps Arabic digits and puts the unit word straight after them', () => {
    expect(`航向${formatCourse(275)}`).toBe('航向275°');
    expect(`航速${formatSpeed(12, 'zh')}`).toBe('航速12节');
    expect(formatDistance(5, 'nm', 'zh')).toMatch(/^\d+海里$/);
  });
});
