import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { ParleyError } from '@parley/core';
import type { Checkpoint } from '@parley/ledger';
import { SQLITE_MIGRATIONS } from './migrations.js';
import type { Migration } from './migrations.js';
import type {
  AppendBatch,
  AppendOptions,
  FeedEntry,
  FeedHead,
  Lease,
  PeerRecord,
  Store,
  StoredEntry,
  TokenRecord,
} from './store.js';
import { AUDIT_GENESIS, auditHash } from './store.js';
import type {
  AuditAnchor,
  AuditInput,
  AuditQuery,
  AuditRecord,
  IdempotencyClaim,
  IdempotencyState,
  SessionRecord,
  UserRecord,
} from './store.js';
import {
  sqliteAddToken,
  sqliteAuditAnchors,
  sqliteClaimIdempotency,
  sqliteDeleteExpiredIdempotency,
  sqliteFinishIdempotency,
  sqliteInsertAnchor,
  sqliteRevokeToken,
  sqliteTokenByHash,
  sqliteTokens,
} from './sqlite-access.js';
import {
  chainRows,
  checkContinuity,
  checkpointFeed,
  checkpointFromRow,
  toStored,
  userFromRow,
} from './continuity.js';
import type { EntryRow, UserRow } from './continuity.js';
import { leaseLost } from './lease.js';

/**
 * The embedded default store: one SQLite file through better-sqlite3, in WAL mode with
 * `synchronous=FULL` so a committed append survives power loss, not only a process crash.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private db: Db | undefined;
  private readonly stmt: Record<string, Statement>;
  private readonly appendListeners = new Set<(station: string, size?: number) => void>();

  private constructor(db: Db) {
    this.db = db;
    this.stmt = {
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      listMeta: db.prepare('SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key'),
      deleteMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
      head: db.prepare(
        'SELECT head_seq AS seq, head_hash AS hash, head_ts AS ts FROM feeds WHERE station = ?',
      ),
      newFeed: db.prepare(
        'INSERT INTO feeds (station, ordinal, head_seq, head_hash, head_ts) VALUES (?, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM feeds), ?, ?, ?)',
      ),
      setHead: db.prepare(
        'UPDATE feeds SET head_seq = ?, head_hash = ?, head_ts = ? WHERE station = ?',
      ),
      insert: db.prepare(
        'INSERT INTO entries (station, seq, hash, ts, kind, channel, line) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      entries: db.prepare(
        'SELECT seq, hash, ts, kind, channel, line FROM entries WHERE station = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      prevHash: db.prepare('SELECT hash FROM entries WHERE station = ? AND seq = ?'),
      hashes: db
        .prepare('SELECT hash FROM entries WHERE station = ? AND seq <= ? ORDER BY seq')
        .pluck(),
      feeds: db.prepare('SELECT station, head_seq AS size FROM feeds ORDER BY ordinal'),
      addCheckpoint: db.prepare(
        'INSERT OR IGNORE INTO checkpoints (station, size, ts, root, sig) VALUES (?, ?, ?, ?, ?)',
      ),
      checkpoints: db.prepare(
        'SELECT station, size, root, ts, sig FROM checkpoints WHERE station = ? ORDER BY size, ts',
      ),
      lastOfKind: db.prepare(
        'SELECT seq, hash, ts, kind, channel, line FROM entries WHERE station = ? AND kind = ? ORDER BY seq DESC LIMIT 1',
      ),
      peers: db.prepare(
        'SELECT name, station, key, urls, tls_cert, added FROM peers ORDER BY added, name',
      ),
      addPeer: db.prepare(
        'INSERT INTO peers (name, station, key, urls, tls_cert, added) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      latestCheckpoint: db.prepare(
        'SELECT station, size, root, ts, sig FROM checkpoints WHERE station = ? ORDER BY size DESC, ts DESC LIMIT 1',
      ),
      // Operators (schema version 3)
      addUser: db.prepare(
        'INSERT INTO users (name, role, channels, password_hash, created, disabled) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      user: db.prepare(
        'SELECT name, role, channels, password_hash, created, disabled FROM users WHERE name = ?',
      ),
      users: db.prepare(
        'SELECT name, role, channels, password_hash, created, disabled FROM users ORDER BY name',
      ),
      addSession: db.prepare(
        'INSERT INTO sessions (hash, user, csrf, created, expires) VALUES (?, ?, ?, ?, ?)',
      ),
      sessionByHash: db.prepare(
        'SELECT hash, user, csrf, created, expires FROM sessions WHERE hash = ?',
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE hash = ?'),
      deleteSessionsOf: db.prepare('DELETE FROM sessions WHERE user = ?'),
      deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires <= ?'),
      auditHead: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      addAudit: db.prepare(
        'INSERT INTO audit (seq, ts, actor, action, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      // Leases (schema version 4)
      lease: db.prepare('SELECT name, holder, token, expires FROM leases WHERE name = ?'),
      putLease: db.prepare(
        'INSERT INTO leases (name, holder, token, expires) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires = excluded.expires',
      ),
      releaseLease: db.prepare(
        'UPDATE leases SET expires = 0 WHERE name = ? AND holder = ? AND token = ?',
      ),
    };
  }

  /** Opens (creating if needed) and migrates the database file at `path`. */
  static async open(path: string): Promise<SqliteStore> {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db, SQLITE_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db);
  }

  private ensureOpen(): void {
    void this.conn;
  }

  private get conn(): Db {
    if (!this.db) throw new ParleyError('PARLEY_E_STORE_CLOSED', 'the store is closed', {});
    return this.db;
  }

  async schemaVersion(): Promise<number> {
    return (
      (this.conn.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as
        number | null) ?? 0
    );
  }

  async getMeta(key: string): Promise<string | undefined> {
    this.ensureOpen();
    return (this.stmt.getMeta!.get(key) as { value: string } | undefined)?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.ensureOpen();
    this.stmt.setMeta!.run(key, value);
  }

  async listMeta(prefix: string): Promise<[string, string][]> {
    this.ensureOpen();
    // Range scan on the primary key: every key k with prefix ≤ k < prefix + U+FFFF.
    const rows = this.stmt.listMeta!.all(prefix, prefix + '\uffff') as {
      key: string;
      value: string;
    }[];
    return rows.map((r) => [r.key, r.value]);
  }

  async deleteMeta(key: string): Promise<void> {
    this.ensureOpen();
    this.stmt.deleteMeta!.run(key);
  }

  async head(station: string): Promise<FeedHead | null> {
    this.ensureOpen();
    return (this.stmt.head!.get(station) as FeedHead | undefined) ?? null;
  }

  async append(
    station: string,
    entries: readonly StoredEntry[],
    checkpoint?: Checkpoint,
    opts: AppendOptions = {},
  ): Promise<void> {
    const db = this.conn;
    if (entries.length === 0) {
      if (checkpoint) {
        if (opts.fence) db.transaction(() => this.checkFence(opts.fence!)).immediate();
        await this.addCheckpoint(checkpoint);
      }
      return;
    }
    // One transaction per batch: a crash leaves either the whole batch or none of it.
    db.transaction(() => {
      if (opts.fence) this.checkFence(opts.fence);
      const head = this.stmt.head!.get(station) as FeedHead | undefined;
      checkContinuity(station, head ?? null, entries);
      for (const e of entries) {
        this.stmt.insert!.run(
          station,
          e.seq,
          Buffer.from(e.hash, 'hex'),
          e.ts,
          e.kind,
          e.channel,
          e.line,
        );
      }
      const last = entries[entries.length - 1]!;
      if (head) this.stmt.setHead!.run(last.seq, last.hash, last.ts, station);
      else this.stmt.newFeed!.run(station, last.seq, last.hash, last.ts);
      if (checkpoint)
        this.stmt.addCheckpoint!.run(
          checkpointFeed(checkpoint),
          checkpoint.size,
          checkpoint.ts,
          checkpoint.root,
          checkpoint.sig,
        );
    }).immediate();
    const size = entries[entries.length - 1]!.seq;
    for (const fn of this.appendListeners) fn(station, size);
  }

  /**
   * SQLite is one process's embedded store: the writer's turn is the in-process one, and the
   * continuity check inside `append` still refuses a batch that lost a race with another
   * process (the writer then catches up and tries again).
   */
  async appendAtHead(
    station: string,
    build: (head: FeedHead | null) => Promise<AppendBatch | null>,
    opts: AppendOptions = {},
  ): Promise<void> {
    const batch = await build(await this.head(station));
    if (batch) await this.append(station, batch.entries, batch.checkpoint, opts);
  }

  onAppend(fn: (station: string, size?: number) => void): () => void {
    this.appendListeners.add(fn);
    return () => this.appendListeners.delete(fn);
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    const db = this.conn;
    return db
      .transaction((): Lease | null => {
        const now = Date.now();
        const cur = this.stmt.lease!.get(name) as Lease | undefined;
        if (cur && cur.holder !== holder && cur.expires > now) return null;
        const token = cur && cur.holder === holder ? cur.token : (cur?.token ?? 0) + 1;
        const lease: Lease = { name, holder, token, expires: now + ttlMs };
        this.stmt.putLease!.run(name, holder, token, lease.expires);
        return lease;
      })
      .immediate();
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.ensureOpen();
    this.stmt.releaseLease!.run(lease.name, lease.holder, lease.token);
  }

  async lease(name: string): Promise<Lease | null> {
    this.ensureOpen();
    return (this.stmt.lease!.get(name) as Lease | undefined) ?? null;
  }

  /** Inside a write transaction: refuses unless `fence` still holds the lease (nobody took it over). */
  private checkFence(fence: Lease): void {
    const cur = this.stmt.lease!.get(fence.name) as Lease | undefined;
    if (!cur || cur.holder !== fence.holder || cur.token !== fence.token)
      throw leaseLost(fence, cur ?? null);
  }

  async entries(station: string, afterSeq: number, limit: number): Promise<StoredEntry[]> {
    this.ensureOpen();
    const rows = this.stmt.entries!.all(station, afterSeq, limit) as EntryRow[];
    if (rows.length === 0) return [];
    // prev is the hash of the row before; fetch the one before the first row.
    const prev =
      rows[0]!.seq === 1
        ? null
        : (this.stmt.prevHash!.get(station, rows[0]!.seq - 1) as { hash: Buffer }).hash;
    return chainRows(rows, prev);
  }

  async hashes(station: string, upTo: number = Number.MAX_SAFE_INTEGER): Promise<Uint8Array[]> {
    this.ensureOpen();
    return this.stmt.hashes!.all(station, upTo) as Buffer[];
  }

  async entriesOfKind(station: string, kinds: readonly string[]): Promise<StoredEntry[]> {
    const db = this.conn;
    if (kinds.length === 0) return [];
    const rows = db
      .prepare(
        `SELECT e.seq, e.hash, e.ts, e.kind, e.channel, e.line, p.hash AS prev FROM entries e
         LEFT JOIN entries p ON p.station = e.station AND p.seq = e.seq - 1
         WHERE e.station = ? AND e.kind IN (${kinds.map(() => '?').join(',')}) ORDER BY e.seq`,
      )
      .all(station, ...kinds) as (EntryRow & { prev: Buffer | null })[];
    return rows.map((r) => toStored(r, r.prev));
  }

  async lastOfKind(station: string, kind: string): Promise<StoredEntry | null> {
    this.ensureOpen();
    const r = this.stmt.lastOfKind!.get(station, kind) as EntryRow | undefined;
    if (!r) return null;
    const prev =
      r.seq === 1 ? null : (this.stmt.prevHash!.get(station, r.seq - 1) as { hash: Buffer }).hash;
    return toStored(r, prev);
  }

  async byKind(
    kind: string,
    opts: { channel?: string; limit?: number } = {},
  ): Promise<FeedEntry[]> {
    const db = this.conn;
    const rows = db
      .prepare(
        `SELECT e.station, e.seq, e.hash, e.ts, e.kind, e.channel, e.line, p.hash AS prev FROM entries e
         LEFT JOIN entries p ON p.station = e.station AND p.seq = e.seq - 1
         WHERE e.kind = ? ${opts.channel !== undefined ? 'AND e.channel = ?' : ''}
         ORDER BY e.ts, e.station, e.seq LIMIT ?`,
      )
      .all(
        kind,
        ...(opts.channel !== undefined ? [opts.channel] : []),
        opts.limit ?? -1,
      ) as (EntryRow & { station: string; prev: Buffer | null })[];
    return rows.map((r) => ({ station: r.station, ...toStored(r, r.prev) }));
  }

  async peers(): Promise<PeerRecord[]> {
    this.ensureOpen();
    const rows = this.stmt.peers!.all() as {
      name: string;
      station: string;
      key: string;
      urls: string;
      tls_cert: string | null;
      added: number;
    }[];
    return rows.map((r) => ({
      name: r.name,
      station: r.station,
      key: r.key,
      urls: JSON.parse(r.urls) as string[],
      tlsCert: r.tls_cert,
      added: r.added,
    }));
  }

  async addPeer(peer: PeerRecord): Promise<void> {
    this.ensureOpen();
    try {
      this.stmt.addPeer!.run(
        peer.name,
        peer.station,
        peer.key,
        JSON.stringify(peer.urls),
        peer.tlsCert,
        peer.added,
      );
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new ParleyError(
          'PARLEY_E_PEER_EXISTS',
          `a peer named ${peer.name} or with station ${peer.station} is already paired`,
          {
            name: peer.name,
            station: peer.station,
          },
        );
      }
      throw err;
    }
  }

  async addToken(token: TokenRecord): Promise<void> {
    sqliteAddToken(this.conn, token);
  }

  async tokenByHash(hash: string): Promise<TokenRecord | null> {
    return sqliteTokenByHash(this.conn, hash);
  }

  async tokens(): Promise<TokenRecord[]> {
    return sqliteTokens(this.conn);
  }

  async revokeToken(hash: string, at: number): Promise<boolean> {
    return sqliteRevokeToken(this.conn, hash, at);
  }

  async auditAnchors(query: { after?: number; limit?: number } = {}): Promise<AuditAnchor[]> {
    return sqliteAuditAnchors(this.conn, query);
  }

  async addAuditAnchor(anchor: AuditAnchor): Promise<void> {
    sqliteInsertAnchor(this.conn, anchor);
  }

  async claimIdempotency(claim: IdempotencyClaim): Promise<IdempotencyState> {
    return sqliteClaimIdempotency(this.conn, claim);
  }

  async finishIdempotency(
    owner: string,
    key: string,
    response: { status: number; body: string } | null,
  ): Promise<void> {
    sqliteFinishIdempotency(this.conn, owner, key, response);
  }

  async deleteExpiredIdempotency(now: number): Promise<number> {
    return sqliteDeleteExpiredIdempotency(this.conn, now);
  }

  async feeds(): Promise<{ station: string; size: number }[]> {
    this.ensureOpen();
    return this.stmt.feeds!.all() as { station: string; size: number }[];
  }

  async addCheckpoint(cp: Checkpoint): Promise<void> {
    this.ensureOpen();
    this.stmt.addCheckpoint!.run(checkpointFeed(cp), cp.size, cp.ts, cp.root, cp.sig);
  }

  async checkpoints(station: string): Promise<Checkpoint[]> {
    this.ensureOpen();
    return (this.stmt.checkpoints!.all(station) as Checkpoint[]).map(checkpointFromRow);
  }

  async latestCheckpoint(station: string): Promise<Checkpoint | null> {
    this.ensureOpen();
    const row = this.stmt.latestCheckpoint!.get(station) as Checkpoint | undefined;
    return row ? checkpointFromRow(row) : null;
  }

  // --- Operators (schema version 3) ---------------------------------------------------------

  async addUser(user: UserRecord): Promise<void> {
    this.ensureOpen();
    try {
      this.stmt.addUser!.run(
        user.name,
        user.role,
        JSON.stringify(user.channels),
        user.passwordHash,
        user.created,
        user.disabled ? 1 : 0,
      );
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new ParleyError(
          'PARLEY_E_USER_EXISTS',
          `an operator named ${JSON.stringify(user.name)} already exists`,
          { name: user.name },
        );
      }
      throw err;
    }
  }

  async user(name: string): Promise<UserRecord | null> {
    this.ensureOpen();
    const row = this.stmt.user!.get(name) as UserRow | undefined;
    return row ? userFromRow(row) : null;
  }

  async users(): Promise<UserRecord[]> {
    this.ensureOpen();
    return (this.stmt.users!.all() as UserRow[]).map(userFromRow);
  }

  async updateUser(
    name: string,
    patch: Partial<Pick<UserRecord, 'role' | 'channels' | 'passwordHash' | 'disabled'>>,
  ): Promise<boolean> {
    const db = this.conn;
    const columns: [string, string | number | undefined][] = [
      ['role', patch.role],
      ['channels', patch.channels === undefined ? undefined : JSON.stringify(patch.channels)],
      ['password_hash', patch.passwordHash],
      ['disabled', patch.disabled === undefined ? undefined : patch.disabled ? 1 : 0],
    ];
    const set = columns.filter((c): c is [string, string | number] => c[1] !== undefined);
    if (set.length === 0) return (await this.user(name)) !== null;
    const r = db
      .prepare(`UPDATE users SET ${set.map(([c]) => `${c} = ?`).join(', ')} WHERE name = ?`)
      .run(...set.map(([, v]) => v), name);
    return r.changes > 0;
  }

  async addSession(session: SessionRecord): Promise<void> {
    this.ensureOpen();
    this.stmt.addSession!.run(
      session.hash,
      session.user,
      session.csrf,
      session.created,
      session.expires,
    );
  }

  async sessionByHash(hash: string): Promise<SessionRecord | null> {
    this.ensureOpen();
    return (this.stmt.sessionByHash!.get(hash) as SessionRecord | undefined) ?? null;
  }

  async deleteSession(hash: string): Promise<void> {
    this.ensureOpen();
    this.stmt.deleteSession!.run(hash);
  }

  async deleteSessionsOf(user: string): Promise<number> {
    this.ensureOpen();
    return this.stmt.deleteSessionsOf!.run(user).changes;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    this.ensureOpen();
    return this.stmt.deleteExpiredSessions!.run(now).changes;
  }

  async appendAudit(
    record: AuditInput,
    anchor?: (seq: number, hash: string) => AuditAnchor,
  ): Promise<AuditRecord> {
    const db = this.conn;
    // Read the head and insert after it in one write transaction, so concurrent appends chain.
    return db
      .transaction((): AuditRecord => {
        const head = this.stmt.auditHead!.get() as { seq: number; hash: string } | undefined;
        const seq = (head?.seq ?? 0) + 1;
        const prev = head?.hash ?? AUDIT_GENESIS;
        const out: AuditRecord = {
          seq,
          ts: record.ts,
          actor: record.actor,
          action: record.action,
          detail: record.detail,
          prev,
          hash: auditHash(prev, { ...record, seq }),
        };
        this.stmt.addAudit!.run(
          seq,
          out.ts,
          out.actor,
          out.action,
          JSON.stringify(out.detail),
          prev,
          out.hash,
        );
        if (anchor) sqliteInsertAnchor(db, anchor(seq, out.hash));
        return out;
      })
      .immediate();
  }

  async audit(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const db = this.conn;
    const where = ['seq > ?'];
    const values: (string | number)[] = [query.after ?? 0];
    if (query.actor !== undefined) {
      where.push('actor = ?');
      values.push(query.actor);
    }
    if (query.action !== undefined) {
      where.push('action = ?');
      values.push(query.action);
    }
    const rows = db
      .prepare(
        `SELECT seq, ts, actor, action, detail, prev, hash FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`,
      )
      .all(...values, query.limit ?? -1) as (Omit<AuditRecord, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  // --- end operators -----------------------------------------------------------------------

  async close(): Promise<void> {
    if (!this.db) return;
    this.db.close();
    this.db = undefined;
  }
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const current =
    (db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new ParleyError(
      'PARLEY_E_STORE_SCHEMA',
      `database schema version ${current} is newer than this program's ${latest}`,
      {
        current,
        latest,
      },
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    }).immediate();
  }
}
