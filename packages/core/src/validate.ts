import { ParleyError } from './errors.js';

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

export function parseText(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new ParleyError('PARLEY_E_TEXT_EMPTY', 'message text is empty', {});
  }
  if (value.length > MAX_TEXT_CHARS) {
    throw new ParleyError(
      'PARLEY_E_TEXT_TOO_LONG',
      `message text is ${value.length} characters; the limit is ${MAX_TEXT_CHARS}`,
      { length: value.length, limit: MAX_TEXT_CHARS },
    );
  }
  return value;
}

/** Station names: 1–64 characters, no control characters. */
export function parseStationName(value: unknown): string {
  if (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 64 &&
    !/\p{Cc}/u.test(value)
  ) {
    return value;
  }
  throw new ParleyError(
    'PARLEY_E_BAD_STATION_NAME',
    `station name ${JSON.stringify(value)} is not 1–64 printable characters`,
    {
      value,
    },
  );
}
