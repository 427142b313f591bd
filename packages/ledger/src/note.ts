import { ParleyError } from '@parley/core';
import type { PublicKeyB64 } from '@parley/core';
import { fromBase64Url, sha256, toBase64Url, utf8 } from './hash.js';
import type { Signer } from './keys.js';
import { parsePublicKey, verifySignature } from './keys.js';

/**
 * C2SP signed notes (c2sp.org/signed-note) and Ed25519 cosignatures (c2sp.org/tlog-cosignature,
 * `cosignature/v1`), written from the specifications. A note is a text ending in a newline, a
 * blank line, then signature lines `— <key name> <base64(4-byte key ID ‖ signature)>`.
 */

/** Signature type byte of a plain Ed25519 note signature. */
export const SIG_TYPE_ED25519 = 0x01;
/** Signature type byte of a timestamped Ed25519 witness cosignature (`cosignature/v1`). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;
/** Largest note this implementation reads (text and signatures), in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 64 * 1024;
/** Most signature lines a note may carry (the spec asks verifiers to accept at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';
const COSIGNATURE_HEADER = 'cosignature/v1\n';
// Control characters other than newline are refused anywhere in a note.
// eslint-disable-next-line no-control-regex -- the signed-note rule is about controls
const CONTROL_RE = /[\u0000-\u0009\u000b-\u001f]/;
// Unicode white space (Go's unicode.IsSpace, plus U+FEFF) and plus are refused in key names.
const BAD_NAME_RE = /[\s\u0085+]/u;
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function malformed(message: string, details: Record<string, unknown> = {}): ParleyError {
  return new ParleyError('PARLEY_E_NOTE_MALFORMED', message, details);
}

/** True for a valid key name: non-empty, no Unicode space, no plus. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !BAD_NAME_RE.test(name);
}

/** Standard base64 (RFC 4648 §4) with padding, canonical only; undefined otherwise. */
export function fromBase64Std(text: string): Uint8Array | undefined {
  if (!B64_RE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

function toBase64Std(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function rawKey(key: PublicKeyB64): Uint8Array {
  return fromBase64Url(key)!;
}

/** The key ID: the first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ public key). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const h = sha256(utf8.encode(name), Uint8Array.of(0x0a, type), publicKey);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

function hex8(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/** A public key as C2SP publishes it for verifiers: `<name>+<hex key ID>+<base64(type ‖ key)>`. */
export interface VerifierKey {
  name: string;
  keyId: number;
  type: typeof SIG_TYPE_ED25519 | typeof SIG_TYPE_COSIGNATURE_V1;
  key: PublicKeyB64;
}

/** Formats a verifier key (vkey). */
export function formatVkey(name: string, key: PublicKeyB64, type: VerifierKey['type']): string {
  if (!isValidKeyName(name)) throw malformed(`key name ${JSON.stringify(name)} is not valid`);
  const raw = rawKey(key);
  return `${name}+${hex8(noteKeyId(name, type, raw))}+${toBase64Std(Uint8Array.of(type, ...raw))}`;
}

/**
 * Parses a verifier key. Refuses (`PARLEY_E_VKEY_MALFORMED`) a bad name, a key ID that is not 8
 * hex digits or not the ID of the key, a type other than Ed25519 (0x01) or cosignature/v1 (0x04),
 * and a key that is not 32 bytes; an unacceptable Ed25519 key fails as `parsePublicKey` does.
 */
export function parseVkey(vkey: string): VerifierKey {
  const bad = (why: string) =>
    new ParleyError('PARLEY_E_VKEY_MALFORMED', `verifier key ${JSON.stringify(vkey)} ${why}`, {
      value: vkey,
    });
  if (typeof vkey !== 'string' || vkey.length > 1024) throw bad('is not a short string');
  const a = vkey.indexOf('+');
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
  if (b < 0) throw bad('is not <name>+<key ID>+<key>');
  const name = vkey.slice(0, a);
  const idHex = vkey.slice(a + 1, b);
  const material = fromBase64Std(vkey.slice(b + 1));
  if (!isValidKeyName(name)) throw bad('has an invalid key name');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw bad('has a key ID that is not 8 hex digits');
  if (!material || material.length !== 33) throw bad('does not hold a type byte and a 32-byte key');
  const type = material[0]!;
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1)
    throw bad(`has signature type 0x${type.toString(16).padStart(2, '0')}, not 0x01 or 0x04`);
  const raw = material.subarray(1);
  const keyId = parseInt(idHex, 16) >>> 0;
  if (noteKeyId(name, type, raw) !== keyId) throw bad('states a key ID that is not its key ID');
  const key = parsePublicKey(toBase64Url(raw));
  return { name, keyId, type, key };
}

/** One signature line of a note, parsed but not verified. */
export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the key ID. */
  sig: Uint8Array;
  /** The whole line, without its newline. */
  line: string;
}

/** A parsed note: its text (ending in a newline) and its signature lines. */
export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

/**
 * Parses a signed note without verifying it. Refuses a note over `MAX_NOTE_BYTES` or with more
 * than `MAX_NOTE_SIGNATURES` signatures (`PARLEY_E_NOTE_TOO_LARGE`), and anything that is not the
 * C2SP format (`PARLEY_E_NOTE_MALFORMED`): invalid UTF-8, a control character other than newline,
 * no blank line, an empty text, a signature line without the em dash, with a bad key name, with
 * non-canonical base64 or fewer than 5 bytes, or a missing final newline.
 */
export function parseNote(input: string | Uint8Array): ParsedNote {
  const bytes = typeof input === 'string' ? utf8.encode(input) : input;
  if (bytes.length > MAX_NOTE_BYTES)
    throw new ParleyError(
      'PARLEY_E_NOTE_TOO_LARGE',
      `signed note is ${bytes.length} bytes, more than ${MAX_NOTE_BYTES}`,
      { size: bytes.length },
    );
  let msg: string;
  try {
    msg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw malformed('signed note is not valid UTF-8');
  }
  if (CONTROL_RE.test(msg)) throw malformed('signed note holds a control character');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw malformed('signed note has no blank line before its signatures');
  const text = msg.slice(0, split + 1);
  const sigs = msg.slice(split + 2);
  if (text.length === 0 || text === '\n') throw malformed('signed note has an empty text');
  if (sigs.length === 0 || !sigs.endsWith('\n'))
    throw malformed('signed note does not end with a signature line and a newline');
  const lines = sigs.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw new ParleyError(
      'PARLEY_E_NOTE_TOO_LARGE',
      `signed note has ${lines.length} signatures, more than ${MAX_NOTE_SIGNATURES}`,
      { signatures: lines.length },
    );
  const signatures = lines.map((line, i) => {
    if (!line.startsWith(SIG_PREFIX))
      throw malformed(`signature line ${i + 1} does not start with an em dash and a space`);
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? '' : rest.slice(0, space);
    if (!isValidKeyName(name)) throw malformed(`signature line ${i + 1} has no valid key name`);
    const blob = fromBase64Std(rest.slice(space + 1));
    if (!blob || blob.length < 5)
      throw malformed(`signature line ${i + 1} is not base64 of a key ID and a signature`);
    const keyId = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
    return { name, keyId, sig: blob.subarray(4), line };
  });
  return { text, signatures };
}

/** The signature line of `sig` by key `name`/`keyId`. */
export function signatureLine(name: string, keyId: number, sig: Uint8Array): string {
  const blob = new Uint8Array(4 + sig.length);
  new DataView(blob.buffer).setUint32(0, keyId);
  blob.set(sig, 4);
  return `${SIG_PREFIX}${name} ${toBase64Std(blob)}`;
}

function checkText(text: string): void {
  if (text.length === 0 || !text.endsWith('\n') || text.includes('\n\n') || CONTROL_RE.test(text))
    throw malformed('note text must be non-empty lines, each ending in a newline, no blank line');
}

/** Signs `text` as key `name` (Ed25519, type 0x01) and returns the signature line. */
export function signNoteLine(text: string, name: string, signer: Signer): string {
  checkText(text);
  if (!isValidKeyName(name)) throw malformed(`key name ${JSON.stringify(name)} is not valid`);
  const keyId = noteKeyId(name, SIG_TYPE_ED25519, rawKey(signer.publicKey));
  return signatureLine(name, keyId, signer.sign(utf8.encode(text)));
}

/** The message an Ed25519 cosignature signs: `cosignature/v1\ntime <t>\n` then the note text. */
export function cosignedMessage(text: string, time: bigint): Uint8Array {
  return utf8.encode(`${COSIGNATURE_HEADER}time ${time.toString()}\n${text}`);
}

/** Cosigns `text` as witness `name` at `time` (POSIX seconds); returns the signature line. */
export function cosignNoteLine(text: string, name: string, signer: Signer, time: bigint): string {
  checkText(text);
  if (!isValidKeyName(name)) throw malformed(`key name ${JSON.stringify(name)} is not valid`);
  if (time < 0n || time > 2n ** 63n - 1n) throw malformed(`cosignature time ${time} out of range`);
  const keyId = noteKeyId(name, SIG_TYPE_COSIGNATURE_V1, rawKey(signer.publicKey));
  const sig = new Uint8Array(72);
  new DataView(sig.buffer).setBigUint64(0, time);
  sig.set(signer.sign(cosignedMessage(text, time)), 8);
  return signatureLine(name, keyId, sig);
}

/** A signature that verified under a trusted key. */
export interface VerifiedSignature {
  key: VerifierKey;
  /** For a cosignature: its timestamp (POSIX seconds). */
  time?: bigint;
}

function verifyOne(key: VerifierKey, text: string, sig: Uint8Array): VerifiedSignature | null {
  if (key.type === SIG_TYPE_ED25519) {
    if (sig.length !== 64) return null;
    return verifySignature(key.key, utf8.encode(text), sig) ? { key } : null;
  }
  if (sig.length !== 72) return null;
  const time = new DataView(sig.buffer, sig.byteOffset, 8).getBigUint64(0);
  if (time > 2n ** 63n - 1n) return null;
  return verifySignature(key.key, cosignedMessage(text, time), sig.subarray(8))
    ? { key, time }
    : null;
}

/**
 * Verifies a parsed note against trusted keys. Signatures from unknown keys (name and key ID not
 * both matching a trusted key) are ignored; a signature from a known key that fails to verify
 * rejects the whole note (`PARLEY_E_NOTE_SIGNATURE`); a note with no verified signature is
 * refused (`PARLEY_E_NOTE_UNKNOWN_KEY`). Returns the verified signatures in note order.
 */
export function verifyNote(note: ParsedNote, keys: readonly VerifierKey[]): VerifiedSignature[] {
  const verified: VerifiedSignature[] = [];
  for (const s of note.signatures) {
    const known = keys.filter((k) => k.name === s.name && k.keyId === s.keyId);
    if (known.length === 0) continue;
    const ok = known.map((k) => verifyOne(k, note.text, s.sig)).find((v) => v !== null);
    if (!ok)
      throw new ParleyError(
        'PARLEY_E_NOTE_SIGNATURE',
        `the signature of ${s.name}+${hex8(s.keyId)} does not verify`,
        { name: s.name, keyId: hex8(s.keyId) },
      );
    verified.push(ok);
  }
  if (verified.length === 0)
    throw new ParleyError(
      'PARLEY_E_NOTE_UNKNOWN_KEY',
      `the note has no signature from a trusted key (it is signed by ${
        note.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`).join(', ') || 'nobody'
      })`,
      {},
    );
  return verified;
}

/** The verifier key of an Ed25519 note signer named `name`. */
export function noteVerifierKey(name: string, key: PublicKeyB64): VerifierKey {
  return {
    name,
    key,
    type: SIG_TYPE_ED25519,
    keyId: noteKeyId(name, SIG_TYPE_ED25519, rawKey(key)),
  };
}

/** The verifier key of a cosignature/v1 witness named `name`. */
export function cosignerVerifierKey(name: string, key: PublicKeyB64): VerifierKey {
  return {
    name,
    key,
    type: SIG_TYPE_COSIGNATURE_V1,
    keyId: noteKeyId(name, SIG_TYPE_COSIGNATURE_V1, rawKey(key)),
  };
}
