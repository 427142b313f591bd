// Issue 16: a deeply nested GeoJSON import crashed with an uncoded RangeError (exit 3 in the
// CLI), and a feature dated in the far future was imported and pinned its track.
import { describe, expect, it } from 'vitest';
import { ParleyError } from '@parley/core';
import { parseGeoJsonTracks } from '@parley/geo';

const feature = (time: string, coordinates: unknown = [114, 10]) => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates },
  properties: { id: 'stn:G1', party: 'own', domain: 'surface', sog: 0, cog: 0, time },
});
const doc = (f: unknown) => JSON.stringify({ type: 'FeatureCollection', features: [f] });

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return err instanceof ParleyError ? err.code : `uncoded ${String(err)}`;
  }
}

describe('GeoJSON import bounds', () => {
  it('a deeply nested document is PARLEY_E_TOO_DEEP, not a stack overflow', () => {
    for (const n of [40, 10_000, 200_000]) {
      const deep = `${'['.repeat(n)}${']'.repeat(n)}`;
      const text = doc(feature('2026-01-01T00:00:00Z')).replace('[114,10]', deep);
      expect(codeOf(() => parseGeoJsonTracks(text))).toBe('PARLEY_E_TOO_DEEP');
    }
    // Brackets inside strings do not count.
    expect(
      codeOf(() =>
        parseGeoJsonTracks(doc({ ...feature('2026-01-01T00:00:00Z'), id: '['.repeat(100) })),
      ),
    ).not.toBe('PARLEY_E_TOO_DEEP');
  });

  it('with the clock given, a time more than 5 minutes ahead is PARLEY_E_TRACK_TIME; history is fine', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(
      codeOf(() => parseGeoJsonTracks(doc(feature('275760-09-13T00:00:00Z')), { now })),
    ).not.toBe('accepted');
    expect(codeOf(() => parseGeoJsonTracks(doc(feature('2026-01-01T00:06:00Z')), { now }))).toBe(
      'PARLEY_E_TRACK_TIME',
    );
    expect(codeOf(() => parseGeoJsonTracks(doc(feature('2026-01-01T00:04:00Z')), { now }))).toBe(
      'accepted',
    );
    expect(codeOf(() => parseGeoJsonTracks(doc(feature('2018-09-30T14:02:00Z')), { now }))).toBe(
      'accepted',
    );
  });
});

describe('degenerate areas', () => {
  it('a corridor of near-zero length that breaks the polygon union is PARLEY_E_AREA_MALFORMED, not an uncoded error', async () => {
    const { parseArea } = await import('@parley/geo');
    const area = {
      type: 'corridor',
      points: [
        { lat: 0, lon: 2.2952253848375525e-200 },
        { lat: -1.2982811222264626e-67, lon: 6.383643896667583e-127 },
      ],
      halfWidth: 999.9999999999992,
      unit: 'nm',
    };
    expect(codeOf(() => parseArea(area))).toBe('PARLEY_E_AREA_MALFORMED');
  });
});
