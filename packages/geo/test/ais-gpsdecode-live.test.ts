/**
 * Live comparison with gpsd: runs the real `gpsdecode -u -j` and `gpsdecode -j` (Debian
 * `gpsd-clients`, installed by .ci/run; the test fails without it) over every fixture log and
 * over synthetic type 6/8 messages carrying each DAC/FI that gpsd decodes (and some it does
 * not), and compares every message with ours field by field, under the rules of
 * `ais-compare.ts`. The stored golden files (`ais-golden.test.ts`) hold the same comparison
 * where the installed gpsdecode is another version.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AisDecoder } from '@parley/geo';
import { comparable, parseGpsdLine } from './ais-compare.js';
import type { Json } from './ais-compare.js';
import { AIS_LOGS, fixtureText } from './ais-fixtures.js';
import { bitField, gpsdecodeText, gpsdecodeVersion, vdmSentences } from './ais-gpsdecode.js';

/** Our messages (as JSON) for the lines, each with the line that completed it. */
function ours(lines: readonly string[], scaled: boolean): { msg: Json; line: string }[] {
  const decoder = new AisDecoder({ scaled });
  const out: { msg: Json; line: string }[] = [];
  for (const line of lines) {
    const m = decoder.push(line);
    if (m !== null) out.push({ msg: JSON.parse(JSON.stringify(m)) as Json, line });
  }
  return out;
}

/** gpsdecode's AIS records for `input` (`device` dropped), and how many lines needed repair. */
function theirs(input: string, scaled: boolean): { records: Json[]; repaired: Json[] } {
  const records: Json[] = [];
  const repaired: Json[] = [];
  for (const l of gpsdecodeText(input, scaled).split('\n')) {
    if (l.trim() === '') continue;
    const { record, repaired: r } = parseGpsdLine(l);
    if (record.class === undefined || record.class === 'TPV' || record.class === 'SKY') continue;
    if (typeof record.mmsi !== 'number') continue; // not an AIS record
    const { device: _device, ...rest } = record;
    records.push(rest);
    if (r) repaired.push(rest);
  }
  return { records, repaired };
}

/** Compares ours with gpsd's, message by message; returns the number of messages compared. */
function compareAll(lines: readonly string[], input: string, scaled: boolean): number {
  const mine = ours(lines, scaled);
  const unscaled = scaled ? ours(lines, false) : mine;
  const { records } = theirs(input, scaled);
  expect(mine.length).toBe(records.length);
  const got: Json[] = [];
  const exp: Json[] = [];
  records.forEach((e, i) => {
    const { msg, line } = mine[i]!;
    const [g, x] = comparable(msg, e, line, unscaled[i]?.msg);
    got.push(g);
    exp.push(x);
  });
  expect(got).toEqual(exp);
  return records.length;
}

describe(`live gpsdecode ${gpsdecodeVersion()} on the fixture logs`, () => {
  it.each(AIS_LOGS.flatMap((log) => [false, true].map((scaled) => [log, scaled] as const)))(
    '%s scaled=%s: every message, every field',
    (log, scaled) => {
      const text = fixtureText(log);
      const n = compareAll(text.split('\n'), text, scaled);
      expect(n).toBeGreaterThan(0);
      console.log(`${log} ${scaled ? '-j' : '-u -j'}: ${n} messages, 0 disagreements`);
    },
  );
});

/** DAC/FIs of type 6 and 8 to synthesise: all that gpsd 3.22 decodes, and some it leaves raw. */
const TYPE6: readonly (readonly [number, number])[] = [
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
  [1, 23],
  [1, 25],
  [1, 28],
  [1, 30],
  [1, 32],
  [1, 40],
  [366, 1],
];
const TYPE8: readonly (readonly [number, number])[] = [
  [1, 11],
  [1, 13],
  [1, 15],
  [1, 16],
  [1, 17],
  [1, 19],
  [1, 21],
  [1, 22],
  [1, 24],
  [1, 26],
  [1, 27],
  [1, 29],
  [1, 31],
  [200, 10],
  [200, 23],
  [200, 24],
  [200, 40],
  [366, 56],
];
/** Lengths (whole message, bits): the exact ones gpsd checks for, and short, odd and long. */
const LENGTHS6 = [88, 90, 96, 97, 100, 136, 168, 185, 190, 224, 232, 248, 280, 360, 424, 1008];
const LENGTHS8 = [56, 60, 66, 72, 128, 168, 178, 192, 256, 300, 350, 360, 424, 700, 1008];

/** Random messages of every DAC/FI and length above, from a fixed seed (reproducible). */
function synthetic(seed: number): string[] {
  const rest = (k: number): fc.Arbitrary<string> =>
    fc.array(fc.boolean(), { minLength: k, maxLength: k }).map((b) => b.map(Number).join(''));
  const lines: string[] = [];
  let seq = 0;
  const add = (type: 6 | 8, dac: number, fid: number, len: number, k: number): void => {
    const headerLen = type === 6 ? 72 : 40;
    const [header, body] = fc.sample(fc.tuple(rest(headerLen - 36), rest(len - headerLen - 16)), {
      seed: seed * 100_003 + seq,
      numRuns: 1,
    })[0]!;
    const bits =
      bitField(type, 6) +
      header.slice(0, 2) +
      bitField(200_000_000 + k, 30) +
      header.slice(2) +
      bitField(dac, 10) +
      bitField(fid, 6) +
      body;
    lines.push(...vdmSentences(bits, seq++));
  };
  let k = 0;
  for (const [dac, fid] of TYPE6)
    for (const len of LENGTHS6) for (let r = 0; r < 3; r++) add(6, dac, fid, len, k++);
  for (const [dac, fid] of TYPE8)
    for (const len of LENGTHS8) for (let r = 0; r < 3; r++) add(8, dac, fid, len, k++);
  return lines;
}

describe('live gpsdecode on synthetic DAC/FI payloads', () => {
  it.each([1, 2])('seed %i: every message equals gpsdecode, scaled and unscaled', (seed) => {
    const lines = synthetic(seed);
    const input = lines.join('\n') + '\n';
    for (const scaled of [false, true]) {
      const n = compareAll(lines, input, scaled);
      expect(n).toBe((TYPE6.length * LENGTHS6.length + TYPE8.length * LENGTHS8.length) * 3);
      // Only the known broken JSON lines of gpsd needed repair.
      const { repaired } = theirs(input, scaled);
      for (const r of repaired)
        expect([`${r.dac}/${r.fid}`]).toSatisfy((k: string[]) =>
          ['1/19', '200/21', '200/22', '200/24'].includes(k[0]!),
        );
      console.log(
        `seed ${seed} ${scaled ? '-j' : '-u -j'}: ${n} messages (${repaired.length} gpsd lines repaired), 0 disagreements`,
      );
    }
  });
});
