import type { Database as Db } from 'better-sqlite3';
import type { AuditAnchor, IdempotencyClaim, IdempotencyState, TokenRecord } from './store.js';

// Schema version 5 for SQLite: token expiry and revocation, audit anchors, idempotency keys.
// Kept beside sqlite-store.ts so that file stays readable.

const TOKEN_COLUMNS = 'hash, role, label, created, expires, revoked';

export function sqliteAddToken(db: Db, t: TokenRecord): void {
  db.prepare(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`).run(
    t.hash,
    t.role,
    t.label,
    t.created,
    t.expires ?? null,
    t.revoked ?? null,
  );
}

export function sqliteTokenByHash(db: Db, hash: string): TokenRecord | null {
  return (
    (db.prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ?`).get(hash) as
      TokenRecord | undefined) ?? null
  );
}

export function sqliteTokens(db: Db): TokenRecord[] {
  return db
    .prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created, hash`)
    .all() as TokenRecord[];
}

export function sqliteRevokeToken(db: Db, hash: string, at: number): boolean {
  return (
    db.prepare('UPDATE tokens SET revoked = ? WHERE hash = ? AND revoked IS NULL').run(at, hash)
      .changes > 0
  );
}

export function sqliteInsertAnchor(db: Db, a: AuditAnchor): void {
  db.prepare('INSERT OR IGNORE INTO audit_anchors (seq, hash, key, sig) VALUES (?, ?, ?, ?)').run(
    a.seq,
    a.hash,
    a.key,
    a.sig,
  );
}

export function sqliteAuditAnchors(db: Db, q: { after?: number; limit?: number }): AuditAnchor[] {
  return db
    .prepare('SELECT seq, hash, key, sig FROM audit_anchors WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(q.after ?? 0, q.limit ?? -1) as AuditAnchor[];
}

interface IdemRow {
  fingerprint: string;
  status: number | null;
  response: string | null;
  created: number;
  expires: number;
}

export function sqliteClaimIdempotency(db: Db, c: IdempotencyClaim): IdempotencyState {
  return db
    .transaction((): IdempotencyState => {
      const row = db
        .prepare(
          'SELECT fingerprint, status, response, created, expires FROM idempotency WHERE owner = ? AND key = ?',
        )
        .get(c.owner, c.key) as IdemRow | undefined;
      const live =
        row && row.expires > c.now && (row.status !== null || row.created > c.now - c.staleMs);
      if (row && live) {
        return row.status !== null
          ? {
              state: 'done',
              fingerprint: row.fingerprint,
              status: row.status,
              response: row.response ?? '',
            }
          : { state: 'in-flight', fingerprint: row.fingerprint };
      }
      db.prepare(
        `INSERT INTO idempotency (owner, key, fingerprint, status, response, created, expires)
         VALUES (?, ?, ?, NULL, NULL, ?, ?)
         ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint,
           status = NULL, response = NULL, created = excluded.created, expires = excluded.expires`,
      ).run(c.owner, c.key, c.fingerprint, c.now, c.expires);
      return { state: 'claimed' };
    })
    .immediate();
}

export function sqliteFinishIdempotency(
  db: Db,
  owner: string,
  key: string,
  response: { status: number; body: string } | null,
): void {
  if (response === null) {
    db.prepare('DELETE FROM idempotency WHERE owner = ? AND key = ? AND status IS NULL').run(
      owner,
      key,
    );
  } else {
    db.prepare('UPDATE idempotency SET status = ?, response = ? WHERE owner = ? AND key = ?').run(
      response.status,
      response.body,
      owner,
      key,
    );
  }
}

export function sqliteDeleteExpiredIdempotency(db: Db, now: number): number {
  return db.prepare('DELETE FROM idempotency WHERE expires <= ?').run(now).changes;
}
