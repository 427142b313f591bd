import { ParleyError } from '@parley/core';
import { utf8 } from './hash.js';
import { MAX_JSON_DEPTH } from './strict-json.js';

/** Deepest container nesting accepted (the same bound as reading, §0); keeps hostile input from exhausting the stack. */
const MAX_DEPTH = MAX_JSON_DEPTH;

// In a `u` regex a surrogate pair is one code point, so this matches only lone surrogates. RFC 8785
// §3.1 requires I-JSON, and RFC 7493 §2.1 forbids them: they have no UTF-8 encoding to hash.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Walk state. `stack[d]` is the container being serialised at depth d (for cycle detection) and
 * `keys[d]` the key or index currently being visited inside it; together they give the JSON path,
 * which is only formatted when something is rejected, so the happy path builds no path strings.
 */
interface Walk {
  readonly stack: object[];
  readonly keys: (string | number)[];
}

/** RFC 8785 canonical JSON text; throws `PARLEY_E_CANONICAL_JSON` naming the bad value's path. */
export function canonicalize(value: unknown): string {
  return serialize(value, 0, { stack: [], keys: [] });
}

/** UTF-8 bytes of `canonicalize(value)`: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalize(value));
}

function serialize(value: unknown, depth: number, walk: Walk): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, depth, walk);
    case 'number':
      // RFC 8785 §3.2.2.3 adopts Number.prototype.toString as the canonical form (it prints -0 as
      // "0"); NaN and ±Infinity have no JSON form, and the same section requires an error.
      if (!Number.isFinite(value)) {
        throw reject(walk, depth, String(value), 'is not a finite number');
      }
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, depth, walk);
    case 'bigint':
      // JSON numbers are IEEE-754 doubles in JCS (§3.2.2.3); silently rounding a bigint would
      // change the signed value, so the caller must choose a string or a safe number.
      throw reject(walk, depth, `${value}n`, 'is a bigint, not a JSON number');
    default:
      // undefined, functions and symbols: JSON.stringify would drop or null them, giving a
      // second spelling for the same signed value.
      throw reject(walk, depth, describe(value), 'is not a JSON value');
  }
}

function serializeString(value: string, depth: number, walk: Walk): string {
  if (LONE_SURROGATE.test(value)) {
    throw reject(walk, depth, JSON.stringify(value), 'contains a lone surrogate (not I-JSON)');
  }
  // JSON.stringify's string escaping is exactly RFC 8785 §3.2.2.2: the two-character escapes,
  // \u00XX (lower-case hex) for other controls, and everything else (including U+2028/9) literal.
  return JSON.stringify(value);
}

function serializeContainer(value: object, depth: number, walk: Walk): string {
  const isArray = Array.isArray(value);
  if (!isArray) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw reject(walk, depth, describe(value), 'is not a plain object or array');
    }
  }
  if (depth >= MAX_DEPTH) {
    throw reject(walk, depth, isArray ? 'array' : 'object', `is nested deeper than ${MAX_DEPTH}`);
  }
  for (let d = 0; d < depth; d++) {
    if (walk.stack[d] === value) {
      throw reject(
        walk,
        depth,
        isArray ? 'array' : 'object',
        `is a cycle back to ${pathOf(walk, d)}`,
      );
    }
  }
  walk.stack[depth] = value;
  const child = depth + 1;
  let out: string;
  if (isArray) {
    const items = value as unknown[];
    out = '[';
    for (let i = 0; i < items.length; i++) {
      walk.keys[depth] = i;
      if (i > 0) out += ',';
      out += serialize(items[i], child, walk);
    }
    out += ']';
  } else {
    const record = value as Record<string, unknown>;
    // RFC 8785 §3.2.3: sort by UTF-16 code units, which is what the default sort comparator does.
    const keys = Object.keys(record).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      walk.keys[depth] = key;
      if (LONE_SURROGATE.test(key)) {
        throw reject(
          walk,
          child,
          JSON.stringify(key),
          'has a key with a lone surrogate (not I-JSON)',
        );
      }
      if (i > 0) out += ',';
      out += JSON.stringify(key);
      out += ':';
      out += serialize(record[key], child, walk);
    }
    out += '}';
  }
  // No pop: entries at `depth` and beyond are overwritten before anything reads them.
  return out;
}

/** `$` followed by `.name`, `["odd key"]` or `[index]` for each of the first `depth` steps. */
function pathOf(walk: Walk, depth: number): string {
  let path = '$';
  for (let d = 0; d < depth; d++) {
    const key = walk.keys[d];
    if (typeof key === 'number') path += `[${key}]`;
    else if (key !== undefined && IDENTIFIER.test(key)) path += `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) {
    const ctor: unknown = (value as { constructor?: unknown }).constructor;
    const name = typeof ctor === 'function' && ctor.name ? ctor.name : 'object';
    return `${name} object`;
  }
  return String(value);
}

function reject(walk: Walk, depth: number, shown: string, why: string): ParleyError {
  const path = pathOf(walk, depth);
  return new ParleyError('PARLEY_E_CANONICAL_JSON', `canonical JSON: ${shown} at ${path} ${why}`, {
    path,
    value: shown,
  });
}
