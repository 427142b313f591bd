/**
 * A pair encounter as the API serves it, and the Rules of the Road classification of a pair of
 * tracks: pure functions of the track records, the time and the encounter (the track service
 * holds the state).
 */
import type { Precedence, TrackRecord } from '@parley/core';
import { classifyEncounter, cpa, deadReckon, swapColregs, wrapLon } from '@parley/geo';
import type { Colregs, Encounter, GiveWay, Motion, RiskLevel, Situation } from '@parley/geo';
import { draftPrecedence, objectiveMin } from './encounter-drafts.js';
import type { EncounterDraft, EncounterRules } from './encounter-drafts.js';

const MIN_MS = 60_000;

export interface EncounterView {
  id: string;
  /** A pair of units (this view), or a unit and a notice area (`AreaEncounterView`). */
  kind: 'pair';
  a: string;
  b: string;
  aName: string | null;
  bName: string | null;
  domain: 'surface' | 'air';
  level: 'caution' | 'danger';
  state: Encounter['state'];
  /** Why a resolved encounter ended: cleared, gone (a unit left the picture) or reopened. */
  reason: string | null;
  cpaNm: number;
  tcpaMin: number;
  /**
   * TCPA − the encounter channel's handling objective for the precedence a draft would propose
   * (FLASH for danger, IMMEDIATE for caution), minutes: ≤ 0 means the hotline cannot help in time.
   */
  timeToActMin: number;
  rangeNm: number;
  bearingDeg: number | null;
  vsepFt: number | null;
  /** Rules of the Road situation (surface; fixed when first classified), or null. */
  situation: Situation | null;
  /** Which of this view's a and b gives way: a, b, both (head-on), or null. */
  giveWay: GiveWay | null;
  cpaAt: number;
  cpaA: { lat: number; lon: number } | null;
  cpaB: { lat: number; lon: number } | null;
  since: number;
  updatedAt: number;
  draft: EncounterDraft | null;
}

/** The motion of a track dead-reckoned to `now` (ms). */
export function motionOf(t: TrackRecord, now: number): Motion {
  const min = (now - t.at) / MIN_MS;
  const p = deadReckon({ lat: t.lat, lon: t.lon, sog: t.sog, cog: t.cog }, min);
  const m: Motion = { lat: p.lat, lon: p.lon, sog: t.sog, cog: t.cog };
  if (t.altFt !== null) m.altFt = t.altFt + (t.vsFpm ?? 0) * min;
  if (t.vsFpm !== null) m.vsFpm = t.vsFpm;
  return m;
}

/**
 * The Rules of the Road classification of two tracks at `now` (ta is the encounter's a), with
 * their course and speed then, or undefined when no rule applies yet (see colregs.ts). The
 * station classifies an encounter the first time this gives an answer, and keeps it: Rule 13(d),
 * and the stand-on's duty lasts until the vessels are finally past and clear.
 */
export function classifyPair(
  ta: TrackRecord,
  tb: TrackRecord,
  now: number,
  levels: readonly RiskLevel[],
): EncounterRules | undefined {
  const ma = motionOf(ta, now);
  const mb = motionOf(tb, now);
  const unit = (t: TrackRecord, m: Motion) => ({
    cog: m.cog,
    sog: m.sog,
    heading: t.heading,
    surface: t.domain === 'surface',
  });
  const colregs = classifyEncounter(unit(ta, ma), unit(tb, mb), cpa(ma, mb), levels);
  if (colregs.situation === null) return undefined;
  return { colregs, at: { a: { cog: ma.cog, sog: ma.sog }, b: { cog: mb.cog, sog: mb.sog } } };
}

/**
 * An encounter as served: the own unit first when one is own (CPA and bearing are symmetric; the
 * bearing turns round and a and b of the classification swap).
 */
export function pairView(
  e: Encounter,
  now: number,
  ctx: {
    ia: string;
    ib: string;
    a: TrackRecord | undefined;
    b: TrackRecord | undefined;
    colregs: Colregs | undefined;
    draft: EncounterDraft | null;
    handling: Readonly<Record<Precedence, number>> | undefined;
  },
): EncounterView {
  let { ia, ib, a, b, colregs } = ctx;
  let bearing = e.bearingDeg;
  if (b?.party === 'own' && a?.party !== 'own') {
    [ia, ib] = [ib, ia];
    [a, b] = [b, a];
    if (bearing !== undefined) bearing = (bearing + 180) % 360;
    if (colregs) colregs = swapColregs(colregs);
  }
  const objective = objectiveMin(draftPrecedence(e.level), ctx.handling);
  const ma = a && motionOf(a, now);
  const mb = b && motionOf(b, now);
  const c = ma && mb ? cpa(ma, mb) : undefined;
  const at = (m: Motion | undefined) => {
    if (!m) return null;
    const p = deadReckon(m, Math.max(0, e.tcpaMin));
    return { lat: p.lat, lon: wrapLon(p.lon) };
  };
  return {
    id: e.id,
    kind: 'pair',
    a: ia,
    b: ib,
    aName: a?.name ?? null,
    bName: b?.name ?? null,
    domain: e.domain,
    level: e.level,
    state: e.state,
    reason: e.reason ?? null,
    cpaNm: e.cpaNm,
    tcpaMin: e.tcpaMin,
    timeToActMin: Math.round((e.tcpaMin - objective) * 100) / 100,
    rangeNm: e.rangeNm,
    bearingDeg: bearing ?? c?.bearingDeg ?? null,
    vsepFt: e.vsepFt ?? null,
    situation: colregs?.situation ?? null,
    giveWay: colregs?.giveWay ?? null,
    cpaAt: Math.round(e.updatedAt + e.tcpaMin * MIN_MS),
    cpaA: at(ma),
    cpaB: at(mb),
    since: e.since,
    updatedAt: e.updatedAt,
    draft: ctx.draft,
  };
}
