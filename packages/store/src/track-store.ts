/**
 * The track picture's store: the latest report of each unit, in its own SQLite file beside the
 * station's database (`tracks.sqlite`). Tracks are sensor data, not transcript: they arrive at
 * thousands a second from AIS and CoT, are superseded within seconds, and are never signed, so
 * they do not share the transcript database's `synchronous=FULL` commits (see ADR 0002).
 *
 * Several writers may share the file (a running station and `parley ais ingest`); each write
 * takes the next `version`, so a reader polls `since(version)` for what changed. A report older
 * than the one held for its unit is ignored; a missing name never erases a known one.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { ParleyError } from '@parley/core';
import type { TrackRecord } from '@parley/core';

export interface TrackChanges {
  /** Pass this back to `since` for the next changes. */
  version: number;
  tracks: TrackRecord[];
}

/** The track store a station and its tools share. */
export interface TrackStore {
  /** Upserts reports; a report older than the held one for its unit is ignored. Returns how many changed. */
  put(tracks: readonly TrackRecord[]): number;
  /** Names units (AIS static data, an operator's label) without a position report. */
  name(names: readonly { id: string; name: string }[]): number;
  /** Tracks changed after `version`, oldest change first. */
  since(version: number): TrackChanges;
  /** Removes tracks last reported before `before` (ms); returns how many. */
  prune(before: number): number;
  count(): number;
  /** A setting of the track picture (e.g. the AIS party map), as JSON text; undefined if unset. */
  config(key: string): string | undefined;
  setConfig(key: string, value: string): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tracks (
  id TEXT PRIMARY KEY,
  name TEXT,
  at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tracks_version ON tracks (version);
CREATE TABLE IF NOT EXISTS track_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
INSERT OR IGNORE INTO track_meta (k, v) VALUES ('version', 0);
CREATE TABLE IF NOT EXISTS track_config (k TEXT PRIMARY KEY, v TEXT NOT NULL);
`;

/** The record without its id, name and time, which have their own columns. */
type Data = Omit<TrackRecord, 'id' | 'name' | 'at'>;

/** SQLite track store (WAL, `synchronous=NORMAL`: a lost last second of sensor data is harmless). */
export class SqliteTrackStore implements TrackStore {
  private readonly db: Db;
  private readonly upsert: Statement;
  private readonly rename: Statement;
  private readonly bump: Statement;
  private readonly select: Statement;

  constructor(file: string) {
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (err) {
      throw new ParleyError(
        'PARLEY_E_STATION_CORRUPT',
        `cannot open the track store ${file}: ${(err as Error).message}`,
        { file },
      );
    }
    this.upsert = this.db.prepare(
      `INSERT INTO tracks (id, name, at, version, data) VALUES (@id, @name, @at, @version, @data)
       ON CONFLICT (id) DO UPDATE SET
         name = COALESCE(excluded.name, tracks.name), at = excluded.at,
         version = excluded.version, data = excluded.data
       WHERE excluded.at >= tracks.at`,
    );
    this.rename = this.db.prepare(
      `UPDATE tracks SET name = @name, version = @version WHERE id = @id AND name IS NOT @name`,
    );
    this.bump = this.db.prepare(`UPDATE track_meta SET v = v + 1 WHERE k = 'version' RETURNING v`);
    this.select = this.db.prepare(
      `SELECT id, name, at, version, data FROM tracks WHERE version > ? ORDER BY version, id`,
    );
  }

  put(tracks: readonly TrackRecord[]): number {
    if (tracks.length === 0) return 0;
    return this.db
      .transaction(() => {
        const version = (this.bump.get() as { v: number }).v;
        let changed = 0;
        for (const t of tracks) {
          const { id, name, at, ...data } = t;
          const d: Data = data;
          changed += this.upsert.run({ id, name, at, version, data: JSON.stringify(d) }).changes;
        }
        return changed;
      })
      .immediate();
  }

  name(names: readonly { id: string; name: string }[]): number {
    if (names.length === 0) return 0;
    return this.db
      .transaction(() => {
        const version = (this.bump.get() as { v: number }).v;
        let changed = 0;
        for (const n of names) changed += this.rename.run({ ...n, version }).changes;
        return changed;
      })
      .immediate();
  }

  since(version: number): TrackChanges {
    const rows = this.select.all(version) as {
      id: string;
      name: string | null;
      at: number;
      version: number;
      data: string;
    }[];
    return {
      version: rows.length ? rows[rows.length - 1]!.version : version,
      tracks: rows.map((r) => ({
        id: r.id,
        name: r.name,
        at: r.at,
        ...(JSON.parse(r.data) as Data),
      })),
    };
  }

  prune(before: number): number {
    return this.db.prepare(`DELETE FROM tracks WHERE at < ?`).run(before).changes;
  }

  count(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM tracks`).get() as { n: number }).n;
  }

  config(key: string): string | undefined {
    const row = this.db.prepare(`SELECT v FROM track_config WHERE k = ?`).get(key) as
      { v: string } | undefined;
    return row?.v;
  }

  setConfig(key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO track_config (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`,
      )
      .run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
