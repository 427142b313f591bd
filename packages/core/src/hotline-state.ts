import { checkBody } from './bodies.js';
import type { BodyFault } from './bodies.js';
import type { ChannelAgreement } from './channel.js';
import type { Precedence } from './precedence.js';
import { asRef, HOTLINE_KIND, refKey, refOf } from './hotline-views.js';
import { handlingObjective } from './hotline-watch.js';
import type {
  AlarmView,
  CallView,
  ChannelView,
  EntryRef,
  HotlineEntry,
  HotlineState,
  MessageView,
} from './hotline-views.js';

/**
 * The hotline as both feeds record it, folded from their entries: channels and their
 * agreements, messages with receipts at each level, translations, replies, call requests,
 * deadlines and alarms. Pure: the station reads entries from its store and calls `foldHotline`;
 * tests drive it with entries and a clock.
 */

/**
 * Folds the entries of both feeds into the hotline state: a `HotlineFolder` given every entry
 * at once. The result does not depend on the order entries are given in.
 */
export function foldHotline(entries: Iterable<HotlineEntry>, self?: string): HotlineState {
  const folder = new HotlineFolder(self);
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

/** An entry kept out of the fold: which one, of what kind, and the first field that fails. */
export interface BodyViolation extends BodyFault {
  ref: EntryRef;
  kind: string;
}

/**
 * The hotline state, folded incrementally: a station adds the entries that are new since its
 * last look, and the view stays current at a cost proportional to what is new, not to history.
 *
 * Every rule is independent of arrival order, because the stations' clocks differ and
 * replication interleaves feeds: channel events are replayed in time order; an entry that
 * refers to a message not yet known waits for it; the earliest receipt of each level wins;
 * a message is delivered to a recipient at the earliest delivered receipt of that recipient
 * that covers it.
 *
 * Audiences (ADR 0003): a channel lives in the feeds of one audience, whose members come from
 * the genesis entries of those feeds. Only entries of that audience count for the channel and
 * its messages; entries of a station's identity feed have no hotline meaning. A message is
 * delivered, read and understood by each member but its sender, with a deadline each.
 */
export class HotlineFolder {
  private readonly channels = new Map<string, ChannelView>();
  private readonly messages = new Map<string, MessageView>();
  private readonly calls = new Map<string, CallView>();
  private readonly alarms: AlarmView[] = [];
  /** Channel events, in time order, replayed to give each channel its status. */
  private readonly channelEvents: HotlineEntry[] = [];
  /** Latest substantive exchange per channel (audience and name). */
  private readonly touches = new Map<string, number>();
  /** Entries that refer to a message or call not yet seen, by its key. */
  private readonly waiting = new Map<string, HotlineEntry[]>();
  /** Members of each audience, from its feeds' genesis entries. */
  private readonly audiences = new Map<string, string[]>();
  /** Items whose audience's members are not known yet. */
  private readonly awaitingMembers = new Map<string, Item[]>();
  /** Delivered receipts per (sender's feed, receiver), in time order. */
  private readonly receipts = new Map<string, { ts: number; upTo: number }[]>();
  /** Items per (sender's feed, receiver) still without a delivered receipt, in seq order. */
  private readonly undelivered = new Map<string, Item[]>();
  private readonly maxUpTo = new Map<string, number>();
  private readonly seen = new Set<string>();
  /** Whether an entry was added since the last snapshot (which then recomputes the views). */
  private changed = true;

  /**
   * @param self the station whose view this is: a channel name it proposed or accepted in one
   *   audience stays with that channel, whatever another peer proposes under that name elsewhere
   *   (even back-dated). Without it (a third party's view), the earliest proposal holds a name.
   */
  constructor(private readonly self?: string) {}

  /**
   * Adds entries (any order, any feed); an entry already added is ignored. Each entry is taken
   * whole or not at all: its body is checked against its kind's schema (`checkBody`) first, and
   * one that fails is kept out and listed in `violations` instead. Never throws.
   */
  add(entries: Iterable<HotlineEntry>): void {
    let channelsChanged = false;
    for (const e of entries) {
      // A station's identity feed is shared with every peer: it carries no hotline traffic.
      if (!e.audience) continue;
      const key = refKey(e);
      if (this.seen.has(key) || this.violations.has(key)) continue;
      const fault = checkBody(e);
      if (fault) {
        this.violations.set(key, { ref: refOf(e), kind: e.kind, ...fault });
        continue;
      }
      if (this.addOne(e)) channelsChanged = true;
      this.seen.add(key);
      this.changed = true;
    }
    if (channelsChanged) this.replayChannels();
  }

  /**
   * Entries kept out of the fold because their body fails the schema of their kind, by entry
   * key (`refKey`): a protocol violation by the station that signed them.
   */
  readonly violations = new Map<string, BodyViolation>();

  /** Applies one checked entry; true if the channels must be replayed. */
  private addOne(e: HotlineEntry): boolean {
    switch (e.kind) {
      case 'genesis':
        return this.addAudience(e);
      case HOTLINE_KIND.channelPropose:
      case HOTLINE_KIND.channelAccept:
      case HOTLINE_KIND.channelSuspend:
      case HOTLINE_KIND.channelResume:
        insertSorted(this.channelEvents, e, before);
        return true;
      case HOTLINE_KIND.message:
      case HOTLINE_KIND.callRequest:
        this.addItem(e);
        return false;
      case HOTLINE_KIND.receipt:
        if (e.body.level === 'delivered') this.addDelivered(e);
        else this.refer(e);
        return false;
      case HOTLINE_KIND.translation:
      case HOTLINE_KIND.callResponse:
      case HOTLINE_KIND.alarm:
        this.refer(e);
        return false;
      default:
        return false;
    }
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

  /** The members of an audience, once one of its feeds' genesis entries is held. */
  members(audience: string): readonly string[] | undefined {
    return this.audiences.get(audience);
  }

  private addAudience(e: HotlineEntry): boolean {
    const m = e.body.members;
    const audience = e.audience!;
    if (this.audiences.has(audience) || !Array.isArray(m) || !m.includes(e.station)) return false;
    this.audiences.set(audience, [...(m as string[])].sort());
    const items = this.awaitingMembers.get(audience) ?? [];
    this.awaitingMembers.delete(audience);
    for (const it of items) this.addRecipients(it);
    return true;
  }

  private settle(): void {
    this.changed = false;
    for (const c of this.channels.values())
      c.lastSubstantiveAt = Math.max(
        c.lastSubstantiveAt,
        this.touches.get(`${c.audience}|${c.name}`) ?? 0,
      );
    for (const m of [...this.messages.values(), ...this.calls.values()]) {
      const handling = handlingObjective(this.channels.get(m.channel), m);
      // The earliest deadline still running; once every recipient has understood, the last one.
      let earliest: number | null = null;
      let last: number | null = null;
      for (const r of Object.values(m.recipients)) {
        r.deadline = handling === undefined || !r.delivered ? null : r.delivered.ts + handling;
        if (r.deadline === null) continue;
        last = last === null ? r.deadline : Math.max(last, r.deadline);
        if (!r.understood || !('receipts' in m))
          earliest = earliest === null ? r.deadline : Math.min(earliest, r.deadline);
      }
      m.deadline = earliest ?? last;
      if ('receipts' in m) m.receipts = this.aggregate(m);
    }
  }

  /** The message's receipts at each level once every recipient has reached it (the last time wins). */
  private aggregate(m: MessageView): MessageView['receipts'] {
    const members = this.audiences.get(m.ref.audience ?? '');
    const out: MessageView['receipts'] = {};
    if (!members) return out;
    const recips = members.filter((x) => x !== m.ref.station);
    if (recips.length === 0) return out;
    for (const level of ['delivered', 'read', 'understood'] as const) {
      let last: { ts: number; by: string | null; readback?: string } | undefined;
      for (const r of recips) {
        const got = m.recipients[r]?.[level];
        if (!got) {
          last = undefined;
          break;
        }
        if (!last || got.ts > last.ts)
          last = { by: null, ...(got as { ts: number; by?: string | null; readback?: string }) };
      }
      if (last) out[level] = last;
    }
    return out;
  }

  private touch(audience: string | null, channel: string | null, ts: number): void {
    if (!channel) return;
    const key = `${audience}|${channel}`;
    if (ts > (this.touches.get(key) ?? -Infinity)) this.touches.set(key, ts);
  }

  private replayChannels(): void {
    this.channels.clear();
    // The audience in which this station first proposed or accepted each name: that name's
    // channel here. Another audience's proposal of the name is then ignored, so a peer cannot
    // take over a channel this station is party to by back-dating a proposal in an audience of
    // its own (the replay below runs in time order).
    const held = new Map<string, string>();
    if (this.self)
      for (const e of this.channelEvents)
        if (
          e.station === this.self &&
          (e.kind === HOTLINE_KIND.channelAccept ||
            (e.kind === HOTLINE_KIND.channelPropose && !asRef(e.body.supersedes))) &&
          !held.has(e.channel!)
        )
          held.set(e.channel!, e.audience!);
    for (const e of this.channelEvents) {
      const b = e.body;
      const name = e.channel!;
      const c = this.channels.get(name);
      const members = this.audiences.get(e.audience!) ?? [];
      if (e.kind === HOTLINE_KIND.channelPropose) {
        const supersedes = asRef(b.supersedes);
        if (c && supersedes) {
          // A change of members: a proposal in the new audience naming the channel's current
          // proposal, by one of its members. It takes effect once every new member accepts it.
          if (
            supersedes.hash === c.proposal.hash &&
            e.audience !== c.audience &&
            c.members.includes(e.station) &&
            members.includes(e.station)
          )
            c.amendment = {
              audience: e.audience!,
              members: [...members],
              accepted: [e.station],
              proposal: refOf(e),
            };
          continue;
        }
        // The first proposal of a name stands, in whatever audience it was made, unless this
        // station holds the name in another audience.
        if (c) continue;
        const holder = held.get(name);
        if (holder !== undefined && holder !== e.audience) continue;
        this.channels.set(name, {
          name,
          audience: e.audience,
          members: [...members],
          accepted: [e.station],
          audiences: [e.audience!],
          amendment: null,
          status: 'proposed',
          agreement: b.agreement as ChannelAgreement,
          proposedBy: e.station,
          proposal: refOf(e),
          acceptedBy: null,
          suspension: null,
          history: [{ kind: 'proposed', station: e.station, seq: e.seq, ts: e.ts }],
          lastSubstantiveAt: e.ts,
        });
        continue;
      }
      const amend = c?.amendment;
      if (
        c &&
        amend &&
        e.kind === HOTLINE_KIND.channelAccept &&
        e.audience === amend.audience &&
        asRef(b.proposal)?.hash === amend.proposal.hash &&
        members.includes(e.station) &&
        !amend.accepted.includes(e.station)
      ) {
        amend.accepted.push(e.station);
        if (members.every((m) => amend.accepted.includes(m))) {
          // Every new member agreed: the channel lives in the new audience from now on.
          c.history.push({ kind: 'amended', station: e.station, seq: e.seq, ts: e.ts });
          c.audience = amend.audience;
          c.members = [...amend.members];
          c.accepted = [...amend.accepted];
          c.proposal = amend.proposal;
          c.audiences.push(amend.audience);
          c.amendment = null;
          if (c.status === 'proposed') c.status = 'open';
        }
        continue;
      }
      if (!c || c.audience !== e.audience || !members.includes(e.station)) continue;
      if (e.kind === HOTLINE_KIND.channelAccept) {
        const proposal = asRef(b.proposal);
        if (
          c.status !== 'proposed' ||
          c.accepted.includes(e.station) ||
          proposal?.hash !== c.proposal.hash
        )
          continue;
        c.accepted.push(e.station);
        c.acceptedBy ??= e.station;
        c.history.push({ kind: 'accepted', station: e.station, seq: e.seq, ts: e.ts });
        if (members.every((m) => c.accepted.includes(m))) {
          c.status = 'open';
          c.lastSubstantiveAt = Math.max(c.lastSubstantiveAt, e.ts);
        }
      } else if (c.status !== 'proposed') {
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
    const ref = refOf(e);
    const key = refKey(e);
    let item: Item;
    if (e.kind === HOTLINE_KIND.message) {
      const m: MessageView = {
        ref,
        id: e.hash,
        ts: e.ts,
        channel: e.channel!,
        recipients: {},
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
        recipients: {},
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
    this.touch(e.audience, e.channel, e.ts);
    if (this.audiences.has(e.audience!)) this.addRecipients(item);
    else {
      const list = this.awaitingMembers.get(e.audience!) ?? [];
      list.push(item);
      this.awaitingMembers.set(e.audience!, list);
    }
    const waiting = this.waiting.get(key);
    if (waiting) {
      this.waiting.delete(key);
      for (const w of waiting) this.apply(w, item);
    }
  }

  /** Each member but the sender becomes a recipient; a delivered receipt already held counts at once. */
  private addRecipients(item: Item): void {
    const sender = item.ref.station;
    for (const r of this.audiences.get(item.ref.audience!) ?? []) {
      if (r === sender) continue;
      item.recipients[r] ??= { deadline: null };
      const dkey = deliveryKey(sender, item.ref.audience!, r);
      const covering =
        item.ref.seq <= (this.maxUpTo.get(dkey) ?? 0)
          ? this.receipts.get(dkey)?.find((x) => x.upTo >= item.ref.seq)
          : undefined;
      if (covering) this.markDelivered(item, r, covering.ts);
      else {
        const list = this.undelivered.get(dkey) ?? [];
        insertSorted(list, item, (x, y) => x.ref.seq - y.ref.seq);
        this.undelivered.set(dkey, list);
      }
    }
  }

  private markDelivered(item: Item, receiver: string, ts: number): void {
    const r = (item.recipients[receiver] ??= { deadline: null });
    if (!r.delivered || ts < r.delivered.ts) r.delivered = { ts };
  }

  private addDelivered(e: HotlineEntry): void {
    const b = e.body;
    if (typeof b.station !== 'string' || typeof b.upTo !== 'number' || b.station === e.station)
      return;
    const dkey = deliveryKey(b.station, e.audience!, e.station);
    const list = this.receipts.get(dkey) ?? [];
    const receipt = { ts: e.ts, upTo: b.upTo };
    insertSorted(list, receipt, (x, y) => x.ts - y.ts);
    this.receipts.set(dkey, list);
    this.maxUpTo.set(dkey, Math.max(this.maxUpTo.get(dkey) ?? 0, b.upTo));
    // One receiver's receipts normally come in time order; this one is then the earliest that
    // covers anything still undelivered. Otherwise search for the earliest covering receipt.
    const latest = list[list.length - 1] === receipt;
    const earliest = (seq: number) => (latest ? e.ts : list.find((x) => x.upTo >= seq)!.ts);
    const pending = this.undelivered.get(dkey);
    if (pending) {
      const keep: Item[] = [];
      for (const it of pending) {
        if (it.ref.seq <= b.upTo) this.markDelivered(it, e.station, earliest(it.ref.seq));
        else keep.push(it);
      }
      this.undelivered.set(dkey, keep);
    }
    if (!latest) {
      // An older receipt arrived late: it may lower delivery times already set.
      for (const m of [...this.messages.values(), ...this.calls.values()]) {
        if (
          m.ref.station !== b.station ||
          m.ref.audience !== e.audience ||
          m.ref.seq > b.upTo ||
          !m.recipients[e.station]
        )
          continue;
        this.markDelivered(m, e.station, e.ts);
      }
    }
  }

  /** An entry that refers to a message or call: applied now, or when the target arrives. */
  private refer(e: HotlineEntry): void {
    const of = asRef(e.body.of);
    if (e.kind === HOTLINE_KIND.alarm) {
      const parties = Array.isArray(e.body.parties)
        ? (e.body.parties as unknown[]).filter((x): x is string => typeof x === 'string')
        : [];
      this.alarms.push({
        ref: refOf(e),
        ts: e.ts,
        type: String(e.body.type ?? 'alarm'),
        of,
        station: typeof e.body.station === 'string' ? e.body.station : null,
        parties,
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
    // Only entries of the message's own audience count for it.
    if (!of || of.hash !== target.ref.hash || e.audience !== (target.ref.audience ?? null)) return;
    if (e.kind === 'reply') {
      if ('replies' in target)
        insertSorted(target.replies, refOf(e), (x, y) =>
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
      const rec = (target.recipients[e.station] ??= { deadline: null });
      // The earliest receipt of each level stands.
      const cur = rec[level];
      if (!cur || e.ts < cur.ts) rec[level] = r;
      // Understanding implies reading.
      if (level === 'understood' && (!rec.read || e.ts < rec.read.ts)) rec.read = { ts: e.ts, by };
      this.touch(e.audience, target.channel, e.ts);
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
      this.touch(e.audience, target.channel, e.ts);
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
      this.touch(e.audience, target.channel, e.ts);
    }
  }
}

const deliveryKey = (sender: string, audience: string, receiver: string) =>
  `${sender}/${audience}>${receiver}`;
