// The track store on real SQLite files: newest report wins per unit, names survive reports
// without one, a second writer on the same file (the CLI beside a running station) is seen by
// polling `since`, and pruning drops old units.
import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { TrackRecord } from '@parley/core';
import { SqliteTrackStore } from '@parley/store';

const T0 = Date.UTC(2018, 8, 30, 14, 2);
const rec = (id: string, at: number, over: Partial<TrackRecord> = {}): TrackRecord => ({
  id,
  name: null,
  party: 'third',
  source: 'ais',
  domain: 'surface',
  lat: 9.9,
  lon: 114.3,
  sog: 12,
  cog: 45,
  heading: null,
  altFt: null,
  vsFpm: null,
  at,
  ...over,
});

async function file(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'parley-tracks-')), 'tracks.sqlite');
}

describe('SqliteTrackStore', () => {
  it('keeps the newest report per unit, whatever order reports arrive in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ unit: fc.integer({ min: 0, max: 5 }), at: fc.nat(1000) }), {
          maxLength: 40,
        }),
        async (reports) => {
          const s = new SqliteTrackStore(':memory:');
          for (const r of reports) s.put([rec(`ais:${r.unit}`, T0 + r.at, { lat: r.at / 100 })]);
          const newest = new Map<string, number>();
          for (const r of reports)
            newest.set(`ais:${r.unit}`, Math.max(newest.get(`ais:${r.unit}`) ?? -1, r.at));
          const held = s.since(0).tracks;
          expect(held.map((t) => [t.id, t.at, t.lat]).sort()).toEqual(
            [...newest].map(([id, at]) => [id, T0 + at, at / 100]).sort(),
          );
          s.close();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('an older report is ignored; a report without a name keeps the known name', async () => {
    const s = new SqliteTrackStore(await file());
    expect(s.put([rec('ais:1', T0 + 10, { name: 'LANZHOU 170' })])).toBe(1);
    expect(s.put([rec('ais:1', T0 + 5, { lat: 1 })])).toBe(0);
    expect(s.put([rec('ais:1', T0 + 20, { lat: 2 })])).toBe(1);
    const [t] = s.since(0).tracks;
    expect(t).toMatchObject({ id: 'ais:1', name: 'LANZHOU 170', lat: 2, at: T0 + 20 });
    s.close();
  });

  it('names a unit without a position report and reports it as changed', async () => {
    const s = new SqliteTrackStore(await file());
    s.put([rec('ais:2', T0)]);
    const v = s.since(0).version;
    expect(s.name([{ id: 'ais:2', name: 'DECATUR' }])).toBe(1);
    expect(s.name([{ id: 'ais:2', name: 'DECATUR' }])).toBe(0);
    const after = s.since(v);
    expect(after.tracks.map((t) => [t.id, t.name])).toEqual([['ais:2', 'DECATUR']]);
    expect(s.since(after.version).tracks).toEqual([]);
    s.close();
  });

  it('a second writer on the same file is seen by polling since(version)', async () => {
    const f = await file();
    const station = new SqliteTrackStore(f);
    const cli = new SqliteTrackStore(f);
    station.put([rec('stn:DDG-73', T0, { party: 'own' })]);
    const v = station.since(0).version;
    cli.put([rec('ais:412000001', T0 + 1), rec('ais:412000002', T0 + 1)]);
    const seen = station.since(v);
    expect(seen.tracks.map((t) => t.id).sort()).toEqual(['ais:412000001', 'ais:412000002']);
    expect(seen.version).toBeGreaterThan(v);
    expect(station.count()).toBe(3);
    station.close();
    cli.close();
  });

  it('prunes units last reported before a time', async () => {
    const s = new SqliteTrackStore(await file());
    s.put([rec('ais:1', T0), rec('ais:2', T0 + 100)]);
    expect(s.prune(T0 + 50)).toBe(1);
    expect(s.since(0).tracks.map((t) => t.id)).toEqual(['ais:2']);
    s.close();
  });

  it('a file that cannot be opened is a coded error', () => {
    expect(() => new SqliteTrackStore('/nonexistent-dir/x/tracks.sqlite')).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_STATION_CORRUPT' }),
    );
  });
});
