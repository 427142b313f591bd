/**
 * The station's track picture and its encounters.
 *
 * Reports arrive from the operator API, the CoT listener, and `parley ais ingest` / `parley
 * tracks import` (which write the shared track store while the station runs); the service polls
 * the store for what others wrote. Every `tickMs` it dead-reckons the live tracks to now, runs
 * the all-pairs screen (packages/geo `screen`) over the configured party pairs, and advances the
 * encounter lifecycle (`EncounterTracker`, with hysteresis). A surface encounter is classified
 * under the Rules of the Road (packages/geo colregs.ts) the first time the pair has a risk of
 * collision, and keeps that situation. An encounter between an own unit and one of the other
 * party's gets a draft hotline message from the catalogue (worded by `encounter-drafts.ts`: own
 * intention and what the rules ask of the other; AIR-13 in the air), addressed to the lowest-tier
 * open channel, and redrafted when what it proposes changes; it is never sent by itself: an
 * operator sends or discards it. Changes go out on the live stream.
 */
import {
  MAX_TRACK_NAME,
  ParleyError,
  parseTrackReport,
  checkTrackTime,
  parsePolicyText,
  TRACK_MAX_AGE_MS,
  TIERS,
} from '@parley/core';
import type { ChannelView, TrackParty, TrackRecord, TrackSource } from '@parley/core';
import {
  cpa,
  deadReckon,
  DEFAULT_THRESHOLDS,
  EncounterTracker,
  screen,
  TrackSet,
} from '@parley/geo';
import type { Encounter, EncounterChange, Motion, ScreenHit, Thresholds } from '@parley/geo';
import type { Clock, TrackStore } from '@parley/store';
import type { LiveBus } from '../hotline/live-bus.js';
import { isMember } from '../auth.js';
import type { Actor } from '../auth.js';
import { ScreenThreads, SCREEN_THREADS_MIN_TRACKS } from './screen-threads.js';
import type { AreaEncounters, AreaEncounterView } from './area-encounters.js';
import { buildDraft, supersedes } from './encounter-drafts.js';
import type { EncounterDraft, EncounterRules } from './encounter-drafts.js';
import { classifyPair, motionOf, pairView } from './encounter-view.js';
import type { EncounterView } from './encounter-view.js';

export type { EncounterDraft } from './encounter-drafts.js';
export type { EncounterView } from './encounter-view.js';

/** Parties as the screen numbers them. */
const PARTY_NUM: Record<TrackParty, number> = { own: 0, other: 1, third: 2 };
const MIN_MS = 60_000;

export interface TrackServiceOptions {
  /** A track not reported for this long is stale: listed as such, no longer screened. Default 10 min. */
  staleMs?: number;
  /** A track not reported for this long is dropped. Default 6 h. */
  dropMs?: number;
  /** Screen and store-poll interval, ms; 0 runs no timer (call `tick`). Default 1000. */
  tickMs?: number;
  /** Screening horizon, minutes. Default 30. */
  horizonMin?: number;
  /** Party pairs screened. Default own against other. */
  partyPairs?: readonly (readonly [TrackParty, TrackParty])[];
  /** Encounter hysteresis factor and hold time (see EncounterTracker). */
  hysteresis?: number;
  holdMs?: number;
  /**
   * Picture size from which the screen shares its pair search with a helper thread
   * (`ScreenThreads`, started when the picture first reaches it); 0 never. Default 20,000.
   */
  screenThreadsMin?: number;
  /** Where the service reports trouble that does not stop it (a failed helper thread). */
  warn?: (message: string) => void;
}

/** After a helper thread fails, the screen runs alone this long before another is started. */
const HELPER_RETRY_MS = 60_000;

/** A track as the API serves it: dead-reckoned to `now`. */
export interface TrackView extends TrackRecord {
  stale: boolean;
}

/** What the service needs from the hotline: the channels it may address drafts to. */
export interface DraftChannels {
  channels(): Promise<ChannelView[]>;
}

export class TrackService {
  private readonly tracks = new Map<string, TrackRecord>();
  private readonly handles = new Map<string, number>();
  private readonly idOf: string[] = [];
  private readonly set = new TrackSet();
  private readonly tracker: EncounterTracker;
  private readonly drafts = new Map<string, EncounterDraft>();
  /** The Rules of the Road classification of each surface encounter, once it has one. */
  private readonly rules = new Map<string, EncounterRules>();
  /** The encounter channel at the last tick (drafts' address, handling objectives). */
  private channel: ChannelView | undefined;
  private readonly changed = new Set<string>();
  /** A track not reported for this long is stale (`TrackServiceOptions.staleMs`). */
  readonly staleMs: number;
  private readonly dropMs: number;
  private readonly tickMs: number;
  private readonly horizonMin: number;
  private readonly pairs: [number, number][];
  private version = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private lastTick = -Infinity;
  private areas: AreaEncounters | undefined;
  /** Thresholds agreed on the encounter channel for own-versus-other pairs (undefined: defaults). */
  private agreed: Partial<Thresholds> | undefined;
  private readonly threadsMin: number;
  /** The screen's helper thread once started, and its start while pending. */
  private threads: ScreenThreads | undefined;
  private threadsStart: Promise<void> | undefined;
  private threadsRetryAt = 0;
  private stopped = false;
  private readonly warn: (message: string) => void;

  constructor(
    private readonly store: TrackStore,
    private readonly clock: Clock,
    private readonly bus: LiveBus,
    private readonly hotline: DraftChannels,
    opts: TrackServiceOptions = {},
  ) {
    this.staleMs = opts.staleMs ?? 10 * MIN_MS;
    this.dropMs = opts.dropMs ?? 6 * 60 * MIN_MS;
    this.tickMs = opts.tickMs ?? 1000;
    this.horizonMin = opts.horizonMin ?? 30;
    this.threadsMin = opts.screenThreadsMin ?? SCREEN_THREADS_MIN_TRACKS;
    this.warn = opts.warn ?? (() => undefined);
    this.pairs = (opts.partyPairs ?? [['own', 'other']]).map(
      ([a, b]) => [PARTY_NUM[a], PARTY_NUM[b]] as [number, number],
    );
    this.tracker = new EncounterTracker({
      horizonMin: this.horizonMin,
      levelsFor: (a, b, domain) => this.agreedFor(a, b)?.[domain] ?? DEFAULT_THRESHOLDS[domain],
      ...(opts.hysteresis !== undefined ? { hysteresis: opts.hysteresis } : {}),
      ...(opts.holdMs !== undefined ? { holdMs: opts.holdMs } : {}),
    });
  }

  /** Joins notice-area intrusions into the encounter list (refreshed after every screen). */
  attachAreas(areas: AreaEncounters): void {
    this.areas = areas;
  }

  /** The held report of a track. */
  record(id: string): TrackRecord | undefined {
    return this.tracks.get(id);
  }

  /** Loads the stored picture and starts the timer. */
  start(): void {
    this.pull();
    if (this.tickMs > 0) {
      this.timer = setInterval(() => {
        this.ticking = this.ticking
          .then(async () => {
            await this.tick();
          })
          .catch((err: unknown) =>
            this.warn(`track screen failed: ${err instanceof Error ? err.message : String(err)}`),
          );
      }, this.tickMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    await this.threadsStart;
    await this.threads?.stop();
    this.threads = undefined;
  }

  /** Whether the screen's helper thread is running (see `screenThreadsMin`). */
  get screenThreads(): boolean {
    return this.threads !== undefined;
  }

  /**
   * Starts the helper thread once the picture reaches `screenThreadsMin`. Until it is ready, and
   * if it cannot start, the screen runs on this thread alone: the hits are the same either way.
   */
  private helper(): ScreenThreads | undefined {
    const failure = this.threads?.failure;
    if (failure) {
      this.warn(`${failure.message}; screening on one thread, another helper in 60 s`);
      this.threads = undefined;
      this.threadsStart = undefined;
      this.threadsRetryAt = Date.now() + HELPER_RETRY_MS;
    }
    const wanted = this.threadsMin > 0 && this.set.size >= this.threadsMin;
    if (wanted && !this.threadsStart && Date.now() >= this.threadsRetryAt)
      this.threadsStart = ScreenThreads.start({ minTracks: this.threadsMin }).then(
        async (t) => {
          if (this.stopped) await t.stop();
          else this.threads = t;
        },
        (err: unknown) => {
          this.warn(`the screen helper thread did not start: ${String(err)}`);
          this.threadsRetryAt = Date.now() + HELPER_RETRY_MS;
          this.threadsStart = undefined;
        },
      );
    return this.threads;
  }

  /**
   * Checks and stores a batch of reports, all or nothing: the first bad report refuses the
   * batch with PARLEY_E_TRACK_INVALID naming its index, and nothing is stored.
   */
  report(inputs: readonly unknown[], source: TrackSource = 'station'): number {
    const now = this.clock.now();
    const good = inputs.map((input, index) => {
      try {
        const r = parseTrackReport(input, now, source);
        checkTrackTime(r.at, now, TRACK_MAX_AGE_MS);
        return r;
      } catch (err) {
        if (err instanceof ParleyError)
          throw new ParleyError(err.code, `report ${index}: ${err.message}`, {
            ...err.details,
            index,
          });
        throw err;
      }
    });
    this.put(good);
    return good.length;
  }

  /** Names a unit (hull number, call sign) without a position report. */
  name(id: string, nameArg: unknown): TrackView {
    if (!this.tracks.has(id))
      throw new ParleyError('PARLEY_E_NOT_FOUND', `no track ${JSON.stringify(id)}`, { id });
    const trimmed = typeof nameArg === 'string' ? nameArg.trim() : '';
    if (trimmed === '' || trimmed.length > MAX_TRACK_NAME)
      throw new ParleyError(
        'PARLEY_E_TRACK_INVALID',
        `name ${JSON.stringify(nameArg)} is not 1–${MAX_TRACK_NAME} printable characters`,
        { value: nameArg },
      );
    const name = parsePolicyText(trimmed, { field: 'track name', max: MAX_TRACK_NAME });
    this.store.name([{ id, name }]);
    this.pull();
    return this.trackView(this.tracks.get(id)!, this.clock.now());
  }

  /** Stores checked records (from a trusted decoder) and applies them. */
  put(records: readonly TrackRecord[]): void {
    if (records.length === 0) return;
    this.store.put(records);
    this.pull();
  }

  /** Applies what the store holds that is newer than what this service has seen. */
  private pull(): void {
    const { version, tracks } = this.store.since(this.version);
    this.version = version;
    for (const t of tracks) this.apply(t);
  }

  private apply(t: TrackRecord): void {
    const held = this.tracks.get(t.id);
    if (held && held.at > t.at && held.name === t.name) return;
    this.tracks.set(t.id, t);
    this.changed.add(t.id);
    const live = this.clock.now() - t.at < this.staleMs;
    if (live) this.set.upsert(this.toReport(t));
    else this.set.remove(this.handle(t.id));
  }

  private handle(id: string): number {
    let h = this.handles.get(id);
    if (h === undefined) {
      h = this.idOf.length;
      this.handles.set(id, h);
      this.idOf.push(id);
    }
    return h;
  }

  private toReport(t: TrackRecord) {
    return {
      id: this.handle(t.id),
      party: PARTY_NUM[t.party],
      domain: t.domain,
      lat: t.lat,
      lon: t.lon,
      sog: t.sog,
      cog: t.cog,
      ...(t.altFt !== null ? { altFt: t.altFt } : {}),
      ...(t.vsFpm !== null ? { vsFpm: t.vsFpm } : {}),
      time: t.at,
    };
  }

  /** The motion of a track dead-reckoned to `now`. */
  private motionAt(t: TrackRecord, now: number): Motion {
    return motionOf(t, now);
  }

  /**
   * One cycle: picks up stored reports, ages tracks, screens, advances the encounters and
   * publishes what changed. Returns the encounter changes.
   */
  async tick(): Promise<EncounterChange[]> {
    const now = Math.max(this.clock.now(), this.lastTick);
    this.lastTick = now;
    this.pull();
    let dropped = false;
    for (const t of this.tracks.values()) {
      const age = now - t.at;
      if (age >= this.dropMs) {
        this.tracks.delete(t.id);
        this.set.remove(this.handle(t.id));
        this.changed.add(t.id);
        dropped = true;
      } else if (age >= this.staleMs && this.set.remove(this.handle(t.id))) {
        this.changed.add(t.id);
      }
    }
    // Dropped units leave the store too, so it holds no more than the picture.
    if (dropped) this.store.prune(now - this.dropMs);
    this.channel = await this.encounterChannel();
    this.agreed = this.channel?.agreement.screening;
    const own = PARTY_NUM.own;
    const other = PARTY_NUM.other;
    const hits: ScreenHit[] =
      this.set.size > 1
        ? screen(this.set, {
            now,
            threads: this.helper(),
            horizonMin: this.horizonMin,
            partyPairs: this.pairs,
            agreement: (pa, pb) => (pa === own && pb === other ? this.agreed : undefined),
          })
        : [];
    const changes = this.tracker.step(now, hits, (a, b) => this.measure(a, b, now));
    const published = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'dropped') {
        this.rules.delete(c.encounter.id);
        this.drafts.delete(c.encounter.id);
      } else this.classify(c.encounter, now);
      if (c.kind === 'opened' || (c.kind === 'level' && c.to === 'danger'))
        this.draftFor(c.encounter, now);
      published.add(c.encounter.id);
      this.bus.publish({ type: 'encounter', encounter: this.view(c.encounter, now) });
    }
    // Open encounters the step did not change: classified once they have a risk of collision,
    // redrafted when what the draft proposes changes (a role, the stand-on's manoeuvre, the record note).
    for (const e of this.tracker.encounters()) {
      if (e.state !== 'projected' && e.state !== 'active') continue;
      this.classify(e, now);
      if (this.draftFor(e, now) && !published.has(e.id))
        this.bus.publish({ type: 'encounter', encounter: this.view(e, now) });
    }
    if (this.changed.size > 0) {
      const tracks = [...this.changed]
        .map((id) => this.tracks.get(id))
        .filter((t): t is TrackRecord => t !== undefined)
        .map((t) => this.trackView(t, now));
      const gone = [...this.changed].filter((id) => !this.tracks.has(id));
      this.changed.clear();
      this.bus.publish({ type: 'tracks', now, tracks, gone });
    }
    await this.areas?.refresh();
    return changes;
  }

  /**
   * Classifies a surface encounter under the Rules of the Road the first time its pair has a
   * risk of collision (closing inside one of the pair's levels), and keeps it: Rule 13(d), and
   * the stand-on's duty lasts until the vessels are finally past and clear.
   */
  private classify(e: Encounter, now: number): void {
    if (e.domain !== 'surface' || this.rules.has(e.id)) return;
    if (e.state !== 'projected' && e.state !== 'active') return;
    const ta = this.tracks.get(this.idOf[e.a]!);
    const tb = this.tracks.get(this.idOf[e.b]!);
    if (!ta || !tb) return;
    const levels = this.agreedFor(e.a, e.b)?.surface ?? DEFAULT_THRESHOLDS.surface;
    const rules = classifyPair(ta, tb, now, levels);
    if (rules) this.rules.set(e.id, rules);
  }

  private measure(a: number, b: number, now: number) {
    const ta = this.tracks.get(this.idOf[a]!);
    const tb = this.tracks.get(this.idOf[b]!);
    if (!ta || !tb || !this.set.has(a) || !this.set.has(b)) return undefined;
    return cpa(this.motionAt(ta, now), this.motionAt(tb, now));
  }

  private trackView(t: TrackRecord, now: number): TrackView {
    const stale = now - t.at >= this.staleMs;
    const p = stale
      ? { lat: t.lat, lon: t.lon }
      : deadReckon({ lat: t.lat, lon: t.lon, sog: t.sog, cog: t.cog }, (now - t.at) / MIN_MS);
    return { ...t, lat: p.lat, lon: p.lon, stale };
  }

  /** Every track, dead-reckoned to now. */
  list(): { now: number; tracks: TrackView[] } {
    const now = this.clock.now();
    return { now, tracks: [...this.tracks.values()].map((t) => this.trackView(t, now)) };
  }

  /** Encounters not yet resolved. */
  get openEncounters(): number {
    return this.tracker.openCount;
  }

  get size(): number {
    return this.tracks.size;
  }

  /** Current encounters, newest first: pairs of units, then units heading into notice areas. */
  encounters(): { now: number; encounters: (EncounterView | AreaEncounterView)[] } {
    const now = this.clock.now();
    return {
      now,
      encounters: [
        ...this.tracker
          .encounters()
          .reverse()
          .map((e) => this.view(e, now)),
        ...(this.areas?.list() ?? []),
      ],
    };
  }

  encounter(id: string): EncounterView | AreaEncounterView {
    const area = this.areas?.get(id);
    if (area) return area;
    const e = this.tracker.get(id);
    if (!e)
      throw new ParleyError('PARLEY_E_ENCOUNTER_NOT_FOUND', `no encounter ${JSON.stringify(id)}`, {
        id,
      });
    return this.view(e, this.clock.now());
  }

  /**
   * The channel an encounter belongs to: a notice area's channel, or the channel its draft is
   * addressed to; null for neither (a pair without a draft, seen by every operator).
   */
  channelOf(view: EncounterView | AreaEncounterView): string | null {
    if (view.kind === 'area')
      return this.areas?.noticeChannel(view.id) ?? view.draft?.channel ?? null;
    return view.draft?.channel ?? null;
  }

  /**
   * An encounter as an operator may see it: of a channel they are not a member of, an intrusion
   * into a notice's area is not seen at all (it names the notice), and a pair of units is seen
   * without its draft (the picture is the station's; the draft is the channel's).
   */
  visibleTo(
    actor: Actor,
    view: EncounterView | AreaEncounterView,
  ): EncounterView | AreaEncounterView | null {
    if (isMember(actor, this.channelOf(view))) return view;
    return view.kind === 'area' ? null : { ...view, draft: null };
  }

  /** The encounters an operator may see (`visibleTo`). */
  encountersFor(actor: Actor): { now: number; encounters: (EncounterView | AreaEncounterView)[] } {
    const { now, encounters } = this.encounters();
    return {
      now,
      encounters: encounters
        .map((v) => this.visibleTo(actor, v))
        .filter((v): v is EncounterView | AreaEncounterView => v !== null),
    };
  }

  /** Refuses an encounter whose draft is of a channel the actor is not a member of: as if there were none. */
  requireDraftMember(actor: Actor, id: string): void {
    if (!isMember(actor, this.channelOf(this.encounter(id))))
      throw new ParleyError('PARLEY_E_ENCOUNTER_NOT_FOUND', `no encounter ${JSON.stringify(id)}`, {
        id,
      });
  }

  /** The pending draft of an encounter, for sending. */
  pendingDraft(id: string): EncounterDraft {
    const view = this.encounter(id);
    const d = view.draft;
    if (!d || d.status !== 'pending')
      throw new ParleyError(
        'PARLEY_E_ENCOUNTER_DRAFT',
        `encounter ${id} has no pending draft${d ? ` (it was ${d.status})` : ''}`,
        { id, status: d?.status ?? null },
      );
    return d;
  }

  /**
   * Sends an encounter's pending draft once: `send` signs it as a hotline message and returns
   * the message id, and the draft is then marked sent. A second request while the first is
   * signing is refused like one for a draft already sent; a send that fails leaves it pending.
   */
  async sendDraft<T>(
    id: string,
    send: (d: EncounterDraft) => Promise<{ messageId: string; result: T }>,
  ): Promise<T> {
    const d = this.pendingDraft(id);
    if (this.sending.has(id))
      throw new ParleyError(
        'PARLEY_E_ENCOUNTER_DRAFT',
        `encounter ${id}: its draft is being sent`,
        {
          id,
          status: 'sending',
        },
      );
    this.sending.add(id);
    try {
      const { messageId, result } = await send(d);
      this.settleDraft(id, 'sent', messageId);
      return result;
    } finally {
      this.sending.delete(id);
    }
  }

  private readonly sending = new Set<string>();

  /** Marks a draft sent (with the hotline message id) or discarded, and tells the stream. */
  settleDraft(
    id: string,
    status: 'sent' | 'discarded',
    messageId?: string,
  ): EncounterView | AreaEncounterView {
    const d = this.pendingDraft(id);
    d.status = status;
    if (messageId) d.messageId = messageId;
    const view = this.encounter(id);
    this.bus.publish({ type: 'encounter', encounter: view });
    return view;
  }

  /** An encounter as served: the own unit first when one is own (CPA and bearing are symmetric). */
  private view(e: Encounter, now: number): EncounterView {
    const ia = this.idOf[e.a]!;
    const ib = this.idOf[e.b]!;
    return pairView(e, now, {
      ia,
      ib,
      a: this.tracks.get(ia),
      b: this.tracks.get(ib),
      colregs: this.rules.get(e.id)?.colregs,
      draft: this.drafts.get(e.id) ?? null,
      handling: this.channel?.agreement.handling,
    });
  }

  /**
   * Drafts an own-versus-other encounter, or redrafts it when what it proposes changed (see
   * `supersedes`). Returns whether the draft changed.
   */
  private draftFor(e: Encounter, now: number): boolean {
    const ta = this.tracks.get(this.idOf[e.a]!);
    const tb = this.tracks.get(this.idOf[e.b]!);
    if (!ta || !tb) return false;
    const own = ta.party === 'own' ? ta : tb.party === 'own' ? tb : undefined;
    const other = own === ta ? tb : ta;
    if (!own || other.party !== 'other') return false;
    const next = buildDraft({
      e,
      own,
      m: this.motionAt(own, now),
      ownIs: own === ta ? 'a' : 'b',
      rules: this.rules.get(e.id),
      now,
      channel: this.channel?.name ?? null,
      handling: this.channel?.agreement.handling,
    });
    if (!supersedes(this.drafts.get(e.id), next)) return false;
    this.drafts.set(e.id, next);
    return true;
  }

  /**
   * The open channel of the lowest tier (tactical first): where an encounter is talked about,
   * and whose agreement may set the own-versus-other thresholds.
   */
  private async encounterChannel(): Promise<ChannelView | undefined> {
    const open = (await this.hotline.channels()).filter((c) => c.status === 'open');
    open.sort((x, y) => TIERS.indexOf(y.agreement.tier) - TIERS.indexOf(x.agreement.tier));
    return open[0];
  }

  /** The agreed thresholds for a pair of track handles, when it is own against other. */
  private agreedFor(a: number, b: number): Partial<Thresholds> | undefined {
    const pa = this.tracks.get(this.idOf[a]!)?.party;
    const pb = this.tracks.get(this.idOf[b]!)?.party;
    const ownOther = (pa === 'own' && pb === 'other') || (pa === 'other' && pb === 'own');
    return ownOther ? this.agreed : undefined;
  }
}
