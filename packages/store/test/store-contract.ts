/**
 * The contract every `Store` implementation must pass: SQLite (`sqlite-store.test.ts`) and
 * PostgreSQL (`pg-store.test.ts`) run the very same suite.
 *
 * `open()` gives a fresh, empty store, a way to open the same database again (`reopen`) and a
 * `cleanup` that removes the database. The suite closes every store it was given before it
 * calls `cleanup`.
 *
 * Entries are real: signed with the ledger, chained, and checked with `FeedVerifier` wherever a
 * test claims a feed is valid. The store itself never parses lines, so a few atomicity tests hand
 * it rows whose columns were tampered with (a wrong seq on an otherwise real entry).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationId } from '@parley/core';
import {
  FeedVerifier,
  GENESIS_PREV,
  KIND,
  MerkleTree,
  generateIdentity,
  parseEntryLine,
  rotationProofBytes,
  sealEntry,
  signCheckpoint,
  signerFromPem,
  signingBytes,
  stationIdFromKey,
  toBase64Url,
  toHex,
  fromBase64Url,
  verifyCheckpointSignature,
  verifySignature,
} from '@parley/ledger';
import type { Checkpoint, Signer, UnsignedEntry } from '@parley/ledger';
import { AUDIT_GENESIS, auditHash, FeedWriter } from '@parley/store';
import type {
  AuditRecord,
  EntryDraft,
  PeerRecord,
  Store,
  StoredEntry,
  UserRecord,
} from '@parley/store';

export interface StoreUnderTest {
  store: Store;
  /** Opens the same database again (the suite closes the previous store first). */
  reopen: () => Promise<Store>;
  /** Removes the database; every store has been closed when this is called. */
  cleanup: () => Promise<void>;
}

const CONFLICT = 'PARLEY_E_STORE_CONFLICT';
const CLOSED = 'PARLEY_E_STORE_CLOSED';

/** A fresh Ed25519 identity as a signer. */
export function newSigner(): Signer {
  return signerFromPem(generateIdentity().privatePem);
}

/**
 * Builds a real signed feed, entry by entry, as the rows a store holds. `rows` is what has been
 * built so far (not necessarily stored); `fork` seals alternative rows that are not kept.
 */
export class TestChain {
  readonly station: StationId;
  readonly rows: StoredEntry[] = [];
  /** signers[i]: the key in force after rows[i] (signs entry i + 2 and a checkpoint of size i + 1). */
  private readonly signers: Signer[] = [];
  private signer: Signer;

  constructor(
    readonly name = 'Test station',
    private readonly ts0 = 1_700_000_000_000,
  ) {
    this.signer = newSigner();
    this.station = stationIdFromKey(this.signer.publicKey);
    const genesis = this.seal(1, GENESIS_PREV, ts0, KIND.genesis, {
      name,
      key: this.signer.publicKey,
    });
    this.rows.push(genesis);
    this.signers.push(this.signer);
  }

  get head(): StoredEntry {
    return this.rows[this.rows.length - 1]!;
  }

  get currentKey(): string {
    return this.signer.publicKey;
  }

  /** Seals `count` more entries after the head and keeps them. */
  add(
    count: number,
    opts: {
      kind?: string;
      channel?: string | null;
      ts?: (seq: number) => number;
      tag?: string;
    } = {},
  ): StoredEntry[] {
    const made = this.after(this.head, count, opts);
    this.rows.push(...made);
    for (let i = 0; i < made.length; i++) this.signers.push(this.signer);
    return made;
  }

  /** A key-rotation entry to `next` (countersigned by it); later entries are signed by `next`. */
  rotate(next: Signer): StoredEntry {
    const seq = this.head.seq + 1;
    const proof = toBase64Url(next.sign(rotationProofBytes(this.station, seq, next.publicKey)));
    const row = this.seal(seq, this.head.hash, this.head.ts + 1, KIND.keyRotation, {
      next: next.publicKey,
      proof,
    });
    this.rows.push(row);
    this.signer = next;
    this.signers.push(next);
    return row;
  }

  /**
   * `count` real rows continuing after the built row `afterSeq` (≥ 1), with bodies tagged `tag`:
   * a branch that competes with whatever follows `afterSeq`. They are not kept.
   */
  fork(afterSeq: number, count: number, tag: string): StoredEntry[] {
    const base = this.rows[afterSeq - 1];
    if (!base) throw new Error(`no built row at seq ${afterSeq} to fork after`);
    return this.after(base, count, { tag });
  }

  /** A real signed checkpoint of the first `size` rows. */
  checkpoint(size: number, ts = this.rows[size - 1]!.ts): Checkpoint {
    const tree = new MerkleTree();
    for (const r of this.rows.slice(0, size)) tree.appendLeaf(Buffer.from(r.hash, 'hex'));
    return signCheckpoint(this.station, size, toHex(tree.root()), ts, this.signers[size - 1]!);
  }

  private after(
    base: StoredEntry,
    count: number,
    opts: { kind?: string; channel?: string | null; ts?: (seq: number) => number; tag?: string },
  ): StoredEntry[] {
    const out: StoredEntry[] = [];
    let prev = base.hash;
    for (let seq = base.seq + 1; seq <= base.seq + count; seq++) {
      const ts = opts.ts ? opts.ts(seq) : base.ts + (seq - base.seq);
      const row = this.seal(
        seq,
        prev,
        ts,
        opts.kind ?? KIND.message,
        { text: `${opts.tag ?? 'message'} ${seq}`, n: seq },
        opts.channel ?? undefined,
      );
      out.push(row);
      prev = row.hash;
    }
    return out;
  }

  private seal(
    seq: number,
    prev: string,
    ts: number,
    kind: string,
    body: Record<string, unknown>,
    channel?: string,
  ): StoredEntry {
    const unsigned: UnsignedEntry = { v: 1, station: this.station, seq, prev, ts, kind, body };
    if (channel !== undefined) unsigned.channel = channel;
    const s = sealEntry(unsigned, this.signer);
    return { seq, hash: s.hash, prev, ts, kind, channel: channel ?? null, line: s.line };
  }
}

/** Every entry of a feed, read in pages so paging is exercised too. */
export async function readAll(store: Store, station: string, page = 97): Promise<StoredEntry[]> {
  const out: StoredEntry[] = [];
  for (;;) {
    const got = await store.entries(station, out.length, page);
    out.push(...got);
    if (got.length < page) return out;
  }
}

/**
 * Verifies stored rows as a feed with the ledger's `FeedVerifier`: each line is parsed and
 * pushed in order, and the columns the store indexes must agree with the signed line.
 */
export function verifyRows(station: StationId, rows: readonly StoredEntry[]): FeedVerifier {
  const v = new FeedVerifier(station);
  rows.forEach((row, i) => {
    const entry = parseEntryLine(row.line);
    expect(row.seq).toBe(i + 1);
    expect(v.push(entry)).toBe(row.hash);
    expect({
      seq: row.seq,
      prev: row.prev,
      ts: row.ts,
      kind: row.kind,
      channel: row.channel,
    }).toEqual({
      seq: entry.seq,
      prev: entry.prev,
      ts: entry.ts,
      kind: entry.kind,
      channel: entry.channel ?? null,
    });
  });
  return v;
}

/** Polls `cond` every 10 ms for up to 5 s; fails if it never holds. */
export async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function draft(text: string, channel?: string): EntryDraft {
  return channel === undefined
    ? { kind: KIND.message, body: { text } }
    : { kind: KIND.message, channel, body: { text } };
}

/** A fresh station identity and a writer over `store` with its genesis entry committed. */
async function writerWithGenesis(
  store: Store,
  name = 'Writer station',
): Promise<{ writer: FeedWriter; station: StationId; signer: Signer }> {
  const signer = newSigner();
  const station = stationIdFromKey(signer.publicKey);
  const writer = await FeedWriter.open(store, station, signer);
  await writer.append({ kind: KIND.genesis, body: { name, key: signer.publicKey } });
  return { writer, station, signer };
}

export function runStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(name, () => {
    let sut: StoreUnderTest;
    let opened: Store[];
    /** The store the current test works on (replaced by `reopen`). */
    let store: Store;

    beforeEach(async () => {
      sut = await open();
      store = sut.store;
      opened = [store];
    });

    afterEach(async () => {
      for (const s of opened) await s.close();
      await sut.cleanup();
    });

    async function reopen(): Promise<Store> {
      await store.close();
      store = await sut.reopen();
      opened.push(store);
      return store;
    }

    /** What the store holds of a feed, to check that a refused append changed nothing. */
    async function snapshot(station: string) {
      return {
        head: await store.head(station),
        rows: await readAll(store, station),
        feeds: await store.feeds(),
        checkpoints: await store.checkpoints(station),
      };
    }

    describe('migrations', () => {
      it('a new database is migrated to schema version 1 or later', async () => {
        const v = await store.schemaVersion();
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(1);
      });

      it('reopening an existing database keeps its data and its schema version', async () => {
        const version = await store.schemaVersion();
        const chain = new TestChain();
        chain.add(4);
        await store.append(chain.station, chain.rows, chain.checkpoint(5));
        await store.setMeta('k', 'v');
        const s2 = await reopen();
        expect(await s2.schemaVersion()).toBe(version);
        expect(await s2.getMeta('k')).toBe('v');
        expect(await readAll(s2, chain.station)).toEqual(chain.rows);
        expect(await s2.checkpoints(chain.station)).toEqual([chain.checkpoint(5)]);
        // And a third open (migrations run again on an up-to-date database) changes nothing.
        const s3 = await reopen();
        expect(await s3.schemaVersion()).toBe(version);
        expect(await readAll(s3, chain.station)).toEqual(chain.rows);
      });
    });

    describe('meta', () => {
      it('is undefined for a missing key', async () => {
        expect(await store.getMeta('nothing here')).toBeUndefined();
      });

      it('sets, gets and overwrites values, key by key', async () => {
        await store.setMeta('a', '1');
        await store.setMeta('b', 'two');
        expect(await store.getMeta('a')).toBe('1');
        expect(await store.getMeta('b')).toBe('two');
        await store.setMeta('a', 'one — ünïcode ✓');
        expect(await store.getMeta('a')).toBe('one — ünïcode ✓');
        expect(await store.getMeta('b')).toBe('two');
        await store.setMeta('b', '');
        expect(await store.getMeta('b')).toBe('');
        expect(await store.getMeta('c')).toBeUndefined();
      });

      it('lists by prefix in key order and deletes', async () => {
        await store.setMeta('draft.b', '2');
        await store.setMeta('draft.a', '1');
        await store.setMeta('drafty', 'x');
        await store.setMeta('draft', 'bare');
        await store.setMeta('other.draft.c', 'no');
        expect(await store.listMeta('draft.')).toEqual([
          ['draft.a', '1'],
          ['draft.b', '2'],
        ]);
        await store.deleteMeta('draft.a');
        await store.deleteMeta('draft.never');
        expect(await store.listMeta('draft.')).toEqual([['draft.b', '2']]);
        expect(await store.getMeta('draft.a')).toBeUndefined();
        expect(await store.listMeta('nothing.')).toEqual([]);
      });
    });

    describe('append, head and entries', () => {
      it('an unknown feed has no head, no entries, no hashes and no checkpoints', async () => {
        const chain = new TestChain();
        expect(await store.head(chain.station)).toBeNull();
        expect(await store.entries(chain.station, 0, 10)).toEqual([]);
        expect(await store.hashes(chain.station)).toEqual([]);
        expect(await store.checkpoints(chain.station)).toEqual([]);
        expect(await store.latestCheckpoint(chain.station)).toBeNull();
        expect(await store.feeds()).toEqual([]);
      });

      it('stores a batch and returns exactly the rows, in order, page by page', async () => {
        const chain = new TestChain();
        chain.add(3, { channel: 'ops' });
        chain.add(3, { kind: 'receipt' });
        chain.add(4, { channel: 'air-ops' });
        expect(chain.rows).toHaveLength(11);
        await store.append(chain.station, chain.rows);

        expect(await store.head(chain.station)).toEqual({
          seq: 11,
          hash: chain.head.hash,
          ts: chain.head.ts,
        });
        expect(await store.entries(chain.station, 0, 100)).toEqual(chain.rows);

        // Every page, from every starting point, has the exact rows, with the right prev on its
        // first row (the hash of the entry before the page, or 64 zeros at seq 1).
        for (const limit of [1, 2, 3, 5, 11]) {
          for (let after = 0; after <= 11; after++) {
            const page = await store.entries(chain.station, after, limit);
            expect(page).toEqual(chain.rows.slice(after, after + limit));
            if (page.length > 0) {
              expect(page[0]!.prev).toBe(after === 0 ? GENESIS_PREV : chain.rows[after - 1]!.hash);
            }
          }
        }
        expect(await store.entries(chain.station, 11, 5)).toEqual([]);
        expect(await store.entries(chain.station, 50, 5)).toEqual([]);
        verifyRows(chain.station, await readAll(store, chain.station, 4));
      });

      it('stores batch after batch of varying sizes, each continuing the last', async () => {
        const chain = new TestChain();
        await store.append(chain.station, [chain.head]);
        expect((await store.head(chain.station))?.seq).toBe(1);
        for (const n of [1, 7, 2, 30, 1, 13]) {
          const rows = chain.add(n, { channel: n % 2 === 0 ? 'even' : null });
          await store.append(chain.station, rows);
          expect(await store.head(chain.station)).toEqual({
            seq: chain.head.seq,
            hash: chain.head.hash,
            ts: chain.head.ts,
          });
        }
        const stored = await readAll(store, chain.station, 10);
        expect(stored).toEqual(chain.rows);
        expect(stored.map((r) => r.seq)).toEqual(chain.rows.map((_, i) => i + 1));
        verifyRows(chain.station, stored);
      });

      it('an empty batch stores nothing', async () => {
        const chain = new TestChain();
        await store.append(chain.station, []);
        expect(await store.head(chain.station)).toBeNull();
        expect(await store.feeds()).toEqual([]);
      });

      it('a checkpoint given with a batch is stored with it', async () => {
        const chain = new TestChain();
        chain.add(5);
        const cp = chain.checkpoint(6);
        await store.append(chain.station, chain.rows, cp);
        expect(await store.checkpoints(chain.station)).toEqual([cp]);
        expect(await store.latestCheckpoint(chain.station)).toEqual(cp);
        verifyRows(chain.station, await readAll(store, chain.station)).checkCheckpoint(cp);
      });
    });

    describe('atomicity: a batch is stored whole or not at all', () => {
      /**
       * A good batch of 5 (starting with genesis on an empty feed, else continuing the stored
       * head at `stored`) and variants of it whose 3rd row breaks continuity.
       */
      function batches(chain: TestChain, stored: number) {
        const good =
          stored === 0
            ? [chain.rows[0]!, ...chain.fork(1, 4, 'batch')]
            : chain.fork(stored, 5, 'batch');
        const [r0, r1, r2, r3, r4] = good as [
          StoredEntry,
          StoredEntry,
          StoredEntry,
          StoredEntry,
          StoredEntry,
        ];
        // Real entries of another branch: `otherAtR1` has r1's seq, `otherAtR2` has r2's seq
        // but is chained to `otherAtR1`, not to r1.
        const other = stored === 0 ? chain.fork(1, 2, 'other') : chain.fork(stored, 3, 'other');
        const otherAtR2 = other[other.length - 1]!;
        const otherAtR1 = other[other.length - 2]!;
        expect([otherAtR1.seq, otherAtR2.seq]).toEqual([r1.seq, r2.seq]);
        const broken: Record<string, StoredEntry[]> = {
          'wrong seq (a gap inside the batch)': [r0, r1, { ...r2, seq: r2.seq + 1 }, r3, r4],
          'wrong seq (an entry left out)': [r0, r1, r3, r4],
          'wrong prev (a real entry at the right seq, chained to another)': [
            r0,
            r1,
            otherAtR2,
            r3,
            r4,
          ],
          'wrong prev (the prev column of the right entry altered)': [
            r0,
            r1,
            { ...r2, prev: r0.hash },
            r3,
            r4,
          ],
          'duplicate seq (the same row twice)': [r0, r1, r1, r2, r3],
          'duplicate seq (another entry at a seq already in the batch)': [
            r0,
            r1,
            otherAtR1,
            r2,
            r3,
          ],
        };
        return { good, broken };
      }

      for (const start of ['an empty feed', 'an existing feed'] as const) {
        it(`a batch broken at its 3rd row is refused on ${start} and nothing of it is stored`, async () => {
          const chain = new TestChain();
          let stored = 0;
          if (start === 'an existing feed') {
            chain.add(4);
            await store.append(chain.station, chain.rows, chain.checkpoint(5));
            stored = 5;
          }
          const before = await snapshot(chain.station);
          const { good, broken } = batches(chain, stored);
          for (const [what, batch] of Object.entries(broken)) {
            // A checkpoint handed in with the batch must not be stored either.
            const cp = signCheckpoint(
              chain.station,
              stored + batch.length,
              '0'.repeat(64),
              chain.head.ts,
              newSigner(),
            );
            await expect(
              store.append(chain.station, batch, cp),
              `${what} must be refused`,
            ).rejects.toMatchObject({ code: CONFLICT });
            expect(await snapshot(chain.station), `${what} must leave no trace`).toEqual(before);
          }
          // The feed still takes the good batch afterwards.
          await store.append(chain.station, good);
          const expected = stored === 0 ? good : [...chain.rows, ...good];
          const after = await readAll(store, chain.station);
          expect(after).toEqual(expected);
          verifyRows(chain.station, after);
        });
      }

      it('a batch that does not continue the stored head is refused and the feed is unchanged', async () => {
        const chain = new TestChain();
        chain.add(4);
        await store.append(chain.station, chain.rows.slice(0, 3));
        await store.append(chain.station, chain.rows.slice(3, 5), chain.checkpoint(5));
        const before = await snapshot(chain.station);
        expect(before.head?.seq).toBe(5);
        const ahead = chain.fork(5, 4, 'ahead');

        const refused: Record<string, StoredEntry[]> = {
          'a gap (seq 7..9 on a head of 5)': ahead.slice(1),
          'a replay of the last batch': chain.rows.slice(3, 5),
          'a replay of the first batch': chain.rows.slice(0, 3),
          'a replay of the whole feed': chain.rows,
          'a replay of the head entry alone': [chain.head],
          'a fork: same seq as the head, different hash': chain.fork(4, 1, 'fork'),
          'a fork: same seqs as the last batch, different hashes': chain.fork(3, 3, 'fork'),
          'the next seq on a prev that is not the head': [
            { ...ahead[0]!, prev: chain.rows[3]!.hash },
          ],
          'genesis again': [chain.rows[0]!],
        };
        for (const [what, batch] of Object.entries(refused)) {
          await expect(store.append(chain.station, batch), what).rejects.toMatchObject({
            code: CONFLICT,
          });
          expect(await snapshot(chain.station), `${what} must leave no trace`).toEqual(before);
        }
        await store.append(chain.station, ahead);
        expect(await readAll(store, chain.station)).toEqual([...chain.rows, ...ahead]);
      });

      it('a first batch of a new feed must start at seq 1 on 64 zeros', async () => {
        const chain = new TestChain();
        chain.add(3);
        for (const batch of [
          chain.rows.slice(1),
          [{ ...chain.rows[0]!, prev: chain.rows[1]!.hash }],
        ]) {
          await expect(store.append(chain.station, batch)).rejects.toMatchObject({
            code: CONFLICT,
          });
        }
        expect(await store.head(chain.station)).toBeNull();
        expect(await store.feeds()).toEqual([]);
      });
    });

    describe('several feeds in one store', () => {
      it('keeps independent heads and lists feeds in first-stored order with their sizes', async () => {
        // Store them in reverse id order, so first-stored order differs from sorted order.
        const chains = [new TestChain('A'), new TestChain('B'), new TestChain('C')].sort((x, y) =>
          y.station.localeCompare(x.station),
        );
        const [a, b, c] = chains as [TestChain, TestChain, TestChain];
        a.add(2);
        b.add(4);
        await store.append(a.station, a.rows);
        await store.append(b.station, b.rows);
        await store.append(a.station, a.add(2));
        await store.append(c.station, c.rows);

        expect(await store.feeds()).toEqual([
          { station: a.station, size: 5 },
          { station: b.station, size: 5 },
          { station: c.station, size: 1 },
        ]);
        for (const ch of chains) {
          expect(await store.head(ch.station)).toEqual({
            seq: ch.head.seq,
            hash: ch.head.hash,
            ts: ch.head.ts,
          });
          expect(await readAll(store, ch.station)).toEqual(ch.rows);
          verifyRows(ch.station, await readAll(store, ch.station));
        }
        // A's next seq is 6, B's is 6 too: B's continuation must not fit A's head.
        await expect(store.append(a.station, b.fork(5, 1, 'b6'))).rejects.toMatchObject({
          code: CONFLICT,
        });
        await store.append(b.station, b.add(1));
        expect(await store.feeds()).toEqual([
          { station: a.station, size: 5 },
          { station: b.station, size: 6 },
          { station: c.station, size: 1 },
        ]);
        expect(await readAll(store, a.station)).toEqual(a.rows);
      });
    });

    describe('hashes, entriesOfKind, lastOfKind, byKind', () => {
      it('hashes returns the raw 32-byte entry hashes in seq order, up to a size', async () => {
        const chain = new TestChain();
        chain.add(20);
        await store.append(chain.station, chain.rows);
        const all = await store.hashes(chain.station);
        expect(all).toHaveLength(21);
        for (const h of all) {
          expect(h).toBeInstanceOf(Uint8Array);
          expect(h.length).toBe(32);
        }
        expect(all.map((h) => toHex(h))).toEqual(chain.rows.map((r) => r.hash));
        expect((await store.hashes(chain.station, 7)).map((h) => toHex(h))).toEqual(
          chain.rows.slice(0, 7).map((r) => r.hash),
        );
        expect(await store.hashes(chain.station, 0)).toEqual([]);
        expect((await store.hashes(chain.station, 1000)).map((h) => toHex(h))).toEqual(
          chain.rows.map((r) => r.hash),
        );
        // What a Merkle tree is rebuilt from: it must give the checkpoint's root.
        const cp = chain.checkpoint(21);
        expect(toHex(MerkleTree.fromLeafHashes([]).root())).not.toBe(cp.root);
        const tree = new MerkleTree();
        for (const h of all) tree.appendLeaf(h);
        expect(toHex(tree.root())).toBe(cp.root);
      });

      it('entriesOfKind returns the rows of the given kinds, with prev, in seq order', async () => {
        const chain = new TestChain();
        chain.add(3);
        chain.rotate(newSigner());
        chain.add(2, { kind: 'receipt' });
        chain.rotate(newSigner());
        chain.add(2);
        await store.append(chain.station, chain.rows);
        verifyRows(chain.station, await readAll(store, chain.station));

        expect(await store.entriesOfKind(chain.station, [KIND.genesis, KIND.keyRotation])).toEqual(
          chain.rows.filter((r) => r.kind === KIND.genesis || r.kind === KIND.keyRotation),
        );
        expect(await store.entriesOfKind(chain.station, ['receipt'])).toEqual(
          chain.rows.filter((r) => r.kind === 'receipt'),
        );
        expect(await store.entriesOfKind(chain.station, ['nothing-of-this'])).toEqual([]);
        expect(await store.entriesOfKind(chain.station, [])).toEqual([]);
        expect(await store.entriesOfKind(new TestChain().station, [KIND.genesis])).toEqual([]);
      });

      it('lastOfKind returns the last row of a kind, or null', async () => {
        const chain = new TestChain();
        chain.add(3);
        chain.add(1, { kind: 'receipt' });
        chain.add(2);
        await store.append(chain.station, chain.rows);
        expect(await store.lastOfKind(chain.station, KIND.message)).toEqual(chain.rows[6]);
        expect(await store.lastOfKind(chain.station, 'receipt')).toEqual(chain.rows[4]);
        expect(await store.lastOfKind(chain.station, KIND.genesis)).toEqual(chain.rows[0]);
        expect(await store.lastOfKind(chain.station, KIND.keyRotation)).toBeNull();
      });

      it('byKind lists one kind across feeds by time, then station, then seq', async () => {
        const t0 = 1_800_000_000_000;
        const a = new TestChain('A', t0);
        const b = new TestChain('B', t0);
        a.add(4, { channel: 'ops', ts: (seq) => t0 + Math.floor(seq / 2) });
        a.add(1, { kind: 'receipt' });
        b.add(3, { channel: 'air', ts: (seq) => t0 + seq - 1 });
        b.add(1, { channel: 'ops' });
        await store.append(a.station, a.rows);
        await store.append(b.station, b.rows);

        const expected = [
          ...a.rows.map((r) => ({ ...r, station: a.station as string })),
          ...b.rows.map((r) => ({ ...r, station: b.station as string })),
        ]
          .filter((r) => r.kind === KIND.message)
          .sort((x, y) => x.ts - y.ts || x.station.localeCompare(y.station) || x.seq - y.seq);
        expect(expected).toHaveLength(8);
        expect(await store.byKind(KIND.message)).toEqual(expected);
        expect(await store.byKind(KIND.message, { limit: 3 })).toEqual(expected.slice(0, 3));
        expect(await store.byKind(KIND.message, { channel: 'ops' })).toEqual(
          expected.filter((r) => r.channel === 'ops'),
        );
        expect(await store.byKind('receipt')).toEqual([{ ...a.rows[5]!, station: a.station }]);
        expect(await store.byKind('no-such-kind')).toEqual([]);
      });
    });

    describe('checkpoints', () => {
      it('adding the same checkpoint twice is harmless', async () => {
        const chain = new TestChain();
        chain.add(4);
        await store.append(chain.station, chain.rows);
        const cp = chain.checkpoint(5);
        await store.addCheckpoint(cp);
        await store.addCheckpoint(cp);
        await store.addCheckpoint({ ...cp });
        expect(await store.checkpoints(chain.station)).toEqual([cp]);
        expect(await store.latestCheckpoint(chain.station)).toEqual(cp);
      });

      it('lists a feed’s checkpoints by size then time; latestCheckpoint is the last of them', async () => {
        const chain = new TestChain();
        chain.add(9);
        await store.append(chain.station, chain.rows);
        const other = new TestChain();
        await store.append(other.station, other.rows);
        const t = chain.head.ts;
        const cps = [
          chain.checkpoint(5, t + 200),
          chain.checkpoint(3, t + 300),
          chain.checkpoint(10, t + 50),
          chain.checkpoint(5, t + 100),
          chain.checkpoint(3, t + 100),
        ];
        for (const cp of cps) await store.addCheckpoint(cp);
        await store.addCheckpoint(other.checkpoint(1, t + 1000));

        const listed = await store.checkpoints(chain.station);
        expect(listed.map((c) => [c.size, c.ts])).toEqual([
          [3, t + 100],
          [3, t + 300],
          [5, t + 100],
          [5, t + 200],
          [10, t + 50],
        ]);
        expect(listed).toEqual([cps[4], cps[1], cps[3], cps[0], cps[2]]);
        expect(await store.latestCheckpoint(chain.station)).toEqual(cps[2]);
        expect(await store.checkpoints(other.station)).toEqual([other.checkpoint(1, t + 1000)]);

        const v = verifyRows(chain.station, await readAll(store, chain.station));
        for (const cp of listed) v.checkCheckpoint(cp);
        // Two checkpoints of the same size: the later one is the latest.
        await store.addCheckpoint(chain.checkpoint(10, t + 60));
        expect(await store.latestCheckpoint(chain.station)).toEqual(chain.checkpoint(10, t + 60));
      });
    });

    describe('peers and tokens', () => {
      const peer = (name: string, station: string, added: number): PeerRecord => ({
        name,
        station,
        key: newSigner().publicKey,
        urls: [`https://${name}.example:8443`, `http://10.0.0.${added}:8080`],
        tlsCert:
          added % 2 === 0 ? null : '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        added,
      });

      it('keeps peers in the order added and refuses a taken name or station', async () => {
        const s1 = new TestChain().station;
        const s2 = new TestChain().station;
        const p1 = peer('north', s1, 1);
        const p2 = peer('south', s2, 2);
        await store.addPeer(p1);
        await store.addPeer(p2);
        expect(await store.peers()).toEqual([p1, p2]);
        await expect(
          store.addPeer(peer('north', new TestChain().station, 3)),
        ).rejects.toMatchObject({ code: 'PARLEY_E_PEER_EXISTS' });
        await expect(store.addPeer(peer('west', s2, 3))).rejects.toMatchObject({
          code: 'PARLEY_E_PEER_EXISTS',
        });
        expect(await store.peers()).toEqual([p1, p2]);
      });

      it('finds a token by its hash only', async () => {
        const tok = { hash: 'a'.repeat(64), role: 'operator', label: 'watch officer', created: 5 };
        await store.addToken(tok);
        expect(await store.tokenByHash('a'.repeat(64))).toEqual({
          ...tok,
          expires: null,
          revoked: null,
        });
        expect(await store.tokenByHash('b'.repeat(64))).toBeNull();
      });

      it('lists tokens, keeps an expiry, and revokes a token once (schema 5)', async () => {
        const t1 = { hash: 'c'.repeat(64), role: 'viewer', label: 'wall', created: 7, expires: 99 };
        await store.addToken(t1);
        expect((await store.tokens()).find((t) => t.hash === t1.hash)).toEqual({
          ...t1,
          revoked: null,
        });
        expect(await store.revokeToken(t1.hash, 50)).toBe(true);
        expect(await store.revokeToken(t1.hash, 60)).toBe(false);
        expect(await store.revokeToken('d'.repeat(64), 60)).toBe(false);
        expect((await store.tokenByHash(t1.hash))!.revoked).toBe(50);
      });
    });

    describe('idempotency keys (schema 5)', () => {
      const claim = (key: string, fingerprint: string, now: number) => ({
        owner: 'olga',
        key,
        fingerprint,
        now,
        expires: now + 1000,
        staleMs: 100,
      });

      it('claims a key once, stores its response, and answers retries with it until it expires', async () => {
        expect(await store.claimIdempotency(claim('k1', 'f1', 10))).toEqual({ state: 'claimed' });
        expect(await store.claimIdempotency(claim('k1', 'f1', 20))).toEqual({
          state: 'in-flight',
          fingerprint: 'f1',
        });
        // Another owner's key of the same name is its own.
        expect(await store.claimIdempotency({ ...claim('k1', 'f9', 20), owner: 'paul' })).toEqual({
          state: 'claimed',
        });
        await store.finishIdempotency('olga', 'k1', { status: 201, body: '{"id":"x"}' });
        expect(await store.claimIdempotency(claim('k1', 'f2', 30))).toEqual({
          state: 'done',
          fingerprint: 'f1',
          status: 201,
          response: '{"id":"x"}',
        });
        // Expired: the key may be used afresh.
        expect(await store.claimIdempotency(claim('k1', 'f3', 2000))).toEqual({ state: 'claimed' });
        expect(await store.deleteExpiredIdempotency(10_000)).toBeGreaterThanOrEqual(1);
      });

      it('a released or abandoned claim may be taken again', async () => {
        expect(await store.claimIdempotency(claim('k2', 'f1', 10))).toEqual({ state: 'claimed' });
        await store.finishIdempotency('olga', 'k2', null);
        expect(await store.claimIdempotency(claim('k2', 'f1', 11))).toEqual({ state: 'claimed' });
        // Still in flight after staleMs: its process is taken as dead.
        expect(await store.claimIdempotency(claim('k2', 'f1', 500))).toEqual({ state: 'claimed' });
      });
    });

    // --- Operators (schema version 3): users, sessions, audit log ---------------------------
    describe('operators: users, sessions, audit log', () => {
      const user = (name: string, extra: Partial<UserRecord> = {}): UserRecord => ({
        name,
        role: 'operator',
        channels: ['ops', 'theater-ops'],
        passwordHash: `scrypt$32768$8$1$${name}salt$${name}hash`,
        created: 1_700_000_000_000,
        disabled: false,
        ...extra,
      });

      /** Re-verifies a chain the way any holder of the rows can. */
      const chainValid = (records: AuditRecord[]): boolean => {
        let prev = AUDIT_GENESIS;
        for (const [i, r] of records.entries()) {
          if (r.seq !== i + 1 || r.prev !== prev || r.hash !== auditHash(prev, r)) return false;
          prev = r.hash;
        }
        return true;
      };

      it('keeps users by name, with role, channels, hash and disabled flag; refuses a taken name', async () => {
        const u1 = user('watch.officer');
        const u2 = user('admin', { role: 'admin', channels: '*' });
        await store.addUser(u1);
        await store.addUser(u2);
        expect(await store.user('watch.officer')).toEqual(u1);
        expect(await store.user('admin')).toEqual(u2);
        expect(await store.user('nobody')).toBeNull();
        expect(await store.users()).toEqual([u2, u1]);
        await expect(store.addUser(user('admin', { role: 'viewer' }))).rejects.toMatchObject({
          code: 'PARLEY_E_USER_EXISTS',
        });
        expect(await store.user('admin')).toEqual(u2);
      });

      it('updates a user in place and reports an unknown one', async () => {
        await store.addUser(user('linguist'));
        expect(
          await store.updateUser('linguist', {
            role: 'linguist',
            channels: '*',
            passwordHash: 'scrypt$new',
            disabled: true,
          }),
        ).toBe(true);
        expect(await store.user('linguist')).toEqual(
          user('linguist', {
            role: 'linguist',
            channels: '*',
            passwordHash: 'scrypt$new',
            disabled: true,
          }),
        );
        expect(await store.updateUser('linguist', { disabled: false })).toBe(true);
        expect((await store.user('linguist'))!.disabled).toBe(false);
        expect(await store.updateUser('nobody', { role: 'admin' })).toBe(false);
        expect(await store.updateUser('nobody', {})).toBe(false);
      });

      it('finds sessions by hash, deletes them one by one, per user and when expired', async () => {
        await store.addUser(user('a'));
        await store.addUser(user('b'));
        const s = (hash: string, u: string, expires: number) => ({
          hash: hash.repeat(64),
          user: u,
          csrf: `csrf-${hash}`,
          created: 1000,
          expires,
        });
        for (const x of [
          s('1', 'a', 5000),
          s('2', 'a', 9000),
          s('3', 'b', 5000),
          s('4', 'b', 9000),
        ])
          await store.addSession(x);
        expect(await store.sessionByHash('1'.repeat(64))).toEqual(s('1', 'a', 5000));
        expect(await store.sessionByHash('f'.repeat(64))).toBeNull();
        await store.deleteSession('1'.repeat(64));
        expect(await store.sessionByHash('1'.repeat(64))).toBeNull();
        expect(await store.deleteExpiredSessions(5000)).toBe(1); // '3' expires at 5000
        expect(await store.sessionByHash('3'.repeat(64))).toBeNull();
        expect(await store.deleteSessionsOf('a')).toBe(1);
        expect(await store.sessionByHash('2'.repeat(64))).toBeNull();
        expect(await store.sessionByHash('4'.repeat(64))).toEqual(s('4', 'b', 9000));
      });

      it('appends audit records in a hash chain that re-verifies, and queries them', async () => {
        const made: AuditRecord[] = [];
        for (let i = 0; i < 12; i++) {
          made.push(
            await store.appendAudit({
              ts: 1000 + i,
              actor: i % 3 === 0 ? 'admin' : 'watch.officer',
              action: i % 2 === 0 ? 'send' : 'login',
              detail: { i, route: '/api/v1/messages', text: '中文 ✓', nested: { a: [1, null] } },
            }),
          );
        }
        expect(made[0]).toMatchObject({ seq: 1, prev: AUDIT_GENESIS });
        expect(made[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(made[5]!.prev).toBe(made[4]!.hash);
        const all = await store.audit();
        expect(all).toEqual(made);
        expect(chainValid(all)).toBe(true);
        expect(await store.audit({ after: 10 })).toEqual(made.slice(10));
        expect(await store.audit({ after: 2, limit: 3 })).toEqual(made.slice(2, 5));
        expect((await store.audit({ actor: 'admin' })).map((r) => r.seq)).toEqual([1, 4, 7, 10]);
        expect((await store.audit({ action: 'login', actor: 'admin' })).map((r) => r.seq)).toEqual([
          4, 10,
        ]);
        expect(await store.audit({ actor: 'nobody' })).toEqual([]);
        // Any change to a record breaks its link.
        expect(chainValid([made[0]!, { ...made[1]!, detail: { i: 99 } }])).toBe(false);
        expect(chainValid([made[0]!, { ...made[1]!, actor: 'someone else' }])).toBe(false);
        expect(chainValid([made[0]!, made[2]!])).toBe(false);
      });

      it('concurrent audit appends make one continuous chain', async () => {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.appendAudit({ ts: i, actor: `op${i % 7}`, action: 'send', detail: { i } }),
          ),
        );
        const all = await store.audit();
        expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
        expect(chainValid(all)).toBe(true);
      });

      it('users, sessions and the audit chain survive close and reopen', async () => {
        const u = user('durable', { channels: '*' });
        await store.addUser(u);
        const sess = { hash: 'e'.repeat(64), user: 'durable', csrf: 'c', created: 1, expires: 2 };
        await store.addSession(sess);
        const r1 = await store.appendAudit({
          ts: 1,
          actor: 'durable',
          action: 'login',
          detail: {},
        });
        const s2 = await reopen();
        expect(await s2.user('durable')).toEqual(u);
        expect(await s2.sessionByHash('e'.repeat(64))).toEqual(sess);
        const r2 = await s2.appendAudit({ ts: 2, actor: 'durable', action: 'logout', detail: {} });
        expect(r2.prev).toBe(r1.hash);
        expect(chainValid(await s2.audit())).toBe(true);
      });

      it('stores the anchor of an audit record in its transaction, for the seq and hash it got (schema 5)', async () => {
        const seen: [number, string][] = [];
        const r = await store.appendAudit(
          { ts: 3, actor: 'anchored', action: 'send', detail: {} },
          (seq, hash) => {
            seen.push([seq, hash]);
            return { seq, hash, key: 'K', sig: `sig-${seq}` };
          },
        );
        expect(seen).toEqual([[r.seq, r.hash]]);
        const anchors = await store.auditAnchors({ after: r.seq - 1 });
        expect(anchors).toEqual([{ seq: r.seq, hash: r.hash, key: 'K', sig: `sig-${r.seq}` }]);
        // An anchor that throws leaves no record behind.
        const before = (await store.audit()).length;
        await expect(
          store.appendAudit({ ts: 4, actor: 'x', action: 'send', detail: {} }, () => {
            throw new Error('no key');
          }),
        ).rejects.toThrow('no key');
        expect((await store.audit()).length).toBe(before);
      });
    });
    // --- end operators -------------------------------------------------------------------

    describe('durability', () => {
      it('everything written is there after close and reopen', async () => {
        const a = new TestChain('A');
        const b = new TestChain('B');
        a.add(30, { channel: 'ops' });
        b.add(5);
        await store.append(a.station, a.rows.slice(0, 10));
        await store.append(a.station, a.rows.slice(10), a.checkpoint(31));
        await store.append(b.station, b.rows);
        await store.addCheckpoint(b.checkpoint(4));
        await store.setMeta('station', a.station);
        const p = {
          name: 'peer',
          station: b.station,
          key: b.currentKey,
          urls: ['https://peer.example'],
          tlsCert: null,
          added: 1,
        };
        await store.addPeer(p);
        const version = await store.schemaVersion();

        const s2 = await reopen();
        expect(await s2.schemaVersion()).toBe(version);
        expect(await s2.getMeta('station')).toBe(a.station);
        expect(await s2.feeds()).toEqual([
          { station: a.station, size: 31 },
          { station: b.station, size: 6 },
        ]);
        expect(await readAll(s2, a.station)).toEqual(a.rows);
        expect(await readAll(s2, b.station)).toEqual(b.rows);
        expect(await s2.checkpoints(a.station)).toEqual([a.checkpoint(31)]);
        expect(await s2.checkpoints(b.station)).toEqual([b.checkpoint(4)]);
        expect(await s2.peers()).toEqual([p]);
        verifyRows(a.station, await readAll(s2, a.station)).checkCheckpoint(a.checkpoint(31));
        // The reopened store continues the feed at its head.
        await s2.append(a.station, a.add(2));
        expect((await s2.head(a.station))?.seq).toBe(33);
      });

      it('a closed store refuses every call with PARLEY_E_STORE_CLOSED; closing twice is harmless', async () => {
        const chain = new TestChain();
        await store.append(chain.station, chain.rows);
        await store.close();
        await store.close();
        const s = store;
        const calls: Record<string, () => Promise<unknown>> = {
          schemaVersion: () => s.schemaVersion(),
          getMeta: () => s.getMeta('k'),
          setMeta: () => s.setMeta('k', 'v'),
          listMeta: () => s.listMeta('k'),
          deleteMeta: () => s.deleteMeta('k'),
          head: () => s.head(chain.station),
          append: () => s.append(chain.station, chain.add(1)),
          entries: () => s.entries(chain.station, 0, 10),
          hashes: () => s.hashes(chain.station),
          entriesOfKind: () => s.entriesOfKind(chain.station, [KIND.genesis]),
          lastOfKind: () => s.lastOfKind(chain.station, KIND.genesis),
          byKind: () => s.byKind(KIND.genesis),
          feeds: () => s.feeds(),
          addCheckpoint: () => s.addCheckpoint(chain.checkpoint(1)),
          checkpoints: () => s.checkpoints(chain.station),
          latestCheckpoint: () => s.latestCheckpoint(chain.station),
          peers: () => s.peers(),
          addPeer: () =>
            s.addPeer({
              name: 'x',
              station: chain.station,
              key: chain.currentKey,
              urls: [],
              tlsCert: null,
              added: 1,
            }),
          addToken: () => s.addToken({ hash: 'h', role: 'r', label: 'l', created: 1 }),
          tokenByHash: () => s.tokenByHash('h'),
          appendAtHead: () =>
            s.appendAtHead(chain.station, async () => ({ entries: chain.add(1) })),
          acquireLease: () => s.acquireLease('lead', 'x', 1000),
          releaseLease: () => s.releaseLease({ name: 'lead', holder: 'x', token: 1, expires: 0 }),
          lease: () => s.lease('lead'),
        };
        for (const [what, call] of Object.entries(calls)) {
          await expect(call(), what).rejects.toMatchObject({ code: CLOSED });
        }
        // Nothing of the refused calls reached the database.
        const s2 = await reopen();
        expect(await readAll(s2, chain.station)).toEqual(chain.rows.slice(0, 1));
        expect(await s2.getMeta('k')).toBeUndefined();
      });
    });

    describe('appendAtHead and onAppend', () => {
      it('build is shown the stored head and its batch is stored; null stores nothing', async () => {
        const chain = new TestChain();
        chain.add(2);
        const seen: (number | null)[] = [];
        await store.appendAtHead(chain.station, async (head) => {
          seen.push(head?.seq ?? null);
          return { entries: chain.rows, checkpoint: chain.checkpoint(3) };
        });
        await store.appendAtHead(chain.station, async (head) => {
          seen.push(head?.seq ?? null);
          return null;
        });
        const more = chain.add(3);
        await store.appendAtHead(chain.station, async (head) => {
          seen.push(head?.seq ?? null);
          expect(head).toEqual({ seq: 3, hash: chain.rows[2]!.hash, ts: chain.rows[2]!.ts });
          return { entries: more };
        });
        expect(seen).toEqual([null, 3, 3]);
        expect(await readAll(store, chain.station)).toEqual(chain.rows);
        expect(await store.checkpoints(chain.station)).toEqual([chain.checkpoint(3)]);
        verifyRows(chain.station, await readAll(store, chain.station));
      });

      it('a batch from build that does not continue the head is refused whole; an error in build stores nothing', async () => {
        const chain = new TestChain();
        chain.add(3);
        await store.append(chain.station, chain.rows);
        const before = await snapshot(chain.station);
        await expect(
          store.appendAtHead(chain.station, async () => ({ entries: chain.fork(2, 2, 'stale') })),
        ).rejects.toMatchObject({ code: CONFLICT });
        await expect(
          store.appendAtHead(chain.station, async () => {
            throw new Error('sealing failed');
          }),
        ).rejects.toThrow('sealing failed');
        expect(await snapshot(chain.station)).toEqual(before);
      });

      it('onAppend hears of appends with the station, until unsubscribed', async () => {
        const a = new TestChain('A');
        const heard: string[] = [];
        const off = store.onAppend((s) => heard.push(s));
        await store.append(a.station, a.rows);
        await store.appendAtHead(a.station, async () => ({ entries: a.add(1) }));
        await waitUntil(() => heard.filter((s) => s === a.station).length >= 2);
        off();
        const n = heard.length;
        await store.append(a.station, a.add(1));
        await new Promise((r) => setTimeout(r, 100));
        expect(heard.length).toBe(n);
      });
    });

    describe('leases and fencing', () => {
      it('one holder at a time; renewal keeps the token; a lapsed or released lease passes on with a greater token', async () => {
        expect(await store.lease('lead')).toBeNull();
        const a1 = await store.acquireLease('lead', 'a', 10_000);
        expect(a1).toMatchObject({ name: 'lead', holder: 'a' });
        expect(a1!.token).toBeGreaterThan(0);
        expect(await store.acquireLease('lead', 'b', 10_000)).toBeNull();
        const a2 = await store.acquireLease('lead', 'a', 20_000);
        expect(a2!.token).toBe(a1!.token);
        expect(a2!.expires).toBeGreaterThan(a1!.expires);
        expect(await store.lease('lead')).toEqual(a2);
        // Another lease name is independent.
        expect(await store.acquireLease('other', 'b', 10_000)).toMatchObject({ holder: 'b' });

        await store.releaseLease(a2!);
        const b1 = await store.acquireLease('lead', 'b', 150);
        expect(b1).toMatchObject({ holder: 'b' });
        expect(b1!.token).toBeGreaterThan(a2!.token);
        expect(await store.acquireLease('lead', 'a', 10_000)).toBeNull();
        // b lets it lapse: a takes it after the lapse, with a greater token again.
        await new Promise((r) => setTimeout(r, 250));
        const a3 = await store.acquireLease('lead', 'a', 10_000);
        expect(a3!.token).toBeGreaterThan(b1!.token);
        // Releasing with a stale token changes nothing.
        await store.releaseLease(b1!);
        expect(await store.acquireLease('lead', 'b', 10_000)).toBeNull();
      });

      it('a fenced append is stored only while its lease is live, and a stale fence stores nothing', async () => {
        const chain = new TestChain();
        const a = (await store.acquireLease('lead', 'a', 10_000))!;
        await store.append(chain.station, chain.rows, undefined, { fence: a });
        await store.appendAtHead(chain.station, async () => ({ entries: chain.add(2) }), {
          fence: a,
        });
        await store.releaseLease(a);
        const b = (await store.acquireLease('lead', 'b', 10_000))!;
        const before = await snapshot(chain.station);
        const next = chain.fork(3, 2, 'stale leader');
        await expect(
          store.append(chain.station, next, chain.checkpoint(3), { fence: a }),
        ).rejects.toMatchObject({ code: 'PARLEY_E_LEASE_LOST' });
        await expect(
          store.appendAtHead(chain.station, async () => ({ entries: next }), { fence: a }),
        ).rejects.toMatchObject({ code: 'PARLEY_E_LEASE_LOST' });
        await expect(
          store.append(chain.station, [], chain.checkpoint(3), { fence: a }),
        ).rejects.toMatchObject({ code: 'PARLEY_E_LEASE_LOST' });
        expect(await snapshot(chain.station)).toEqual(before);
        // The new holder's fence passes; unfenced appends are not affected by leases.
        await store.append(chain.station, next, undefined, { fence: b });
        chain.rows.push(...next);
        await store.append(chain.station, chain.add(1));
        expect((await store.head(chain.station))?.seq).toBe(6);
      });

      it('a lease that lapsed still fences for its holder until another takes it over', async () => {
        const chain = new TestChain();
        const a = (await store.acquireLease('lead', 'a', 100))!;
        await new Promise((r) => setTimeout(r, 200));
        // Lapsed, nobody took it: the holder is still the only leader, and its write goes in.
        await store.append(chain.station, chain.rows, undefined, { fence: a });
        // Renewing a lapsed lease nobody took keeps its token.
        const again = (await store.acquireLease('lead', 'a', 100))!;
        expect(again.token).toBe(a.token);
        await new Promise((r) => setTimeout(r, 200));
        const b = (await store.acquireLease('lead', 'b', 10_000))!;
        expect(b.token).toBeGreaterThan(a.token);
        await expect(
          store.append(chain.station, chain.add(1), undefined, { fence: a }),
        ).rejects.toMatchObject({ code: 'PARLEY_E_LEASE_LOST' });
        expect((await store.head(chain.station))?.seq).toBe(1);
      });
    });

    describe('concurrency', () => {
      it('two appends racing for the same next seq: exactly one wins, the other conflicts', async () => {
        const chain = new TestChain();
        chain.add(2);
        await store.append(chain.station, chain.rows);
        for (let round = 0; round < 20; round++) {
          const at = chain.head.seq;
          const x = chain.fork(at, 1 + (round % 3), `x${round}`);
          const y = chain.fork(at, 1 + ((round + 1) % 3), `y${round}`);
          const settled = await Promise.allSettled([
            store.append(chain.station, x),
            store.append(chain.station, y),
          ]);
          const won = settled.filter((r) => r.status === 'fulfilled');
          const lost = settled.filter((r) => r.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: CONFLICT });
          const winner = settled[0]!.status === 'fulfilled' ? x : y;
          chain.rows.push(...winner);
          expect(await store.head(chain.station)).toEqual({
            seq: chain.head.seq,
            hash: chain.head.hash,
            ts: chain.head.ts,
          });
        }
        const stored = await readAll(store, chain.station);
        expect(stored).toEqual(chain.rows);
        verifyRows(chain.station, stored);
      });

      it('eight appends racing for the same seq: one wins, seven conflict', async () => {
        const chain = new TestChain();
        await store.append(chain.station, chain.rows);
        const forks = Array.from({ length: 8 }, (_, i) => chain.fork(1, 1 + (i % 4), `r${i}`));
        const settled = await Promise.allSettled(forks.map((f) => store.append(chain.station, f)));
        const winners = settled.flatMap((r, i) => (r.status === 'fulfilled' ? [forks[i]!] : []));
        expect(winners).toHaveLength(1);
        for (const r of settled)
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: CONFLICT });
        const stored = await readAll(store, chain.station);
        expect(stored).toEqual([...chain.rows, ...winners[0]!]);
        verifyRows(chain.station, stored);
      });
    });

    describe('FeedWriter on top of the store', () => {
      it('500 concurrent appends make a gap-free feed that verifies, and a checkpoint over it', async () => {
        const { writer, station } = await writerWithGenesis(store);
        const sealed = await Promise.all(
          Array.from({ length: 500 }, (_, i) =>
            writer.append(draft(`message ${i}`, i % 3 === 0 ? 'ops' : undefined)),
          ),
        );
        expect(writer.size).toBe(501);
        expect(sealed.map((s) => s.entry.seq).sort((x, y) => x - y)).toEqual(
          Array.from({ length: 500 }, (_, i) => i + 2),
        );
        // Appends are numbered in the order they were made.
        expect(sealed.map((s) => s.entry.body.text)).toEqual(
          Array.from({ length: 500 }, (_, i) => `message ${i}`),
        );

        const stored = await readAll(store, station, 128);
        expect(stored).toHaveLength(501);
        expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 501 }, (_, i) => i + 1));
        for (const s of sealed) expect(stored[s.entry.seq - 1]!.line).toBe(s.line);
        const v = verifyRows(station, stored);
        expect(v.size).toBe(501);
        expect(await store.head(station)).toMatchObject({ seq: 501, hash: writer.head });

        const cp = await writer.checkpoint();
        expect(cp.size).toBe(501);
        v.checkCheckpoint(cp);
        expect(await store.latestCheckpoint(station)).toEqual(cp);
        // Every commit stored a checkpoint over its new head; all of them check.
        const cps = await store.checkpoints(station);
        expect(cps.length).toBeGreaterThanOrEqual(2);
        for (const c of cps) v.checkCheckpoint(c);
        // Group commit: 500 appends made in one tick do not take 500 transactions.
        expect(cps.length).toBeLessThan(50);

        // A writer reopened on the store resumes at the stored head.
        const again = await FeedWriter.open(store, station, writer.currentSigner);
        expect(again.size).toBe(501);
        expect(again.head).toBe(writer.head);
        const next = await again.append(draft('after reopen'));
        expect(next.entry.seq).toBe(502);
        const v2 = verifyRows(station, await readAll(store, station));
        v2.checkCheckpoint(await again.checkpoint());
      });

      it('an append that cannot be canonicalised fails alone; the rest of the tick is stored gap-free', async () => {
        const { writer, station } = await writerWithGenesis(store);
        const settled = await Promise.allSettled([
          writer.append(draft('one')),
          writer.append({ kind: KIND.message, body: { text: 'bad', x: NaN } }),
          writer.append(draft('two')),
          writer.appendMany([draft('three'), { kind: KIND.message, body: { y: [1, Infinity] } }]),
          writer.append(draft('four')),
          writer.appendMany([draft('five'), draft('six')]),
          writer.append({ kind: KIND.message, body: { z: Number.NaN } }),
          writer.append(draft('seven')),
        ]);
        expect(settled.map((r) => r.status)).toEqual([
          'fulfilled',
          'rejected',
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
        ]);
        for (const r of settled)
          if (r.status === 'rejected')
            expect(r.reason).toMatchObject({ code: 'PARLEY_E_CANONICAL_JSON' });

        const stored = await readAll(store, station);
        const v = verifyRows(station, stored);
        expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        // appendMany is all or nothing: 'three' went down with its bad neighbour.
        expect(stored.slice(1).map((r) => parseEntryLine(r.line).body.text)).toEqual([
          'one',
          'two',
          'four',
          'five',
          'six',
          'seven',
        ]);
        expect(writer.size).toBe(7);
        expect(writer.head).toBe(stored[6]!.hash);
        for (const c of await store.checkpoints(station)) v.checkCheckpoint(c);
        v.checkCheckpoint(await writer.checkpoint());
        // The writer goes on normally.
        await writer.append(draft('eight'));
        verifyRows(station, await readAll(store, station));
      });

      it('after rotateKey, entries are signed by the new key and the whole feed verifies', async () => {
        const { writer, station, signer } = await writerWithGenesis(store);
        await Promise.all([writer.append(draft('a')), writer.append(draft('b'))]);
        const next = newSigner();
        const [, , rotation, c, d] = await Promise.all([
          writer.append(draft('a2')),
          writer.append(draft('b2')),
          writer.rotateKey(next),
          writer.append(draft('c')),
          writer.append(draft('d')),
        ]);
        expect(rotation.entry.kind).toBe(KIND.keyRotation);
        expect(rotation.entry.seq).toBe(6);
        expect(rotation.entry.body.next).toBe(next.publicKey);
        expect(writer.publicKey).toBe(next.publicKey);
        expect([c.entry.seq, d.entry.seq]).toEqual([7, 8]);
        for (const s of [c, d]) {
          const sig = fromBase64Url(s.entry.sig)!;
          expect(verifySignature(next.publicKey, signingBytes(s.entry), sig)).toBe(true);
          expect(verifySignature(signer.publicKey, signingBytes(s.entry), sig)).toBe(false);
        }
        // The rotation entry itself is signed by the old key.
        expect(
          verifySignature(
            signer.publicKey,
            signingBytes(rotation.entry),
            fromBase64Url(rotation.entry.sig)!,
          ),
        ).toBe(true);

        await writer.append(draft('e'));
        const stored = await readAll(store, station);
        const v = verifyRows(station, stored);
        expect(v.size).toBe(9);
        expect(v.keys).toEqual([
          { key: signer.publicKey, from: 1, to: 6 },
          { key: next.publicKey, from: 7, to: null },
        ]);
        const cp = await writer.checkpoint();
        expect(verifyCheckpointSignature(cp, next.publicKey)).toBe(true);
        v.checkCheckpoint(cp);
        for (const c2 of await store.checkpoints(station)) v.checkCheckpoint(c2);

        // After a restart the writer must be given the new key, and continues with it.
        const s2 = await reopen();
        const again = await FeedWriter.open(s2, station, next);
        await again.append(draft('f'));
        const v2 = verifyRows(station, await readAll(s2, station));
        expect(v2.size).toBe(10);
        v2.checkCheckpoint(await again.checkpoint());
      });
    });
  });
}
