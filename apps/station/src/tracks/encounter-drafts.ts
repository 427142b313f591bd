/**
 * The wording of an encounter draft: which catalogue message an own unit's side proposes to send
 * about an encounter with one of the other party's units, under the Rules of the Road
 * (docs/encounters.md).
 *
 * Surface (the COLREGS situation is fixed when the pair first has a risk of collision, and kept
 * for the encounter: Rule 13(d), and the stand-on's duty lasts until finally past and clear):
 * - own unit gives way (crossing with the other on her starboard side, or overtaking): MAN-19,
 *   own intention (the turn the rules expect) and a request that the other hold course and speed;
 * - head-on: MAN-21, both alter to starboard;
 * - own unit stands on: MAN-20, own intention to hold course and speed and a request that the
 *   other keep out of the way; once the own unit has turned (≥ `MANOEUVRE_DEG`) or slowed
 *   (≥ `MANOEUVRE_KN`) since the classification, MAN-22 (Rule 17(a)(ii), (b)): she is manoeuvring
 *   to avoid collision, and the other is still asked to keep out of the way;
 * - no rule names a give-way unit: MAN-23, own intention to hold course and speed and a request to
 *   keep well clear and state intentions.
 * Air: AIR-13 (increase separation).
 *
 * Timing: the precedence proposed is FLASH for danger, IMMEDIATE for caution; the encounter
 * channel's handling objective for it (FLASH 10 min by default) is the time the other side needs
 * to have understood the message. Time to act = TCPA − objective. When it is not positive the
 * hotline cannot help in time: the surface draft opens with the note "FOR RECORD, the ships act
 * bridge-to-bridge (VHF, CUES)".
 */
import {
  CATALOGUE_VERSION,
  DEFAULT_HANDLING_MS,
  parseCatalogueMessage,
  renderCatalogueMessage,
} from '@parley/core';
import type { CatalogueMessage, Precedence, TrackRecord } from '@parley/core';
import { giveWayTurn, norm360 } from '@parley/geo';
import type { Colregs, Encounter, Motion, Turn } from '@parley/geo';

const MIN_MS = 60_000;
/** A stand-on unit whose course changed by this much since the classification is manoeuvring. */
export const MANOEUVRE_DEG = 10;
/** … or whose speed dropped by this much, knots. */
export const MANOEUVRE_KN = 3;

export interface EncounterDraft {
  channel: string | null;
  code: string;
  params: Record<string, unknown>;
  precedence: Precedence;
  text: { en: string; zh: string };
  status: 'pending' | 'sent' | 'discarded';
  messageId?: string;
  /** Pair drafts: TCPA − the channel's handling objective for `precedence`, minutes, when drafted. */
  timeToActMin?: number;
  /** Pair drafts: `timeToActMin` ≤ 0, so the draft is for record; the ships act bridge-to-bridge. */
  forRecord?: boolean;
}

/** The sticky classification of an encounter, with the own unit's motion when it was made. */
export interface EncounterRules {
  /** In the encounter's a/b order (track handles, a < b). */
  colregs: Colregs;
  /** Course and speed of each unit when classified. */
  at: { a: { cog: number; sog: number }; b: { cog: number; sog: number } };
}

/** The precedence proposed for an encounter of this level. */
export function draftPrecedence(level: Encounter['level']): Precedence {
  return level === 'danger' ? 'FLASH' : 'IMMEDIATE';
}

/** The handling objective of `precedence` on a channel (its agreement), or the default, minutes. */
export function objectiveMin(
  precedence: Precedence,
  handling: Readonly<Record<Precedence, number>> | undefined,
): number {
  return (handling ?? DEFAULT_HANDLING_MS)[precedence] / MIN_MS;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Signed change of course from `from` to `to`, degrees in (−180, 180]. */
function courseChange(from: number, to: number): number {
  const d = norm360(to - from);
  return d > 180 ? d - 360 : d;
}

/** What the own unit's side proposes: the catalogue code and its rule-specific parameters. */
export function draftPlan(
  rules: EncounterRules | undefined,
  ownIs: 'a' | 'b',
  ownNow: { cog: number; sog: number },
): { code: string; params: Record<string, unknown> } {
  const c = rules?.colregs;
  if (!rules || !c || c.situation === null || c.giveWay === null)
    return { code: 'MAN-23', params: {} };
  if (c.giveWay === 'both') return { code: 'MAN-21', params: {} };
  const rel = ownIs === 'a' ? c.relA : c.relB;
  if (c.giveWay === ownIs)
    return {
      code: 'MAN-19',
      params: { situation: c.situation, turn: giveWayTurn(c.situation, rel ?? 0) },
    };
  const then = rules.at[ownIs];
  const turned = courseChange(then.cog, ownNow.cog);
  const slowed = then.sog - ownNow.sog;
  if (Math.abs(turned) >= MANOEUVRE_DEG || slowed >= MANOEUVRE_KN) {
    const turn: Turn | undefined =
      Math.abs(turned) >= MANOEUVRE_DEG ? (turned > 0 ? 'starboard' : 'port') : undefined;
    return { code: 'MAN-22', params: { situation: c.situation, ...(turn ? { turn } : {}) } };
  }
  return { code: 'MAN-20', params: { situation: c.situation } };
}

/** Builds an encounter draft for the own unit `own` (motion `m` now) against the other's unit. */
export function buildDraft(opts: {
  e: Encounter;
  own: TrackRecord;
  m: Motion;
  ownIs: 'a' | 'b';
  rules: EncounterRules | undefined;
  now: number;
  channel: string | null;
  handling: Readonly<Record<Precedence, number>> | undefined;
}): EncounterDraft {
  const { e, own, m, now } = opts;
  const precedence = draftPrecedence(e.level);
  const timeToActMin = round(e.tcpaMin - objectiveMin(precedence, opts.handling), 2);
  const forRecord = !(timeToActMin > 0);
  const cpaAt = Math.round(now + Math.max(0, e.tcpaMin) * MIN_MS);
  const distance =
    e.cpaNm < 1
      ? { value: Math.round(e.cpaNm * 2025.372), unit: 'yd' as const }
      : { value: Math.round(e.cpaNm * 10) / 10, unit: 'nm' as const };
  const unit = (own.name ?? own.id.slice(own.id.indexOf(':') + 1)).slice(0, 40);
  const position = { lat: round(m.lat, 4), lon: round(m.lon, 4) };
  const course = round(m.cog, 0) % 360;
  let msg: CatalogueMessage;
  if (e.domain === 'air') {
    msg = parseCatalogueMessage({
      v: CATALOGUE_VERSION,
      code: 'AIR-13',
      params: {
        unit,
        position,
        altitude: Math.round(m.altFt ?? 0),
        course,
        distance,
        time: cpaAt,
      },
    });
  } else {
    const plan = draftPlan(opts.rules, opts.ownIs, { cog: m.cog, sog: m.sog });
    msg = parseCatalogueMessage({
      v: CATALOGUE_VERSION,
      code: plan.code,
      params: {
        ...(forRecord ? { note: 'record' } : {}),
        unit,
        position,
        course,
        speed: round(m.sog, 1),
        distance,
        time: cpaAt,
        ...plan.params,
      },
    });
  }
  return {
    channel: opts.channel,
    code: msg.code,
    params: msg.params,
    precedence,
    text: { en: renderCatalogueMessage(msg, 'en'), zh: renderCatalogueMessage(msg, 'zh') },
    status: 'pending',
    timeToActMin,
    forRecord,
  };
}

/**
 * Whether a held draft gives way to a newly built one: a pending draft whenever what it proposes
 * changed (code, its rule parameters, the record note or the precedence); a sent or discarded one
 * only when the code changed (a new role or action: e.g. the stand-on unit starts manoeuvring).
 */
export function supersedes(held: EncounterDraft | undefined, next: EncounterDraft): boolean {
  if (!held) return true;
  const key = (d: EncounterDraft) =>
    JSON.stringify([d.code, d.params['situation'], d.params['turn'], d.forRecord, d.precedence]);
  if (held.status === 'pending') return key(held) !== key(next);
  return held.code !== next.code;
}
