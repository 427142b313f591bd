// Hostile feeds that move a station onto a small-order key. Built with raw node:crypto and the
// RFC 8785 canonical JSON (PROTOCOL.md §2.1), not with the ledger's sealing helpers, so the test
// shows what any peer could send and that node:crypto alone would accept it.
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StationId } from '@parley/core';
import { FeedVerifier, canonicalBytes, parseEntry } from '@parley/ledger';
import type { Entry } from '@parley/ledger';

const IDENTITY_KEY = Buffer.from(`01${'00'.repeat(31)}`, 'hex').toString('base64url');
/** R = identity (0100…00), S = 0: with A = identity, [S]B = R + [k]A holds for every message. */
const FORGED_SIG = Buffer.from(`01${'00'.repeat(63)}`, 'hex');

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const jwkKey = (x: string): KeyObject =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });

/** §1: stn_ + 24 hex digits of SHA-256("parley-station-id/v1" ‖ 0x00 ‖ raw genesis key). */
function stationOf(key: string): StationId {
  const h = createHash('sha256')
    .update('parley-station-id/v1\0')
    .update(Buffer.from(key, 'base64url'))
    .digest('hex');
  return `stn_${h.slice(0, 24)}` as StationId;
}

/** Signs `unsigned` (signing bytes = canonical JSON without sig) and returns the entry and its hash. */
function seal(
  unsigned: Omit<Entry, 'sig'>,
  signWith: (bytes: Uint8Array) => Uint8Array,
): { entry: Entry; hash: string } {
  const bytes = canonicalBytes(unsigned);
  const entry = parseEntry({ ...unsigned, sig: b64url(signWith(bytes)) });
  return { entry, hash: createHash('sha256').update(bytes).digest('hex') };
}

const proofText = (station: string, seq: number, next: string): Buffer =>
  Buffer.from(`parley-key-rotation/v1\n${station}\n${seq}\n${next}\n`, 'utf8');

const T0 = Date.UTC(2018, 8, 30, 14, 2, 0);

describe('a feed rotating onto a small-order key', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const genesisKey = publicKey.export({ format: 'jwk' }).x!;
  const station = stationOf(genesisKey);
  const genesis = seal(
    {
      v: 1,
      station,
      seq: 1,
      prev: '0'.repeat(64),
      ts: T0,
      kind: 'genesis',
      body: { name: 'Hostile', key: genesisKey },
    },
    (bytes) => sign(null, bytes, privateKey),
  );
  // Signed by the station's real current key: the feed itself is well formed.
  const rotation = seal(
    {
      v: 1,
      station,
      seq: 2,
      prev: genesis.hash,
      ts: T0 + 1000,
      kind: 'key-rotation',
      body: { next: IDENTITY_KEY, proof: b64url(FORGED_SIG) },
    },
    (bytes) => sign(null, bytes, privateKey),
  );
  // After it, anyone can write entries "from" the station: no private key is involved.
  const forgery = seal(
    {
      v: 1,
      station,
      seq: 3,
      prev: rotation.hash,
      ts: T0 + 2000,
      kind: 'message',
      channel: 'ops',
      body: { precedence: 'FLASH', text: 'written by someone else' },
    },
    () => FORGED_SIG,
  );

  it('the attack is real: node:crypto verifies the proof and the forged entry', () => {
    const identity = jwkKey(IDENTITY_KEY);
    expect(verify(null, proofText(station, 2, IDENTITY_KEY), identity, FORGED_SIG)).toBe(true);
    expect(verify(null, canonicalBytes(withoutSig(forgery.entry)), identity, FORGED_SIG)).toBe(
      true,
    );
    expect(
      verify(
        null,
        canonicalBytes(withoutSig(rotation.entry)),
        publicKey,
        Buffer.from(rotation.entry.sig, 'base64url'),
      ),
    ).toBe(true);
  });

  it('FeedVerifier refuses the rotation with PARLEY_E_KEY_ROTATION, saying why', () => {
    const v = new FeedVerifier(station);
    v.push(genesis.entry);
    let caught: unknown;
    try {
      v.push(rotation.entry);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      code: 'PARLEY_E_KEY_ROTATION',
      details: { seq: 2, keyCode: 'PARLEY_E_KEY_INVALID' },
    });
    expect((caught as Error).message).toMatch(/seq 2 rotates to a refused key: .*small order/);
    expect(v.size).toBe(1);
    expect(v.currentKey).toBe(genesisKey);
  });

  it('small-order, non-canonical, mixed-order and off-curve keys are refused as rotation targets', () => {
    const targets = {
      '0000000000000000000000000000000000000000000000000000000000000080': /small order/,
      c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a: /small order/,
      eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f: /non-canonical/,
      '0100000000000000000000000000000000000000000000000000000000000080': /non-canonical/,
      '3b5b475c4b82dd1572799fc546f4c6c03e478c6654aa4c7f945b347ea32af60d': /not of prime order/,
      '0200000000000000000000000000000000000000000000000000000000000000':
        /not a point on the curve/,
    };
    for (const [hex, why] of Object.entries(targets)) {
      const next = Buffer.from(hex, 'hex').toString('base64url');
      const r = seal(
        { ...withoutSig(rotation.entry), body: { next, proof: b64url(FORGED_SIG) } },
        (bytes) => sign(null, bytes, privateKey),
      );
      const v = new FeedVerifier(station);
      v.push(genesis.entry);
      expect(() => v.push(r.entry), hex).toThrow(why);
      expect(() => v.push(r.entry), hex).toThrow(
        expect.objectContaining({ code: 'PARLEY_E_KEY_ROTATION' }),
      );
    }
  });

  it('a genesis entry with a small-order key is refused with PARLEY_E_GENESIS, saying why', () => {
    // Its signature verifies under node:crypto: no private key needed.
    const hostile = stationOf(IDENTITY_KEY);
    const g = seal(
      {
        v: 1,
        station: hostile,
        seq: 1,
        prev: '0'.repeat(64),
        ts: T0,
        kind: 'genesis',
        body: { name: 'Nobody', key: IDENTITY_KEY },
      },
      () => FORGED_SIG,
    );
    expect(
      verify(null, canonicalBytes(withoutSig(g.entry)), jwkKey(IDENTITY_KEY), FORGED_SIG),
    ).toBe(true);
    const v = new FeedVerifier(hostile);
    expect(() => v.push(g.entry)).toThrow(
      expect.objectContaining({
        code: 'PARLEY_E_GENESIS',
        message: expect.stringMatching(/genesis key refused: .*small order/),
      }),
    );
    expect(v.size).toBe(0);
  });

  it('the same feed with an honest rotation verifies (control)', () => {
    const next = generateKeyPairSync('ed25519');
    const nextKey = next.publicKey.export({ format: 'jwk' }).x!;
    const honest = seal(
      {
        ...withoutSig(rotation.entry),
        body: {
          next: nextKey,
          proof: b64url(sign(null, proofText(station, 2, nextKey), next.privateKey)),
        },
      },
      (bytes) => sign(null, bytes, privateKey),
    );
    const v = new FeedVerifier(station);
    v.push(genesis.entry);
    v.push(honest.entry);
    expect(v.currentKey).toBe(nextKey);
  });
});

function withoutSig(entry: Entry): Omit<Entry, 'sig'> {
  const { sig: _sig, ...rest } = entry;
  return rest;
}
