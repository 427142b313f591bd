import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { ParleyError, checkTrackTime } from '@parley/core';
import type { TrackRecord } from '@parley/core';
import {
  AisDecoder,
  aisParty,
  aisTrackUpdate,
  parseGeoJsonTracks,
  tracksToGeoJson,
} from '@parley/geo';
import { readStationConfig, SqliteTrackStore, TRACKS_FILE } from '@parley/store';
import { print } from '../output.js';
import { eachLine } from './ais.js';
import { DATA_OPTION } from './station.js';

/** Where the AIS party map lives in the track store's settings. */
export const PARTY_MAP_KEY = 'ais.parties';
/** Reports per transaction of `ais ingest`. */
const BATCH = 5000;

export interface PartyMap {
  own: string[];
  other: string[];
}

/** The track store of the station in `dir` (checked to hold a station). */
export async function openTrackStore(dir: string): Promise<SqliteTrackStore> {
  await readStationConfig(dir);
  return new SqliteTrackStore(join(resolve(dir), TRACKS_FILE));
}

export function readPartyMap(store: SqliteTrackStore): PartyMap {
  const text = store.config(PARTY_MAP_KEY);
  return text ? (JSON.parse(text) as PartyMap) : { own: [], other: [] };
}

/** A comma-separated list of MIDs (3 digits) or MMSIs (9 digits). */
function parseMmsiList(value: string, option: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of items)
    if (!/^(\d{3}|\d{9})$/.test(s))
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `${option}: ${JSON.stringify(s)} is neither a 3-digit MID nor a 9-digit MMSI`,
        { option, value: s },
      );
  return items;
}

export interface IngestSummary {
  lines: number;
  messages: number;
  positions: number;
  names: number;
  units: number;
  dropped: number;
}

/**
 * Decodes AIS sentences from `input` and stores the track updates they carry, in batches:
 * positions as reports timed `time` (AIS carries no date), names as names. Parties come from the
 * map. `onBytes` follows progress.
 */
export async function ingestAis(
  input: Readable,
  store: SqliteTrackStore,
  time: () => number,
  onBytes?: (n: number) => void,
): Promise<IngestSummary> {
  const map = readPartyMap(store);
  const decoder = new AisDecoder();
  let positions: TrackRecord[] = [];
  let names: { id: string; name: string }[] = [];
  const units = new Set<string>();
  const known = new Map<string, string>();
  let nPositions = 0;
  let nNames = 0;
  let bytes = 0;
  const flush = (): void => {
    store.put(positions);
    store.name(names);
    positions = [];
    names = [];
  };
  await eachLine(
    input,
    (line) => {
      const m = decoder.push(line);
      if (m === null) return;
      const u = aisTrackUpdate(m);
      if (u === null) return;
      units.add(u.id);
      if (u.kind === 'name') {
        nNames++;
        known.set(u.id, u.name);
        names.push({ id: u.id, name: u.name });
        return;
      }
      nPositions++;
      positions.push({
        id: u.id,
        name: u.name ?? known.get(u.id) ?? null,
        party: aisParty(u.mmsi, map),
        source: 'ais',
        domain: u.domain,
        lat: u.lat,
        lon: u.lon,
        sog: u.sog,
        cog: u.cog,
        heading: u.heading,
        altFt: u.altFt,
        vsFpm: null,
        at: time(),
      });
    },
    async (chars) => {
      bytes += chars;
      onBytes?.(bytes);
      if (positions.length + names.length >= BATCH) flush();
      return false;
    },
  );
  flush();
  const s = decoder.stats;
  const dropped = s.checksum + s.armor + s.length + s.orphan + s.malformed + s.type + s.unpaired;
  return {
    lines: s.lines,
    messages: s.decoded,
    positions: nPositions,
    names: nNames,
    units: units.size,
    dropped,
  };
}

function parseTime(value: string | undefined): () => number {
  if (value === undefined) return () => Date.now();
  const t = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(value) || Number.isNaN(t))
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `--time ${JSON.stringify(value)} is not a UTC time like 2018-09-30T14:02:00Z`,
      { value },
    );
  // AIS carries no date: a --time in the future would pin every unit it names.
  checkTrackTime(t, Date.now());
  return () => t;
}

/** `parley ais ingest`: registered under the `ais` command. */
export function registerAisIngest(ais: Command): void {
  ais
    .command('ingest')
    .description(
      "feed AIS sentences (a file, or standard input) into a station's track picture: position " +
        'reports become tracks (party from `parley tracks parties`), static data names them; a ' +
        'running station picks them up within a second',
    )
    .option(...DATA_OPTION)
    .argument('[file]', 'NMEA log to read (default: standard input; "-" too)')
    .option('--time <utc>', 'report time for every position (AIS carries no date); default now')
    .action(async (file: string | undefined, opts: { data: string; time?: string }) => {
      const time = parseTime(opts.time);
      const store = await openTrackStore(opts.data);
      const fromFile = file !== undefined && file !== '-';
      let bar: SingleBar | undefined;
      try {
        let input: Readable = process.stdin;
        if (fromFile) {
          const { createReadStream } = await import('node:fs');
          const size = await stat(file).then(
            (s) => s.size,
            (err: unknown) => {
              throw new ParleyError(
                'PARLEY_E_INVALID_ARGUMENT',
                `cannot read ${file}: ${(err as Error).message}`,
                { file },
              );
            },
          );
          input = createReadStream(file, { highWaterMark: 64 * 1024 });
          if (process.stderr.isTTY) {
            bar = new SingleBar({
              stream: process.stderr,
              format: 'ingesting [{bar}] {percentage}% {value}/{total} bytes',
              hideCursor: true,
            });
            bar.start(size, 0);
          }
        }
        const s = await ingestAis(input, store, time, (n) => bar?.update(n));
        bar?.stop();
        print(
          `ais ingest: ${s.lines} lines, ${s.messages} messages; ${s.positions} positions and ` +
            `${s.names} names of ${s.units} units stored; ${s.dropped} sentences dropped`,
        );
      } finally {
        bar?.stop();
        store.close();
      }
    });
}

export function registerTrackCommands(program: Command): void {
  const tracks = program
    .command('tracks')
    .description("a station's track picture: party map, GeoJSON import and export");

  tracks
    .command('parties')
    .description(
      'set or show which AIS units belong to this station (own) and to the other party: lists ' +
        'of 3-digit MIDs (flag states) or 9-digit MMSIs; everything else is a third party',
    )
    .option(...DATA_OPTION)
    .option('--own <list>', 'comma-separated MIDs or MMSIs of own units')
    .option('--other <list>', "comma-separated MIDs or MMSIs of the other party's units")
    .action(async (opts: { data: string; own?: string; other?: string }) => {
      const store = await openTrackStore(opts.data);
      try {
        const map = readPartyMap(store);
        if (opts.own !== undefined) map.own = parseMmsiList(opts.own, '--own');
        if (opts.other !== undefined) map.other = parseMmsiList(opts.other, '--other');
        if (opts.own !== undefined || opts.other !== undefined)
          store.setConfig(PARTY_MAP_KEY, JSON.stringify(map));
        print(JSON.stringify(map));
      } finally {
        store.close();
      }
    });

  tracks
    .command('import')
    .description(
      'import tracks from a GeoJSON FeatureCollection of points (as `tracks export` writes); ' +
        'all or nothing: one bad feature refuses the file, naming it',
    )
    .option(...DATA_OPTION)
    .argument('<file>', 'GeoJSON file')
    .action(async (file: string, opts: { data: string }) => {
      const text = await readFile(file, 'utf8').catch((err: unknown) => {
        throw new ParleyError(
          'PARLEY_E_INVALID_ARGUMENT',
          `cannot read ${file}: ${(err as Error).message}`,
          { file },
        );
      });
      const parsed = parseGeoJsonTracks(text, { now: Date.now() });
      const store = await openTrackStore(opts.data);
      try {
        const changed = store.put(parsed);
        print(`tracks import: ${parsed.length} tracks read, ${changed} stored`);
      } finally {
        store.close();
      }
    });

  tracks
    .command('export')
    .description('print the track picture (latest report per unit) as GeoJSON')
    .option(...DATA_OPTION)
    .action(async (opts: { data: string }) => {
      const store = await openTrackStore(opts.data);
      try {
        print(JSON.stringify(tracksToGeoJson(store.since(0).tracks)));
      } finally {
        store.close();
      }
    });
}
