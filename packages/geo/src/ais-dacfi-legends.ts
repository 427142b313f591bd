/**
 * Text legends of the application payloads (DAC/FI) of AIS types 6 and 8, worded exactly as
 * gpsd 3.22 prints them (its `_text` fields in `json_aivdm_dump`), since our output is checked
 * against gpsd's. Codes are from IMO SN.1/Circ.236 and 289 and the Inland AIS standard.
 */

/** A legend lookup that, like gpsd's `*_DISPLAY` macros, names out-of-table codes. */
export function legend(table: readonly string[], code: number, invalid: string): string {
  return table[code] ?? invalid;
}

/** 235/10 RACON status. */
export const RACON_STATUS = [
  'No RACON installed',
  'RACON not monitored',
  'RACON operational',
  'RACON ERROR',
];
/** 235/10 light status. */
export const LIGHT_STATUS = ['No light or no monitoring', 'Light ON', 'Light OFF', 'Light ERROR'];
/** 200/22 RTA status. */
export const RTA_STATUS = ['Operational', 'Limited operation', 'Out of order', 'N/A'];
/** 1/20 berth position. */
export const POSITION_TYPES = [
  'Not available',
  'Port-side to',
  'Starboard-side to',
  'Mediterranean (end-on) mooring',
  'Mooring buoy',
  'Anchorage',
  'Reserved for future use',
  'Reserved for future use',
];
/** 1/27, 1/28 route type (32 codes). */
export const ROUTE_TYPES: readonly string[] = Array.from({ length: 32 }, (_, i) =>
  i === 31
    ? 'Cancel route identified by message linkage'
    : ([
        'Undefined (default)',
        'Mandatory',
        'Recommended',
        'Alternative',
        'Recommended route through ice',
        'Ship route plan',
      ][i] ?? 'Reserved for future use.'),
);
/** 1/17 target identifier types (also the key the identifier is printed under). */
export const ID_TYPES = ['mmsi', 'imo', 'callsign', 'other'];
/** 1/19 signals. */
export const SIGNALS = [
  'N/A',
  'Serious emergency – stop or divert according to instructions.',
  'Vessels shall not proceed.',
  'Vessels may proceed. One way traffic.',
  'Vessels may proceed. Two way traffic.',
  'Vessels shall proceed on specific orders only.',
  'Vessels in main channel shall not proceed.',
  'Vessels in main channel shall proceed on specific orders only.',
  'Vessels in main channel shall proceed on specific orders only.',
  'I = "in-bound" only acceptable.',
  'O = "out-bound" only acceptable.',
  'F = both "in- and out-bound" acceptable.',
  'XI = Code will shift to "I" in due time.',
  'XO = Code will shift to "O" in due time.',
  'X = Vessels shall proceed only on direction.',
];
/** 1/11, 1/31 tendencies. */
export const TRENDS = ['steady', 'increasing', 'decreasing', 'N/A'];
/** 1/11, 1/31 precipitation (WMO 306 code table 4.201). */
export const PRECIP_TYPES = [
  'reserved',
  'rain',
  'thunderstorm',
  'freezing rain',
  'mixed/ice',
  'snow',
  'reserved',
  'N/A',
];
/** 1/11, 1/31 sea ice. */
export const ICE = ['no', 'yes', 'reserved', 'N/A'];

/**
 * 200/10 inland ship types: ERI code, the matching ITU ship type, and gpsd's legend. gpsd takes
 * the first row whose ERI code or ITU type equals the field (the two ranges are disjoint), and
 * "Illegal ship type value." when none does.
 */
export const INLAND_SHIP_TYPES: readonly (readonly [number, number, string])[] = [
  [8000, 99, 'Vessel, type unknown'],
  [8010, 79, 'Motor freighter'],
  [8020, 89, 'Motor tanker'],
  [8021, 80, 'Motor tanker, liquid cargo, type N'],
  [8022, 80, 'Motor tanker, liquid cargo, type C'],
  [8023, 89, 'Motor tanker, dry cargo as if liquid (e.g. cement)'],
  [8030, 79, 'Container vessel'],
  [8040, 80, 'Gas tanker'],
  [8050, 79, 'Motor freighter, tug'],
  [8060, 89, 'Motor tanker, tug'],
  [8070, 79, 'Motor freighter with one or more ships alongside'],
  [8080, 89, 'Motor freighter with tanker'],
  [8090, 79, 'Motor freighter pushing one or more freighters'],
  [8100, 89, 'Motor freighter pushing at least one tank-ship'],
  [8110, 79, 'Tug, freighter'],
  [8120, 89, 'Tug, tanker'],
  [8130, 31, 'Tug freighter, coupled'],
  [8140, 31, 'Tug, freighter/tanker, coupled'],
  [8150, 99, 'Freightbarge'],
  [8160, 99, 'Tankbarge'],
  [8161, 90, 'Tankbarge, liquid cargo, type N'],
  [8162, 90, 'Tankbarge, liquid cargo, type C'],
  [8163, 99, 'Tankbarge, dry cargo as if liquid (e.g. cement)'],
  [8170, 99, 'Freightbarge with containers'],
  [8180, 90, 'Tankbarge, gas'],
  [8210, 79, 'Pushtow, one cargo barge'],
  [8220, 79, 'Pushtow, two cargo barges'],
  [8230, 79, 'Pushtow, three cargo barges'],
  [8240, 79, 'Pushtow, four cargo barges'],
  [8250, 79, 'Pushtow, five cargo barges'],
  [8260, 79, 'Pushtow, six cargo barges'],
  [8270, 79, 'Pushtow, seven cargo barges'],
  [8280, 79, 'Pushtow, eigth cargo barges'],
  [8290, 79, 'Pushtow, nine or more barges'],
  [8310, 80, 'Pushtow, one tank/gas barge'],
  [8320, 80, 'Pushtow, two barges at least one tanker or gas barge'],
  [8330, 80, 'Pushtow, three barges at least one tanker or gas barge'],
  [8340, 80, 'Pushtow, four barges at least one tanker or gas barge'],
  [8350, 80, 'Pushtow, five barges at least one tanker or gas barge'],
  [8360, 80, 'Pushtow, six barges at least one tanker or gas barge'],
  [8370, 80, 'Pushtow, seven barges at least one tanker or gas barg'],
];

/** gpsd's legend for a 200/10 ship type field. */
export function inlandShipTypeText(code: number): string {
  for (const [eri, itu, text] of INLAND_SHIP_TYPES) if (eri === code || itu === code) return text;
  return 'Illegal ship type value.';
}
/** 200/10 hazard (blue cones). */
export const HAZARD_TYPES = [
  '0 blue cones/lights',
  '1 blue cone/light',
  '2 blue cones/lights',
  '3 blue cones/lights',
  '4 B-Flag',
  'Unknown',
];
/** 200/10 load status. */
export const LOAD_STATUS = ['N/A (default)', 'Unloaded', 'Loaded'];
/** 200/40 signal direction. */
export const DIRECTIONS = ['Unknown', 'Upstream', 'Downstream', 'To left bank', 'To right bank'];
/** 200/40 light status. */
export const SIGNAL_STATUS = [
  'Unknown',
  'No light',
  'White',
  'Yellow',
  'Green',
  'Red',
  'White flashing',
  'Yellow flashing.',
];
/** 200/23 EMMA weather types. */
export const EMMA_TYPES = [
  'Not Available',
  'Wind',
  'Rain',
  'Snow and ice',
  'Thunderstorm',
  'Fog',
  'Low temperature',
  'High temperature',
  'Flood',
  'Forest Fire',
];
/** 200/23 EMMA intensity classes. */
export const EMMA_CLASSES = ['Slight', 'Medium', 'Strong'];
/** 200/23 EMMA wind directions. */
export const EMMA_WINDS = [
  'N/A',
  'North',
  'North East',
  'East',
  'South East',
  'South',
  'South West',
  'West',
  'North West',
];
