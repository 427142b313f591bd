import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS, SqliteStore } from '@parley/store';
import { readAll, runStoreContract, TestChain } from './store-contract.js';

runStoreContract('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-sqlite-contract-'));
  const path = join(dir, 'store.db');
  return {
    store: await SqliteStore.open(path),
    reopen: () => SqliteStore.open(path),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore specifics', () => {
  let dir: string;
  let path: string;
  const toClose: { close(): unknown }[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-sqlite-'));
    path = join(dir, 'store.db');
  });

  afterEach(async () => {
    for (const c of toClose.splice(0)) await c.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function openStore(): Promise<SqliteStore> {
    const store = await SqliteStore.open(path);
    toClose.push(store);
    return store;
  }

  function raw(opts: Database.Options = {}): Db {
    const db = new Database(path, opts);
    toClose.push(db);
    return db;
  }

  it('the file is in WAL mode and the store’s connection syncs FULL', async () => {
    const store = await openStore();
    const chain = new TestChain();
    await store.append(chain.station, chain.rows);
    // journal_mode=WAL is a property of the file: a second, read-only connection sees it.
    const ro = raw({ readonly: true, fileMustExist: true });
    expect(ro.pragma('journal_mode', { simple: true })).toBe('wal');
    await stat(`${path}-wal`); // the write-ahead log exists beside the database
    // synchronous is per connection (a second connection shows only its own default), so it
    // is read from the store's own connection.
    const own = (store as unknown as { db: Db }).db;
    expect(own.pragma('synchronous', { simple: true })).toBe(2);
    expect(own.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(own.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('a new database records every migration once, up to the latest version', async () => {
    const store = await openStore();
    const latest = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;
    expect(await store.schemaVersion()).toBe(latest);
    await store.close();
    await openStore(); // opening again applies nothing twice
    const rows = raw({ readonly: true })
      .prepare('SELECT version, name FROM schema_migrations ORDER BY version')
      .all();
    expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('a database with a newer schema than the program refuses to open (PARLEY_E_STORE_SCHEMA) and is left as it was', async () => {
    const store = await openStore();
    const chain = new TestChain();
    chain.add(3);
    await store.append(chain.station, chain.rows);
    await store.close();

    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      999,
      'from the future',
      Date.now(),
    );
    db.close();

    await expect(SqliteStore.open(path)).rejects.toMatchObject({
      code: 'PARLEY_E_STORE_SCHEMA',
    });
    const check = raw({ readonly: true });
    expect(check.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(999);
    expect(
      check.prepare('SELECT COUNT(*) FROM entries WHERE station = ?').pluck().get(chain.station),
    ).toBe(4);
    check.close();

    // Once the future row is gone the same file opens again, data intact.
    const fix = new Database(path);
    fix.prepare('DELETE FROM schema_migrations WHERE version = 999').run();
    fix.close();
    const reopened = await openStore();
    expect(await readAll(reopened, chain.station)).toEqual(chain.rows);
  });

  it('a file that is not a SQLite database fails to open and is not overwritten', async () => {
    const junk = 'this is not a database, '.repeat(200);
    await writeFile(path, junk);
    await expect(SqliteStore.open(path)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe(junk);
  });
});
