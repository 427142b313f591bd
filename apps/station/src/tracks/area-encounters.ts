/**
 * Notices against tracks, in the encounter list: a unit dead-reckoned into an active area of a
 * current notice. An own unit heading into the other party's area gets an NTC-05 draft (your
 * notice conflicts with my planned activity); the other party's unit heading into an own area
 * gets NTC-06 (your unit will enter the area of my notice: keep clear). Third-party units are
 * listed without a draft. The list is recomputed after every screen; an intrusion no longer
 * projected is reported once as resolved, then dropped.
 */
import { CATALOGUE_VERSION, parseCatalogueMessage, renderCatalogueMessage } from '@parley/core';
import type { TrackRecord } from '@parley/core';
import type { TrackIntrusion } from '@parley/geo';
import type { LiveBus } from '../hotline/live-bus.js';
import type { Actor } from '../auth.js';
import type { EncounterDraft } from './track-service.js';

/** What the join needs from the notice service (`NoticeService.trackConflicts`). */
export interface IntrusionSource {
  trackConflicts(
    actor: Actor,
    horizonMs: number,
  ): Promise<{
    now: number;
    conflicts: (TrackIntrusion & {
      notice: string;
      ref: string;
      kind: string;
      own: boolean;
      channel: string;
    })[];
  }>;
}

export interface AreaEncounterView {
  id: string;
  kind: 'area';
  /** The unit. */
  a: string;
  aName: string | null;
  /** `notice:<notice id>`. */
  b: string;
  /** The notice's reference, e.g. `OTHER NTC 12/26`. */
  bName: string;
  notice: { id: string; ref: string; kind: string; own: boolean; area: number };
  domain: 'surface' | 'air';
  /** danger once the unit is inside the area, caution while it is projected to enter. */
  level: 'caution' | 'danger';
  state: 'projected' | 'active' | 'resolved';
  /** When the unit enters (now if it is inside), and where. */
  enterAt: number;
  enterPos: { lat: number; lon: number };
  since: number;
  updatedAt: number;
  draft: EncounterDraft | null;
}

/** The screen acts for the whole station: every channel's notices. */
export const SYSTEM_ACTOR: Actor = {
  name: 'system:tracks',
  role: 'admin',
  via: 'token',
  channels: '*',
};

export class AreaEncounters {
  private readonly current = new Map<string, AreaEncounterView>();
  /** Each listed intrusion's notice channel: who may see it (channel membership). */
  private readonly channels = new Map<string, string>();

  constructor(
    private readonly source: IntrusionSource,
    private readonly record: (id: string) => TrackRecord | undefined,
    private readonly channelOf: (noticeId: string) => Promise<string | null>,
    private readonly bus: LiveBus,
    private readonly horizonMs = 60 * 60_000,
  ) {}

  /** Recomputes the intrusions and publishes what changed. */
  async refresh(): Promise<void> {
    const { now, conflicts } = await this.source.trackConflicts(SYSTEM_ACTOR, this.horizonMs);
    const seen = new Set<string>();
    for (const c of conflicts) {
      const id = `area:${c.notice}:${c.id}:${c.area}`;
      seen.add(id);
      this.channels.set(id, c.channel);
      const held = this.current.get(id);
      const state = c.alreadyInside ? 'active' : 'projected';
      const level = c.alreadyInside ? 'danger' : 'caution';
      const t = this.record(c.id);
      const view: AreaEncounterView = {
        id,
        kind: 'area',
        a: c.id,
        aName: c.name,
        b: `notice:${c.notice}`,
        bName: c.ref,
        notice: { id: c.notice, ref: c.ref, kind: c.kind, own: c.own, area: c.area },
        domain: t?.domain ?? 'surface',
        level,
        state,
        enterAt: c.enterAt,
        enterPos: { lat: c.lat, lon: c.lon },
        since: held?.since ?? now,
        updatedAt: now,
        draft: held?.draft ?? (await this.draft(c, t)),
      };
      this.current.set(id, view);
      if (!held || held.state !== state || held.level !== level)
        this.bus.publish({ type: 'encounter', encounter: view });
    }
    for (const [id, v] of this.current) {
      if (seen.has(id)) continue;
      if (v.state === 'resolved') {
        this.current.delete(id);
        this.channels.delete(id);
        continue;
      }
      const done = { ...v, state: 'resolved' as const, updatedAt: now };
      this.current.set(id, done);
      this.bus.publish({ type: 'encounter', encounter: done });
    }
  }

  list(): AreaEncounterView[] {
    return [...this.current.values()].reverse();
  }

  /** The channel of the notice an intrusion is into. */
  noticeChannel(id: string): string | undefined {
    return this.channels.get(id);
  }

  get(id: string): AreaEncounterView | undefined {
    return this.current.get(id);
  }

  private async draft(
    c: Awaited<ReturnType<IntrusionSource['trackConflicts']>>['conflicts'][number],
    t: TrackRecord | undefined,
  ): Promise<EncounterDraft | null> {
    if (!t || t.party === 'third') return null;
    const ownUnitIntoTheirs = t.party === 'own' && !c.own;
    const theirUnitIntoOurs = t.party === 'other' && c.own;
    if (!ownUnitIntoTheirs && !theirUnitIntoOurs) return null;
    const unit = (c.name ?? c.id.slice(c.id.indexOf(':') + 1)).slice(0, 40);
    const msg = parseCatalogueMessage(
      ownUnitIntoTheirs
        ? { v: CATALOGUE_VERSION, code: 'NTC-05', params: { text: c.ref, time: c.enterAt } }
        : {
            v: CATALOGUE_VERSION,
            code: 'NTC-06',
            params: { unit, text: c.ref, time: c.enterAt },
          },
    );
    return {
      channel: await this.channelOf(c.notice),
      code: msg.code,
      params: msg.params,
      precedence: c.alreadyInside ? 'FLASH' : 'IMMEDIATE',
      text: { en: renderCatalogueMessage(msg, 'en'), zh: renderCatalogueMessage(msg, 'zh') },
      status: 'pending',
    };
  }
}
