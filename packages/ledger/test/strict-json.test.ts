// Strict JSON reading (PROTOCOL.md §0): property tests against JSON.parse and hostile inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '@parley/core';
import { MAX_JSON_DEPTH, canonicalize, parseStrictJson, strictJsonFault } from '@parley/ledger';

const parse = (t: string) => parseStrictJson(t, 'PARLEY_E_ENTRY_MALFORMED', 'test');
const codeOf = (t: string): string => {
  try {
    parse(t);
    return 'ok';
  } catch (err) {
    if (!isParleyError(err)) throw err;
    return err.code;
  }
};

/** JSON values whose numbers are finite doubles (JSON.stringify writes them in their ES form). */
const json = fc.jsonValue({ maxDepth: 6 });

describe('strict JSON', () => {
  it('reads what JSON.stringify writes exactly as JSON.parse does (property)', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = JSON.stringify(v);
        expect(parse(text)).toEqual(JSON.parse(text));
        expect(parse(`\n ${JSON.stringify(v, null, '\t')}\r\n`)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a duplicate name anywhere, however it is escaped (property)', () => {
    fc.assert(
      fc.property(
        json,
        fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !/[\uD800-\uDFFF]/.test(k)),
        fc.nat(),
        (v, key, where) => {
          // Wrap the value in an object at a random depth holding `key` twice, the second time
          // with every character \u-escaped.
          const escaped = [...key]
            .map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
            .join('');
          const inner = `{"${JSON.stringify(key).slice(1, -1)}":1,"${escaped}":2}`;
          const depth = where % 5;
          const text = `${'['.repeat(depth)}[${JSON.stringify(v)},${inner}]${']'.repeat(depth)}`;
          expect(codeOf(text)).toBe('PARLEY_E_JSON_DUPLICATE_NAME');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the same name in two different objects is not a duplicate', () => {
    expect(parse('{"a":{"a":1},"b":[{"a":1},{"a":2}]}')).toEqual({
      a: { a: 1 },
      b: [{ a: 1 }, { a: 2 }],
    });
    expect(codeOf('{"a":{"b":1,"b":2}}')).toBe('PARLEY_E_JSON_DUPLICATE_NAME');
    expect(codeOf('{"a":1,"\\u0061":2}')).toBe('PARLEY_E_JSON_DUPLICATE_NAME');
    // a string value equal to a name is not a name
    expect(parse('{"a":"a","b":"a"}')).toEqual({ a: 'a', b: 'a' });
  });

  it('accepts only the RFC 8785 spelling of a number (property: canonical text in, same text out)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = String(d);
        if (Object.is(d, -0)) expect(codeOf('[-0]')).toBe('PARLEY_E_JSON_NUMBER');
        else {
          expect(parse(`[${text}]`)).toEqual([d]);
          expect(canonicalize(parse(`[${text}]`))).toBe(`[${text}]`);
        }
      }),
      { numRuns: 1000 },
    );
    for (const bad of ['1e0', '1.0', '-0', '1E+21', '1e21', '0.10', '9007199254740993', '1e400'])
      expect(codeOf(`{"n":${bad}}`), bad).toBe('PARLEY_E_JSON_NUMBER');
    // not JSON at all: a syntax error, not a number-form error
    expect(codeOf('{"n":01}')).toBe('PARLEY_E_ENTRY_MALFORMED');
    for (const good of [
      '0',
      '-1',
      '1e+21',
      '0.1',
      '9007199254740991',
      '9007199254740992',
      '-1.5e-7',
    ])
      expect(codeOf(`{"n":${good}}`), good).toBe('ok');
  });

  it(`nests ${MAX_JSON_DEPTH} containers and no more; 10^6 levels are refused without a stack overflow`, () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(codeOf(nest(MAX_JSON_DEPTH))).toBe('ok');
    expect(codeOf(nest(MAX_JSON_DEPTH + 1))).toBe('PARLEY_E_JSON_TOO_DEEP');
    expect(codeOf('{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1))).toBe(
      'PARLEY_E_JSON_TOO_DEEP',
    );
    expect(codeOf(nest(1_000_000))).toBe('PARLEY_E_JSON_TOO_DEEP');
  });

  it('refuses lone surrogates in names and values, escaped or not', () => {
    expect(codeOf('["\\ud800"]')).toBe('PARLEY_E_CANONICAL_JSON');
    expect(codeOf('{"\\udc00":1}')).toBe('PARLEY_E_CANONICAL_JSON');
    expect(codeOf('["\ud800"]')).toBe('PARLEY_E_CANONICAL_JSON');
    expect(parse('["\\ud83d\\ude00"]')).toEqual(['😀']);
  });

  it('reports the first fault in text order', () => {
    expect(codeOf('{"a":1e0,"a":2}')).toBe('PARLEY_E_JSON_NUMBER');
    expect(codeOf('{"a":1,"a":1e0}')).toBe('PARLEY_E_JSON_DUPLICATE_NAME');
    expect(strictJsonFault('{"a":1,"a":1e0}')?.at).toBe(7);
  });

  it('hostile input: any string either parses to what JSON.parse gives or fails with a code (property)', () => {
    const alphabet = fc.constantFrom(
      ...'{}[],:"\\ \n0123456789-+.eEtruefalsnu\u00e9\ud800'.split(''),
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join('')),
        (text) => {
          let expected: unknown;
          let valid = true;
          try {
            expected = JSON.parse(text);
          } catch {
            valid = false;
          }
          try {
            expect(parse(text)).toEqual(expected);
            expect(valid).toBe(true);
          } catch (err) {
            if (!isParleyError(err)) throw err;
            if (!valid) expect(err.code).toBe('PARLEY_E_ENTRY_MALFORMED');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
