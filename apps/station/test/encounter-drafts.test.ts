/**
 * Which draft an own unit's side proposes (`draftPlan`), for every role, with the real
 * classification (packages/geo colregs.ts) and the real catalogue rendering (`buildDraft`).
 */
import { describe, expect, it } from 'vitest';
import { classifyEncounter, DEFAULT_THRESHOLDS } from '@parley/geo';
import type { Encounter } from '@parley/geo';
import type { TrackRecord } from '@parley/core';
import {
  buildDraft,
  draftPlan,
  supersedes,
  MANOEUVRE_DEG,
  MANOEUVRE_KN,
} from '../src/tracks/encounter-drafts.js';
import type { EncounterRules } from '../src/tracks/encounter-drafts.js';

const ship = (cog: number, sog = 12) => ({ cog, sog, surface: true });
/** The sticky rules of a pair, classified from headings and the bearing a → b. */
function rulesOf(ha: number, hb: number, brg: number): EncounterRules {
  const colregs = classifyEncounter(
    ship(ha),
    ship(hb),
    { bearingDeg: brg, cpaNm: 0.1, tcpaMin: 12 },
    DEFAULT_THRESHOLDS.surface,
  );
  return { colregs, at: { a: { cog: ha, sog: 12 }, b: { cog: hb, sog: 12 } } };
}

describe('draftPlan', () => {
  it('crossing: the give-way side turns to starboard, the stand-on side holds', () => {
    // hA 000, hB 270, brg 045: b on a's starboard bow (relA 45), a on b's port bow (relB 315).
    const r = rulesOf(0, 270, 45);
    expect(draftPlan(r, 'a', { cog: 0, sog: 12 })).toEqual({
      code: 'MAN-19',
      params: { situation: 'crossing', turn: 'starboard' },
    });
    expect(draftPlan(r, 'b', { cog: 270, sog: 12 })).toEqual({
      code: 'MAN-20',
      params: { situation: 'crossing' },
    });
  });

  it('the stand-on side that turns or slows past the thresholds is manoeuvring (MAN-22)', () => {
    const r = rulesOf(0, 270, 45); // b stands on, heading 270 at 12 kn when classified
    const turned = 270 + MANOEUVRE_DEG; // 280: to starboard
    expect(draftPlan(r, 'b', { cog: turned, sog: 12 })).toEqual({
      code: 'MAN-22',
      params: { situation: 'crossing', turn: 'starboard' },
    });
    expect(draftPlan(r, 'b', { cog: 270 - MANOEUVRE_DEG, sog: 12 }).params).toMatchObject({
      turn: 'port',
    });
    // Slowed, course held: manoeuvring, no turn named.
    expect(draftPlan(r, 'b', { cog: 270, sog: 12 - MANOEUVRE_KN })).toEqual({
      code: 'MAN-22',
      params: { situation: 'crossing' },
    });
    // Below both thresholds: still standing on.
    expect(draftPlan(r, 'b', { cog: 279, sog: 10 }).code).toBe('MAN-20');
    // Across north: 355 → 005 is a 10° turn to starboard.
    const n = rulesOf(355, 265, 40);
    expect(n.colregs.giveWay).toBe('a');
    expect(draftPlan(n, 'b', { cog: 275, sog: 12 }).params).toMatchObject({ turn: 'starboard' });
  });

  it('head-on: MAN-21 on both sides; overtaking: the overtaking side turns away from the other', () => {
    const h = rulesOf(0, 180, 0);
    expect(draftPlan(h, 'a', { cog: 0, sog: 12 }).code).toBe('MAN-21');
    expect(draftPlan(h, 'b', { cog: 180, sog: 12 }).code).toBe('MAN-21');
    // b right astern of a, a little to port of b's bow as b sees her: hA 000, hB 010, brg 190:
    // relA 190 (stern sector: b overtakes), relB = 010 − 010 = 0 … a dead ahead: starboard.
    const o = rulesOf(0, 10, 190);
    expect(o.colregs).toMatchObject({ situation: 'overtaking', giveWay: 'b' });
    expect(draftPlan(o, 'b', { cog: 10, sog: 12 }).params).toMatchObject({ turn: 'starboard' });
    // hA 000, hB 350, brg 185: relB = 005 − 350 = 015, a on b's starboard bow: b turns to port.
    const p = rulesOf(0, 350, 185);
    expect(draftPlan(p, 'b', { cog: 350, sog: 12 }).params).toMatchObject({
      situation: 'overtaking',
      turn: 'port',
    });
    expect(draftPlan(p, 'a', { cog: 0, sog: 12 }).code).toBe('MAN-20');
  });

  it('no rule: MAN-23', () => {
    expect(draftPlan(undefined, 'a', { cog: 0, sog: 12 }).code).toBe('MAN-23');
  });
});

describe('buildDraft and supersedes', () => {
  const own: TrackRecord = {
    id: 'stn:DDG-73',
    name: 'DECATUR',
    party: 'own',
    source: 'station',
    domain: 'surface',
    lat: 10,
    lon: 114,
    sog: 12,
    cog: 0,
    heading: null,
    altFt: null,
    vsFpm: null,
    at: 0,
  } as TrackRecord;
  const e = (tcpaMin: number, level: 'danger' | 'caution'): Encounter => ({
    id: 'x',
    a: 0,
    b: 1,
    domain: 'surface',
    level,
    state: 'active',
    cpaNm: 0.1,
    tcpaMin,
    rangeNm: 3,
    since: 0,
    stateSince: 0,
    updatedAt: 0,
  });
  const draft = (tcpaMin: number, level: 'danger' | 'caution' = 'danger') =>
    buildDraft({
      e: e(tcpaMin, level),
      own,
      m: { lat: 10, lon: 114, sog: 12, cog: 0 },
      ownIs: 'a',
      rules: rulesOf(0, 270, 45),
      now: 0,
      channel: 'scs-tactical',
      handling: undefined,
    });

  it('time to act is TCPA − the objective of the precedence; none left means for record', () => {
    const early = draft(12);
    expect(early).toMatchObject({ code: 'MAN-19', precedence: 'FLASH', timeToActMin: 2 });
    expect(early.forRecord).toBe(false);
    expect(early.text.en).toMatch(/^My ship DECATUR/);
    const late = draft(10); // exactly the 10 min objective: no time left
    expect(late).toMatchObject({ timeToActMin: 0, forRecord: true });
    expect(late.text.en).toMatch(/^FOR RECORD, the ships act bridge-to-bridge \(VHF, CUES\): /);
    expect(late.text.zh).toMatch(/^仅供备案/);
    // Caution proposes IMMEDIATE: 30 min objective.
    expect(draft(12, 'caution')).toMatchObject({ precedence: 'IMMEDIATE', timeToActMin: -18 });
  });

  it('a pending draft is redrafted when what it proposes changes; a sent one only for a new code', () => {
    const early = draft(12);
    expect(supersedes(undefined, early)).toBe(true);
    expect(supersedes(early, draft(11))).toBe(false); // same proposal, other numbers
    expect(supersedes(early, draft(9))).toBe(true); // now for record
    const sent = { ...early, status: 'sent' as const };
    expect(supersedes(sent, draft(9))).toBe(false);
    const other = buildDraft({
      e: e(12, 'danger'),
      own,
      m: { lat: 10, lon: 114, sog: 12, cog: 270 }, // b's course when classified: standing on
      ownIs: 'b',
      rules: rulesOf(0, 270, 45),
      now: 0,
      channel: null,
      handling: undefined,
    });
    expect(other.code).toBe('MAN-20');
    expect(supersedes(sent, other)).toBe(true);
  });
});
