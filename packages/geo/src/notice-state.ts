/**
 * Notices as both feeds record them, folded from their entries: a `notice` entry issues one;
 * a later `notice` entry of the same station whose `amends` names it replaces its content; a
 * `notice-cancel` entry ends it. Receipts (the hotline's delivered, read and understood) apply to
 * each version. Lateness is computed from the signed entry times, the windows and the channel's
 * lead times, so both stations compute the same value. The result does not depend on the order
 * entries are added in.
 */
import { asRef, checkBody, noticeLateness, refKey, refOf } from '@parley/core';
import type { EntryRef, HotlineEntry, Lateness, NoticeKind } from '@parley/core';
import { parseNotice } from './notice.js';
import type { NoticeContent } from './notice.js';

/** Entry kinds of notices (receipts are the hotline's `receipt`). */
export const NOTICE_ENTRY = { notice: 'notice', cancel: 'notice-cancel' } as const;

type At = { ts: number; by: string | null };

export interface NoticeVersion {
  ref: EntryRef;
  ts: number;
  content: NoticeContent;
  author: string | null;
  /** When the activity of this version was first notified (an earlier version with an earlier or equal start counts). */
  notifiedAt: number;
  lateness: Lateness;
  /** A level is reached once every recipient has reached it (the time is the last of them). */
  receipts: { delivered?: At; read?: At; understood?: At };
  /** Each recipient (every member of the channel's audience but the issuer) and its receipts. */
  parties: Record<string, { delivered?: At; read?: At; understood?: At }>;
}

export interface NoticeView {
  /** The first version's entry hash: the notice's id for its whole life. */
  id: string;
  ref: EntryRef;
  station: string;
  channel: string;
  versions: NoticeVersion[];
  current: NoticeVersion;
  cancelled: { ref: EntryRef; ts: number; reason: string; by: string | null } | null;
}

export type NoticeStatus = 'upcoming' | 'active' | 'expired' | 'cancelled';

/** Where a notice stands at `now`. */
export function noticeStatus(n: NoticeView, now: number): NoticeStatus {
  if (n.cancelled) return 'cancelled';
  const ws = n.current.content.windows;
  if (ws.some((w) => now >= w.start && now < w.end)) return 'active';
  return now < Math.max(...ws.map((w) => w.end)) ? 'upcoming' : 'expired';
}

/** The feed an entry is in: its station and audience (ADR 0003). */
const feedOf = (station: string, audience: string | null | undefined) =>
  audience ? `${station}/${audience}` : station;

const earlier = (a: At | undefined, b: At): At => (a && a.ts <= b.ts ? a : b);

/**
 * Folds notice entries (and the receipts that concern them) of both feeds. Add entries in any
 * order; `snapshot` computes the views.
 */
export class NoticeFolder {
  private readonly notices = new Map<string, HotlineEntry & { content: NoticeContent }>();
  private readonly cancels: HotlineEntry[] = [];
  /** Read and understood receipts by the hash of the entry they name (kept for any entry: a receipt may arrive before its notice). */
  private readonly acks = new Map<string, HotlineEntry[]>();
  /** Delivered receipts per sending station, and their index by time (rebuilt when it grows). */
  private readonly delivered = new Map<string, { ts: number; upTo: number }[]>();
  private readonly deliveredIndex = new Map<string, { ts: number[]; maxUpTo: number[] }>();
  private readonly seen = new Set<string>();
  /** Members of each audience, from its feeds' genesis entries. */
  private readonly audiences = new Map<string, string[]>();
  /** Entries whose body failed its schema (`checkBody`) or, for a notice, `parseNotice`: key → why. */
  readonly invalid = new Map<string, string>();

  /** Whether the folder reads this entry kind. */
  static reads(kind: string): boolean {
    return (
      kind === NOTICE_ENTRY.notice ||
      kind === NOTICE_ENTRY.cancel ||
      kind === 'receipt' ||
      kind === 'genesis'
    );
  }

  add(entries: Iterable<HotlineEntry>): void {
    for (const e of entries) {
      // Notices live in audience feeds; a station's identity feed carries none.
      if (!e.audience) continue;
      const key = refKey(e);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const fault = checkBody(e);
      if (fault) {
        let why = `${fault.path}: ${fault.message}`;
        // For a notice, the notice checks say more precisely what is wrong with its content.
        if (e.kind === NOTICE_ENTRY.notice && fault.path.startsWith('/body/notice'))
          try {
            parseNotice(e.body.notice);
          } catch (err) {
            why = (err as Error).message;
          }
        this.invalid.set(key, why);
        continue;
      }
      if (e.kind === NOTICE_ENTRY.notice) {
        if (!e.channel) {
          this.invalid.set(key, 'notice entry names no channel');
          continue;
        }
        try {
          this.notices.set(key, { ...e, content: parseNotice(e.body.notice) });
        } catch (err) {
          this.invalid.set(key, (err as Error).message);
        }
      } else if (e.kind === NOTICE_ENTRY.cancel) this.cancels.push(e);
      else if (e.kind === 'receipt') this.addReceipt(e);
      else if (
        e.kind === 'genesis' &&
        Array.isArray(e.body.members) &&
        !this.audiences.has(e.audience)
      )
        this.audiences.set(e.audience, [...(e.body.members as string[])].sort());
    }
  }

  private addReceipt(r: HotlineEntry): void {
    const level = r.body.level;
    if (level === 'delivered') {
      const sender = r.body.station;
      if (typeof sender !== 'string' || typeof r.body.upTo !== 'number' || sender === r.station)
        return;
      // A receipt covers the sender's feed of the receipt's own audience, for its receiver.
      const st = `${feedOf(sender, r.audience)}>${r.station}`;
      const list = this.delivered.get(st) ?? [];
      list.push({ ts: r.ts, upTo: r.body.upTo });
      this.delivered.set(st, list);
      // Receipts usually come in time order: extend the index; otherwise rebuild it when read.
      const idx = this.deliveredIndex.get(st);
      if (idx && (idx.ts.length === 0 || r.ts >= idx.ts[idx.ts.length - 1]!)) {
        idx.ts.push(r.ts);
        idx.maxUpTo.push(Math.max(idx.maxUpTo[idx.maxUpTo.length - 1] ?? 0, r.body.upTo));
      } else this.deliveredIndex.delete(st);
    } else if (level === 'read' || level === 'understood') {
      const of = asRef(r.body.of);
      // Only a receipt of the notice's own audience counts.
      if (!of || of.audience !== r.audience) return;
      const list = this.acks.get(of.hash) ?? [];
      list.push(r);
      this.acks.set(of.hash, list);
    }
  }

  /** Time of the earliest delivered receipt covering `seq` of `station`'s feed (binary search over the running maximum). */
  private deliveredAt(station: string, seq: number): number | undefined {
    let idx = this.deliveredIndex.get(station);
    if (!idx) {
      const list = [...(this.delivered.get(station) ?? [])].sort((a, b) => a.ts - b.ts);
      const maxUpTo: number[] = [];
      for (const r of list) maxUpTo.push(Math.max(maxUpTo[maxUpTo.length - 1] ?? 0, r.upTo));
      idx = { ts: list.map((r) => r.ts), maxUpTo };
      this.deliveredIndex.set(station, idx);
    }
    let lo = 0;
    let hi = idx.maxUpTo.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idx.maxUpTo[mid]! >= seq) hi = mid;
      else lo = mid + 1;
    }
    return lo < idx.ts.length ? idx.ts[lo] : undefined;
  }

  /**
   * The notices, by id. `leadFor(channel, kind)` gives the channel agreement's minimum lead time.
   */
  snapshot(leadFor: (channel: string, kind: NoticeKind) => number): Map<string, NoticeView> {
    const roots = new Map<string, NoticeView>();
    const all = [...this.notices.values()].sort((a, b) => a.seq - b.seq);
    const version = (e: HotlineEntry & { content: NoticeContent }): NoticeVersion => {
      const parties: NoticeVersion['parties'] = {};
      for (const m of this.audiences.get(e.audience ?? '') ?? []) {
        if (m === e.station) continue;
        const dts = this.deliveredAt(`${feedOf(e.station, e.audience)}>${m}`, e.seq);
        parties[m] = dts === undefined ? {} : { delivered: { ts: dts, by: null } };
      }
      return {
        ref: refOf(e),
        ts: e.ts,
        content: e.content,
        author: typeof e.body.by === 'string' ? e.body.by : null,
        notifiedAt: e.ts,
        lateness: noticeLateness(e.ts, e.content.windows[0]!.start, 0),
        receipts: {},
        parties,
      };
    };
    for (const e of all) {
      const amends = asRef(e.body.amends);
      if (!amends) {
        const v = version(e);
        const view: NoticeView = {
          id: e.hash,
          ref: refOf(e),
          station: e.station,
          channel: e.channel!,
          versions: [v],
          current: v,
          cancelled: null,
        };
        roots.set(e.hash, view);
        continue;
      }
      // An amendment counts only from the notice's own station, naming a notice it holds.
      const root = roots.get(amends.hash);
      if (
        !root ||
        root.station !== e.station ||
        root.ref.seq !== amends.seq ||
        root.ref.audience !== e.audience
      )
        continue;
      const v = version(e);
      root.versions.push(v);
      root.current = v;
    }
    // Cancellations: the first one from the notice's own station stands; later versions are void.
    for (const c of [...this.cancels].sort((a, b) => a.seq - b.seq)) {
      const of = asRef(c.body.of);
      const root = of ? roots.get(of.hash) : undefined;
      if (!root || root.station !== c.station || root.ref.audience !== c.audience || root.cancelled)
        continue;
      root.cancelled = {
        ref: refOf(c),
        ts: c.ts,
        reason: typeof c.body.reason === 'string' ? c.body.reason : '',
        by: typeof c.body.by === 'string' ? c.body.by : null,
      };
      root.versions = root.versions.filter((v) => v.ref.seq < c.seq);
      root.current = root.versions[root.versions.length - 1]!;
    }
    // Read and understood receipts of each recipient, per version; the earliest stands. A level
    // counts for the notice once every recipient has reached it.
    for (const root of roots.values())
      for (const v of root.versions) {
        for (const r of this.acks.get(v.ref.hash) ?? []) {
          const level = r.body.level as 'read' | 'understood';
          const p = v.parties[r.station];
          if (r.station === root.station || r.audience !== root.ref.audience || !p) continue;
          const at = { ts: r.ts, by: typeof r.body.by === 'string' ? r.body.by : null };
          p[level] = earlier(p[level], at);
          if (level === 'understood') p.read = earlier(p.read, at);
        }
        const recips = Object.values(v.parties);
        for (const level of ['delivered', 'read', 'understood'] as const) {
          if (recips.length === 0 || !recips.every((p) => p[level])) continue;
          v.receipts[level] = recips.map((p) => p[level]!).reduce((x, y) => (y.ts > x.ts ? y : x));
        }
      }
    // Lateness: from when the activity was first notified to the first window's start.
    for (const root of roots.values()) {
      root.versions.forEach((v, i) => {
        const start = v.content.windows[0]!.start;
        let notifiedAt = v.ts;
        for (let k = 0; k < i; k++) {
          const u = root.versions[k]!;
          if (u.content.windows[0]!.start <= start) notifiedAt = Math.min(notifiedAt, u.ts);
        }
        v.notifiedAt = notifiedAt;
        v.lateness = noticeLateness(notifiedAt, start, leadFor(root.channel, v.content.kind));
      });
    }
    return roots;
  }
}
