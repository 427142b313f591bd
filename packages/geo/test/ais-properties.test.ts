/**
 * Property tests (fast-check): whatever arrives, the decoder does not throw, and damage to one
 * message never spoils the next good one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AisDecoder, decodePayload } from '@parley/geo';
import type { AisMessage } from '@parley/geo';
import {
  AIS_LOGS,
  allSentences,
  fields,
  fixtureLines,
  messageGroups,
  withFields,
} from './ais-fixtures.js';

const SENTENCES = allSentences();
const GROUPS = AIS_LOGS.flatMap((log) => messageGroups(fixtureLines(log)));

/** Decodes a message's sentences with a fresh decoder: the reference result. */
function decodeAlone(group: readonly string[]): AisMessage | null {
  const d = new AisDecoder();
  let m: AisMessage | null = null;
  for (const line of group) m = d.push(line) ?? m;
  return m;
}

/** Messages that decode on their own (type 24 parts need a partner, so they are left out). */
const GOOD = GROUPS.filter((g) => {
  const m = decodeAlone(g);
  return m !== null && m.type !== 24;
});
const MULTI = GOOD.filter((g) => g.length > 1);

/** Pushes lines; returns the messages and checks the decoder did not fault. */
function pushAll(d: AisDecoder, lines: readonly string[]): AisMessage[] {
  const out: AisMessage[] = [];
  for (const line of lines) {
    const m = d.push(line);
    if (m !== null) out.push(m);
  }
  expect(d.stats.internal).toBe(0);
  return out;
}

/** A damaged copy of a line: one character changed, or cut short, or a piece repeated. */
const damaged = (line: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(fc.nat({ max: line.length - 1 }), fc.integer({ min: 0, max: 255 }))
      .map(([i, c]) => line.slice(0, i) + String.fromCharCode(c) + line.slice(i + 1)),
    fc.nat({ max: line.length }).map((i) => line.slice(0, i)),
    fc
      .tuple(fc.nat({ max: line.length }), fc.nat({ max: line.length }))
      .map(([a, b]) => line.slice(0, Math.max(a, b)) + line.slice(Math.min(a, b))),
  );

describe('random input never throws', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 20 }), (chunks) => {
        const d = new AisDecoder();
        pushAll(
          d,
          chunks.map((b) => String.fromCharCode(...b)),
        );
        expect(d.stats.lines).toBe(chunks.length);
      }),
      { numRuns: 500 },
    );
  });

  it('random strings, including lone surrogates and NMEA-looking text', () => {
    const nmeaish = fc
      .array(
        fc.constantFrom(...'!$*,\\0123456789ABVDMOaw`@:;<>?', 'AIVDM', 'VDO', '*00', ',1,1,,A,'),
        {
          maxLength: 40,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'binary' }), nmeaish), { maxLength: 20 }),
        (lines) => {
          for (const scaled of [true, false]) pushAll(new AisDecoder({ scaled }), lines);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decodePayload on arbitrary bits', () => {
  it('returns a message or null, never throws', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 160 }),
        fc.integer({ min: -8, max: 1400 }),
        fc.boolean(),
        (bytes, n, scaled) => {
          const m = decodePayload({ bits: bytes, bitLength: n }, { scaled });
          if (m !== null) {
            expect(m.class).toBe('AIS');
            expect(m.type).toBeGreaterThanOrEqual(1);
            expect(m.type).toBeLessThanOrEqual(27);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('damaged real sentences', () => {
  it('never throw, and do not poison the following good message', () => {
    const arb = fc
      .tuple(fc.constantFrom(...SENTENCES), fc.constantFrom(...GOOD))
      .chain(([bad, good]) =>
        fc.tuple(fc.array(damaged(bad), { minLength: 1, maxLength: 3 }), fc.constant(good)),
      );
    fc.assert(
      fc.property(arb, ([bad, good]) => {
        const d = new AisDecoder();
        pushAll(d, bad);
        const before = d.stats.decoded;
        const out = pushAll(d, good);
        expect(d.stats.decoded - before).toBe(1);
        expect(out).toEqual([decodeAlone(good)]);
      }),
      { numRuns: 1000 },
    );
  });

  it('a damaged fragment of a multi-sentence message drops only that message', () => {
    const arb = fc
      .tuple(fc.constantFrom(...MULTI), fc.constantFrom(...GOOD))
      .chain(([victim, good]) =>
        fc.tuple(
          fc
            .nat({ max: victim.length - 1 })
            .chain((i) =>
              damaged(victim[i] as string).map((bad) => victim.map((l, k) => (k === i ? bad : l))),
            ),
          fc.constant(good),
        ),
      );
    fc.assert(
      fc.property(arb, ([victim, good]) => {
        const d = new AisDecoder();
        const first = pushAll(d, victim);
        // The damaged message is dropped, unless the damage missed everything that matters
        // (a changed character after the checksum, say): then it decodes unchanged.
        expect(first.length).toBeLessThanOrEqual(1);
        const out = pushAll(d, good);
        expect(out).toEqual([decodeAlone(good)]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fragment order', () => {
  it('duplicated fragments give the message at most once, never a wrong one', () => {
    const arb = fc
      .constantFrom(...MULTI)
      .chain((g) =>
        fc.tuple(
          fc.constant(g),
          fc.array(fc.nat({ max: g.length - 1 }), { minLength: g.length, maxLength: 3 * g.length }),
        ),
      );
    fc.assert(
      fc.property(arb, ([group, picks]) => {
        const lines = [...group.map((_, i) => i), ...picks]
          .sort((a, b) => a - b)
          .map((i) => group[i] as string);
        const d = new AisDecoder();
        const out = pushAll(d, lines);
        expect(out.length).toBeLessThanOrEqual(1);
        for (const m of out) expect(m).toEqual(decodeAlone(group));
        expect(d.stats.orphan).toBe(
          lines.length - group.length * out.length - pendingTail(lines, group),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('shuffled fragments never give a wrong message; in order they give the right one', () => {
    const arb = fc
      .constantFrom(...MULTI)
      .chain((g) =>
        fc.tuple(
          fc.constant(g),
          fc.shuffledSubarray(g, { minLength: g.length, maxLength: g.length }),
        ),
      );
    fc.assert(
      fc.property(arb, ([group, shuffled]) => {
        const out = pushAll(new AisDecoder(), shuffled);
        const inOrder = shuffled.every((l, i) => l === group[i]);
        if (inOrder) expect(out).toEqual([decodeAlone(group)]);
        else expect(out).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('two multi-sentence messages interleaved on channels A and B both decode', () => {
    const arb = fc.tuple(fc.constantFrom(...MULTI), fc.constantFrom(...MULTI)).chain(([a, b]) =>
      fc.tuple(
        fc.constant(a),
        fc.constant(b),
        fc.array(fc.boolean(), {
          minLength: a.length + b.length,
          maxLength: a.length + b.length,
        }),
      ),
    );
    fc.assert(
      fc.property(arb, ([a, b, order]) => {
        const onA = a.map((l) => withFields(l, { 4: 'A' }));
        const onB = b.map((l) => withFields(l, { 4: 'B' }));
        const lines = interleave(onA, onB, order);
        const out = pushAll(new AisDecoder(), lines);
        expect(out).toHaveLength(2);
        const expected = [decodeAlone(onA), decodeAlone(onB)];
        // Whichever message's last fragment comes first is reported first.
        const aDone = lines.indexOf(onA[onA.length - 1] as string);
        const bDone = lines.indexOf(onB[onB.length - 1] as string);
        expect(out).toEqual(aDone < bDone ? expected : [...expected].reverse());
      }),
      { numRuns: 300 },
    );
  });

  it('two messages interleaved on one channel with different sequence ids both decode', () => {
    const arb = fc.tuple(fc.constantFrom(...MULTI), fc.constantFrom(...MULTI)).chain(([a, b]) =>
      fc.tuple(
        fc.constant(a),
        fc.constant(b),
        fc.array(fc.boolean(), {
          minLength: a.length + b.length,
          maxLength: a.length + b.length,
        }),
      ),
    );
    fc.assert(
      fc.property(arb, ([a, b, order]) => {
        const x = a.map((l) => withFields(l, { 3: '1', 4: 'A' }));
        const y = b.map((l) => withFields(l, { 3: '2', 4: 'A' }));
        const out = pushAll(new AisDecoder(), interleave(x, y, order));
        expect(out).toHaveLength(2);
        expect(new Set(out.map((m) => JSON.stringify(m)))).toEqual(
          new Set([decodeAlone(x), decodeAlone(y)].map((m) => JSON.stringify(m))),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('checksums', () => {
  it('a wrong checksum is counted as such and decodes nothing', () => {
    const arb = fc.tuple(fc.constantFrom(...SENTENCES), fc.integer({ min: 1, max: 255 }));
    fc.assert(
      fc.property(arb, ([line, delta]) => {
        const star = line.indexOf('*');
        const sum = parseInt(line.slice(star + 1, star + 3), 16);
        const wrong = (sum ^ delta).toString(16).toUpperCase().padStart(2, '0');
        const bad = line.slice(0, star + 1) + wrong + line.slice(star + 3);
        const d = new AisDecoder();
        expect(d.push(bad)).toBeNull();
        expect(d.stats.checksum).toBe(1);
        expect(d.stats.sentences).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('a changed payload character is caught by the checksum', () => {
    const arb = fc
      .constantFrom(...SENTENCES)
      .chain((line) => {
        let start = 0;
        for (let commas = 0; commas < 5; start++) if (line[start] === ',') commas++;
        const end = start + (fields(line)[5] as string).length - 1;
        return fc.tuple(
          fc.constant(line),
          fc.integer({ min: start, max: end }),
          fc.integer({ min: 48, max: 119 }),
        );
      })
      .filter(([line, i, c]) => line.charCodeAt(i) !== c);
    fc.assert(
      fc.property(arb, ([line, i, c]) => {
        const d = new AisDecoder();
        expect(d.push(line.slice(0, i) + String.fromCharCode(c) + line.slice(i + 1))).toBeNull();
        expect(d.stats.checksum).toBe(1);
      }),
      { numRuns: 500 },
    );
  });
});

/** Merges two sequences, keeping each in order; `order[i]` true takes from `a`. */
function interleave(
  a: readonly string[],
  b: readonly string[],
  order: readonly boolean[],
): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  for (const takeA of order) {
    if ((takeA && i < a.length) || j >= b.length) out.push(a[i++] as string);
    else out.push(b[j++] as string);
  }
  return out;
}

/** Fragments still held (not yet orphaned) at the end of `lines`: the last unfinished run. */
function pendingTail(lines: readonly string[], group: readonly string[]): number {
  let held = 0;
  for (const line of lines) {
    const n = group.indexOf(line) + 1;
    if (n === 1) held = 1;
    else if (n === held + 1) held = n === group.length ? 0 : n;
    else held = 0;
  }
  return held;
}
