/**
 * COLREGS classification (Rules 13, 14, 15): hand-worked cases, the boundary bearings, cases
 * through the real CPA, then properties (swapping a and b swaps give_way; rotating the whole
 * picture changes nothing).
 *
 * Notation in the comments: h = heading (the COG here), brg = true bearing a → b, relA = relative
 * bearing of b seen from a = brg − hA, relB = relative bearing of a seen from b = brg + 180 − hB
 * (mod 360). Sectors: starboard side (0, 112.5), stern sector [112.5, 247.5], port side
 * (247.5, 360), dead ahead 0. Head-on: |relA|, |relB| ≤ 6 and |hB − hA − 180| ≤ 6.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyEncounter,
  colregsOf,
  cpa,
  giveWayTurn,
  swapColregs,
  DEFAULT_THRESHOLDS,
} from '@parley/geo';
import type { ColregsGeometry, ColregsUnit, Motion } from '@parley/geo';

const RISK = DEFAULT_THRESHOLDS.surface; // danger 0.25 nm / 15 min, caution 2 nm / 30 min
const ship = (cog: number, sog = 12): ColregsUnit => ({ cog, sog, surface: true });
/** Closing to 0.1 nm in 10 min: a risk of collision under both surface levels. */
const close = (bearingDeg: number): ColregsGeometry => ({ bearingDeg, cpaNm: 0.1, tcpaMin: 10 });
const of = (ha: number, hb: number, brg: number, g: Partial<ColregsGeometry> = {}) => {
  const c = classifyEncounter(ship(ha), ship(hb), { ...close(brg), ...g }, RISK);
  return { situation: c.situation, giveWay: c.giveWay, rule: c.rule };
};

describe('head-on (Rule 14): both give way', () => {
  it('reciprocal courses, each dead ahead of the other', () => {
    // hA 000, hB 180, brg 000: relA = 0, relB = 180 − 180 = 0, hB − hA − 180 = 0.
    expect(of(0, 180, 0)).toEqual({ situation: 'head-on', giveWay: 'both', rule: 14 });
  });

  it('at the tolerance, 6°, it is still head-on (Rule 14(c): in doubt, assume it)', () => {
    // hA 000, hB 186, brg 006: relA = 6, relB = 186 − 186 = 0, headings differ by 186 = 180 + 6.
    expect(of(0, 186, 6).situation).toBe('head-on');
    // hA 000, hB 180, brg 354: relA = 354 (−6), relB = 174 − 180 = −6, headings 180.
    expect(of(0, 180, 354).situation).toBe('head-on');
  });

  it('past the tolerance it is a crossing: the one with the other on her starboard bow gives way', () => {
    // hA 000, hB 186.5, brg 006.5: relA = 6.5 (starboard bow), relB = 186.5 − 186.5 = 0 (a dead
    // ahead of b), headings differ by 186.5: b crosses a's bow from starboard; a gives way.
    expect(of(0, 186.5, 6.5)).toEqual({ situation: 'crossing', giveWay: 'a', rule: 15 });
    // hA 000, hB 187, brg 006: relA = 6, relB = 186 − 187 = 359 (port), headings 187: the same.
    expect(of(0, 187, 6)).toEqual({ situation: 'crossing', giveWay: 'a', rule: 15 });
  });
});

describe('crossing (Rule 15): the vessel with the other on her starboard side gives way', () => {
  it('b on a’s starboard bow, crossing from starboard to port: a gives way, b stands on', () => {
    // hA 000, hB 270, brg 045: relA = 45 (starboard), relB = 225 − 270 = 315 (port).
    expect(of(0, 270, 45)).toEqual({ situation: 'crossing', giveWay: 'a', rule: 15 });
  });

  it('b on a’s port bow: b gives way, a stands on', () => {
    // hA 000, hB 090, brg 315: relA = 315 (port), relB = 135 − 90 = 45 (starboard).
    expect(of(0, 90, 315)).toEqual({ situation: 'crossing', giveWay: 'b', rule: 15 });
  });

  it('b on a’s starboard beam, 22.4° abaft it, is still crossing: a gives way', () => {
    // hA 000, hB 350, brg 112.4: relA = 112.4 (< 112.5: starboard side, not the stern sector),
    // relB = 292.4 − 350 = 302.4 (port): b is the stand-on vessel.
    expect(of(0, 350, 112.4)).toEqual({ situation: 'crossing', giveWay: 'a', rule: 15 });
  });

  it('Gaven Reef, 30 Sep 2018: LANZHOU crosses DECATUR’s bow from her port beam and gives way', () => {
    // DECATUR (a) h 315 at 12 kn. LANZHOU (b) 1 nm off her port beam (brg 225), her motion
    // DECATUR's plus 20 kn across the bow (towards 045): 23.3 kn on 014. relA = 225 − 315 = 270
    // (port beam), relB ≈ 045 − 014 = 031 (starboard bow): LANZHOU has DECATUR on her starboard
    // side and gives way; DECATUR stands on. Through the real CPA: 45 yd ahead of the bow in 3 min.
    const rad = Math.PI / 180;
    const d: Motion = { lat: 10.16, lon: 114.27, sog: 12, cog: 315 };
    const ve = 12 * Math.sin(315 * rad) + 20 * Math.sin(45 * rad);
    const vn = 12 * Math.cos(315 * rad) + 20 * Math.cos(45 * rad);
    const ahead = 45 / 2025.4;
    const l: Motion = {
      lat: d.lat + (Math.cos(225 * rad) + ahead * Math.cos(315 * rad)) / 60,
      lon: d.lon + (Math.sin(225 * rad) + ahead * Math.sin(315 * rad)) / 60 / Math.cos(d.lat * rad),
      sog: Math.hypot(ve, vn),
      cog: (Math.atan2(ve, vn) / rad + 360) % 360,
    };
    const c = cpa(d, l);
    expect(c.cpaNm).toBeLessThan(0.05);
    expect(c.tcpaMin).toBeCloseTo(3, 0);
    const k = colregsOf(d, l, c);
    expect(k).toMatchObject({ situation: 'crossing', giveWay: 'b', rule: 15 });
    expect(k.relA).toBeCloseTo(271.3, 0); // the port beam, 45 yd ahead of it: 270 + atan(45/2025)
    expect(k.relB).toBeCloseTo(32.4, 0); // 046.4 (045 + the 1.4° of the 45 yd) − 014.0
    expect(giveWayTurn('crossing', k.relB!)).toBe('starboard');
    // Seen from LANZHOU's station (a and b swapped): she is a, and a gives way.
    expect(colregsOf(l, d, cpa(l, d))).toMatchObject({ situation: 'crossing', giveWay: 'a' });
  });
});

describe('overtaking (Rule 13): the overtaking vessel gives way', () => {
  it('b right astern of a and faster: b overtakes', () => {
    // hA 000, hB 000, brg 180: relA = 180 (stern sector), relB = 0 − 0 = 0.
    expect(of(0, 0, 180)).toEqual({ situation: 'overtaking', giveWay: 'b', rule: 13 });
  });

  it('exactly 22.5° abaft a’s starboard beam (relA 112.5) counts as overtaking (Rule 13(c))', () => {
    // hA 000, hB 350, brg 112.5: relA = 112.5, the boundary: abaft (in doubt, assume
    // overtaking); relB = 292.5 − 350 = 302.5. Compare 112.4 above: crossing, a gives way.
    expect(of(0, 350, 112.5)).toEqual({ situation: 'overtaking', giveWay: 'b', rule: 13 });
  });

  it('exactly 22.5° abaft a’s port beam (relA 247.5) counts as overtaking; 247.6 is crossing', () => {
    // hA 000, hB 010, brg 247.5: relA = 247.5 (boundary: stern sector), relB = 67.5 − 10 = 57.5.
    expect(of(0, 10, 247.5)).toEqual({ situation: 'overtaking', giveWay: 'b', rule: 13 });
    // brg 247.6: relA = 247.6 (port side), relB = 67.6 − 10 = 57.6 (starboard): b gives way
    // as the crossing vessel with a on her starboard side.
    expect(of(0, 10, 247.6)).toEqual({ situation: 'crossing', giveWay: 'b', rule: 15 });
  });

  it('a in b’s stern sector: a overtakes; overtaking wins over crossing (13(a) "notwithstanding")', () => {
    // hA 045, hB 000, brg 030: relA = 030 − 045 = 345, relB = 210 − 0 = 210 (stern sector).
    expect(of(45, 0, 30)).toEqual({ situation: 'overtaking', giveWay: 'a', rule: 13 });
  });

  it('the overtaking vessel turns away from the side the other is on', () => {
    expect(giveWayTurn('overtaking', 10)).toBe('port'); // overtaken on the starboard bow
    expect(giveWayTurn('overtaking', 350)).toBe('starboard'); // on the port bow
    expect(giveWayTurn('overtaking', 0)).toBe('starboard'); // dead ahead
    expect(giveWayTurn('head-on', 3)).toBe('starboard');
  });
});

describe('no rule applies', () => {
  it('no risk of collision: CPA outside 2 nm, past, parallel, or beyond 30 min', () => {
    expect(of(0, 270, 45, { cpaNm: 2 }).situation).toBeNull(); // 2 nm is not < 2 nm
    expect(of(0, 270, 45, { tcpaMin: -1 }).situation).toBeNull();
    expect(of(0, 270, 45, { tcpaMin: 0 }).situation).toBeNull(); // parallel, equal speed
    expect(of(0, 270, 45, { tcpaMin: 30.5 }).situation).toBeNull();
    expect(of(0, 270, 45, { cpaNm: 1.99, tcpaMin: 30 }).situation).toBe('crossing');
  });

  it('starboard to starboard, or port to port, outside the head-on tolerance', () => {
    // hA 000, hB 180, brg 045: relA = 45, relB = 225 − 180 = 45: each on the other's starboard.
    expect(of(0, 180, 45)).toEqual({ situation: null, giveWay: null, rule: null });
    // hA 000, hB 180, brg 315: relA = 315, relB = 135 − 180 = 315: each on the other's port.
    expect(of(0, 180, 315)).toEqual({ situation: null, giveWay: null, rule: null });
  });

  it('an aircraft, or a vessel with no heading and no way on', () => {
    const g = close(45);
    const air = { ...ship(270), surface: false };
    expect(classifyEncounter(ship(0), air, g, RISK).situation).toBeNull();
    const stopped = { cog: 270, sog: 0, surface: true };
    expect(classifyEncounter(ship(0), stopped, g, RISK).situation).toBeNull();
    // The same ship stopped with her heading reported (270): relB = 225 − 270 = 315, crossing.
    expect(classifyEncounter(ship(0), { ...stopped, heading: 270 }, g, RISK).giveWay).toBe('a');
    // Through cpa(): a unit with an altitude is an aircraft.
    const m: Motion = { lat: 0, lon: 0, sog: 300, cog: 90, altFt: 1000 };
    const n: Motion = { lat: 0, lon: 0.1, sog: 300, cog: 270, altFt: 1000 };
    expect(colregsOf(m, n, cpa(m, n)).situation).toBeNull();
    const { altFt: _ma, ...ms } = m;
    const { altFt: _na, ...ns } = n;
    expect(colregsOf(ms, ns, cpa(ms, ns)).situation).toBe('head-on');
  });
});

describe('properties', () => {
  // Half degrees and whole-degree rotations: every angle sum is exact in binary floating point,
  // so the boundaries are met exactly the same way before and after the transformation.
  const half = fc.integer({ min: 0, max: 719 }).map((n) => n / 2);
  const unit = fc.record({
    cog: half,
    sog: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 60 }).map((n) => n / 2),
    ),
    surface: fc.boolean(),
  });
  const geom = fc.record({
    bearingDeg: half,
    cpaNm: fc.integer({ min: 0, max: 30 }).map((n) => n / 10),
    tcpaMin: fc.integer({ min: -10, max: 40 }),
  });
  const SWAP = { a: 'b', b: 'a', both: 'both' } as const;

  it('swapping a and b swaps give_way and keeps the situation', () => {
    fc.assert(
      fc.property(unit, unit, geom, (a, b, g) => {
        const ab = classifyEncounter(a, b, g, RISK);
        const ba = classifyEncounter(b, a, { ...g, bearingDeg: (g.bearingDeg + 180) % 360 }, RISK);
        expect(ba.situation).toBe(ab.situation);
        expect(ba.giveWay).toBe(ab.giveWay === null ? null : SWAP[ab.giveWay]);
        expect(swapColregs(ab)).toEqual(ba);
      }),
      { numRuns: 3000 },
    );
  });

  it('rotating the whole picture leaves the situation and give_way unchanged', () => {
    fc.assert(
      fc.property(unit, unit, geom, fc.integer({ min: 1, max: 359 }), (a, b, g, r) => {
        const turn = (u: typeof a) => ({ ...u, cog: (u.cog + r) % 360 });
        const before = classifyEncounter(a, b, g, RISK);
        const after = classifyEncounter(
          turn(a),
          turn(b),
          { ...g, bearingDeg: (g.bearingDeg + r) % 360 },
          RISK,
        );
        expect(after).toEqual(before);
      }),
      { numRuns: 3000 },
    );
  });

  it('a situation comes with its give-way: head-on both, the others one unit', () => {
    fc.assert(
      fc.property(unit, unit, geom, (a, b, g) => {
        const c = classifyEncounter(a, b, g, RISK);
        if (c.situation === null) expect(c.giveWay).toBeNull();
        else if (c.situation === 'head-on') expect(c.giveWay).toBe('both');
        else expect(['a', 'b']).toContain(c.giveWay);
        if (c.situation !== null) expect(g.tcpaMin > 0 && g.cpaNm < 2).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
