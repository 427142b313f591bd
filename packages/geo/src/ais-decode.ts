/**
 * Field layouts of AIS messages 1–27 (ITU-R M.1371-5 Annex 8 §3.3, Tables 45–84), decoded to
 * gpsd's JSON shape. Length rules follow gpsd's `ais_binary_decode` so that the same payloads
 * are accepted and rejected; positions cite the standard's bit offsets (0-based, MSB first).
 */
import { bitsHex, sbits, sixbitRaw, sixbitText, trimRight, ubits } from './ais-armor.js';
import { type6Fields, type8Fields } from './ais-dacfi.js';
import { degrees4, degrees6, fixed, printfFixed } from './ais-format.js';
import {
  NAV_STATUS,
  epfdText,
  navaidTypeText,
  shipTypeText,
  stationTypeText,
} from './ais-legends.js';
import type { AisMessage, AisStaticB } from './ais-types.js';

/** Options of `decodePayload`. */
export interface DecodeOptions {
  /** Human units as `gpsdecode -j` (default true); false gives the raw integers (`-u -j`). */
  readonly scaled?: boolean;
}

/** An unpacked payload: bits MSB first, and how many of them are payload (fill excluded). */
export interface AisPayload {
  readonly bits: Uint8Array;
  readonly bitLength: number;
}

/** Why a complete payload did not decode: wrong bit count for its type, or an unknown type. */
export type PayloadFailure = 'length' | 'type';

/**
 * Decodes one complete AIS payload, or returns null when its bit count does not fit its type
 * or the type is not 1..27. Pure: a type 24 part comes back alone, marked with `part`.
 * @example decodePayload(dearmor('15RTgt0PAso;90TKcjM8h6g208CQ', 0)!)?.mmsi // 371798000
 */
export function decodePayload(payload: AisPayload, opts?: DecodeOptions): AisMessage | null {
  const n = payload?.bitLength;
  if (!(payload?.bits instanceof Uint8Array) || !Number.isInteger(n) || n < 0) return null;
  const r = decodeBits(payload.bits, n, opts?.scaled !== false);
  return typeof r === 'string' ? null : r;
}

/** Scaled "rate of turn" as gpsd prints it, indexed by ROT_AIS + 128 (see AisPositionA.turn). */
const TURN_SCALED: readonly (number | 'nan' | 'fastleft' | 'fastright')[] = Array.from(
  { length: 256 },
  (_, i) => {
    const t = i - 128;
    if (t === -128) return 'nan';
    if (t === -127) return 'fastleft';
    if (t === 127) return 'fastright';
    const rot = t / 4.733; // ITU-R M.1371 Table 46 note: ROT_AIS = 4.733·√ROT
    return fixed(rot * rot, 0);
  },
);

/** True for auxiliary craft MMSIs 98XXXYYYY (ITU-R M.585), whose type 24B carries a mothership. */
function isAuxiliaryMmsi(mmsi: number): boolean {
  return Math.floor(mmsi / 10_000_000) === 98;
}

/**
 * gpsd's hex for an addressed type 25/26 payload. gpsd copies the bytes after the header, then
 * drops the 30-bit destination MMSI with its `shiftleft()`, whose byte arithmetic can let a few
 * bits of the copy's last byte through; we replay it byte for byte so `data` matches.
 */
function addressedHex(bits: Uint8Array, fromByte: number, bitcount: number): string {
  const nbytes = (bitcount + 7) >>> 3;
  const size = bitcount - 3; // shiftleft() subtracts bytes from a bit count
  const data = new Uint8Array(Math.max(size, nbytes) + 2);
  for (let k = 0; k < nbytes; k++) data[k] = bits[fromByte + k] ?? 0;
  if (size > 0) data.copyWithin(0, 3, 3 + ((size + 7) >>> 3));
  for (let k = 0; k < size; k++) {
    const next = k + 1 < size ? (data[k + 1] ?? 0) >>> 2 : 0;
    data[k] = (((data[k] ?? 0) << 6) & 0xff) | next;
  }
  return bitsHex(data, 0, bitcount - 30, Infinity);
}

/**
 * Decodes a complete payload of `bitLength` bits; returns the failure reason instead of
 * throwing. The workhorse behind `decodePayload` and `AisDecoder`.
 */
export function decodeBits(
  bits: Uint8Array,
  bitLength: number,
  scaled: boolean,
): AisMessage | PayloadFailure {
  if (bitLength < 38) return bitLength >= 6 && !knownType(ubits(bits, 0, 6)) ? 'type' : 'length';
  const type = ubits(bits, 0, 6);
  const repeat = ubits(bits, 6, 2);
  const mmsi = ubits(bits, 8, 30);
  const n = bitLength;
  switch (type) {
    case 1:
    case 2:
    case 3: {
      // Table 46. gpsd accepts 163..204 bits and shortens the radio field below 168.
      if (n < 163 || n > 204) return 'length';
      const turn = sbits(bits, 42, 8);
      const speed = ubits(bits, 50, 10);
      const lon = sbits(bits, 61, 28);
      const lat = sbits(bits, 89, 27);
      const course = ubits(bits, 116, 12);
      const status = ubits(bits, 38, 4);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        status,
        status_text: NAV_STATUS[status] ?? '',
        turn: scaled ? (TURN_SCALED[turn + 128] ?? 0) : turn,
        speed: scaled ? (speed === 1023 ? 'nan' : speed === 1022 ? 'fast' : speed / 10) : speed,
        accuracy: ubits(bits, 60, 1) !== 0,
        lon: scaled ? degrees6(lon) : lon,
        lat: scaled ? degrees6(lat) : lat,
        course: scaled ? course / 10 : course,
        heading: ubits(bits, 128, 9),
        second: ubits(bits, 137, 6),
        maneuver: ubits(bits, 143, 2),
        raim: ubits(bits, 148, 1) !== 0,
        radio: n >= 168 ? ubits(bits, 149, 19) : ubits(bits, 149, n - 149),
      };
    }
    case 4:
    case 11: {
      // Table 51 (type 4) and §3.3.8.2.3 (type 11, same layout).
      if (n < 168) return 'length';
      const lon = sbits(bits, 79, 28);
      const lat = sbits(bits, 107, 27);
      const epfd = ubits(bits, 134, 4);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        timestamp:
          `${pad(ubits(bits, 38, 14), 4)}-${pad(ubits(bits, 52, 4), 2)}-${pad(ubits(bits, 56, 5), 2)}` +
          `T${pad(ubits(bits, 61, 5), 2)}:${pad(ubits(bits, 66, 6), 2)}:${pad(ubits(bits, 72, 6), 2)}Z`,
        accuracy: ubits(bits, 78, 1) !== 0,
        lon: scaled ? degrees6(lon) : lon,
        lat: scaled ? degrees6(lat) : lat,
        epfd,
        epfd_text: epfdText(epfd),
        raim: ubits(bits, 148, 1) !== 0,
        radio: ubits(bits, 149, 19),
      };
    }
    case 5: {
      // Table 52: 424 bits, but many transmitters send 420 or 422 (gpsd accepts ≥ 420).
      if (n < 420) return 'length';
      const shiptype = ubits(bits, 232, 8);
      const epfd = ubits(bits, 270, 4);
      const draught = ubits(bits, 294, 8);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        imo: ubits(bits, 40, 30),
        ais_version: ubits(bits, 38, 2),
        callsign: sixbitText(bits, 70, 7),
        shipname: sixbitText(bits, 112, 20),
        shiptype,
        shiptype_text: shipTypeText(shiptype),
        to_bow: ubits(bits, 240, 9),
        to_stern: ubits(bits, 249, 9),
        to_port: ubits(bits, 258, 6),
        to_starboard: ubits(bits, 264, 6),
        epfd,
        epfd_text: epfdText(epfd),
        eta: `${pad(ubits(bits, 274, 4), 2)}-${pad(ubits(bits, 278, 5), 2)}T${pad(ubits(bits, 283, 5), 2)}:${pad(ubits(bits, 288, 6), 2)}Z`,
        draught: scaled ? draught / 10 : draught,
        destination: sixbitText(bits, 302, 20),
        dte: n >= 423 ? ubits(bits, 422, 1) : 0,
      };
    }
    case 6: {
      // Table 57: 88-bit header, then application data identified by DAC/FI.
      if (n < 88 || n > 1008) return 'length';
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        seqno: ubits(bits, 38, 2),
        dest_mmsi: ubits(bits, 40, 30),
        retransmit: ubits(bits, 70, 1) !== 0,
        dac: ubits(bits, 72, 10),
        fid: ubits(bits, 82, 6),
        // DAC/FI payloads gpsd decodes become fields (ais-dacfi.ts); the rest stays raw.
        // gpsd copies whole bytes, so the last byte keeps the fill bits as sent.
        ...(type6Fields(bits, n, scaled) ?? { data: bitsHex(bits, 88, n - 88, Infinity) }),
      };
    }
    case 7:
    case 13: {
      // Table 58: one to four acknowledged MMSIs, each with a 2-bit sequence number.
      if (n < 72 || n > 168) return 'length';
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        mmsi1: ubits(bits, 40, 30),
        mmsi2: n > 72 ? ubits(bits, 72, 30) : 0,
        mmsi3: n > 104 ? ubits(bits, 104, 30) : 0,
        mmsi4: n > 136 ? ubits(bits, 136, 30) : 0,
      };
    }
    case 8: {
      // Table 62: 56-bit header, then application data. gpsd masks the bits past the end.
      if (n < 56 || n > 1008) return 'length';
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        dac: ubits(bits, 40, 10),
        fid: ubits(bits, 50, 6),
        ...(type8Fields(bits, n, scaled) ?? { data: bitsHex(bits, 56, n - 56, n) }),
      };
    }
    case 9: {
      // Table 63.
      if (n < 168) return 'length';
      const alt = ubits(bits, 38, 12);
      const speed = ubits(bits, 50, 10);
      const lon = sbits(bits, 61, 28);
      const lat = sbits(bits, 89, 27);
      const course = ubits(bits, 116, 12);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        alt: scaled ? (alt === 4095 ? 'nan' : alt === 4094 ? 'high' : alt) : alt,
        speed: scaled ? (speed === 1023 ? 'nan' : speed === 1022 ? 'fast' : speed) : speed,
        accuracy: ubits(bits, 60, 1) !== 0,
        lon: scaled ? degrees6(lon) : lon,
        lat: scaled ? degrees6(lat) : lat,
        course: scaled ? course / 10 : course,
        second: ubits(bits, 128, 6),
        regional: ubits(bits, 134, 8),
        dte: ubits(bits, 142, 1),
        raim: ubits(bits, 147, 1) !== 0,
        radio: ubits(bits, 148, 20),
      };
    }
    case 10:
      // Table 64.
      if (n < 72) return 'length';
      return { class: 'AIS', type, repeat, mmsi, scaled, dest_mmsi: ubits(bits, 40, 30) };
    case 12:
      // Table 65: text runs to the end of the payload.
      if (n < 72 || n > 1008) return 'length';
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        seqno: ubits(bits, 38, 2),
        dest_mmsi: ubits(bits, 40, 30),
        retransmit: ubits(bits, 70, 1) !== 0,
        text: sixbitText(bits, 72, Math.floor((n - 72) / 6)),
      };
    case 14:
      // Table 67.
      if (n < 40 || n > 960) return 'length';
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        text: sixbitText(bits, 40, Math.floor((n - 40) / 6)),
      };
    case 15: {
      // Table 68: one station with one or two requests, or two stations.
      if (n < 88 || n > 168) return 'length';
      const two = n > 90;
      const second = n > 110;
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        mmsi1: ubits(bits, 40, 30),
        type1_1: ubits(bits, 70, 6),
        offset1_1: ubits(bits, 76, 12),
        type1_2: two ? ubits(bits, 90, 6) : 0,
        offset1_2: two ? ubits(bits, 96, 12) : 0,
        mmsi2: two && second ? ubits(bits, 110, 30) : 0,
        type2_1: two && second ? ubits(bits, 140, 6) : 0,
        offset2_1: two && second ? ubits(bits, 146, 12) : 0,
      };
    }
    case 16: {
      // Table 69: one or two stations.
      if (n < 96 || n > 168) return 'length';
      const two = n >= 144;
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        mmsi1: ubits(bits, 40, 30),
        offset1: ubits(bits, 70, 12),
        increment1: ubits(bits, 82, 10),
        mmsi2: two ? ubits(bits, 92, 30) : 0,
        offset2: two ? ubits(bits, 122, 12) : 0,
        increment2: two ? ubits(bits, 134, 10) : 0,
      };
    }
    case 17: {
      // Table 70: reference station position in 1/10 minute, then DGNSS correction data.
      if (n < 80 || n > 816) return 'length';
      const lon = sbits(bits, 40, 18);
      const lat = sbits(bits, 58, 17);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        lon: scaled ? fixed(lon / 600, 1) : lon,
        lat: scaled ? fixed(lat / 600, 1) : lat,
        data: bitsHex(bits, 80, n - 80, Infinity),
      };
    }
    case 18: {
      // Table 71.
      if (n < 168) return 'length';
      const speed = ubits(bits, 46, 10);
      const lon = sbits(bits, 57, 28);
      const lat = sbits(bits, 85, 27);
      const course = ubits(bits, 112, 12);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        reserved: ubits(bits, 38, 8),
        speed: scaled ? speed / 10 : speed,
        accuracy: ubits(bits, 56, 1) !== 0,
        lon: scaled ? degrees6(lon) : lon,
        lat: scaled ? degrees6(lat) : lat,
        course: scaled ? course / 10 : course,
        heading: ubits(bits, 124, 9),
        second: ubits(bits, 133, 6),
        regional: ubits(bits, 139, 2),
        cs: ubits(bits, 141, 1) !== 0,
        display: ubits(bits, 142, 1) !== 0,
        dsc: ubits(bits, 143, 1) !== 0,
        band: ubits(bits, 144, 1) !== 0,
        msg22: ubits(bits, 145, 1) !== 0,
        raim: ubits(bits, 147, 1) !== 0,
        radio: ubits(bits, 148, 20),
      };
    }
    case 19: {
      // Table 72.
      if (n < 312) return 'length';
      const speed = ubits(bits, 46, 10);
      const lon = sbits(bits, 57, 28);
      const lat = sbits(bits, 85, 27);
      const course = ubits(bits, 112, 12);
      const shiptype = ubits(bits, 263, 8);
      const epfd = ubits(bits, 301, 4);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        reserved: ubits(bits, 38, 8),
        speed: scaled ? speed / 10 : speed,
        accuracy: ubits(bits, 56, 1) !== 0,
        lon: scaled ? degrees6(lon) : lon,
        lat: scaled ? degrees6(lat) : lat,
        course: scaled ? course / 10 : course,
        heading: ubits(bits, 124, 9),
        second: ubits(bits, 133, 6),
        regional: ubits(bits, 139, 4),
        shipname: sixbitText(bits, 143, 20),
        shiptype,
        shiptype_text: shipTypeText(shiptype),
        to_bow: ubits(bits, 271, 9),
        to_stern: ubits(bits, 280, 9),
        to_port: ubits(bits, 289, 6),
        to_starboard: ubits(bits, 295, 6),
        epfd,
        epfd_text: epfdText(epfd),
        raim: ubits(bits, 305, 1) !== 0,
        dte: ubits(bits, 306, 1),
        assigned: ubits(bits, 307, 1) !== 0,
      };
    }
    case 20:
      // Table 73: up to four slot reservations (absent ones read as zero).
      if (n < 72 || n > 186) return 'length';
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        offset1: ubits(bits, 40, 12),
        number1: ubits(bits, 52, 4),
        timeout1: ubits(bits, 56, 3),
        increment1: ubits(bits, 59, 11),
        offset2: ubits(bits, 70, 12),
        number2: ubits(bits, 82, 4),
        timeout2: ubits(bits, 86, 3),
        increment2: ubits(bits, 89, 11),
        offset3: ubits(bits, 100, 12),
        number3: ubits(bits, 112, 4),
        timeout3: ubits(bits, 116, 3),
        increment3: ubits(bits, 119, 11),
        offset4: ubits(bits, 130, 12),
        number4: ubits(bits, 142, 4),
        timeout4: ubits(bits, 146, 3),
        increment4: ubits(bits, 149, 11),
      };
    case 21: {
      // Table 74: 20-character name, extended by up to 14 characters from bit 272.
      if (n < 272 || n > 368) return 'length';
      let name = sixbitRaw(bits, 43, 20);
      if (name.length === 20 && n > 272) name += sixbitRaw(bits, 272, Math.floor((n - 272) / 6));
      const aidType = ubits(bits, 38, 5);
      const lon = sbits(bits, 164, 28);
      const lat = sbits(bits, 192, 27);
      const epfd = ubits(bits, 249, 4);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        aid_type: aidType,
        aid_type_text: navaidTypeText(aidType),
        name: trimRight(name),
        accuracy: ubits(bits, 163, 1) !== 0,
        lon: scaled ? degrees6(lon) : lon,
        lat: scaled ? degrees6(lat) : lat,
        to_bow: ubits(bits, 219, 9),
        to_stern: ubits(bits, 228, 9),
        to_port: ubits(bits, 237, 6),
        to_starboard: ubits(bits, 243, 6),
        epfd,
        epfd_text: epfdText(epfd),
        second: ubits(bits, 253, 6),
        regional: ubits(bits, 260, 8),
        off_position: ubits(bits, 259, 1) !== 0,
        raim: ubits(bits, 268, 1) !== 0,
        virtual_aid: ubits(bits, 269, 1) !== 0,
      };
    }
    case 22: {
      // Table 75: a rectangle in 1/10 minute, or two addressed stations (bit 139).
      if (n < 168) return 'length';
      const addressed = ubits(bits, 139, 1) !== 0;
      const head = {
        class: 'AIS' as const,
        type: 22 as const,
        repeat,
        mmsi,
        scaled,
        channel_a: ubits(bits, 40, 12),
        channel_b: ubits(bits, 52, 12),
        txrx: ubits(bits, 64, 4),
        power: ubits(bits, 68, 1) !== 0,
      };
      const tail = {
        addressed,
        band_a: ubits(bits, 140, 1) !== 0,
        band_b: ubits(bits, 141, 1) !== 0,
        zonesize: ubits(bits, 142, 3),
      };
      if (addressed) {
        return { ...head, dest1: ubits(bits, 69, 30), dest2: ubits(bits, 104, 30), ...tail };
      }
      return {
        ...head,
        ne_lon: corner(sbits(bits, 69, 18), scaled),
        ne_lat: corner(sbits(bits, 87, 17), scaled),
        sw_lon: corner(sbits(bits, 104, 18), scaled),
        sw_lat: corner(sbits(bits, 122, 17), scaled),
        ...tail,
      };
    }
    case 23: {
      // Table 76.
      if (n < 160) return 'length';
      const stationtype = ubits(bits, 110, 4);
      const shiptype = ubits(bits, 114, 8);
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        ne_lon: corner(sbits(bits, 40, 18), scaled),
        ne_lat: corner(sbits(bits, 58, 17), scaled),
        sw_lon: corner(sbits(bits, 75, 18), scaled),
        sw_lat: corner(sbits(bits, 93, 17), scaled),
        stationtype,
        stationtype_text: stationTypeText(stationtype),
        shiptype,
        shiptype_text: shipTypeText(shiptype),
        interval: ubits(bits, 146, 4),
        quiet: ubits(bits, 150, 4),
      };
    }
    case 24:
      return decodeStaticB(bits, n, repeat, mmsi, scaled);
    case 25: {
      // Table 82: flags at 38/39, optional destination (30) and application id (16).
      if (n < 40 || n > 168) return 'length';
      const addressed = ubits(bits, 38, 1) !== 0;
      const structured = ubits(bits, 39, 1) !== 0;
      if (n < 40 + (structured ? 16 : 0) + (addressed ? 30 : 0)) return 'length';
      const bitcount = n - 40 - (structured ? 16 : 0);
      const from = structured ? 7 : 5;
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        addressed,
        structured,
        dest_mmsi: addressed ? ubits(bits, 40, 30) : 0,
        app_id: structured ? ubits(bits, addressed ? 70 : 40, 16) : 0,
        data: addressed
          ? addressedHex(bits, from, bitcount)
          : bitsHex(bits, from * 8, bitcount, Infinity),
      };
    }
    case 26: {
      // Table 83: as type 25, plus a 20-bit communication state at the end.
      if (n < 60 || n > 1004) return 'length';
      const addressed = ubits(bits, 38, 1) !== 0;
      const structured = ubits(bits, 39, 1) !== 0;
      if (n < 40 + (structured ? 16 : 0) + (addressed ? 30 : 0) + 20) return 'length';
      const bitcount = n - 60 - (structured ? 16 : 0);
      const from = structured ? 7 : 5;
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        addressed,
        structured,
        dest_mmsi: addressed ? ubits(bits, 40, 30) : 0,
        app_id: structured ? ubits(bits, addressed ? 70 : 40, 16) : 0,
        data: addressed
          ? addressedHex(bits, from, bitcount)
          : bitsHex(bits, from * 8, bitcount, Infinity),
        radio: ubits(bits, n - 20, 20),
      };
    }
    case 27: {
      // Table 84: 96 bits; some transmitters fill the whole 168-bit slot.
      if (n !== 96 && n !== 168) return 'length';
      const status = ubits(bits, 40, 4);
      const lon = sbits(bits, 44, 18);
      const lat = sbits(bits, 62, 17);
      const accuracy = ubits(bits, 38, 1) !== 0;
      const speed = ubits(bits, 79, 6);
      const course = ubits(bits, 85, 9);
      const raim = ubits(bits, 39, 1) !== 0;
      const gnss = ubits(bits, 94, 1) !== 0;
      if (!scaled) {
        return {
          class: 'AIS',
          type,
          repeat,
          mmsi,
          scaled,
          status,
          accuracy,
          lon,
          lat,
          speed,
          course,
          raim,
          gnss,
        };
      }
      // Positions as current gpsd prints them (4 decimals); 3.22 cut them to 1 decimal.
      return {
        class: 'AIS',
        type,
        repeat,
        mmsi,
        scaled,
        status,
        status_text: NAV_STATUS[status] ?? '',
        accuracy,
        lon: degrees4(lon),
        lat: degrees4(lat),
        speed,
        course,
        raim,
        gnss,
      };
    }
    default:
      return 'type';
  }
}

/** Type 24 (Table 81): part A carries the name; part B the type, vendor, callsign, dimensions. */
function decodeStaticB(
  bits: Uint8Array,
  n: number,
  repeat: number,
  mmsi: number,
  scaled: boolean,
): AisStaticB | PayloadFailure {
  const partno = n >= 40 ? ubits(bits, 38, 2) : -1;
  if (partno === 0) {
    if (n < 160 || n > 168) return 'length';
    return {
      class: 'AIS',
      type: 24,
      repeat,
      mmsi,
      scaled,
      part: 'A',
      shipname: sixbitText(bits, 40, 20),
    };
  }
  if (partno !== 1 || n < 168) return 'length';
  const shiptype = ubits(bits, 40, 8);
  // ITU-R M.1371-4 split the 7-character vendor id into 3 characters + model + serial; gpsd
  // reports both readings and so do we.
  const vendorid = sixbitText(bits, 48, 7);
  const callsign = sixbitText(bits, 90, 7);
  if (isAuxiliaryMmsi(mmsi)) {
    return {
      class: 'AIS',
      type: 24,
      repeat,
      mmsi,
      scaled,
      part: 'B',
      shiptype,
      shiptype_text: shipTypeText(shiptype),
      vendorid,
      model: ubits(bits, 66, 4),
      serial: ubits(bits, 70, 20),
      callsign,
      mothership_mmsi: ubits(bits, 132, 30),
    };
  }
  return {
    class: 'AIS',
    type: 24,
    repeat,
    mmsi,
    scaled,
    part: 'B',
    shiptype,
    shiptype_text: shipTypeText(shiptype),
    vendorid,
    model: ubits(bits, 66, 4),
    serial: ubits(bits, 70, 20),
    callsign,
    to_bow: ubits(bits, 132, 9),
    to_stern: ubits(bits, 141, 9),
    to_port: ubits(bits, 150, 6),
    to_starboard: ubits(bits, 156, 6),
  };
}

/** gpsd prints scaled type 22/23 corners (1/10 minute) as strings: `"%f"` of degrees. */
function corner(raw: number, scaled: boolean): number | string {
  return scaled ? printfFixed(raw / 600, 6) : raw;
}

function knownType(type: number): boolean {
  return type >= 1 && type <= 27;
}

/** Zero-padded decimal, like printf `%0<width>u` (wider values are not cut). */
function pad(v: number, width: number): string {
  const s = String(v);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}
