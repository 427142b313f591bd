import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDtg } from '../src/dtg.js';

describe('formatDtg', () => {
  it('writes hand-checked date-time groups, across month, year and leap-day edges', () => {
    const cases: [number, string][] = [
      [Date.UTC(2018, 8, 30, 14, 2), '301402Z SEP 18'],
      [Date.UTC(2026, 10, 30, 23, 59), '302359Z NOV 26'],
      [Date.UTC(2026, 11, 1, 0, 0), '010000Z DEC 26'],
      [Date.UTC(2026, 11, 31, 23, 59, 59, 999), '312359Z DEC 26'],
      [Date.UTC(2027, 0, 1, 0, 0), '010000Z JAN 27'],
      [Date.UTC(2028, 1, 29, 12, 30), '291230Z FEB 28'],
      [Date.UTC(2028, 2, 1, 0, 1), '010001Z MAR 28'],
      [Date.UTC(2000, 0, 1, 0, 0), '010000Z JAN 00'],
      [Date.UTC(2001, 3, 1, 5, 7), '010507Z APR 01'],
    ];
    for (const [t, dtg] of cases) expect(formatDtg(t)).toBe(dtg);
  });

  it('ignores seconds and the local time zone: the group is the UTC minute', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), (t) => {
        const minute = Math.floor(t / 60000) * 60000;
        expect(formatDtg(t)).toBe(formatDtg(minute));
        expect(formatDtg(t)).toMatch(
          /^\d{6}Z (JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC) \d{2}$/,
        );
        const d = new Date(t);
        expect(formatDtg(t).slice(0, 2)).toBe(String(d.getUTCDate()).padStart(2, '0'));
      }),
    );
  });
});
