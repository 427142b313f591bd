/**
 * `parley cpa`: the real bin/parley (the build; run `npx tsc -b` first), JSON on stdin, one JSON
 * object out, coded errors and exit 2 on bad input.
 */
import { describe, expect, it } from 'vitest';
import { parley } from './helpers.js';

const DEG = 180 / Math.PI;
/** Longitude span of `nm` nautical miles along the equator (there the parallel is a geodesic). */
const equatorLon = (nm: number) => ((nm * 1852) / 6_378_137) * DEG;

async function cpaOf(input: unknown): Promise<Record<string, number | string | null>> {
  const r = await parley(['cpa'], { input: JSON.stringify(input) });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Record<string, number | string | null>;
}

describe('parley cpa', () => {
  it('head-on, 10 nm apart closing at 20 kn: cpa 0 in 30 min', async () => {
    const out = await cpaOf({
      a: { lat: 0, lon: 0, sog: 10, cog: 90 },
      b: { lat: 0, lon: equatorLon(10), sog: 10, cog: 270 },
    });
    // Each dead ahead of the other on reciprocal courses, CPA 0 in 30 min: head-on (Rule 14).
    expect(out).toEqual({
      cpa_nm: 0,
      tcpa_min: 30,
      range_nm: 10,
      bearing_deg: 90,
      situation: 'head-on',
      give_way: 'both',
    });
  });

  it('parallel tracks at equal speed: tcpa_min 0 and cpa_nm the current range', async () => {
    const out = await cpaOf({
      a: { lat: 50, lon: -30, sog: 15, cog: 45 },
      b: { lat: 50.03, lon: -29.96, sog: 15, cog: 45 },
    });
    expect(out['tcpa_min']).toBe(0);
    expect(out['cpa_nm']).toBe(out['range_nm']);
    expect(out['range_nm']).toBeGreaterThan(2);
  });

  it('diverging: the closest point was 15 min ago, so tcpa_min is negative', async () => {
    const out = await cpaOf({
      a: { lat: -20, lon: 60, sog: 10, cog: 180 },
      b: { lat: -20 + 5 / 60, lon: 60, sog: 10, cog: 0 }, // about 5 nm north
    });
    expect(out['tcpa_min']).toBeLessThan(0);
    expect(out['tcpa_min']).toBeCloseTo(-15, 0);
    expect(out['cpa_nm']).toBe(0);
    expect(out['bearing_deg']).toBe(0);
  });

  it('across the antimeridian: 179.9E to 179.9W is 12 nm, bearing 090', async () => {
    const out = await cpaOf({
      a: { lat: 0, lon: 179.9, sog: 10, cog: 90 },
      b: { lat: 0, lon: -179.9, sog: 10, cog: 270 },
    });
    // Head-on geometry, but 36 min out: beyond the 30 min window, no risk of collision yet.
    expect(out).toEqual({
      cpa_nm: 0,
      tcpa_min: 36.06,
      range_nm: 12.022,
      bearing_deg: 90,
      situation: null,
      give_way: null,
    });
  });

  it('Gaven Reef 2018 reconstruction: 45 yd (0.022 nm) in 3 min', async () => {
    const out = await cpaOf({
      a: { lat: 10.2083, lon: 114.225, sog: 12, cog: 150 },
      b: { lat: 10.215823, lon: 114.233269, sog: 20, cog: 190 },
    });
    // a heads 150, b bears 047.4: relA = 047.4 − 150 = 257.4 (port side); b heads 190 and sees
    // a at 227.4 − 190 = 037.4 (starboard bow): crossing, b has a to starboard and gives way.
    expect(out).toEqual({
      cpa_nm: 0.022,
      tcpa_min: 3,
      range_nm: 0.664,
      bearing_deg: 47.4,
      situation: 'crossing',
      give_way: 'b',
    });
  });

  it('aircraft: vsep_ft at the closest point, from alt_ft and vs_fpm', async () => {
    const a = { lat: 0, lon: 100, sog: 480, cog: 90, alt_ft: 30_000, vs_fpm: 0 };
    const b = {
      lat: 0,
      lon: 100 + equatorLon(40),
      sog: 480,
      cog: 270,
      alt_ft: 26_000,
      vs_fpm: 2000,
    };
    // 40 nm at 960 kn: 2.5 min; B climbs to 31 000 ft.
    expect(await cpaOf({ a, b })).toEqual({
      cpa_nm: 0,
      tcpa_min: 2.5,
      range_nm: 40,
      bearing_deg: 90,
      vsep_ft: 1000,
      situation: null, // aircraft: the Rules of the Road are for vessels
      give_way: null,
    });
    // No vertical rate: the separation now. One altitude only: no vsep_ft.
    const level = await cpaOf({ a: { ...a, vs_fpm: undefined }, b: { ...b, vs_fpm: undefined } });
    expect(level['vsep_ft']).toBe(4000);
    const one = await cpaOf({ a, b: { lat: b.lat, lon: b.lon, sog: b.sog, cog: b.cog } });
    expect(one).not.toHaveProperty('vsep_ft');
  });

  it('overtaking: b 1 nm right astern of a at 20 kn against 10 kn; swapping a and b swaps give_way', async () => {
    // a heads 000, b bears 180 (relA 180: the stern sector), b heads 000 (relB 0): b overtakes.
    const a = { lat: 30, lon: -40, sog: 10, cog: 0 };
    const b = { lat: 30 - 1 / 60, lon: -40, sog: 20, cog: 0 };
    const ab = await cpaOf({ a, b });
    expect(ab).toMatchObject({ cpa_nm: 0, situation: 'overtaking', give_way: 'b' });
    expect(ab['tcpa_min']).toBeCloseTo(6, 1); // 1 nm closed at 10 kn
    const ba = await cpaOf({ a: b, b: a });
    expect(ba).toMatchObject({ situation: 'overtaking', give_way: 'a' });
  });

  const unit = { lat: 10, lon: 20, sog: 12, cog: 90 };
  const hostile: [string, string, RegExp][] = [
    ['not JSON', 'lat: 10, lon: 20', /not JSON/],
    ['empty input', '', /empty/],
    ['JSON but not an object', '[1, 2]', /not a JSON object/],
    ['a JSON string', '"a"', /not a JSON object/],
    ['b missing', JSON.stringify({ a: unit }), /missing field "b"/],
    ['a null', JSON.stringify({ a: null, b: unit }), /a null is not an object/],
    ['an extra top-level field', JSON.stringify({ a: unit, b: unit, c: 1 }), /unknown field "c"/],
    ['lat missing', JSON.stringify({ a: { lon: 1, sog: 1, cog: 1 }, b: unit }), /a\.lat undefined/],
    ['lat 91', JSON.stringify({ a: { ...unit, lat: 91 }, b: unit }), /a\.lat 91 is not a latitude/],
    ['lon -180.5', JSON.stringify({ a: unit, b: { ...unit, lon: -180.5 } }), /b\.lon -180\.5/],
    ['NaN as a string', JSON.stringify({ a: { ...unit, lat: 'NaN' }, b: unit }), /a\.lat "NaN"/],
    ['a number as a string', JSON.stringify({ a: unit, b: { ...unit, sog: '12' } }), /b\.sog "12"/],
    ['negative sog', JSON.stringify({ a: { ...unit, sog: -3 }, b: unit }), /a\.sog -3/],
    ['cog 400', JSON.stringify({ a: unit, b: { ...unit, cog: 400 } }), /b\.cog 400/],
    ['1e999 (Infinity)', '{"a":{"lat":1e999,"lon":0,"sog":0,"cog":0},"b":{}}', /a\.lat Infinity/],
    [
      'camelCase altFt',
      JSON.stringify({ a: { ...unit, altFt: 3 }, b: unit }),
      /a\.altFt 3 is not a known field/,
    ],
    [
      'vs_fpm without alt_ft',
      JSON.stringify({ a: unit, b: { ...unit, vs_fpm: 500 } }),
      /b\.vs_fpm 500 .*alt_ft/,
    ],
    [
      'alt_ft not a number',
      JSON.stringify({ a: { ...unit, alt_ft: 'FL300' }, b: unit }),
      /a\.alt_ft "FL300"/,
    ],
    [
      'input over 64 KiB',
      JSON.stringify({ a: unit, b: unit, pad: 'x'.repeat(70_000) }),
      /longer than/,
    ],
  ];
  it.each(hostile)(
    '%s: coded error naming the problem, exit 2, nothing on stdout',
    async (_, input, why) => {
      const r = await parley(['cpa'], { input });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^parley: PARLEY_E_INVALID_ARGUMENT: /);
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    },
  );
});
