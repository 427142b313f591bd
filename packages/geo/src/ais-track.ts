/**
 * From decoded AIS messages (scaled, gpsd-shaped) to track updates: position reports (types 1,
 * 2, 3, 18, 19, 27 for ships, 9 for SAR aircraft) give a unit's motion; static data (types 5,
 * 19, 24) gives its name. "Not available" sentinels never become numbers: an unknown speed is
 * reported as 0 kn with `motionKnown` false, an unknown course falls back to the heading, an
 * unknown position drops the report.
 */
import type { TrackDomain, TrackParty } from '@parley/core';
import type { AisMessage } from './ais-types.js';

/** A unit's motion from one AIS position report. */
export interface AisPosition {
  kind: 'position';
  /** `ais:<mmsi>` */
  id: string;
  mmsi: number;
  domain: TrackDomain;
  lat: number;
  lon: number;
  sog: number;
  cog: number;
  heading: number | null;
  altFt: number | null;
  /** False when speed or course was "not available" (the unit is screened as if stopped). */
  motionKnown: boolean;
  /** Ship name carried by the same message (type 19). */
  name: string | null;
}

/** A unit's name from AIS static data. */
export interface AisName {
  kind: 'name';
  id: string;
  mmsi: number;
  name: string;
}

export type AisTrackUpdate = AisPosition | AisName;

const FT_PER_M = 3.28084;

/** The trimmed name, or null for blank or gpsd's padding-only names. */
function cleanName(s: string | undefined): string | null {
  const t = (s ?? '').replace(/@+$/, '').trim();
  return t.length > 0 ? t.slice(0, 64) : null;
}

function position(
  m: { mmsi: number; lat: number; lon: number },
  domain: TrackDomain,
  speed: number | string,
  speedNa: number,
  course: number,
  courseNa: number,
  heading: number | null,
  altFt: number | null,
  name: string | null,
): AisPosition | null {
  if (!(Math.abs(m.lat) <= 90 && Math.abs(m.lon) <= 180)) return null;
  const sogKnown = typeof speed === 'number' && speed < speedNa;
  const cogKnown = course < courseNa && course >= 0;
  const cog = cogKnown ? course % 360 : (heading ?? 0);
  return {
    kind: 'position',
    id: `ais:${m.mmsi}`,
    mmsi: m.mmsi,
    domain,
    lat: m.lat,
    lon: m.lon === -180 ? 180 : m.lon,
    // "fast" means ≥ 102.2 kn: keep the floor rather than drop the unit.
    sog: sogKnown ? (speed as number) : speed === 'fast' ? speedNa - 0.1 : 0,
    cog,
    heading,
    altFt,
    motionKnown: (sogKnown || speed === 'fast') && (cogKnown || heading !== null),
    name,
  };
}

/** The track update a decoded (scaled) AIS message carries, or null if it carries none. */
export function aisTrackUpdate(m: AisMessage): AisTrackUpdate | null {
  if (!m.scaled) return null;
  switch (m.type) {
    case 1:
    case 2:
    case 3:
    case 18:
    case 19: {
      const heading = m.heading < 360 ? m.heading : null;
      const name = m.type === 19 ? cleanName(m.shipname) : null;
      return position(m, 'surface', m.speed, 102.3, m.course, 360, heading, null, name);
    }
    case 27:
      return position(m, 'surface', m.speed, 63, m.course, 360, null, null, null);
    case 9: {
      const alt = typeof m.alt === 'number' ? Math.round(m.alt * FT_PER_M) : null;
      return position(m, 'air', m.speed, 1023, m.course, 360, null, alt, null);
    }
    case 5: {
      const name = cleanName(m.shipname) ?? cleanName(m.callsign);
      return name ? { kind: 'name', id: `ais:${m.mmsi}`, mmsi: m.mmsi, name } : null;
    }
    case 24: {
      const name = cleanName(m.shipname) ?? cleanName(m.callsign);
      return name ? { kind: 'name', id: `ais:${m.mmsi}`, mmsi: m.mmsi, name } : null;
    }
    default:
      return null;
  }
}

/**
 * Which party an MMSI belongs to, by a station's map: entries are full 9-digit MMSIs or 3-digit
 * maritime identification digits (MIDs, the flag state). A full MMSI wins over its MID; units on
 * neither list are third parties. SAR aircraft (111MIDxxx) and craft associated with a parent
 * ship (98MIDxxxx) are looked up by the MID inside their number.
 */
export function aisParty(
  mmsi: number,
  map: { own: readonly string[]; other: readonly string[] },
): TrackParty {
  const s = String(mmsi).padStart(9, '0');
  if (map.own.includes(s)) return 'own';
  if (map.other.includes(s)) return 'other';
  const mid = s.startsWith('111')
    ? s.slice(3, 6)
    : s.startsWith('98') || s.startsWith('99')
      ? s.slice(2, 5)
      : s.slice(0, 3);
  if (map.own.includes(mid)) return 'own';
  if (map.other.includes(mid)) return 'other';
  return 'third';
}
