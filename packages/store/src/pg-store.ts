import pg from 'pg';
import type { PoolClient, PoolConfig } from 'pg';
import { ParleyError } from '@parley/core';
import type { Checkpoint } from '@parley/ledger';
import { PG_MIGRATIONS } from './migrations.js';
import type { Migration } from './migrations.js';
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
import { AUDIT_GENESIS, auditHash } from './store.js';
import type {
  AppendBatch,
  AppendOptions,
  AuditAnchor,
  AuditInput,
  AuditQuery,
  AuditRecord,
  FeedEntry,
  FeedHead,
  IdempotencyClaim,
  IdempotencyState,
  Lease,
  PeerRecord,
  SessionRecord,
  Store,
  StoredEntry,
  TokenRecord,
  UserRecord,
} from './store.js';

import {
  PG_INSERT_ANCHOR,
  pgAddAnchor,
  pgAddToken,
  pgAuditAnchors,
  pgClaimIdempotency,
  pgDeleteExpiredIdempotency,
  pgFinishIdempotency,
  pgRevokeToken,
  pgTokenByHash,
  pgTokens,
} from './pg-access.js';

/** The LISTEN/NOTIFY channel on which every append announces its feed. */
const APPEND_CHANNEL = 'parley_append';
/** How long the server lets a session sit idle inside a transaction before ending it, ms. */
export const IDLE_IN_TRANSACTION_MS = 5000;
/** Advisory lock keys (pg_advisory_xact_lock, one bigint space): migrations and the audit chain. */
const LOCK_MIGRATE = 0x7061726c6579n; // "parley"
const LOCK_AUDIT = 0x7061726c6561n;
/** The store's clock, in ms since the epoch: the database server's, so every process agrees. */
const NOW_MS = `(floor(extract(epoch FROM clock_timestamp()) * 1000))::bigint`;

// BIGINT (int8) arrives as a string by default; every BIGINT here is a seq, a size or a time in
// ms, all well inside Number.MAX_SAFE_INTEGER.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** An entries row, with the hash of the entry before it when the query joins it. */
interface PgEntryRow extends EntryRow {
  prev?: Buffer | null;
}

/**
 * Checks and normalises a `postgres://` or `postgresql://` URL; throws `PARLEY_E_BAD_STORE_URL`.
 * The message and detail show the value with its credentials redacted (`redactStoreUrl`): a
 * malformed URL is still likely to hold a password.
 */
export function parseStoreUrl(value: string): URL {
  const shown = redactStoreUrl(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ParleyError('PARLEY_E_BAD_STORE_URL', `store ${JSON.stringify(shown)} is not a URL`, {
      value: shown,
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ParleyError(
      'PARLEY_E_BAD_STORE_URL',
      `store ${JSON.stringify(shown)} is not a postgres:// or postgresql:// URL`,
      { value: shown },
    );
  }
  if (url.pathname.length <= 1) {
    throw new ParleyError(
      'PARLEY_E_BAD_STORE_URL',
      `store ${JSON.stringify(shown)} names no database (postgres://user@host:port/DATABASE)`,
      { value: shown },
    );
  }
  return url;
}

/**
 * The URL with its password, if any, replaced by `***`: for messages and logs. A value that is
 * not a URL keeps only its scheme and what follows the last `@` (`user:password@` may be
 * anything, `:` and `/` included, when the URL is malformed), and `password=` query values go too.
 */
export function redactStoreUrl(value: string): string {
  let out: string;
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    out = u.href;
  } catch {
    const at = value.lastIndexOf('@');
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0] ?? '';
    out = at < 0 ? value : `${scheme}***@${value.slice(at + 1)}`;
  }
  return out.replace(/((?:^|[?&;\s])password=)[^&;\s]*/gi, '$1***');
}

/** Connection failures (refused, unknown host, bad password, no such database) as coded errors. */
function unavailable(url: string, err: unknown): ParleyError {
  const e = err as { code?: string; message?: string };
  return new ParleyError(
    'PARLEY_E_STORE_UNAVAILABLE',
    `cannot use the database at ${redactStoreUrl(url)}: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`,
    { code: e.code ?? null },
    { cause: err },
  );
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
  '3D000', // invalid_catalog_name: no such database
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now (starting up, or a standby)
  '08006',
  '08001',
  '08004',
]);

/**
 * The production store: PostgreSQL through `pg`. It keeps the SQLite store's contract
 * (`store-contract.ts`) and adds what several processes on one database need:
 *
 * - appends lock the feed's head row (`SELECT … FOR UPDATE`), so racing appends serialise and
 *   all but one get `PARLEY_E_STORE_CONFLICT`;
 * - `appendAtHead` holds a transaction-level advisory lock on the feed while the writer seals,
 *   so writers in different processes take turns and the feed stays gap-free and totally ordered;
 * - every append NOTIFYs `parley_append` with the station, so other processes see growth at once;
 * - leases with fencing tokens on the database's clock, for the one leading process.
 *
 * Durability is the server's: `synchronous_commit` must stay `on` (the default), and each append
 * is one transaction.
 */
export class PgStore implements Store {
  readonly engine = 'postgres' as const;
  private pool: pg.Pool | undefined;
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private readonly appendListeners = new Set<(station: string, size?: number) => void>();
  private reconnectTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: string,
    pool: pg.Pool,
  ) {
    this.pool = pool;
  }

  /** Connects to the database at `url` and migrates it to the latest schema version. */
  static async open(url: string, opts: { max?: number } = {}): Promise<PgStore> {
    parseStoreUrl(url);
    const config: PoolConfig = {
      connectionString: url,
      max: opts.max ?? 10,
      types,
      application_name: 'parley',
      connectionTimeoutMillis: 10_000,
      // A process frozen or cut off inside a transaction (SIGSTOP, a hung VM) must not hold its
      // locks for ever: the feed lock, and the lease row its fenced writes share-lock, would stop
      // the next leader from taking over. The server ends such a transaction after this long;
      // its writes are rolled back, and the frozen process finds its connection gone on waking.
      options: `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
    };
    const pool = new pg.Pool(config);
    // An idle client that loses its connection (server restart) must not crash the process.
    pool.on('error', () => undefined);
    const store = new PgStore(url, pool);
    try {
      await store.tx(async (c) => migrate(c, PG_MIGRATIONS));
    } catch (err) {
      // Deliberate: the migration's error is the one to report; closing the pool is cleanup.
      await pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private ensureOpen(): void {
    void this.conn;
  }

  private get conn(): pg.Pool {
    if (!this.pool) throw new ParleyError('PARLEY_E_STORE_CLOSED', 'the store is closed', {});
    return this.pool;
  }

  private async q<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const pool = this.conn;
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (err) {
      throw this.mapError(err);
    }
  }

  private mapError(err: unknown): unknown {
    if (err instanceof ParleyError) return err;
    const code = (err as { code?: string }).code;
    if (code && CONNECTION_CODES.has(code)) return unavailable(this.url, err);
    // pg's own errors for a connection lost mid-query or never made carry no code.
    const msg = (err as { message?: string }).message ?? '';
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        msg,
      )
    )
      return unavailable(this.url, err);
    if (!this.pool) return new ParleyError('PARLEY_E_STORE_CLOSED', 'the store is closed', {});
    return err;
  }

  /**
   * Runs `fn` in one transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws.
   * `first` are statements (literals already escaped) sent with BEGIN in one round trip; their
   * results go to `fn`. Under READ COMMITTED each of them sees what was committed before it ran,
   * so a lock taken by one is respected by the reads after it.
   */
  private async tx<T>(
    fn: (c: PoolClient, first: pg.QueryResult[]) => Promise<T>,
    first: string[] = [],
  ): Promise<T> {
    const pool = this.conn;
    let c: PoolClient;
    try {
      c = await pool.connect();
    } catch (err) {
      throw this.mapError(err);
    }
    let broken = false;
    // The server may end the session while it is checked out (the idle-in-transaction timeout
    // after a pause, a restart): the next query then fails, and the event must not crash.
    const onError = (): void => {
      broken = true;
    };
    c.on('error', onError);
    try {
      const begun = (await c.query(['BEGIN', ...first].join(';\n'))) as
        pg.QueryResult | pg.QueryResult[];
      const out = await fn(c, Array.isArray(begun) ? begun.slice(1) : []);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw this.mapError(err);
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  async schemaVersion(): Promise<number> {
    const [r] = await this.q<{ v: number | null }>(
      'SELECT MAX(version)::bigint AS v FROM schema_migrations',
    );
    return r?.v ?? 0;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const [r] = await this.q<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return r?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.q(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async listMeta(prefix: string): Promise<[string, string][]> {
    const rows = await this.q<{ key: string; value: string }>(
      'SELECT key, value FROM meta WHERE starts_with(key, $1) ORDER BY key',
      [prefix],
    );
    return rows.map((r) => [r.key, r.value]);
  }

  async deleteMeta(key: string): Promise<void> {
    await this.q('DELETE FROM meta WHERE key = $1', [key]);
  }

  async head(station: string): Promise<FeedHead | null> {
    const [r] = await this.q<FeedHead>(
      'SELECT head_seq AS seq, head_hash AS hash, head_ts AS ts FROM feeds WHERE station = $1',
      [station],
    );
    return r ?? null;
  }

  async append(
    station: string,
    entries: readonly StoredEntry[],
    checkpoint?: Checkpoint,
    opts: AppendOptions = {},
  ): Promise<void> {
    this.ensureOpen();
    if (entries.length === 0 && !checkpoint) return;
    const first = [
      ...(opts.fence ? [fenceSql(opts.fence)] : []),
      ...(entries.length > 0 ? [headSql(station)] : []),
    ];
    await this.tx(async (c, [r1, r2]) => {
      if (opts.fence) checkFence(opts.fence, r1!);
      const head = entries.length > 0 ? toHead(opts.fence ? r2! : r1!) : null;
      await this.insertBatch(c, station, head, entries, checkpoint);
    }, first);
    if (entries.length > 0) this.notifyLocal(station, entries[entries.length - 1]!.seq);
  }

  async appendAtHead(
    station: string,
    build: (head: FeedHead | null) => Promise<AppendBatch | null>,
    opts: AppendOptions = {},
  ): Promise<void> {
    let stored = 0;
    // One round trip: BEGIN; the feed's write lock, held until COMMIT or ROLLBACK (every writer
    // of this feed, in any process, waits here); the head, read after the lock so it sees every
    // commit made before it; the fence's lease row, share-locked until COMMIT.
    const first = [
      `SELECT pg_advisory_xact_lock(hashtextextended(${pg.escapeLiteral(`feed:${station}`)}, 1))`,
      headSql(station),
      ...(opts.fence ? [fenceSql(opts.fence)] : []),
    ];
    await this.tx(async (c, [, rHead, rFence]) => {
      if (opts.fence) checkFence(opts.fence, rFence!);
      const head = toHead(rHead!);
      const batch = await build(head);
      if (!batch) return;
      await this.insertBatch(c, station, head, batch.entries, batch.checkpoint);
      stored = batch.entries[batch.entries.length - 1]?.seq ?? 0;
    }, first);
    if (stored > 0) this.notifyLocal(station, stored);
  }

  /**
   * Inside a transaction, with the head row locked (`SELECT … FOR UPDATE`): checks continuity and stores
   * the batch, its new head, its checkpoint and the notification in one statement.
   */
  private async insertBatch(
    c: PoolClient,
    station: string,
    head: FeedHead | null,
    entries: readonly StoredEntry[],
    checkpoint: Checkpoint | undefined,
  ): Promise<void> {
    if (entries.length === 0) {
      if (checkpoint) await c.query(INSERT_CHECKPOINT, checkpointValues(checkpoint));
      return;
    }
    checkContinuity(station, head, entries);
    const last = entries[entries.length - 1]!;
    try {
      if (!head) {
        // A new feed: two racing first batches both get here; the primary key lets one in,
        // and the table lock keeps the ordinals of two new feeds apart.
        await c.query('LOCK TABLE feeds IN SHARE ROW EXCLUSIVE MODE');
        await c.query(
          `INSERT INTO feeds (station, ordinal, head_seq, head_hash, head_ts)
           VALUES ($1, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM feeds), $2, $3, $4)`,
          [station, last.seq, last.hash, last.ts],
        );
      }
      const cp = checkpoint ? checkpointValues(checkpoint) : [null, null, null, null, null];
      await c.query(
        `WITH e AS (
           INSERT INTO entries (station, seq, hash, ts, kind, channel, line)
           SELECT $1, * FROM unnest($2::bigint[], $3::bytea[], $4::bigint[], $5::text[], $6::text[], $7::text[])
         ), f AS (
           UPDATE feeds SET head_seq = $8, head_hash = $9, head_ts = $10 WHERE station = $1
         ), c AS (
           INSERT INTO checkpoints (station, size, ts, root, sig)
           SELECT $11::text, $12::bigint, $13::bigint, $14::text, $15::text WHERE $11::text IS NOT NULL
           ON CONFLICT DO NOTHING
         )
         SELECT pg_notify($16, $8::text || ' ' || $1)`,
        [
          station,
          entries.map((e) => e.seq),
          entries.map((e) => Buffer.from(e.hash, 'hex')),
          entries.map((e) => e.ts),
          entries.map((e) => e.kind),
          entries.map((e) => e.channel),
          entries.map((e) => e.line),
          last.seq,
          last.hash,
          last.ts,
          ...cp,
          APPEND_CHANNEL,
        ],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ParleyError(
          'PARLEY_E_STORE_CONFLICT',
          `append to ${station} at seq ${entries[0]!.seq} lost a race with another writer`,
          { station, seq: entries[0]!.seq },
        );
      }
      throw err;
    }
  }

  /** Listeners in this process hear of their own appends at once, without the round trip. */
  private notifyLocal(station: string, size: number): void {
    if (!this.listener) for (const fn of this.appendListeners) fn(station, size);
  }

  onAppend(fn: (station: string, size?: number) => void): () => void {
    this.ensureOpen();
    this.appendListeners.add(fn);
    if (!this.listening) this.listening = this.listen();
    return () => this.appendListeners.delete(fn);
  }

  /** One dedicated connection LISTENs; after losing it, it reconnects, then reports '*'. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types });
    client.on('notification', (n) => {
      if (n.channel !== APPEND_CHANNEL || !n.payload) return;
      // "<size> <station>"
      const sp = n.payload.indexOf(' ');
      const size = Number(n.payload.slice(0, sp));
      const station = n.payload.slice(sp + 1);
      for (const fn of this.appendListeners) fn(station, size);
    });
    const retry = () => {
      if (this.listener === client) this.listener = undefined;
      if (!this.pool) return;
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => {
        this.listening = this.pool ? this.listen() : undefined;
      }, 1000);
      this.reconnectTimer.unref();
    };
    client.on('error', () => undefined);
    client.on('end', retry);
    try {
      await client.connect();
      await client.query(`LISTEN ${APPEND_CHANNEL}`);
      if (!this.pool) {
        await client.end();
        return;
      }
      this.listener = client;
      // Anything appended while the listener was down is found by looking again.
      for (const fn of this.appendListeners) fn('*');
    } catch {
      // Deliberate: the listener could not connect; `retry` tries again after a pause, and until
      // then appends are found by the periodic look ('*'), so nothing is missed, only later.
      client.removeListener('end', retry);
      await client.end().catch(() => undefined);
      retry();
    }
  }

  async entries(station: string, afterSeq: number, limit: number): Promise<StoredEntry[]> {
    // One query: the row at afterSeq (if any) is read too, for the first row's prev.
    const rows = await this.q<PgEntryRow>(
      `SELECT seq, hash, ts, kind, channel, line FROM entries
       WHERE station = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      [station, afterSeq, limit + 1],
    );
    const before = rows[0]?.seq === afterSeq ? rows.shift()!.hash : null;
    return chainRows(rows.slice(0, limit), before);
  }

  async hashes(station: string, upTo: number = Number.MAX_SAFE_INTEGER): Promise<Uint8Array[]> {
    const rows = await this.q<{ hash: Buffer }>(
      'SELECT hash FROM entries WHERE station = $1 AND seq <= $2 ORDER BY seq',
      [station, upTo],
    );
    return rows.map((r) => r.hash);
  }

  async entriesOfKind(station: string, kinds: readonly string[]): Promise<StoredEntry[]> {
    this.ensureOpen();
    if (kinds.length === 0) return [];
    const rows = await this.q<PgEntryRow>(
      `SELECT e.seq, e.hash, e.ts, e.kind, e.channel, e.line, p.hash AS prev FROM entries e
       LEFT JOIN entries p ON p.station = e.station AND p.seq = e.seq - 1
       WHERE e.station = $1 AND e.kind = ANY($2::text[]) ORDER BY e.seq`,
      [station, kinds],
    );
    return rows.map((r) => toStored(r, r.prev));
  }

  async lastOfKind(station: string, kind: string): Promise<StoredEntry | null> {
    const [r] = await this.q<PgEntryRow>(
      `SELECT e.seq, e.hash, e.ts, e.kind, e.channel, e.line, p.hash AS prev FROM entries e
       LEFT JOIN entries p ON p.station = e.station AND p.seq = e.seq - 1
       WHERE e.station = $1 AND e.kind = $2 ORDER BY e.seq DESC LIMIT 1`,
      [station, kind],
    );
    return r ? toStored(r, r.prev) : null;
  }

  async byKind(
    kind: string,
    opts: { channel?: string; limit?: number } = {},
  ): Promise<FeedEntry[]> {
    const values: unknown[] = [kind];
    let where = 'e.kind = $1';
    if (opts.channel !== undefined) {
      values.push(opts.channel);
      where += ` AND e.channel = $${values.length}`;
    }
    values.push(opts.limit ?? null);
    const rows = await this.q<PgEntryRow & { station: string }>(
      `SELECT e.station, e.seq, e.hash, e.ts, e.kind, e.channel, e.line, p.hash AS prev FROM entries e
       LEFT JOIN entries p ON p.station = e.station AND p.seq = e.seq - 1
       WHERE ${where} ORDER BY e.ts, e.station, e.seq LIMIT $${values.length}`,
      values,
    );
    return rows.map((r) => ({ station: r.station, ...toStored(r, r.prev) }));
  }

  async feeds(): Promise<{ station: string; size: number }[]> {
    return this.q<{ station: string; size: number }>(
      'SELECT station, head_seq AS size FROM feeds ORDER BY ordinal',
    );
  }

  async addCheckpoint(cp: Checkpoint): Promise<void> {
    await this.q(INSERT_CHECKPOINT, checkpointValues(cp));
  }

  async checkpoints(station: string): Promise<Checkpoint[]> {
    const rows = await this.q<Checkpoint>(
      'SELECT station, size, root, ts, sig FROM checkpoints WHERE station = $1 ORDER BY size, ts',
      [station],
    );
    return rows.map(checkpointFromRow);
  }

  async latestCheckpoint(station: string): Promise<Checkpoint | null> {
    const [r] = await this.q<Checkpoint>(
      'SELECT station, size, root, ts, sig FROM checkpoints WHERE station = $1 ORDER BY size DESC, ts DESC LIMIT 1',
      [station],
    );
    return r ? checkpointFromRow(r) : null;
  }

  async peers(): Promise<PeerRecord[]> {
    const rows = await this.q<{
      name: string;
      station: string;
      key: string;
      urls: string;
      tls_cert: string | null;
      added: number;
    }>('SELECT name, station, key, urls, tls_cert, added FROM peers ORDER BY added, name');
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
    try {
      await this.q(
        'INSERT INTO peers (name, station, key, urls, tls_cert, added) VALUES ($1, $2, $3, $4, $5, $6)',
        [peer.name, peer.station, peer.key, JSON.stringify(peer.urls), peer.tlsCert, peer.added],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ParleyError(
          'PARLEY_E_PEER_EXISTS',
          `a peer named ${peer.name} or with station ${peer.station} is already paired`,
          { name: peer.name, station: peer.station },
        );
      }
      throw err;
    }
  }

  async addToken(token: TokenRecord): Promise<void> {
    await pgAddToken(this.run, token);
  }

  async tokenByHash(hash: string): Promise<TokenRecord | null> {
    return pgTokenByHash(this.run, hash);
  }

  async tokens(): Promise<TokenRecord[]> {
    return pgTokens(this.run);
  }

  async revokeToken(hash: string, at: number): Promise<boolean> {
    return pgRevokeToken(this.run, hash, at);
  }

  async auditAnchors(query: { after?: number; limit?: number } = {}): Promise<AuditAnchor[]> {
    return pgAuditAnchors(this.run, query);
  }

  async addAuditAnchor(anchor: AuditAnchor): Promise<void> {
    await pgAddAnchor(this.run, anchor);
  }

  async claimIdempotency(claim: IdempotencyClaim): Promise<IdempotencyState> {
    return pgClaimIdempotency((fn) => this.tx(fn), claim);
  }

  async finishIdempotency(
    owner: string,
    key: string,
    response: { status: number; body: string } | null,
  ): Promise<void> {
    await pgFinishIdempotency(this.run, owner, key, response);
  }

  async deleteExpiredIdempotency(now: number): Promise<number> {
    return pgDeleteExpiredIdempotency(this.run, now);
  }

  /** `q` as a function value, for the schema-5 helpers in pg-access.ts. */
  private readonly run = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    this.q<R>(text, values);

  // --- Operators (schema version 3) ---------------------------------------------------------

  async addUser(user: UserRecord): Promise<void> {
    try {
      await this.q(
        'INSERT INTO users (name, role, channels, password_hash, created, disabled) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          user.name,
          user.role,
          JSON.stringify(user.channels),
          user.passwordHash,
          user.created,
          user.disabled,
        ],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
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
    const [r] = await this.q<UserRow>(
      'SELECT name, role, channels, password_hash, created, disabled FROM users WHERE name = $1',
      [name],
    );
    return r ? userFromRow(r) : null;
  }

  async users(): Promise<UserRecord[]> {
    const rows = await this.q<UserRow>(
      'SELECT name, role, channels, password_hash, created, disabled FROM users ORDER BY name',
    );
    return rows.map(userFromRow);
  }

  async updateUser(
    name: string,
    patch: Partial<Pick<UserRecord, 'role' | 'channels' | 'passwordHash' | 'disabled'>>,
  ): Promise<boolean> {
    const columns: [string, unknown][] = [
      ['role', patch.role],
      ['channels', patch.channels === undefined ? undefined : JSON.stringify(patch.channels)],
      ['password_hash', patch.passwordHash],
      ['disabled', patch.disabled],
    ];
    const set = columns.filter((c) => c[1] !== undefined);
    if (set.length === 0) return (await this.user(name)) !== null;
    const rows = await this.q<{ name: string }>(
      `UPDATE users SET ${set.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE name = $${set.length + 1} RETURNING name`,
      [...set.map(([, v]) => v), name],
    );
    return rows.length > 0;
  }

  async addSession(session: SessionRecord): Promise<void> {
    await this.q(
      'INSERT INTO sessions (hash, user_name, csrf, created, expires) VALUES ($1, $2, $3, $4, $5)',
      [session.hash, session.user, session.csrf, session.created, session.expires],
    );
  }

  async sessionByHash(hash: string): Promise<SessionRecord | null> {
    const [r] = await this.q<SessionRecord>(
      'SELECT hash, user_name AS "user", csrf, created, expires FROM sessions WHERE hash = $1',
      [hash],
    );
    return r ?? null;
  }

  async deleteSession(hash: string): Promise<void> {
    await this.q('DELETE FROM sessions WHERE hash = $1', [hash]);
  }

  async deleteSessionsOf(user: string): Promise<number> {
    return (await this.q('DELETE FROM sessions WHERE user_name = $1 RETURNING hash', [user]))
      .length;
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.q('DELETE FROM sessions WHERE expires <= $1 RETURNING hash', [now])).length;
  }

  async appendAudit(
    record: AuditInput,
    anchor?: (seq: number, hash: string) => AuditAnchor,
  ): Promise<AuditRecord> {
    // Concurrent appends, from any process, chain one after another: the lock, then the head
    // read after it, in the round trip that begins the transaction.
    const first = [
      `SELECT pg_advisory_xact_lock(${LOCK_AUDIT.toString()})`,
      'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
    ];
    return this.tx(async (c, [, rHead]) => {
      const head = rHead!.rows[0] as { seq: number; hash: string } | undefined;
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
      await c.query(
        'INSERT INTO audit (seq, ts, actor, action, detail, prev, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [seq, out.ts, out.actor, out.action, JSON.stringify(out.detail), prev, out.hash],
      );
      if (anchor) {
        const a = anchor(seq, out.hash);
        await c.query(PG_INSERT_ANCHOR, [a.seq, a.hash, a.key, a.sig]);
      }
      return out;
    }, first);
  }

  async audit(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const values: unknown[] = [query.after ?? 0];
    const where = ['seq > $1'];
    if (query.actor !== undefined) {
      values.push(query.actor);
      where.push(`actor = $${values.length}`);
    }
    if (query.action !== undefined) {
      values.push(query.action);
      where.push(`action = $${values.length}`);
    }
    values.push(query.limit ?? null);
    const rows = await this.q<Omit<AuditRecord, 'detail'> & { detail: string }>(
      `SELECT seq, ts, actor, action, detail, prev, hash FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${values.length}`,
      values,
    );
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  // --- Leases (schema version 4) ------------------------------------------------------------

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    return this.tx(async (c) => {
      await c.query(
        'INSERT INTO leases (name, holder, token, expires) VALUES ($1, $2, 0, 0) ON CONFLICT (name) DO NOTHING',
        [name, ''],
      );
      // The row lock makes takeover and renewal wait for fenced writes in flight (FOR SHARE).
      const [r] = (
        await c.query<Lease>(
          `UPDATE leases SET
             token = CASE WHEN holder = $2 THEN token ELSE token + 1 END,
             holder = $2,
             expires = ${NOW_MS} + $3
           WHERE name = $1 AND (holder = $2 OR expires <= ${NOW_MS})
           RETURNING name, holder, token, expires`,
          [name, holder, ttlMs],
        )
      ).rows;
      return r ?? null;
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.q('UPDATE leases SET expires = 0 WHERE name = $1 AND holder = $2 AND token = $3', [
      lease.name,
      lease.holder,
      lease.token,
    ]);
  }

  async lease(name: string): Promise<Lease | null> {
    const [r] = await this.q<Lease>(
      'SELECT name, holder, token, expires FROM leases WHERE name = $1 AND token > 0',
      [name],
    );
    return r ?? null;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    this.pool = undefined;
    clearTimeout(this.reconnectTimer);
    this.appendListeners.clear();
    // Deliberate (closing): a listener that failed to start has nothing left to stop.
    await this.listening?.catch(() => undefined);
    const l = this.listener;
    this.listener = undefined;
    if (l) {
      l.removeAllListeners('end');
      // Deliberate (closing): the connection may already be gone; the pool below is what matters.
      await l.end().catch(() => undefined);
    }
    await pool.end();
  }
}

const INSERT_CHECKPOINT =
  'INSERT INTO checkpoints (station, size, ts, root, sig) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING';

function checkpointValues(cp: Checkpoint): [string, number, number, string, string] {
  return [checkpointFeed(cp), cp.size, cp.ts, cp.root, cp.sig];
}

/** The feed's head, its row locked until COMMIT (for `tx`'s first statements). */
function headSql(station: string): string {
  return `SELECT head_seq AS seq, head_hash AS hash, head_ts AS ts FROM feeds WHERE station = ${pg.escapeLiteral(station)} FOR UPDATE`;
}

function toHead(r: pg.QueryResult): FeedHead | null {
  return (r.rows[0] as FeedHead | undefined) ?? null;
}

/**
 * The fence's lease row, share-locked until COMMIT (for `tx`'s first statements): a takeover
 * waits for this write, and a write after a takeover sees it.
 */
function fenceSql(fence: Lease): string {
  return `SELECT name, holder, token, expires FROM leases WHERE name = ${pg.escapeLiteral(fence.name)} FOR SHARE`;
}

/** Refuses unless `fence` still holds the lease (same holder and token: nobody took it over since). */
function checkFence(fence: Lease, r: pg.QueryResult): void {
  const cur = r.rows[0] as Lease | undefined;
  if (!cur || cur.holder !== fence.holder || cur.token !== fence.token) {
    throw leaseLost(fence, cur ?? null);
  }
}

/** Applies the migrations not yet recorded, each once, under a lock so that processes starting together do not race. */
async function migrate(c: PoolClient, migrations: readonly Migration[]): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK_MIGRATE.toString()]);
  await c.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
  );
  const [r] = (
    await c.query<{ v: number | null }>('SELECT MAX(version)::bigint AS v FROM schema_migrations')
  ).rows;
  const current = r?.v ?? 0;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new ParleyError(
      'PARLEY_E_STORE_SCHEMA',
      `database schema version ${current} is newer than this program's ${latest}`,
      { current, latest },
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    await c.query(m.sql);
    await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      m.version,
      m.name,
      Date.now(),
    ]);
  }
}
