import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedVerifier, parseCheckpointLine, parseEntryLine } from '@parley/ledger';
import type { StationId } from '@parley/core';
import { makeVectors } from './vectors.js';

const published = JSON.parse(
  readFileSync(new URL('../../../docs/test-vectors/ledger-v1.json', import.meta.url), 'utf8'),
);

// Independent of our ledger code: raw node:crypto on the published bytes.
const rawVerify = (pub: string, data: string, sig: string) =>
  verify(
    null,
    Buffer.from(data, 'utf8'),
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub }, format: 'jwk' }),
    Buffer.from(sig, 'base64url'),
  );
const sha = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('published test vectors (docs/test-vectors/ledger-v1.json)', () => {
  it('the code reproduces the published file exactly', () => {
    expect(makeVectors()).toEqual(published);
  });

  it('hashes and signatures check out with raw node:crypto', () => {
    for (const e of published.entries) {
      expect(sha(Buffer.from(e.signing_bytes, 'utf8')).toString('hex')).toBe(e.hash);
      expect(rawVerify(published.keys[e.signer].public, e.signing_bytes, e.sig)).toBe(true);
      // RFC 9162 leaf hash over the 32-byte entry hash.
      expect(sha(Buffer.from([0]), Buffer.from(e.hash, 'hex')).toString('hex')).toBe(
        e.merkle_leaf_hash,
      );
      // The line is the signing bytes with "sig" added in sorted key position.
      const { sig, ...rest } = JSON.parse(e.line);
      expect(sig).toBe(e.sig);
      expect(rest).toEqual(JSON.parse(e.signing_bytes));
    }
    const leaves = published.entries.map((e: { merkle_leaf_hash: string }) =>
      Buffer.from(e.merkle_leaf_hash, 'hex'),
    );
    const n01 = sha(Buffer.from([1]), leaves[0], leaves[1]);
    const n23 = sha(Buffer.from([1]), leaves[2], leaves[3]);
    expect(sha(Buffer.from([1]), n01, n23).toString('hex')).toBe(
      published.entries[3].merkle_root_after,
    );
    expect(published.checkpoint.json.root).toBe(published.entries[3].merkle_root_after);
    expect(
      rawVerify(
        published.keys.key2.public,
        published.checkpoint.body,
        published.checkpoint.json.sig,
      ),
    ).toBe(true);
  });

  it('the feed verifier accepts the vector feed, key rotation included', () => {
    const v = new FeedVerifier(published.station as StationId);
    for (const e of published.entries) expect(v.push(parseEntryLine(e.line))).toBe(e.hash);
    v.checkCheckpoint(parseCheckpointLine(JSON.stringify(published.checkpoint.json)));
    expect(v.keys.map((k) => k.key)).toEqual([
      published.keys.key1.public,
      published.keys.key2.public,
    ]);
    expect(v.keys).toEqual([
      { key: published.keys.key1.public, from: 1, to: 3 },
      { key: published.keys.key2.public, from: 4, to: null },
    ]);
  });
});

describe('sealed entry lines', () => {
  it('are exactly the RFC 8785 canonical JSON of the signed entry, whatever the body holds', async () => {
    const fc = (await import('fast-check')).default;
    const { canonicalize, sealEntry, signerFromSeed, stationIdFromKey, GENESIS_PREV } =
      await import('@parley/ledger');
    const { seedOf } = await import('./vectors.js');
    const signer = signerFromSeed(seedOf('line property'));
    const station = stationIdFromKey(signer.publicKey);
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.option(fc.constantFrom('ops', 'a.b-c'), { nil: undefined }),
        (body, channel) => {
          // A body that itself mentions ,"station":" must not confuse the splice.
          const b = { ...body, trick: ',"station":"x', station: 'stn_x' } as Record<
            string,
            unknown
          >;
          const unsigned = {
            v: 1 as const,
            station,
            seq: 7,
            prev: GENESIS_PREV,
            ts: 1,
            kind: 'message',
            body: JSON.parse(JSON.stringify(b)),
            ...(channel ? { channel } : {}),
          };
          const sealed = sealEntry(unsigned, signer);
          expect(sealed.line).toBe(canonicalize(sealed.entry));
        },
      ),
      { numRuns: 200 },
    );
  });
});
