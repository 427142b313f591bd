import type pg from 'pg';
import type { AuditAnchor, IdempotencyClaim, IdempotencyState, TokenRecord } from './store.js';

// Schema version 5 for PostgreSQL: token expiry and revocation, audit anchors, idempotency keys.
// Kept beside pg-store.ts so that file stays readable; the store passes its query runners.

type Q = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;
type Tx = <T>(fn: (c: pg.PoolClient) => Promise<T>) => Promise<T>;

const TOKEN_COLUMNS = 'hash, role, label, created, expires, revoked';

export async function pgAddToken(q: Q, t: TokenRecord): Promise<void> {
  await q(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
    t.hash,
    t.role,
    t.label,
    t.created,
    t.expires ?? null,
    t.revoked ?? null,
  ]);
}

export async function pgTokenByHash(q: Q, hash: string): Promise<TokenRecord | null> {
  const [r] = await q<TokenRecord>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = $1`, [hash]);
  return r ?? null;
}

export async function pgTokens(q: Q): Promise<TokenRecord[]> {
  return q<TokenRecord>(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created, hash`);
}

export async function pgRevokeToken(q: Q, hash: string, at: number): Promise<boolean> {
  const rows = await q(
    'UPDATE tokens SET revoked = $1 WHERE hash = $2 AND revoked IS NULL RETURNING hash',
    [at, hash],
  );
  return rows.length > 0;
}

export const PG_INSERT_ANCHOR =
  'INSERT INTO audit_anchors (seq, hash, key, sig) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING';

export async function pgAddAnchor(q: Q, a: AuditAnchor): Promise<void> {
  await q(PG_INSERT_ANCHOR, [a.seq, a.hash, a.key, a.sig]);
}

export async function pgAuditAnchors(
  q: Q,
  query: { after?: number; limit?: number },
): Promise<AuditAnchor[]> {
  return q<AuditAnchor>(
    'SELECT seq, hash, key, sig FROM audit_anchors WHERE seq > $1 ORDER BY seq LIMIT $2',
    [query.after ?? 0, query.limit ?? null],
  );
}

interface IdemRow {
  fingerprint: string;
  status: number | null;
  response: string | null;
  created: number;
  expires: number;
}

export async function pgClaimIdempotency(tx: Tx, c: IdempotencyClaim): Promise<IdempotencyState> {
  return tx(async (client) => {
    // Insert-or-nothing first, so two processes claiming the same key meet on the row lock.
    await client.query(
      `INSERT INTO idempotency (owner, key, fingerprint, status, response, created, expires)
       VALUES ($1, $2, '', NULL, NULL, 0, 0) ON CONFLICT (owner, key) DO NOTHING`,
      [c.owner, c.key],
    );
    const { rows } = await client.query<IdemRow>(
      'SELECT fingerprint, status, response, created, expires FROM idempotency WHERE owner = $1 AND key = $2 FOR UPDATE',
      [c.owner, c.key],
    );
    const row = rows[0];
    const live =
      row &&
      Number(row.expires) > c.now &&
      (row.status !== null || Number(row.created) > c.now - c.staleMs);
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
    await client.query(
      `UPDATE idempotency SET fingerprint = $3, status = NULL, response = NULL, created = $4, expires = $5
       WHERE owner = $1 AND key = $2`,
      [c.owner, c.key, c.fingerprint, c.now, c.expires],
    );
    return { state: 'claimed' };
  });
}

export async function pgFinishIdempotency(
  q: Q,
  owner: string,
  key: string,
  response: { status: number; body: string } | null,
): Promise<void> {
  if (response === null) {
    await q('DELETE FROM idempotency WHERE owner = $1 AND key = $2 AND status IS NULL', [
      owner,
      key,
    ]);
  } else {
    await q('UPDATE idempotency SET status = $1, response = $2 WHERE owner = $3 AND key = $4', [
      response.status,
      response.body,
      owner,
      key,
    ]);
  }
}

export async function pgDeleteExpiredIdempotency(q: Q, now: number): Promise<number> {
  return (await q('DELETE FROM idempotency WHERE expires <= $1 RETURNING key', [now])).length;
}
