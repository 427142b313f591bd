/**
 * Encounter drafts under the Rules of the Road, from both sides of the Gaven Reef encounter
 * (30 Sep 2018), through two real track services (one per station, each its own SQLite track
 * store, the same manual clock), step by step:
 * 1. LANZHOU shadows DECATUR 1 nm off her port beam on the same course and speed: range under
 *    2 nm (caution), but parallel (no closing, tcpa 0): no risk of collision, no rule; each side
 *    states its intention to hold course and speed and asks the other to keep clear (MAN-23).
 * 2. LANZHOU turns across DECATUR's bow (23.3 kn on 014): CPA 45 yd in 3 min, danger. DECATUR
 *    heads 315 and sees LANZHOU on her port beam (relative 271°); LANZHOU sees DECATUR on her
 *    starboard bow (relative 032°): crossing, LANZHOU gives way (Rule 15), DECATUR stands on
 *    (Rule 17). Alpha: MAN-20 (hold course and speed; you keep out of my way). Bravo: MAN-19
 *    (I alter to starboard; you hold course and speed). 3 min is inside FLASH's 10 min objective:
 *    both drafts are FOR RECORD (bridge-to-bridge).
 * 3. LANZHOU holds on; DECATUR acts (Rule 17(b)): to starboard (not to port for a ship on her own
 *    port side, Rule 17(c)) onto 000 and down to 6 kn. Alpha: MAN-22 (manoeuvring to avoid
 *    collision, altering to starboard; you keep out of my way). Bravo's draft is unchanged: the
 *    crossing stays a crossing (the situation is kept once classified), LANZHOU still gives way.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteTrackStore } from '@parley/store';
import { LiveBus } from '../src/hotline/live-bus.js';
import { TrackService } from '../src/tracks/track-service.js';
import type { EncounterView } from '../src/tracks/track-service.js';
import { tempRoot } from './harness.js';

const RAD = Math.PI / 180;
const NM_LAT = 1 / 60;
const T0 = Date.UTC(2018, 8, 30, 14, 0);

function offset(p: { lat: number; lon: number }, bearing: number, nm: number) {
  return {
    lat: p.lat + nm * Math.cos(bearing * RAD) * NM_LAT,
    lon: p.lon + (nm * Math.sin(bearing * RAD) * NM_LAT) / Math.cos(p.lat * RAD),
  };
}

describe('encounter drafts follow the Rules of the Road (Gaven Reef, both sides)', () => {
  it('shadowing: no rule; crossing: LANZHOU gives way, DECATUR stands on; DECATUR acts under Rule 17(b)', async () => {
    const root = await tempRoot('parley-colregs-');
    const clock = { t: T0, now: () => clock.t };
    const station = (name: string) => {
      const store = new SqliteTrackStore(join(root, `${name}.sqlite`));
      const service = new TrackService(
        store,
        clock,
        new LiveBus(),
        { channels: () => Promise.resolve([]) },
        { tickMs: 0, screenThreadsMin: 0 },
      );
      return { store, service };
    };
    const alpha = station('alpha');
    const bravo = station('bravo');
    const d = { lat: 10.15, lon: 114.27 };
    const l = offset(offset(d, 225, 1), 315, 45 / 2025.4); // port beam, 45 yd ahead of it
    const report = async (
      dm: { lat: number; lon: number; cog: number; sog: number },
      lm: { lat: number; lon: number; cog: number; sog: number },
    ) => {
      const unit = (id: string, name: string, m: typeof dm, party: 'own' | 'other') => ({
        id,
        name,
        party,
        domain: 'surface',
        ...m,
        heading: m.cog,
        time: clock.t,
      });
      alpha.service.report([
        unit('stn:DDG-73', 'DECATUR', dm, 'own'),
        unit('stn:DDG-170', 'LANZHOU 170', lm, 'other'),
      ]);
      bravo.service.report([
        unit('stn:DDG-170', 'LANZHOU 170', lm, 'own'),
        unit('stn:DDG-73', 'DECATUR', dm, 'other'),
      ]);
      await alpha.service.tick();
      await bravo.service.tick();
      const one = (s: TrackService) => {
        const list = s
          .encounters()
          .encounters.filter((e) => e.kind === 'pair' && e.state !== 'resolved');
        expect(list).toHaveLength(1);
        return list[0] as EncounterView;
      };
      return { a: one(alpha.service), b: one(bravo.service) };
    };

    try {
      // 1. Shadowing.
      const s1 = await report({ ...d, cog: 315, sog: 12 }, { ...l, cog: 315, sog: 12 });
      for (const e of [s1.a, s1.b]) {
        expect(e).toMatchObject({ level: 'caution', situation: null, giveWay: null });
        expect(e.draft).toMatchObject({ code: 'MAN-23', precedence: 'IMMEDIATE', forRecord: true });
        expect(e.draft!.text.en).toContain(
          'I intend to maintain my course and speed; request you keep well clear of me',
        );
        expect(e.draft!.text.zh).toContain('我舰拟保持航向和航速');
      }
      expect(s1.a.draft!.text.en).toMatch(/^FOR RECORD.*: My ship DECATUR/);
      expect(s1.b.draft!.text.en).toMatch(/^FOR RECORD.*: My ship LANZHOU 170/);

      // 2. LANZHOU turns across the bow: her motion is DECATUR's plus 20 kn towards 045.
      clock.t += 10_000;
      const dm = { ...offset(d, 315, 12 / 360), cog: 315, sog: 12 };
      const ve = 12 * Math.sin(315 * RAD) + 20 * Math.sin(45 * RAD);
      const vn = 12 * Math.cos(315 * RAD) + 20 * Math.cos(45 * RAD);
      const lm = {
        ...offset(l, 315, 12 / 360),
        cog: (Math.atan2(ve, vn) / RAD + 360) % 360,
        sog: Math.hypot(ve, vn),
      };
      const s2 = await report(dm, lm);
      // Alpha lists DECATUR (own) as a; Bravo lists LANZHOU (own) as a.
      expect(s2.a).toMatchObject({ level: 'danger', situation: 'crossing', giveWay: 'b' });
      expect(s2.b).toMatchObject({ level: 'danger', situation: 'crossing', giveWay: 'a' });
      expect(s2.a.cpaNm * 2025.4).toBeLessThan(60);
      expect(s2.a.tcpaMin).toBeCloseTo(3, 0);
      expect(s2.a.timeToActMin).toBeCloseTo(s2.a.tcpaMin - 10, 1); // FLASH: 10 min objective
      expect(s2.a.draft).toMatchObject({ code: 'MAN-20', precedence: 'FLASH', forRecord: true });
      expect(s2.a.draft!.params).toMatchObject({ situation: 'crossing', note: 'record' });
      expect(s2.a.draft!.text.en).toContain(
        'crossing situation with your ship, closest point of approach',
      );
      expect(s2.a.draft!.text.en).toMatch(
        /You are the give-way vessel: request you keep out of my way\. I am the stand-on vessel and I am maintaining my course and speed$/,
      );
      expect(s2.a.draft!.text.zh).toContain(
        '你舰为让路船，请你避让我舰。我舰为直航船，正在保持航向和航速',
      );
      expect(s2.b.draft).toMatchObject({ code: 'MAN-19', precedence: 'FLASH', forRecord: true });
      expect(s2.b.draft!.params).toMatchObject({ situation: 'crossing', turn: 'starboard' });
      expect(s2.b.draft!.text.en).toMatch(
        /I am the give-way vessel: I am altering my course to starboard to keep out of your way\. Request you maintain your course and speed$/,
      );
      expect(s2.b.draft!.text.zh).toContain(
        '我舰为让路船，正在向右转向，避让你舰。请你保持航向和航速',
      );
      // Neither side asks the stand-on DECATUR to turn.
      for (const e of [s2.a, s2.b]) expect(e.draft!.text.en).not.toMatch(/request you alter/i);

      // 3. A minute on, LANZHOU has held on; DECATUR turns to starboard onto 000 at 6 kn.
      clock.t += 60_000;
      const vl = { e: ve / 60, n: vn / 60 }; // nm a minute
      const s3 = await report(
        { ...offset(dm, 315, 12 / 60), cog: 0, sog: 6 },
        {
          lat: lm.lat + vl.n * NM_LAT,
          lon: lm.lon + (vl.e * NM_LAT) / Math.cos(lm.lat * RAD),
          cog: lm.cog,
          sog: lm.sog,
        },
      );
      expect(s3.a).toMatchObject({ situation: 'crossing', giveWay: 'b' });
      expect(s3.a.draft).toMatchObject({ code: 'MAN-22', status: 'pending' });
      expect(s3.a.draft!.params).toMatchObject({ situation: 'crossing', turn: 'starboard' });
      expect(s3.a.draft!.text.en).toMatch(
        /You are the give-way vessel and you are not keeping out of my way: I am maneuvering to avoid collision, altering my course to starboard\. Request you keep out of my way$/,
      );
      expect(s3.a.draft!.text.en).toContain('course 000°, speed 6 kn');
      expect(s3.a.draft!.text.zh).toContain('我舰正在采取避碰行动，向右转向。请你避让我舰');
      expect(s3.b).toMatchObject({ situation: 'crossing', giveWay: 'a' });
      expect(s3.b.draft).toMatchObject({ code: 'MAN-19' });
    } finally {
      await alpha.service.stop();
      await bravo.service.stop();
      alpha.store.close();
      bravo.store.close();
    }
  });
});
