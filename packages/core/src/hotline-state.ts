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

const order = (a: HotlineEntry, b: HotlineEntry) =>
  a.ts - b.ts || (a.station < b.station ? -1 : a.station > b.station ? 1 : a.seq - b.seq);

/**
 * Folds the entries of both feeds into the hotline state. Entries may come in any order:
 * channel events are applied in time order, and receipts, translations and responses are
 * applied after every message they may refer to is known (clocks of two stations differ).
 */
export function foldHotline(entries: Iterable<HotlineEntry>): HotlineState {
  const all = [...entries].sort(order);
  const state: HotlineState = {
    channels: new Map(),
    messages: new Map(),
    calls: new Map(),
    alarms: [],
  };
  const touch = (channel: string | null, ts: number) => {
    const c = channel ? state.channels.get(channel) : undefined;
    if (c && ts > c.lastSubstantiveAt) c.lastSubstantiveAt = ts;
  };

  // Pass 1: channels (in time order), messages and call requests.
  for (const e of all) {
    const ref = { station: e.station, seq: e.seq, hash: e.hash };
    const b = e.body;
    switch (e.kind) {
      case HOTLINE_KIND.channelPropose: {
        if (!e.channel || state.channels.has(e.channel)) break;
        state.channels.set(e.channel, {
          name: e.channel,
          status: 'proposed',
          agreement: b.agreement as ChannelAgreement,
          proposedBy: e.station,
          proposal: ref,
          acceptedBy: null,
          suspension: null,
          history: [{ kind: 'proposed', station: e.station, seq: e.seq, ts: e.ts }],
          lastSubstantiveAt: e.ts,
        });
        break;
      }
      case HOTLINE_KIND.channelAccept: {
        const c = e.channel ? state.channels.get(e.channel) : undefined;
        const proposal = asRef(b.proposal);
        if (
          !c ||
          c.status !== 'proposed' ||
          e.station === c.proposedBy ||
          proposal?.hash !== c.proposal.hash
        )
          break;
        c.status = 'open';
        c.acceptedBy = e.station;
        c.lastSubstantiveAt = Math.max(c.lastSubstantiveAt, e.ts);
        c.history.push({ kind: 'accepted', station: e.station, seq: e.seq, ts: e.ts });
        break;
      }
      case HOTLINE_KIND.channelSuspend:
      case HOTLINE_KIND.channelResume: {
        const c = e.channel ? state.channels.get(e.channel) : undefined;
        if (!c || c.status === 'proposed') break;
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
        break;
      }
      case HOTLINE_KIND.message: {
        if (!e.channel) break;
        state.messages.set(refKey(e), {
          ref,
          id: e.hash,
          ts: e.ts,
          channel: e.channel,
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
        });
        touch(e.channel, e.ts);
        break;
      }
      case HOTLINE_KIND.callRequest: {
        if (!e.channel) break;
        state.calls.set(refKey(e), {
          ref,
          id: e.hash,
          ts: e.ts,
          channel: e.channel,
          precedence: (b.precedence as Precedence) ?? 'PRIORITY',
          slots: Array.isArray(b.slots) ? (b.slots as number[]) : [],
          medium: String(b.medium ?? 'voice'),
          responses: [],
          status: 'open',
          deadline: null,
        });
        touch(e.channel, e.ts);
        break;
      }
    }
  }

  // Pass 2: everything that refers to a message or call.
  const delivered = new Map<string, { ts: number; upTo: number }[]>();
  for (const e of all) {
    const b = e.body;
    if (e.kind === HOTLINE_KIND.receipt) {
      const level = b.level as ReceiptLevel;
      if (level === 'delivered') {
        // Cumulative: the receiving station holds the named feed up to `upTo`. Applied below.
        if (
          typeof b.station === 'string' &&
          typeof b.upTo === 'number' &&
          b.station !== e.station
        ) {
          const list = delivered.get(b.station) ?? [];
          list.push({ ts: e.ts, upTo: b.upTo });
          delivered.set(b.station, list);
        }
      } else if (level === 'read' || level === 'understood') {
        const of = asRef(b.of);
        const m = of ? state.messages.get(refKey(of)) : undefined;
        if (!m || m.ref.hash !== of!.hash || e.station === m.ref.station) continue;
        if (!m.receipts[level]) {
          m.receipts[level] = {
            ts: e.ts,
            by: typeof b.by === 'string' ? b.by : null,
            ...(typeof b.readback === 'string' ? { readback: b.readback } : {}),
          };
        }
        // Understanding implies reading.
        if (level === 'understood' && !m.receipts.read)
          m.receipts.read = { ts: e.ts, by: typeof b.by === 'string' ? b.by : null };
        touch(m.channel, e.ts);
      }
    } else if (e.kind === HOTLINE_KIND.translation) {
      const of = asRef(b.of);
      const m = of ? state.messages.get(refKey(of)) : undefined;
      if (!m || typeof b.text !== 'string') continue;
      m.translations.push({
        station: e.station,
        seq: e.seq,
        ts: e.ts,
        lang: String(b.lang ?? ''),
        text: b.text,
        translator: typeof b.by === 'string' ? b.by : null,
      });
      touch(m.channel, e.ts);
    } else if (e.kind === HOTLINE_KIND.callResponse) {
      const of = asRef(b.of);
      const c = of ? state.calls.get(refKey(of)) : undefined;
      if (!c || e.station === c.ref.station || c.status !== 'open') continue;
      const action = b.action as 'accept' | 'decline' | 'counter';
      c.responses.push({
        station: e.station,
        seq: e.seq,
        ts: e.ts,
        action,
        slot: typeof b.slot === 'number' ? b.slot : null,
        slots: Array.isArray(b.slots) ? (b.slots as number[]) : [],
      });
      c.status = action === 'accept' ? 'accepted' : action === 'decline' ? 'declined' : 'countered';
      touch(c.channel, e.ts);
    } else if (e.kind === HOTLINE_KIND.alarm) {
      const of = asRef(b.of);
      const m = of ? (state.messages.get(refKey(of)) ?? state.calls.get(refKey(of))) : undefined;
      if (m && 'alarmed' in m) m.alarmed = true;
      state.alarms.push({
        ref: { station: e.station, seq: e.seq, hash: e.hash },
        ts: e.ts,
        type: String(b.type ?? 'alarm'),
        of,
        station: typeof b.station === 'string' ? b.station : null,
        reason: String(b.reason ?? ''),
        channel: e.channel ?? m?.channel ?? null,
      });
    }
    if (e.kind === HOTLINE_KIND.message) {
      const m = state.messages.get(refKey(e))!;
      if (m?.replyTo) state.messages.get(refKey(m.replyTo))?.replies.push(m.ref);
    }
  }

  // Delivery: receipts of one receiver come in time order with growing `upTo`, so one sweep
  // over the sender's messages in seq order gives each the earliest receipt covering it.
  for (const [station, receipts] of delivered) {
    const items = [...state.messages.values(), ...state.calls.values()]
      .filter((m) => m.ref.station === station)
      .sort((x, y) => x.ref.seq - y.ref.seq);
    let i = 0;
    for (const r of receipts) {
      for (; i < items.length && items[i]!.ref.seq <= r.upTo; i++) {
        const m = items[i]!;
        if ('receipts' in m) m.receipts.delivered = { ts: r.ts, by: null };
        else m.deadline = r.ts;
      }
    }
  }

  // Deadlines: from delivery, by the channel's handling objective for the precedence.
  for (const m of [...state.messages.values(), ...state.calls.values()]) {
    const agreement = state.channels.get(m.channel)?.agreement;
    const handling = agreement?.handling[m.precedence];
    if (handling === undefined) continue;
    if ('receipts' in m)
      m.deadline = m.receipts.delivered ? m.receipts.delivered.ts + handling : null;
    else if (m.deadline !== null) m.deadline += handling;
  }
  return state;
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
