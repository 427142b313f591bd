import { KIND } from './entry.js';
import type { Entry } from './entry.js';
import { feedKey } from './audience.js';

/**
 * References from one entry to another that a bundle can check (PROTOCOL.md §2.2, §5.3): a `ref`
 * (`{station, audience?, seq, hash}`, in the body fields below) names entry `seq` of feed
 * `station[/audience]` (no audience: the identity feed); a delivered receipt
 * (`{level: "delivered", station, upTo, hash}`) names entry `upTo` of `station`'s feed for the
 * receipt's own audience. A value of another shape is not a reference and is not checked here.
 */
export const REF_FIELDS = [
  'of',
  'replyTo',
  'escalates',
  'amends',
  'supersedes',
  'proposal',
] as const;

export interface EntryRefClaim {
  /** The body field it came from (`upTo` for a delivered receipt). */
  field: string;
  /** Feed key of the referenced feed. */
  feed: string;
  seq: number;
  hash: string;
}

const STATION_RE = /^stn_[0-9a-f]{24}$/;
const AUDIENCE_RE = /^aud_[0-9a-f]{24}$/;
const HASH_RE = /^[0-9a-f]{64}$/;

const isSeq = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

function asRef(v: unknown): { feed: string; seq: number; hash: string } | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.station !== 'string' || !STATION_RE.test(r.station)) return undefined;
  if (!isSeq(r.seq) || typeof r.hash !== 'string' || !HASH_RE.test(r.hash)) return undefined;
  if (r.audience !== undefined && (typeof r.audience !== 'string' || !AUDIENCE_RE.test(r.audience)))
    return undefined;
  return {
    feed: feedKey(r.station, (r.audience as string | undefined) ?? null),
    seq: r.seq,
    hash: r.hash,
  };
}

/** The references an entry makes (none for a cosignature: its checkpoint is checked by §4). */
export function entryRefs(entry: Entry): EntryRefClaim[] {
  const out: EntryRefClaim[] = [];
  const b = entry.body;
  if (entry.kind === KIND.receipt && b.level === 'delivered') {
    if (
      typeof b.station === 'string' &&
      STATION_RE.test(b.station) &&
      isSeq(b.upTo) &&
      typeof b.hash === 'string' &&
      HASH_RE.test(b.hash)
    )
      out.push({
        field: 'upTo',
        feed: feedKey(b.station, entry.audience ?? null),
        seq: b.upTo,
        hash: b.hash,
      });
    return out;
  }
  if (entry.kind === KIND.cosignature) return out;
  for (const field of REF_FIELDS) {
    const r = asRef(b[field]);
    if (r) out.push({ field, ...r });
  }
  return out;
}
