/**
 * CoT ↔ tracks through node-cot: TAK-shaped events by hand (surface, air, the affiliations, the
 * party mapping), what is refused and with which code, emitted events read back by node-cot, and
 * properties: track → CoT → track keeps every field CoT can carry; random text and mutated events
 * only ever give coded errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '@parley/core';
import { cotToTrack, encounterToCot, trackToCot } from '../src/tracks/cot.js';
import type { CotEmitTrack, CotPartyMapping } from '../src/tracks/cot.js';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const KN = 1852 / 3600; // m/s per knot

function event(
  type: string,
  opts: { uid?: string; point?: string; detail?: string; time?: string; stale?: string } = {},
): string {
  return (
    `<event version="2.0" uid="${opts.uid ?? 'HULL-571'}" type="${type}" how="m-g" ` +
    `time="${opts.time ?? '2025-06-01T08:00:00.000Z'}" start="2025-06-01T08:00:00.000Z" ` +
    `stale="${opts.stale ?? '2025-06-01T08:05:00Z'}">` +
    (opts.point ??
      '<point lat="16.25" lon="112.5" hae="9999999.0" ce="9999999.0" le="9999999.0"/>') +
    (opts.detail === undefined ? '' : `<detail>${opts.detail}</detail>`) +
    `</event>`
  );
}

/** The code a call throws. */
function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (isParleyError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a ParleyError');
}

describe('cot ingest', () => {
  it('a hostile surface unit: m/s to knots, callsign, times, no altitude', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      event('a-h-S-X-M', {
        detail: '<contact callsign="HAI JING 2901"/><track course="271.5" speed="5.144444"/>',
      });
    const t = cotToTrack(xml);
    expect(t.report).toEqual({
      id: 'cot:HULL-571',
      name: 'HAI JING 2901',
      party: 'other',
      domain: 'surface',
      source: 'cot',
      lat: 16.25,
      lon: 112.5,
      sog: (5.144444 * 3600) / 1852,
      cog: 271.5,
      heading: null,
      altFt: null,
      vsFpm: null,
      time: T0,
    });
    expect(t.report.sog).toBeCloseTo(10, 4);
    expect(t).toMatchObject({
      uid: 'HULL-571',
      type: 'a-h-S-X-M',
      how: 'm-g',
      staleAt: T0 + 300_000,
    });
  });

  it('a friendly aircraft: hae in feet, speed and slope split into ground speed and climb', () => {
    const t = cotToTrack(
      event('a-f-A-M-F', {
        uid: 'VIPER-11',
        point: '<point lat="-12.5" lon="-179.75" hae="3048" ce="10" le="10"/>',
        detail: '<contact callsign="VIPER 11"/><track course="-10" speed="100" slope="5"/>',
      }),
    ).report;
    expect(t).toMatchObject({ party: 'own', domain: 'air', lat: -12.5, lon: -179.75, cog: 350 });
    expect(t.altFt).toBeCloseTo(10_000, 9);
    expect(t.sog).toBeCloseTo((100 * Math.cos((5 * Math.PI) / 180)) / KN, 9);
    expect(t.vsFpm).toBeCloseTo(((100 * Math.sin((5 * Math.PI) / 180)) / 0.3048) * 60, 6);
  });

  it('no track detail: not moving; an aircraft without slope or altitude has neither', () => {
    const t = cotToTrack(event('a-n-A-C-F', { detail: '<contact callsign="  "/>' })).report;
    expect(t).toMatchObject({
      party: 'third',
      sog: 0,
      cog: 0,
      altFt: null,
      vsFpm: null,
      name: null,
    });
  });

  it('affiliations map to parties by default', () => {
    const party = (aff: string) => cotToTrack(event(`a-${aff}-S`)).report.party;
    expect(['f', 'a', 'h', 's', 'j', 'k', 'n', 'u', 'p', 'o', 'x'].map(party)).toEqual([
      'own',
      'own',
      'other',
      'other',
      'other',
      'other',
      'third',
      'third',
      'third',
      'third',
      'third',
    ]);
  });

  it('the mapping: uid first, then the longest type prefix, then the affiliation', () => {
    const map: CotPartyMapping = {
      uids: { 'HULL-571': 'third', 'DECOY-1': null },
      types: { 'a-h-S': 'other', 'a-h-S-X-F': 'third', 'a-n-S-X-M': null },
      affiliations: { n: 'other' },
    };
    const party = (type: string, uid?: string) =>
      cotToTrack(event(type, { uid }), map).report.party;
    expect(party('a-h-S-X', 'HULL-571')).toBe('third');
    expect(party('a-h-S-X', 'OTHER-1')).toBe('other');
    expect(party('a-h-S-X-F-D', 'OTHER-1')).toBe('third');
    expect(party('a-n-S', 'OTHER-1')).toBe('other');
    expect(code(() => cotToTrack(event('a-f-S', { uid: 'DECOY-1' }), map))).toBe(
      'PARLEY_E_COT_UNSUPPORTED',
    );
    expect(code(() => cotToTrack(event('a-n-S-X-M-C', { uid: 'X' }), map))).toBe(
      'PARLEY_E_COT_UNSUPPORTED',
    );
  });

  it('refuses what is not a surface or air unit', () => {
    for (const type of [
      'a-f-G-U-C',
      'a-h-U',
      'a-f-P',
      't-x-c-t',
      'u-d-f',
      'b-m-p-s-p-i',
      'a-f',
      'a-zz-S',
    ]) {
      expect(
        code(() => cotToTrack(event(type))),
        type,
      ).toBe('PARLEY_E_COT_UNSUPPORTED');
    }
  });

  it('malformed events are coded errors', () => {
    const bad = [
      '',
      'not xml',
      '<event',
      '<event version="2.0"/>',
      '<foo/>',
      event('a-f-S', { point: '' }),
      event('a-f-S', { point: '<point lat="abc" lon="1" hae="0" ce="1" le="1"/>' }),
      event('a-f-S', { point: '<point lat="91" lon="1" hae="0" ce="1" le="1"/>' }),
      event('a-f-S', { point: '<point lat="1" lon="-180.5" hae="0" ce="1" le="1"/>' }),
      event('a-f-S', { point: '<point lat="" lon="1" hae="0" ce="1" le="1"/>' }),
      event('a-f-S', { time: 'yesterday' }),
      event('a-f-S', { time: '2025-06-01 08:00:00' }),
      event('a-f-S', { stale: '2025-13-01T08:00:00Z' }),
      event('a-f-S', { detail: '<track speed="-1"/>' }),
      event('a-f-S', { detail: '<track speed="fast"/>' }),
      event('a-f-A', { detail: '<track speed="1" slope="91"/>' }),
      event('a-f-S', { uid: 'has space' }),
      event('a-f-S', { uid: 'x'.repeat(65) }),
      event('a-f-S', { uid: '&bad;' }),
      event('a-f-S').replace('</event>', ''),
      '<!DOCTYPE e [<!ENTITY x "y">]>' + event('a-f-S', { uid: '&x;' }),
    ];
    const codes = bad.map((xml) => {
      try {
        cotToTrack(xml);
        return `accepted: ${xml}`;
      } catch (err) {
        return isParleyError(err) ? err.code : `threw ${String(err)}: ${xml}`;
      }
    });
    expect(codes).toEqual(bad.map(() => 'PARLEY_E_COT_MALFORMED'));
  });

  it('a long callsign is cut to 64 characters', () => {
    const t = cotToTrack(event('a-f-S', { detail: `<contact callsign="${'N'.repeat(100)}"/>` }));
    expect(t.report.name).toBe('N'.repeat(64));
  });
});

const ship: CotEmitTrack = {
  id: 'ais:412345678',
  name: 'A&B <"Co\'> 海巡\u0007',
  party: 'other',
  domain: 'surface',
  lat: 16.5,
  lon: 112.25,
  sog: 14.2,
  cog: 231,
  altFt: null,
  at: T0,
};

describe('cot emit', () => {
  it('a track becomes an atom event the ingest reads back', () => {
    const xml = trackToCot(ship, { now: T0 + 5000, staleMs: 60_000 });
    expect(xml).toMatch(/^<event version="2.0" uid="parley.ais:412345678" type="a-h-S" how="m-f" /);
    expect(xml).toContain('time="2025-06-01T08:00:05.000Z"');
    expect(xml).toContain('stale="2025-06-01T08:01:05.000Z"');
    expect(xml).not.toContain('_flow-tags_');
    const back = cotToTrack(xml);
    expect(back.report).toMatchObject({
      id: 'cot:parley.ais:412345678',
      name: 'A&B <"Co\'> 海巡', // the control character is not XML and is left out
      party: 'other',
      domain: 'surface',
      lat: 16.5,
      lon: 112.25,
      cog: 231,
      altFt: null,
      time: T0 + 5000,
    });
    expect(back.report.sog).toBeCloseTo(14.2, 9);
    expect(back.staleAt).toBe(T0 + 65_000);
  });

  it('affiliations for the receiving side are configurable', () => {
    const xml = trackToCot(
      { ...ship, party: 'third' },
      { affiliations: { own: 'f', other: 'h', third: 'n' } },
    );
    expect(xml).toContain('type="a-n-S"');
    expect(trackToCot({ ...ship, party: 'own', domain: 'air', altFt: 5000 })).toContain(
      'type="a-f-A"',
    );
  });

  it('an encounter becomes a u-d-f line between the units at the CPA', async () => {
    const xml = encounterToCot(
      {
        id: '1-2-1748764800000',
        level: 'danger',
        cpaNm: 0.18,
        tcpaMin: 12.5,
        cpaAt: T0 + 750_000,
        cpaA: { lat: 16.5, lon: 112.25 },
        cpaB: { lat: 16.503, lon: 112.251 },
        aName: 'DDG-89',
        bName: 'HAI JING 2901',
      },
      { now: T0 },
    );
    // Read it back with node-cot itself.
    const spec: string = '@tak-ps/node-cot';
    const { default: CoT } = (await import(spec)) as {
      default: new (x: string) => {
        to_geojson(): { properties: Record<string, unknown>; geometry: unknown };
      };
    };
    const f = new CoT(xml).to_geojson();
    expect(f.geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [112.25, 16.5],
        [112.251, 16.503],
      ],
    });
    expect(f.properties).toMatchObject({
      type: 'u-d-f',
      callsign: 'CPA 0.18 NM 0812Z',
      stroke: expect.stringMatching(/^#ff0000$/i),
      remarks:
        'danger encounter 1-2-1748764800000: DDG-89 / HAI JING 2901, CPA 0.18 NM in 12.5 min',
    });
    expect(code(() => cotToTrack(xml))).toBe('PARLEY_E_COT_UNSUPPORTED');
  });

  it('numbers that are not numbers are refused', () => {
    expect(code(() => trackToCot({ ...ship, lat: NaN }))).toBe('PARLEY_E_COT_MALFORMED');
    expect(code(() => trackToCot({ ...ship, at: Infinity }))).toBe('PARLEY_E_COT_MALFORMED');
  });
});

// ---- properties ----

const finite = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));

const emitTrack: fc.Arbitrary<CotEmitTrack> = fc.record({
  id: fc.stringMatching(/^[a-z]{2,8}:[\x21-\x7e]{1,40}$/),
  name: fc.option(
    fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s !== ''),
    {
      nil: null,
    },
  ),
  party: fc.constantFrom(...(['own', 'other', 'third'] as const)),
  domain: fc.constantFrom(...(['surface', 'air'] as const)),
  lat: finite(-90, 90),
  lon: finite(-180, 180),
  sog: finite(0, 1000),
  cog: finite(0, 359.999),
  altFt: fc.option(finite(-1000, 60_000), { nil: null }),
  vsFpm: fc.option(finite(-6000, 6000), { nil: null }),
  at: fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }),
});

describe('cot properties', () => {
  it('track → CoT → track keeps what CoT can carry', () => {
    fc.assert(
      fc.property(emitTrack, (t) => {
        const r = cotToTrack(trackToCot(t)).report;
        const air = t.domain === 'air';
        expect(r.id).toBe(`cot:parley.${t.id}`);
        expect(r.name).toBe(t.name ?? t.id);
        expect([r.party, r.domain, r.lat, r.lon, r.time]).toEqual([
          t.party,
          t.domain,
          t.lat,
          t.lon,
          t.at,
        ]);
        expect(r.sog).toBeCloseTo(t.sog, 6);
        // A course is kept whenever there is motion to have one.
        if (t.sog > 1e-6) expect(r.cog).toBeCloseTo(t.cog, 9);
        expect(r.altFt === null).toBe(!air || t.altFt === null);
        if (air && t.altFt !== null) expect(r.altFt).toBeCloseTo(t.altFt, 6);
        if (air && t.vsFpm) expect(r.vsFpm).toBeCloseTo(t.vsFpm, 4);
        if (!air) expect(r.vsFpm).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('random text and mutated events give coded errors, never anything else', () => {
    const valid = event('a-h-S-X', {
      detail: '<contact callsign="X"/><track course="10" speed="3"/>',
    });
    const mutated = fc
      .tuple(fc.nat(valid.length), fc.nat(20), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([at, del, ins]) => valid.slice(0, at) + ins + valid.slice(at + del));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), mutated), (xml) => {
        try {
          const t = cotToTrack(xml);
          expect(t.report.id.startsWith('cot:')).toBe(true);
        } catch (err) {
          expect(isParleyError(err) && /^PARLEY_E_COT_/.test(err.code), String(err)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
