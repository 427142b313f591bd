import { ParleyError } from '@parley/core';
import type { HashHex, PublicKeyB64, StationId } from '@parley/core';
import type { Checkpoint } from './checkpoint.js';
import { verifyCheckpointSignature } from './checkpoint.js';
import { GENESIS_PREV, KIND, rotationProofBytes, signingBytes } from './entry.js';
import type { Entry } from './entry.js';
import { fromBase64Url, fromHex, sha256, toHex } from './hash.js';
import { parsePublicKey, safetyNumber, stationIdFromKey, verifySignature } from './keys.js';
import { MerkleTree, verifyConsistency } from './merkle.js';
import { audienceId, checkMembers } from './audience.js';
import type { AudienceId } from './audience.js';

/** Verification state saved by `FeedVerifier.mark()`. */
export interface VerifierMark {
  size: number;
  head: HashHex;
  lastTs: number;
  keys: KeyPeriod[];
  name: string | undefined;
  members: string[] | undefined;
}

/** A key and the entries it signs: seq `from` through `to` (null while it is the current key). */
export interface KeyPeriod {
  key: PublicKeyB64;
  from: number;
  to: number | null;
}

/** Why `parsePublicKey` refused a key (its message and code), for the verifier's own error. */
function keyRefusal(err: unknown): { why: string; keyCode: string | undefined } {
  return err instanceof ParleyError
    ? { why: err.message, keyCode: err.code }
    : { why: String(err), keyCode: undefined };
}

/**
 * Verifies one station's feed entry by entry: schema-checked entries go in, in seq order, and
 * each is checked for station, seq continuity, prev-hash chain, non-decreasing time, and its
 * signature under the key in force at that point (following key-rotation entries). The Merkle
 * tree of entry hashes grows as it goes, so checkpoints can be checked against it.
 *
 * Used by offline bundle verification and by replication alike: one code path decides what a
 * valid feed is.
 */
export class FeedVerifier {
  readonly station: StationId;
  /** The audience of an audience feed (every entry must name it); null for an identity feed. */
  readonly audience: AudienceId | null;
  /** An audience feed's members, from its genesis. */
  members: string[] | undefined;
  readonly tree = new MerkleTree();
  /** Key history so far. */
  readonly keys: KeyPeriod[] = [];
  /** The station name from the genesis entry. */
  name: string | undefined;
  private headHash: HashHex = GENESIS_PREV;
  private lastTs = 0;
  /**
   * Decides whether an emergency rotation (§2.2: signed by its own `next` key, not by the key in
   * force) onto `key` at `seq` is accepted: true only for a key the caller holds a re-pin for.
   * Unset, every emergency rotation is refused with `PARLEY_E_KEY_REPIN_REQUIRED`.
   */
  acceptEmergency: ((key: PublicKeyB64, seq: number) => boolean) | undefined;

  constructor(station: StationId, audience: AudienceId | null = null) {
    this.station = station;
    this.audience = audience;
  }

  /**
   * Continues verification of a feed already verified and stored: the state is the stored
   * entries' leaf hashes, key history, last hash and time (replication resumes here after a restart).
   */
  static resume(
    station: StationId,
    state: {
      name: string;
      keys: readonly KeyPeriod[];
      head: string;
      lastTs: number;
      leafHashes: Iterable<Uint8Array>;
      audience?: AudienceId | null;
      members?: string[];
    },
  ): FeedVerifier {
    const v = new FeedVerifier(station, state.audience ?? null);
    for (const h of state.leafHashes) v.tree.appendLeafHash(h);
    if (v.tree.size > 0) {
      v.name = state.name;
      if (state.members) v.members = [...state.members];
      v.keys.push(...state.keys.map((k) => ({ ...k })));
      v.headHash = state.head as HashHex;
      v.lastTs = state.lastTs;
    }
    return v;
  }

  /** Time of the last verified entry. */
  get lastTime(): number {
    return this.lastTs;
  }

  /** Entries verified so far. */
  get size(): number {
    return this.tree.size;
  }

  /** Hash of the last verified entry (64 zeros before the first). */
  get head(): HashHex {
    return this.headHash;
  }

  /** The key that signs the next entry. */
  get currentKey(): PublicKeyB64 | undefined {
    return this.keys[this.keys.length - 1]?.key;
  }

  /**
   * Verifies the next entry and adds it to the tree; returns its hash. Throws a coded error on
   * the first fault. `pre` lets a caller that already did the expensive part pass it in: `bytes`
   * must be `signingBytes(entry)`, and `verifiedKey` a key under which the caller has verified
   * `entry.sig` over those bytes. The signature check is skipped only when that key is the one
   * this feed requires at this seq; every other check runs as usual.
   */
  push(entry: Entry, pre?: { bytes?: Uint8Array; verifiedKey?: PublicKeyB64 }): HashHex {
    const seq = this.tree.size + 1;
    const where = { station: entry.station, seq: entry.seq };
    if (entry.station !== this.station) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_WRONG_STATION',
        `entry names station ${entry.station}, feed is ${this.station}`,
        where,
      );
    }
    if ((entry.audience ?? null) !== this.audience) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_WRONG_FEED',
        `entry names audience ${entry.audience ?? 'none'}, feed is ${this.audience ?? 'the identity feed'}`,
        where,
      );
    }
    if (entry.seq !== seq) {
      throw new ParleyError('PARLEY_E_ENTRY_SEQ', `expected seq ${seq}, found seq ${entry.seq}`, {
        ...where,
        expected: seq,
      });
    }
    if (entry.prev !== this.headHash) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_PREV_HASH',
        `seq ${seq} has prev ${entry.prev}, the entry before hashes to ${this.headHash}`,
        where,
      );
    }
    if (entry.ts < this.lastTs) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_TIME',
        `seq ${seq} is timestamped ${entry.ts}, before the previous entry's ${this.lastTs}`,
        where,
      );
    }
    if (seq > 1 && entry.kind === KIND.genesis) {
      throw new ParleyError(
        'PARLEY_E_GENESIS',
        `seq ${seq} is of kind genesis, which only seq 1 may be`,
        where,
      );
    }
    const bytes = pre?.bytes ?? signingBytes(entry);
    const key =
      seq === 1
        ? this.genesisKey(entry)
        : entry.kind === KIND.keyRotation && entry.body.emergency === true
          ? this.emergencyKey(entry)
          : this.currentKey!;
    const sig = fromBase64Url(entry.sig);
    const vouched = pre?.verifiedKey !== undefined && pre.verifiedKey === key;
    if (!sig || (!vouched && !verifySignature(key, bytes, sig))) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_SIGNATURE',
        `seq ${seq} (${entry.kind}) is not signed by the station's key ${key}`,
        {
          ...where,
          key,
        },
      );
    }
    if (entry.kind === KIND.keyRotation) this.rotate(entry);
    const hash = sha256(bytes);
    // The entry hash is the leaf data (RFC 9162 §2.1.1): leaf hash = SHA-256(0x00 ‖ entry hash).
    this.tree.appendLeaf(hash);
    this.headHash = toHex(hash) as HashHex;
    this.lastTs = entry.ts;
    return this.headHash;
  }

  private genesisKey(entry: Entry): PublicKeyB64 {
    const where = { station: entry.station, seq: entry.seq };
    if (entry.kind !== KIND.genesis) {
      throw new ParleyError(
        'PARLEY_E_GENESIS',
        `seq 1 is of kind ${entry.kind}, not genesis`,
        where,
      );
    }
    const { name, key } = entry.body;
    let pub: PublicKeyB64;
    try {
      pub = parsePublicKey(key);
    } catch (err) {
      const { why, keyCode } = keyRefusal(err);
      throw new ParleyError(
        'PARLEY_E_GENESIS',
        `genesis key refused: ${why}`,
        { ...where, keyCode },
        { cause: err },
      );
    }
    if (typeof name !== 'string') {
      throw new ParleyError(
        'PARLEY_E_GENESIS',
        `genesis name ${JSON.stringify(name)} is not a string`,
        where,
      );
    }
    if (stationIdFromKey(pub) !== entry.station) {
      throw new ParleyError(
        'PARLEY_E_GENESIS',
        `genesis key ${pub} does not derive station id ${entry.station}`,
        where,
      );
    }
    if (this.audience !== null || entry.body.members !== undefined) {
      let members: string[];
      try {
        members = checkMembers(entry.body.members);
      } catch {
        throw new ParleyError(
          'PARLEY_E_AUDIENCE',
          `genesis of ${this.audience ?? 'an identity feed'} has members ${JSON.stringify(entry.body.members)}, not 2–64 sorted station ids`,
          where,
        );
      }
      if (
        this.audience === null ||
        !members.includes(entry.station) ||
        audienceId(members) !== this.audience
      ) {
        throw new ParleyError(
          'PARLEY_E_AUDIENCE',
          `genesis members ${members.join(', ')} do not make audience ${this.audience ?? 'none'} with ${entry.station} in it`,
          where,
        );
      }
      this.members = members;
    }
    this.name = name;
    this.keys.push({ key: pub, from: 1, to: null });
    return pub;
  }

  /** The key an emergency rotation is signed by (its `next`), if this verifier accepts it. */
  private emergencyKey(entry: Entry): PublicKeyB64 {
    const where = { station: entry.station, seq: entry.seq };
    let next: PublicKeyB64;
    try {
      next = parsePublicKey(entry.body.next);
    } catch {
      throw new ParleyError(
        'PARLEY_E_KEY_ROTATION',
        `seq ${entry.seq} rotates to ${JSON.stringify(entry.body.next)}, not an Ed25519 key`,
        where,
      );
    }
    if (!this.acceptEmergency?.(next, entry.seq)) {
      throw new ParleyError(
        'PARLEY_E_KEY_REPIN_REQUIRED',
        `seq ${entry.seq} is an emergency rotation of ${this.station} onto key ${next} (safety number ${safetyNumber(next)}), which no re-pin here names: check that safety number with the peer over another channel, then re-pin it`,
        { ...where, key: next },
      );
    }
    return next;
  }

  private rotate(entry: Entry): void {
    const where = { station: entry.station, seq: entry.seq };
    const { next, proof } = entry.body;
    let nextKey: PublicKeyB64;
    try {
      nextKey = parsePublicKey(next);
    } catch (err) {
      const { why, keyCode } = keyRefusal(err);
      throw new ParleyError(
        'PARLEY_E_KEY_ROTATION',
        `seq ${entry.seq} rotates to a refused key: ${why}`,
        { ...where, keyCode },
        { cause: err },
      );
    }
    const proofSig = typeof proof === 'string' ? fromBase64Url(proof) : undefined;
    if (
      !proofSig ||
      !verifySignature(
        nextKey,
        rotationProofBytes(this.station, entry.seq, nextKey, this.audience),
        proofSig,
      )
    ) {
      throw new ParleyError(
        'PARLEY_E_KEY_ROTATION',
        `seq ${entry.seq}: the new key ${nextKey} did not countersign its rotation`,
        where,
      );
    }
    this.keys[this.keys.length - 1]!.to = entry.seq;
    this.keys.push({ key: nextKey, from: entry.seq + 1, to: null });
  }

  /** A snapshot of the verification state, to roll back to if a batch is rejected part-way. */
  mark(): VerifierMark {
    return {
      size: this.tree.size,
      head: this.headHash,
      lastTs: this.lastTs,
      keys: this.keys.map((k) => ({ ...k })),
      name: this.name,
      members: this.members,
    };
  }

  /** Returns to a state taken with `mark()`: entries verified since are forgotten. */
  rollback(m: VerifierMark): void {
    this.tree.truncate(m.size);
    this.headHash = m.head;
    this.lastTs = m.lastTs;
    this.keys.splice(0, this.keys.length, ...m.keys.map((k) => ({ ...k })));
    this.name = m.name;
    this.members = m.members;
  }

  /** The key that signed entry `seq`, if the feed has reached it. */
  keyForSeq(seq: number): PublicKeyB64 | undefined {
    if (seq < 1 || seq > this.size) return undefined;
    return this.keyForSize(seq - 1);
  }

  /** The key that signs a checkpoint of `size` entries: the key that signs entry size + 1. */
  keyForSize(size: number): PublicKeyB64 | undefined {
    for (const p of this.keys)
      if (p.from <= size + 1 && (p.to === null || size + 1 <= p.to)) return p.key;
    return undefined;
  }

  /** The Merkle root over the first `size` entries, hex. */
  rootHex(size = this.size): HashHex {
    return toHex(this.tree.root(size)) as HashHex;
  }

  /**
   * Checks a checkpoint of this feed against the entries verified so far: it must not cover
   * more entries than there are, its signature must verify under the key in force at its size,
   * and its root must equal the Merkle root of that prefix.
   */
  checkCheckpoint(cp: Checkpoint): void {
    const where = { station: cp.station, size: cp.size };
    if (cp.station !== this.station) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_WRONG_STATION',
        `checkpoint names station ${cp.station}, feed is ${this.station}`,
        where,
      );
    }
    if ((cp.audience ?? null) !== this.audience) {
      throw new ParleyError(
        'PARLEY_E_ENTRY_WRONG_FEED',
        `checkpoint names audience ${cp.audience ?? 'none'}, feed is ${this.audience ?? 'the identity feed'}`,
        where,
      );
    }
    if (cp.size > this.size) {
      throw new ParleyError(
        'PARLEY_E_CHECKPOINT_BEYOND_FEED',
        `checkpoint covers ${cp.size} entries, the feed holds ${this.size}`,
        where,
      );
    }
    const key = this.keyForSize(cp.size);
    if (!key || !verifyCheckpointSignature(cp, key)) {
      throw new ParleyError(
        'PARLEY_E_CHECKPOINT_SIGNATURE',
        `checkpoint of size ${cp.size} is not signed by ${key ?? 'any key'}`,
        where,
      );
    }
    const root = this.rootHex(cp.size);
    if (cp.root !== root) {
      throw new ParleyError(
        'PARLEY_E_CHECKPOINT_ROOT',
        `checkpoint of size ${cp.size} has root ${cp.root}, the entries give ${root}`,
        where,
      );
    }
  }

  /**
   * Checks that `newer` extends `older` (RFC 9162 §2.1.4 consistency proof, built from the
   * verified entries and verified against both signed roots).
   */
  checkConsistency(older: Checkpoint, newer: Checkpoint): void {
    const where = { station: newer.station, size: newer.size, olderSize: older.size };
    const r1 = fromHex(older.root);
    const r2 = fromHex(newer.root);
    const ok =
      older.size <= newer.size &&
      r1 !== undefined &&
      r2 !== undefined &&
      verifyConsistency(
        older.size,
        newer.size,
        this.tree.consistencyProof(older.size, newer.size),
        r1,
        r2,
      );
    if (!ok) {
      throw new ParleyError(
        'PARLEY_E_CHECKPOINT_INCONSISTENT',
        `checkpoint of size ${newer.size} is not consistent with the one of size ${older.size}`,
        where,
      );
    }
  }
}
