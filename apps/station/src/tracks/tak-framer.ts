/**
 * TAK stream framing: a TCP stream of CoT XML events back to back (TAK's "streaming" protocol
 * version 0, the one plain TCP inputs speak), cut into whole `<event …>…</event>` strings.
 *
 * TCP delivers arbitrary pieces, so the framer buffers bytes until an event is complete: it finds
 * `<event` (followed by a space, `>` or `/`), the end of that start tag (quotes respected; a
 * self-closing `<event …/>` is a whole event) and then `</event>`. Between events, whitespace and
 * XML declarations (`<?xml …?>`) are expected; anything else is garbage, dropped and counted once
 * per run between two events (so the count does not depend on how TCP cut the stream). An
 * event longer than `maxEventBytes` is dropped and counted as oversize, and the framer discards
 * up to its end without buffering it, so a hostile peer cannot grow memory: at most about
 * `maxEventBytes` are held at any time. Boundaries are ASCII bytes, so a UTF-8 character split
 * between two chunks is never cut. The framer never throws on input.
 */

/** Why bytes were dropped. */
export type TakDropReason = 'garbage' | 'oversize';

export interface TakFramerOptions {
  /** Longest event accepted, bytes. Default 256 KiB. */
  maxEventBytes?: number;
  /** Told of every drop as it is counted (the bytes are in `stats`). */
  onDrop?: (reason: TakDropReason) => void;
}

export interface TakFramerStats {
  /** Events framed. */
  events: number;
  /** Drops by reason: how many times, and how many bytes. */
  dropped: Record<TakDropReason, { count: number; bytes: number }>;
}

const OPEN = Buffer.from('<event');
const CLOSE = Buffer.from('</event');
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUOT = 0x22;
const APOS = 0x27;
/** A partial `<?xml …?>` declaration is kept across chunks up to this size. */
const MAX_PROLOG = 256;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Only whitespace and XML declarations. */
function benign(region: Buffer): boolean {
  let i = 0;
  while (i < region.length) {
    const b = region[i]!;
    if (isSpace(b)) {
      i++;
      continue;
    }
    if (b === LT && region[i + 1] === 0x3f) {
      const end = region.indexOf('?>', i + 2);
      if (end < 0) return false;
      i = end + 2;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * Cuts a TAK stream into CoT events.
 *
 * @example
 * const framer = new TakFramer();
 * socket.on('data', (chunk) => { for (const xml of framer.push(chunk)) handle(xml); });
 */
export class TakFramer {
  readonly stats: TakFramerStats = {
    events: 0,
    dropped: { garbage: { count: 0, bytes: 0 }, oversize: { count: 0, bytes: 0 } },
  };
  private readonly max: number;
  private readonly onDrop: ((reason: TakDropReason) => void) | undefined;
  private buf: Buffer = Buffer.alloc(0);
  /** Inside an oversize event: discarding up to its `</event>`. */
  private discarding = false;
  /** Garbage seen since the last event. */
  private inGarbage = false;

  constructor(opts: TakFramerOptions = {}) {
    const max = opts.maxEventBytes ?? 256 * 1024;
    if (!(Number.isInteger(max) && max >= 16)) throw new RangeError(`maxEventBytes ${max}`);
    this.max = max;
    this.onDrop = opts.onDrop;
  }

  /** Bytes held, waiting for the rest of an event. */
  get buffered(): number {
    return this.buf.length;
  }

  /** Feeds a chunk; returns the events it completed, in order. */
  push(chunk: Uint8Array | string): string[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    this.buf = this.buf.length === 0 ? bytes : Buffer.concat([this.buf, bytes]);
    const out: string[] = [];
    for (;;) {
      if (this.discarding) {
        const close = this.findClose(0);
        if (close === -1) {
          // Keep only what could be the start of `</event …>`.
          const keep = Math.min(this.buf.length, CLOSE.length + 16);
          this.stats.dropped.oversize.bytes += this.buf.length - keep;
          this.buf = this.buf.subarray(this.buf.length - keep);
          break;
        }
        this.stats.dropped.oversize.bytes += close;
        this.buf = this.buf.subarray(close);
        this.discarding = false;
        continue;
      }

      const start = this.findOpen();
      if (start < 0) {
        // No event starts here: keep a possible partial `<event` or `<?xml …`, judge the rest.
        const lt = this.buf.lastIndexOf(LT);
        const keep =
          lt >= 0 && this.buf.length - lt <= MAX_PROLOG && this.couldStart(lt)
            ? lt
            : this.buf.length;
        this.between(this.buf.subarray(0, keep));
        this.buf = this.buf.subarray(keep);
        break;
      }
      this.between(this.buf.subarray(0, start));
      this.buf = this.buf.subarray(start);

      const tagEnd = this.startTagEnd();
      if (tagEnd === -2) {
        // A `<` inside the start tag: not an event. Drop its `<` and look again.
        this.garbage(1);
        this.buf = this.buf.subarray(1);
        continue;
      }
      const end =
        tagEnd === -1 ? -1 : this.buf[tagEnd - 2] === SLASH ? tagEnd : this.findClose(tagEnd);
      if (end === -1) {
        if (this.buf.length <= this.max) break; // wait for the rest
        this.count('oversize', 0);
        this.discarding = true;
        this.inGarbage = false;
        continue;
      }
      if (end > this.max) this.count('oversize', end);
      else {
        out.push(this.buf.toString('utf8', 0, end));
        this.stats.events++;
      }
      this.inGarbage = false;
      this.buf = this.buf.subarray(end);
    }
    // Hold a compact copy, not a view into a large chunk.
    if (this.buf.length < this.buf.buffer.byteLength) this.buf = Buffer.from(this.buf);
    return out;
  }

  private count(reason: TakDropReason, bytes: number): void {
    const d = this.stats.dropped[reason];
    d.count++;
    d.bytes += bytes;
    this.onDrop?.(reason);
  }

  /** Judges bytes between two events. */
  private between(region: Buffer): void {
    if (region.length > 0 && !benign(region)) this.garbage(region.length);
  }

  /** Garbage is counted once per run between two events, however it arrives. */
  private garbage(bytes: number): void {
    if (this.inGarbage) this.stats.dropped.garbage.bytes += bytes;
    else this.count('garbage', bytes);
    this.inGarbage = true;
  }

  /** Whether the bytes from `i` to the end could still become `<event…` or `<?xml…?>`. */
  private couldStart(i: number): boolean {
    const tail = this.buf.subarray(i);
    if (tail.length >= 2 && tail[1] === 0x3f) return tail.indexOf('?>') < 0;
    const n = Math.min(tail.length, OPEN.length);
    return tail.subarray(0, n).equals(OPEN.subarray(0, n));
  }

  /** Index of the next `<event` followed by whitespace, `>` or `/`, or −1. */
  private findOpen(): number {
    let from = 0;
    for (;;) {
      const i = this.buf.indexOf(OPEN, from);
      if (i < 0) return -1;
      const next = this.buf[i + OPEN.length];
      if (next === undefined) return -1; // cannot tell yet
      if (isSpace(next) || next === GT || next === SLASH) return i;
      from = i + 1;
    }
  }

  /** End of the start tag at 0 (index after its `>`), −1 if incomplete, −2 if broken. */
  private startTagEnd(): number {
    let quote = 0;
    for (let i = OPEN.length; i < this.buf.length; i++) {
      const b = this.buf[i]!;
      if (quote !== 0) {
        if (b === quote) quote = 0;
      } else if (b === QUOT || b === APOS) quote = b;
      else if (b === GT) return i + 1;
      else if (b === LT) return -2;
    }
    return -1;
  }

  /** Index after the first `</event>` (whitespace allowed before `>`) at or after `from`, or −1. */
  private findClose(from: number): number {
    let at = from;
    for (;;) {
      const i = this.buf.indexOf(CLOSE, at);
      if (i < 0) return -1;
      let j = i + CLOSE.length;
      while (j < this.buf.length && isSpace(this.buf[j]!)) j++;
      if (j === this.buf.length) return -1; // cannot tell yet
      if (this.buf[j] === GT) return j + 1;
      at = i + 1;
    }
  }
}
