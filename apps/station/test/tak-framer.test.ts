/**
 * The TAK stream framer: hand cases (split tags, several events a chunk, declarations, garbage,
 * self-closing events, quoted `>`, oversize events), then properties: any chunking of a stream
 * gives the same events, garbage between events is counted once per run and loses no event, and
 * random bytes never throw nor grow the buffer past the bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TakFramer } from '../src/tracks/tak-framer.js';
import { trackToCot } from '../src/tracks/cot.js';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

function ev(uid: string, remarks = ''): string {
  return (
    `<event version="2.0" uid="${uid}" type="a-h-S" how="m-g" time="2025-06-01T08:00:00Z" ` +
    `start="2025-06-01T08:00:00Z" stale="2025-06-01T08:05:00Z">` +
    `<point lat="16.25" lon="112.5" hae="0" ce="9999999.0" le="9999999.0"/>` +
    `<detail><remarks>${remarks}</remarks></detail></event>`
  );
}

/** Feeds the pieces one by one and returns every event framed. */
function frame(framer: TakFramer, pieces: (string | Uint8Array)[]): string[] {
  return pieces.flatMap((p) => framer.push(p));
}

describe('tak framer', () => {
  it('several events in one chunk, with declarations and whitespace between', () => {
    const f = new TakFramer();
    const a = ev('A');
    const b = ev('B', '海巡 ✓');
    expect(f.push(`${DECL}\n${a}\r\n${DECL}${b}\n`)).toEqual([a, b]);
    expect(f.stats).toEqual({
      events: 2,
      dropped: { garbage: { count: 0, bytes: 0 }, oversize: { count: 0, bytes: 0 } },
    });
    expect(f.buffered).toBe(0);
  });

  it('an event split anywhere, even inside a multi-byte character or `</event>`', () => {
    const e = ev('SPLIT', 'δέλτα 中文');
    const bytes = Buffer.from(DECL + e);
    for (let cut = 1; cut < bytes.length; cut++) {
      const f = new TakFramer();
      expect(frame(f, [bytes.subarray(0, cut), bytes.subarray(cut)]), `cut ${cut}`).toEqual([e]);
      expect(f.stats.dropped.garbage.count).toBe(0);
    }
  });

  it('byte by byte', () => {
    const f = new TakFramer();
    const s = Buffer.from(`${ev('1')}\n${DECL}${ev('2')}`);
    const out = frame(
      f,
      [...s].map((b) => Uint8Array.of(b)),
    );
    expect(out).toEqual([ev('1'), ev('2')]);
  });

  it('garbage between events is dropped and counted by run; events around it survive', () => {
    const drops: string[] = [];
    const f = new TakFramer({ onDrop: (r) => drops.push(r) });
    const http = 'GET / HTTP/1.1\r\n';
    const fake = '<eventual>x</eventual>';
    const out = frame(f, [`junk${ev('1')}${http}`, `\r\n${ev('2')}${fake}`, 'more']);
    expect(out).toEqual([ev('1'), ev('2')]);
    // Three runs: before event 1, between the events (across two chunks), after event 2.
    expect(f.stats.dropped.garbage.count).toBe(3);
    expect(f.stats.dropped.garbage.bytes).toBe(4 + http.length + fake.length + 4);
    expect(drops).toEqual(['garbage', 'garbage', 'garbage']);
  });

  it('self-closing events, `>` inside quotes, `</event >` with a space', () => {
    const f = new TakFramer();
    const a = '<event uid="x" note="a > b" type=\'t\'/>';
    const b = '<event uid="y" note="c>d"><point lat="1"/></event >';
    expect(f.push(`${a}\n${b}`)).toEqual([a, b]);
  });

  it('a `<` inside a start tag is not an event', () => {
    const f = new TakFramer();
    expect(f.push(`<event uid="a" <point/></event>${ev('ok')}`)).toEqual([ev('ok')]);
    expect(f.stats.dropped.garbage.count).toBeGreaterThan(0);
  });

  it('an oversize event is dropped without being buffered, and the stream goes on', () => {
    const f = new TakFramer({ maxEventBytes: 1024 });
    const big = ev('BIG', 'x'.repeat(100_000));
    const pieces: string[] = [ev('before')];
    for (let i = 0; i < big.length; i += 1000) pieces.push(big.slice(i, i + 1000));
    pieces.push(ev('after'));
    const out: string[] = [];
    for (const p of pieces) {
      out.push(...f.push(p));
      expect(f.buffered).toBeLessThanOrEqual(1024 + 1000);
    }
    expect(out).toEqual([ev('before'), ev('after')]);
    expect(f.stats.dropped.oversize.count).toBe(1);
    expect(f.stats.dropped.oversize.bytes).toBe(Buffer.byteLength(big));
  });

  it('an oversize event in a single chunk is dropped too', () => {
    const f = new TakFramer({ maxEventBytes: 1024 });
    const big = ev('BIG', 'y'.repeat(2000));
    expect(f.push(big + ev('n'))).toEqual([ev('n')]);
    expect(f.stats.dropped.oversize).toEqual({ count: 1, bytes: Buffer.byteLength(big) });
  });

  it('a never-ending declaration or start tag is bounded', () => {
    const f = new TakFramer({ maxEventBytes: 4096 });
    f.push('<?xml ');
    for (let i = 0; i < 100; i++) f.push('a'.repeat(1000));
    expect(f.buffered).toBeLessThanOrEqual(4096);
    expect(f.stats.dropped.garbage.count).toBeGreaterThan(0);
    const g = new TakFramer({ maxEventBytes: 4096 });
    g.push('<event uid="');
    for (let i = 0; i < 100; i++) g.push('b'.repeat(1000));
    expect(g.buffered).toBeLessThanOrEqual(4096 + 1000);
    g.push('"></event>');
    expect(g.push(ev('next'))).toEqual([ev('next')]);
    expect(g.stats.dropped.oversize.count).toBe(1);
  });
});

// ---- properties ----

const text = fc
  .string({ unit: 'binary', maxLength: 40 })
  // eslint-disable-next-line no-control-regex -- strip what XML forbids
  .map((s) => s.replace(/[<&\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]/g, ''));

const eventArb = fc.oneof(
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), text).map(([uid, r]) => ev(uid, r)),
  fc
    .record({
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
      name: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
    })
    .map(({ lat, lon, name }) =>
      trackToCot({
        id: 'ais:1',
        name,
        party: 'other',
        domain: 'surface',
        lat,
        lon,
        sog: 3,
        cog: 90,
        altFt: null,
        at: T0,
      }),
    ),
);
const sepArb = fc.constantFrom('', '\n', '\r\n', ' \t', DECL, `\n${DECL}\n`);
const garbageArb = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 30 })
  .map((s) => s.replace(/</g, '('))
  .filter((s) => s.trim() !== '');

/** Splits `bytes` at the given fractions. */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('tak framer: properties', () => {
  it('any chunking of a valid stream yields the same events, nothing dropped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sepArb, eventArb), { maxLength: 12 }),
        sepArb,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
        (items, tail, cuts) => {
          const events = items.map(([, e]) => e);
          const stream = Buffer.from(items.map(([s, e]) => s + e).join('') + tail);
          const f = new TakFramer();
          expect(frame(f, chunks(stream, cuts))).toEqual(events);
          expect(f.stats.events).toBe(events.length);
          expect(f.stats.dropped.garbage.count + f.stats.dropped.oversize.count).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('garbage between events: every event kept, each garbage run counted once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(garbageArb, { nil: undefined }), eventArb), { maxLength: 10 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
        (items, cuts) => {
          const stream = Buffer.from(items.map(([g, e]) => (g ?? '') + e).join(''));
          const f = new TakFramer();
          expect(frame(f, chunks(stream, cuts))).toEqual(items.map(([, e]) => e));
          const runs = items.filter(([g]) => g !== undefined).map(([g]) => g!);
          expect(f.stats.dropped.garbage.count).toBe(runs.length);
          // Whitespace inside a run may arrive alone in a chunk and pass as a separator.
          const bytes = f.stats.dropped.garbage.bytes;
          expect(bytes).toBeLessThanOrEqual(runs.reduce((n, g) => n + Buffer.byteLength(g), 0));
          expect(bytes).toBeGreaterThanOrEqual(
            runs.reduce((n, g) => n + Buffer.byteLength(g.replace(/[ \t\r\n]/g, '')), 0),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes never throw and never grow the buffer past the bound', () => {
    const max = 512;
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom('<event', '<event ', '</event>', '"', "'", '>', '<?xml', '?>', '/>', '<'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        const f = new TakFramer({ maxEventBytes: max });
        for (const p of pieces) {
          for (const e of f.push(p)) {
            expect(Buffer.byteLength(e)).toBeLessThanOrEqual(max);
            expect(e.startsWith('<event')).toBe(true);
          }
          expect(f.buffered).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });
});
