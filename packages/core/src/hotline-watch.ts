import type { CallView, EntryRef, HotlineState, MessageView } from './hotline-views.js';
import { refKey } from './hotline-views.js';
import { DEFAULT_HANDLING_MS } from './precedence.js';
import type { Precedence } from './precedence.js';

/** What a watch must see about a message at time `now`. */
export interface Overdue {
  /** The message's key (`refKey`). */
  key: string;
  kind: 'understood-overdue' | 'undelivered-overdue' | 'call-unanswered';
  ref: EntryRef;
  channel: string;
  precedence: Precedence;
  since: number;
  /** The earliest objective the parties missed. */
  due: number;
  /** The recipients that missed it, sorted. */
  parties: string[];
}

/**
 * Messages (and call requests) of `station` whose handling objective has passed at `now`
 * without the awaited answer, with the parties that missed it: not understood by a recipient's
 * deadline (running from its delivery), or not even delivered to it within the objective
 * counted from sending (the link is down: never silent). One item per message and kind.
 */
export function overdue(state: HotlineState, station: string, now: number): Overdue[] {
  const out: Overdue[] = [];
  const handlingOf = (m: MessageView | CallView) =>
    handlingObjective(state.channels.get(m.channel), m);
  for (const m of state.messages.values()) {
    if (m.ref.station !== station) continue;
    const handling = handlingOf(m);
    if (handling === undefined) continue;
    const late = { understood: [] as string[], undelivered: [] as string[] };
    let dueU = Infinity;
    for (const [party, r] of Object.entries(m.recipients)) {
      if (r.understood) continue;
      if (r.deadline !== null && now > r.deadline) {
        late.understood.push(party);
        dueU = Math.min(dueU, r.deadline);
      } else if (!r.delivered && now > m.ts + handling) late.undelivered.push(party);
    }
    const base = { key: refKey(m.ref), ref: m.ref, channel: m.channel, precedence: m.precedence };
    if (late.understood.length > 0)
      out.push({
        ...base,
        kind: 'understood-overdue',
        since: m.ts,
        due: dueU,
        parties: late.understood.sort(),
      });
    if (late.undelivered.length > 0)
      out.push({
        ...base,
        kind: 'undelivered-overdue',
        since: m.ts,
        due: m.ts + handling,
        parties: late.undelivered.sort(),
      });
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
      parties: Object.keys(c.recipients).sort(),
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

/**
 * The handling objective of a message or call request, ms: its channel's agreement for its
 * precedence; on a name never proposed (an informal channel, docs/api.md) the default
 * objectives; none when the channel exists but in another audience than the message's.
 */
export function handlingObjective(
  c:
    | { audiences: readonly string[]; agreement: { handling: Record<Precedence, number> } }
    | undefined,
  m: { precedence: Precedence; ref: { audience?: string | null } },
): number | undefined {
  if (!c) return DEFAULT_HANDLING_MS[m.precedence];
  return c.audiences.includes(m.ref.audience ?? '')
    ? c.agreement.handling[m.precedence]
    : undefined;
}
