import { fromBase64Url, toBase64Url, verifySignature } from '@parley/ledger';
import type { PublicKeyB64 } from '@parley/core';
import type { Signer } from '@parley/ledger';
import { AUDIT_GENESIS, auditAnchorBody, auditHash, keyHistory } from '@parley/store';
import type { AuditAnchor, AuditRecord, Store } from '@parley/store';

// The audit chain's anchors (ADR 0004): each record's hash is signed with the station's identity
// key when the record is appended. Anyone with write access to the database can recompute the
// SHA-256 chain after changing a record; nobody without the station's private key can re-sign it.

const utf8 = new TextEncoder();

/** What signs audit records: the station, and its current identity key's signer. */
export interface AuditAnchoring {
  station: string;
  /** The signer of the station's current identity key (it changes on key rotation). */
  signer: () => Signer;
}

/** The anchor function `Store.appendAudit` calls for each new record. */
export function anchorSigner(a: AuditAnchoring): (seq: number, hash: string) => AuditAnchor {
  return (seq, hash) => {
    const signer = a.signer();
    return {
      seq,
      hash,
      key: signer.publicKey,
      sig: toBase64Url(signer.sign(utf8.encode(auditAnchorBody(a.station, seq, hash)))),
    };
  };
}

/** Why an anchor does not vouch for a record, or null when it does. */
export function anchorProblem(
  station: string,
  keys: ReadonlySet<string>,
  record: AuditRecord,
  anchor: AuditAnchor | undefined,
): string | null {
  if (!anchor) return 'it has no station-key signature';
  if (anchor.hash !== record.hash) return 'its hash is not the one the station signed';
  if (!keys.has(anchor.key)) return "its signature is not by a key of the station's identity chain";
  const sig = fromBase64Url(anchor.sig);
  if (
    !sig ||
    !verifySignature(
      anchor.key as PublicKeyB64,
      utf8.encode(auditAnchorBody(station, record.seq, record.hash)),
      sig,
    )
  )
    return 'its station-key signature does not verify';
  return null;
}

/** Where an audit chain stops verifying: the first bad seq, or null if every record checks. */
export interface AuditVerification {
  /** Records that verified, from seq 1 on. */
  verified: number;
  firstInvalid: number | null;
  /** Why the first invalid record fails, naming it; null when all verify. */
  reason: string | null;
}

/**
 * Re-verifies records in seq order from the start (or from `start`): each must have the next
 * seq, name the previous record's hash as `prev`, and hash to `auditHash(prev, record)`.
 * Pure; returns the first seq that breaks the chain, or null.
 */
export function verifyAuditRecords(
  records: readonly AuditRecord[],
  start: { seq: number; hash: string } = { seq: 0, hash: AUDIT_GENESIS },
): number | null {
  let { seq, hash } = start;
  for (const r of records) {
    if (r.seq !== seq + 1 || r.prev !== hash || auditHash(hash, r) !== r.hash) return seq + 1;
    seq = r.seq;
    hash = r.hash;
  }
  return null;
}

/**
 * Remembers how far a store's chain was verified with signatures: while the record at that seq
 * still has that hash, every record up to it is unchanged (the chain commits to them), so only
 * the anchors after it need their signatures checked again.
 */
export interface AuditVerifyCache {
  seq: number;
  hash: string;
}

/**
 * Re-verifies the whole audit log, a page at a time: the hash chain and, with `anchoring`, that
 * every record carries a valid signature of its hash by a key of the station's identity chain.
 */
export async function verifyAuditLog(
  store: Store,
  anchoring?: { station: string; cache?: AuditVerifyCache },
  pageSize = 1000,
): Promise<AuditVerification> {
  const keys = anchoring
    ? new Set<string>((await keyHistory(store, anchoring.station)).keys.map((k) => k.key))
    : new Set<string>();
  const cache = anchoring?.cache;
  // Signatures already checked up to the cached record stay checked only if it is unchanged.
  let trusted = 0;
  if (cache && cache.seq > 0) {
    const [r] = await store.audit({ after: cache.seq - 1, limit: 1 });
    if (r && r.seq === cache.seq && r.hash === cache.hash) trusted = cache.seq;
  }
  let at = { seq: 0, hash: AUDIT_GENESIS };
  const bad = (seq: number, why: string): AuditVerification => ({
    verified: seq - 1,
    firstInvalid: seq,
    reason: `audit record ${seq}: ${why}`,
  });
  for (;;) {
    const page = await store.audit({ after: at.seq, limit: pageSize });
    if (page.length === 0) {
      if (cache && anchoring) Object.assign(cache, at);
      return { verified: at.seq, firstInvalid: null, reason: null };
    }
    const broken = verifyAuditRecords(page, at);
    if (broken !== null)
      return bad(broken, 'it does not chain to the record before it (changed, missing or moved)');
    const last = page[page.length - 1]!;
    if (anchoring && last.seq > trusted) {
      const anchors = new Map(
        (await store.auditAnchors({ after: at.seq, limit: page.length })).map((a) => [a.seq, a]),
      );
      for (const r of page) {
        if (r.seq <= trusted) continue;
        const problem = anchorProblem(anchoring.station, keys, r, anchors.get(r.seq));
        if (problem) return bad(r.seq, problem);
      }
    }
    at = { seq: last.seq, hash: last.hash };
  }
}
