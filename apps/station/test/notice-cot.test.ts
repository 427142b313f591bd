// CoT drawing shapes of a notice, read back with @tak-ps/node-cot (the parser TAK tooling uses):
// circle → u-d-c-c with an ellipse of the radius, chart-aligned box → u-d-r, anything else → u-d-f.
import { describe, expect, it } from 'vitest';
import { parseNotice } from '@parley/geo';
import { noticeCot } from '../src/notices/notice-cot.js';

// node-cot publishes its TypeScript sources as its types, which do not compile under this
// repository's strict flags: load it by a string-typed specifier and type the part used.
interface CotFeature {
  properties: {
    type: string;
    callsign: string;
    center?: number[];
    stale: string;
    remarks?: string;
    shape?: { ellipse?: { major: number; minor: number; angle: number } };
  };
  geometry: { type: string; coordinates: unknown };
}
const NODE_COT: string = '@tak-ps/node-cot';
const { default: CoT } = (await import(NODE_COT)) as {
  default: new (xml: string) => { to_geojson(): CotFeature };
};
type CoT = InstanceType<typeof CoT>;

const T0 = Date.UTC(2026, 10, 21);
const H = 3_600_000;

function events(xml: string): CoT[] {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<events>')).toBe(true);
  return [...xml.matchAll(/<event [\s\S]*?<\/event>/g)].map((m) => new CoT(m[0]));
}

describe('notice → CoT drawing shapes', () => {
  const n = parseNotice({
    kind: 'launch',
    issuer: { party: 'Alpha <&>', unit: 'SSBN "1"' },
    areas: [
      {
        role: 'launch',
        area: { type: 'circle', centre: { lat: 19.6, lon: 110.95 }, radius: 5, unit: 'nm' },
      },
      {
        role: 'impact',
        area: {
          type: 'polygon',
          points: [
            { lat: 15, lon: 116 },
            { lat: 15, lon: 117 },
            { lat: 16, lon: 117 },
            { lat: 16, lon: 116 },
          ],
        },
      },
      {
        area: {
          type: 'polygon',
          points: [
            { lat: 10, lon: 179.5 },
            { lat: 10, lon: -179.5 },
            { lat: 11, lon: 180 },
          ],
        },
      },
      {
        role: 'route',
        area: {
          type: 'corridor',
          points: [
            { lat: 9, lon: 113 },
            { lat: 9.5, lon: 116 },
          ],
          halfWidth: 3,
          unit: 'nm',
        },
      },
    ],
    band: { type: 'unlimited' },
    windows: [{ start: T0 + 30 * H, end: T0 + 32 * H }],
    contact: 'theater-ops',
  });
  const xml = noticeCot(n, { uid: 'parley-notice-x', ref: 'ALPHA NTC 4/26', now: T0 });
  const [circle, rect, tri, corridor] = events(xml);

  it('a circle is u-d-c-c with the radius in metres as its ellipse', () => {
    const f = circle!.to_geojson();
    expect(f.properties.type).toBe('u-d-c-c');
    expect(f.properties.shape!.ellipse).toEqual({ major: 9260, minor: 9260, angle: 360 });
    expect(f.properties.center!.slice(0, 2)).toEqual([110.95, 19.6]);
    expect(f.properties.stale).toBe(new Date(T0 + 32 * H).toISOString());
    expect(f.properties.callsign).toBe('ALPHA NTC 4/26 A launch');
  });

  it('a chart-aligned box is a u-d-r rectangle of its four corners', () => {
    const f = rect!.to_geojson();
    expect(f.properties.type).toBe('u-d-r');
    expect(f.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [116, 15],
          [117, 15],
          [117, 16],
          [116, 16],
          [116, 15],
        ],
      ],
    });
    expect(f.properties.remarks).toBe('launch Alpha <&> SSBN "1"');
  });

  it('other polygons and corridors are closed u-d-f shapes; longitudes stay in ±180', () => {
    const t = tri!.to_geojson();
    expect(t.properties.type).toBe('u-d-f');
    expect(t.geometry.type).toBe('Polygon');
    const ring = (t.geometry as { coordinates: number[][][] }).coordinates[0]!;
    expect(ring.map((p) => p[0])).toEqual([179.5, -179.5, 180, 179.5]);
    // Its centre is on the antimeridian, not averaged across the globe to 60°E.
    expect(t.properties.center![0]).toBeCloseTo(180, 6);
    expect(t.properties.center![1]).toBeCloseTo(10 + 1 / 3, 6);
    const c = corridor!.to_geojson();
    expect(c.properties.type).toBe('u-d-f');
    expect(c.geometry.type).toBe('Polygon');
    const cr = (c.geometry as { coordinates: number[][][] }).coordinates[0]!;
    expect(cr.length).toBeGreaterThan(20);
    const lons = cr.map((p) => p[0]!);
    expect(Math.min(...lons)).toBeLessThan(113);
    expect(Math.max(...lons)).toBeGreaterThan(116);
  });

  it('characters XML forbids, in a notice from a peer, are dropped: the document still parses', () => {
    const hostile = parseNotice({
      kind: 'survey',
      issuer: { party: 'Bravo\u0001', unit: 'Unit\u000b "7" <&>' },
      areas: [{ area: { type: 'circle', centre: { lat: 10, lon: 114 }, radius: 2, unit: 'nm' } }],
      band: { type: 'unlimited' },
      windows: [{ start: T0 + 30 * H, end: T0 + 32 * H }],
      contact: 'theater-ops',
    });
    const out = noticeCot(hostile, { uid: 'parley-notice-y', ref: 'BRAVO NTC 1/26', now: T0 });
    expect(out.includes('\u0001') || out.includes('\u000b')).toBe(false);
    const [only] = events(out);
    expect(only!.to_geojson().properties.remarks).toBe('survey Bravo Unit "7" <&>');
  });
});
