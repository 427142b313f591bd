/**
 * Bit reading for the DAC/FI decoders (ais-dacfi.ts): gpsd's `UBITS`/`SBITS`/`UCHARS`/
 * `ENDCHARS` over the whole message, its scalings, and its date strings.
 */
import { sbits, sixbitRaw, sixbitText, trimRight, ubits } from './ais-armor.js';
import { fixed } from './ais-format.js';

/** The decoded fields of one application payload, in gpsd's JSON names. */
export type AppFields = Record<string, unknown>;

/** gpsd's divisors: 1/1000 minute (AIS_LATLON3_DIV) and 1/10000 minute (AIS_LATLON4_DIV). */
export const MIN1000 = 60_000;
export const MIN10000 = 600_000;

/** Reading context: the payload's bits, its length in bits, and scaled or raw output. */
export class Reader {
  constructor(
    readonly bits: Uint8Array,
    readonly n: number,
    readonly scaled: boolean,
  ) {}
  u(start: number, len: number): number {
    return ubits(this.bits, start, len);
  }
  s(start: number, len: number): number {
    return sbits(this.bits, start, len);
  }
  flag(start: number): boolean {
    return ubits(this.bits, start, 1) !== 0;
  }
  /** gpsd `UCHARS`: a fixed count of 6-bit characters, stopped at `@`, right-trimmed. */
  chars(start: number, count: number): string {
    return sixbitText(this.bits, start, count);
  }
  /**
   * gpsd `ENDCHARS`: the characters from `start` to the end of the payload. Below `start`,
   * gpsd's unsigned `(bitlen - start) / 6` wraps and is cast to int; we replay that count.
   */
  endChars(start: number): string {
    let count = Math.floor((this.n - start) / 6);
    if (this.n < start) {
      const wrapped = (2n ** 64n - BigInt(start - this.n)) / 6n;
      count = Number(BigInt.asIntN(32, wrapped));
    }
    return count <= 0 ? '' : trimRight(sixbitRaw(this.bits, start, count));
  }
  /** A 1/1000-minute coordinate: `%.4f` degrees scaled, the raw integer otherwise. */
  min1000(raw: number): number {
    return this.scaled ? fixed(raw / MIN1000, 4) : raw;
  }
  /** A 1/10000-minute coordinate: `%.6f` degrees scaled, the raw integer otherwise. */
  min10000(raw: number): number {
    return this.scaled ? fixed(raw / MIN10000, 6) : raw;
  }
  /** A value printed `%.1f` of raw/10 when scaled. */
  tenth(raw: number): number {
    return this.scaled ? fixed(raw / 10, 1) : raw;
  }
}

export const p2 = (v: number): string => String(v).padStart(2, '0');

/** `"%02u-%02uT%02u:%02uZ"` of four fields (month, day, hour, minute) at `at`. */
export function mdhmZ(r: Reader, at: number): string {
  return `${p2(r.u(at, 4))}-${p2(r.u(at + 4, 5))}T${p2(r.u(at + 9, 5))}:${p2(r.u(at + 14, 6))}Z`;
}

/** `"%u-%uT%u:%u"` (unpadded, no Z) of month, day, hour, minute at `at`. */
export function mdhmBare(r: Reader, at: number): string {
  return `${r.u(at, 4)}-${r.u(at + 4, 5)}T${r.u(at + 9, 5)}:${r.u(at + 14, 6)}`;
}
