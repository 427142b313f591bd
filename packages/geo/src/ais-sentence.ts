/**
 * AIVDM/AIVDO sentences (IEC 61162-1 §8.3.95 VDM and §8.3.96 VDO; NMEA 0183 encapsulation
 * `!ttVDM,<count>,<number>,<seq id>,<channel>,<payload>,<fill bits>*hh`) and the reassembly of
 * multi-sentence messages.
 *
 * Parsing is one left-to-right scan over char codes: no split, no regex. Fragments are keyed by
 * channel and sequential message id, so messages interleaved on A and B (or with different ids
 * on one channel) reassemble independently; a broken or orphan fragment drops only its own
 * message.
 */
import { BitBuffer, MAX_PAYLOAD_BITS } from './ais-armor.js';

/** Longest sentence we parse (from `!` to the end of the line). IEC 61162-1 allows 82. */
export const MAX_SENTENCE_LENGTH = 1024;

/** A fragment may follow the previous one of its message by at most this many lines. */
export const MAX_FRAGMENT_GAP = 100;

/**
 * Why a line was not used. `ignored` lines are not errors: blank lines, `#` comments and
 * sentences other than VDM/VDO (a GPS's `$GPGGA`, say).
 */
export type SentenceOutcome = 'ok' | 'ignored' | 'checksum' | 'malformed';

/** The fields of one VDM/VDO sentence. The payload stays in `line`, at [payloadStart, payloadEnd). */
export interface VdmSentence {
  line: string;
  /** True for VDO (own ship), false for VDM. */
  own: boolean;
  /** Number of sentences in the message, 1..9. */
  count: number;
  /** This sentence's number, 1..count. */
  number: number;
  /** Sequential message identifier 0..9, or -1 when empty (single-sentence messages). */
  seqId: number;
  /** Channel as a char code: `A` or `B` (`1`/`2` are mapped to them); 0 when empty. */
  channel: number;
  payloadStart: number;
  payloadEnd: number;
  /** Fill bits 0..5 added to the payload to complete its last character. */
  fill: number;
}

/** A fresh VdmSentence to parse into. */
export function emptySentence(): VdmSentence {
  return {
    line: '',
    own: false,
    count: 0,
    number: 0,
    seqId: -1,
    channel: 0,
    payloadStart: 0,
    payloadEnd: 0,
    fill: 0,
  };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/**
 * Parses one line into `out`. Tolerates what precedes the `!` (whitespace, an IEC 61162-450 tag
 * block `\s:…*hh\`, a logger's timestamp) and anything after the checksum (CR/LF, gpsd's extra
 * comma fields, receiver timestamps).
 */
export function parseSentence(line: string, out: VdmSentence): SentenceOutcome {
  const len = line.length;
  let i = 0;
  while (i < len && line.charCodeAt(i) <= 32) i++;
  if (i === len) return 'ignored';
  let c = line.charCodeAt(i);
  if (c === 92 /* \ tag block */) {
    const close = line.indexOf('\\', i + 1);
    if (close < 0) return 'malformed';
    i = close + 1;
    c = line.charCodeAt(i);
  }
  if (c !== 33 /* ! */) {
    // '#' comments and '$' sentences are someone else's business. Otherwise skip to a '!', as
    // an NMEA listener does after line noise or a logger's timestamp prefix.
    if (c === 35 || c === 36) return 'ignored';
    i = line.indexOf('!', i);
    if (i < 0) return 'malformed';
  }
  const s = i;
  if (len - s < 7) return 'malformed';
  // Address field: two-letter talker + VDM/VDO.
  const t1 = line.charCodeAt(s + 1);
  const t2 = line.charCodeAt(s + 2);
  if (!isUpper(t1) || !(isUpper(t2) || (t2 >= 48 && t2 <= 57))) return 'malformed';
  if (line.charCodeAt(s + 3) !== 86 || line.charCodeAt(s + 4) !== 68) return 'ignored'; // "VD"
  const f = line.charCodeAt(s + 5);
  if ((f !== 77 && f !== 79) || line.charCodeAt(s + 6) !== 44) return 'ignored'; // M|O then ','

  // Checksum: XOR of every character between '!' and '*' (IEC 61162-1 §7.2.3).
  const limit = Math.min(len, s + MAX_SENTENCE_LENGTH);
  let sum = 0;
  let star = -1;
  for (let k = s + 1; k < limit; k++) {
    const ch = line.charCodeAt(k);
    if (ch === 42) {
      star = k;
      break;
    }
    sum ^= ch;
  }
  if (star < 0 || star + 3 > len) return 'malformed';
  const h1 = hexValue(line.charCodeAt(star + 1));
  const h2 = hexValue(line.charCodeAt(star + 2));
  if (h1 < 0 || h2 < 0) return 'malformed';
  if (((h1 << 4) | h2) !== sum) return 'checksum';

  // Fields: count, number, seq id, channel, payload, fill — exactly six, in [s+7, star).
  let k = s + 7;
  // count: 1..9
  c = line.charCodeAt(k);
  if (c < 49 || c > 57 || line.charCodeAt(k + 1) !== 44) return 'malformed';
  const count = c - 48;
  k += 2;
  // number: 1..count
  c = line.charCodeAt(k);
  if (c < 49 || c > 57 || line.charCodeAt(k + 1) !== 44) return 'malformed';
  const number = c - 48;
  if (number > count) return 'malformed';
  k += 2;
  // sequential message id: empty or 0..9
  let seqId = -1;
  c = line.charCodeAt(k);
  if (c !== 44) {
    if (c < 48 || c > 57 || line.charCodeAt(k + 1) !== 44) return 'malformed';
    seqId = c - 48;
    k++;
  }
  k++;
  // channel: empty, A, B, or 1/2 as some receivers write them
  let channel = 0;
  c = line.charCodeAt(k);
  if (c !== 44) {
    if (line.charCodeAt(k + 1) !== 44) return 'malformed';
    if (c === 49) channel = 65;
    else if (c === 50) channel = 66;
    else if (isUpper(c)) channel = c;
    else return 'malformed';
    k++;
  }
  k++;
  // payload, then fill bits: empty (= 0, as gpsd reads it) or 0..5, then '*'. Found from the
  // '*' backwards, so the payload is read only by the checksum and the armour loops; a ',' left
  // inside it (an extra field) is caught when armouring.
  let fill = 0;
  let payloadEnd = star - 1;
  c = line.charCodeAt(payloadEnd);
  if (c !== 44) {
    if (c < 48 || c > 53) return 'malformed';
    fill = c - 48;
    payloadEnd--;
    if (line.charCodeAt(payloadEnd) !== 44) return 'malformed';
  }
  const payloadStart = k;
  if (payloadEnd < payloadStart) return 'malformed';
  out.line = line;
  out.own = f === 79;
  out.count = count;
  out.number = number;
  out.seqId = seqId;
  out.channel = channel;
  out.payloadStart = payloadStart;
  out.payloadEnd = payloadEnd;
  out.fill = fill;
  return 'ok';
}

/** What happened to a fragment that did not complete a message. */
export type FragmentOutcome = 'pending' | 'armor' | 'orphan' | 'length' | 'malformed';

/** Counters the assembler adds to when it drops fragments it had been holding. */
export interface DropCounter {
  orphan: number;
}

interface Pending {
  /** Sentences in the message; 0 when this slot holds nothing. */
  count: number;
  /** Number of the fragment expected next. */
  next: number;
  /** Line number of the last fragment, to expire stale partial messages. */
  lastLine: number;
  readonly buf: BitBuffer;
}

/**
 * Reassembles multi-sentence messages. Feed it parsed sentences in arrival order; it returns
 * the assembled payload when a sentence completes a message (valid until the next call).
 */
export class FragmentAssembler {
  private readonly single = new BitBuffer();
  /** Partial messages by channel and sequence id; bounded by the 26 × 11 possible keys. */
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly drops: DropCounter) {}

  /** Adds sentence `s`, the `lineNo`th line seen; returns a complete payload or an outcome. */
  add(s: VdmSentence, lineNo: number): BitBuffer | FragmentOutcome {
    if (s.count === 1) {
      const buf = this.single;
      buf.clear();
      return fill(buf, s);
    }
    const key = s.channel * 16 + (s.seqId + 1);
    let p = this.pending.get(key);
    if (p !== undefined && p.count !== 0 && lineNo - p.lastLine > MAX_FRAGMENT_GAP) {
      this.drop(p); // too old to be continued
    }
    if (s.number === 1) {
      if (p === undefined) {
        p = { count: 0, next: 0, lastLine: 0, buf: new BitBuffer() };
        this.pending.set(key, p);
      } else if (p.count !== 0) {
        this.drop(p); // a new message reuses the id before the old one completed
      }
      p.buf.clear();
      const r = fill(p.buf, s);
      if (r !== p.buf) return r;
      p.count = s.count;
      p.next = 2;
      p.lastLine = lineNo;
      return 'pending';
    }
    if (p === undefined || p.count === 0) return 'orphan';
    if (p.count !== s.count || p.next !== s.number) {
      this.drop(p);
      return 'orphan';
    }
    const r = fill(p.buf, s);
    if (r !== p.buf) {
      this.drop(p);
      return r;
    }
    if (s.number === s.count) {
      p.count = 0;
      return p.buf;
    }
    p.next++;
    p.lastLine = lineNo;
    return 'pending';
  }

  /** Forgets every partial message (they are not counted as orphans). */
  reset(): void {
    for (const p of this.pending.values()) p.count = 0;
  }

  /** Drops a partial message; the fragments it held become orphans. */
  private drop(p: Pending): void {
    this.drops.orphan += p.next - 1;
    p.count = 0;
  }
}

/** Appends a sentence's payload to `buf` and removes its fill bits. */
function fill(buf: BitBuffer, s: VdmSentence): BitBuffer | 'armor' | 'length' | 'malformed' {
  const before = buf.bitLength;
  if (!buf.append(s.line, s.payloadStart, s.payloadEnd)) {
    // append() fails on an overlong payload or a non-armour character; a ',' means the
    // sentence had more fields than VDM defines.
    if (before + 6 * (s.payloadEnd - s.payloadStart) > MAX_PAYLOAD_BITS) return 'length';
    const comma = s.line.indexOf(',', s.payloadStart);
    return comma >= 0 && comma < s.payloadEnd ? 'malformed' : 'armor';
  }
  if (s.fill > buf.bitLength - before) return 'malformed';
  buf.bitLength -= s.fill;
  return buf;
}
