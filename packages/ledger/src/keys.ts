import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  createHash,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import { fromBase64Url, toHex } from './hash.js';
import { isAcceptablePublicKey, publicKeyProblem } from './key-check.js';

/** Signs with one Ed25519 identity key. The private key never leaves the object. */
export interface Signer {
  readonly publicKey: PublicKeyB64;
  sign(data: Uint8Array): Uint8Array;
}

/** A new Ed25519 identity: PKCS#8 PEM private key (for a 0600 file) and its public key. */
export function generateIdentity(): { privatePem: string; publicKey: PublicKeyB64 } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKeyOf(publicKey),
  };
}

function publicKeyOf(key: KeyObject): PublicKeyB64 {
  const jwk = key.export({ format: 'jwk' });
  return jwk.x as PublicKeyB64;
}

/** A signer from a PKCS#8 PEM Ed25519 private key. */
export function signerFromPem(pem: string): Signer {
  const privateKey = createPrivateKey({ key: pem, format: 'pem' });
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ParleyError(
      'PARLEY_E_BAD_PUBLIC_KEY',
      `private key is ${privateKey.asymmetricKeyType}, not ed25519`,
      {},
    );
  }
  const publicKey = publicKeyOf(createPublicKey(privateKey));
  return {
    publicKey,
    sign: (data) => sign(null, data, privateKey),
  };
}

/**
 * Parses a base64url (no padding) raw 32-byte Ed25519 public key. Throws
 * `PARLEY_E_BAD_PUBLIC_KEY` naming the value when it is not base64url of 32 bytes, and
 * `PARLEY_E_KEY_INVALID` saying why when the 32 bytes are not an acceptable key
 * (`publicKeyProblem`: a non-canonical encoding, not on the curve, small or mixed order).
 */
export function parsePublicKey(text: unknown): PublicKeyB64 {
  const raw = typeof text === 'string' ? fromBase64Url(text) : undefined;
  if (!raw || raw.length !== 32) {
    throw new ParleyError(
      'PARLEY_E_BAD_PUBLIC_KEY',
      `public key ${JSON.stringify(text)} is not base64url of a 32-byte Ed25519 key`,
      { value: text },
    );
  }
  const problem = publicKeyProblem(raw);
  if (problem !== undefined) {
    throw new ParleyError('PARLEY_E_KEY_INVALID', `public key ${JSON.stringify(text)} ${problem}`, {
      value: text,
      problem,
    });
  }
  try {
    keyObject(text as PublicKeyB64, true);
  } catch (err) {
    throw new ParleyError(
      'PARLEY_E_BAD_PUBLIC_KEY',
      `public key ${JSON.stringify(text)} is not an Ed25519 key node:crypto accepts`,
      { value: text },
      { cause: err },
    );
  }
  return text as PublicKeyB64;
}

// KeyObject construction costs more than a verification; keep the few keys a process sees.
const keyCache = new Map<string, KeyObject>();

/** The `KeyObject` of a key; throws for a key `publicKeyProblem` refuses (unless `checked`). */
function keyObject(key: PublicKeyB64, checked = false): KeyObject {
  let obj = keyCache.get(key);
  if (!obj) {
    const raw = fromBase64Url(key);
    if (!checked && !(raw && isAcceptablePublicKey(raw))) throw new Error(`refused key ${key}`);
    obj = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key }, format: 'jwk' });
    if (keyCache.size > 1024) keyCache.clear();
    keyCache.set(key, obj);
  }
  return obj;
}

/**
 * Ed25519 verification (RFC 8032, cofactorless, by `node:crypto`) that never throws: false for
 * a bad length, a bad signature, or a key `publicKeyProblem` refuses. A signature whose S is not
 * below the group order L is refused by OpenSSL itself (tested in key-check.test.ts).
 */
export function verifySignature(
  key: PublicKeyB64,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, data, keyObject(key), signature);
  } catch {
    return false;
  }
}

/** Raw 32 bytes of a public key (assumes a key that `parsePublicKey` accepted). */
function rawKey(key: PublicKeyB64): Uint8Array {
  const raw = fromBase64Url(key);
  if (!raw || raw.length !== 32) {
    throw new ParleyError(
      'PARLEY_E_BAD_PUBLIC_KEY',
      `public key ${JSON.stringify(key)} is not 32 bytes`,
      { value: key },
    );
  }
  return raw;
}

/**
 * A station's self-certifying id: `stn_` + the first 24 hex digits of
 * SHA-256("parley-station-id/v1" ‖ 0x00 ‖ genesis public key). Anyone can check that a feed's
 * genesis key yields its station id.
 */
export function stationIdFromKey(key: PublicKeyB64): StationId {
  const h = createHash('sha256').update('parley-station-id/v1\0').update(rawKey(key)).digest();
  return `stn_${toHex(h).slice(0, 24)}` as StationId;
}

/** Short id of a key, used to name its private key file: 16 hex digits of SHA-256(raw key). */
export function keyId(key: PublicKeyB64): string {
  return toHex(createHash('sha256').update(rawKey(key)).digest()).slice(0, 16);
}

const SAFETY_ITERATIONS = 5200;
const SAFETY_VERSION = new Uint8Array([0, 1]);

/**
 * A safety number to read aloud over another channel, after Signal's: SHA-512 iterated 5,200
 * times over (version ‖ key), then the first 60 bytes as 12 big-endian 40-bit chunks, each
 * mod 100000, as 12 groups of 5 digits.
 */
export function safetyNumber(key: PublicKeyB64): string {
  const raw = rawKey(key);
  let hash: Uint8Array = createHash('sha512').update(SAFETY_VERSION).update(raw).digest();
  for (let i = 0; i < SAFETY_ITERATIONS; i++) {
    hash = createHash('sha512').update(hash).update(raw).digest();
  }
  const groups: string[] = [];
  for (let g = 0; g < 12; g++) {
    let n = 0;
    for (let b = 0; b < 5; b++) n = n * 256 + hash[g * 5 + b]!;
    groups.push(String(n % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 private key (seed): a fixed 16-byte DER prefix.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A signer from a raw 32-byte Ed25519 seed. Ed25519 signatures are deterministic, so a fixed
 * seed gives fixed signatures: this is how the published test vectors are made.
 */
export function signerFromSeed(seed: Uint8Array): Signer {
  if (seed.length !== 32) {
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `an Ed25519 seed is 32 bytes, not ${seed.length}`,
      { length: seed.length },
    );
  }
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  return signerFromPem(
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
      .export({ format: 'pem', type: 'pkcs8' })
      .toString(),
  );
}
