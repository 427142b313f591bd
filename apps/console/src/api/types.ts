// The shapes of the station's operator API as the console reads them (docs/api.md).

export type Lang = 'en' | 'zh';
export type Precedence = 'ROUTINE' | 'PRIORITY' | 'IMMEDIATE' | 'FLASH';
export const PRECEDENCES: readonly Precedence[] = ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'];

export interface Me {
  name: string;
  role: string;
  via: 'token' | 'session';
  channels: '*' | string[];
  permissions: string[];
  csrf?: string;
}

export interface PathHealth {
  url: string;
  state: string;
  lastOkAt: number | null;
}
export interface PeerHealth {
  name: string;
  station: string;
  state: string;
  lastExchangeAt: number | null;
  size: number;
  /** Per feed (audience; null for the identity feed): how far the peer has receipted ours. */
  feeds: { audience: string | null; size: number; deliveredUpTo: number }[];
  halted: { reason: string; at: number } | null;
  paths: PathHealth[];
}
export interface Health {
  station: string;
  name: string;
  size: number;
  peers: PeerHealth[];
}

/** A peer's key as verified here (GET /api/v1/peers): the seqs it signs and when it came in. */
export interface PeerKey {
  key: string;
  safety: string;
  from: number;
  to: number | null;
  since: number;
  emergency: boolean;
}
export interface PeerKeys {
  name: string;
  station: string;
  urls: string[];
  state: string;
  size: number;
  pinned: string;
  currentKey: string;
  keys: PeerKey[];
  repins: {
    key: string;
    safety: string;
    by: string;
    at: number;
    seq: number;
    applied: boolean;
  }[];
}

export interface Feed {
  station: string;
  audience?: string;
  size: number;
  root: string;
  ts: number;
}

export interface Channel {
  name: string;
  /** The audience (ADR 0003): the feeds the channel lives in, named by its members. */
  audience?: string;
  /** Every party's station id, this station's included. */
  members?: string[];
  /** The members that have accepted the proposal as it stands. */
  accepted?: string[];
  status: string;
  tier: string;
  agreement: { tier: string; languages?: string[]; escalation?: string | null; dormancyMs: number };
  suspension: { station: string; reason: string; ts: number } | null;
  proposedBy: string;
  acceptedBy: string | null;
  lastSubstantiveAt: number;
  idleMs: number;
  dormant: boolean;
  unread: number;
  deadlines: {
    id: string;
    precedence: Precedence;
    due: number | null;
    overdue: boolean;
    /** The recipients still owing an answer, each with its own deadline. */
    parties?: { station: string; due: number | null; overdue: boolean }[];
  }[];
  link: { peer: string; state: string; paths: { url: string; state: string }[] }[];
}

export interface Receipt {
  ts: number;
  by: string | null;
  readback?: string;
}
export interface PartyStatus {
  station: string;
  deliveredAt: number | null;
  read: Receipt | null;
  understood: Receipt | null;
  deadline: number | null;
}
export interface Message {
  id: string;
  station: string;
  seq: number;
  ts: number;
  channel: string;
  precedence: Precedence;
  text: string;
  lang: string | null;
  catalogue: { code: string; params: Record<string, unknown> } | null;
  rendered: { en: string; zh: string } | null;
  author: string | null;
  approver: string | null;
  replyTo: string | null;
  escalates: string | null;
  status: {
    delivered: boolean;
    deliveredAt: number | null;
    read: Receipt | null;
    understood: Receipt | null;
    deadline: number | null;
    alarmed: boolean;
    /** One per recipient (every member but the sender), with its own receipts and deadline. */
    parties?: PartyStatus[];
  };
  translations: {
    station: string;
    ts: number;
    lang: string;
    text: string;
    translator: string | null;
  }[];
  replies: string[];
}

export interface Draft {
  id: string;
  channel: string;
  author: string;
  created: number;
  body: {
    precedence?: Precedence;
    text?: string;
    lang?: string;
    catalogue?: { code: string; params: Record<string, unknown> };
  };
}

export interface Alarm {
  ref: { station: string; seq: number; hash: string };
  ts: number;
  /** understood-overdue, undelivered-overdue or call-unanswered */
  type: string;
  channel: string | null;
  station: string | null;
  reason: string;
}
export interface Alarms {
  alarms: Alarm[];
  unanswered: {
    id: string;
    channel: string;
    precedence: string;
    sentAt: number;
    due: number;
    summary: string;
  }[];
}

export interface Call {
  id: string;
  station: string;
  ts: number;
  channel: string;
  precedence: Precedence;
  slots: number[];
  medium: string;
  status: string;
  responses: {
    station: string;
    ts: number;
    action: string;
    slot: number | null;
    slots: number[];
  }[];
  deadline: number | null;
}

export interface CatalogueParam {
  name: string;
  kind: string;
  required: boolean;
}
export interface CatalogueEntry {
  code: string;
  category: string;
  params: CatalogueParam[];
  en: string;
  zh: string;
  description: string;
}
export interface Catalogue {
  version: number;
  categories: Record<string, { en: string; zh: string }>;
  entries: CatalogueEntry[];
}

export type Party = 'own' | 'other' | 'third';
export interface Track {
  id: string;
  name: string | null;
  party: Party;
  source: string;
  domain: 'surface' | 'air';
  lat: number;
  lon: number;
  cog: number;
  sog: number;
  heading: number | null;
  altFt: number | null;
  vsFpm: number | null;
  at: number;
  stale: boolean;
}

/**
 * An encounter: a pair of units closing (`kind: 'pair'`, with CPA figures) or a unit heading
 * into a notice area (`kind: 'area'`, with where and when it enters).
 */
export interface Encounter {
  id: string;
  kind?: 'pair' | 'area';
  a: string;
  b: string;
  aName: string | null;
  bName: string | null;
  domain: string;
  level: 'caution' | 'danger';
  state: 'projected' | 'active' | 'past' | 'resolved';
  reason?: string | null;
  cpaNm?: number;
  tcpaMin?: number;
  /** TCPA − the handling objective of the draft's precedence, minutes (pair encounters). */
  timeToActMin?: number;
  /** COLREGS situation and which of a and b gives way (surface pairs). */
  situation?: 'head-on' | 'crossing' | 'overtaking' | null;
  giveWay?: 'a' | 'b' | 'both' | null;
  rangeNm?: number;
  bearingDeg?: number | null;
  vsepFt?: number | null;
  cpaAt?: number;
  cpaA?: { lat: number; lon: number };
  cpaB?: { lat: number; lon: number };
  notice?: { id: string; ref: string; kind: string; own: boolean; area: number };
  enterAt?: number;
  enterPos?: { lat: number; lon: number };
  since: number;
  updatedAt: number;
  draft: {
    channel: string | null;
    code: string;
    params: Record<string, unknown>;
    precedence: Precedence;
    text: { en: string; zh: string };
    status: 'pending' | 'sent' | 'discarded';
    messageId?: string;
  } | null;
}

/** Where an encounter is: the middle of its CPA, or where the unit enters the area. */
export function encounterCentre(e: Encounter): { lat: number; lon: number } | null {
  if (e.cpaA && e.cpaB)
    return { lat: (e.cpaA.lat + e.cpaB.lat) / 2, lon: (e.cpaA.lon + e.cpaB.lon) / 2 };
  return e.enterPos ?? e.cpaA ?? null;
}

/** A notice of planned activity (live fire, exercise, launch…), as GET /api/v1/notices serves it. */
export interface Notice {
  id: string;
  ref: string;
  station: string;
  own: boolean;
  ts: number;
  channel: string;
  status: 'upcoming' | 'active' | 'expired' | 'cancelled';
  notice: {
    kind: string;
    issuer: { party: string; unit: string };
    windows: { start: number; end: number }[];
    band: unknown;
    remark: string;
    contact: string;
  };
  amended: boolean;
  lateness: { late: boolean; lateMs: number; leadMs: number; requiredMs: number; text: string };
  cancelled: { ts: number; reason: string; by: string | null } | null;
  receipts: {
    delivered: { ts: number } | null;
    read: { ts: number; by: string | null } | null;
    understood: { ts: number; by: string | null } | null;
  };
  acknowledged: boolean;
  text: { en: string; zh: string };
  versions: { id: string }[];
}
