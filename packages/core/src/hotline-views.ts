import type { ChannelAgreement, ChannelStatus, ReceiptLevel } from './channel.js';
import type { Precedence } from './precedence.js';

/**
 * The hotline's views and references: what `HotlineFolder` (hotline-state.ts) computes from the
 * entries of the audience feeds, and how entries name each other.
 */

/** The fields of an entry the hotline reads (station, audience, seq, hash identify it). */
export interface HotlineEntry {
  station: string;
  /** The audience feed the entry is in (ADR 0003); null for a station's identity feed. */
  audience: string | null;
  seq: number;
  hash: string;
  ts: number;
  kind: string;
  channel: string | null;
  body: Record<string, unknown>;
}

/** A reference to an entry of any feed: its station, audience feed, seq and hash. */
export interface EntryRef {
  station: string;
  audience?: string;
  seq: number;
  hash: string;
}

export const refKey = (r: { station: string; audience?: string | null; seq: number }) =>
  r.audience ? `${r.station}/${r.audience}:${r.seq}` : `${r.station}:${r.seq}`;

/** The reference to an entry: its station, audience (if any), seq and hash. */
export const refOf = (e: HotlineEntry): EntryRef =>
  e.audience
    ? { station: e.station, audience: e.audience, seq: e.seq, hash: e.hash }
    : { station: e.station, seq: e.seq, hash: e.hash };

/** One recipient's receipts of a message: when it was delivered, read and understood there. */
export interface RecipientView {
  delivered?: { ts: number };
  read?: { ts: number; by: string | null; readback?: string };
  understood?: { ts: number; by: string | null; readback?: string };
  /** When `understood` is due from this recipient (its delivery + the handling objective). */
  deadline: number | null;
}

export interface ChannelEvent {
  kind: 'proposed' | 'accepted' | 'suspended' | 'resumed' | 'amended';
  station: string;
  seq: number;
  ts: number;
  reason?: string;
}

export interface ChannelView {
  name: string;
  /** The audience whose feeds carry the channel (ADR 0003). */
  audience: string | null;
  /** The parties to the channel: the audience's members (sorted station ids). */
  members: string[];
  /** Members that have accepted the proposal (the proposer included). */
  accepted: string[];
  /** Every audience the channel has lived in, the current one last (membership amendments). */
  audiences: string[];
  /** A proposed change of members not yet accepted by all of them (a new audience). */
  amendment: {
    audience: string;
    members: string[];
    accepted: string[];
    proposal: EntryRef;
  } | null;
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
  /** Every party but the sender, each with its own receipts and deadline. */
  recipients: Record<string, RecipientView>;
  precedence: Precedence;
  text: string | null;
  lang: string | null;
  catalogue: { code: string; params: Record<string, unknown>; v: number } | null;
  replyTo: EntryRef | null;
  escalates: EntryRef | null;
  author: string | null;
  approver: string | null;
  /** A level is reached when every recipient has reached it (the time is the last of them). */
  receipts: Partial<Record<ReceiptLevel, { ts: number; by: string | null; readback?: string }>>;
  translations: TranslationView[];
  replies: EntryRef[];
  /** The earliest deadline of a recipient that has not understood yet; once all have, the last one (null before any delivery). */
  deadline: number | null;
  alarmed: boolean;
}

export interface CallView {
  ref: EntryRef;
  id: string;
  ts: number;
  channel: string;
  recipients: Record<string, RecipientView>;
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
  /** The parties that missed the objective (a deadline alarm of a multi-party channel). */
  parties: string[];
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

/** Reads a reference from an entry body, or null if it is not one. */
export function asRef(v: unknown): EntryRef | null {
  const r = v as Partial<EntryRef> | null | undefined;
  if (
    !r ||
    typeof r.station !== 'string' ||
    typeof r.seq !== 'number' ||
    typeof r.hash !== 'string'
  )
    return null;
  return typeof r.audience === 'string'
    ? { station: r.station, audience: r.audience, seq: r.seq, hash: r.hash }
    : { station: r.station, seq: r.seq, hash: r.hash };
}
