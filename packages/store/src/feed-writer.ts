import type { HashHex, StationId } from '@parley/core';
import { isParleyError, ParleyError } from '@parley/core';
import {
  GENESIS_PREV,
  KIND,
  leafHash,
  MerkleTree,
  parseEntryLine,
  rotationProofBytes,
  sealEntry,
  signCheckpoint,
  toBase64Url,
  toHex,
} from '@parley/ledger';
import { feedKey } from '@parley/ledger';
import type { AudienceId, Checkpoint, SealedEntry, Signer, UnsignedEntry } from '@parley/ledger';
import type { FeedHead, Lease, Store, StoredEntry } from './store.js';

/** Where the time comes from; injectable so tests can drive time. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/** What a caller asks to append; the writer fills in station, seq, prev, ts and the signature. */
export interface EntryDraft {
  kind: string;
  channel?: string;
  body: Record<string, unknown>;
}

export interface WriterOptions {
  clock?: Clock;
  /** The audience feed to write (ADR 0003); absent: the station's identity feed. */
  audience?: AudienceId;
  maxBatch?: number;
  /**
   * Loads the signer of a key that another process rotated to (several processes share one
   * database): the writer follows the feed's key chain when it catches up. Without it, catching
   * up over a key rotation fails with `PARLEY_E_KEY_FILE_MISSING`.
   */
  signerFor?: (publicKey: string) => Promise<Signer>;
}

export interface AppendOpts {
  /** Store only while this lease is live (leader-only writes); else `PARLEY_E_LEASE_LOST`. */
  fence?: Lease;
}

type Job =
  | {
      type: 'append';
      drafts: EntryDraft[];
      fence?: Lease;
      /** Append only to an empty feed (a genesis another process may have written first). */
      ifEmpty?: boolean;
      resolve: (v: SealedEntry[]) => void;
      reject: (e: unknown) => void;
    }
  | {
      type: 'rotate';
      next: Signer;
      emergency: boolean;
      fence?: Lease;
      resolve: (v: SealedEntry[]) => void;
      reject: (e: unknown) => void;
    }
  | { type: 'checkpoint'; resolve: (v: Checkpoint) => void; reject: (e: unknown) => void }
  | { type: 'sync'; resolve: () => void; reject: (e: unknown) => void };

type WriteJob = Extract<Job, { type: 'append' | 'rotate' }>;

/** How often a writer that lost a race (SQLite shared by two processes) catches up and tries again. */
const CONFLICT_RETRIES = 5;

/**
 * The single writer of a station's own feed. Every append, from the CLI or the API, goes through
 * it: it numbers, chains, timestamps and signs entries, and commits them with group commit —
 * appends that arrive while a transaction is in flight are sealed together into the next one,
 * so throughput is bound by signing, not by fsync. The in-memory head and Merkle tree advance
 * only after the store has committed.
 *
 * Several processes may write one feed (a party's station on PostgreSQL, high availability):
 * each commit runs inside `Store.appendAtHead`, which shows the writer the stored head under the
 * feed's lock. A writer that finds the head moved catches up first — it reads the entries the
 * other processes appended, extends its Merkle tree and follows key rotations — then seals after
 * them. `follow()` makes it catch up as soon as the store reports an append, so `size` and
 * `onCommit` see every process's entries.
 */
export class FeedWriter {
  private queue: Job[] = [];
  private readonly listeners = new Set<(size: number) => void>();
  private latest: Checkpoint | undefined;
  private flushing: Promise<void> | undefined;
  private seq: number;
  private headHash: HashHex;
  private lastTs: number;
  /** The size last announced to `onCommit` listeners. */
  private announced: number;
  private syncQueued = false;
  /** The key this feed is stored under: the station id, or `<station>/<audience>`. */
  readonly feed: string;
  /** This feed's key history: each key and the first seq it signs (genesis key from 1). */
  private periods: { key: string; from: number }[];
  /** Every signer this writer has held or loaded, by public key (old keys sign link traffic, §7). */
  private readonly signers = new Map<string, Signer>();

  private constructor(
    readonly store: Store,
    readonly station: StationId,
    readonly audience: AudienceId | null,
    private signer: Signer,
    readonly tree: MerkleTree,
    head: { seq: number; hash: string; ts: number } | null,
    private readonly clock: Clock,
    private readonly maxBatch: number,
    private readonly signerFor: ((publicKey: string) => Promise<Signer>) | undefined,
    periods: { key: string; from: number }[],
  ) {
    this.periods = periods;
    this.signers.set(signer.publicKey, signer);
    this.seq = head?.seq ?? 0;
    this.headHash = (head?.hash ?? GENESIS_PREV) as HashHex;
    this.lastTs = head?.ts ?? 0;
    this.announced = this.seq;
    this.feed = feedKey(station, audience);
  }

  /** Opens the writer at the stored head, rebuilding the Merkle tree from stored hashes. */
  static async open(
    store: Store,
    station: StationId,
    signer: Signer,
    opts: WriterOptions = {},
  ): Promise<FeedWriter> {
    const feed = feedKey(station, opts.audience);
    const head = await store.head(feed);
    const tree = MerkleTree.fromLeafHashes(
      (await store.hashes(feed, head?.seq ?? 0)).map(leafHash),
    );
    const periods: { key: string; from: number }[] = [];
    for (const r of await store.entriesOfKind(feed, [KIND.genesis, KIND.keyRotation])) {
      if (r.seq > (head?.seq ?? 0)) break;
      const body = parseEntryLine(r.line).body;
      periods.push({
        key: String(r.kind === KIND.genesis ? body.key : body.next),
        from: r.seq + (r.kind === KIND.genesis ? 0 : 1),
      });
    }
    return new FeedWriter(
      store,
      station,
      opts.audience ?? null,
      signer,
      tree,
      head,
      opts.clock ?? systemClock,
      opts.maxBatch ?? 2000,
      opts.signerFor,
      periods,
    );
  }

  /**
   * Catches up whenever the store reports an append to this feed (by another process sharing
   * the database). Returns the function that stops following. A catch-up that fails goes to
   * `onError` (the station logs it; the next report or append tries again); without one, it is
   * kept as `followError` for whoever looks.
   */
  follow(onError?: (err: unknown) => void): () => void {
    return this.store.onAppend((station, size) => {
      // Its own commits (and anything it has already caught up on) need no look.
      if (
        station === '*' ||
        (station === this.feed && (size ?? Infinity) > Math.max(this.seq, this.sealedUpTo))
      )
        this.refresh().then(
          () => (this.followError = undefined),
          (err: unknown) => {
            this.followError = err;
            onError?.(err);
          },
        );
    });
  }

  /** The last failure of a catch-up started by `follow`, until one succeeds. */
  followError: unknown = undefined;

  /** Reads what other processes appended to this feed since the writer last looked. */
  refresh(): Promise<void> {
    if (this.syncQueued) return this.idle();
    this.syncQueued = true;
    return new Promise((resolve, reject) => this.enqueue({ type: 'sync', resolve, reject }));
  }

  /**
   * A view of this writer whose appends are fenced by `lease` (the leader-only writes: receipts,
   * cosignatures, alarms). Everything else is the writer itself.
   */
  fenced(lease: Lease): FeedWriter {
    const appendMany = (drafts: EntryDraft[]) => this.appendMany(drafts, { fence: lease });
    const append = async (d: EntryDraft) => (await appendMany([d]))[0]!;
    return new Proxy(this, {
      get(target, prop) {
        if (prop === 'appendMany') return appendMany;
        if (prop === 'append') return append;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** Entries in the feed. */
  get size(): number {
    return this.seq;
  }

  /** Hash of the last entry. */
  get head(): HashHex {
    return this.headHash;
  }

  /** The signer of the next entry (the station's current identity key), for signing link requests. */
  get currentSigner(): Signer {
    return this.signer;
  }

  /** The public key that signs the next entry. */
  get publicKey(): string {
    return this.signer.publicKey;
  }

  /**
   * The key in force after the first `n` entries of this feed (the key that signs entry n + 1;
   * n = 0: the genesis key). Past the head, the current key.
   */
  keyAfter(n: number): string {
    let key: string = this.signer.publicKey;
    if (n >= this.seq) return key;
    for (const p of this.periods) if (p.from <= n + 1) key = p.key;
    return key;
  }

  /** This feed's key history as the writer knows it: each key and the first seq it signs. */
  get keyHistory(): readonly { key: string; from: number }[] {
    return this.periods;
  }

  /**
   * The signer of the key in force after `n` entries: the key a peer that holds n entries of this
   * feed already trusts (link requests and responses, docs/PROTOCOL.md §7). Old private keys stay
   * under `keys/` after a rotation and are loaded on demand. If `n` is past the head another
   * process may have appended (a rotation by `parley rotate-key` beside a running station): the
   * writer catches up first. Falls back to the current signer when an old key cannot be loaded.
   */
  async signerAfter(n: number): Promise<Signer> {
    // A peer claims more of this feed than this process has seen: catch up first. A store that
    // cannot be read fails the request (the caller retries and logs), rather than signing with a
    // key that may be stale.
    if (n > this.seq) await this.refresh();
    const key = this.keyAfter(n);
    const held = this.signers.get(key);
    if (held) return held;
    if (!this.signerFor) return this.signer;
    try {
      const loaded = await this.signerFor(key);
      this.signers.set(key, loaded);
      return loaded;
    } catch {
      // Deliberate: an old key file that is gone (a station restored without its retired keys)
      // leaves the current key, which a peer holding the whole feed accepts; a peer that does not
      // refuses the request with a coded error, so nothing passes silently.
      return this.signer;
    }
  }

  /** Appends one entry. */
  async append(draft: EntryDraft, opts: AppendOpts = {}): Promise<SealedEntry> {
    const [sealed] = await this.appendMany([draft], opts);
    return sealed!;
  }

  /** Appends entries atomically: all are committed in one transaction, or none. */
  appendMany(drafts: EntryDraft[], opts: AppendOpts = {}): Promise<SealedEntry[]> {
    return new Promise((resolve, reject) =>
      this.enqueue({
        type: 'append',
        drafts,
        ...(opts.fence ? { fence: opts.fence } : {}),
        resolve,
        reject,
      }),
    );
  }

  /**
   * Appends a feed's first entries, unless the feed already has entries (another process of the
   * station wrote them first): then nothing is appended and the result is empty.
   */
  appendIfEmpty(...drafts: EntryDraft[]): Promise<SealedEntry[]> {
    return new Promise((resolve, reject) =>
      this.enqueue({ type: 'append', drafts, ifEmpty: true, resolve, reject }),
    );
  }

  /**
   * Rotates the identity key: appends a key-rotation entry signed by the current key and
   * countersigned by `next`; every later entry is signed by `next`. A feed already at `next`
   * (another process rotated it) gets nothing.
   */
  async rotateKey(next: Signer, opts: { emergency?: boolean } = {}): Promise<SealedEntry> {
    const emergency = opts.emergency === true;
    const [sealed] = await new Promise<SealedEntry[]>((resolve, reject) =>
      this.enqueue({ type: 'rotate', next, emergency, resolve, reject }),
    );
    return sealed!;
  }

  /** Signs and stores a fresh checkpoint of the whole feed as it stands after every earlier append. */
  checkpoint(): Promise<Checkpoint> {
    return new Promise((resolve, reject) => this.enqueue({ type: 'checkpoint', resolve, reject }));
  }

  /** Resolves when every queued job has been processed. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.kick();
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // A job enqueued after the loop drained but before this ran would otherwise wait forever.
      if (this.queue.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    // Let callers in the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.type === 'checkpoint') {
        this.queue.shift();
        await this.doCheckpoint(head);
        continue;
      }
      if (head.type === 'sync') {
        this.queue.shift();
        this.syncQueued = false;
        try {
          await this.catchUp(await this.store.head(this.feed));
          head.resolve();
        } catch (err) {
          head.reject(err);
        }
        this.announce();
        continue;
      }
      // One batch holds jobs with the same fence (or none), so a lost lease fails only its own.
      const batch: WriteJob[] = [];
      let count = 0;
      while (this.queue.length > 0 && (count === 0 || count < this.maxBatch)) {
        const job = this.queue[0]!;
        if (job.type === 'checkpoint' || job.type === 'sync') break;
        if (batch.length > 0 && job.fence !== batch[0]!.fence) break;
        this.queue.shift();
        batch.push(job);
        count += job.type === 'append' ? job.drafts.length : 1;
      }
      await this.commit(batch);
    }
  }

  private async commit(batch: WriteJob[]): Promise<void> {
    const fence = batch[0]!.fence;
    for (let attempt = 0; ; attempt++) {
      let done: (() => void) | undefined;
      this.live = batch;
      try {
        await this.store.appendAtHead(
          this.feed,
          async (head) => {
            await this.catchUp(head);
            done = await this.seal(batch);
            return done ? this.pending : null;
          },
          fence ? { fence } : {},
        );
      } catch (err) {
        this.tree.truncate(this.seq);
        this.pending = null;
        this.sealedUpTo = this.seq;
        if (
          isParleyError(err, 'PARLEY_E_STORE_CONFLICT') &&
          attempt < CONFLICT_RETRIES &&
          this.live.length > 0
        ) {
          // Another process appended between our look at the head and our commit (SQLite
          // shared by two processes): catch up and seal again after its entries.
          batch = this.live;
          continue;
        }
        for (const job of this.live) job.reject(err);
        this.announce();
        return;
      }
      done?.();
      this.announce();
      return;
    }
  }

  /** What `seal` prepared for the store, and the jobs still in the batch. */
  private pending: { entries: StoredEntry[]; checkpoint: Checkpoint } | null = null;
  /** The last seq this writer sealed: its own commit's notification may arrive before the commit resolves. */
  private sealedUpTo = 0;
  private live: WriteJob[] = [];

  /**
   * Seals the batch after the current head. Returns the function that, once the store has
   * committed, advances the writer and resolves the jobs; undefined if nothing is to be stored.
   */
  private async seal(batch: WriteJob[]): Promise<(() => void) | undefined> {
    let seq = this.seq;
    let prev = this.headHash;
    let ts = this.lastTs;
    let signer = this.signer;
    const periods = [...this.periods];
    const rows: StoredEntry[] = [];
    const accepted: { job: WriteJob; sealed: SealedEntry[] }[] = [];
    for (const job of batch) {
      // Seal each job on its own: a job that cannot be sealed (too large, not canonical JSON)
      // fails alone, and the others still go in.
      const mark = { seq, prev, ts, signer, rows: rows.length, periods: periods.length };
      if (
        (job.type === 'append' && job.ifEmpty && seq > 0) ||
        (job.type === 'rotate' && job.next.publicKey === signer.publicKey)
      ) {
        accepted.push({ job, sealed: [] });
        continue;
      }
      try {
        const drafts: EntryDraft[] =
          job.type === 'append'
            ? job.drafts
            : [this.rotationDraft(seq + 1, job.next, job.emergency)];
        const sealed: SealedEntry[] = [];
        for (const d of drafts) {
          ts = Math.max(ts, this.clock.now());
          const unsigned: UnsignedEntry = {
            v: 1,
            station: this.station,
            seq: seq + 1,
            prev,
            ts,
            kind: d.kind,
            body: d.body,
          };
          if (d.channel !== undefined) unsigned.channel = d.channel;
          if (this.audience) unsigned.audience = this.audience;
          // An emergency rotation is signed by the new key itself, never by the retired one.
          const s = sealEntry(unsigned, job.type === 'rotate' && job.emergency ? job.next : signer);
          if (d.kind === KIND.genesis) periods.push({ key: String(d.body.key), from: seq + 1 });
          sealed.push(s);
          rows.push({
            seq: seq + 1,
            hash: s.hash,
            prev,
            ts,
            kind: d.kind,
            channel: d.channel ?? null,
            line: s.line,
          });
          seq++;
          prev = s.hash;
        }
        if (job.type === 'rotate') {
          signer = job.next;
          periods.push({ key: job.next.publicKey, from: seq + 1 });
        }
        accepted.push({ job, sealed });
      } catch (err) {
        ({ seq, prev, ts, signer } = mark);
        rows.length = mark.rows;
        periods.length = mark.periods;
        job.reject(err);
      }
    }
    this.live = accepted.map((a) => a.job);
    if (rows.length === 0) {
      // Nothing to store (only jobs with nothing left to do): they are done as they are.
      for (const a of accepted) a.job.resolve(a.sealed);
      this.live = [];
      return undefined;
    }
    // Every commit carries a checkpoint over the new head, in the same transaction, so the
    // latest signed tree head always covers the whole feed (peers witness it at every sync).
    // The tree is truncated back if the store does not commit.
    for (const r of rows) this.tree.appendLeaf(Buffer.from(r.hash, 'hex'));
    const cp = signCheckpoint(
      this.station,
      seq,
      toHex(this.tree.root()),
      ts,
      signer,
      this.audience ?? undefined,
    );
    this.pending = { entries: rows, checkpoint: cp };
    this.sealedUpTo = seq;
    return () => {
      this.pending = null;
      this.latest = cp;
      this.seq = seq;
      this.headHash = prev;
      this.lastTs = ts;
      this.signer = signer;
      this.periods = periods;
      this.signers.set(signer.publicKey, signer);
      for (const a of accepted) a.job.resolve(a.sealed);
    };
  }

  /**
   * Brings the writer to the stored head: reads the entries other processes appended after the
   * writer's own head, checks they chain onto it, extends the Merkle tree and follows key
   * rotations. All or nothing: on failure the writer is as it was.
   */
  private async catchUp(head: FeedHead | null): Promise<void> {
    const stored = head?.seq ?? 0;
    if (stored === this.seq && (head?.hash ?? GENESIS_PREV) === this.headHash) return;
    if (stored < this.seq || (stored === this.seq && head!.hash !== this.headHash)) {
      throw new ParleyError(
        'PARLEY_E_STORE_CONFLICT',
        `the stored feed of ${this.station} (head seq ${stored}) is not a continuation of this writer's (seq ${this.seq}): was the database restored under a running station?`,
        { station: this.station, seq: stored, headSeq: this.seq },
      );
    }
    let seq = this.seq;
    let prev: string = this.headHash;
    let ts = this.lastTs;
    let signer = this.signer;
    const periods = [...this.periods];
    const leaves: Uint8Array[] = [];
    while (seq < stored) {
      const rows = await this.store.entries(this.feed, seq, Math.min(2000, stored - seq));
      if (rows.length === 0) break;
      for (const r of rows) {
        if (r.seq !== seq + 1 || r.prev !== prev) {
          throw new ParleyError(
            'PARLEY_E_STORE_CONFLICT',
            `seq ${r.seq} of ${this.station} in the store does not chain onto seq ${seq}`,
            { station: this.station, seq: r.seq, headSeq: seq },
          );
        }
        if (r.kind === KIND.genesis)
          periods.push({ key: String(parseEntryLine(r.line).body.key), from: 1 });
        if (r.kind === KIND.keyRotation) {
          const next = parseEntryLine(r.line).body.next as string;
          if (!this.signerFor) {
            throw new ParleyError(
              'PARLEY_E_KEY_FILE_MISSING',
              `another process rotated ${this.station} to key ${next}, and this writer cannot load keys`,
              { key: next },
            );
          }
          signer = await this.signerFor(next);
          periods.push({ key: next, from: r.seq + 1 });
        }
        leaves.push(Buffer.from(r.hash, 'hex'));
        seq = r.seq;
        prev = r.hash;
        ts = r.ts;
      }
    }
    if (seq !== stored) {
      throw new ParleyError(
        'PARLEY_E_STORE_CONFLICT',
        `the stored feed of ${this.station} ends at seq ${seq}, not at its head ${stored}`,
        { station: this.station, seq, headSeq: stored },
      );
    }
    for (const l of leaves) this.tree.appendLeaf(l);
    this.seq = seq;
    this.headHash = prev as HashHex;
    this.lastTs = ts;
    this.signer = signer;
    this.periods = periods;
    this.signers.set(signer.publicKey, signer);
    this.latest = (await this.store.latestCheckpoint(this.feed)) ?? undefined;
  }

  /** Tells `onCommit` listeners the new size once per change, whoever appended. */
  private announce(): void {
    if (this.seq <= this.announced) return;
    this.announced = this.seq;
    for (const l of this.listeners) l(this.seq);
  }

  /** Calls `fn` with the new size after every commit; returns the function that unsubscribes. */
  onCommit(fn: (size: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The latest checkpoint this writer signed (every commit signs one), if any since opening. */
  get latestCheckpoint(): Checkpoint | undefined {
    return this.latest;
  }

  private rotationDraft(seq: number, next: Signer, emergency: boolean): EntryDraft {
    const proof = toBase64Url(
      next.sign(rotationProofBytes(this.station, seq, next.publicKey, this.audience)),
    );
    return {
      kind: KIND.keyRotation,
      body: { next: next.publicKey, proof, ...(emergency ? { emergency: true } : {}) },
    };
  }

  private async doCheckpoint(job: Extract<Job, { type: 'checkpoint' }>): Promise<void> {
    try {
      const ts = Math.max(this.lastTs, this.clock.now());
      const cp = signCheckpoint(
        this.station,
        this.seq,
        toHex(this.tree.root()),
        ts,
        this.signer,
        this.audience ?? undefined,
      );
      await this.store.addCheckpoint(cp);
      this.latest = cp;
      job.resolve(cp);
    } catch (err) {
      job.reject(err);
    }
  }
}
