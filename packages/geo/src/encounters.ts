/**
 * Encounters: the lifecycle of one close pair over successive screens, with hysteresis so that a
 * borderline pair does not flap.
 *
 * The screen (`screen.ts`) answers "which pairs are close now"; an encounter is one such pair
 * followed over time. `EncounterTracker.step(now, hits, measure)` is called after every screen
 * with that screen's hits, and `measure(a, b)` gives the present geometry (CPA, TCPA, range) of a
 * pair with an open encounter that the screen did not report, or undefined when either unit is no
 * longer tracked. It returns what changed; `encounters()` lists the current ones.
 *
 * Terms, for one pair and one level of its domain (cpaNm T, window W = min(withinMin, horizon),
 * vsepFt V; V = ∞ for surface levels; an unknown vertical separation counts as 0, a conflict):
 *   meets(L)      = (0 ≤ tcpa ≤ W and cpa < T and vsep < V) or (range < T and vsep < V)
 *                   — the screen's predicate, except that the range branch takes the vertical
 *                   separation at the CPA where the screen takes the present one; a screen hit
 *                   is counted as meeting its level whatever this gives;
 *   looseMeets(L) = the same with T, W and V multiplied by the hysteresis factor f (default 1.2).
 * "Held" means true at every step for at least `holdMs` (default 60 s) of screen time.
 *
 * States, in lifecycle order (an encounter only ever moves forward along it; a state may be
 * skipped, e.g. a pair first seen after its closest point opens directly as `past`):
 * - `projected`: the pair meets a level, its closest point lies ahead (tcpa ≥ 0) but beyond the
 *   active window, and the range is not yet inside the level's threshold.
 * - `active`: tcpa within the domain's active window (`activeMin`, default 15 min surface, 5 min
 *   air: the danger windows), or the range already inside the level's threshold T, and the
 *   closest point not yet passed.
 * - `past`: tcpa < 0, the closest point has been passed. The encounter stays `past` while the
 *   pair still loosely meets a level, which after the closest point means the range (and, for
 *   air, the vertical separation) has not opened beyond T × f.
 * - `resolved`: terminal, with a reason: `cleared` when no level has been loosely met, held (for a
 *   `past` encounter: the range has opened beyond T × f); `gone` at once when either unit left
 *   the track picture; `reopened` when a `past` pair is closing again: a hit whose closest point
 *   is at least `reopenMin` (default 2 min) ahead, held. A reopened pair gets a NEW encounter
 *   (new id) in the same step; noise of the TCPA around 0 cannot do that, since it would have to
 *   stay ahead for the whole hold time.
 * Resolved encounters stay listed for `retainResolvedMs` (default 10 min), then are dropped.
 *
 * Levels: an upgrade (caution → danger) takes effect at the step the pair meets the more severe
 * level; a downgrade only once the current level has not been loosely met, held, and then to the
 * most severe level loosely met. So a pair whose CPA wanders inside [T, T × f] keeps its level
 * and its encounter; opening a new encounter needs the strict threshold (a screen hit), ending
 * one needs T × f and the hold time.
 *
 * Ids are deterministic: `<a>-<b>-<first seen ms>` (override with `encounterId`), with a `~n`
 * suffix in the one case two encounters of a pair would be first seen at the same instant.
 */
import { ParleyError } from '@parley/core';
import { DEFAULT_THRESHOLDS } from './screen.js';
import type { Level, LevelThreshold, ScreenHit, Thresholds } from './screen.js';
import type { Domain } from './track-set.js';

/** Lifecycle states, in order. */
export type EncounterState = 'projected' | 'active' | 'past' | 'resolved';

/** The states in lifecycle order: an encounter's state index never decreases. */
export const ENCOUNTER_STATES: readonly EncounterState[] = Object.freeze([
  'projected',
  'active',
  'past',
  'resolved',
]);

/** Why an encounter was resolved. */
export type ResolveReason = 'cleared' | 'gone' | 'reopened';

/** The geometry of a pair at one instant (as `cpa()` gives it). */
export interface PairGeometry {
  cpaNm: number;
  tcpaMin: number;
  rangeNm: number;
  /** True bearing from `a` to `b`, degrees, when known. */
  bearingDeg?: number;
  /** Vertical separation at the CPA, feet (air; absent: unknown, counted as a conflict). */
  vsepFt?: number;
}

/** A screen hit, optionally with the bearing (the screen itself does not compute one). */
export type EncounterHit = ScreenHit & { bearingDeg?: number };

/** One encounter as the tracker reports it (a snapshot; later steps do not mutate it). */
export interface Encounter {
  id: string;
  /** Track ids, a < b. */
  a: number;
  b: number;
  domain: Domain;
  level: Level;
  state: EncounterState;
  cpaNm: number;
  tcpaMin: number;
  rangeNm: number;
  bearingDeg?: number;
  vsepFt?: number;
  /** First seen, ms. */
  since: number;
  /** When the current state was entered, ms. */
  stateSince: number;
  /** Last step that measured the pair (or resolved it), ms. */
  updatedAt: number;
  /** Set once resolved. */
  reason?: ResolveReason;
}

/** One change of the current encounters, in the order it happened within a step. */
export type EncounterChange =
  | { kind: 'opened'; encounter: Encounter }
  | { kind: 'state'; from: EncounterState; to: EncounterState; encounter: Encounter }
  | { kind: 'level'; from: Level; to: Level; encounter: Encounter }
  | { kind: 'dropped'; encounter: Encounter };

export interface EncounterTrackerOptions {
  /** Factor on every threshold for leaving a level or an encounter (≥ 1). Default 1.2. */
  hysteresis?: number;
  /** Screen time a leaving condition must hold before it takes effect, ms (≥ 0). Default 60 000. */
  holdMs?: number;
  /** Active window per domain, minutes. Default surface 15, air 5. */
  activeMin?: Partial<Record<Domain, number>>;
  /** A `past` pair reopens when a hit's closest point is at least this far ahead, min. Default 2. */
  reopenMin?: number;
  /** How long resolved encounters stay listed, ms. Default 600 000. */
  retainResolvedMs?: number;
  /** Caps every level's window, as the screen's horizon does, minutes. Default 30. */
  horizonMin?: number;
  /** Thresholds per domain (a domain given replaces the defaults), as given to the screen. */
  thresholds?: Partial<Thresholds>;
  /** Per-pair levels (e.g. from the channel agreement of the pair's parties); overrides `thresholds`. */
  levelsFor?: (a: number, b: number, domain: Domain) => readonly LevelThreshold[];
  /** Encounter id of a pair first seen at `since` ms. Default `${a}-${b}-${since}`. */
  encounterId?: (a: number, b: number, since: number) => string;
}

const SEVERITY: Record<Level, number> = { danger: 0, caution: 1 };
const RANK: Record<EncounterState, number> = { projected: 0, active: 1, past: 2, resolved: 3 };

interface Rec {
  id: string;
  key: string;
  a: number;
  b: number;
  domain: Domain;
  level: Level;
  state: EncounterState;
  g: PairGeometry;
  since: number;
  stateSince: number;
  updatedAt: number;
  reason?: ResolveReason;
  /** First step of the current run of "no level loosely met" (NaN: not in one). */
  outSince: number;
  /** First step of the current run of "current level not loosely met". */
  downSince: number;
  /** First step of the current run of "closing again" (past only). */
  reopenSince: number;
}

function invalid(what: string, value: unknown): never {
  throw new ParleyError(
    'PARLEY_E_INVALID_ARGUMENT',
    `encounter tracker: bad ${what} ${String(value)}`,
    { [what]: value },
  );
}

function nonNegative(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value >= 0)) invalid(what, value);
  return value;
}

/** The screen's predicate for one level, every bound scaled by `f` (1: the strict predicate). */
function meets(g: PairGeometry, l: LevelThreshold, horizonMin: number, f: number): boolean {
  const v = g.vsepFt === undefined ? 0 : Math.abs(g.vsepFt);
  if (l.vsepFt !== undefined && !(v < l.vsepFt * f)) return false;
  const t = l.cpaNm * f;
  if (g.rangeNm < t) return true;
  const w = Math.min(l.withinMin, horizonMin) * f;
  return g.tcpaMin >= 0 && g.tcpaMin <= w && g.cpaNm < t;
}

/** The most severe level met (scaled by `f`), or undefined. */
function levelMet(
  g: PairGeometry,
  levels: readonly LevelThreshold[],
  horizonMin: number,
  f: number,
): Level | undefined {
  let best: Level | undefined;
  for (const l of levels) {
    if ((best === undefined || SEVERITY[l.level] < SEVERITY[best]) && meets(g, l, horizonMin, f))
      best = l.level;
  }
  return best;
}

function geometryOf(g: PairGeometry): PairGeometry {
  const out: PairGeometry = { cpaNm: g.cpaNm, tcpaMin: g.tcpaMin, rangeNm: g.rangeNm };
  if (g.bearingDeg !== undefined) out.bearingDeg = g.bearingDeg;
  if (g.vsepFt !== undefined) out.vsepFt = g.vsepFt;
  return out;
}

function snapshot(r: Rec): Encounter {
  const e: Encounter = {
    id: r.id,
    a: r.a,
    b: r.b,
    domain: r.domain,
    level: r.level,
    state: r.state,
    ...r.g,
    since: r.since,
    stateSince: r.stateSince,
    updatedAt: r.updatedAt,
  };
  if (r.reason !== undefined) e.reason = r.reason;
  return Object.freeze(e);
}

/**
 * Follows the screen's hits over time and keeps each close pair's encounter: states, level,
 * latest geometry. Pure: time is whatever `step` is given.
 *
 * @example
 * const tracker = new EncounterTracker();
 * // every second, after screening the track set at `now`:
 * const changes = tracker.step(now, screen(set, { now }), (a, b) => {
 *   const ma = set.motionAt(a, now), mb = set.motionAt(b, now);
 *   return ma && mb ? cpa(ma, mb) : undefined;
 * });
 */
export class EncounterTracker {
  private readonly f: number;
  private readonly holdMs: number;
  private readonly activeMin: Record<Domain, number>;
  private readonly reopenMin: number;
  private readonly retainMs: number;
  private readonly horizonMin: number;
  private readonly levels: (a: number, b: number, domain: Domain) => readonly LevelThreshold[];
  private readonly idOf: (a: number, b: number, since: number) => string;
  /** Open (unresolved) encounters by pair key. */
  private readonly open = new Map<string, Rec>();
  /** Every listed encounter (open and retained resolved) by id, in order of opening. */
  private readonly byId = new Map<string, Rec>();
  private last = -Infinity;

  constructor(opts: EncounterTrackerOptions = {}) {
    const f = opts.hysteresis ?? 1.2;
    if (!(Number.isFinite(f) && f >= 1)) invalid('hysteresis', f);
    this.f = f;
    this.holdMs = nonNegative(opts.holdMs, 60_000, 'holdMs');
    this.activeMin = {
      surface: nonNegative(opts.activeMin?.surface, 15, 'activeMin.surface'),
      air: nonNegative(opts.activeMin?.air, 5, 'activeMin.air'),
    };
    this.reopenMin = nonNegative(opts.reopenMin, 2, 'reopenMin');
    this.retainMs = nonNegative(opts.retainResolvedMs, 600_000, 'retainResolvedMs');
    this.horizonMin = nonNegative(opts.horizonMin, 30, 'horizonMin');
    const th: Thresholds = {
      surface: opts.thresholds?.surface ?? DEFAULT_THRESHOLDS.surface,
      air: opts.thresholds?.air ?? DEFAULT_THRESHOLDS.air,
    };
    this.levels = opts.levelsFor ?? ((_a, _b, domain) => th[domain]);
    this.idOf = opts.encounterId ?? ((a, b, since) => `${a}-${b}-${since}`);
  }

  /** Current encounters: open ones and recently resolved ones, in order of opening. */
  encounters(): Encounter[] {
    return [...this.byId.values()].map(snapshot);
  }

  /** One encounter by id, or undefined (never listed, or dropped). */
  get(id: string): Encounter | undefined {
    const r = this.byId.get(id);
    return r && snapshot(r);
  }

  /** Number of open (unresolved) encounters. */
  get openCount(): number {
    return this.open.size;
  }

  /**
   * Advances to screen time `now` (ms, never earlier than the previous step) with that screen's
   * hits; `measure(a, b)` is asked only for open encounters the hits do not cover and returns
   * undefined when either unit is gone. Returns the changes, in order.
   */
  step(
    now: number,
    hits: readonly EncounterHit[],
    measure: (a: number, b: number) => PairGeometry | undefined,
  ): EncounterChange[] {
    if (!Number.isFinite(now)) invalid('now', now);
    if (now < this.last) invalid('now (earlier than the previous step)', now);
    this.last = now;
    const changes: EncounterChange[] = [];

    for (const r of this.byId.values()) {
      if (r.state === 'resolved' && now - r.updatedAt >= this.retainMs) {
        this.byId.delete(r.id);
        changes.push({ kind: 'dropped', encounter: snapshot(r) });
      }
    }

    const hitOf = new Map<string, EncounterHit>();
    for (const h of hits) {
      const key = h.a < h.b ? `${h.a}:${h.b}` : `${h.b}:${h.a}`;
      const seen = hitOf.get(key);
      if (seen === undefined || SEVERITY[h.level] < SEVERITY[seen.level]) hitOf.set(key, h);
    }

    for (const r of [...this.open.values()]) {
      const hit = hitOf.get(r.key);
      const g = hit ?? measure(r.a, r.b);
      if (g === undefined) {
        this.resolve(r, now, 'gone', changes);
        continue;
      }
      r.g = geometryOf(g);
      r.updatedAt = now;
      const levels = this.levels(r.a, r.b, r.domain);
      const strict = hit ? hit.level : levelMet(g, levels, this.horizonMin, 1);
      // A screen hit meets its level by definition, whatever the tracker's own thresholds say.
      const loose = levelMet(g, levels, this.horizonMin, this.f) ?? strict;

      if (r.state === 'past') {
        const th = hit && levels.find((l) => l.level === hit.level);
        const closing =
          hit !== undefined &&
          th !== undefined &&
          hit.tcpaMin >= this.reopenMin &&
          hit.tcpaMin <= Math.min(th.withinMin, this.horizonMin) &&
          hit.cpaNm < th.cpaNm;
        if (closing) {
          if (Number.isNaN(r.reopenSince)) r.reopenSince = now;
          if (now - r.reopenSince >= this.holdMs) {
            this.resolve(r, now, 'reopened', changes);
            continue; // the hit opens the new encounter below
          }
        } else r.reopenSince = NaN;
      }

      // Level: up at once, down only when held outside the current level's loose band.
      if (strict !== undefined && SEVERITY[strict] < SEVERITY[r.level]) {
        this.setLevel(r, strict, changes);
        r.downSince = NaN;
      } else if (loose === undefined || SEVERITY[loose] > SEVERITY[r.level]) {
        if (Number.isNaN(r.downSince)) r.downSince = now;
        if (loose !== undefined && now - r.downSince >= this.holdMs) {
          this.setLevel(r, loose, changes);
          r.downSince = NaN;
        }
      } else r.downSince = NaN;

      // State: forward only.
      if (r.state !== 'past') {
        const next = this.stateOf(r.domain, r.level, g, levels);
        if (RANK[next] > RANK[r.state]) this.setState(r, next, now, changes);
      }

      // Resolution: no level loosely met, held.
      if (loose === undefined) {
        if (Number.isNaN(r.outSince)) r.outSince = now;
        if (now - r.outSince >= this.holdMs) this.resolve(r, now, 'cleared', changes);
      } else r.outSince = NaN;
    }

    for (const [key, h] of hitOf) {
      if (this.open.has(key)) continue;
      const a = Math.min(h.a, h.b);
      const b = Math.max(h.a, h.b);
      const g = geometryOf(h);
      const levels = this.levels(a, b, h.domain);
      let id = this.idOf(a, b, now);
      for (let n = 2; this.byId.has(id); n++) id = `${this.idOf(a, b, now)}~${n}`;
      const r: Rec = {
        id,
        key,
        a,
        b,
        domain: h.domain,
        level: h.level,
        state: this.stateOf(h.domain, h.level, g, levels),
        g,
        since: now,
        stateSince: now,
        updatedAt: now,
        outSince: NaN,
        downSince: NaN,
        reopenSince: NaN,
      };
      this.open.set(key, r);
      this.byId.set(id, r);
      changes.push({ kind: 'opened', encounter: snapshot(r) });
    }
    return changes;
  }

  /** The state a pair's geometry calls for (before the forward-only rule). */
  private stateOf(
    domain: Domain,
    level: Level,
    g: PairGeometry,
    levels: readonly LevelThreshold[],
  ): EncounterState {
    if (g.tcpaMin < 0) return 'past';
    const t = levels.find((l) => l.level === level)?.cpaNm ?? 0;
    if (g.tcpaMin <= this.activeMin[domain] || g.rangeNm < t) return 'active';
    return 'projected';
  }

  private setState(r: Rec, to: EncounterState, now: number, changes: EncounterChange[]): void {
    const from = r.state;
    r.state = to;
    r.stateSince = now;
    changes.push({ kind: 'state', from, to, encounter: snapshot(r) });
  }

  private setLevel(r: Rec, to: Level, changes: EncounterChange[]): void {
    const from = r.level;
    r.level = to;
    changes.push({ kind: 'level', from, to, encounter: snapshot(r) });
  }

  private resolve(r: Rec, now: number, reason: ResolveReason, changes: EncounterChange[]): void {
    this.open.delete(r.key);
    r.reason = reason;
    r.updatedAt = now;
    this.setState(r, 'resolved', now, changes);
  }
}
