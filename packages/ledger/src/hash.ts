import { createHash } from 'node:crypto';

/** SHA-256 of the concatenation of the given byte strings. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Parses lower-case hex; returns undefined when the text is not even-length lower-case hex. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (!HEX_RE.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/** Parses base64url without padding; returns undefined on any other alphabet or a non-canonical tail. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!B64URL_RE.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical encodings (stray bits in the last character) so one value has one spelling.
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes);
}

/** Standard base64 with padding (used in C2SP checkpoint bodies). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Constant-length byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export const utf8 = new TextEncoder();
