// Emergency key rotation (PROTOCOL §2.2, §2.3 item 7, §5): signed by the new key itself, accepted
// only on a re-pin of exactly that key; offline, a key-repin entry in another feed or --key.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FeedVerifier,
  GENESIS_PREV,
  KIND,
  rotationProofBytes,
  sealEntry,
  signCheckpoint,
  signerFromSeed,
  stationIdFromKey,
  toBase64Url,
  toHex,
  verifyBundle,
  MerkleTree,
  MANIFEST_FORMAT,
  signManifest,
  utf8,
  leafHash,
} from '@parley/ledger';
import type { SealedEntry, Signer } from '@parley/ledger';
import type { PublicKeyB64, StationId } from '@parley/core';

const seed = (label: string) => createHash('sha256').update(label).digest();

/** A feed sealed by hand: genesis, a message, an emergency rotation, a message under the new key. */
function feed(
  name: string,
  first: Signer,
  next: Signer,
  extra: (station: string) => object[] = () => [],
) {
  const station = stationIdFromKey(first.publicKey);
  const out: SealedEntry[] = [];
  let signer = first;
  const add = (kind: string, body: Record<string, unknown>, by = signer) => {
    const seq = out.length + 1;
    out.push(
      sealEntry(
        {
          v: 1,
          station,
          seq,
          prev: out[seq - 2]?.hash ?? GENESIS_PREV,
          ts: 1_538_316_120_000 + seq,
          kind,
          body,
        },
        by,
      ),
    );
  };
  add(KIND.genesis, { name, key: first.publicKey });
  add(KIND.message, { precedence: 'FLASH', text: 'before' });
  for (const b of extra(station)) add(KIND.keyRepin, b as Record<string, unknown>);
  if (next !== first) {
    const seq = out.length + 1;
    const proof = toBase64Url(next.sign(rotationProofBytes(station, seq, next.publicKey)));
    // Signed by the new key: the old one is compromised.
    add(KIND.keyRotation, { next: next.publicKey, proof, emergency: true }, next);
    signer = next;
    add(KIND.message, { precedence: 'FLASH', text: 'after' });
  }
  const tree = MerkleTree.fromLeafHashes(out.map((e) => leafHash(Buffer.from(e.hash, 'hex'))));
  const cp = signCheckpoint(
    station as StationId,
    out.length,
    toHex(tree.root()),
    1_538_316_130_000,
    signer,
  );
  return { station, entries: out, cp, signer };
}

function keysOf(f: ReturnType<typeof feed>, name: string) {
  const v = new FeedVerifier(f.station as StationId);
  v.acceptEmergency = () => true;
  for (const e of f.entries) v.push(e.entry);
  return { name, keys: v.keys.map((k) => ({ ...k })) };
}

describe('emergency key rotation', () => {
  const old = signerFromSeed(seed('emergency old'));
  const next = signerFromSeed(seed('emergency next'));
  const other = signerFromSeed(seed('emergency other'));

  it('is refused without a re-pin (PARLEY_E_KEY_REPIN_REQUIRED), accepted with one of exactly that key', () => {
    const f = feed('Alpha', old, next);
    const plain = new FeedVerifier(f.station as StationId);
    expect(() => f.entries.forEach((e) => plain.push(e.entry))).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_KEY_REPIN_REQUIRED' }),
    );
    const wrong = new FeedVerifier(f.station as StationId);
    wrong.acceptEmergency = (k) => k === other.publicKey;
    expect(() => f.entries.forEach((e) => wrong.push(e.entry))).toThrow(
      expect.objectContaining({
        code: 'PARLEY_E_KEY_REPIN_REQUIRED',
        details: expect.objectContaining({ seq: 3 }),
      }),
    );
    const ok = new FeedVerifier(f.station as StationId);
    ok.acceptEmergency = (k) => k === next.publicKey;
    for (const e of f.entries) ok.push(e.entry);
    expect(ok.currentKey).toBe(next.publicKey);
    expect(ok.keys).toEqual([
      { key: old.publicKey, from: 1, to: 3 },
      { key: next.publicKey, from: 4, to: null },
    ]);
  });

  it('an emergency rotation signed by the old key is not one (the new key must sign it)', () => {
    const f = feed('Alpha', old, next);
    const bad = f.entries.slice(0, 2);
    const proof = toBase64Url(next.sign(rotationProofBytes(f.station, 3, next.publicKey)));
    bad.push(
      sealEntry(
        { ...f.entries[2]!.entry, body: { next: next.publicKey, proof, emergency: true } },
        old,
      ),
    );
    const v = new FeedVerifier(f.station as StationId);
    v.acceptEmergency = () => true;
    expect(() => bad.forEach((e) => v.push(e.entry))).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_ENTRY_SIGNATURE' }),
    );
  });

  it('offline: verifies with a key-repin in another feed, or with --key; fails without', async () => {
    const a = feed('Alpha', old, next);
    const bKey = signerFromSeed(seed('emergency bravo'));
    const b = feed('Bravo', bKey, bKey, () => [
      { station: a.station, key: next.publicKey, safety: '…', by: 'admin' },
    ]);
    const bNoRepin = feed('Bravo', bKey, bKey);
    // Bravo exports: the manifest is signed by its (only) key.
    const bundle = (other: ReturnType<typeof feed>) => {
      const feedsOf = [a, other];
      const v = (f: ReturnType<typeof feed>) => {
        const fv = new FeedVerifier(f.station as StationId);
        fv.acceptEmergency = () => true;
        for (const e of f.entries) fv.push(e.entry);
        return fv;
      };
      const manifest = signManifest(
        {
          format: MANIFEST_FORMAT,
          exporter: other.station as StationId,
          ts: 1_538_316_140_000,
          feeds: Object.fromEntries(
            feedsOf.map((f) => [
              f.station,
              { size: f.entries.length, root: v(f).rootHex(), checkpoints: 1 },
            ]),
          ),
        },
        bKey,
      );
      return {
        manifest: utf8.encode(JSON.stringify(manifest)),
        entries: [
          utf8.encode(
            feedsOf
              .flatMap((f) => f.entries)
              .map((e) => e.line + '\n')
              .join(''),
          ),
        ],
        checkpoints: utf8.encode(feedsOf.map((f) => JSON.stringify(f.cp) + '\n').join('')),
        keys: utf8.encode(
          JSON.stringify({
            format: 'parley-keys/1',
            stations: {
              [a.station]: keysOf(a, 'Alpha'),
              [other.station]: keysOf(other, 'Bravo'),
            },
          }),
        ),
      };
    };
    const withRepin = await verifyBundle(bundle(b));
    expect(withRepin.ok, JSON.stringify(withRepin)).toBe(true);
    const without = await verifyBundle(bundle(bNoRepin));
    expect(without).toMatchObject({
      ok: false,
      failure: { code: 'PARLEY_E_KEY_REPIN_REQUIRED', line: 3, seq: 3, station: a.station },
    });
    const pinned = await verifyBundle({
      ...bundle(bNoRepin),
      trustedKeys: [next.publicKey as PublicKeyB64, bKey.publicKey],
    });
    expect(pinned.ok, JSON.stringify(pinned)).toBe(true);
  });
});
