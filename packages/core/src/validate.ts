import { ParleyError } from './errors.js';
import { parsePolicyText } from './text-policy.js';

/** Channel names: 1–64 of [a-z0-9._-], starting with a letter or digit. */
export const CHANNEL_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The largest message text, in characters. */
export const MAX_TEXT_CHARS = 8000;

export function parseChannel(value: unknown): string {
  if (typeof value === 'string' && CHANNEL_RE.test(value)) return value;
  throw new ParleyError(
    'PARLEY_E_BAD_CHANNEL',
    `channel ${JSON.stringify(value)} is not 1–64 characters of [a-z0-9._-] starting with a letter or digit`,
    { value },
  );
}

/** Message text (and readbacks, translations): multi-line, under the text policy (text-policy.ts). */
export function parseText(value: unknown, field = 'message text'): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new ParleyError('PARLEY_E_TEXT_EMPTY', `${field} is empty`, { field });
  return parsePolicyText(value, { field, max: MAX_TEXT_CHARS, multiline: true });
}

/** Station names: 1–64 characters under the text policy (single line). */
export function parseStationName(value: unknown): string {
  if (typeof value === 'string' && value.trim().length >= 1 && value.trim().length <= 64) {
    return parsePolicyText(value, { field: 'station name', max: 64 });
  }
  throw new ParleyError(
    'PARLEY_E_BAD_STATION_NAME',
    `station name ${JSON.stringify(value)} is not 1–64 printable characters`,
    {
      value,
    },
  );
}

/** The deepest nesting of arrays and objects accepted in a JSON body or GeoJSON document. */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of JSON text (arrays and objects), found by a scan that skips strings,
 * stopping as soon as it passes `limit`. Cheap enough to run before `JSON.parse`, so a deeply
 * nested document never reaches recursive code.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Throws PARLEY_E_TOO_DEEP when JSON text nests deeper than `limit` (default MAX_JSON_DEPTH). */
export function checkJsonDepth(text: string, what = 'JSON', limit = MAX_JSON_DEPTH): void {
  if (jsonDepth(text, limit) > limit)
    throw new ParleyError(
      'PARLEY_E_TOO_DEEP',
      `${what} is nested deeper than ${limit} levels of arrays and objects`,
      { limit },
    );
}
