import { randomBytes } from 'node:crypto';
import {
  CATALOGUE_VERSION,
  formatAge,
  formatDtg,
  leadTimeFor,
  parseCatalogueMessage,
  parseChannel,
  ParleyError,
  parsePolicyText,
  renderCatalogueMessage,
  TWO_PERSON_TIERS,
} from '@parley/core';
import type { ChannelView, EntryRef, HotlineEntry, Lateness, Precedence } from '@parley/core';
import {
  noticeConflicts,
  NoticeFolder,
  noticeStatus,
  NOTICE_ENTRY,
  checkOperatorNotice,
  checkWindowBounds,
  parseNotice,
  parseRoute,
  renderNotice,
  routeConflicts,
  tracksIntoNotice,
} from '@parley/geo';
import type {
  NoticeContent,
  NoticeStatus,
  NoticeView,
  PlannedRoute,
  SpaceTimeConflict,
  TrackIntrusion,
  TrackMotion,
} from '@parley/geo';
import type { Clock, Lease, StationHandle } from '@parley/store';
import { isMember, requireMember, requireMemberOr, requirePermission } from '../auth.js';
import type { Actor } from '../auth.js';
import type { HotlineService } from '../hotline/hotline-service.js';
import type { LiveBus } from '../hotline/live-bus.js';
import { FeedTail } from '../hotline/feed-tail.js';

const DRAFT_PREFIX = 'notice-draft.';
const ROUTE_PREFIX = 'notice-route.';
const MAX_REASON = 500;

/** A notice not yet sent: local to this station (store metadata), in no feed. */
export interface NoticeDraft {
  id: string;
  channel: string;
  author: string;
  created: number;
  notice: NoticeContent;
}

/** A track as the notice checks need it: its last report and whose it is. */
export type PartyTrack = TrackMotion & { party: 'own' | 'other' | 'third' };

/** Lateness with a reading for people. */
export type LatenessView = Lateness & { text: string };

/** One notice as the API shows it. */
export interface NoticeApiView {
  id: string;
  ref: string;
  station: string;
  own: boolean;
  seq: number;
  ts: number;
  channel: string;
  status: NoticeStatus;
  notice: NoticeContent;
  versions: { id: string; seq: number; ts: number; lateness: LatenessView }[];
  amended: boolean;
  lateness: LatenessView;
  cancelled: { ts: number; reason: string; by: string | null } | null;
  receipts: {
    delivered: { ts: number } | null;
    read: { ts: number; by: string | null } | null;
    understood: { ts: number; by: string | null } | null;
  };
  acknowledged: boolean;
  /** Each recipient (every member of the channel but the issuer) with its own receipts. */
  parties: {
    station: string;
    deliveredAt: number | null;
    read: { ts: number; by: string | null } | null;
    understood: { ts: number; by: string | null } | null;
  }[];
  text: { en: string; zh: string };
}

export interface ConflictDraft {
  code: string;
  params: Record<string, unknown>;
  text: { en: string; zh: string };
}

function lateText(l: Lateness): LatenessView {
  const text = l.late
    ? `late by ${formatAge(l.lateMs)} (${formatAge(Math.max(0, l.leadMs))} of lead, ${formatAge(l.requiredMs)} required)`
    : `on time (${formatAge(Math.max(0, l.leadMs))} of lead, ${formatAge(l.requiredMs)} required)`;
  return { ...l, text };
}

function parseReason(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_REASON)
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `a reason of 1–${MAX_REASON} characters is required, got ${JSON.stringify(value)}`,
      {},
    );
  return parsePolicyText(value, { field: 'reason', max: MAX_REASON, multiline: true });
}

/** The alarm type of a notice the other side has not acknowledged in time. */
export const NOTICE_UNACKNOWLEDGED = 'notice-unacknowledged';

/** Launches and live fire are acknowledged as IMMEDIATE traffic, other notices as PRIORITY. */
export function noticePrecedence(kind: string): Precedence {
  return kind === 'launch' || kind === 'live-fire' ? 'IMMEDIATE' : 'PRIORITY';
}

/**
 * Notices of planned activity on top of the feeds: drafts kept locally, sending, amending and
 * cancelling as signed entries on a channel, acknowledgment with the hotline's receipts, lateness
 * against the channel's lead times, and conflicts with this station's own plans and the tracks.
 */
export class NoticeService {
  private readonly folder = new NoticeFolder();
  /** Reads only what is new in each feed since the last look. */
  private readonly tail: FeedTail;
  private folding: Promise<void> = Promise.resolve();
  private tracks: (() => PartyTrack[]) | null = null;
  private readonly unsubscribe: () => void;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly handle: StationHandle,
    private readonly hotline: HotlineService,
    private readonly clock: Clock,
    private readonly bus: LiveBus,
    /** Where a failure of the background fold goes (the station's log). */
    private readonly onError: (msg: string, err: unknown) => void = (msg, err) => {
      throw new Error(msg, { cause: err });
    },
  ) {
    this.tail = new FeedTail(handle.store, (kind) => NoticeFolder.reads(kind));
    // New entries on either feed: fold them soon and tell the live stream about notices.
    this.unsubscribe = bus.subscribe((e) => {
      if (e.type !== 'entry' || this.pending || this.closed) return;
      this.pending = setTimeout(() => {
        this.pending = null;
        this.views().catch((err: unknown) =>
          this.onError('notices: folding new entries failed', err),
        );
      }, 20);
    });
  }

  /** Where the conflict check reads tracks from (the station's track picture), if any. */
  setTrackSource(fn: (() => PartyTrack[]) | null): void {
    this.tracks = fn;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.pending) clearTimeout(this.pending);
  }

  get station(): string {
    return this.handle.station;
  }

  /** The notices, folded from both feeds (only what is new since the last look is read). */
  async views(): Promise<Map<string, NoticeView>> {
    const run = this.folding.then(() => this.catchUp());
    // The chain only orders catch-ups: a failure reaches this call's caller through `await run`,
    // and the next call starts afresh.
    this.folding = run.catch(() => undefined);
    await run;
    const channels = await this.channels();
    const views = this.folder.snapshot((c, kind) => leadTimeFor(channels.get(c)?.agreement, kind));
    if (this.fresh.length > 0) {
      const fresh = this.fresh;
      this.fresh = [];
      this.announce(fresh, views);
    }
    return views;
  }

  /** Notice entries folded but not yet announced on the live stream. */
  private fresh: HotlineEntry[] = [];

  private async channels(): Promise<Map<string, ChannelView>> {
    return (await this.hotline.state()).state.channels;
  }

  private async catchUp(): Promise<void> {
    if (this.closed) return;
    const fresh = await this.tail.next();
    this.folder.add(fresh);
    this.fresh.push(...fresh);
  }

  /** Live-stream events for notice entries just folded (receipts only when they name a notice). */
  private announce(entries: HotlineEntry[], views: Map<string, NoticeView>): void {
    const byVersion = new Map<string, NoticeView>();
    for (const v of views.values()) for (const x of v.versions) byVersion.set(x.ref.hash, v);
    for (const e of entries) {
      const base = { type: 'notice' as const, station: e.station, channel: e.channel ?? '' };
      if (e.kind === NOTICE_ENTRY.notice) {
        const v = byVersion.get(e.hash);
        const version = v?.versions.find((x) => x.ref.hash === e.hash);
        if (!v || !version) continue;
        this.bus.publish({
          ...base,
          id: v.id,
          action: v.id !== e.hash ? 'amended' : e.station === this.station ? 'sent' : 'received',
          late: version.lateness.late,
          lateMs: version.lateness.lateMs,
        });
      } else if (e.kind === NOTICE_ENTRY.cancel) {
        const v = views.get(String((e.body.of as EntryRef | undefined)?.hash));
        if (v?.cancelled?.ref.hash === e.hash)
          this.bus.publish({ ...base, id: v.id, action: 'cancelled' });
      } else if (
        e.kind === 'receipt' &&
        (e.body.level === 'read' || e.body.level === 'understood')
      ) {
        const v = byVersion.get(String((e.body.of as EntryRef | undefined)?.hash));
        if (v && e.station !== v.station)
          this.bus.publish({
            ...base,
            id: v.id,
            action: e.body.level === 'understood' ? 'acknowledged' : 'read',
          });
      }
    }
  }

  /** Refuses a channel that is proposed but not accepted, or suspended. */
  private async sendable(actor: Actor, channel: string): Promise<ChannelView | undefined> {
    requireMember(actor, channel);
    const c = (await this.channels()).get(channel);
    if (c?.status === 'proposed')
      throw new ParleyError(
        'PARLEY_E_CHANNEL_NOT_OPEN',
        `channel ${channel} awaits the other station's acceptance`,
        { channel },
      );
    if (c?.status === 'suspended')
      throw new ParleyError(
        'PARLEY_E_CHANNEL_SUSPENDED',
        `channel ${channel} is suspended (${c.suspension?.reason ?? ''})`,
        { channel },
      );
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // Drafts.

  /** Checks a notice and files it as a local draft. Bad input stores nothing. */
  async createDraft(
    actor: Actor,
    input: { channel: unknown; notice: unknown },
  ): Promise<NoticeDraft> {
    requirePermission(actor, 'send');
    const channel = parseChannel(input.channel);
    requireMember(actor, channel);
    const notice = checkOperatorNotice(parseNotice(input.notice), this.clock.now());
    const draft: NoticeDraft = {
      id: `nd_${randomBytes(9).toString('base64url')}`,
      channel,
      author: actor.name,
      created: this.clock.now(),
      notice,
    };
    await this.handle.store.setMeta(DRAFT_PREFIX + draft.id, JSON.stringify(draft));
    this.bus.publish({
      type: 'notice',
      id: draft.id,
      action: 'draft',
      station: this.station,
      channel,
    });
    return draft;
  }

  async drafts(actor: Actor): Promise<NoticeDraft[]> {
    const all = (await this.handle.store.listMeta(DRAFT_PREFIX)).map(
      ([, v]) => JSON.parse(v) as NoticeDraft,
    );
    return all.filter((d) => isMember(actor, d.channel)).sort((a, b) => a.created - b.created);
  }

  /** A draft of one of the actor's channels (another channel's: as if there were none). */
  private async draft(actor: Actor, id: string): Promise<NoticeDraft> {
    const notFound = () =>
      new ParleyError('PARLEY_E_NOTICE_NOT_FOUND', `no notice draft ${JSON.stringify(id)}`, {
        id,
      });
    const text = await this.handle.store.getMeta(DRAFT_PREFIX + id);
    if (!text) throw notFound();
    const d = JSON.parse(text) as NoticeDraft;
    requireMemberOr(actor, d.channel, notFound);
    return d;
  }

  async discardDraft(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'send');
    await this.draft(actor, id);
    await this.handle.store.deleteMeta(DRAFT_PREFIX + id);
  }

  /**
   * Signs a draft into the feed. On a leader or ministry channel the sender must be a second
   * person (an approver who did not write it), as for messages.
   */
  async sendDraft(actor: Actor, id: string): Promise<{ entry: EntryRef; lateness: LatenessView }> {
    requirePermission(actor, 'send');
    // One send per draft at a time: a second request while the first signs would send it twice.
    if (this.sending.has(id))
      throw new ParleyError('PARLEY_E_NOTICE_STATE', `notice draft ${id} is being sent`, { id });
    this.sending.add(id);
    try {
      return await this.sendDraftOnce(actor, id);
    } finally {
      this.sending.delete(id);
    }
  }

  private readonly sending = new Set<string>();

  private async sendDraftOnce(
    actor: Actor,
    id: string,
  ): Promise<{ entry: EntryRef; lateness: LatenessView }> {
    const d = await this.draft(actor, id);
    const c = await this.sendable(actor, d.channel);
    const body: Record<string, unknown> = { notice: d.notice, by: d.author };
    if (c && TWO_PERSON_TIERS.includes(c.agreement.tier)) {
      requirePermission(actor, 'approve');
      if (actor.name === d.author)
        throw new ParleyError(
          'PARLEY_E_SELF_APPROVAL',
          `${actor.name} wrote notice draft ${id} and cannot also send it on a ${c.agreement.tier} channel`,
          { id },
        );
      body.approver = actor.name;
    }
    const entry = await this.append(NOTICE_ENTRY.notice, d.channel, body);
    await this.handle.store.deleteMeta(DRAFT_PREFIX + id);
    return { entry, lateness: await this.latenessOf(entry.hash) };
  }

  /** Checks and sends at once (no draft). Refused on two-person channels: file a draft instead. */
  async send(
    actor: Actor,
    input: { channel: unknown; notice: unknown },
  ): Promise<{ entry: EntryRef; lateness: LatenessView }> {
    requirePermission(actor, 'send');
    const channel = parseChannel(input.channel);
    const notice = checkOperatorNotice(parseNotice(input.notice), this.clock.now());
    const c = await this.sendable(actor, channel);
    if (c && TWO_PERSON_TIERS.includes(c.agreement.tier))
      throw new ParleyError(
        'PARLEY_E_NOTICE_STATE',
        `channel ${channel} is ${c.agreement.tier} tier: file the notice as a draft for a second person to send`,
        { channel },
      );
    const entry = await this.append(NOTICE_ENTRY.notice, channel, { notice, by: actor.name });
    return { entry, lateness: await this.latenessOf(entry.hash) };
  }

  private async append(
    kind: string,
    channel: string,
    body: Record<string, unknown>,
  ): Promise<EntryRef> {
    const writer = await this.writerFor(channel);
    const [s] = await writer.appendMany([{ kind, channel, body }]);
    return {
      station: s!.entry.station,
      ...(s!.entry.audience ? { audience: s!.entry.audience } : {}),
      seq: s!.entry.seq,
      hash: s!.hash,
    };
  }

  /** This station's feed for the channel's audience (ADR 0003). */
  private async writerFor(channel: string) {
    const view = (await this.hotline.state()).state.channels.get(channel);
    if (!view)
      throw new ParleyError(
        'PARLEY_E_CHANNEL_NOT_FOUND',
        `no channel ${channel} has been proposed`,
        {
          channel,
        },
      );
    return this.hotline.writerFor(view);
  }

  /**
   * The acknowledgment watch: an own notice (its current version) that the other side has not
   * marked understood within the handling objective of its precedence on the channel (launch and
   * live fire IMMEDIATE, others PRIORITY) gets one alarm entry, `notice-unacknowledged`, shown
   * with the hotline's alarms and on the live stream. Cancelled and expired notices are left out.
   * Called by the station's deadline watch (the leader's, with its lease as `fence`).
   */
  async checkDeadlines(opts: { fence?: Lease } = {}): Promise<number> {
    const now = this.clock.now();
    const { state } = await this.hotline.state();
    const alarmed = new Set(
      state.alarms
        .filter((a) => a.type === NOTICE_UNACKNOWLEDGED && a.ref.station === this.station && a.of)
        .map((a) => a.of!.hash),
    );
    let raised = 0;
    for (const v of (await this.views()).values()) {
      if (v.station !== this.station) continue;
      const status = noticeStatus(v, now);
      if (status === 'cancelled' || status === 'expired') continue;
      const cur = v.current;
      if (cur.receipts.understood || alarmed.has(cur.ref.hash)) continue;
      const precedence = noticePrecedence(cur.content.kind);
      const objective = state.channels.get(v.channel)?.agreement.handling[precedence];
      if (objective === undefined || now - cur.ts < objective) continue;
      const reason = `notice ${this.refText(v)} sent ${formatDtg(cur.ts)} (${precedence}) on ${v.channel}: not acknowledged for ${formatAge(now - cur.ts)}`;
      const writer = await this.writerFor(v.channel);
      const [sealed] = await writer.appendMany(
        [
          {
            kind: 'alarm',
            channel: v.channel,
            body: { type: NOTICE_UNACKNOWLEDGED, of: cur.ref, reason, due: cur.ts + objective },
          },
        ],
        opts.fence ? { fence: opts.fence } : {},
      );
      if (!sealed) continue;
      raised++;
      this.bus.publish({
        type: 'alarm',
        kind: NOTICE_UNACKNOWLEDGED,
        of: cur.ref,
        channel: v.channel,
        reason,
      });
    }
    return raised;
  }

  private async latenessOf(versionHash: string): Promise<LatenessView> {
    for (const v of (await this.views()).values()) {
      const x = v.versions.find((y) => y.ref.hash === versionHash);
      if (x) return lateText(x.lateness);
    }
    throw new ParleyError(
      'PARLEY_E_NOTICE_NOT_FOUND',
      `notice version ${versionHash} not folded`,
      {},
    );
  }

  // -------------------------------------------------------------------------------------------
  // Sent notices.

  /** A notice of one of the actor's channels (another channel's: as if it were not held). */
  private async notice(actor: Actor, id: string): Promise<NoticeView> {
    const v = (await this.views()).get(id);
    const notFound = () =>
      new ParleyError('PARLEY_E_NOTICE_NOT_FOUND', `no notice ${JSON.stringify(id)} is held here`, {
        id,
      });
    if (!v) throw notFound();
    requireMemberOr(actor, v.channel, notFound);
    return v;
  }

  private async ownLive(actor: Actor, id: string, what: string): Promise<NoticeView> {
    const v = await this.notice(actor, id);
    if (v.station !== this.station || v.cancelled)
      throw new ParleyError(
        'PARLEY_E_NOTICE_STATE',
        `notice ${id} ${v.cancelled ? 'is cancelled' : "is the other station's"}; cannot ${what} it`,
        { id },
      );
    return v;
  }

  /** Replaces the notice's content with a new signed version that names the original. */
  async amend(
    actor: Actor,
    id: string,
    noticeArg: unknown,
  ): Promise<{ entry: EntryRef; lateness: LatenessView }> {
    requirePermission(actor, 'send');
    const notice = checkOperatorNotice(parseNotice(noticeArg), this.clock.now());
    const v = await this.ownLive(actor, id, 'amend');
    await this.sendable(actor, v.channel);
    const entry = await this.append(NOTICE_ENTRY.notice, v.channel, {
      notice,
      amends: v.ref,
      by: actor.name,
    });
    return { entry, lateness: await this.latenessOf(entry.hash) };
  }

  async cancel(actor: Actor, id: string, reasonArg: unknown): Promise<EntryRef> {
    requirePermission(actor, 'send');
    const reason = parseReason(reasonArg);
    const v = await this.ownLive(actor, id, 'cancel');
    await this.sendable(actor, v.channel);
    return this.append(NOTICE_ENTRY.cancel, v.channel, { of: v.ref, reason, by: actor.name });
  }

  /** The receiving side marks the current version read or understood (= acknowledged). */
  async acknowledge(
    actor: Actor,
    id: string,
    level: 'read' | 'understood',
  ): Promise<EntryRef | null> {
    requirePermission(actor, 'acknowledge');
    const v = await this.notice(actor, id);
    if (v.station === this.station)
      throw new ParleyError(
        'PARLEY_E_RECEIPT_NOT_ALLOWED',
        `notice ${id} is this station's own; only the receiving side acknowledges`,
        { id },
      );
    const mine = v.current.parties[this.station];
    if (!mine)
      throw new ParleyError(
        'PARLEY_E_RECEIPT_NOT_ALLOWED',
        `notice ${id} is not addressed to this station`,
        { id },
      );
    if (mine[level]) return null;
    return this.append('receipt', v.channel, { level, of: v.current.ref, by: actor.name });
  }

  /** A notice's reference for people: `ALPHA NTC 12/26` (issuing party, seq, year). */
  refText(v: NoticeView): string {
    const yy = String(new Date(v.versions[0]!.ts).getUTCFullYear() % 100).padStart(2, '0');

    return `${v.versions[0]!.content.issuer.party.toUpperCase()} NTC ${v.ref.seq}/${yy}`;
  }

  view(v: NoticeView, now: number): NoticeApiView {
    const cur = v.current;
    const ref = this.refText(v);
    const ctx = {
      ref,
      amends: v.versions.length > 1 ? ref : null,
      cancelled: v.cancelled ? { ts: v.cancelled.ts, reason: v.cancelled.reason } : null,
    };
    return {
      id: v.id,
      ref,
      station: v.station,
      own: v.station === this.station,
      seq: v.ref.seq,
      ts: v.versions[0]!.ts,
      channel: v.channel,
      status: noticeStatus(v, now),
      notice: cur.content,
      versions: v.versions.map((x) => ({
        id: x.ref.hash,
        seq: x.ref.seq,
        ts: x.ts,
        lateness: lateText(x.lateness),
      })),
      amended: v.versions.length > 1,
      lateness: lateText(cur.lateness),
      cancelled: v.cancelled
        ? { ts: v.cancelled.ts, reason: v.cancelled.reason, by: v.cancelled.by }
        : null,
      receipts: {
        delivered: cur.receipts.delivered ? { ts: cur.receipts.delivered.ts } : null,
        read: cur.receipts.read ?? null,
        understood: cur.receipts.understood ?? null,
      },
      acknowledged: cur.receipts.understood !== undefined,
      // Each recipient's own receipts of the current version.
      parties: Object.entries(cur.parties)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([station, p]) => ({
          station,
          deliveredAt: p.delivered?.ts ?? null,
          read: p.read ?? null,
          understood: p.understood ?? null,
        })),
      text: { en: renderNotice(cur.content, 'en', ctx), zh: renderNotice(cur.content, 'zh', ctx) },
    };
  }

  /**
   * Notice entries (of either feed) whose content failed the notice checks here: signed and held,
   * but not understood. Shown, never dropped silently.
   */
  async unreadable(
    actor: Actor,
  ): Promise<{ station: string; audience?: string; seq: number; error: string }[]> {
    // Their channel is not known (they could not be read): for members of every channel only.
    if (actor.channels !== '*') return [];
    await this.views();
    return [...this.folder.invalid].map(([key, error]) => {
      // The key is `refKey`: `<station>[/<audience>]:<seq>`.
      const at = key.lastIndexOf(':');
      const [station, audience] = key.slice(0, at).split('/');
      return {
        station: station!,
        ...(audience ? { audience } : {}),
        seq: Number(key.slice(at + 1)),
        error,
      };
    });
  }

  async list(
    actor: Actor,
    filter: { status?: string; channel?: string } = {},
  ): Promise<{ now: number; notices: NoticeApiView[] }> {
    // A channel the operator is not a member of: 403 whether or not it exists.
    if (filter.channel !== undefined) requireMember(actor, filter.channel);
    // A channel this station is not a party to does not exist here (ADR 0003): 404, not [].
    if (filter.channel !== undefined && !(await this.hotline.holds(filter.channel)))
      throw new ParleyError(
        'PARLEY_E_CHANNEL_NOT_FOUND',
        `no channel ${filter.channel} is held here`,
        {
          channel: filter.channel,
        },
      );
    const now = this.clock.now();
    const notices = [...(await this.views()).values()]
      .filter((v) => isMember(actor, v.channel))
      .filter((v) => filter.channel === undefined || v.channel === filter.channel)
      .map((v) => this.view(v, now))
      .filter((v) => filter.status === undefined || filter.status.split(',').includes(v.status))
      .sort((a, b) => a.notice.windows[0]!.start - b.notice.windows[0]!.start || a.ts - b.ts);
    return { now, notices };
  }

  async get(actor: Actor, id: string): Promise<NoticeApiView> {
    const v = await this.notice(actor, id);
    return this.view(v, this.clock.now());
  }

  /** The content of a notice or a draft (for GeoJSON and CoT export). */
  async content(
    actor: Actor,
    id: string,
  ): Promise<{ id: string; ref: string; notice: NoticeContent; status: string; own: boolean }> {
    if (id.startsWith('nd_')) {
      const d = await this.draft(actor, id);
      return { id, ref: 'DRAFT', notice: d.notice, status: 'draft', own: true };
    }
    const v = await this.get(actor, id);
    return { id, ref: v.ref, notice: v.notice, status: v.status, own: v.own };
  }

  // -------------------------------------------------------------------------------------------
  // Planned routes (this station's own, local).

  async addRoute(actor: Actor, input: unknown): Promise<PlannedRoute> {
    requirePermission(actor, 'send');
    const route = parseRoute(input, `rt_${randomBytes(9).toString('base64url')}`);
    route.name = parsePolicyText(route.name, { field: 'route name', max: 64 });
    route.unit = parsePolicyText(route.unit, { field: 'route unit', max: 64 });
    const wps = route.waypoints;
    checkWindowBounds(
      [{ start: wps[0]!.time, end: wps[wps.length - 1]!.time }],
      this.clock.now(),
      'route',
    );
    await this.handle.store.setMeta(ROUTE_PREFIX + route.id, JSON.stringify(route));
    return route;
  }

  async routes(): Promise<PlannedRoute[]> {
    return (await this.handle.store.listMeta(ROUTE_PREFIX)).map(
      ([, v]) => JSON.parse(v) as PlannedRoute,
    );
  }

  async deleteRoute(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'send');
    if (!(await this.handle.store.getMeta(ROUTE_PREFIX + id)))
      throw new ParleyError('PARLEY_E_NOT_FOUND', `no planned route ${JSON.stringify(id)}`, { id });
    await this.handle.store.deleteMeta(ROUTE_PREFIX + id);
  }

  // -------------------------------------------------------------------------------------------
  // Conflicts.

  /**
   * Every unit projected into an active area of any current notice (either station's) within
   * the horizon, with the notice it enters: what the encounter list joins. Tracks of the notice's
   * own issuing party are left out. Empty when the station keeps no track picture.
   */
  async trackConflicts(
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
  }> {
    const now = this.clock.now();
    const out: (TrackIntrusion & {
      notice: string;
      ref: string;
      kind: string;
      own: boolean;
      channel: string;
    })[] = [];
    const source = this.tracks;
    if (!source) return { now, conflicts: out };
    // The picture is read (and dead-reckoned) only if some current notice needs it: this runs
    // after every screen, and most of the time there is no notice to check.
    let all: PartyTrack[] | undefined;
    for (const v of (await this.views()).values()) {
      if (!isMember(actor, v.channel)) continue;
      const st = noticeStatus(v, now);
      if (st === 'cancelled' || st === 'expired') continue;
      const own = v.station === this.station;
      const exclude = own ? 'own' : 'other';
      all ??= source();
      for (const hit of tracksIntoNotice(
        v.current.content,
        all.filter((t) => t.party !== exclude),
        { now, horizonMs },
      ))
        out.push({
          ...hit,
          notice: v.id,
          ref: this.refText(v),
          kind: v.current.content.kind,
          own,
          channel: v.channel,
        });
    }
    return { now, conflicts: out.sort((a, b) => a.enterAt - b.enterAt) };
  }

  /**
   * Conflicts of a notice (or a draft): an incoming notice against this station's own notices,
   * drafts and planned routes; an own notice or draft against the other station's notices. Both
   * against the tracks not of the issuing party, dead-reckoned over `horizonMs`. Each conflict
   * comes with a catalogue draft to raise it on the channel.
   */
  async conflicts(
    actor: Actor,
    id: string,
    horizonMs: number,
  ): Promise<{
    id: string;
    ref: string;
    now: number;
    notices: SpaceTimeConflict[];
    routes: SpaceTimeConflict[];
    tracks: TrackIntrusion[] | null;
    drafts: ConflictDraft[];
  }> {
    const now = this.clock.now();
    const target = await this.content(actor, id);
    const own = target.own;
    const views = await this.views();
    const others: { id: string; name: string; content: NoticeContent }[] = [];
    for (const v of views.values()) {
      if (v.id === id || (v.station === this.station) === own) continue;
      // Another channel's notices are not named to this operator (not even as a conflict).
      if (!isMember(actor, v.channel)) continue;
      const st = noticeStatus(v, now);
      if (st === 'cancelled' || st === 'expired') continue;
      others.push({ id: v.id, name: this.refText(v), content: v.current.content });
    }
    if (!own)
      for (const d of await this.drafts(actor))
        others.push({ id: d.id, name: `draft ${d.id}`, content: d.notice });
    const notices = noticeConflicts(target.notice, others);
    const routes = own ? [] : routeConflicts(target.notice, await this.routes());
    let tracks: TrackIntrusion[] | null = null;
    if (this.tracks) {
      const exclude = own ? 'own' : 'other';
      tracks = tracksIntoNotice(
        target.notice,
        this.tracks().filter((t) => t.party !== exclude),
        { now, horizonMs },
      );
    }
    const drafts: ConflictDraft[] = [];
    // NTC-05: "Your notice {text} conflicts with my planned activity from {time}; request you
    // adjust the area or the times" (the text names the notice and what it meets; not translated).
    const raise = (what: string, time: number) => {
      const msg = parseCatalogueMessage({
        v: CATALOGUE_VERSION,
        code: 'NTC-05',
        params: { text: `${target.ref} (${what})`.slice(0, 200), time },
      });
      drafts.push({
        code: msg.code,
        params: msg.params,
        text: { en: renderCatalogueMessage(msg, 'en'), zh: renderCatalogueMessage(msg, 'zh') },
      });
    };
    if (!own) {
      for (const c of [...notices, ...routes])
        raise(
          `${c.with.type === 'route' ? 'planned transit' : 'planned activity'} ${c.with.name}, ${c.km2.toFixed(0)} km² shared until ${formatDtg(c.windows[c.windows.length - 1]!.end)}`,
          c.windows[0]!.start,
        );
      for (const t of tracks ?? [])
        raise(`unit ${t.name ?? t.id} projected inside the area`, t.enterAt);
    }
    return { id, ref: target.ref, now, notices, routes, tracks, drafts };
  }
}
