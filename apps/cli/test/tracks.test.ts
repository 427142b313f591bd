/**
 * `parley ais ingest`, `parley tracks parties|import|export`: the real bin/parley on a real
 * station directory. Ingested AIS lands in the station's track store with parties from the map
 * and names from static data, and a running station picks it up; GeoJSON round-trips between
 * two stations; bad input is refused with a code and stores nothing.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AisDecoder, aisTrackUpdate } from '@parley/geo';
import type { AisMessage } from '@parley/geo';
import { SqliteTrackStore } from '@parley/store';
import { fixtureLines } from '../../../packages/geo/test/ais-fixtures.js';
import { parley, tempDir } from './helpers.js';

const SAMPLE = fileURLToPath(
  new URL('../../../packages/geo/test/fixtures/ais/sample.aivdm', import.meta.url),
);

async function station(name: string): Promise<string> {
  const dir = join(await tempDir('parley-tracks-cli-'), name);
  const r = await parley(['init', '--data', dir, '--name', name]);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

function tracksOf(dir: string) {
  const s = new SqliteTrackStore(join(dir, 'tracks.sqlite'));
  try {
    return s.since(0).tracks;
  } finally {
    s.close();
  }
}

/** What the sample log should give: units with a valid position, by our own decoder. */
function expected() {
  const d = new AisDecoder();
  const units = new Map<string, { mmsi: number; name: string | null }>();
  const names = new Map<string, string>();
  for (const l of fixtureLines('sample.aivdm')) {
    const m = d.push(l) as AisMessage | null;
    const u = m && aisTrackUpdate(m);
    if (!u) continue;
    if (u.kind === 'name') names.set(u.id, u.name);
    else units.set(u.id, { mmsi: u.mmsi, name: u.name });
  }
  return { units, names };
}

describe('parley ais ingest and parley tracks', () => {
  it('ingests gpsd’s sample log: one track per unit with a position, parties from the map, names from static data', async () => {
    const dir = await station('Alpha');
    const { units, names } = expected();
    const mmsis = [...units.values()].map((u) => String(u.mmsi).padStart(9, '0'));
    const ownMid = mmsis[0]!.slice(0, 3);
    const otherMmsi = mmsis.find((m) => !m.startsWith(ownMid))!;
    const p = await parley([
      'tracks',
      'parties',
      '--data',
      dir,
      '--own',
      ownMid,
      '--other',
      otherMmsi,
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toEqual({ own: [ownMid], other: [otherMmsi] });

    const r = await parley([
      'ais',
      'ingest',
      '--data',
      dir,
      SAMPLE,
      '--time',
      '2018-09-30T14:02:00Z',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^ais ingest: \\d+ lines, \\d+ messages; \\d+ positions and \\d+ names of \\d+ units stored; \\d+ sentences dropped\\n$`,
      ),
    );
    const held = tracksOf(dir);
    expect(held.map((t) => t.id).sort()).toEqual([...units.keys()].sort());
    for (const t of held) {
      const mmsi = t.id.slice(4).padStart(9, '0');
      const party = mmsi === otherMmsi ? 'other' : mmsi.startsWith(ownMid) ? 'own' : 'third';
      expect(t.party, t.id).toBe(party);
      expect(t.at).toBe(Date.UTC(2018, 8, 30, 14, 2));
      expect(t.source).toBe('ais');
      const name = names.get(t.id) ?? units.get(t.id)!.name;
      expect(t.name, t.id).toBe(name);
    }
    expect(held.some((t) => t.name !== null)).toBe(true);
    expect(held.some((t) => t.party === 'own')).toBe(true);
  });

  it('reads standard input, and a running station picks the tracks up', async () => {
    const dir = await station('Bravo');
    const { buildStation } = await import('@parley/station');
    const s = await buildStation({ dataDir: dir, tracks: { tickMs: 50 } });
    try {
      await s.listen({ port: 0 });
      const input = fixtureLines('sample.aivdm').join('\n');
      const r = await parley(['ais', 'ingest', '--data', dir, '-'], { input });
      expect(r.code, r.stderr).toBe(0);
      const n = expected().units.size;
      for (let i = 0; i < 100 && s.tracks.size < n; i++)
        await new Promise((x) => setTimeout(x, 50));
      expect(s.tracks.size).toBe(n);
    } finally {
      await s.close();
    }
  });

  it('GeoJSON export from one station imports into another, unchanged', async () => {
    const from = await station('Charlie');
    const to = await station('Delta');
    expect((await parley(['ais', 'ingest', '--data', from, SAMPLE])).code).toBe(0);
    const ex = await parley(['tracks', 'export', '--data', from]);
    expect(ex.code, ex.stderr).toBe(0);
    const file = join(await tempDir(), 'tracks.geojson');
    await writeFile(file, ex.stdout);
    const im = await parley(['tracks', 'import', '--data', to, file]);
    expect(im.code, im.stderr).toBe(0);
    const byId = (ts: ReturnType<typeof tracksOf>) => ts.sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(tracksOf(to))).toEqual(byId(tracksOf(from)));
  });

  it('refuses bad input with a code and stores nothing', async () => {
    const dir = await station('Echo');
    const bad = await parley(['tracks', 'parties', '--data', dir, '--own', '36,412']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/PARLEY_E_INVALID_ARGUMENT: --own: "36"/);
    const time = await parley(['ais', 'ingest', '--data', dir, SAMPLE, '--time', 'yesterday']);
    expect(time.code).toBe(2);
    expect(time.stderr).toMatch(/PARLEY_E_INVALID_ARGUMENT/);
    const file = join(await tempDir(), 'bad.geojson');
    const good = {
      type: 'Feature',
      id: 'stn:A',
      geometry: { type: 'Point', coordinates: [114.3, 9.9] },
      properties: {
        id: 'stn:A',
        name: null,
        party: 'own',
        domain: 'surface',
        sog: 12,
        cog: 0,
        heading: null,
        altFt: null,
        vsFpm: null,
        time: '2018-09-30T14:02:00.000Z',
        source: 'station',
      },
    };
    const broken = { ...good, id: 'stn:B', geometry: { type: 'Point', coordinates: [114.3, 95] } };
    await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features: [good, broken] }));
    const im = await parley(['tracks', 'import', '--data', dir, file]);
    expect(im.code).toBe(2);
    expect(im.stderr).toMatch(/PARLEY_E_GEOJSON_INVALID/);
    expect(tracksOf(dir)).toEqual([]);
    const none = await parley(['ais', 'ingest', '--data', join(dir, 'nope'), SAMPLE]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/PARLEY_E_STATION_NOT_FOUND/);
  });
});
