/**
 * Versioned schema migrations. Each version is applied once, in order, inside a transaction,
 * and recorded in `schema_migrations`. The PostgreSQL store keeps its own SQL for the same
 * versions (types differ), and the shared contract suite holds both to the same behaviour.
 * Add a version to both lists: `pg-store.test.ts` checks that they name the same versions.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'feeds, checkpoints, meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE feeds (
        station  TEXT PRIMARY KEY,
        ordinal  INTEGER NOT NULL UNIQUE,
        head_seq INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        head_ts  INTEGER NOT NULL
      );
      CREATE TABLE entries (
        station TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        hash    BLOB NOT NULL,
        ts      INTEGER NOT NULL,
        kind    TEXT NOT NULL,
        channel TEXT,
        line    TEXT NOT NULL,
        PRIMARY KEY (station, seq)
      ) WITHOUT ROWID;
      CREATE INDEX entries_kind ON entries (station, kind, seq);
      CREATE TABLE checkpoints (
        station TEXT NOT NULL,
        size    INTEGER NOT NULL,
        ts      INTEGER NOT NULL,
        root    TEXT NOT NULL,
        sig     TEXT NOT NULL,
        PRIMARY KEY (station, size, ts, sig)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'peers, tokens, kind index',
    sql: `
      CREATE TABLE peers (
        name     TEXT PRIMARY KEY,
        station  TEXT NOT NULL UNIQUE,
        key      TEXT NOT NULL,
        urls     TEXT NOT NULL,
        tls_cert TEXT,
        added    INTEGER NOT NULL
      );
      CREATE TABLE tokens (
        hash    TEXT PRIMARY KEY,
        role    TEXT NOT NULL,
        label   TEXT NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE INDEX entries_by_kind ON entries (kind, channel, ts);
    `,
  },
  {
    version: 3,
    name: 'operators: users, sessions, audit log',
    sql: `
      CREATE TABLE users (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL,
        channels      TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created       INTEGER NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE sessions (
        hash    TEXT PRIMARY KEY,
        user    TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        csrf    TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user);
      CREATE INDEX sessions_expires ON sessions (expires);
      CREATE TABLE audit (
        seq    INTEGER PRIMARY KEY,
        ts     INTEGER NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev   TEXT NOT NULL,
        hash   TEXT NOT NULL
      );
      CREATE INDEX audit_actor ON audit (actor, seq);
      CREATE INDEX audit_action ON audit (action, seq);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 4,
    name: 'leases (high availability)',
    sql: `
      CREATE TABLE leases (
        name    TEXT PRIMARY KEY,
        holder  TEXT NOT NULL,
        token   INTEGER NOT NULL,
        expires INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'access: token expiry and revocation, signed audit anchors, idempotency keys',
    sql: `
      ALTER TABLE tokens ADD COLUMN expires INTEGER;
      ALTER TABLE tokens ADD COLUMN revoked INTEGER;
      CREATE TABLE audit_anchors (
        seq  INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        key  TEXT NOT NULL,
        sig  TEXT NOT NULL
      );
      CREATE TABLE idempotency (
        owner       TEXT NOT NULL,
        key         TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status      INTEGER,
        response    TEXT,
        created     INTEGER NOT NULL,
        expires     INTEGER NOT NULL,
        PRIMARY KEY (owner, key)
      );
      CREATE INDEX idempotency_expires ON idempotency (expires);
    `,
  },
];

/**
 * The same versions for PostgreSQL. Identifiers and meaning match the SQLite schema; types are
 * PostgreSQL's (BIGINT for seq and millisecond times, BYTEA for hashes, text in the "C"
 * collation so ordering is by code point as in SQLite). A test keeps the two lists in step.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'feeds, checkpoints, meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE feeds (
        station   TEXT COLLATE "C" PRIMARY KEY,
        ordinal   BIGINT NOT NULL UNIQUE,
        head_seq  BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        head_ts   BIGINT NOT NULL
      );
      CREATE TABLE entries (
        station TEXT COLLATE "C" NOT NULL,
        seq     BIGINT NOT NULL,
        hash    BYTEA NOT NULL,
        ts      BIGINT NOT NULL,
        kind    TEXT COLLATE "C" NOT NULL,
        channel TEXT COLLATE "C",
        line    TEXT NOT NULL,
        PRIMARY KEY (station, seq)
      );
      CREATE INDEX entries_kind ON entries (station, kind, seq);
      CREATE TABLE checkpoints (
        station TEXT COLLATE "C" NOT NULL,
        size    BIGINT NOT NULL,
        ts      BIGINT NOT NULL,
        root    TEXT NOT NULL,
        sig     TEXT NOT NULL,
        PRIMARY KEY (station, size, ts, sig)
      );
    `,
  },
  {
    version: 2,
    name: 'peers, tokens, kind index',
    sql: `
      CREATE TABLE peers (
        name     TEXT COLLATE "C" PRIMARY KEY,
        station  TEXT COLLATE "C" NOT NULL UNIQUE,
        key      TEXT NOT NULL,
        urls     TEXT NOT NULL,
        tls_cert TEXT,
        added    BIGINT NOT NULL
      );
      CREATE TABLE tokens (
        hash    TEXT PRIMARY KEY,
        role    TEXT NOT NULL,
        label   TEXT NOT NULL,
        created BIGINT NOT NULL
      );
      CREATE INDEX entries_by_kind ON entries (kind, channel, ts);
    `,
  },
  {
    version: 3,
    name: 'operators: users, sessions, audit log',
    sql: `
      CREATE TABLE users (
        name          TEXT COLLATE "C" PRIMARY KEY,
        role          TEXT NOT NULL,
        channels      TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created       BIGINT NOT NULL,
        disabled      BOOLEAN NOT NULL DEFAULT FALSE
      );
      CREATE TABLE sessions (
        hash      TEXT PRIMARY KEY,
        user_name TEXT COLLATE "C" NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        csrf      TEXT NOT NULL,
        created   BIGINT NOT NULL,
        expires   BIGINT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_name);
      CREATE INDEX sessions_expires ON sessions (expires);
      CREATE TABLE audit (
        seq    BIGINT PRIMARY KEY,
        ts     BIGINT NOT NULL,
        actor  TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        detail TEXT NOT NULL,
        prev   TEXT NOT NULL,
        hash   TEXT NOT NULL
      );
      CREATE INDEX audit_actor ON audit (actor, seq);
      CREATE INDEX audit_action ON audit (action, seq);
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_append_only();
      CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
    `,
  },
  {
    version: 4,
    name: 'leases (high availability)',
    sql: `
      CREATE TABLE leases (
        name    TEXT COLLATE "C" PRIMARY KEY,
        holder  TEXT NOT NULL,
        token   BIGINT NOT NULL,
        expires BIGINT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'access: token expiry and revocation, signed audit anchors, idempotency keys',
    sql: `
      ALTER TABLE tokens ADD COLUMN expires BIGINT;
      ALTER TABLE tokens ADD COLUMN revoked BIGINT;
      CREATE TABLE audit_anchors (
        seq  BIGINT PRIMARY KEY,
        hash TEXT NOT NULL,
        key  TEXT NOT NULL,
        sig  TEXT NOT NULL
      );
      CREATE TABLE idempotency (
        owner       TEXT COLLATE "C" NOT NULL,
        key         TEXT COLLATE "C" NOT NULL,
        fingerprint TEXT NOT NULL,
        status      INTEGER,
        response    TEXT,
        created     BIGINT NOT NULL,
        expires     BIGINT NOT NULL,
        PRIMARY KEY (owner, key)
      );
      CREATE INDEX idempotency_expires ON idempotency (expires);
    `,
  },
];
