/**
 * Versioned schema migrations. Each version is applied once, in order, inside a transaction,
 * and recorded in `schema_migrations`. The PostgreSQL store keeps its own SQL for the same
 * versions (types differ), and the shared contract suite holds both to the same behaviour.
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
];
