/**
 * IMO236 1/11 and IMO289 1/31 meteorological and hydrographic data (type 8), as gpsd 3.22
 * decodes and prints them (`driver_ais.c`, `gpsd_json.c`): the two layouts differ by an
 * accuracy bit, the visibility-greater flag and a few field widths, and in their scaling.
 */
import { fixed } from './ais-format.js';
import { ICE, PRECIP_TYPES, TRENDS } from './ais-dacfi-legends.js';
import { p2 } from './ais-dacfi-reader.js';
import type { AppFields, Reader } from './ais-dacfi-reader.js';

/** 1/11 (IMO236) and 1/31 (IMO289) meteorological and hydrographic data. */
export function meteo(r: Reader, imo289: boolean): AppFields {
  // IMO289 inserts the accuracy bit at 105 and widens a few fields; `o` tracks the shift.
  const o = imo289 ? 1 : 0;
  const lat = imo289 ? r.s(81, 24) : r.s(56, 24);
  const lon = imo289 ? r.s(56, 25) : r.s(80, 25);
  const out: AppFields = { lat: r.min1000(lat), lon: r.min1000(lon) };
  if (imo289) out.accuracy = r.flag(105);
  out.timestamp = `${p2(r.u(105 + o, 5))}T${p2(r.u(110 + o, 5))}:${p2(r.u(115 + o, 6))}Z`;
  out.wspeed = r.u(121 + o, 7);
  out.wgust = r.u(128 + o, 7);
  out.wdir = r.u(135 + o, 9);
  out.wgustdir = r.u(144 + o, 9);
  const airtemp = imo289 ? r.s(154, 11) : r.u(153, 11);
  out.humidity = r.u(164 + o, 7);
  const dewpoint = imo289 ? r.s(172, 10) : r.u(171, 10);
  const pressure = r.u(181 + o, 9);
  const pressuretend = r.u(190 + o, 2);
  // From here IMO289 is 2 bits further on (visgreater), then its water level is 3 bits wider.
  const v = imo289 ? 194 : 192;
  const visibility = r.u(v, imo289 ? 7 : 8);
  const waterlevel = imo289 ? r.u(201, 12) : r.u(200, 9);
  const w = imo289 ? 213 : 209; // leveltrend
  const leveltrend = r.u(w, 2);
  const c = w + 2;
  const cspeed = [r.u(c, 8), r.u(c + 17, 8), r.u(c + 39, 8)];
  const waveheight = r.u(c + 61, 8);
  const swellheight = r.u(c + 84, 8);
  const watertemp = imo289 ? r.s(c + 111, 10) : r.u(c + 111, 10);
  const preciptype = r.u(c + 121, 3);
  const salinity = r.u(c + 124, 9);
  const ice = r.u(c + 133, 2);
  if (r.scaled) {
    out.airtemp = fixed(imo289 ? airtemp / 10 : (airtemp - 600) / 10, 1);
    out.dewpoint = fixed(imo289 ? dewpoint / 10 : (dewpoint - 200) / 10, 1);
    out.pressure = pressure + (imo289 ? 799 : 800);
    out.pressuretend = TRENDS[pressuretend];
  } else {
    Object.assign(out, { airtemp, dewpoint, pressure, pressuretend });
  }
  if (imo289) out.visgreater = r.flag(193);
  out.visibility = r.tenth(visibility);
  if (!r.scaled) out.waterlevel = waterlevel;
  // IMO289: gpsd subtracts the offset in unsigned arithmetic, so levels below it wrap.
  else if (imo289) out.waterlevel = fixed(((waterlevel - 1000) >>> 0) / 100, 1);
  else out.waterlevel = fixed((waterlevel - 100) / 10, 1);
  out.leveltrend = r.scaled ? TRENDS[leveltrend] : leveltrend;
  out.cspeed = r.tenth(cspeed[0] ?? 0);
  out.cdir = r.u(c + 8, 9);
  out.cspeed2 = r.tenth(cspeed[1] ?? 0);
  out.cdir2 = r.u(c + 25, 9);
  out.cdepth2 = r.u(c + 34, 5);
  out.cspeed3 = r.tenth(cspeed[2] ?? 0);
  out.cdir3 = r.u(c + 47, 9);
  out.cdepth3 = r.u(c + 56, 5);
  out.waveheight = r.tenth(waveheight);
  out.waveperiod = r.u(c + 69, 6);
  out.wavedir = r.u(c + 75, 9);
  out.swellheight = r.tenth(swellheight);
  out.swellperiod = r.u(c + 92, 6);
  out.swelldir = r.u(c + 98, 9);
  out.seastate = r.u(c + 107, 4);
  if (r.scaled) out.watertemp = fixed(imo289 ? watertemp / 10 : (watertemp - 100) / 10, 1);
  else out.watertemp = watertemp;
  if (imo289 && r.scaled) {
    out.preciptype = PRECIP_TYPES[preciptype];
    out.salinity = fixed(salinity / 10, 1);
    out.ice = ICE[ice];
  } else {
    out.preciptype = preciptype;
    if (!imo289) out.preciptype_text = PRECIP_TYPES[preciptype];
    out.salinity = r.tenth(salinity);
    out.ice = ice;
    if (!imo289) out.ice_text = ICE[ice];
  }
  return out;
}
