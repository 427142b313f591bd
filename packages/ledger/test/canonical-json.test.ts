import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ParleyError } from '@parley/core';
import { canonicalBytes, canonicalize, fromHex, toHex, utf8 } from '@parley/ledger';

const fixture = (p: string): Buffer =>
  readFileSync(new URL(`./fixtures/jcs/${p}`, import.meta.url));

const CASES = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'] as const;

/** The IEEE-754 double whose 64 bits are the given hex (no leading zeros needed). */
function doubleFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** The ParleyError thrown by `fn`, failing the test if it does not throw one. */
function thrown(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a ParleyError, but nothing was thrown');
}

/** Asserts that canonicalize rejects `value` with PARLEY_E_CANONICAL_JSON naming `path`. */
function expectRejected(value: unknown, path: string, because?: RegExp): void {
  const err = thrown(() => canonicalize(value));
  expect(err.code).toBe('PARLEY_E_CANONICAL_JSON');
  expect(err.details.path).toBe(path);
  expect(err.message).toContain(` at ${path} `);
  if (because) expect(err.message).toMatch(because);
  // canonicalBytes goes through the same checks.
  expect(() => canonicalBytes(value)).toThrow(ParleyError);
}

function nested(depth: number, leaf: unknown, asObject = false): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { k: v } : [v];
  return v;
}

/** JSON.parse gives +0 for "-0" and "0"; compare values with -0 normalised to 0. */
function withoutNegativeZero(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(withoutNegativeZero);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, {
        value: withoutNegativeZero(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

/** A copy of `v` with every object's keys inserted in a seed-determined shuffled order. */
function shuffleKeys(v: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: deterministic, so a failing case can be replayed from its seed.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (typeof x !== 'object' || x === null) return x;
    const keys = Object.keys(x);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      Object.defineProperty(out, k, {
        value: walk((x as Record<string, unknown>)[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(v);
}

describe('canonicalize: cyberphone/json-canonicalization test data', () => {
  it.each(CASES)('%s: canonical bytes equal output/%s.json exactly', (name) => {
    const input: unknown = JSON.parse(fixture(`input/${name}.json`).toString('utf8'));
    const expected = fixture(`output/${name}.json`);
    expect(toHex(canonicalBytes(input))).toBe(toHex(expected));
    expect(toHex(utf8.encode(canonicalize(input)))).toBe(toHex(expected));
  });

  it.each(CASES)('%s: outhex/%s.txt decodes to the same expected bytes', (name) => {
    const hex = fixture(`outhex/${name}.txt`).toString('ascii').replace(/\s+/g, '').toLowerCase();
    expect(fromHex(hex)).toEqual(new Uint8Array(fixture(`output/${name}.json`)));
  });
});

describe('canonicalize: numbers', () => {
  const file = fixture('numbers/es6testfile10k.txt');
  const lines = file.toString('ascii').split('\n').slice(0, -1);

  it('es6testfile10k.txt is the upstream file (published SHA-256 for 1,000 and 10,000 lines)', () => {
    expect(createHash('sha256').update(file).digest('hex')).toBe(
      'b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892',
    );
    const first1000 = `${lines.slice(0, 1000).join('\n')}\n`;
    expect(createHash('sha256').update(first1000).digest('hex')).toBe(
      'be18b62b6f69cdab33a7e0dae0d9cfa869fda80ddc712221570f9f40a5878687',
    );
    expect(lines).toHaveLength(10_000);
  });

  it('serialises all 10,000 es6testfile values exactly', () => {
    const mismatches: string[] = [];
    for (const line of lines) {
      const comma = line.indexOf(',');
      const bits = line.slice(0, comma);
      const expected = line.slice(comma + 1);
      const got = canonicalize(doubleFromBits(bits));
      if (got !== expected) mismatches.push(`${bits}: got ${got}, want ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });

  const appendixB = JSON.parse(fixture('numbers/rfc8785-appendix-b.json').toString('utf8')) as {
    cases: { ieee754: string; json?: string; error?: boolean; comment?: string }[];
  };

  it('RFC 8785 Appendix B has its 26 rows (24 finite, NaN and Infinity)', () => {
    expect(appendixB.cases).toHaveLength(26);
    expect(appendixB.cases.filter((c) => c.error)).toHaveLength(2);
  });

  it.each(appendixB.cases.map((c) => [c.ieee754, c] as const))('Appendix B %s', (_bits, row) => {
    const value = doubleFromBits(row.ieee754);
    if (row.error) {
      expect(Number.isFinite(value)).toBe(false);
      expectRejected(value, '$', /is not a finite number/);
      expectRejected({ x: [value] }, '$.x[0]', /is not a finite number/);
    } else {
      expect(canonicalize(value)).toBe(row.json);
      expect(canonicalize([value])).toBe(`[${row.json}]`);
    }
  });

  it('prints -0 as 0 and rejects -Infinity', () => {
    expect(canonicalize(-0)).toBe('0');
    expect(canonicalize({ z: -0 })).toBe('{"z":0}');
    expectRejected(-Infinity, '$', /-Infinity/);
  });
});

describe('canonicalize: structure', () => {
  it('serialises literals, empty containers and nesting', () => {
    expect(canonicalize(null)).toBe('null');
    expect(canonicalize(true)).toBe('true');
    expect(canonicalize(false)).toBe('false');
    expect(canonicalize('')).toBe('""');
    expect(canonicalize([])).toBe('[]');
    expect(canonicalize({})).toBe('{}');
    expect(canonicalize({ b: [1, { d: null, c: 'x' }], a: {} })).toBe(
      '{"a":{},"b":[1,{"c":"x","d":null}]}',
    );
  });

  it('sorts keys by UTF-16 code units, not code points or locale', () => {
    // U+FF61 (one unit 0xFF61) sorts after U+1F600 (units 0xD83D 0xDE00) in UTF-16 order,
    // although its code point is smaller.
    expect(canonicalize({ '\uff61': 1, '\u{1f600}': 2, Z: 3, a: 4, é: 5 })).toBe(
      '{"Z":3,"a":4,"é":5,"😀":2,"｡":1}',
    );
    // Integer-like keys, which objects enumerate first, are sorted as strings.
    expect(canonicalize({ 10: 'b', 9: 'a', '': 'e', 1: 'c' })).toBe(
      '{"":"e","1":"c","10":"b","9":"a"}',
    );
  });

  it('escapes strings as RFC 8785 §3.2.2.2 says', () => {
    expect(canonicalize('\u0000\b\t\n\f\r\u001f"\\/\u007f\u2028\u2029é😀')).toBe(
      '"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028\u2029é😀"',
    );
  });

  it('accepts null-prototype objects and shared (non-cyclic) references', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalize(bare)).toBe('{"a":2,"b":1}');
    const shared = { x: 1 };
    expect(canonicalize({ p: shared, q: [shared, shared] })).toBe(
      '{"p":{"x":1},"q":[{"x":1},{"x":1}]}',
    );
  });

  it('accepts nesting of exactly 64 containers', () => {
    expect(canonicalize(nested(64, 1))).toBe(`${'['.repeat(64)}1${']'.repeat(64)}`);
    expect(canonicalize(nested(64, 1, true))).toBe(`${'{"k":'.repeat(64)}1${'}'.repeat(64)}`);
  });

  it('canonicalBytes is the UTF-8 of canonicalize', () => {
    expect(toHex(canonicalBytes({ '€': 'é' }))).toBe(toHex(utf8.encode('{"€":"é"}')));
    expect(toHex(canonicalBytes('😀'))).toBe('22f09f988022');
  });
});

describe('canonicalize: rejected values name their JSON path', () => {
  it('NaN deep inside', () => {
    expectRejected({ body: { items: [1, 2, 3, NaN] } }, '$.body.items[3]', /^canonical JSON: NaN /);
  });

  it('lone surrogate in a value', () => {
    expectRejected({ body: { items: ['ok', 'x\ud800'] } }, '$.body.items[1]', /lone surrogate/);
    expectRejected('\udc00', '$', /"\\udc00"/);
    expectRejected(['\ude00\ud83d'], '$[0]', /lone surrogate/);
  });

  it('lone surrogate in a key', () => {
    const err = thrown(() => canonicalize({ body: { ok: 1, ['k\udfff']: 2 } }));
    expect(err.code).toBe('PARLEY_E_CANONICAL_JSON');
    expect(err.details.path).toBe('$.body["k\\udfff"]');
    expect(err.message).toMatch(/key with a lone surrogate/);
  });

  it('undefined as a property, an element or the whole value', () => {
    expectRejected({ a: 1, b: undefined }, '$.b', /undefined .* is not a JSON value/);
    expectRejected([1, undefined], '$[1]', /undefined/);
    // eslint-disable-next-line no-sparse-arrays
    expectRejected([1, , 3], '$[1]', /undefined/);
    expectRejected(undefined, '$', /undefined/);
  });

  it('Date, Map, class instances and boxed primitives', () => {
    expectRejected({ when: new Date(0) }, '$.when', /Date object .* not a plain object/);
    expectRejected({ m: new Map() }, '$.m', /Map object/);
    class Point {
      x = 1;
    }
    expectRejected([new Point()], '$[0]', /Point object/);
    expectRejected({ s: new String('x') }, '$.s', /String object/);
    expectRejected({ u: new Uint8Array(2) }, '$.u', /Uint8Array object/);
  });

  it('bigint, functions and symbols', () => {
    expectRejected({ n: 10n }, '$.n', /10n .* bigint/);
    expectRejected({ f: () => 1 }, '$.f', /function f/);
    expectRejected({ toJSON: () => 'x' }, '$.toJSON', /function toJSON/);
    expectRejected({ s: Symbol('tag') }, '$.s', /Symbol\(tag\)/);
  });

  it('cycles', () => {
    const root: Record<string, unknown> = { x: { y: [] } };
    ((root.x as Record<string, unknown>).y as unknown[]).push(root);
    expectRejected(root, '$.x.y[0]', /cycle back to \$$/);
    const self: unknown[] = [];
    self.push(1, self);
    expectRejected({ a: self }, '$.a[1]', /cycle back to \$\.a$/);
  });

  it('nesting deeper than 64', () => {
    const path = `$${'[0]'.repeat(64)}`;
    expectRejected(nested(65, 1), path, /nested deeper than 64/);
    expectRejected(nested(65, 1, true), `$${'.k'.repeat(64)}`, /nested deeper than 64/);
    expectRejected(nested(100_000, 1), path, /nested deeper than 64/);
  });

  it('keys that are not identifiers are quoted in the path', () => {
    expectRejected({ 'a b': { '0': { $ok_1: NaN } } }, '$["a b"]["0"].$ok_1');
  });
});

describe('canonicalize: properties', () => {
  it('is a fixed point through JSON.parse and preserves the value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (x) => {
        const text = canonicalize(x);
        const back: unknown = JSON.parse(text);
        expect(canonicalize(back)).toBe(text);
        expect(back).toStrictEqual(withoutNegativeZero(x));
      }),
      { numRuns: 500 },
    );
  });

  it('is independent of key insertion order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (x, seed) => {
        expect(canonicalize(shuffleKeys(x, seed))).toBe(canonicalize(x));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.stringify on well-formed strings and rejects the others', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string({ unit: codeUnit }), (s) => {
        let wellFormed = true;
        try {
          encodeURIComponent(s); // throws URIError exactly on lone surrogates
        } catch {
          wellFormed = false;
        }
        if (wellFormed) expect(canonicalize(s)).toBe(JSON.stringify(s));
        else expectRejected({ s }, '$.s', /lone surrogate/);
      }),
      { numRuns: 1000 },
    );
  });
});
