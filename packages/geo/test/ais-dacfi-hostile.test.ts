/**
 * Hostile and random input for the DAC/FI payload decoders (ais-dacfi.ts): truncated payloads,
 * every length from the shortest type 6/8 to past the longest, arbitrary fill bits and random
 * content, for every DAC/FI gpsd decodes. Each message decodes without throwing into either the
 * fields or the raw `data` fallback (never both), JSON-safe; lengths gpsd rejects are counted as
 * length errors, and the decoder goes on decoding.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AisDecoder, decodePayload } from '@parley/geo';
import { armor, bitField, vdmSentences } from './ais-gpsdecode.js';

/** Every DAC/FI gpsd 3.22 decodes, per message type. */
const DECODED: Record<6 | 8, readonly (readonly [number, number])[]> = {
  6: [
    [200, 21],
    [200, 22],
    [200, 55],
    [235, 10],
    [250, 10],
    [1, 12],
    [1, 14],
    [1, 15],
    [1, 16],
    [1, 18],
    [1, 20],
    [1, 25],
    [1, 28],
    [1, 30],
    [1, 32],
  ],
  8: [
    [1, 11],
    [1, 13],
    [1, 15],
    [1, 16],
    [1, 17],
    [1, 19],
    [1, 27],
    [1, 29],
    [1, 31],
    [200, 10],
    [200, 23],
    [200, 24],
    [200, 40],
  ],
};

const bitString = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((b) => b.map(Number).join(''));

/** A type 6/8 message of `len` bits (header and DAC/FI as given, the rest random). */
const message = fc
  .tuple(fc.constantFrom(6 as const, 8 as const), fc.integer({ min: 0, max: 100 }))
  .chain(([type, pick]) => {
    const list = DECODED[type];
    const [dac, fid] = list[pick % list.length]!;
    const head = type === 6 ? 72 : 40;
    return fc.integer({ min: head + 16, max: 1100 }).chain((len) =>
      fc.tuple(bitString(head - 6), bitString(len - head - 16)).map(([h, body]) => ({
        type,
        dac,
        fid,
        len,
        bits: bitField(type, 6) + h + bitField(dac, 10) + bitField(fid, 6) + body,
      })),
    );
  });

/** Every value of a decoded message is a JSON value that survives a round trip unchanged. */
function jsonSafe(m: object): void {
  expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  const walk = (v: unknown): void => {
    if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    else expect(['string', 'boolean']).toContain(typeof v);
  };
  walk(m);
}

describe('DAC/FI payloads: hostile and random', () => {
  it('any length, content and fill: fields or raw data, never a throw', () => {
    fc.assert(
      fc.property(
        message,
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        (msg, extraFill, scaled) => {
          // Fill bits as sent may be ones: append them, then declare them as fill.
          const [payload, fill] = armor(msg.bits);
          const fillBits = Math.min(5, fill + (fill === 0 ? extraFill : 0));
          const withFill = fillBits === fill ? payload : armor(msg.bits + '1'.repeat(fillBits))[0];
          const d = new AisDecoder({ scaled });
          let out = null;
          for (const line of vdmSentences(msg.bits, 3)) out = d.push(line);
          expect(d.stats.internal).toBe(0);
          const max = 1008;
          const min = msg.type === 6 ? 88 : 56;
          if (msg.len < min || msg.len > max) {
            expect(out).toBeNull();
            expect(d.stats.length).toBe(1);
            return;
          }
          expect(out).not.toBeNull();
          const m = out as unknown as Record<string, unknown>;
          expect(m.dac).toBe(msg.dac);
          expect(m.fid).toBe(msg.fid);
          if ('data' in m) expect(m.data).toMatch(new RegExp(`^${msg.len - min}:[0-9a-f]*$`));
          else expect(Object.keys(m).length).toBeGreaterThan(msg.type === 6 ? 10 : 7);
          jsonSafe(m);
          // The payload API on the same bits (with ones in the fill) does not throw either.
          const bits = Uint8Array.from({ length: Math.ceil((withFill.length * 6) / 8) }, () => 0);
          let k = 0;
          for (const ch of withFill) {
            let v = ch.charCodeAt(0) - 48;
            if (v > 40) v -= 8;
            for (let b = 5; b >= 0; b--, k++) if ((v >> b) & 1) bits[k >> 3]! |= 0x80 >> (k & 7);
          }
          const direct = decodePayload({ bits, bitLength: msg.len }, { scaled });
          expect(direct).not.toBeNull();
          jsonSafe(direct!);
        },
      ),
      { numRuns: 400, seed: 17 },
    );
  });

  it('every decoded DAC/FI at every length to 300 bits, then every 7th to 1100: no throw', () => {
    let fields = 0;
    let raw = 0;
    for (const type of [6, 8] as const) {
      for (const [dac, fid] of DECODED[type]) {
        const head =
          bitField(type, 6) +
          '1'.repeat(type === 6 ? 66 : 34) +
          bitField(dac, 10) +
          bitField(fid, 6);
        for (let len = 0; len <= 1100; len += len < 300 ? 1 : 7) {
          const bits = (head + '10'.repeat(600)).slice(0, len);
          const d = new AisDecoder();
          let out = null;
          for (const line of vdmSentences(bits, 1)) out = d.push(line);
          expect(d.stats.internal).toBe(0);
          if (out === null) continue;
          const m = out as unknown as Record<string, unknown>;
          if ('data' in m) raw++;
          else fields++;
        }
      }
    }
    // Both outcomes occur: exact-length DAC/FIs fall back to raw data at other lengths.
    expect(fields).toBeGreaterThan(0);
    expect(raw).toBeGreaterThan(0);
  });

  it('a truncated message (cut mid-payload) is a length error or decodes; the next one decodes', () => {
    const full =
      bitField(8, 6) +
      '00' +
      bitField(992509977, 30) +
      '00' +
      bitField(1, 10) +
      bitField(31, 6) +
      '1'.repeat(304);
    for (let cut = 0; cut < full.length; cut += 7) {
      const d = new AisDecoder();
      for (const line of vdmSentences(full.slice(0, cut), 2)) d.push(line);
      expect(d.stats.internal).toBe(0);
      let next = null;
      for (const line of vdmSentences(full, 4)) next = d.push(line);
      expect((next as unknown as Record<string, unknown>)?.fid).toBe(31);
    }
  });
});
