import { ParleyError } from '@parley/core';
import type { ErrorCode } from '@parley/core';

/**
 * Strict JSON reading (PROTOCOL.md §0, "Reading JSON"). `JSON.parse` accepts duplicate member
 * names (the last one wins), numbers it must round (`9007199254740993` becomes 2^53) and any
 * spelling of a number (`1e0`, `1.0`, `-0`); a second implementation may keep the first duplicate
 * or refuse it, so two verifiers would disagree on what was signed. Every JSON text Parley reads
 * from outside (entry lines, checkpoint lines, keys.json, manifest.json) goes through here.
 *
 * The text must first be RFC 8259 JSON (`JSON.parse`, iterative in V8, so no depth limit bites
 * there); then one scan in text order refuses, at the first offending token:
 * - a container nested deeper than `MAX_JSON_DEPTH` [`PARLEY_E_JSON_TOO_DEEP`];
 * - a member name already used in the same object, compared after unescaping
 *   [`PARLEY_E_JSON_DUPLICATE_NAME`];
 * - a number whose text is not the RFC 8785 form of the double it denotes
 *   [`PARLEY_E_JSON_NUMBER`];
 * - a string (name or value) holding a lone surrogate, which I-JSON forbids
 *   [`PARLEY_E_CANONICAL_JSON`].
 */

/** Deepest container nesting read or canonicalised, counting the outermost container as 1. */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Parses `text` strictly; `malformed` is the code for text that is not JSON at all. */
export function parseStrictJson(text: string, malformed: ErrorCode, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // Never the parser's message: it quotes the text, which may be any file's (a symlink).
    throw new ParleyError(malformed, `${what} is not JSON (${(err as Error).name})`, {});
  }
  const fault = strictJsonFault(text);
  if (fault) throw new ParleyError(fault.code, `${what}: ${fault.message}`, { at: fault.at });
  return value;
}

/** A strict-JSON fault: its code, a message, and the offset of the offending token. */
export interface StrictJsonFault {
  code: ErrorCode;
  message: string;
  at: number;
}

interface Frame {
  /** Member names seen so far; null for an array. */
  names: Set<string> | null;
  /** In an object: the next string token is a member name. */
  expectName: boolean;
}

/**
 * The first strict-JSON fault of a text that `JSON.parse` accepts, or undefined. The scanner
 * relies on the text being valid JSON and only tokenises it.
 */
export function strictJsonFault(text: string): StrictJsonFault | undefined {
  const stack: Frame[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      // { [
      if (stack.length >= MAX_JSON_DEPTH) {
        return {
          code: 'PARLEY_E_JSON_TOO_DEEP',
          message: `containers nested deeper than ${MAX_JSON_DEPTH} at offset ${i}`,
          at: i,
        };
      }
      stack.push(
        c === 0x7b ? { names: new Set(), expectName: true } : { names: null, expectName: false },
      );
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      i++;
    } else if (c === 0x2c) {
      // ,
      const top = stack[stack.length - 1];
      if (top?.names) top.expectName = true;
      i++;
    } else if (c === 0x22) {
      const start = i;
      i++;
      let escaped = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i += 2;
        } else if (d === 0x22) break;
        else i++;
      }
      i++; // closing quote
      const raw = text.slice(start + 1, i - 1);
      const str = escaped ? (JSON.parse(text.slice(start, i)) as string) : raw;
      const top = stack[stack.length - 1];
      const isName = top?.names != null && top.expectName;
      if (LONE_SURROGATE.test(str)) {
        return {
          code: 'PARLEY_E_CANONICAL_JSON',
          message: `${isName ? 'member name' : 'string'} at offset ${start} holds a lone surrogate (not I-JSON)`,
          at: start,
        };
      }
      if (isName) {
        if (top.names!.has(str)) {
          return {
            code: 'PARLEY_E_JSON_DUPLICATE_NAME',
            message: `member name ${JSON.stringify(str)} appears twice in one object (offset ${start})`,
            at: start,
          };
        }
        top.names!.add(str);
        top.expectName = false;
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      const token = text.slice(start, i);
      const canonical = String(Number(token));
      if (canonical !== token) {
        return {
          code: 'PARLEY_E_JSON_NUMBER',
          message: `number ${token} at offset ${start} is not written as its value's canonical form ${canonical}`,
          at: start,
        };
      }
    } else {
      // white space, ':', and the letters of true, false and null
      i++;
    }
  }
  return undefined;
}

function isNumberChar(c: number): boolean {
  // 0-9 . e E + -
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
  );
}
