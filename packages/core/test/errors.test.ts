import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  ERROR_REGISTRY,
  ParleyError,
  errorCodes,
  errorStatus,
  isClientError,
  isParleyError,
} from '@parley/core';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it('docs/errors.md lists exactly the registered codes', () => {
    const documented = [...new Set(doc.match(/PARLEY_E_[A-Z0-9_]+/g) ?? [])].sort();
    expect(documented).toEqual(errorCodes());
  });

  it('every documented code has a table row with its meaning', () => {
    for (const code of errorCodes()) {
      expect(doc, code).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*\\S.*\\|`, 'm'));
    }
  });

  it('every code has an HTTP status, and docs/errors.md shows it in its row', () => {
    for (const code of errorCodes()) {
      const status = errorStatus(code);
      expect(Number.isInteger(status), code).toBe(true);
      expect(status >= 400 && status <= 599, `${code} ${status}`).toBe(true);
      expect(doc, code).toMatch(
        new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|\\s*\\S.*\\|`, 'm'),
      );
    }
  });

  it('faults of the station itself are never client errors', () => {
    for (const code of [
      'PARLEY_E_STATION_CORRUPT',
      'PARLEY_E_STORE_SCHEMA',
      'PARLEY_E_KEY_FILE_MISSING',
      'PARLEY_E_KEY_FILE_PERMISSIONS',
      'PARLEY_E_INTERNAL',
      'PARLEY_E_STORE_UNAVAILABLE',
      'PARLEY_E_STORE_CLOSED',
    ] as const)
      expect(isClientError(code), code).toBe(false);
    expect(Object.keys(ERROR_REGISTRY).length).toBe(errorCodes().length);
  });

  it('codes are stable PARLEY_E_ identifiers with a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^PARLEY_E_[A-Z0-9_]+$/);
      expect(meaning.length).toBeGreaterThan(10);
      expect(meaning).not.toMatch(/\n/);
    }
  });

  it('ParleyError carries its code and details', () => {
    const err = new ParleyError('PARLEY_E_BAD_CHANNEL', 'channel "X" is bad', { value: 'X' });
    expect(isParleyError(err, 'PARLEY_E_BAD_CHANNEL')).toBe(true);
    expect(isParleyError(err, 'PARLEY_E_TEXT_EMPTY')).toBe(false);
    expect(isParleyError(new Error('x'))).toBe(false);
    expect(String(err)).toBe('PARLEY_E_BAD_CHANNEL: channel "X" is bad');
    expect(err.details).toEqual({ value: 'X' });
  });
});
