/**
 * Branded unit types (the excalidraw `packages/math/src/types.ts` idea): a `Seq` cannot be passed
 * where a millisecond timestamp is expected, although both are numbers at run time.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A station's self-certifying id, derived from its genesis public key (`stn_` + 24 hex digits). */
export type StationId = Brand<string, 'StationId'>;
/** Position of an entry in its feed, 1-based, no gaps. */
export type Seq = Brand<number, 'Seq'>;
/** Milliseconds since the Unix epoch, UTC. */
export type EpochMs = Brand<number, 'EpochMs'>;
/** Lower-case hex of a SHA-256 digest (64 characters). */
export type HashHex = Brand<string, 'HashHex'>;
/** base64url (no padding) of a raw 32-byte Ed25519 public key. */
export type PublicKeyB64 = Brand<string, 'PublicKeyB64'>;
