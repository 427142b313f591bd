/**
 * Unit tests of the decoder's behaviour on hand-picked sentences: talkers, trailing fields,
 * tag blocks, reassembly, type 24 pairing, the pure API, and gpsd's number formatting.
 */
import { describe, expect, it } from 'vitest';
import { AisDecoder, dearmor, decodePayload } from '@parley/geo';
import { printfFixed } from '../src/ais-format.js';
import { sbits, ubits } from '../src/ais-armor.js';
import { sentence, withFields } from './ais-fixtures.js';

const TYPE1 = '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A';
const TYPE1_SCALED = {
  class: 'AIS',
  type: 1,
  repeat: 0,
  mmsi: 371798000,
  scaled: true,
  status: 0,
  status_text: 'Under way using engine',
  turn: 'fastleft',
  speed: 12.3,
  accuracy: true,
  lon: -123.395383,
  lat: 48.381633,
  course: 224,
  heading: 215,
  second: 33,
  maneuver: 0,
  raim: false,
  radio: 34017,
};

/** A type 5 report in two sentences (sample.aivdm). */
const TYPE5 = [
  '!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C',
  '!AIVDM,2,2,1,A,88888888880,2*25',
];

describe('AisDecoder', () => {
  it('decodes a type 1 report, scaled and unscaled', () => {
    expect(new AisDecoder().push(TYPE1)).toEqual(TYPE1_SCALED);
    const raw = new AisDecoder({ scaled: false }).push(TYPE1);
    expect(raw).toMatchObject({
      scaled: false,
      turn: -127,
      speed: 123,
      lon: -74037230,
      lat: 29028980,
    });
  });

  it('accepts any two-letter talker, VDM and VDO', () => {
    for (const talker of ['AI', 'AB', 'BS', 'AN', 'SA', 'XY']) {
      for (const f of ['VDM', 'VDO']) {
        const line = withFields(TYPE1, { 0: `${talker}${f}` });
        expect(new AisDecoder().push(line)?.mmsi).toBe(371798000);
      }
    }
  });

  it('tolerates what follows the checksum, and tag blocks before the sentence', () => {
    for (const line of [
      `${TYPE1}\r\n`,
      `${TYPE1}   `,
      `${TYPE1},b003660465`,
      `${TYPE1},s36310,d-081,T59.01777335`,
      `${TYPE1}\\x0d\\x0a`,
      `\\s:2573345,c:1241544035*7A\\${TYPE1}`,
      `  ${TYPE1}`,
      `2024-05-01T12:00:00Z ${TYPE1}`,
      TYPE1.replace('*4A', '*4a'),
    ]) {
      expect(new AisDecoder().push(line), line).toEqual(TYPE1_SCALED);
    }
  });

  it('reads channels 1 and 2 as A and B, and an empty channel', () => {
    for (const ch of ['1', '2', '', 'A', 'B']) {
      expect(new AisDecoder().push(withFields(TYPE1, { 4: ch }))?.mmsi).toBe(371798000);
    }
  });

  it('reassembles a two-sentence message and counts orphans', () => {
    const d = new AisDecoder();
    expect(d.push(TYPE5[0] as string)).toBeNull();
    const m = d.push(TYPE5[1] as string);
    expect(m).toMatchObject({
      type: 5,
      mmsi: 351759000,
      shipname: 'EVER DIADEM',
      destination: 'NEW YORK',
    });
    expect(d.push(TYPE5[1] as string)).toBeNull(); // a repeat of the last part
    expect(d.stats).toMatchObject({ sentences: 3, decoded: 1, orphan: 1 });
  });

  it('a new first fragment with the same id replaces an unfinished message', () => {
    const d = new AisDecoder();
    d.push(TYPE5[0] as string);
    d.push(TYPE5[0] as string);
    expect(d.push(TYPE5[1] as string)?.type).toBe(5);
    expect(d.stats.orphan).toBe(1);
  });

  it('a single-sentence message between two fragments does not disturb them', () => {
    const d = new AisDecoder();
    d.push(TYPE5[0] as string);
    expect(d.push(TYPE1)?.type).toBe(1);
    expect(d.push(TYPE5[1] as string)?.type).toBe(5);
  });

  it('drops a partial message whose next fragment comes too late', () => {
    const d = new AisDecoder();
    d.push(TYPE5[0] as string);
    for (let i = 0; i < 200; i++) d.push('# filler');
    expect(d.push(TYPE5[1] as string)).toBeNull();
    expect(d.stats.orphan).toBe(2);
  });

  it('reset() forgets partial messages', () => {
    const d = new AisDecoder();
    d.push(TYPE5[0] as string);
    d.reset();
    expect(d.push(TYPE5[1] as string)).toBeNull();
    expect(d.stats.orphan).toBe(1);
  });

  it('pairs type 24 parts A and B like gpsd, across channels', () => {
    const partA = '!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D';
    const partB = '!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40';
    const d = new AisDecoder({ scaled: false });
    expect(d.push(partB)).toBeNull(); // no part A yet
    expect(d.push(partA)).toBeNull(); // held
    expect(d.push(withFields(partB, { 4: 'B' }))).toEqual({
      class: 'AIS',
      type: 24,
      repeat: 0,
      mmsi: 271041815,
      scaled: false,
      shipname: 'PROGUY',
      shiptype: 60,
      shiptype_text: 'Passenger - all ships of this type',
      vendorid: '1D00014',
      model: 12,
      serial: 199796,
      callsign: 'TC6163',
      to_bow: 0,
      to_stern: 15,
      to_port: 0,
      to_starboard: 5,
    });
    expect(d.push(partB)).toBeNull(); // part A was used up
    expect(d.stats).toMatchObject({ decoded: 1, partial: 1, unpaired: 2 });
  });
});

describe('pure API', () => {
  it('dearmor + decodePayload decode one payload', () => {
    const p = dearmor('15RTgt0PAso;90TKcjM8h6g208CQ', 0);
    expect(p?.bitLength).toBe(168);
    expect(decodePayload(p!)).toEqual(TYPE1_SCALED);
    expect(decodePayload(p!, { scaled: false })?.scaled).toBe(false);
  });

  it('dearmor rejects bad input instead of throwing', () => {
    expect(dearmor('15RT~', 0)).toBeNull();
    expect(dearmor('15RT', 6)).toBeNull();
    expect(dearmor('15RT', -1)).toBeNull();
    expect(dearmor('15RT', 1.5)).toBeNull();
    expect(dearmor('', 2)).toBeNull();
    expect(dearmor('0'.repeat(400), 0)).toBeNull();
  });

  it('decodePayload returns null for wrong lengths and types', () => {
    expect(decodePayload({ bits: new Uint8Array(0), bitLength: 0 })).toBeNull();
    expect(decodePayload(dearmor('15RTgt0PAso;90TKcjM8', 0)!)).toBeNull();
    expect(decodePayload(dearmor('w5RTgt0PAso;90TKcjM8h6g208CQ', 0)!)).toBeNull();
  });

  it('decodePayload returns type 24 parts alone, marked with part', () => {
    expect(decodePayload(dearmor('H42O55i18tMET00000000000000', 2)!)).toEqual({
      class: 'AIS',
      type: 24,
      repeat: 0,
      mmsi: 271041815,
      scaled: true,
      part: 'A',
      shipname: 'PROGUY',
    });
    expect(decodePayload(dearmor('H42O55lti4hhhilD3nink000?050', 0)!)).toMatchObject({
      part: 'B',
      callsign: 'TC6163',
    });
  });
});

describe('bit reading', () => {
  const bits = new Uint8Array([0b10110011, 0b01011100, 0xff, 0x00, 0x80, 0x01, 0xff, 0xff]);

  it('reads unsigned fields MSB first across bytes, and zeros past the end', () => {
    expect(ubits(bits, 0, 1)).toBe(1);
    expect(ubits(bits, 1, 3)).toBe(0b011);
    expect(ubits(bits, 4, 8)).toBe(0b00110101);
    expect(ubits(bits, 8, 8)).toBe(0b01011100);
    expect(ubits(bits, 0, 32)).toBe(0xb35cff00);
    expect(ubits(bits, 4, 42)).toBe(
      Number.parseInt('0011' + '01011100' + '11111111' + '00000000' + '10000000' + '000000', 2),
    );
    expect(ubits(bits, 60, 8)).toBe(0xf0);
    expect(ubits(bits, 100, 30)).toBe(0);
  });

  it('reads two-complement signed fields', () => {
    expect(sbits(new Uint8Array([0xff]), 0, 8)).toBe(-1);
    expect(sbits(new Uint8Array([0x80]), 0, 8)).toBe(-128);
    expect(sbits(new Uint8Array([0x7f]), 0, 8)).toBe(127);
    expect(sbits(new Uint8Array([0xf0, 0, 0, 0]), 0, 28)).toBe(-(1 << 24));
  });
});

describe('gpsd number formatting', () => {
  it('rounds exact binary ties to even, like glibc printf', () => {
    expect(printfFixed(0.25, 1)).toBe('0.2');
    expect(printfFixed(0.75, 1)).toBe('0.8');
    expect(printfFixed(-0.25, 1)).toBe('-0.2');
    expect(printfFixed(2.5, 0)).toBe('2');
    expect(printfFixed(3.5, 0)).toBe('4');
    expect(printfFixed(0.125, 2)).toBe('0.12');
    expect(printfFixed(0.05, 1)).toBe('0.1'); // 0.05 is a little above 1/20 in binary
    expect(printfFixed(-73.5, 6)).toBe('-73.500000');
  });

  it('formats a sentence built here the same way as one from a fixture', () => {
    const line = sentence('AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0');
    expect(line).toBe(TYPE1);
  });
});
