import { describe, expect, it } from 'vitest';
import { ParleyError, errorCodes, errorStatus } from '@parley/core';
import { httpError } from '@parley/station';

describe('httpError', () => {
  it('answers every code with the status beside it in the registry', () => {
    for (const code of errorCodes()) {
      const { status, body } = httpError(new ParleyError(code, 'x'));
      expect(status, code).toBe(errorStatus(code));
      expect(body.code).toBe(code);
    }
  });

  it("a station fault is a 5xx, not the operator's mistake", () => {
    expect(
      httpError(new ParleyError('PARLEY_E_STATION_CORRUPT', 'station.json unreadable')).status,
    ).toBe(500);
    expect(httpError(new ParleyError('PARLEY_E_STORE_SCHEMA', 'schema 9 > 3')).status).toBe(500);
    expect(httpError(new ParleyError('PARLEY_E_KEY_FILE_MISSING', 'no key')).status).toBe(500);
  });

  it('anything uncoded is 500 PARLEY_E_INTERNAL with no detail', () => {
    const r = httpError(
      new SyntaxError('Unexpected token } in JSON at position 3 (stored row 17)'),
    );
    expect(r).toEqual({
      status: 500,
      body: { code: 'PARLEY_E_INTERNAL', message: 'internal error' },
    });
  });
});
