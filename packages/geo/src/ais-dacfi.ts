/**
 * Application payloads (DAC/FI) of AIS types 6 (addressed) and 8 (broadcast), decoded into the
 * fields gpsd 3.22 prints (`driver_ais.c` `ais_binary_decode`, JSON in `gpsd_json.c`
 * `json_aivdm_dump`). Bit positions, length rules and scaling follow gpsd so that the same
 * payloads are decoded (and the rest left as raw `data`) with the same values; where gpsd reads
 * past the payload it sees its zero-filled buffer (and the fill bits as sent), and so do we.
 * Sources: IMO SN.1/Circ.236 and 289 (DAC 1), Inland AIS (DAC 200), GLA AtoN (DAC 235/250).
 */
import { fixed } from './ais-format.js';
import { meteo } from './ais-dacfi-meteo.js';
import { MIN1000, Reader, mdhmBare, mdhmZ, p2 } from './ais-dacfi-reader.js';
import type { AppFields } from './ais-dacfi-reader.js';
import {
  DIRECTIONS,
  EMMA_CLASSES,
  EMMA_TYPES,
  EMMA_WINDS,
  HAZARD_TYPES,
  ID_TYPES,
  LIGHT_STATUS,
  LOAD_STATUS,
  POSITION_TYPES,
  RACON_STATUS,
  ROUTE_TYPES,
  RTA_STATUS,
  SIGNALS,
  SIGNAL_STATUS,
  inlandShipTypeText,
  legend,
} from './ais-dacfi-legends.js';

export type { AppFields } from './ais-dacfi-reader.js';

/** IMO236 1/14 and IMO289 1/32 tidal windows: gpsd loops while the element start ≤ bitlen. */
function tidals(r: Reader, imo236: boolean): AppFields[] {
  const out: AppFields[] = [];
  const size = imo236 ? 93 : 88;
  for (let a = 97; a <= r.n; a += size) {
    const [lat, lon] = imo236 ? [r.s(a, 27), r.s(a + 27, 28)] : [r.s(a + 25, 24), r.s(a, 25)];
    const t = imo236 ? a + 55 : a + 49;
    out.push({
      lon: r.min1000(lon),
      lat: r.min1000(lat),
      from_hour: r.u(t, 5),
      from_min: r.u(t + 5, 6),
      to_hour: r.u(t + 11, 5),
      to_min: r.u(t + 16, 6),
      cdir: r.u(t + 22, 9),
      cspeed: r.tenth(r.u(t + 31, imo236 ? 7 : 8)),
    });
  }
  return out;
}

/** IMO289 route information (1/27 broadcast at 56, 1/28 addressed at 88). */
function route(r: Reader, at: number): AppFields {
  const rtype = r.u(at + 13, 5);
  const waycount = r.u(at + 56, 5);
  const waypoints: AppFields[] = [];
  for (let i = 0; i < waycount; i++) {
    const a = at + 61 + 55 * i;
    waypoints.push({ lon: r.min10000(r.s(a, 28)), lat: r.min10000(r.s(a + 28, 27)) });
  }
  return {
    linkage: r.u(at, 10),
    sender: r.u(at + 10, 3),
    rtype,
    rtype_text: ROUTE_TYPES[rtype],
    start: mdhmZ(r, at + 18),
    duration: r.u(at + 38, 18),
    waypoints,
  };
}

/** 1/20 service fields, two bits each from bit 139, in gpsd's order. */
const BERTH_SERVICES = [
  'agent',
  'fuel',
  'chandler',
  'stevedore',
  'electrical',
  'water',
  'customs',
  'cartage',
  'crane',
  'lift',
  'medical',
  'navrepair',
  'provisions',
  'shiprepair',
  'surveyor',
  'steam',
  'tugs',
  'solidwaste',
  'liquidwaste',
  'hazardouswaste',
  'ballast',
  'additional',
  'regional1',
  'regional2',
  'future1',
  'future2',
] as const;

/** Inland 200/21 (ETA) and 200/22 (RTA) at a lock, bridge or terminal. */
function inlandLock(r: Reader): AppFields {
  return {
    country: r.chars(88, 2),
    locode: r.chars(100, 3),
    section: r.chars(118, 5),
    terminal: r.chars(148, 5),
    hectometre: r.chars(178, 5),
    eta: mdhmBare(r, 208),
  };
}

/** GLA 235/10 analogue value: `%.2f` volts (×0.05) when scaled and non-zero. */
function analogue(r: Reader, raw: number): number {
  return r.scaled && raw !== 0 ? fixed(raw * 0.05, 2) : raw;
}

/**
 * The fields of a type 6 application payload, or null when gpsd leaves it as raw `data`.
 * `bits`/`n` are the whole message; dac/fid sit at bits 72/82, the payload from bit 88.
 */
export function type6Fields(bits: Uint8Array, n: number, scaled: boolean): AppFields | null {
  const r = new Reader(bits, n, scaled);
  const dac = r.u(72, 10);
  const fid = r.u(82, 6);
  if (dac === 200) {
    if (fid === 21 && n === 248)
      return { ...inlandLock(r), tugs: r.u(228, 3), airdraught: r.u(231, 12) };
    if (fid === 22 && n === 232) {
      const status = r.u(228, 2);
      return { ...inlandLock(r), status, status_text: RTA_STATUS[status] };
    }
    if (fid === 55 && n === 168)
      return { crew: r.u(88, 8), passengers: r.u(96, 13), personnel: r.u(109, 8) };
    return null;
  }
  if (dac === 235 || dac === 250) {
    if (fid !== 10 || n !== 136) return null;
    const racon = r.u(118, 2);
    const light = r.u(120, 2);
    return {
      off_pos: r.flag(131),
      alarm: r.flag(122),
      stat_ext: r.u(123, 8),
      ana_int: analogue(r, r.u(88, 10)),
      ana_ext1: analogue(r, r.u(98, 10)),
      ana_ext2: analogue(r, r.u(108, 10)),
      racon,
      racon_text: RACON_STATUS[racon],
      light,
      light_text: LIGHT_STATUS[light],
    };
  }
  if (dac !== 1) return null;
  switch (fid) {
    case 12: // IMO236 dangerous cargo indication
      return {
        lastport: r.chars(88, 5),
        departure: mdhmZ(r, 118),
        nextport: r.chars(138, 5),
        eta: mdhmZ(r, 168),
        dangerous: r.chars(188, 20),
        imdcat: r.chars(308, 4),
        unid: r.u(332, 13),
        amount: r.u(345, 10),
        unit: r.u(355, 2),
      };
    case 14: // IMO236 tidal window
    case 32: // IMO289 tidal window
      return { month: r.u(88, 4), day: r.u(92, 5), tidals: tidals(r, fid === 14) };
    case 15: // IMO236 extended ship static: gpsd reads bit 56 (inside dest_mmsi)
      return { airdraught: r.u(56, 11) };
    case 16: // number of persons on board: IMO289 layout at 136 payload bits, else IMO236's
      return { persons: n - 88 === 136 ? r.u(88, 13) : r.u(55, 13) };
    case 18: // IMO289 clearance time to enter port
      return {
        linkage: r.u(88, 10),
        arrival: mdhmZ(r, 98),
        portname: r.chars(118, 20),
        destination: r.chars(238, 5),
        lon: r.min1000(r.s(268, 25)),
        lat: r.min1000(r.s(293, 24)),
      };
    case 20: {
      // IMO289 berthing data
      const position = r.u(115, 3);
      const out: AppFields = {
        linkage: r.u(88, 10),
        berth_length: r.u(98, 9),
        position,
        position_text: POSITION_TYPES[position],
        arrival: mdhmBare(r, 118),
        availability: r.u(138, 1),
      };
      BERTH_SERVICES.forEach((name, i) => (out[name] = r.u(139 + 2 * i, 2)));
      out.berth_name = r.chars(191, 20);
      out.berth_lon = r.min1000(r.s(311, 25));
      out.berth_lat = r.min1000(r.s(336, 24));
      const depth = r.u(107, 8);
      out.berth_depth = scaled ? fixed(depth * 0.1, 1) : depth;
      return out;
    }
    case 25: {
      // IMO289 dangerous cargo indication: 17-bit entries while they start before the end
      const cargos: AppFields[] = [];
      for (let a = 100; a < n; a += 17) cargos.push({ code: r.u(a, 4), subtype: r.u(a + 4, 13) });
      return { unit: r.u(88, 2), amount: r.u(90, 10), cargos };
    }
    case 28: // IMO289 route information, addressed
      return route(r, 88);
    case 30: // IMO289 text description, addressed
      return { linkage: r.u(88, 10), text: r.endChars(98) };
    default: // 1/23 area notice and the rest: gpsd leaves them raw
      return null;
  }
}

/** IMO289 1/17 VTS targets: 122-bit entries while the entry start ≤ bitlen, as gpsd loops. */
function targets(r: Reader): AppFields[] {
  const out: AppFields[] = [];
  for (let a = 56; a <= r.n; a += 122) {
    const idtype = r.u(a, 2);
    const t: AppFields = { idtype, idtype_text: ID_TYPES[idtype] };
    // gpsd keeps a 42-bit MMSI/IMO in a 32-bit unsigned int and prints it as a string.
    if (idtype < 2) t[ID_TYPES[idtype] ?? ''] = String(r.u(a + 2, 42) % 2 ** 32);
    else t[ID_TYPES[idtype] ?? ''] = r.chars(a + 2, 7);
    t.lat = r.min1000(r.s(a + 48, 24));
    t.lon = r.min1000(r.s(a + 72, 25));
    t.course = r.u(a + 97, 9);
    t.second = r.u(a + 106, 6);
    t.speed = r.u(a + 112, 10);
    out.push(t);
  }
  return out;
}

/**
 * The fields of a type 8 application payload, or null when gpsd leaves it as raw `data`.
 * `bits`/`n` are the whole message; dac/fid sit at bits 40/50, the payload from bit 56.
 */
export function type8Fields(bits: Uint8Array, n: number, scaled: boolean): AppFields | null {
  const r = new Reader(bits, n, scaled);
  const dac = r.u(40, 10);
  const fid = r.u(50, 6);
  if (dac === 1) {
    switch (fid) {
      case 11:
        return meteo(r, false);
      case 31:
        return meteo(r, true);
      case 13: // IMO236 fairway closed
        return {
          reason: r.chars(56, 20),
          closefrom: r.chars(176, 20),
          closeto: r.chars(296, 20),
          radius: r.u(416, 10),
          extunit: r.u(426, 2),
          from: `${p2(r.u(433, 4))}-${p2(r.u(428, 5))}T${p2(r.u(437, 5))}:${p2(r.u(442, 6))}`,
          to: `${p2(r.u(453, 4))}-${p2(r.u(448, 5))}T${p2(r.u(457, 5))}:${p2(r.u(462, 6))}`,
        };
      case 15: // IMO236 extended ship static and voyage data
        return { airdraught: r.u(56, 11) };
      case 16: // persons on board: IMO289 (136 payload bits) or IMO236 (72); others raw
        if (n - 56 === 136) return { persons: r.u(88, 13) };
        if (n - 56 === 72) return { persons: r.u(55, 13) };
        return null;
      case 17:
        return { targets: targets(r) };
      case 19: {
        // IMO289 marine traffic signal; gpsd prints lon/lat in degrees even unscaled
        const signal = r.u(237, 5);
        const nextsignal = r.u(253, 5);
        return {
          linkage: r.u(56, 10),
          station: r.chars(66, 20),
          lon: fixed(r.s(186, 25) / MIN1000, 4),
          lat: fixed(r.s(211, 24) / MIN1000, 4),
          status: r.u(235, 2),
          signal,
          signal_text: legend(SIGNALS, signal, 'INVALID SIGNAL TYPE'),
          hour: r.u(242, 5),
          minute: r.u(247, 6),
          nextsignal,
          nextsignal_text: legend(SIGNALS, nextsignal, 'INVALID SIGNAL TYPE'),
        };
      }
      case 27:
        return route(r, 56);
      case 29: // IMO289 text description, broadcast
        return { linkage: r.u(56, 10), text: r.endChars(66) };
      default: // 1/21 weather, 1/22 area notice, 1/24, 1/26: gpsd leaves them raw
        return null;
    }
  }
  if (dac !== 200 || n !== (fid === 23 ? 256 : 168)) return null;
  switch (fid) {
    case 10: {
      // Inland ship static and voyage data; gpsd rejects hazard codes past its table
      const hazard = r.u(141, 3);
      if (hazard > 5) return null;
      const shiptype = r.u(127, 14);
      const loaded = r.u(155, 2);
      return {
        vin: r.chars(56, 8),
        length: r.u(104, 13),
        beam: r.u(117, 10),
        shiptype,
        shiptype_text: inlandShipTypeText(shiptype),
        hazard,
        hazard_text: legend(HAZARD_TYPES, hazard, 'INVALID HAZARD TYPE'),
        draught: r.u(144, 11),
        loaded,
        loaded_text: legend(LOAD_STATUS, loaded, 'INVALID LOAD STATUS'),
        speed_q: r.flag(157),
        course_q: r.flag(158),
        heading_q: r.flag(159),
      };
    }
    case 23: {
      // EMMA weather warning. gpsd prints the EMMA type and intensity as "type" and "class",
      // which clash with the message's own keys (its JSON then has each key twice), and its
      // start date as year-month-hour T minute:day: we name them emma_type/emma_class and print the
      // dates in order (see ais-compare.ts, which checks both against gpsd's text).
      const type = r.u(222, 4);
      const intensity = r.u(244, 2);
      const wind = r.u(246, 4);
      const date = (at: number, hm: number): string =>
        `${r.u(at, 8) + 2000}-${p2(r.u(at + 8, 4))}-${p2(r.u(at + 12, 5))}T${p2(r.u(hm, 5))}:${p2(r.u(hm + 5, 6))}`;
      return {
        start: date(56, 90),
        end: date(73, 101),
        start_lon: r.min10000(r.s(112, 28)),
        start_lat: r.min10000(r.s(140, 27)),
        end_lon: r.min10000(r.s(167, 28)),
        end_lat: r.min10000(r.s(195, 27)),
        emma_type: type,
        type_text: legend(EMMA_TYPES, type, 'INVALID EMMA TYPE'),
        min: r.s(226, 9),
        max: r.s(235, 9),
        emma_class: intensity,
        class_text: legend(EMMA_CLASSES, intensity, 'INVALID EMMA TYPE'),
        wind,
        wind_text: legend(EMMA_WINDS, wind, 'INVALID EMMA WIND DIRECTION'),
      };
    }
    case 24: {
      // Inland water levels: four 25-bit gauges
      const gauges: AppFields[] = [];
      for (let a = 68; a < n; a += 25) gauges.push({ id: r.u(a, 11), level: r.s(a + 11, 14) });
      return { country: r.chars(56, 2), gauges };
    }
    case 40: {
      // Inland signal status
      const direction = r.u(124, 3);
      const status = r.u(127, 30);
      return {
        lon: r.min10000(r.s(56, 28)),
        lat: r.min10000(r.s(84, 27)),
        form: r.u(111, 4),
        facing: r.u(115, 9),
        direction,
        direction_text: legend(DIRECTIONS, direction, 'INVALID DIRECTION'),
        status,
        status_text: legend(SIGNAL_STATUS, status, 'INVALID STATUS'),
      };
    }
    default:
      return null;
  }
}
