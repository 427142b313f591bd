import type { ChannelAgreement, ChannelStatus, ReceiptLevel } from './channel.js';
import type { Precedence } from './precedence.js';

/**
 * The hotline as both feeds record it, folded from their entries: channels and their
 * agreements, messages with receipts at each level, translations, replies, call requests,
 * deadlines and alarms. Pure: the station reads entries from its store and calls `foldHotline`;
 * tests drive it with entries and a clock.
 */

/** The fields of an entry the hotline reads (station, seq, hash identify it). */
export interface HotlineEntry {
  station: string;
  seq: number;
  hash: string;
  ts: number;
  kind: string;
  channel: string | null;
  body: Record<string, unknown>;
}

/** A reference to an entry of either feed. */
export interface EntryRef {
  station: string;
  seq: number;
  hash: string;
}

export const refKey = (r: { station: string; seq: number }) => `${r.station}:${r.seq}`;

export interface ChannelEvent {
  kind: 'proposed' | 'accepted' | 'suspended' | 'resumed';
  station: string;
  seq: number;
  ts: number;
  reason?: string;
}

export interface ChannelView {
  name: string;
  status: ChannelStatus;
  agreement: ChannelAgreement;
  proposedBy: string;
  /** The proposal entry, which an acceptance names. */
  proposal: EntryRef;
  acceptedBy: string | null;
  /** Set while suspended: who, why, when. */
  suspension: { station: string; reason: string; ts: number } | null;
  history: ChannelEvent[];
  /** Time of the last substantive exchange (messages, read/understood receipts, translations, calls), or of opening. */
  lastSubstantiveAt: number;
}

export interface TranslationView {
  station: string;
  seq: number;
  ts: number;
  lang: string;
  text: string;
  translator: string | null;
}

export interface MessageView {
  ref: EntryRef;
  id: string;
  ts: number;
  channel: string;
  precedence: Precedence;
  text: string | null;
  lang: string | null;
  catalogue: { code: string; params: Record<string, unknown>; v: number } | null;
  replyTo: EntryRef | null;
  escalates: EntryRef | null;
  author: string | null;
  approver: string | null;
  receipts: Partial<Record<ReceiptLevel, { ts: number; by: string | null; readback?: string }>>;
  translations: TranslationView[];
  replies: EntryRef[];
  /** When `understood` is due (delivery + handling objective), null before delivery. */
  deadline: number | null;
  alarmed: boolean;
}

export interface CallView {
  ref: EntryRef;
  id: string;
  ts: number;
  channel: string;
  precedence: Precedence;
  slots: number[];
  medium: string;
  responses: {
    station: string;
    seq: number;
    ts: number;
    action: 'accept' | 'decline' | 'counter';
    slot: number | null;
    slots: number[];
  }[];
  status: 'open' | 'accepted' | 'declined' | 'countered';
  deadline: number | null;
}

export interface AlarmView {
  ref: EntryRef;
  ts: number;
  type: string;
  of: EntryRef | null;
  station: string | null;
  reason: string;
  channel: string | null;
}

export interface HotlineState {
  channels: Map<string, ChannelView>;
  messages: Map<string, MessageView>;
  calls: Map<string, CallView>;
  alarms: AlarmView[];
}

/** Entry kinds of the hotline. */
export const HOTLINE_KIND = {
  channelPropose: 'channel-propose',
  channelAccept: 'channel-accept',
  channelSuspend: 'channel-suspend',
  channelResume: 'channel-resume',
  message: 'message',
  receipt: 'receipt',
  translation: 'translation',
  callRequest: 'call-request',
  callResponse: 'call-response',
  alarm: 'alarm',
} as const;

function asRef(v: unknown): EntryRef | null {
  const r = v as Partial<EntryRef> | null | undefined;
  return r &&
    typeof r.station === 'string' &&
    typeof r.seq === 'number' &&
    typeof r.hash === 'string'
    ? { station: r.station, seq: r.seq, hash: r.hash }
    : null;
}

/**
 * Folds the entries of both feeds into the hotline state: a `HotlineFolder` given every entry
 * at once. The result does not depend on the order entries are given in.
 */
export function foldHotline(entries: Iterable<HotlineEntry>): HotlineState {
  const folder = new HotlineFolder();
  folder.add(entries);
  return folder.snapshot();
}

const before = (
  a: { ts: number; station: string; seq: number },
  b: { ts: number; station: string; seq: number },
) => a.ts - b.ts || (a.station < b.station ? -1 : a.station > b.station ? 1 : a.seq - b.seq);

/** Inserts `item` into `list`, kept sorted by `cmp` (new items usually go at the end). */
function insertSorted<T>(list: T[], item: T, cmp: (a: T, b: T) => number): void {
  let i = list.length;
  while (i > 0 && cmp(list[i - 1]!, item) > 0) i--;
  list.splice(i, 0, item);
}

type Item = MessageView | CallView;

/**
 * The hotline state, folded incrementally: a station adds the entries that are new since its
 * last look, and the view stays current at a cost proportional to what is new, not to history.
 *
 * Every rule is independent of arrival order, because the two stations' clocks differ and
 * replication interleaves feeds: channel events are replayed in time order; an entry that
 * refers to a message not yet known waits for it; the earliest receipt of each level wins;
 * a message is delivered at the earliest delivered receipt that covers it.
 */
export class HotlineFolder {
  private readonly channels = new Map<string, ChannelView>();
  private readonly messages = new Map<string, MessageView>();
  private readonly calls = new Map<string, CallView>();
  private readonly alarms: AlarmView[] = [];
  /** Channel events, in time order, replayed to give each channel its status. */
  private readonly channelEvents: HotlineEntry[] = [];
  /** Latest substantive exchange per channel name. */
  private readonly touches = new Map<string, number>();
  /** Entries that refer to a message or call not yet seen, by its key. */
  private readonly waiting = new Map<string, HotlineEntry[]>();
  /** Delivered receipts per sending station, in time order. */
  private readonly receipts = new Map<string, { ts: number; upTo: number }[]>();
  /** Items per sending station still without a delivered receipt, in seq order. */
  private readonly undelivered = new Map<string, Item[]>();
  private readonly maxUpTo = new Map<string, number>();
  private readonly seen = new Set<string>();
  /** Whether an entry was added since the last snapshot (which then recomputes the deadlines). */
  private changed = true;

  /** Adds entries (any order, any feed); an entry already added is ignored. */
  add(entries: Iterable<HotlineEntry>): void {
    let channelsChanged = false;
    for (const e of entries) {
      const key = refKey(e);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.changed = true;
      switch (e.kind) {
        case HOTLINE_KIND.channelPropose:
        case HOTLINE_KIND.channelAccept:
        case HOTLINE_KIND.channelSuspend:
        case HOTLINE_KIND.channelResume:
          if (e.channel) {
            insertSorted(this.channelEvents, e, before);
            channelsChanged = true;
          }
          break;
        case HOTLINE_KIND.message:
        case HOTLINE_KIND.callRequest:
          if (e.channel) this.addItem(e);
          break;
        case HOTLINE_KIND.receipt:
          if (e.body.level === 'delivered') this.addDelivered(e);
          else this.refer(e);
          break;
        case HOTLINE_KIND.translation:
        case HOTLINE_KIND.callResponse:
        case HOTLINE_KIND.alarm:
          this.refer(e);
          break;
      }
    }
    if (channelsChanged) this.replayChannels();
  }

  /** The current view (deadlines computed for now). Later `add`s update the same objects. */
  snapshot(): HotlineState {
    // Deadlines and last exchanges change only with entries: a look with nothing new (the
    // screen's and the deadline watch's every second) costs nothing.
    if (this.changed) this.settle();
    return {
      channels: this.channels,
      messages: this.messages,
      calls: this.calls,
      alarms: this.alarms,
    };
  }

  private settle(): void {
    this.changed = false;
    for (const c of this.channels.values())
      c.lastSubstantiveAt = Math.max(c.lastSubstantiveAt, this.touches.get(c.name) ?? 0);
    for (const m of [...this.messages.values(), ...this.calls.values()]) {
      const handling = this.channels.get(m.channel)?.agreement.handling[m.precedence];
      const delivered =
        'receipts' in m
          ? m.receipts.delivered?.ts
          : (m as CallView & { deliveredAt?: number }).deliveredAt;
      m.deadline = handling === undefined || delivered === undefined ? null : delivered + handling;
    }
  }

  private touch(channel: string | null, ts: number): void {
    if (channel && ts > (this.touches.get(channel) ?? -Infinity)) this.touches.set(channel, ts);
  }

  private replayChannels(): void {
    this.channels.clear();
    for (const e of this.channelEvents) {
      const b = e.body;
      const name = e.channel!;
      const c = this.channels.get(name);
      if (e.kind === HOTLINE_KIND.channelPropose) {
        if (c) continue;
        this.channels.set(name, {
          name,
          status: 'proposed',
          agreement: b.agreement as ChannelAgreement,
          proposedBy: e.station,
          proposal: { station: e.station, seq: e.seq, hash: e.hash },
          acceptedBy: null,
          suspension: null,
          history: [{ kind: 'proposed', station: e.station, seq: e.seq, ts: e.ts }],
          lastSubstantiveAt: e.ts,
        });
      } else if (e.kind === HOTLINE_KIND.channelAccept) {
        const proposal = asRef(b.proposal);
        if (
          !c ||
          c.status !== 'proposed' ||
          e.station === c.proposedBy ||
          proposal?.hash !== c.proposal.hash
        )
          continue;
        c.status = 'open';
        c.acceptedBy = e.station;
        c.lastSubstantiveAt = Math.max(c.lastSubstantiveAt, e.ts);
        c.history.push({ kind: 'accepted', station: e.station, seq: e.seq, ts: e.ts });
      } else if (c && c.status !== 'proposed') {
        const reason = typeof b.reason === 'string' ? b.reason : '';
        if (e.kind === HOTLINE_KIND.channelSuspend && c.status === 'open') {
          c.status = 'suspended';
          c.suspension = { station: e.station, reason, ts: e.ts };
          c.history.push({ kind: 'suspended', station: e.station, seq: e.seq, ts: e.ts, reason });
        } else if (e.kind === HOTLINE_KIND.channelResume && c.status === 'suspended') {
          c.status = 'open';
          c.suspension = null;
          c.history.push({ kind: 'resumed', station: e.station, seq: e.seq, ts: e.ts, reason });
        }
      }
    }
  }

  private addItem(e: HotlineEntry): void {
    const b = e.body;
    const ref = { station: e.station, seq: e.seq, hash: e.hash };
    const key = refKey(e);
    let item: Item;
    if (e.kind === HOTLINE_KIND.message) {
      const m: MessageView = {
        ref,
        id: e.hash,
        ts: e.ts,
        channel: e.channel!,
        precedence: b.precedence as Precedence,
        text: typeof b.text === 'string' ? b.text : null,
        lang: typeof b.lang === 'string' ? b.lang : null,
        catalogue: (b.catalogue as MessageView['catalogue']) ?? null,
        replyTo: asRef(b.replyTo),
        escalates: asRef(b.escalates),
        author: typeof b.author === 'string' ? b.author : null,
        approver: typeof b.approver === 'string' ? b.approver : null,
        receipts: {},
        translations: [],
        replies: [],
        deadline: null,
        alarmed: false,
      };
      this.messages.set(key, m);
      item = m;
      // A reply is an entry that refers to the message it answers.
      if (m.replyTo) this.refer({ ...e, kind: 'reply', body: { of: m.replyTo } });
    } else {
      const c: CallView = {
        ref,
        id: e.hash,
        ts: e.ts,
        channel: e.channel!,
        precedence: (b.precedence as Precedence) ?? 'PRIORITY',
        slots: Array.isArray(b.slots) ? (b.slots as number[]) : [],
        medium: String(b.medium ?? 'voice'),
        responses: [],
        status: 'open',
        deadline: null,
      };
      this.calls.set(key, c);
      item = c;
    }
    this.touch(e.channel, e.ts);
    // Delivery: the earliest receipt already held that covers it, else wait for one.
    const r =
      e.seq <= (this.maxUpTo.get(e.station) ?? 0)
        ? this.receipts.get(e.station)?.find((x) => x.upTo >= e.seq)
        : undefined;
    if (r) this.markDelivered(item, r.ts);
    else {
      const list = this.undelivered.get(e.station) ?? [];
      insertSorted(list, item, (x, y) => x.ref.seq - y.ref.seq);
      this.undelivered.set(e.station, list);
    }
    const waiting = this.waiting.get(key);
    if (waiting) {
      this.waiting.delete(key);
      for (const w of waiting) this.apply(w, item);
    }
  }

  private markDelivered(item: Item, ts: number): void {
    if ('receipts' in item) item.receipts.delivered = { ts, by: null };
    else (item as CallView & { deliveredAt?: number }).deliveredAt = ts;
  }

  private addDelivered(e: HotlineEntry): void {
    const b = e.body;
    if (typeof b.station !== 'string' || typeof b.upTo !== 'number' || b.station === e.station)
      return;
    const list = this.receipts.get(b.station) ?? [];
    const receipt = { ts: e.ts, upTo: b.upTo };
    insertSorted(list, receipt, (x, y) => x.ts - y.ts);
    this.receipts.set(b.station, list);
    this.maxUpTo.set(b.station, Math.max(this.maxUpTo.get(b.station) ?? 0, b.upTo));
    // One receiver's receipts normally come in time order; this one is then the earliest that
    // covers anything still undelivered. Otherwise search for the earliest covering receipt.
    const latest = list[list.length - 1] === receipt;
    const earliest = (seq: number) => (latest ? e.ts : list.find((x) => x.upTo >= seq)!.ts);
    const pending = this.undelivered.get(b.station);
    if (pending) {
      const keep: Item[] = [];
      for (const it of pending) {
        if (it.ref.seq <= b.upTo) this.markDelivered(it, earliest(it.ref.seq));
        else keep.push(it);
      }
      this.undelivered.set(b.station, keep);
    }
    if (!latest) {
      // An older receipt arrived late: it may lower delivery times already set.
      for (const m of [...this.messages.values(), ...this.calls.values()]) {
        if (m.ref.station !== b.station || m.ref.seq > b.upTo) continue;
        const at =
          'receipts' in m
            ? m.receipts.delivered?.ts
            : (m as CallView & { deliveredAt?: number }).deliveredAt;
        if (at !== undefined && e.ts < at) this.markDelivered(m, e.ts);
      }
    }
  }

  /** An entry that refers to a message or call: applied now, or when the target arrives. */
  private refer(e: HotlineEntry): void {
    const of = asRef(e.body.of);
    if (e.kind === HOTLINE_KIND.alarm) {
      this.alarms.push({
        ref: { station: e.station, seq: e.seq, hash: e.hash },
        ts: e.ts,
        type: String(e.body.type ?? 'alarm'),
        of,
        station: typeof e.body.station === 'string' ? e.body.station : null,
        reason: String(e.body.reason ?? ''),
        channel: e.channel,
      });
      const at = (a: AlarmView) => ({ ts: a.ts, station: a.ref.station, seq: a.ref.seq });
      const last = this.alarms.pop()!;
      insertSorted(this.alarms, last, (x, y) => before(at(x), at(y)));
    }
    if (!of) return;
    const key = refKey(of);
    const target = this.messages.get(key) ?? this.calls.get(key);
    if (target) this.apply(e, target);
    else {
      const list = this.waiting.get(key) ?? [];
      list.push(e);
      this.waiting.set(key, list);
    }
  }

  private apply(e: HotlineEntry, target: Item): void {
    const b = e.body;
    const of = asRef(b.of);
    if (!of || of.hash !== target.ref.hash) return;
    if (e.kind === 'reply') {
      if ('replies' in target)
        insertSorted(target.replies, { station: e.station, seq: e.seq, hash: e.hash }, (x, y) =>
          x.station < y.station ? -1 : x.station > y.station ? 1 : x.seq - y.seq,
        );
      return;
    }
    if (e.kind === HOTLINE_KIND.alarm) {
      if ('alarmed' in target) target.alarmed = true;
      const a = this.alarms.find((x) => x.ref.hash === e.hash);
      if (a && a.channel === null) a.channel = target.channel;
      return;
    }
    if (e.kind === HOTLINE_KIND.receipt && 'receipts' in target) {
      const level = b.level;
      if ((level !== 'read' && level !== 'understood') || e.station === target.ref.station) return;
      const by = typeof b.by === 'string' ? b.by : null;
      const r = {
        ts: e.ts,
        by,
        ...(typeof b.readback === 'string' ? { readback: b.readback } : {}),
      };
      // The earliest receipt of each level stands.
      const cur = target.receipts[level];
      if (!cur || e.ts < cur.ts) target.receipts[level] = r;
      // Understanding implies reading.
      if (level === 'understood' && (!target.receipts.read || e.ts < target.receipts.read.ts))
        target.receipts.read = { ts: e.ts, by };
      this.touch(target.channel, e.ts);
    } else if (e.kind === HOTLINE_KIND.translation && 'translations' in target) {
      if (typeof b.text !== 'string') return;
      insertSorted(
        target.translations,
        {
          station: e.station,
          seq: e.seq,
          ts: e.ts,
          lang: String(b.lang ?? ''),
          text: b.text,
          translator: typeof b.by === 'string' ? b.by : null,
        },
        before,
      );
      this.touch(target.channel, e.ts);
    } else if (e.kind === HOTLINE_KIND.callResponse && 'responses' in target) {
      if (e.station === target.ref.station) return;
      const action = b.action as 'accept' | 'decline' | 'counter';
      insertSorted(
        target.responses,
        {
          station: e.station,
          seq: e.seq,
          ts: e.ts,
          action,
          slot: typeof b.slot === 'number' ? b.slot : null,
          slots: Array.isArray(b.slots) ? (b.slots as number[]) : [],
        },
        before,
      );
      // The first answer settles the request.
      const first = target.responses[0]!;
      target.status =
        first.action === 'accept'
          ? 'accepted'
          : first.action === 'decline'
            ? 'declined'
            : 'countered';
      this.touch(target.channel, e.ts);
    }
  }
}

/** What a watch must see about a message at time `now`. */
export interface Overdue {
  key: string;
  kind: 'understood-overdue' | 'undelivered-overdue' | 'call-unanswered';
  ref: EntryRef;
  channel: string;
  precedence: Precedence;
  since: number;
  due: number;
}

/**
 * Messages (and call requests) of `station` whose handling objective has passed at `now`
 * without the awaited answer: not understood by the deadline running from delivery, or not even
 * delivered within the objective counted from sending (the link is down: never silent).
 */
export function overdue(state: HotlineState, station: string, now: number): Overdue[] {
  const out: Overdue[] = [];
  for (const m of state.messages.values()) {
    if (m.ref.station !== station || m.receipts.understood) continue;
    const handling = state.channels.get(m.channel)?.agreement.handling[m.precedence];
    if (handling === undefined) continue;
    if (m.deadline !== null && now > m.deadline) {
      out.push({
        key: refKey(m.ref),
        kind: 'understood-overdue',
        ref: m.ref,
        channel: m.channel,
        precedence: m.precedence,
        since: m.ts,
        due: m.deadline,
      });
    } else if (!m.receipts.delivered && now > m.ts + handling) {
      out.push({
        key: refKey(m.ref),
        kind: 'undelivered-overdue',
        ref: m.ref,
        channel: m.channel,
        precedence: m.precedence,
        since: m.ts,
        due: m.ts + handling,
      });
    }
  }
  for (const c of state.calls.values()) {
    if (
      c.ref.station !== station ||
      c.status !== 'open' ||
      c.deadline === null ||
      now <= c.deadline
    )
      continue;
    out.push({
      key: refKey(c.ref),
      kind: 'call-unanswered',
      ref: c.ref,
      channel: c.channel,
      precedence: c.precedence,
      since: c.ts,
      due: c.deadline,
    });
  }
  return out;
}

/** "no answer for 32 h": a plain age for people. */
export function formatAge(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
