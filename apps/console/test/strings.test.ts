// Every console string exists in English and Chinese with the same placeholders, and the display
// formats write what the station writes (date-time groups, NAVAREA positions, yards under a mile).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../src/i18n/strings.js';
import { formatClock, formatNm, formatSpan, safeDecimal, safePosition } from '../src/format.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(join(dir, d.name))
      : /\.tsx?$/.test(d.name)
        ? [readFileSync(join(dir, d.name), 'utf8')]
        : [],
  );
}

describe('console strings', () => {
  it('has every string in English and Chinese, with the same placeholders', () => {
    const keys = Object.keys(STRINGS) as (keyof typeof STRINGS)[];
    expect(keys.length).toBeGreaterThan(150);
    for (const k of keys) {
      const { en, zh } = STRINGS[k];
      expect(en.trim(), k).not.toBe('');
      expect(zh.trim(), k).not.toBe('');
      expect(placeholders(zh), k).toEqual(placeholders(en));
    }
  });

  it('has a string for every key built at run time (states, tiers, roles, precedences, kinds)', () => {
    const code = sources(SRC).join('\n');
    const prefixes = [...code.matchAll(/tx\(\s*`([a-z]+_)\$\{/g)].map((m) => m[1]!);
    expect(new Set(prefixes).size).toBeGreaterThan(8);
    const expected: Record<string, string[]> = {
      state_: ['UP', 'DEGRADED', 'DOWN'],
      prec_: ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'],
      tier_: ['leader', 'ministry', 'theater', 'tactical'],
      role_: ['viewer', 'operator', 'linguist', 'approver', 'admin'],
      level_: ['caution', 'danger'],
      estate_: ['projected', 'active', 'past', 'resolved'],
      nstatus_: ['upcoming', 'active', 'expired', 'cancelled'],
      party_: ['own', 'other', 'third'],
      pk_: [
        'position',
        'time',
        'course',
        'speed',
        'distance',
        'altitude',
        'duration',
        'unit',
        'text',
        'channel',
        'side',
        'turn',
        'medium',
        'situation',
        'note',
      ],
    };
    for (const [prefix, values] of Object.entries(expected))
      for (const v of values) expect(STRINGS, `${prefix}${v}`).toHaveProperty(`${prefix}${v}`);
  });
});

describe('console display formats', () => {
  it('writes distances under a mile in yards, and in Chinese units', () => {
    expect(formatNm(45 / 2025.372, 'en')).toBe('45 yd');
    expect(formatNm(45 / 2025.372, 'zh')).toBe('45码');
    expect(formatNm(1.234, 'en')).toBe('1.23 nm');
    expect(formatNm(2, 'zh')).toBe('2海里');
    expect(formatNm(Number.NaN, 'en')).toBe('—');
    expect(formatNm(-1, 'en')).toBe('—');
  });

  it('writes the UTC clock, spans, and positions NAVAREA style with decimal degrees beside', () => {
    expect(formatClock(Date.UTC(2018, 8, 30, 14, 2, 5))).toBe('14:02:05Z');
    expect(formatSpan(65_000, 'en')).toBe('1 min 05 s');
    expect(formatSpan(3_725_000, 'zh')).toBe('1小时02分');
    expect(safePosition(9.875, 114.35)).toBe('09-52.5N 114-21.0E');
    expect(safeDecimal(9.875, 114.35)).toBe('9.87500° N, 114.35000° E');
    // A bad position never throws in a render.
    expect(safePosition(91, 0)).toBe('—');
    expect(safeDecimal(Number.NaN, 0)).toBe('');
  });
});
