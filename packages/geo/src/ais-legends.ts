/**
 * Text legends for coded AIS fields, worded exactly as gpsd 3.22 prints them (its `_text`
 * fields), since our output is checked against gpsd's. Codes are from ITU-R M.1371-5 Annex 8.
 */

/** Navigational status (Table 46, message 1 field 5), 0..15. */
export const NAV_STATUS: readonly string[] = [
  'Under way using engine',
  'At anchor',
  'Not under command',
  'Restricted manoeuverability',
  'Constrained by her draught',
  'Moored',
  'Aground',
  'Engaged in fishing',
  'Under way sailing',
  'Reserved for HSC',
  'Reserved for WIG',
  'Reserved',
  'Reserved',
  'Reserved',
  'Reserved',
  'Not defined',
];

/** Type of electronic position fixing device (Table 50, message 5). */
const EPFD: readonly string[] = [
  'Undefined',
  'GPS',
  'GLONASS',
  'Combined GPS/GLONASS',
  'Loran-C',
  'Chayka',
  'Integrated navigation system',
  'Surveyed',
  'Galileo',
];

/** The legend of an EPFD code. */
export function epfdText(n: number): string {
  return EPFD[n] ?? 'INVALID EPFD';
}

/** Type of ship and cargo (ITU-R M.1371-5 Table 53), 0..99. */
const SHIP_TYPE: readonly string[] = (() => {
  const t: string[] = ['Not available'];
  for (let i = 1; i < 20; i++) t.push('Reserved for future use');
  const hazard = (name: string, last: string): void => {
    t.push(`${name} - all ships of this type`);
    for (const c of 'ABCD') t.push(`${name} - Hazardous category ${c}`);
    for (let i = 0; i < 4; i++) t.push(`${name} - Reserved for future use`);
    t.push(`${name} - ${last}`);
  };
  hazard('Wing in ground (WIG)', 'Reserved for future use'); // 20..29
  t.push(
    'Fishing',
    'Towing',
    'Towing: length exceeds 200m or breadth exceeds 25m',
    'Dredging or underwater ops',
    'Diving ops',
    'Military ops',
    'Sailing',
    'Pleasure Craft',
    'Reserved',
    'Reserved',
  ); // 30..39
  hazard('High speed craft (HSC)', 'No additional information'); // 40..49
  t.push(
    'Pilot Vessel',
    'Search and Rescue vessel',
    'Tug',
    'Port Tender',
    'Anti-pollution equipment',
    'Law Enforcement',
    'Spare - Local Vessel',
    'Spare - Local Vessel',
    'Medical Transport',
    'Ship according to RR Resolution No. 18',
  ); // 50..59
  hazard('Passenger', 'No additional information'); // 60..69
  hazard('Cargo', 'No additional information'); // 70..79
  hazard('Tanker', 'No additional information'); // 80..89
  hazard('Other Type', 'no additional information'); // 90..99
  return t;
})();

/** The legend of a ship-type code. */
export function shipTypeText(n: number): string {
  return SHIP_TYPE[n] ?? 'INVALID SHIP TYPE';
}

/** Station types (message 23, Table 78). */
const STATION_TYPE: readonly string[] = [
  'All types of mobiles',
  'Reserved for future use',
  'All types of Class B mobile stations',
  'SAR airborne mobile station',
  'Aid to Navigation station',
  'Class B shipborne mobile station',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
];

/** The legend of a station-type code. */
export function stationTypeText(n: number): string {
  return STATION_TYPE[n] ?? 'INVALID STATION TYPE';
}

/** Type of aid to navigation (message 21, IALA / Table 74), 0..31. */
const NAVAID_TYPE: readonly string[] = [
  'Unspecified',
  'Reference point',
  'RACON',
  'Fixed offshore structure',
  'Spare, Reserved for future use.',
  'Light, without sectors',
  'Light, with sectors',
  'Leading Light Front',
  'Leading Light Rear',
  'Beacon, Cardinal N',
  'Beacon, Cardinal E',
  'Beacon, Cardinal S',
  'Beacon, Cardinal W',
  'Beacon, Port hand',
  'Beacon, Starboard hand',
  'Beacon, Preferred Channel port hand',
  'Beacon, Preferred Channel starboard hand',
  'Beacon, Isolated danger',
  'Beacon, Safe water',
  'Beacon, Special mark',
  'Cardinal Mark N',
  'Cardinal Mark E',
  'Cardinal Mark S',
  'Cardinal Mark W',
  'Port hand Mark',
  'Starboard hand Mark',
  'Preferred Channel Port hand',
  'Preferred Channel Starboard hand',
  'Isolated danger',
  'Safe Water',
  'Special Mark',
  'Light Vessel / LANBY / Rigs',
];

/** The legend of an aid-to-navigation type code. */
export function navaidTypeText(n: number): string {
  return NAVAID_TYPE[n] ?? 'INVALID NAVAID TYPE';
}
