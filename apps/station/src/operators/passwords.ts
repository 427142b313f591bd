import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { ParleyError } from '@parley/core';

/** scrypt cost: N = 2^15, r = 8, p = 1 (about 32 MiB and tens of milliseconds per hash). */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** scrypt needs 128·N·r bytes; twice that leaves room. */
const maxmem = (N: number, r: number) => 256 * N * r;

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  opts: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keylen, opts, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Throws `PARLEY_E_BAD_PASSWORD` unless the password is a string of 12–256 characters. */
export function checkPassword(password: unknown): string {
  const n = typeof password === 'string' ? [...password].length : -1;
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) {
    throw new ParleyError(
      'PARLEY_E_BAD_PASSWORD',
      `a password must be ${PASSWORD_MIN}–${PASSWORD_MAX} characters${n >= 0 ? `, this one has ${n}` : ''}`,
      {},
    );
  }
  return password as string;
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash base64url, random 16-byte salt). */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  const { N, r, p } = SCRYPT;
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface Encoded {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/** Parses an encoded hash; null if it is not one this code made (bounded cost, so a bad row cannot stall the station). */
function parseEncoded(encoded: string): Encoded | null {
  const m =
    /^scrypt\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/.exec(
      encoded,
    );
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > 2 ** 20 || r < 1 || r > 16 || p < 1 || p > 4) return null;
  return { N, r, p, salt: Buffer.from(m[4]!, 'base64url'), key: Buffer.from(m[5]!, 'base64url') };
}

/** A hash of a random password, to spend the same time when the operator does not exist. */
let dummy: Promise<string> | undefined;

/**
 * Checks a password against an encoded hash in constant time. With `encoded` null (unknown
 * operator) it still spends one scrypt, so timing does not tell which names exist.
 */
export async function verifyPassword(password: string, encoded: string | null): Promise<boolean> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  const parsed = parseEncoded(encoded ?? (await dummy));
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  const candidate = await scryptAsync(password, salt, key.length, {
    N,
    r,
    p,
    maxmem: maxmem(N, r),
  });
  return timingSafeEqual(candidate, key) && encoded !== null;
}
