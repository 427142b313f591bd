import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ParleyError, errorCodes, isParleyError } from '@parley/core';

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
