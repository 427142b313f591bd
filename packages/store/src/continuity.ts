import { ParleyError } from '@parley/core';
import { feedKey, parseFeedKey } from '@parley/ledger';
import type { Checkpoint } from '@parley/ledger';
import type { FeedHead, StoredEntry, UserRecord } from './store.js';

export const ZERO_HASH = '0'.repeat(64);

/** A row of the entries table, as both engines read it. */
export interface EntryRow {
  seq: number;
  hash: Buffer;
  ts: number;
  kind: string;
  channel: string | null;
  line: string;
}

/** A stored entry from its row and the hash of the entry before it (null for seq 1). */
export function toStored(r: EntryRow, prev: Buffer | null | undefined): StoredEntry {
  return {
    seq: r.seq,
    hash: r.hash.toString('hex'),
    prev: prev ? prev.toString('hex') : ZERO_HASH,
    ts: r.ts,
    kind: r.kind,
    channel: r.channel,
    line: r.line,
  };
}

/** Consecutive rows of one feed, each given the hash of the row before; `prev` is the first's. */
export function chainRows(rows: readonly EntryRow[], prev: Buffer | null): StoredEntry[] {
  let before = prev;
  return rows.map((r) => {
    const e = toStored(r, before);
    before = r.hash;
    return e;
  });
}

/**
 * The rule every store enforces inside its append transaction: the batch continues the stored
 * head (seq + 1, prev = head hash) and is itself continuous. A writer that lost a race, or a
 * replayed batch, gets `PARLEY_E_STORE_CONFLICT` and nothing is written.
 */
export function checkContinuity(
  station: string,
  head: FeedHead | null,
  entries: readonly StoredEntry[],
): void {
  let seq = head?.seq ?? 0;
  let hash = head?.hash ?? ZERO_HASH;
  for (const e of entries) {
    if (e.seq !== seq + 1 || e.prev !== hash) {
      throw new ParleyError(
        'PARLEY_E_STORE_CONFLICT',
        `append to ${station} at seq ${e.seq} (prev ${e.prev.slice(0, 12)}…) does not continue the stored head seq ${seq} (hash ${hash.slice(0, 12)}…)`,
        { station, seq: e.seq, headSeq: seq },
      );
    }
    seq = e.seq;
    hash = e.hash;
  }
}

/** An operator's row as both engines store it (`disabled`: a boolean, or SQLite's 0/1). */
export interface UserRow {
  name: string;
  role: string;
  channels: string;
  password_hash: string;
  created: number;
  disabled: boolean | number;
}

export function userFromRow(r: UserRow): UserRecord {
  return {
    name: r.name,
    role: r.role,
    channels: JSON.parse(r.channels) as '*' | string[],
    passwordHash: r.password_hash,
    created: r.created,
    disabled: Boolean(r.disabled),
  };
}

/** The feed key a checkpoint is stored under (its station, or `<station>/<audience>`). */
export function checkpointFeed(cp: Checkpoint): string {
  return feedKey(cp.station, cp.audience);
}

/** A checkpoint from a row whose `station` column holds the feed key. */
export function checkpointFromRow(row: Checkpoint): Checkpoint {
  const { station, audience } = parseFeedKey(row.station);
  const { size, root, ts, sig } = row;
  return audience
    ? { station, audience, size: Number(size), root, ts: Number(ts), sig }
    : { station, size: Number(size), root, ts: Number(ts), sig };
}
