// fast-check arbitraries derived from the operator API's own JSON schemas (the OpenAPI document
// the station serves, generated from its TypeBox route schemas): valid-shaped values, and
// mutations of them (wrong types, extra and missing properties, huge strings, deep nesting,
// hostile unicode, out-of-range numbers).
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  patternProperties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: Json[];
  const?: Json;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

/** Strings an attacker or a confused client would send. */
export const HOSTILE_STRINGS: string[] = [
  '',
  ' ',
  '\u202egnp.exe',
  'a\u0000b',
  '\u200b\u200b',
  '\u200d',
  '\ud800',
  'x\udfffy',
  '\u2066hidden\u2069',
  '\ufeffBOM',
  '\u3164',
  'e\u0301',
  '𝕏🚢',
  '\r\n\t',
  '\u2028',
  '\uffff',
  '../../etc/passwd',
  '%00',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'FLASH',
  'true',
  '12',
  'ops',
  'stn_000000000000000000000000',
  'Ω'.repeat(300),
];

export const HOSTILE_NUMBERS: number[] = [
  8.64e15,
  -8.64e15,
  1e-300,
  -1,
  0,
  -0,
  1e308,
  2 ** 53 + 2,
  0.5,
  90,
  90.0000001,
  -180.5,
  275760,
];

/** Any JSON value, shallow. */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);

function numberArb(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined);
  if (integer) {
    const lo = Math.max(min ?? -1e12, Number.MIN_SAFE_INTEGER);
    const hi = Math.min(max ?? 1e12, Number.MAX_SAFE_INTEGER);
    // Times: often near now, so time checks are reached.
    return fc.oneof(
      fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }),
      fc.constantFrom(Math.min(hi, Math.max(lo, Date.now() + 3_600_000))),
    );
  }
  return fc.double({
    min: min ?? -1e6,
    max: max ?? 1e6,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

function stringArb(s: Schema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.min(s.maxLength ?? 40, 80);
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length <= 200);
    } catch {
      /* fall through */
    }
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, maxLength) }) },
    { weight: 1, arbitrary: fc.constantFrom('ops', 'theater-ops', 'voice', 'en', 'zh', 'FLASH') },
  );
}

/** A value shaped like the schema (valid, or nearly: patterns and cross-field rules may fail). */
export function arbFromSchema(s: Schema | undefined, depth = 0): fc.Arbitrary<Json> {
  if (!s || depth > 8) return anyJson;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length > 0) return fc.oneof(...alts.map((a) => arbFromSchema(a, depth + 1)));
  if (s.allOf && s.allOf.length > 0) return arbFromSchema(s.allOf[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'string':
      return stringArb(s);
    case 'array':
      return fc.array(arbFromSchema(s.items, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, 6),
      });
    case 'object': {
      const props = s.properties ?? {};
      const required = s.required ?? [];
      const shape: Record<string, fc.Arbitrary<Json>> = {};
      for (const [k, v] of Object.entries(props)) shape[k] = arbFromSchema(v, depth + 1);
      const rec = fc.record(shape, { requiredKeys: required.filter((k) => k in shape) });
      const pattern = s.patternProperties ? Object.values(s.patternProperties)[0] : undefined;
      if (Object.keys(props).length === 0 && pattern)
        return fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          arbFromSchema(pattern, depth + 1),
          {
            maxKeys: 3,
          },
        );
      return rec as fc.Arbitrary<Json>;
    }
    default:
      return anyJson;
  }
}

/** Paths to every node of a JSON value. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(v: Json, at: (string | number)[], value: Json | undefined): Json {
  if (at.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(v) as Record<string | number, Json>;
  let node = copy;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = at[at.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy as Json;
}

function deep(n: number, arrays: boolean): Json {
  let v: Json = 1;
  for (let i = 0; i < n; i++) v = arrays ? [v] : { a: v };
  return v;
}

export type Mutation =
  'wrong-type' | 'extra' | 'drop' | 'huge' | 'deep' | 'unicode' | 'number' | 'top';

/** A mutation of a valid-shaped value, with the name of what was done. */
export function mutate(
  valid: fc.Arbitrary<Json>,
): fc.Arbitrary<{ value: Json; mutation: Mutation }> {
  return fc
    .tuple(
      valid,
      fc.constantFrom<Mutation>(
        'wrong-type',
        'extra',
        'drop',
        'huge',
        'deep',
        'unicode',
        'number',
        'top',
      ),
      fc.nat(),
      anyJson,
      fc.constantFrom(...HOSTILE_STRINGS),
      fc.constantFrom(...HOSTILE_NUMBERS),
      fc.integer({ min: 33, max: 3000 }),
    )
    .map(([v, mutation, pick, junk, str, num, depth]) => {
      const all = paths(v);
      const at = all[pick % all.length]!;
      const objects = all.filter((p) => {
        let n: Json = v;
        for (const k of p) n = (n as Record<string | number, Json>)[k]!;
        return n !== null && typeof n === 'object' && !Array.isArray(n);
      });
      switch (mutation) {
        case 'wrong-type':
          return { value: setAt(v, at, junk), mutation };
        case 'extra': {
          const o = objects[pick % Math.max(1, objects.length)];
          return { value: o ? setAt(v, [...o, `x${pick % 7}_extra`], junk) : junk, mutation };
        }
        case 'drop':
          return { value: at.length === 0 ? {} : setAt(v, at, undefined), mutation };
        case 'huge':
          return { value: setAt(v, at, 'A'.repeat(20_000 + (pick % 50_000))), mutation };
        case 'deep':
          return { value: setAt(v, at, deep(depth, pick % 2 === 0)), mutation };
        case 'unicode':
          return { value: setAt(v, at, `${str}${pick % 3 === 0 ? 'ok' : ''}`), mutation };
        case 'number':
          return { value: setAt(v, at, pick % 5 === 0 ? -num : num), mutation };
        case 'top':
          return { value: junk, mutation };
      }
    });
}
