/**
 * Which raw Ed25519 public keys Parley accepts (PROTOCOL.md §1): a canonical encoding of a point
 * on the curve, of prime order L. `node:crypto` imports any 32 bytes as a key and verifies
 * against it, so a small-order key (for which a signature such as R = identity, S = 0 verifies on
 * any message) would let anyone sign for the station. This is the one place where point
 * arithmetic is done by hand, in BigInt, and only to validate public data: signing and signature
 * verification stay with `node:crypto`. Nothing here is secret, so nothing needs constant time.
 */

const P = 2n ** 255n - 19n;
/** The prime order of the base point (RFC 8032 §5.1). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const inv = (a: bigint): bigint => pow(a, P - 2n);
/** Curve constant d = −121665 / 121666 of −x² + y² = 1 + d·x²·y². */
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

/** A point in extended twisted Edwards coordinates: x = X/Z, y = Y/Z, x·y = T/Z. */
interface Point {
  X: bigint;
  Y: bigint;
  Z: bigint;
  T: bigint;
}

const IDENTITY: Point = { X: 0n, Y: 1n, Z: 1n, T: 0n };

/** RFC 8032 §5.1.4 addition; complete on edwards25519, so it also doubles. */
function add(p: Point, q: Point): Point {
  const a = mod((p.Y - p.X) * (q.Y - q.X));
  const b = mod((p.Y + p.X) * (q.Y + q.X));
  const c = mod(2n * D * p.T * q.T);
  const d = mod(2n * p.Z * q.Z);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return { X: mod(e * f), Y: mod(g * h), Z: mod(f * g), T: mod(e * h) };
}

function multiply(p: Point, n: bigint): Point {
  let result = IDENTITY;
  let q = p;
  for (let k = n; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(result, q);
    q = add(q, q);
  }
  return result;
}

const isIdentity = (p: Point): boolean => p.X === 0n && p.Y === p.Z;

/** RFC 8032 §5.1.3 decoding, or a reason it fails. */
function decode(raw: Uint8Array): Point | string {
  const sign = raw[31]! >> 7;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? raw[i]! & 0x7f : raw[i]!);
  if (y >= P) return 'is a non-canonical encoding (y ≥ 2^255 − 19)';
  const y2 = (y * y) % P;
  const x2 = mod((y2 - 1n) * inv(D * y2 + 1n));
  let x = pow(x2, (P + 3n) / 8n);
  if ((x * x) % P !== x2) x = (x * SQRT_M1) % P;
  if ((x * x) % P !== x2) return 'is not a point on the curve';
  if (x === 0n && sign === 1) return 'is a non-canonical encoding (x = 0 with the sign bit set)';
  if (Number(x & 1n) !== sign) x = P - x;
  return { X: x, Y: y, Z: 1n, T: (x * y) % P };
}

/**
 * Why a raw Ed25519 public key is refused, or undefined when it is acceptable: 32 bytes, a
 * canonical encoding (y < p, and not x = 0 with the sign bit set), a point on the curve, not one
 * of the 8 points of small order, and of prime order L ([L]A = identity: no torsion component).
 */
export function publicKeyProblem(raw: Uint8Array): string | undefined {
  if (raw.length !== 32) return `is ${raw.length} bytes, not 32`;
  const point = decode(raw);
  if (typeof point === 'string') return point;
  // The 8 torsion points are exactly those with [8]A = identity.
  if (isIdentity(multiply(point, 8n))) return 'is a point of small order';
  if (!isIdentity(multiply(point, L))) return 'has a small-order component (not of prime order)';
  return undefined;
}

/** True when `publicKeyProblem` finds nothing wrong with the key. */
export function isAcceptablePublicKey(raw: Uint8Array): boolean {
  return publicKeyProblem(raw) === undefined;
}
