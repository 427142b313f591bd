// From decoded AIS to track updates, on gpsd's sample log: every position report becomes a
// position at gpsd's coordinates with sentinels never leaking as numbers, static data becomes a
// name, and MMSI / MID party maps resolve as documented. Dead reckoning is checked against the
// CPA: a stationary unit placed where `deadReckon` puts a mover after t minutes is met by that
// mover at that point, at that time.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AisDecoder, aisParty, aisTrackUpdate, cpa, deadReckon, wrapLon } from '@parley/geo';
import type { AisMessage } from '@parley/geo';
import { fixtureLines, gpsdRecords } from './ais-fixtures.js';

function decoded(): AisMessage[] {
  const d = new AisDecoder();
  return fixtureLines('sample.aivdm')
    .map((l) => d.push(l))
    .filter((m): m is AisMessage => m !== null);
}

describe('AIS to track updates', () => {
  const msgs = decoded();
  const updates = msgs.map(aisTrackUpdate);

  it('gives a position for every position report with a valid fix, at gpsd’s coordinates', () => {
    const gpsd = gpsdRecords('sample.aivdm', true);
    let positions = 0;
    msgs.forEach((m, i) => {
      const u = updates[i];
      const g = gpsd[i]!;
      expect(g.mmsi).toBe(m.mmsi);
      if (![1, 2, 3, 9, 18, 19, 27].includes(m.type)) return;
      const valid = Math.abs(g.lat as number) <= 90 && Math.abs(g.lon as number) <= 180;
      if (!valid) {
        expect(u).toBeNull();
        return;
      }
      positions++;
      expect(u).toMatchObject({ kind: 'position', id: `ais:${m.mmsi}` });
      const p = u as Extract<typeof u, { kind: 'position' }>;
      // gpsd prints type 27's 1/10-minute positions to one decimal of a degree.
      const tol = m.type === 27 ? 0.05 : 1e-9;
      expect(Math.abs(p.lat - (g.lat as number))).toBeLessThanOrEqual(tol);
      expect(Math.abs(p.lon - (g.lon as number))).toBeLessThanOrEqual(tol);
      expect(p.domain).toBe(m.type === 9 ? 'air' : 'surface');
      expect(p.sog).toBeGreaterThanOrEqual(0);
      expect(p.cog).toBeGreaterThanOrEqual(0);
      expect(p.cog).toBeLessThan(360);
      if (p.heading !== null) expect(p.heading).toBeLessThan(360);
      if (
        typeof g.speed === 'number' &&
        g.speed < 102.3 &&
        typeof g.course === 'number' &&
        g.course < 360
      ) {
        expect(p.sog).toBe(g.speed);
        expect(p.cog).toBe(g.course);
      }
    });
    expect(positions).toBeGreaterThan(5);
  });

  it('gives names from static data, trimmed of AIS padding', () => {
    const names = updates.filter((u) => u?.kind === 'name');
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) {
      expect(n!.kind === 'name' && n.name).toMatch(/^\S(.*\S)?$/);
      expect(n!.kind === 'name' && n.name).not.toContain('@');
    }
  });

  it('never reports a "not available" speed or course as a number', () => {
    const base = msgs.find((m) => m.type === 1)!;
    const na = { ...base, speed: 'nan', course: 360, heading: 511 } as unknown as AisMessage;
    const u = aisTrackUpdate(na);
    expect(u).toMatchObject({ sog: 0, cog: 0, heading: null, motionKnown: false });
    const noFix = { ...base, lat: 91, lon: 181 } as unknown as AisMessage;
    expect(aisTrackUpdate(noFix)).toBeNull();
  });

  it('resolves parties by full MMSI first, then by MID, SAR aircraft by their inner MID', () => {
    const map = { own: ['366', '338', '412999999'], other: ['412', '413'] };
    expect(aisParty(366123456, map)).toBe('own');
    expect(aisParty(412123456, map)).toBe('other');
    expect(aisParty(412999999, map)).toBe('own');
    expect(aisParty(111412123, map)).toBe('other');
    expect(aisParty(235000000, map)).toBe('third');
  });
});

describe('dead reckoning', () => {
  const motion = fc.record({
    lat: fc.double({ min: -60, max: 60, noNaN: true }),
    lon: fc.double({ min: -180, max: 180, noNaN: true }),
    sog: fc.double({ min: 1, max: 40, noNaN: true }),
    cog: fc.double({ min: 0, max: 359.99, noNaN: true }),
  });

  it('a stationary unit at the reckoned point is met there, at that time (checked by the CPA)', () => {
    fc.assert(
      fc.property(motion, fc.double({ min: 1, max: 60, noNaN: true }), (m, t) => {
        const p = deadReckon(m, t);
        const c = cpa(m, { lat: p.lat, lon: p.lon, sog: 0, cog: 0 });
        const runNm = (m.sog * t) / 60;
        expect(c.cpaNm).toBeLessThanOrEqual(Math.max(0.001 * runNm, 10 / 1852));
        expect(Math.abs(c.tcpaMin - t)).toBeLessThanOrEqual(0.01 * t + 0.05);
      }),
      { numRuns: 300 },
    );
  });

  it('backwards undoes forwards, and longitudes stay in (−180, 180]', () => {
    fc.assert(
      fc.property(motion, fc.double({ min: -120, max: 120, noNaN: true }), (m, t) => {
        const p = deadReckon(m, t);
        expect(p.lon).toBeGreaterThan(-180);
        expect(p.lon).toBeLessThanOrEqual(180);
        const back = deadReckon({ ...m, lat: p.lat, lon: p.lon }, -t);
        expect(back.lat).toBeCloseTo(m.lat, 6);
        expect(Math.abs(wrapLon(back.lon - m.lon))).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('due north at 60 kn covers one degree of latitude in about an hour', () => {
    const p = deadReckon({ lat: 0, lon: 179.99, sog: 60, cog: 90 }, 60);
    expect(p.lon).toBeLessThan(-179); // across the antimeridian
    const n = deadReckon({ lat: 0, lon: 0, sog: 60, cog: 0 }, 60);
    expect(n.lat).toBeGreaterThan(0.99);
    expect(n.lat).toBeLessThan(1.01);
  });
});
