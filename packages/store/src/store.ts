import { createHash } from 'node:crypto';
import type { Checkpoint } from '@parley/ledger';
import { canonicalize } from '@parley/ledger';

/** One stored entry: its exact signed JSON line plus the columns the store indexes. */
export interface StoredEntry {
  seq: number;
  /** Entry hash, lower-case hex. */
  hash: string;
  /** Hash of the previous entry, lower-case hex (64 zeros for seq 1). */
  prev: string;
  ts: number;
  kind: string;
  channel: string | null;
  /** The entry as its canonical JSON line, signature included. */
  line: string;
}

/** A stored entry together with the feed it belongs to. */
export interface FeedEntry extends StoredEntry {
  station: string;
}

/** A paired peer station: its pinned key and its transport paths. */
export interface PeerRecord {
  name: string;
  station: string;
  /** The public key verified out of band (its safety number); the peer's feed must be signed by a chain containing it. */
  key: string;
  /** Independent transport paths, in order of preference. */
  urls: string[];
  /** The peer's self-signed TLS certificate (PEM) to pin for https paths, if any. */
  tlsCert: string | null;
  added: number;
}

/** An operator API token; only its SHA-256 is stored. */
export interface TokenRecord {
  hash: string;
  role: string;
  label: string;
  created: number;
  /** When the token stops working (UTC ms), or null/absent for never (schema version 5). */
  expires?: number | null;
  /** When the token was revoked (UTC ms), or null/absent if it was not (schema version 5). */
  revoked?: number | null;
}

/**
 * A station-key signature over one audit record's chain hash (schema version 5): what makes the
 * chain impossible to rewrite with write access to the database alone (ADR 0004).
 */
export interface AuditAnchor {
  seq: number;
  /** The audit record's hash as signed. */
  hash: string;
  /** The public key (base64url) that signed it: a key of the station's identity chain. */
  key: string;
  /** Ed25519 signature (base64url) over `auditAnchorBody(station, seq, hash)`. */
  sig: string;
}

/** What a station signs for an audit record: domain-separated, so it can mean nothing else. */
export function auditAnchorBody(station: string, seq: number, hash: string): string {
  return `parley.audit-anchor/v1/${station}\n${seq}\n${hash}\n`;
}

/** A request's claim on an Idempotency-Key (schema version 5). */
export interface IdempotencyClaim {
  /** Whose key it is: the actor's name (keys of different operators never collide). */
  owner: string;
  key: string;
  /** SHA-256 of the method, route and canonical body: the same key with another request is refused. */
  fingerprint: string;
  now: number;
  /** When the stored response may be forgotten (UTC ms). */
  expires: number;
  /** A claim still in flight after this long (ms) is taken as abandoned (its process died). */
  staleMs: number;
}

/** What a claim found: a new claim (go ahead), the stored response, or one still in flight. */
export type IdempotencyState =
  | { state: 'claimed' }
  | { state: 'done'; fingerprint: string; status: number; response: string }
  | { state: 'in-flight'; fingerprint: string };

// --- Operators (schema version 3): accounts, sessions, audit log ---------------------------

/** An operator account. The password is kept only as an scrypt hash string. */
export interface UserRecord {
  name: string;
  role: string;
  /** Channels the operator is a member of; '*' for all. */
  channels: '*' | string[];
  /** Encoded password hash (`scrypt$N$r$p$salt$hash`); never the password. */
  passwordHash: string;
  created: number;
  disabled: boolean;
}

/** A console session; only the SHA-256 of its id (the cookie value) is stored. */
export interface SessionRecord {
  hash: string;
  user: string;
  /** The session's CSRF token, required as a header on state-changing requests. */
  csrf: string;
  created: number;
  expires: number;
}

/** What an audit record says; the store adds seq, prev and hash. */
export interface AuditInput {
  ts: number;
  actor: string;
  action: string;
  /** Plain JSON (RFC 8785 I-JSON: no NaN, no lone surrogates). */
  detail: Record<string, unknown>;
}

/** One record of the append-only, hash-chained audit log. */
export interface AuditRecord extends AuditInput {
  seq: number;
  /** Hash of the previous record (`AUDIT_GENESIS` for seq 1), lower-case hex. */
  prev: string;
  /** `auditHash(prev, record)`, lower-case hex. */
  hash: string;
}

export interface AuditQuery {
  /** Only records with seq > after. */
  after?: number;
  limit?: number;
  actor?: string;
  action?: string;
}

/** The `prev` of the first audit record. */
export const AUDIT_GENESIS = '0'.repeat(64);

/**
 * The chain link of an audit record: SHA-256 (hex) of the previous record's hash followed by the
 * canonical JSON (RFC 8785) of `{seq, ts, actor, action, detail}`. Pure, so anyone holding the
 * rows can re-verify the chain.
 */
export function auditHash(
  prev: string,
  record: Pick<AuditRecord, 'seq' | 'ts' | 'actor' | 'action' | 'detail'>,
): string {
  const body = canonicalize({
    seq: record.seq,
    ts: record.ts,
    actor: record.actor,
    action: record.action,
    detail: record.detail,
  });
  return createHash('sha256').update(prev).update(body).digest('hex');
}

// --- end operators --------------------------------------------------------------------------

/** The last entry of a stored feed. */
export interface FeedHead {
  seq: number;
  hash: string;
  ts: number;
}

/**
 * A lease held by one process of a party's station (high availability: exactly one process runs
 * the link, the heartbeats and the deadline watch). `token` is the fencing token: it grows each
 * time the lease changes hands, and a write fenced with an older token is refused.
 */
export interface Lease {
  name: string;
  holder: string;
  token: number;
  /** When the lease lapses unless renewed, in ms since the epoch on the store's clock. */
  expires: number;
}

export interface AppendOptions {
  /**
   * Store only while this lease is still held with this token — nobody has taken it over since —
   * checked inside the append's transaction; else `PARLEY_E_LEASE_LOST` and nothing is written.
   * (A lease that lapsed but that nobody took still fences for its holder: there is no other
   * leader to conflict with, and a busy leader's late renewal does not fail its writes.)
   */
  fence?: Lease;
}

/** What a feed's writer stores on top of the head it was shown (`Store.appendAtHead`). */
export interface AppendBatch {
  entries: readonly StoredEntry[];
  checkpoint?: Checkpoint;
}

/**
 * Durable storage for feeds (a station's own and verified copies of its peers'), their signed
 * checkpoints, and small metadata. Async throughout so that SQLite and PostgreSQL implement the
 * same contract (`packages/store/test/store-contract.ts`).
 *
 * The store does not parse or verify entries: the ledger does, before anything reaches it. It
 * does enforce the one rule that keeps a feed whole under concurrency and crashes: an append is
 * one transaction, and it must continue the stored head exactly (seq + 1, prev = head hash).
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Schema version after migrations. */
  schemaVersion(): Promise<number>;

  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Metadata entries whose key starts with `prefix`, by key. */
  listMeta(prefix: string): Promise<[string, string][]>;
  deleteMeta(key: string): Promise<void>;

  /** The last stored entry of a feed, or null if the store holds none of it. */
  head(station: string): Promise<FeedHead | null>;
  /**
   * Appends entries to a feed in one transaction: all or nothing. Throws `PARLEY_E_STORE_CONFLICT`
   * if the first does not continue the stored head or the batch is not itself continuous.
   * A checkpoint given with the batch is stored in the same transaction.
   */
  append(
    station: string,
    entries: readonly StoredEntry[],
    checkpoint?: Checkpoint,
    opts?: AppendOptions,
  ): Promise<void>;
  /**
   * The writer's append: `build` is called with the feed's stored head while this call holds the
   * feed's write lock — across every process sharing the database, for PostgreSQL — and returns
   * the batch to store after that head (or null: nothing to store). Processes that append to one
   * feed through this method take turns instead of conflicting. The batch is still checked as
   * `append` checks it.
   */
  appendAtHead(
    station: string,
    build: (head: FeedHead | null) => Promise<AppendBatch | null>,
    opts?: AppendOptions,
  ): Promise<void>;
  /**
   * Calls `fn` with the station, and the feed's new size, after entries are appended to a feed:
   * by any process sharing the database for PostgreSQL (LISTEN/NOTIFY), by this store object
   * for SQLite. `fn('*')` (no size) means "notifications may have been missed (reconnected):
   * look at every feed". Returns the function that unsubscribes.
   */
  onAppend(fn: (station: string, size?: number) => void): () => void;
  /** Up to `limit` entries with seq > `afterSeq`, in seq order. */
  entries(station: string, afterSeq: number, limit: number): Promise<StoredEntry[]>;
  /** Entry hashes (raw 32 bytes) of seq 1..upTo (or all), in seq order: what a Merkle tree is rebuilt from. */
  hashes(station: string, upTo?: number): Promise<Uint8Array[]>;
  /** Entries of the given kinds, in seq order (small: genesis, key rotations, …). */
  entriesOfKind(station: string, kinds: readonly string[]): Promise<StoredEntry[]>;
  /** The last entry of one kind in a feed, or null. */
  lastOfKind(station: string, kind: string): Promise<StoredEntry | null>;
  /** Entries of one kind across all feeds (optionally one channel), by time, then station, then seq. */
  byKind(kind: string, opts?: { channel?: string; limit?: number }): Promise<FeedEntry[]>;
  /** The feeds held, with their sizes, in the order they were first stored. */
  feeds(): Promise<{ station: string; size: number }[]>;

  /** Stores a verified checkpoint; storing the same checkpoint twice is harmless. */
  addCheckpoint(cp: Checkpoint): Promise<void>;
  /** Checkpoints of a feed, by size then time. */
  checkpoints(station: string): Promise<Checkpoint[]>;
  latestCheckpoint(station: string): Promise<Checkpoint | null>;

  /** Paired peers, in the order they were added. */
  peers(): Promise<PeerRecord[]>;
  /** Adds a peer; throws `PARLEY_E_PEER_EXISTS` if the name or station is taken. */
  addPeer(peer: PeerRecord): Promise<void>;

  addToken(token: TokenRecord): Promise<void>;
  tokenByHash(hash: string): Promise<TokenRecord | null>;
  /** Every token, revoked and expired ones too, by creation time (schema version 5). */
  tokens(): Promise<TokenRecord[]>;
  /** Marks a token revoked at `at`; false if there is no such token or it was revoked already. */
  revokeToken(hash: string, at: number): Promise<boolean>;

  // Operators (schema version 3)
  /** Adds an operator; throws `PARLEY_E_USER_EXISTS` if the name is taken. */
  addUser(user: UserRecord): Promise<void>;
  user(name: string): Promise<UserRecord | null>;
  /** All operators, by name. */
  users(): Promise<UserRecord[]>;
  /** Changes an operator's role, channels, password hash or disabled flag; false if there is no such operator. */
  updateUser(
    name: string,
    patch: Partial<Pick<UserRecord, 'role' | 'channels' | 'passwordHash' | 'disabled'>>,
  ): Promise<boolean>;
  /** Stores a session of an existing operator. */
  addSession(session: SessionRecord): Promise<void>;
  /** The session whose id hashes to `hash`, expired or not, or null. */
  sessionByHash(hash: string): Promise<SessionRecord | null>;
  deleteSession(hash: string): Promise<void>;
  /** Ends every session of an operator; returns how many there were. */
  deleteSessionsOf(user: string): Promise<number>;
  /** Removes sessions whose `expires` ≤ now; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
  /**
   * Appends one audit record in one transaction: seq = last + 1, prev = last hash (or
   * `AUDIT_GENESIS`), hash = `auditHash(prev, record)`. With `anchor`, the anchor it returns
   * for the new record's seq and hash is stored in the same transaction. Returns the stored record.
   */
  appendAudit(
    record: AuditInput,
    anchor?: (seq: number, hash: string) => AuditAnchor,
  ): Promise<AuditRecord>;
  /** Audit records in seq order, optionally after a seq, of one actor or action, up to `limit`. */
  audit(query?: AuditQuery): Promise<AuditRecord[]>;
  /** Stored audit anchors with seq > after, in seq order, up to `limit`. */
  auditAnchors(query?: { after?: number; limit?: number }): Promise<AuditAnchor[]>;
  /** Stores an anchor (one per seq; a second for the same seq is ignored). */
  addAuditAnchor(anchor: AuditAnchor): Promise<void>;

  // Idempotency keys (schema version 5)
  /**
   * Claims `key` for `owner` in one transaction: an expired row, or one in flight for longer than
   * `staleMs`, is replaced. Returns what was there before, or `claimed` when the claim is new.
   */
  claimIdempotency(claim: IdempotencyClaim): Promise<IdempotencyState>;
  /** Stores the response of a claimed key; with null, releases the claim (the request failed). */
  finishIdempotency(
    owner: string,
    key: string,
    response: { status: number; body: string } | null,
  ): Promise<void>;
  /** Forgets stored responses whose `expires` ≤ now; returns how many. */
  deleteExpiredIdempotency(now: number): Promise<number>;

  // Leases (schema version 4)
  /**
   * Takes the lease `name` for `holder` for `ttlMs` if it is free or lapsed (the token grows), or
   * renews it if `holder` already holds it (same token). Null if another holder has it.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Gives up a lease still held with this token, so another process need not wait for it to lapse. */
  releaseLease(lease: Lease): Promise<void>;
  /** The lease as stored, lapsed or not, or null if it was never taken. */
  lease(name: string): Promise<Lease | null>;

  close(): Promise<void>;
}
