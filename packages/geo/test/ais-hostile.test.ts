/**
 * Hostile and malformed input, one case at a time: each is dropped without throwing, counted
 * under the right reason, and leaves the decoder able to decode the next good sentence.
 */
import { describe, expect, it } from 'vitest';
import { AisDecoder } from '@parley/geo';
import type { AisStats } from '@parley/geo';
import { sentence } from './ais-fixtures.js';

/** A good single-sentence type 1 report (sample.aivdm) and its MMSI. */
const GOOD = '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A';
const GOOD_MMSI = 371798000;

/** Pushes `line` into a fresh decoder; checks the reason counted and that GOOD still decodes. */
function reject(line: string, reason: keyof AisStats): AisDecoder {
  const d = new AisDecoder();
  expect(d.push(line)).toBeNull();
  expect(d.stats[reason], `${reason} for ${JSON.stringify(line.slice(0, 80))}`).toBe(1);
  expect(d.stats.decoded).toBe(0);
  expect(d.stats.internal).toBe(0);
  expect(d.push(GOOD)?.mmsi).toBe(GOOD_MMSI);
  return d;
}

describe('hostile lines', () => {
  it('empty and blank lines are ignored', () => {
    for (const line of ['', ' ', '\r', '\r\n', '\t \t']) reject(line, 'ignored');
  });

  it('a 1 MB line is dropped quickly', () => {
    const mb = 1 << 20;
    const cases: [string, keyof AisStats][] = [
      ['x'.repeat(mb), 'malformed'],
      ['!'.repeat(mb), 'malformed'],
      [`!AIVDM,1,1,,A,${'0'.repeat(mb)},0*00`, 'malformed'], // no '*' within the sentence limit
      [`${'#'.repeat(mb)}`, 'ignored'],
      [`${' '.repeat(mb)}${GOOD}`, 'decoded'],
    ];
    for (const [line, reason] of cases) {
      const d = new AisDecoder();
      const t0 = performance.now();
      d.push(line);
      expect(performance.now() - t0).toBeLessThan(200);
      expect(d.stats[reason]).toBe(1);
    }
  });

  it('a payload longer than any AIS message is a length error', () => {
    reject(sentence(`AIVDM,1,1,,A,${'0'.repeat(400)},0`), 'length');
  });

  it('wrong fragment counts and numbers are malformed', () => {
    for (const head of ['0,1', '1,0', '1,2', '2,3', '10,1', 'A,1', ',1', '1,', '-1,1', '1,1 ']) {
      reject(sentence(`AIVDM,${head},,A,15RTgt0PAso;90TKcjM8h6g208CQ,0`), 'malformed');
    }
  });

  it('non-armour characters in the payload are armour errors', () => {
    for (const bad of ['X', 'Y', '^', '_', 'x', '~', '/', ' ', '\u00e9']) {
      reject(sentence(`AIVDM,1,1,,A,15RTgt0PAso${bad}90TKcjM8h6g208CQ,0`), 'armor');
    }
  });

  it('a payload rejected half-way leaves no bits behind for the next message', () => {
    // A 72-bit type 20 (sample.aivdm): gpsd reads its absent reservations 2..4 as zeros.
    const short = '!AIVDM,1,1,,A,Dh3OvjB8IN>4,0*1D';
    const fresh = new AisDecoder().push(short);
    expect(fresh).toMatchObject({ type: 20, offset2: 0, number2: 0, increment4: 0 });
    const d = new AisDecoder();
    expect(d.push(sentence(`AIVDM,1,1,,A,${'w'.repeat(60)}X,0`))).toBeNull();
    expect(d.stats.armor).toBe(1);
    expect(d.push(short)).toEqual(fresh);
  });

  it('fill bits out of range are malformed', () => {
    for (const fill of ['6', '7', '9', 'a', '-1', '00', '22']) {
      reject(sentence(`AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,${fill}`), 'malformed');
    }
    // More fill bits than the payload has.
    reject(sentence('AIVDM,1,1,,A,,2'), 'malformed');
  });

  it('broken NMEA framing is malformed', () => {
    const cases = [
      'AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A', // no '!'
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0', // no checksum
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4', // half a checksum
      '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*G1', // not hex
      sentence('AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ'), // fill field missing
      sentence('AIVDM,1,1,,A,15RTgt0PAso,;90TKcjM8h6g208CQ,0'), // extra field
      sentence('AIVDM,1,1,,AB,15RTgt0PAso;90TKcjM8h6g208CQ,0'), // two-letter channel
      sentence('AIVDM,1,1,12,A,15RTgt0PAso;90TKcjM8h6g208CQ,0'), // two-digit sequence id
      sentence('aiVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0'), // lower-case talker
      '\\s:r003669,c:1241544035*7A', // tag block with no sentence
      '\\unterminated tag block',
      '!',
      '!AIVDM',
    ];
    for (const line of cases) reject(line, 'malformed');
  });

  it('other sentences and comments are ignored, not errors', () => {
    for (const line of [
      '# a comment',
      '$GPGGA,213950.00,5250.53669,N,00542.34920,E,1,09,1.03,-6.0,M,45.8,M,,*7B',
      sentence('AIALR,000000.00,001,A,V,AIS: UTC Lost'),
      sentence('AIVDX,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0'),
    ]) {
      reject(line, 'ignored');
    }
  });

  it('unknown message types and wrong bit counts are counted', () => {
    // Type 0 and type 63: not defined by ITU-R M.1371.
    reject(sentence('AIVDM,1,1,,A,05RTgt0PAso;90TKcjM8h6g208CQ,0'), 'type');
    reject(sentence('AIVDM,1,1,,A,w5RTgt0PAso;90TKcjM8h6g208CQ,0'), 'type');
    // A type 1 report cut to 120 bits; a type 5 of 1 character; an empty payload.
    reject(sentence('AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8,0'), 'length');
    reject(sentence('AIVDM,1,1,,A,5,0'), 'length');
    reject(sentence('AIVDM,1,1,,A,,0'), 'length');
  });

  it('fragments without their first part are orphans', () => {
    reject(sentence('AIVDM,2,2,3,B,88888888880,2'), 'orphan');
  });

  it('values that are not strings are malformed (for untyped callers)', () => {
    const d = new AisDecoder();
    for (const v of [undefined, null, 42, {}, ['!AIVDM']]) {
      expect(d.push(v as unknown as string)).toBeNull();
    }
    expect(d.stats.malformed).toBe(5);
    expect(d.stats.internal).toBe(0);
  });
});
