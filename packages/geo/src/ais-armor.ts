/**
 * AIS payload armouring and bit reading (ITU-R M.1371-5 Annex 8 §3.3 and IEC 61162-1 §7.3.4).
 *
 * An AIVDM/AIVDO payload carries 6 bits per character: the character code minus 48, minus 8 more
 * when the result is above 40, so `0`..`W` are 0..39 and `` ` ``..`w` are 40..63. We unpack the
 * bits MSB first into bytes, and read fields straight out of those bytes with arithmetic: no
 * per-bit strings, no allocation per field.
 */

/** Largest payload we assemble, in bits. ITU-R M.1371 messages fit in 5 slots (≤ 1008 data bits). */
export const MAX_PAYLOAD_BITS = 2048;
const MAX_PAYLOAD_BYTES = MAX_PAYLOAD_BITS >>> 3;

/** Armour character code → 6-bit value, or -1 for a character outside the armour alphabet. */
const ARMOR = new Int8Array(128).fill(-1);
for (let c = 48; c <= 87; c++) ARMOR[c] = c - 48; // '0'..'W' → 0..39
for (let c = 96; c <= 119; c++) ARMOR[c] = c - 56; // '`'..'w' → 40..63

/** 2^n for n = 0..53, to shift beyond 32 bits without losing precision. */
const POW2 = new Float64Array(54).map((_, i) => 2 ** i);

/** ITU-R M.1371 Table 47: the 6-bit character set, value → ASCII. */
const SIXBIT = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !"#$%&\'()*+,-./0123456789:;<=>?';

/** The 6-bit value of an armour character code, or -1 when it is not armour. */
export function armorValue(code: number): number {
  return code < 128 ? (ARMOR[code] ?? -1) : -1;
}

/**
 * A reusable bit buffer that armour characters are appended to, fragment by fragment.
 * Bits past `bitLength` are zero, except the fill bits of the last character, which stay as sent
 * (gpsd keeps them too, and they show in the hex of binary payloads).
 */
export class BitBuffer {
  /** The packed bits, MSB first. Only the first `ceil(bitLength / 8)` bytes are meaningful. */
  readonly bytes = new Uint8Array(MAX_PAYLOAD_BYTES);
  /** Number of payload bits, fill bits excluded. */
  bitLength = 0;
  /** Bytes written since the last clear, so clearing touches only those. */
  private dirty = 0;

  /** Empties the buffer (zeroes only the bytes the last payload used). */
  clear(): void {
    if (this.dirty > 0) this.bytes.fill(0, 0, this.dirty);
    this.dirty = 0;
    this.bitLength = 0;
  }

  /**
   * Appends the armour characters `text[from..to)` at bit `bitLength`.
   * Returns false on a non-armour character or when the payload would exceed MAX_PAYLOAD_BITS;
   * the contents are then undefined until the next clear().
   */
  append(text: string, from: number, to: number): boolean {
    const start = this.bitLength;
    const end = start + 6 * (to - from);
    if (end > MAX_PAYLOAD_BITS) return false;
    const bytes = this.bytes;
    let out = start >>> 3;
    let accBits = start & 7;
    // Resume a partial byte: keep its high accBits bits (earlier fragment's fill bits are dropped).
    let acc = accBits === 0 ? 0 : (bytes[out] ?? 0) >>> (8 - accBits);
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      const v = c < 128 ? (ARMOR[c] ?? -1) : -1;
      if (v < 0) {
        if (out > this.dirty) this.dirty = out; // so that clear() still zeroes what we wrote
        return false;
      }
      acc = (acc << 6) | v;
      accBits += 6;
      if (accBits >= 8) {
        accBits -= 8;
        bytes[out++] = acc >>> accBits;
        acc &= (1 << accBits) - 1;
      }
    }
    if (accBits > 0) bytes[out++] = (acc << (8 - accBits)) & 0xff;
    // Zero what an earlier fragment left past the new end (at most its fill bits).
    if (out < this.dirty) bytes.fill(0, out, this.dirty);
    else this.dirty = out;
    this.bitLength = end;
    return true;
  }
}

/**
 * Unpacks a whole armoured payload (one sentence's field 6) into bits, or null when it holds a
 * non-armour character, is too long, or `fillBits` is not 0..5 or exceeds the payload.
 * @example dearmor('15RTgt0PAso;90TKcjM8h6g208CQ', 0)?.bitLength // 168
 */
export function dearmor(
  payload: string,
  fillBits = 0,
): { bits: Uint8Array; bitLength: number } | null {
  if (!(fillBits >= 0 && fillBits <= 5) || fillBits !== Math.floor(fillBits)) return null;
  const buf = new BitBuffer();
  if (!buf.append(payload, 0, payload.length) || fillBits > buf.bitLength) return null;
  const bitLength = buf.bitLength - fillBits;
  return { bits: buf.bytes.slice(0, (buf.bitLength + 7) >>> 3), bitLength };
}

/**
 * Reads `len` (1..46) bits at bit `start` as an unsigned integer, MSB first.
 * Bits past the end of `bits` read as zero, as in gpsd's zero-filled buffer.
 */
export function ubits(bits: Uint8Array, start: number, len: number): number {
  const end = start + len;
  let i = start >>> 3;
  const last = (end - 1) >>> 3;
  let v = (bits[i] ?? 0) & (0xff >>> (start & 7));
  if (last - i < 3) {
    // Span of at most 4 bytes: 32-bit integer arithmetic is exact.
    while (i < last) v = (v << 8) | (bits[++i] ?? 0);
    return (v >>> ((8 - (end & 7)) & 7)) >>> 0;
  }
  while (i < last) v = v * 256 + (bits[++i] ?? 0);
  return Math.floor(v / (POW2[(8 - (end & 7)) & 7] ?? 1));
}

/** Reads `len` (1..46) bits at bit `start` as a two's-complement signed integer. */
export function sbits(bits: Uint8Array, start: number, len: number): number {
  const v = ubits(bits, start, len);
  const half = POW2[len - 1] ?? 0;
  return v >= half ? v - 2 * half : v;
}

/**
 * Reads `count` 6-bit characters at bit `start` (ITU-R M.1371 Table 47), stopping at the first
 * `@` (the standard's padding) and dropping trailing spaces, as gpsd does.
 */
export function sixbitText(bits: Uint8Array, start: number, count: number): string {
  return trimRight(sixbitRaw(bits, start, count));
}

/** ASCII codes of the 6-bit characters. */
const SIXBIT_CODES = Uint8Array.from(SIXBIT, (ch) => ch.charCodeAt(0));
/** Scratch for text fields: the longest (type 12/14 text, 156 characters) fits. */
const TEXT = new Uint16Array(256);

/** Like sixbitText but keeps trailing spaces (still stops at the first `@`). */
export function sixbitRaw(bits: Uint8Array, start: number, count: number): string {
  let n = 0;
  const max = count < TEXT.length ? count : TEXT.length;
  for (let pos = start; n < max; pos += 6) {
    const i = pos >>> 3;
    const v = ((((bits[i] ?? 0) << 8) | (bits[i + 1] ?? 0)) >>> (10 - (pos & 7))) & 63;
    if (v === 0) break; // '@'
    TEXT[n++] = SIXBIT_CODES[v] ?? 64;
  }
  return n === 0 ? '' : String.fromCharCode.apply(null, TEXT.subarray(0, n) as unknown as number[]);
}

/** Drops trailing spaces and `@`. */
export function trimRight(s: string): string {
  let n = s.length;
  while (n > 0) {
    const c = s.charCodeAt(n - 1);
    if (c !== 32 && c !== 64) break;
    n--;
  }
  return n === s.length ? s : s.slice(0, n);
}

const HEX = '0123456789abcdef';

/**
 * gpsd's `data` field for binary payloads: `"<nbits>:<hex>"`, the hex being the
 * `ceil(nbits / 8)` bytes that start at bit `from`. Bits at or past bit `limit` read as zero.
 */
export function bitsHex(bits: Uint8Array, from: number, nbits: number, limit: number): string {
  let hex = '';
  const nbytes = (nbits + 7) >>> 3;
  for (let k = 0; k < nbytes; k++) {
    const at = from + 8 * k;
    let b: number;
    if (at + 8 <= limit) b = ubits(bits, at, 8);
    else if (at >= limit) b = 0;
    else {
      const keep = limit - at;
      b = ubits(bits, at, keep) << (8 - keep);
    }
    hex += HEX[b >>> 4]! + HEX[b & 15]!;
  }
  return `${nbits}:${hex}`;
}
