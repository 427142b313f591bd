/**
 * The AIS decoder: NMEA lines in, gpsd-shaped messages out. Stateful only where AIS is: the
 * partial multi-sentence messages and the type 24 part A names waiting for their part B.
 * It never throws; every line it cannot use is counted in `stats` under its reason.
 */
import { decodeBits } from './ais-decode.js';
import { FragmentAssembler, emptySentence, parseSentence } from './ais-sentence.js';
import type { AisMessage, AisStaticB } from './ais-types.js';

/** Counters of an AisDecoder: lines seen, messages decoded, and lines dropped by reason. */
export interface AisStats {
  /** Lines pushed. */
  lines: number;
  /** Well-formed VDM/VDO sentences with a good checksum. */
  sentences: number;
  /** Messages returned by `push`. */
  decoded: number;
  /** Not errors: blank lines, `#` comments, other NMEA sentences (`$GPGGA`, `!AIALR`, …). */
  ignored: number;
  /** Checksum did not match. */
  checksum: number;
  /** Not a valid VDM/VDO sentence: missing `!` or `*`, bad field, fill bits out of 0..5, … */
  malformed: number;
  /** Payload holds a character outside the 6-bit armour alphabet. */
  armor: number;
  /** Payload bit count wrong for its message type, or longer than any AIS message. */
  length: number;
  /** Message type 0 or 28..63 (not defined by ITU-R M.1371-5). */
  type: number;
  /** Fragments dropped: out of order, duplicated, missing a predecessor, or never completed. */
  orphan: number;
  /** Type 24 part A held until its part B arrives (gpsd reports the two parts merged). */
  partial: number;
  /** Type 24 part B with no part A from the same MMSI; dropped, as gpsd does. */
  unpaired: number;
  /** Unexpected internal faults (a decoder bug); the line is dropped. Should stay 0. */
  internal: number;
}

/** Options of AisDecoder. */
export interface AisDecoderOptions {
  /** Human units as `gpsdecode -j` (default true); false gives raw integers as `gpsdecode -u -j`. */
  readonly scaled?: boolean;
}

/**
 * How many type 24 part A names we hold at once: gpsd's MAX_TYPE24_INTERLEAVE ring of 8, but
 * shared by both channels, since Class B units alternate channels between parts.
 */
const TYPE24_QUEUE = 8;

/**
 * Decodes AIVDM/AIVDO lines one at a time (any talker: `!AIVDM`, `!BSVDM`, `!ABVDO`, …).
 * @example
 * const ais = new AisDecoder();
 * for (const line of lines) { const m = ais.push(line); if (m) handle(m); }
 * ais.stats.checksum; // sentences dropped for a bad checksum
 */
export class AisDecoder {
  /** Counts by reason plus decoded; updated in place by `push`. */
  readonly stats: Readonly<AisStats> = {
    lines: 0,
    sentences: 0,
    decoded: 0,
    ignored: 0,
    checksum: 0,
    malformed: 0,
    armor: 0,
    length: 0,
    type: 0,
    orphan: 0,
    partial: 0,
    unpaired: 0,
    internal: 0,
  };
  private readonly counts = this.stats as AisStats;
  private readonly scaled: boolean;
  private readonly sentence = emptySentence();
  private readonly assembler = new FragmentAssembler(this.counts);
  /** Ring of type 24 part A (MMSI, ship name) pairs; MMSI 0 marks a free slot. */
  private readonly held = new Float64Array(TYPE24_QUEUE);
  private readonly heldNames: string[] = new Array<string>(TYPE24_QUEUE).fill('');
  private heldNext = 0;

  constructor(opts?: AisDecoderOptions) {
    this.scaled = opts?.scaled !== false;
  }

  /** Feeds one line; returns the message it completes, or null (see `stats` for why). */
  push(line: string): AisMessage | null {
    const c = this.counts;
    const lineNo = ++c.lines;
    try {
      if (typeof line !== 'string') {
        c.malformed++;
        return null;
      }
      const s = this.sentence;
      const outcome = parseSentence(line, s);
      if (outcome !== 'ok') {
        c[outcome]++;
        return null;
      }
      c.sentences++;
      const buf = this.assembler.add(s, lineNo);
      if (typeof buf === 'string') {
        if (buf !== 'pending') c[buf]++;
        return null;
      }
      const m = decodeBits(buf.bytes, buf.bitLength, this.scaled);
      if (typeof m === 'string') {
        c[m]++;
        return null;
      }
      if (m.type === 24) return this.pair(m);
      c.decoded++;
      return m;
    } catch {
      c.internal++;
      return null;
    }
  }

  /** Forgets partial messages and held type 24 names; keeps the counters. */
  reset(): void {
    this.assembler.reset();
    this.held.fill(0);
  }

  /** gpsd's type 24 handling: hold part A's name, report it with the matching part B. */
  private pair(m: AisStaticB): AisStaticB | null {
    const c = this.counts;
    if (m.part === 'A') {
      this.held[this.heldNext] = m.mmsi;
      this.heldNames[this.heldNext] = m.shipname ?? '';
      this.heldNext = (this.heldNext + 1) % TYPE24_QUEUE;
      c.partial++;
      return null;
    }
    const slot = this.held.indexOf(m.mmsi);
    if (slot < 0 || m.mmsi === 0) {
      c.unpaired++;
      return null;
    }
    this.held[slot] = 0; // a repeated part B must not match again
    const shipname = this.heldNames[slot] ?? '';
    c.decoded++;
    const common = {
      class: 'AIS',
      type: 24,
      repeat: m.repeat,
      mmsi: m.mmsi,
      scaled: m.scaled,
      shipname,
      shiptype: m.shiptype,
      shiptype_text: m.shiptype_text,
      vendorid: m.vendorid,
      model: m.model,
      serial: m.serial,
      callsign: m.callsign,
    } as const;
    // Part B carries either the mothership of an auxiliary craft or the ship's dimensions.
    if (m.mothership_mmsi !== undefined) return { ...common, mothership_mmsi: m.mothership_mmsi };
    return {
      ...common,
      to_bow: m.to_bow,
      to_stern: m.to_stern,
      to_port: m.to_port,
      to_starboard: m.to_starboard,
    };
  }
}
