// An independent reading of C2SP signed-note and tlog-cosignature for the tests, written from
// the specifications with raw node:crypto only (never the ledger code it checks).
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

export const EM_DASH = '\u2014';

/** SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], as 8 lower-case hex digits. */
export function rawKeyId(name: string, type: number, key: Buffer): string {
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, type]))
    .update(key)
    .digest()
    .subarray(0, 4)
    .toString('hex');
}

/** `<name>+<hex id>+<base64(type ‖ key)>` split without validation. */
export function rawVkey(vkey: string): { name: string; id: string; type: number; key: Buffer } {
  const a = vkey.indexOf('+');
  const b = vkey.indexOf('+', a + 1);
  const material = Buffer.from(vkey.slice(b + 1), 'base64');
  return {
    name: vkey.slice(0, a),
    id: vkey.slice(a + 1, b),
    type: material[0]!,
    key: material.subarray(1),
  };
}

export function rawPublicKey(raw: Buffer) {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** An Ed25519 private key from its 32-byte seed (PKCS#8 DER prefix of RFC 8410). */
export function rawPrivateKey(seed: Buffer) {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

export function rawSign(seed: Buffer, message: Buffer): Buffer {
  return sign(null, message, rawPrivateKey(seed));
}

/** Splits a note at its last blank line into text and signature lines `{name, id, blob}`. */
export function rawSplit(note: string): {
  text: string;
  sigs: { name: string; id: string; blob: Buffer }[];
} {
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const sigs = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      if (!l.startsWith(`${EM_DASH} `)) throw new Error(`not a signature line: ${l}`);
      const [name, b64] = l.slice(2).split(' ') as [string, string];
      const blob = Buffer.from(b64, 'base64');
      return { name, id: blob.subarray(0, 4).toString('hex'), blob: blob.subarray(4) };
    });
  return { text, sigs };
}

/** True when the note carries a valid Ed25519 (type 0x01) signature by `vkey`. */
export function rawOpen(note: string, vkey: string): boolean {
  const k = rawVkey(vkey);
  if (k.type !== 0x01 || rawKeyId(k.name, 0x01, k.key) !== k.id) return false;
  const { text, sigs } = rawSplit(note);
  return sigs.some(
    (s) =>
      s.name === k.name &&
      s.id === k.id &&
      verify(null, Buffer.from(text, 'utf8'), rawPublicKey(k.key), s.blob),
  );
}

/** The timestamp of a valid cosignature/v1 (type 0x04) by `vkey` on the note, or undefined. */
export function rawCosignatureTime(note: string, vkey: string): bigint | undefined {
  const k = rawVkey(vkey);
  if (k.type !== 0x04 || rawKeyId(k.name, 0x04, k.key) !== k.id) return undefined;
  const { text, sigs } = rawSplit(note);
  for (const s of sigs) {
    if (s.name !== k.name || s.id !== k.id || s.blob.length !== 72) continue;
    const time = s.blob.readBigUInt64BE(0);
    const message = Buffer.from(`cosignature/v1\ntime ${time}\n${text}`, 'utf8');
    if (verify(null, message, rawPublicKey(k.key), s.blob.subarray(8))) return time;
  }
  return undefined;
}
