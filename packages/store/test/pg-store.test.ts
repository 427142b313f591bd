import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { KIND, parseEntryLine, stationIdFromKey } from '@parley/ledger';
import type { Signer } from '@parley/ledger';
import {
  FeedWriter,
  IDLE_IN_TRANSACTION_MS,
  PG_MIGRATIONS,
  PgStore,
  SQLITE_MIGRATIONS,
} from '@parley/store';
import {
  newSigner,
  readAll,
  runStoreContract,
  TestChain,
  verifyRows,
  waitUntil,
} from './store-contract.js';
import { freshDatabase, stopTestServer } from './pg-helper.js';

afterAll(stopTestServer);

runStoreContract('PgStore', async () => {
  const db = await freshDatabase('parley_contract');
  return {
    store: await PgStore.open(db.url),
    reopen: () => PgStore.open(db.url),
    cleanup: db.drop,
  };
});

describe('PgStore specifics', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  /** `n` stores on one new database, each with its own pool: as `n` processes would be. */
  async function stores(n: number): Promise<{ url: string; all: PgStore[] }> {
    const db = await freshDatabase('parley_pg');
    cleanup.push(db.drop);
    const all: PgStore[] = [];
    for (let i = 0; i < n; i++) {
      const s = await PgStore.open(db.url);
      cleanup.push(() => s.close());
      all.push(s);
    }
    return { url: db.url, all };
  }

  it('has the same migration versions and names as the SQLite store', () => {
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(
      SQLITE_MIGRATIONS.map((m) => [m.version, m.name]),
    );
  });

  it('processes opening one new database together migrate it once', async () => {
    const { url } = await stores(0);
    const opened = await Promise.all(Array.from({ length: 4 }, () => PgStore.open(url)));
    for (const s of opened) cleanup.push(() => s.close());
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = (await c.query('SELECT version, name FROM schema_migrations ORDER BY version'))
      .rows;
    await c.end();
    expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('an append in one process is heard in another (LISTEN/NOTIFY)', async () => {
    const { all } = await stores(2);
    const [a, b] = all as [PgStore, PgStore];
    const heard: string[] = [];
    b.onAppend((s) => heard.push(s));
    const chain = new TestChain();
    await waitUntil(() => heard.includes('*')); // the listener is up
    await a.append(chain.station, chain.rows);
    await waitUntil(() => heard.includes(chain.station));
  });

  it('after its connections are cut, the store answers again and its listener comes back (reporting "*")', async () => {
    const { url, all } = await stores(2);
    const [a, b] = all as [PgStore, PgStore];
    const heard: string[] = [];
    b.onAppend((s) => heard.push(s));
    await waitUntil(() => heard.includes('*'));
    const chain = new TestChain();
    await a.append(chain.station, chain.rows);
    await waitUntil(() => heard.includes(chain.station));
    heard.length = 0;
    // Every connection to the database is cut, as by a server restart or a network fault.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await admin.end();
    // The listener reconnects, then says notifications may have been missed.
    await waitUntil(() => heard.includes('*'), 10_000);
    // A call on a dead pooled connection is refused with a coded error, never a raw one; the
    // pool then opens fresh connections and the store works again.
    let head = null;
    for (let i = 0; i < 20 && !head; i++) {
      try {
        head = await b.head(chain.station);
      } catch (err) {
        expect(err).toMatchObject({ code: 'PARLEY_E_STORE_UNAVAILABLE' });
      }
    }
    expect(head?.seq).toBe(1);
    for (let i = 0; ; i++) {
      try {
        await a.append(chain.station, chain.add(1));
        break;
      } catch (err) {
        expect(err).toMatchObject({ code: 'PARLEY_E_STORE_UNAVAILABLE' });
        if (i > 20) throw err;
      }
    }
    await waitUntil(() => heard.includes(chain.station), 10_000);
    expect(await readAll(b, chain.station)).toEqual(chain.rows);
  });

  it('the audit log refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const { url, all } = await stores(1);
    await all[0]!.appendAudit({ ts: 1, actor: 'x', action: 'login', detail: {} });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const sql of ["UPDATE audit SET actor = 'y'", 'DELETE FROM audit', 'TRUNCATE audit']) {
        await expect(c.query(sql), sql).rejects.toThrow('the audit log is append-only');
      }
    } finally {
      await c.end();
    }
    expect(await all[0]!.audit()).toHaveLength(1);
  });

  it('an unreachable server is PARLEY_E_STORE_UNAVAILABLE; a non-postgres URL is PARLEY_E_BAD_STORE_URL', async () => {
    await expect(PgStore.open('postgres://nobody@127.0.0.1:1/none')).rejects.toMatchObject({
      code: 'PARLEY_E_STORE_UNAVAILABLE',
    });
    for (const bad of ['mysql://x@h/db', 'not a url', 'postgres://x@127.0.0.1:5432']) {
      await expect(PgStore.open(bad), bad).rejects.toMatchObject({
        code: 'PARLEY_E_BAD_STORE_URL',
      });
    }
  });

  it("appendAtHead holds the feed lock across processes: a second writer waits and is shown the first one's head", async () => {
    const { all } = await stores(2);
    const [a, b] = all as [PgStore, PgStore];
    const chain = new TestChain();
    await a.append(chain.station, chain.rows);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const first = a.appendAtHead(chain.station, async (head) => {
      seen.push(head!.seq);
      const rows = chain.add(1);
      await gate; // holds the lock
      return { entries: rows };
    });
    await waitUntil(() => seen.length === 1);
    const second = b.appendAtHead(chain.station, async (head) => {
      seen.push(head!.seq);
      return { entries: chain.add(1) };
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([1]); // the other process waits for the lock
    release();
    await Promise.all([first, second]);
    expect(seen).toEqual([1, 2]);
    expect(await readAll(b, chain.station)).toEqual(chain.rows);
  });

  it('writers in three processes appending to one feed at once make one gap-free feed that verifies', async () => {
    const { all } = await stores(3);
    const signer = newSigner();
    const station = stationIdFromKey(signer.publicKey);
    const first = await FeedWriter.open(all[0]!, station, signer);
    await first.append({ kind: KIND.genesis, body: { name: 'HA', key: signer.publicKey } });
    const writers = [first];
    for (const s of all.slice(1)) writers.push(await FeedWriter.open(s, station, signer));
    const offs = writers.map((w) => w.follow());
    const per = 120;
    const sealed = await Promise.all(
      writers.map(async (w, i) => {
        const out = [];
        // Bursts and single appends interleaved, so group commits of different processes race.
        for (let k = 0; k < per; k += 10) {
          const burst = await Promise.all(
            Array.from({ length: 10 }, (_, j) =>
              w.append({ kind: KIND.message, body: { text: `w${i} m${k + j}` } }),
            ),
          );
          out.push(...burst);
        }
        return out;
      }),
    );
    for (const off of offs) off();
    const stored = await readAll(all[0]!, station);
    expect(stored).toHaveLength(1 + 3 * per);
    const v = verifyRows(station, stored);
    // Every append is there exactly once, at the seq its writer was told.
    const texts = stored.slice(1).map((r) => parseEntryLine(r.line).body.text as string);
    expect(new Set(texts).size).toBe(3 * per);
    for (const list of sealed)
      for (const s of list) expect(stored[s.entry.seq - 1]!.line).toBe(s.line);
    // Each writer's own appends are in the order it made them.
    for (let i = 0; i < 3; i++) {
      const mine = texts.filter((t) => t.startsWith(`w${i} `));
      expect(mine).toEqual(Array.from({ length: per }, (_, k) => `w${i} m${k}`));
    }
    // Every stored checkpoint checks against the one feed, and each writer caught up.
    for (const cp of await all[1]!.checkpoints(station)) v.checkCheckpoint(cp);
    for (const w of writers) {
      await w.refresh();
      expect(w.size).toBe(1 + 3 * per);
      v.checkCheckpoint(await w.checkpoint());
    }
  });

  it('a fenced writer view fails with PARLEY_E_LEASE_LOST once the lease is taken over; unfenced appends of the same tick go in', async () => {
    const { all } = await stores(2);
    const [a, b] = all as [PgStore, PgStore];
    const signer = newSigner();
    const station = stationIdFromKey(signer.publicKey);
    const w = await FeedWriter.open(a, station, signer);
    await w.append({ kind: KIND.genesis, body: { name: 'HA', key: signer.publicKey } });
    const lease = (await a.acquireLease('station.leader', 'p1', 60_000))!;
    const asLeader = w.fenced(lease);
    await asLeader.append({ kind: KIND.receipt, body: { n: 1 } });
    expect(asLeader.size).toBe(2);
    // Another process takes over (the lease had lapsed while p1 was paused).
    await a.releaseLease(lease);
    expect(await b.acquireLease('station.leader', 'p2', 60_000)).toMatchObject({ holder: 'p2' });
    const settled = await Promise.allSettled([
      w.append({ kind: KIND.message, body: { text: 'operator 1' } }),
      asLeader.append({ kind: KIND.receipt, body: { n: 2 } }),
      w.append({ kind: KIND.message, body: { text: 'operator 2' } }),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'PARLEY_E_LEASE_LOST',
    });
    const stored = await readAll(b, station);
    verifyRows(station, stored);
    expect(stored.map((r) => r.kind)).toEqual([
      KIND.genesis,
      KIND.receipt,
      KIND.message,
      KIND.message,
    ]);
  });

  it('a process frozen inside a transaction holding the lease row does not block the takeover', async () => {
    const { all } = await stores(2);
    const [frozen, next] = all as [PgStore, PgStore];
    const lease = (await frozen.acquireLease('station.leader', 'p1', 300))!;
    expect(lease).toMatchObject({ holder: 'p1' });
    // p1 is stopped (SIGSTOP) in the middle of a fenced write: its transaction holds the lease
    // row share-locked and sends nothing more.
    let wake!: () => void;
    const asleep = new Promise<void>((r) => (wake = r));
    const locked = { done: false };
    const tx = (
      frozen as unknown as {
        tx: (fn: (c: pg.PoolClient) => Promise<void>) => Promise<void>;
      }
    ).tx(async (c) => {
      await c.query('SELECT token FROM leases WHERE name = $1 FOR SHARE', ['station.leader']);
      locked.done = true;
      await asleep;
      await c.query('SELECT 1');
    });
    const outcome = tx.then(
      () => 'committed',
      () => 'rolled back',
    );
    await waitUntil(() => locked.done, 5000);
    const t0 = Date.now();
    // Once p1's lease has lapsed, p2 takes over: the server ends p1's idle transaction.
    let taken = null;
    while (!taken && Date.now() - t0 < IDLE_IN_TRANSACTION_MS + 10_000) {
      taken = await next.acquireLease('station.leader', 'p2', 5000);
      if (!taken) await new Promise((r) => setTimeout(r, 100));
    }
    expect(taken).toMatchObject({ holder: 'p2', token: lease.token + 1 });
    expect(Date.now() - t0).toBeLessThan(IDLE_IN_TRANSACTION_MS + 10_000);
    wake();
    // p1 wakes to find its transaction gone: nothing of it is committed.
    expect(await outcome).toBe('rolled back');
  });

  it('a writer follows a key rotation made by another process, signing with the new key', async () => {
    const { all } = await stores(2);
    const signer = newSigner();
    const station = stationIdFromKey(signer.publicKey);
    const next = newSigner();
    const keys = new Map<string, Signer>([[next.publicKey, next]]);
    const a = await FeedWriter.open(all[0]!, station, signer);
    await a.append({ kind: KIND.genesis, body: { name: 'HA', key: signer.publicKey } });
    const b = await FeedWriter.open(all[1]!, station, signer, {
      signerFor: async (k) => keys.get(k)!,
    });
    const c = await FeedWriter.open(all[1]!, station, signer);
    await a.rotateKey(next);
    const after = await b.append({ kind: KIND.message, body: { text: 'after rotation' } });
    expect(b.publicKey).toBe(next.publicKey);
    expect(after.entry.seq).toBe(3);
    // A writer that cannot load keys refuses rather than signing with the old key.
    await expect(c.append({ kind: KIND.message, body: { text: 'old key' } })).rejects.toMatchObject(
      { code: 'PARLEY_E_KEY_FILE_MISSING' },
    );
    const v = verifyRows(station, await readAll(all[0]!, station));
    expect(v.keys.map((k) => k.key)).toEqual([signer.publicKey, next.publicKey]);
    expect(v.size).toBe(3);
  });
});
