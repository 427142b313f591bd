/**
 * Decoded AIS messages (ITU-R M.1371-5 Annex 8 §3.3), shaped like gpsd's JSON (`gpsdecode -j`
 * and `gpsdecode -u -j`, gpsd 3.22) so that our output can be checked field for field.
 *
 * Unscaled (`scaled: false`) fields are the raw integers of the standard: positions in 1/10000
 * minute, speed in 1/10 knot, course in 1/10 degree. Scaled (`scaled: true`) fields are gpsd's
 * human units with gpsd's rounding (positions to 6 decimals, in degrees) and its sentinel rules:
 * "not available" values stay raw (heading 511, course 360.0, lat 91, lon 181), except the few
 * fields gpsd turns into words ("nan", "fast", "fastleft", …). gpsd's `device` field is omitted.
 */

/** Fields every message has. */
export interface AisCommon {
  readonly class: 'AIS';
  /** Message type, 1..27 (ITU-R M.1371 Table 45). */
  readonly type: number;
  /** Repeat indicator, 0..3. */
  readonly repeat: number;
  /** Source MMSI (30 bits). */
  readonly mmsi: number;
  /** Whether numeric fields are in human units (gpsd `-j`) or raw (gpsd `-u -j`). */
  readonly scaled: boolean;
}

/** Types 1, 2, 3: Class A position report (Table 46). */
export interface AisPositionA extends AisCommon {
  readonly type: 1 | 2 | 3;
  readonly status: number;
  readonly status_text: string;
  /**
   * Rate of turn. Unscaled: the raw ROT_AIS, -128..127. Scaled as gpsd prints it: the magnitude
   * (ROT_AIS / 4.733)², rounded, in degrees per minute, WITHOUT its sign (take the direction from
   * the unscaled value), or "nan" (-128), "fastleft" (-127), "fastright" (127).
   */
  readonly turn: number | 'nan' | 'fastleft' | 'fastright';
  /** Speed over ground; scaled: knots, or "nan" (1023) or "fast" (1022). */
  readonly speed: number | 'nan' | 'fast';
  readonly accuracy: boolean;
  readonly lon: number;
  readonly lat: number;
  readonly course: number;
  readonly heading: number;
  readonly second: number;
  readonly maneuver: number;
  readonly raim: boolean;
  readonly radio: number;
}

/** Types 4 and 11: base station report, UTC/date response. */
export interface AisBaseStation extends AisCommon {
  readonly type: 4 | 11;
  /** `YYYY-MM-DDThh:mm:ssZ` as transmitted (0 means not available). */
  readonly timestamp: string;
  readonly accuracy: boolean;
  readonly lon: number;
  readonly lat: number;
  readonly epfd: number;
  readonly epfd_text: string;
  readonly raim: boolean;
  readonly radio: number;
}

/** Type 5: static and voyage related data. */
export interface AisStaticVoyage extends AisCommon {
  readonly type: 5;
  readonly imo: number;
  readonly ais_version: number;
  readonly callsign: string;
  readonly shipname: string;
  readonly shiptype: number;
  readonly shiptype_text: string;
  readonly to_bow: number;
  readonly to_stern: number;
  readonly to_port: number;
  readonly to_starboard: number;
  readonly epfd: number;
  readonly epfd_text: string;
  /** `MM-DDThh:mmZ`. */
  readonly eta: string;
  /** Scaled: metres; unscaled: 1/10 metre. */
  readonly draught: number;
  readonly destination: string;
  readonly dte: number;
}

/**
 * Type 6: addressed binary message. Application payloads that gpsd decodes (see ais-dacfi.ts)
 * come as their fields, in gpsd's names; any other payload is left as `data`.
 */
export interface AisAddressedBinary extends AisCommon {
  readonly type: 6;
  readonly seqno: number;
  readonly dest_mmsi: number;
  readonly retransmit: boolean;
  readonly dac: number;
  readonly fid: number;
  /** `"<bits>:<hex>"`: the application data after dac/fid, as gpsd prints it (undecoded only). */
  readonly data?: string;
  /** The decoded application fields (gpsd's names), when the DAC/FI is one gpsd decodes. */
  readonly [field: string]: unknown;
}

/** Types 7 and 13: binary / safety acknowledge. Missing entries are 0. */
export interface AisAcknowledge extends AisCommon {
  readonly type: 7 | 13;
  readonly mmsi1: number;
  readonly mmsi2: number;
  readonly mmsi3: number;
  readonly mmsi4: number;
}

/** Type 8: binary broadcast message. Decoded application payloads as in type 6. */
export interface AisBroadcastBinary extends AisCommon {
  readonly type: 8;
  readonly dac: number;
  readonly fid: number;
  /** `"<bits>:<hex>"`: the application data after dac/fid, as gpsd prints it (undecoded only). */
  readonly data?: string;
  /** The decoded application fields (gpsd's names), when the DAC/FI is one gpsd decodes. */
  readonly [field: string]: unknown;
}

/** Type 9: SAR aircraft position report. */
export interface AisSarAircraft extends AisCommon {
  readonly type: 9;
  /** Metres; scaled: "nan" (4095) or "high" (4094) too. */
  readonly alt: number | 'nan' | 'high';
  /** Knots; scaled: "nan" (1023) or "fast" (1022) too. */
  readonly speed: number | 'nan' | 'fast';
  readonly accuracy: boolean;
  readonly lon: number;
  readonly lat: number;
  readonly course: number;
  readonly second: number;
  readonly regional: number;
  readonly dte: number;
  readonly raim: boolean;
  readonly radio: number;
}

/** Type 10: UTC/date inquiry. */
export interface AisUtcInquiry extends AisCommon {
  readonly type: 10;
  readonly dest_mmsi: number;
}

/** Type 12: addressed safety related message. */
export interface AisSafetyAddressed extends AisCommon {
  readonly type: 12;
  readonly seqno: number;
  readonly dest_mmsi: number;
  readonly retransmit: boolean;
  readonly text: string;
}

/** Type 14: safety related broadcast message. */
export interface AisSafetyBroadcast extends AisCommon {
  readonly type: 14;
  readonly text: string;
}

/** Type 15: interrogation. Absent requests are 0. */
export interface AisInterrogation extends AisCommon {
  readonly type: 15;
  readonly mmsi1: number;
  readonly type1_1: number;
  readonly offset1_1: number;
  readonly type1_2: number;
  readonly offset1_2: number;
  readonly mmsi2: number;
  readonly type2_1: number;
  readonly offset2_1: number;
}

/** Type 16: assigned mode command. The second station is 0 when absent. */
export interface AisAssignedMode extends AisCommon {
  readonly type: 16;
  readonly mmsi1: number;
  readonly offset1: number;
  readonly increment1: number;
  readonly mmsi2: number;
  readonly offset2: number;
  readonly increment2: number;
}

/** Type 17: GNSS broadcast binary message (DGNSS corrections). */
export interface AisGnssBroadcast extends AisCommon {
  readonly type: 17;
  /** Unscaled: 1/10 minute. Scaled: degrees to 1 decimal, as gpsd prints them. */
  readonly lon: number;
  readonly lat: number;
  readonly data: string;
}

/** Type 18: standard Class B position report. */
export interface AisPositionB extends AisCommon {
  readonly type: 18;
  readonly reserved: number;
  readonly speed: number;
  readonly accuracy: boolean;
  readonly lon: number;
  readonly lat: number;
  readonly course: number;
  readonly heading: number;
  readonly second: number;
  readonly regional: number;
  readonly cs: boolean;
  readonly display: boolean;
  readonly dsc: boolean;
  readonly band: boolean;
  readonly msg22: boolean;
  readonly raim: boolean;
  readonly radio: number;
}

/** Type 19: extended Class B position report. */
export interface AisPositionBExtended extends AisCommon {
  readonly type: 19;
  readonly reserved: number;
  readonly speed: number;
  readonly accuracy: boolean;
  readonly lon: number;
  readonly lat: number;
  readonly course: number;
  readonly heading: number;
  readonly second: number;
  readonly regional: number;
  readonly shipname: string;
  readonly shiptype: number;
  readonly shiptype_text: string;
  readonly to_bow: number;
  readonly to_stern: number;
  readonly to_port: number;
  readonly to_starboard: number;
  readonly epfd: number;
  readonly epfd_text: string;
  readonly raim: boolean;
  readonly dte: number;
  readonly assigned: boolean;
}

/** Type 20: data link management. */
export interface AisDataLinkManagement extends AisCommon {
  readonly type: 20;
  readonly offset1: number;
  readonly number1: number;
  readonly timeout1: number;
  readonly increment1: number;
  readonly offset2: number;
  readonly number2: number;
  readonly timeout2: number;
  readonly increment2: number;
  readonly offset3: number;
  readonly number3: number;
  readonly timeout3: number;
  readonly increment3: number;
  readonly offset4: number;
  readonly number4: number;
  readonly timeout4: number;
  readonly increment4: number;
}

/** Type 21: aid-to-navigation report. */
export interface AisAidToNavigation extends AisCommon {
  readonly type: 21;
  readonly aid_type: number;
  readonly aid_type_text: string;
  /** Name, with the name extension (bits 272+) appended. */
  readonly name: string;
  readonly accuracy: boolean;
  readonly lon: number;
  readonly lat: number;
  readonly to_bow: number;
  readonly to_stern: number;
  readonly to_port: number;
  readonly to_starboard: number;
  readonly epfd: number;
  readonly epfd_text: string;
  readonly second: number;
  readonly regional: number;
  readonly off_position: boolean;
  readonly raim: boolean;
  readonly virtual_aid: boolean;
}

/**
 * Type 22: channel management. Either a rectangle (`addressed` false) or two addressees.
 * gpsd prints the scaled rectangle corners as strings of degrees with 6 decimals.
 */
export interface AisChannelManagement extends AisCommon {
  readonly type: 22;
  readonly channel_a: number;
  readonly channel_b: number;
  readonly txrx: number;
  readonly power: boolean;
  readonly ne_lon?: number | string;
  readonly ne_lat?: number | string;
  readonly sw_lon?: number | string;
  readonly sw_lat?: number | string;
  readonly dest1?: number;
  readonly dest2?: number;
  readonly addressed: boolean;
  readonly band_a: boolean;
  readonly band_b: boolean;
  readonly zonesize: number;
}

/** Type 23: group assignment command (scaled corners are strings, as gpsd prints them). */
export interface AisGroupAssignment extends AisCommon {
  readonly type: 23;
  readonly ne_lon: number | string;
  readonly ne_lat: number | string;
  readonly sw_lon: number | string;
  readonly sw_lat: number | string;
  readonly stationtype: number;
  readonly stationtype_text: string;
  readonly shiptype: number;
  readonly shiptype_text: string;
  readonly interval: number;
  readonly quiet: number;
}

/**
 * Type 24: Class B static data report. `AisDecoder` emits parts A and B merged, as gpsd does;
 * `decodePayload` returns a single part, marked with `part`.
 */
export interface AisStaticB extends AisCommon {
  readonly type: 24;
  /** Present only on a single part from `decodePayload`. */
  readonly part?: 'A' | 'B';
  readonly shipname?: string;
  readonly shiptype?: number;
  readonly shiptype_text?: string;
  readonly vendorid?: string;
  readonly model?: number;
  readonly serial?: number;
  readonly callsign?: string;
  /** For auxiliary craft (MMSI 98xxxxxxx), instead of the dimensions. */
  readonly mothership_mmsi?: number;
  readonly to_bow?: number;
  readonly to_stern?: number;
  readonly to_port?: number;
  readonly to_starboard?: number;
}

/** Types 25 and 26: single- and multiple-slot binary messages. */
export interface AisSlotBinary extends AisCommon {
  readonly type: 25 | 26;
  readonly addressed: boolean;
  readonly structured: boolean;
  readonly dest_mmsi: number;
  readonly app_id: number;
  readonly data: string;
  /** Type 26 only: the communication state (gpsd 3.22 always prints 0; we decode it). */
  readonly radio?: number;
}

/** Type 27: long-range AIS broadcast. */
export interface AisLongRange extends AisCommon {
  readonly type: 27;
  readonly status: number;
  /** Scaled only. */
  readonly status_text?: string;
  readonly accuracy: boolean;
  /** Unscaled: 1/10 minute. Scaled: degrees to 4 decimals (as current gpsd prints them). */
  readonly lon: number;
  readonly lat: number;
  readonly speed: number;
  readonly course: number;
  readonly raim: boolean;
  readonly gnss: boolean;
}

/** A decoded AIS message: a plain object with gpsd's JSON field names. */
export type AisMessage =
  | AisPositionA
  | AisBaseStation
  | AisStaticVoyage
  | AisAddressedBinary
  | AisAcknowledge
  | AisBroadcastBinary
  | AisSarAircraft
  | AisUtcInquiry
  | AisSafetyAddressed
  | AisSafetyBroadcast
  | AisInterrogation
  | AisAssignedMode
  | AisGnssBroadcast
  | AisPositionB
  | AisPositionBExtended
  | AisDataLinkManagement
  | AisAidToNavigation
  | AisChannelManagement
  | AisGroupAssignment
  | AisStaticB
  | AisSlotBinary
  | AisLongRange;
