import { ParleyError } from './errors.js';

/**
 * The text policy for operator input (issue 16; docs/api.md "Text"). Every free-text field an
 * operator types — messages, readbacks, translations, reasons, names of users, tracks and
 * stations, notice remarks, issuers and contacts — passes here before it is signed or stored.
 *
 * Normalised: Unicode NFC; CR LF and lone CR become LF in multi-line fields; names are trimmed.
 * Refused with PARLEY_E_TEXT_INVALID, naming the first offending code point:
 * - control characters (Cc), except LF and TAB in multi-line fields;
 * - format characters (Cf) — bidi embeddings, overrides, isolates and marks (U+202A–U+202E,
 *   U+2066–U+2069, U+200E, U+200F, U+061C), zero-width space, word joiner, BOM, soft hyphen,
 *   tags … — except ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER (U+200C, U+200D), which some
 *   scripts and emoji need;
 * - the line and paragraph separators U+2028, U+2029, and the Hangul fillers U+115F, U+1160,
 *   U+3164, U+FFA0 (blank letters used to fake spaces);
 * - lone surrogates and noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF).
 * Refused with PARLEY_E_TEXT_EMPTY: text with nothing visible once white space and
 * default-ignorable characters (ZWJ, ZWNJ, variation selectors, …) are set aside.
 */
export interface TextRules {
  /** The field's name, for the message (`text`, `readback`, `reason`, `name`, …). */
  field: string;
  /** The largest length in UTF-16 code units, after normalisation. */
  max: number;
  /** Whether LF and TAB are allowed (messages, readbacks, remarks); names are single-line. */
  multiline?: boolean;
}

const ALLOWED = new Set([0x200c, 0x200d]);
const ALLOWED_MULTILINE = new Set([0x09, 0x0a, 0x200c, 0x200d]);
const SUSPECT =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Noncharacter_Code_Point}\u2028\u2029\u115F\u1160\u3164\uFFA0]/gu;
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;

function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first code point the policy refuses and where it is, or null. */
export function refusedCodePoint(
  text: string,
  multiline: boolean,
): { codePoint: number; index: number } | null {
  const allowed = multiline ? ALLOWED_MULTILINE : ALLOWED;
  for (const m of text.matchAll(SUSPECT)) {
    const cp = m[0].codePointAt(0)!;
    if (!allowed.has(cp)) return { codePoint: cp, index: m.index };
  }
  return null;
}

/** True when the text has at least one visible character. */
export function hasVisible(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

/** Checks and normalises one operator text field under the policy; returns the text to sign. */
export function parsePolicyText(value: unknown, rules: TextRules): string {
  const { field, max } = rules;
  const multiline = rules.multiline ?? false;
  if (typeof value !== 'string')
    throw new ParleyError('PARLEY_E_TEXT_EMPTY', `${field} is missing or not a string`, { field });
  const tooLong = (n: number) =>
    new ParleyError('PARLEY_E_TEXT_TOO_LONG', `${field} is ${n} characters; the limit is ${max}`, {
      field,
      length: n,
      limit: max,
    });
  // The length as sent is bounded first, so a huge string costs no scan.
  if (value.length > max) throw tooLong(value.length);
  let text = multiline ? value.replace(/\r\n?/g, '\n') : value.trim();
  const bad = refusedCodePoint(text, multiline);
  if (bad !== null) throw refused(field, bad);
  // NFC composes; it never brings in a refused character (none of them compose or decompose).
  text = text.normalize('NFC');
  if (!hasVisible(text))
    throw new ParleyError('PARLEY_E_TEXT_EMPTY', `${field} is empty or has nothing visible`, {
      field,
    });
  if (text.length > max) throw tooLong(text.length);
  return text;
}

function refused(field: string, bad: { codePoint: number; index: number }): ParleyError {
  const name = codePointName(bad.codePoint);
  return new ParleyError(
    'PARLEY_E_TEXT_INVALID',
    `${field} holds ${name} at index ${bad.index}, which the text policy refuses (controls, bidi and other format characters, separators, fillers, lone surrogates, noncharacters)`,
    { field, codePoint: name, index: bad.index },
  );
}

/**
 * The key under which names are unique: NFC, then Unicode case folding (approximated by
 * `toLowerCase` after `toUpperCase`, which folds ß/SS and final sigma alike), then NFC again.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}
