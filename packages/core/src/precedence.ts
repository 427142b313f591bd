import { ParleyError } from './errors.js';

/**
 * Military message precedence (ACP 121). It sets a handling objective, not an importance:
 * the time within which the receiving side is expected to have understood the message.
 */
export const PRECEDENCES = ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'] as const;
export type Precedence = (typeof PRECEDENCES)[number];

/** Default handling objectives in milliseconds (FLASH 10 min, IMMEDIATE 30 min, PRIORITY 3 h, ROUTINE 6 h). */
export const DEFAULT_HANDLING_MS: Readonly<Record<Precedence, number>> = {
  FLASH: 10 * 60_000,
  IMMEDIATE: 30 * 60_000,
  PRIORITY: 3 * 3_600_000,
  ROUTINE: 6 * 3_600_000,
};

/** Parses a precedence name (case-insensitive) or throws `PARLEY_E_BAD_PRECEDENCE` naming the value. */
export function parsePrecedence(value: unknown): Precedence {
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    if ((PRECEDENCES as readonly string[]).includes(upper)) return upper as Precedence;
  }
  throw new ParleyError(
    'PARLEY_E_BAD_PRECEDENCE',
    `precedence ${JSON.stringify(value)} is not one of ${PRECEDENCES.join(', ')}`,
    { value },
  );
}
