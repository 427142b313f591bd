import type { HashHex, StationId } from '@parley/core';
import {
  GENESIS_PREV,
  KIND,
  leafHash,
  MerkleTree,
  rotationProofBytes,
  sealEntry,
  signCheckpoint,
  toBase64Url,
  toHex,
} from '@parley/ledger';
import type { Checkpoint, SealedEntry, Signer, UnsignedEntry } from '@parley/ledger';
import type { Store, StoredEntry } from './store.js';

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

type Job =
  | {
      type: 'append';
      drafts: EntryDraft[];
      resolve: (v: SealedEntry[]) => void;
      reject: (e: unknown) => void;
    }
  | {
      type: 'rotate';
      next: Signer;
      resolve: (v: SealedEntry[]) => void;
      reject: (e: unknown) => void;
    }
  | { type: 'checkpoint'; resolve: (v: Checkpoint) => void; reject: (e: unknown) => void };

/**
 * The single writer of a station's own feed. Every append, from the CLI or the API, goes through
 * it: it numbers, chains, timestamps and signs entries, and commits them with group commit —
 * appends that arrive while a transaction is in flight are sealed together into the next one,
 * so throughput is bound by signing, not by fsync. The in-memory head and Merkle tree advance
 * only after the store has committed.
 */
export class FeedWriter {
  private queue: Job[] = [];
  private readonly listeners = new Set<(size: number) => void>();
  private latest: Checkpoint | undefined;
  private flushing: Promise<void> | undefined;
  private seq: number;
  private headHash: HashHex;
  private lastTs: number;

  private constructor(
    readonly store: Store,
    readonly station: StationId,
    private signer: Signer,
    readonly tree: MerkleTree,
    head: { seq: number; hash: string; ts: number } | null,
    private readonly clock: Clock,
    private readonly maxBatch: number,
  ) {
    this.seq = head?.seq ?? 0;
    this.headHash = (head?.hash ?? GENESIS_PREV) as HashHex;
    this.lastTs = head?.ts ?? 0;
  }

  /** Opens the writer at the stored head, rebuilding the Merkle tree from stored hashes. */
  static async open(
    store: Store,
    station: StationId,
    signer: Signer,
    opts: { clock?: Clock; maxBatch?: number } = {},
  ): Promise<FeedWriter> {
    const head = await store.head(station);
    const tree = MerkleTree.fromLeafHashes(
      (await store.hashes(station, head?.seq ?? 0)).map(leafHash),
    );
    return new FeedWriter(
      store,
      station,
      signer,
      tree,
      head,
      opts.clock ?? systemClock,
      opts.maxBatch ?? 2000,
    );
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

  /** Appends one entry. */
  async append(draft: EntryDraft): Promise<SealedEntry> {
    const [sealed] = await this.appendMany([draft]);
    return sealed!;
  }

  /** Appends entries atomically: all are committed in one transaction, or none. */
  appendMany(drafts: EntryDraft[]): Promise<SealedEntry[]> {
    return new Promise((resolve, reject) =>
      this.enqueue({ type: 'append', drafts, resolve, reject }),
    );
  }

  /**
   * Rotates the identity key: appends a key-rotation entry signed by the current key and
   * countersigned by `next`; every later entry is signed by `next`.
   */
  async rotateKey(next: Signer): Promise<SealedEntry> {
    const [sealed] = await new Promise<SealedEntry[]>((resolve, reject) =>
      this.enqueue({ type: 'rotate', next, resolve, reject }),
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
      const batch: Exclude<Job, { type: 'checkpoint' }>[] = [];
      let count = 0;
      while (
        this.queue.length > 0 &&
        this.queue[0]!.type !== 'checkpoint' &&
        (count === 0 || count < this.maxBatch)
      ) {
        const job = this.queue.shift() as Exclude<Job, { type: 'checkpoint' }>;
        batch.push(job);
        count += job.type === 'append' ? job.drafts.length : 1;
      }
      await this.commit(batch);
    }
  }

  private async commit(batch: Exclude<Job, { type: 'checkpoint' }>[]): Promise<void> {
    let seq = this.seq;
    let prev = this.headHash;
    let ts = this.lastTs;
    let signer = this.signer;
    const rows: StoredEntry[] = [];
    const accepted: { job: (typeof batch)[number]; sealed: SealedEntry[] }[] = [];
    for (const job of batch) {
      // Seal each job on its own: a job that cannot be sealed (too large, not canonical JSON)
      // fails alone, and the others still go in.
      const mark = { seq, prev, ts, signer, rows: rows.length };
      try {
        const drafts: EntryDraft[] =
          job.type === 'append' ? job.drafts : [this.rotationDraft(seq + 1, job.next)];
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
          const s = sealEntry(unsigned, signer);
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
        if (job.type === 'rotate') signer = job.next;
        accepted.push({ job, sealed });
      } catch (err) {
        ({ seq, prev, ts, signer } = mark);
        rows.length = mark.rows;
        job.reject(err);
      }
    }
    if (rows.length === 0) return;
    // Every commit carries a checkpoint over the new head, in the same transaction, so the
    // latest signed tree head always covers the whole feed (peers witness it at every sync).
    const before = this.tree.size;
    try {
      for (const r of rows) this.tree.appendLeaf(Buffer.from(r.hash, 'hex'));
      const cp = signCheckpoint(this.station, seq, toHex(this.tree.root()), ts, signer);
      await this.store.append(this.station, rows, cp);
      this.latest = cp;
    } catch (err) {
      this.tree.truncate(before);
      for (const a of accepted) a.job.reject(err);
      return;
    }
    this.seq = seq;
    this.headHash = prev;
    this.lastTs = ts;
    this.signer = signer;
    for (const a of accepted) a.job.resolve(a.sealed);
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

  private rotationDraft(seq: number, next: Signer): EntryDraft {
    const proof = toBase64Url(next.sign(rotationProofBytes(this.station, seq, next.publicKey)));
    return { kind: KIND.keyRotation, body: { next: next.publicKey, proof } };
  }

  private async doCheckpoint(job: Extract<Job, { type: 'checkpoint' }>): Promise<void> {
    try {
      const ts = Math.max(this.lastTs, this.clock.now());
      const cp = signCheckpoint(this.station, this.seq, toHex(this.tree.root()), ts, this.signer);
      await this.store.addCheckpoint(cp);
      this.latest = cp;
      job.resolve(cp);
    } catch (err) {
      job.reject(err);
    }
  }
}
