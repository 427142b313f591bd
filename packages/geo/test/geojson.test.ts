/**
 * GeoJSON tracks: the exported shape by hand, export → text → import as identity on random
 * tracks, and hostile collections: every single bad field is a coded error naming the feature and
 * the field, random values never throw anything else, and sizes are bounded before any work.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isParleyError, parsePolicyText, parseTrackReport } from '@parley/core';
import { geoJsonToTracks, parseGeoJsonTracks, tracksToGeoJson } from '@parley/geo';
import type { GeoJsonImportOptions, GeoJsonTrack } from '@parley/geo';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);

const ship: GeoJsonTrack = {
  id: 'ais:412345678',
  name: 'HAI XUN 06',
  party: 'other',
  source: 'ais',
  domain: 'surface',
  lat: 16.5,
  lon: 112.25,
  sog: 14.2,
  cog: 231,
  heading: 229,
  altFt: null,
  vsFpm: null,
  at: T0 + 123,
};
const plane: GeoJsonTrack = {
  id: 'cot:ANDROID-7f',
  name: null,
  party: 'own',
  source: 'cot',
  domain: 'air',
  lat: -33.9,
  lon: -180,
  sog: 310,
  cog: 360,
  heading: null,
  altFt: 24_000,
  vsFpm: -1500,
  at: T0,
};

/** The error a call throws (fails the test if it returns). */
function thrown(f: () => unknown): { code: string; details: Record<string, unknown> } {
  try {
    f();
  } catch (err) {
    if (isParleyError(err)) return { code: err.code, details: { ...err.details } };
    throw err;
  }
  throw new Error('expected a ParleyError, got a result');
}

function collection(...features: unknown[]): unknown {
  return { type: 'FeatureCollection', features };
}

function feature(t: GeoJsonTrack = ship): Record<string, unknown> {
  return JSON.parse(JSON.stringify(tracksToGeoJson([t]).features[0])) as Record<string, unknown>;
}

describe('geojson: export', () => {
  it('writes Point features with the track properties and an ISO 8601 UTC time', () => {
    expect(tracksToGeoJson([ship, plane])).toEqual({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          id: 'ais:412345678',
          geometry: { type: 'Point', coordinates: [112.25, 16.5] },
          properties: {
            id: 'ais:412345678',
            name: 'HAI XUN 06',
            party: 'other',
            domain: 'surface',
            sog: 14.2,
            cog: 231,
            heading: 229,
            altFt: null,
            vsFpm: null,
            time: '2025-06-01T08:00:00.123Z',
            source: 'ais',
          },
        },
        {
          type: 'Feature',
          id: 'cot:ANDROID-7f',
          geometry: { type: 'Point', coordinates: [-180, -33.9] },
          properties: {
            id: 'cot:ANDROID-7f',
            name: null,
            party: 'own',
            domain: 'air',
            sog: 310,
            cog: 360,
            heading: null,
            altFt: 24000,
            vsFpm: -1500,
            time: '2025-06-01T08:00:00.000Z',
            source: 'cot',
          },
        },
      ],
    });
  });

  it('extra fields of a served track are left out; the result imports back', () => {
    const served = { ...ship, stale: false, extra: 1 };
    const fc1 = tracksToGeoJson([served]);
    expect(Object.keys(fc1.features[0]!.properties)).not.toContain('stale');
    expect(parseGeoJsonTracks(JSON.stringify(fc1))).toEqual([ship]);
  });

  it('refuses a track it could not import back, naming its index', () => {
    expect(thrown(() => tracksToGeoJson([ship, { ...plane, lat: NaN }]))).toEqual({
      code: 'PARLEY_E_GEOJSON_INVALID',
      details: { index: 1, field: 'geometry.coordinates[1]', value: NaN },
    });
    expect(thrown(() => tracksToGeoJson([ship, { ...ship }])).details).toMatchObject({
      index: 1,
      field: 'properties.id',
    });
    expect(thrown(() => tracksToGeoJson([{ ...ship, at: 1.5 }])).details).toMatchObject({
      field: 'properties.time',
    });
    expect(thrown(() => tracksToGeoJson([{ ...ship, at: Infinity }])).details).toMatchObject({
      field: 'properties.time',
    });
  });
});

describe('geojson: import', () => {
  it('reads what other tools write: 3D coordinates, no Feature id, absent optionals', () => {
    const f = {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [120.5, 24.25, 12.5] },
      properties: {
        id: 'stn:DDG-89',
        party: 'own',
        domain: 'surface',
        sog: 0,
        cog: 0,
        time: '2025-06-01T08:00:00Z',
      },
    };
    expect(geoJsonToTracks(collection(f))).toEqual([
      {
        id: 'stn:DDG-89',
        name: null,
        party: 'own',
        source: 'geojson',
        domain: 'surface',
        lat: 24.25,
        lon: 120.5,
        sog: 0,
        cog: 0,
        heading: null,
        altFt: null,
        vsFpm: null,
        at: T0,
      },
    ]);
  });

  it('resolves a report as the station API does: −180° → 180°, 360° → 0°, names trimmed, no surface altitude', () => {
    const f = {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [-180, 10] },
      properties: {
        id: 'stn:DDG-89',
        name: '  DECATUR ',
        party: 'own',
        domain: 'surface',
        sog: 12,
        cog: 360,
        altFt: 40,
        time: '2025-06-01T08:00:00Z',
      },
    };
    const [t] = geoJsonToTracks(collection(f));
    expect(t).toMatchObject({ lon: 180, cog: 0, name: 'DECATUR', altFt: null });
    const { time: _time, ...p } = f.properties;
    expect(t).toEqual(parseTrackReport({ ...p, lat: 10, lon: -180, time: T0 }, T0, 'geojson'));
  });

  it('an empty collection is no tracks', () => {
    expect(parseGeoJsonTracks('{"type":"FeatureCollection","features":[]}')).toEqual([]);
  });

  const cases: [string, (f: Record<string, unknown>) => void, string][] = [
    ['missing geometry', (f) => delete f.geometry, 'geometry'],
    ['null geometry', (f) => (f.geometry = null), 'geometry'],
    [
      'a LineString',
      (f) => (f.geometry = { type: 'LineString', coordinates: [[1, 2]] }),
      'geometry.type',
    ],
    [
      'one coordinate',
      (f) => (f.geometry = { type: 'Point', coordinates: [1] }),
      'geometry.coordinates',
    ],
    [
      'lon out of range',
      (f) => (f.geometry = { type: 'Point', coordinates: [180.5, 1] }),
      'geometry.coordinates[0]',
    ],
    [
      'lat out of range',
      (f) => (f.geometry = { type: 'Point', coordinates: [1, -91] }),
      'geometry.coordinates[1]',
    ],
    [
      'lat a string',
      (f) => (f.geometry = { type: 'Point', coordinates: [1, '2'] }),
      'geometry.coordinates[1]',
    ],
    [
      'altitude NaN',
      (f) => (f.geometry = { type: 'Point', coordinates: [1, 2, NaN] }),
      'geometry.coordinates[2]',
    ],
    ['not a Feature', (f) => (f.type = 'feature'), 'type'],
    ['properties null', (f) => (f.properties = null), 'properties'],
    ['Feature id differs', (f) => (f.id = 'ais:1'), 'id'],
  ];
  for (const [what, mutate, field] of cases) {
    it(`refuses ${what} (field ${field})`, () => {
      const f = feature();
      mutate(f);
      const err = thrown(() => geoJsonToTracks(collection(feature(plane), f)));
      expect(err.code).toBe('PARLEY_E_GEOJSON_INVALID');
      expect(err.details).toMatchObject({ index: 1, field });
    });
  }

  it('times must be ISO 8601 UTC calendar times, to the millisecond, from 1970', () => {
    for (const time of [
      '2025-02-29T00:00:00Z',
      '2025-06-01T24:00:00Z',
      '2025-06-01T08:00:00+02:00',
      '2025-06-01T08:00:00',
      '2025-06-01T08:00:00.1234Z',
      '1969-12-31T23:59:59Z',
      '2025-06-01',
      1748764800000,
    ]) {
      const f = feature();
      (f.properties as Record<string, unknown>).time = time;
      expect(thrown(() => geoJsonToTracks(collection(f))).details).toMatchObject({
        index: 0,
        field: 'properties.time',
      });
    }
    const f = feature();
    (f.properties as Record<string, unknown>).time = '2024-02-29T23:59:59.5Z';
    expect(geoJsonToTracks(collection(f))[0]!.at).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 500));
  });

  it('refuses repeated ids and unknown properties (unless told to ignore them)', () => {
    expect(thrown(() => geoJsonToTracks(collection(feature(), feature()))).details).toMatchObject({
      index: 1,
      field: 'properties.id',
    });
    const f = feature();
    (f.properties as Record<string, unknown>)['marker-color'] = '#ff0000';
    expect(thrown(() => geoJsonToTracks(collection(f))).details).toMatchObject({
      field: 'properties.marker-color',
    });
    expect(geoJsonToTracks(collection(f), { ignoreUnknown: true })).toEqual([ship]);
  });

  it('bad JSON and non-collections are coded errors', () => {
    expect(thrown(() => parseGeoJsonTracks('{"type":')).code).toBe('PARLEY_E_GEOJSON_INVALID');
    for (const v of [null, 7, 'x', [], { type: 'Feature' }, { type: 'FeatureCollection' }]) {
      expect(thrown(() => geoJsonToTracks(v)).code).toBe('PARLEY_E_GEOJSON_INVALID');
    }
  });

  it('sizes are bounded before any feature is looked at', () => {
    // A sparse array: no feature exists, so only the length check can answer.
    const huge = { type: 'FeatureCollection', features: new Array<unknown>(100_001) };
    expect(thrown(() => geoJsonToTracks(huge))).toEqual({
      code: 'PARLEY_E_GEOJSON_TOO_LARGE',
      details: { features: 100_001, max: 100_000 },
    });
    const opts: GeoJsonImportOptions = { maxFeatures: 2, maxChars: 2000 };
    const three = JSON.stringify(collection(feature(ship), feature(plane), feature(ship)));
    expect(thrown(() => parseGeoJsonTracks(three, { maxFeatures: 2 })).code).toBe(
      'PARLEY_E_GEOJSON_TOO_LARGE',
    );
    expect(thrown(() => parseGeoJsonTracks(' '.repeat(2001) + '{}', opts)).details).toEqual({
      chars: 2003,
      max: 2000,
    });
  });
});

// ---- properties ----

const finite = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));

function policyName(name: string): boolean {
  if (name.trim() === '') return true;
  try {
    parsePolicyText(name, { field: 'name', max: 64 });
    return true;
  } catch {
    return false;
  }
}

const trackArb: fc.Arbitrary<GeoJsonTrack> = fc
  .record({
    prefix: fc.constantFrom('ais', 'cot', 'stn', 'geojson'),
    local: fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
    name: fc.option(fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }), { nil: null }),
    party: fc.constantFrom(...(['own', 'other', 'third'] as const)),
    source: fc.constantFrom(...(['ais', 'cot', 'geojson', 'station'] as const)),
    domain: fc.constantFrom(...(['surface', 'air'] as const)),
    lat: finite(-90, 90),
    lon: finite(-180, 180),
    sog: finite(0, 2000),
    cog: finite(0, 360),
    heading: fc.option(finite(0, 360), { nil: null }),
    altFt: fc.option(finite(-2000, 100_000), { nil: null }),
    vsFpm: fc.option(finite(-60_000, 60_000), { nil: null }),
    at: fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
  })
  // Names follow the text policy (core text-policy.ts): draws it refuses are not tracks.
  .filter((t) => t.name === null || (t.name.length <= 64 && policyName(t.name)))
  // As the station holds tracks: resolved by core (−180° as 180°, 360° as 0°, names trimmed).
  .map(({ prefix, local, at, ...t }) =>
    parseTrackReport({ id: `${prefix}:${local}`, ...t, time: at }, at),
  );

const tracksArb = fc.uniqueArray(trackArb, { selector: (t) => t.id, maxLength: 30 });

/** A field of a feature and a value that is wrong for it. */
const badField = fc.oneof(
  fc.record({
    field: fc.constant('geometry.coordinates[0]'),
    value: fc.oneof(fc.constant(NaN), fc.constant(Infinity), finite(180.000001, 1e9), fc.string()),
  }),
  fc.record({
    field: fc.constant('geometry.coordinates[1]'),
    value: fc.oneof(
      fc.constant(-Infinity),
      finite(-1e9, -90.000001),
      fc.boolean(),
      fc.constant(null),
    ),
  }),
  ...(
    [
      ['sog', -1e9, -0.000001],
      ['cog', 360.000001, 1e9],
      ['heading', -1e6, -0.0001],
      ['altFt', 100_000.5, 1e12],
      ['vsFpm', -1e9, -60_000.5],
    ] as const
  ).map(([k, lo, hi]) =>
    fc.record({
      field: fc.constant(`properties.${k}`),
      value: fc.oneof(finite(lo, hi), fc.constant(NaN), fc.string(), fc.array(fc.integer())),
    }),
  ),
  fc.record({
    field: fc.constant('properties.party'),
    value: fc.oneof(fc.constantFrom('OWN', 'enemy', ''), fc.integer(), fc.constant(undefined)),
  }),
  fc.record({
    field: fc.constant('properties.domain'),
    value: fc.oneof(fc.constantFrom('land', 'sub', 'AIR'), fc.constant(undefined)),
  }),
  fc.record({
    field: fc.constant('properties.id'),
    value: fc.oneof(fc.constantFrom('412345678', 'AIS:1', 'ais:', 'ais:a b', ''), fc.integer()),
  }),
  fc.record({
    field: fc.constant('properties.name'),
    value: fc.oneof(fc.constant(''), fc.integer(), fc.constant('x'.repeat(65))),
  }),
  fc.record({
    field: fc.constant('properties.time'),
    value: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
  }),
  fc.record({
    field: fc.constant('properties.source'),
    value: fc.oneof(fc.constantFrom('radar', 'AIS'), fc.integer()),
  }),
);

function setField(f: Record<string, unknown>, field: string, value: unknown): void {
  if (field.startsWith('geometry.coordinates[')) {
    const i = Number(field.at(-2));
    ((f.geometry as Record<string, unknown>).coordinates as unknown[])[i] = value;
    return;
  }
  const key = field.slice('properties.'.length);
  const p = f.properties as Record<string, unknown>;
  if (value === undefined) delete p[key];
  else p[key] = value;
  if (key === 'id') delete f.id;
}

describe('geojson: properties', () => {
  it('export → text → import is the identity', () => {
    fc.assert(
      fc.property(tracksArb, (tracks) => {
        const text = JSON.stringify(tracksToGeoJson(tracks));
        expect(parseGeoJsonTracks(text)).toEqual(tracks);
      }),
      { numRuns: 300 },
    );
  });

  it('one bad field anywhere: a coded error naming that feature and field, nothing returned', () => {
    fc.assert(
      fc.property(
        tracksArb.filter((ts) => ts.length > 0),
        fc.nat(),
        badField,
        (tracks, pick, bad) => {
          const doc = JSON.parse(JSON.stringify(tracksToGeoJson(tracks))) as {
            features: Record<string, unknown>[];
          };
          const index = pick % tracks.length;
          // A bad string time could still be valid ISO: skip those draws.
          fc.pre(
            !(
              bad.field === 'properties.time' &&
              typeof bad.value === 'string' &&
              /Z$/.test(bad.value)
            ),
          );
          setField(doc.features[index]!, bad.field, bad.value);
          const err = thrown(() => geoJsonToTracks(doc));
          expect(err.code).toBe('PARLEY_E_GEOJSON_INVALID');
          expect(err.details).toMatchObject({ index, field: bad.field });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random values and random text never throw anything but a coded error', () => {
    const nearly = fc.record({
      type: fc.constantFrom('FeatureCollection', 'Feature', 7),
      features: fc.oneof(
        fc.array(fc.anything()),
        fc.array(
          fc.record({
            type: fc.constantFrom('Feature', 'Point'),
            id: fc.anything(),
            geometry: fc.oneof(
              fc.anything(),
              fc.record({ type: fc.constant('Point'), coordinates: fc.array(fc.anything()) }),
            ),
            properties: fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
          }),
        ),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), nearly), (v) => {
        try {
          geoJsonToTracks(v);
        } catch (err) {
          expect(isParleyError(err, 'PARLEY_E_GEOJSON_INVALID')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          parseGeoJsonTracks(text);
        } catch (err) {
          expect(isParleyError(err, 'PARLEY_E_GEOJSON_INVALID')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
