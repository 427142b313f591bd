import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isParleyError } from '@parley/core';
import type { PublicKeyB64 } from '@parley/core';
import {
  isAcceptablePublicKey,
  parsePublicKey,
  publicKeyProblem,
  verifySignature,
} from '@parley/ledger';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const b64 = (h: string): string => Buffer.from(h, 'hex').toString('base64url');

/** 32-byte little-endian encoding of y with the sign bit of x. */
function encode(y: bigint, sign: 0 | 1): string {
  const b = Buffer.alloc(32);
  for (let i = 0, t = y; i < 32; i++, t >>= 8n) b[i] = Number(t & 0xffn);
  if (sign) b[31]! |= 0x80;
  return b.toString('hex');
}

// The 8 points of small order (the 8-torsion of edwards25519) in their canonical encodings, and
// the 6 non-canonical encodings of some of them: y + p for y = 0 and y = 1 (the only torsion y
// values below 19, so the only ones with a second spelling < 2^255), and x = 0 with the sign bit
// set. These are the 14 small-order encodings listed in Chalkias, Garillot, Nikolaenko, "Taming
// the many EdDSAs" (2020) and in the Zcash ZIP 215 / ed25519-zebra test vectors. Derived by hand
// (the canonical ones as [L]Q for random points Q, which always lands in the 8-torsion; the
// non-canonical ones from the encoding rules) and checked below against @noble/curves.
const SMALL_ORDER_CANONICAL = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (order 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, −1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // (√−1·…, 0), order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // its negation, order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];
const SMALL_ORDER_NON_CANONICAL = [
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, x = 0 signed
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // order 2, x = 0 signed
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p ≡ 0, order 4
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = p ≡ 0, order 4
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1 ≡ 1, identity
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = p + 1, x = 0 signed
];
const SMALL_ORDER = [...SMALL_ORDER_CANONICAL, ...SMALL_ORDER_NON_CANONICAL];

// RFC 8032 §7.1 TEST 1 public key: a valid key of prime order.
const RFC8032_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
// That key plus a torsion point (computed with @noble/curves, checked below): on the curve,
// canonical, not small order, but [L]A ≠ identity. A mixed-order key lets a signer make
// signatures that cofactored and cofactorless verifiers disagree on.
const MIXED_ORDER = [
  '3b5b475c4b82dd1572799fc546f4c6c03e478c6654aa4c7f945b347ea32af60d', // + order-8 point 26e8…05
  '16a567fe7d4ef5482ab4012c369bf8c5f11e8d0c2559dcda50fde59708f8aee5', // + order-2 point ecff…7f
  '40c7570f4dd54835b9131184410ed4a0cc93e7d9ad053cbc6d07a62426999582', // + order-4 point 0000…00
];
// y = 2 has no x on the curve (x² = (y² − 1)/(d·y² + 1) is not a square mod p).
const OFF_CURVE = '0200000000000000000000000000000000000000000000000000000000000000';

/** The oracle: @noble/curves with strict RFC 8032 decoding (zip215 = false). */
function nobleAccepts(raw: Uint8Array): boolean {
  try {
    const p = ed25519.Point.fromBytes(raw, false);
    return p.isTorsionFree() && !p.isSmallOrder();
  } catch {
    return false;
  }
}

const rawPublicKey = (key: ReturnType<typeof createPublicKey>): Uint8Array =>
  new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const publicKeyFromSeed = (seed: Uint8Array): Uint8Array =>
  rawPublicKey(
    createPublicKey(
      createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
    ),
  );

/** The message of the coded error `parsePublicKey` throws for `text`; fails if it accepts it. */
function refusedWith(text: unknown, code: string): string {
  try {
    parsePublicKey(text);
  } catch (err) {
    if (isParleyError(err)) {
      expect(err.code, String(text)).toBe(code);
      return err.message;
    }
    throw err;
  }
  throw new Error(`${String(text)} was accepted`);
}

describe('Ed25519 public key check', () => {
  it('refuses the 8 small-order points in all 14 encodings', () => {
    for (const h of SMALL_ORDER_CANONICAL) {
      expect(publicKeyProblem(hex(h)), h).toBe('is a point of small order');
    }
    expect(publicKeyProblem(hex(SMALL_ORDER_NON_CANONICAL[0]!))).toMatch(/x = 0 with the sign/);
    expect(publicKeyProblem(hex(SMALL_ORDER_NON_CANONICAL[1]!))).toMatch(/x = 0 with the sign/);
    for (const h of SMALL_ORDER_NON_CANONICAL.slice(2)) {
      expect(publicKeyProblem(hex(h)), h).toMatch(/y ≥ 2\^255 − 19/);
    }
    for (const h of SMALL_ORDER) {
      expect(isAcceptablePublicKey(hex(h)), h).toBe(false);
      expect(refusedWith(b64(h), 'PARLEY_E_KEY_INVALID')).toContain(b64(h));
    }
  });

  it('the small-order list is right: noble decodes each (ZIP 215 rules) to a small-order point', () => {
    const points = new Set<string>();
    for (const h of SMALL_ORDER) {
      const p = ed25519.Point.fromBytes(hex(h), true);
      expect(p.isSmallOrder(), h).toBe(true);
      points.add(p.toHex());
    }
    expect([...points].sort()).toEqual([...SMALL_ORDER_CANONICAL].sort());
    // …and strict decoding refuses exactly the non-canonical ones.
    for (const h of SMALL_ORDER_NON_CANONICAL) {
      expect(() => ed25519.Point.fromBytes(hex(h), false), h).toThrow();
    }
  });

  it('node:crypto alone takes every one of them as a key (why the check is needed)', () => {
    for (const h of [...SMALL_ORDER, ...MIXED_ORDER, OFF_CURVE]) {
      expect(() =>
        createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(h) }, format: 'jwk' }),
      ).not.toThrow();
    }
  });

  it('refuses mixed-order keys (a prime-order key plus a torsion point)', () => {
    expect(publicKeyProblem(hex(RFC8032_KEY))).toBeUndefined();
    const A = ed25519.Point.fromHex(RFC8032_KEY);
    const torsion = [
      SMALL_ORDER_CANONICAL[4]!,
      SMALL_ORDER_CANONICAL[1]!,
      SMALL_ORDER_CANONICAL[2]!,
    ];
    MIXED_ORDER.forEach((h, i) => {
      expect(A.add(ed25519.Point.fromHex(torsion[i]!)).toHex()).toBe(h);
      expect(publicKeyProblem(hex(h)), h).toBe('has a small-order component (not of prime order)');
      expect(refusedWith(b64(h), 'PARLEY_E_KEY_INVALID')).toMatch(/not of prime order/);
    });
  });

  it('refuses every encoding with y ≥ p, whatever point y − p would be', () => {
    for (let y = P; y < 2n ** 255n; y++) {
      for (const s of [0, 1] as const) {
        const h = encode(y, s);
        expect(publicKeyProblem(hex(h)), h).toBe('is a non-canonical encoding (y ≥ 2^255 − 19)');
      }
    }
    // y = p + 3 would decode (non-strictly) to a point on the curve.
    expect(() => ed25519.Point.fromBytes(hex(encode(P + 3n, 0)), true)).not.toThrow();
  });

  it('refuses a point not on the curve', () => {
    expect(publicKeyProblem(hex(OFF_CURVE))).toBe('is not a point on the curve');
    expect(refusedWith(b64(OFF_CURVE), 'PARLEY_E_KEY_INVALID')).toMatch(/not a point on the curve/);
  });

  it('refuses what is not 32 bytes of base64url with PARLEY_E_BAD_PUBLIC_KEY', () => {
    expect(publicKeyProblem(new Uint8Array(31))).toBe('is 31 bytes, not 32');
    for (const text of ['not-a-key', b64(RFC8032_KEY).slice(0, 42), `${b64(RFC8032_KEY)}=`, 42]) {
      refusedWith(text, 'PARLEY_E_BAD_PUBLIC_KEY');
    }
    expect(parsePublicKey(b64(RFC8032_KEY))).toBe(b64(RFC8032_KEY));
  });

  it('accepts every key node:crypto derives from a seed (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const raw = publicKeyFromSeed(seed);
        expect(publicKeyProblem(raw)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('accepts every key generateKeyPairSync makes', () => {
    for (let i = 0; i < 100; i++) {
      const { publicKey } = generateKeyPairSync('ed25519');
      const raw = rawPublicKey(publicKey);
      expect(publicKeyProblem(raw)).toBeUndefined();
      expect(parsePublicKey(Buffer.from(raw).toString('base64url'))).toBeDefined();
    }
  });

  it('agrees with @noble/curves on random 32-byte strings', () => {
    let accepted = 0;
    for (let i = 0; i < 1000; i++) {
      const raw = new Uint8Array(randomBytes(32));
      const mine = isAcceptablePublicKey(raw);
      expect(mine, Buffer.from(raw).toString('hex')).toBe(nobleAccepts(raw));
      if (mine) accepted++;
    }
    // About half of all y decode, and 1 in 8 of those has prime order.
    expect(accepted).toBeGreaterThan(20);
  });

  it('agrees with @noble/curves on valid keys with a torsion point added', () => {
    const torsion = SMALL_ORDER_CANONICAL.map((h) => ed25519.Point.fromHex(h));
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 7 }),
        (seed, t) => {
          const key = ed25519.Point.fromBytes(publicKeyFromSeed(seed));
          const raw = key.add(torsion[t]!).toBytes();
          const mine = isAcceptablePublicKey(raw);
          expect(mine).toBe(nobleAccepts(raw));
          expect(mine).toBe(t === 0); // only adding the identity leaves a prime-order key
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Ed25519 signatures under node:crypto', () => {
  const msg = Buffer.from('parley');
  const withS = (sig: Uint8Array, s: bigint): Buffer => {
    const out = Buffer.from(sig);
    Buffer.from(encode(s, 0), 'hex').copy(out, 32);
    return out;
  };
  const sOf = (sig: Uint8Array): bigint =>
    BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`);

  it('refuses a signature whose S is not below L (OpenSSL checks it; verifySignature inherits it)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = Buffer.from(rawPublicKey(publicKey)).toString('base64url') as PublicKeyB64;
    const sig = sign(null, msg, privateKey);
    expect(verify(null, msg, publicKey, sig)).toBe(true);
    expect(verifySignature(key, msg, sig)).toBe(true);
    // S + L is the same scalar mod L: a verifier that reduced S would accept it.
    const malleated = withS(sig, sOf(sig) + L);
    expect(verify(null, msg, publicKey, malleated)).toBe(false);
    expect(verifySignature(key, msg, malleated)).toBe(false);
  });

  it('R = identity, S = 0 verifies under the identity key; S = L or a non-canonical R does not', () => {
    const identity = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: b64(SMALL_ORDER_CANONICAL[0]!) },
      format: 'jwk',
    });
    const forged = Buffer.from(`01${'00'.repeat(63)}`, 'hex');
    expect(verify(null, msg, identity, forged)).toBe(true);
    expect(verify(null, msg, identity, withS(forged, L))).toBe(false);
    // R is compared by its encoding: the non-canonical spellings of the identity never verify.
    for (const r of [SMALL_ORDER_NON_CANONICAL[0]!, SMALL_ORDER_NON_CANONICAL[4]!]) {
      expect(verify(null, msg, identity, Buffer.from(`${r}${'00'.repeat(32)}`, 'hex')), r).toBe(
        false,
      );
    }
    // verifySignature refuses the key itself, so the forgery fails there.
    expect(verifySignature(b64(SMALL_ORDER_CANONICAL[0]!) as PublicKeyB64, msg, forged)).toBe(
      false,
    );
  });
});
