/**
 * Helpers shared by the AIS tests: the gpsd fixture files (see fixtures/ais/README.md) and
 * NMEA sentence builders.
 */
import { readFileSync } from 'node:fs';

/** The fixture logs, each with gpsd 3.22's `-j` and `-u -j` output beside it. */
export const AIS_LOGS = [
  'sample.aivdm',
  'daemon/ais-18-27.log',
  'daemon/ais-nmea-type6-fid55.log',
  'daemon/ais-nmea.log',
  'daemon/ais-raw-messages.log',
  'daemon/ais_unpack_sixbit.log',
] as const;

const root = new URL('./fixtures/ais/', import.meta.url);

/** A fixture file's text (latin1: the logs are bytes, not necessarily UTF-8). */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, root), 'latin1');
}

/** The lines of a fixture log, as a feed would deliver them. */
export function fixtureLines(name: string): string[] {
  return fixtureText(name).split('\n');
}

/** gpsd's JSON records for a log: AIS records only, `device` removed. */
export function gpsdRecords(name: string, scaled: boolean): Record<string, unknown>[] {
  const file = `${name}${scaled ? '.gpsdecode.json' : '.gpsdecode.unscaled.json'}`;
  return fixtureText(file)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o.class === 'AIS')
    .map(({ device: _device, ...rest }) => rest);
}

/** Every VDM/VDO sentence line of every fixture log. */
export function allSentences(): string[] {
  return AIS_LOGS.flatMap((f) => fixtureLines(f)).filter((l) => l.startsWith('!'));
}

/** NMEA checksum of the text between `!`/`$` and `*`, as two upper-case hex digits. */
export function nmeaChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum ^= body.charCodeAt(i);
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

/** A sentence `!<body>*hh` with a correct checksum. */
export function sentence(body: string): string {
  return `!${body}*${nmeaChecksum(body)}`;
}

/** The fields of a fixture sentence: [address, count, number, seq, channel, payload, fill]. */
export function fields(line: string): string[] {
  const star = line.indexOf('*');
  return line.slice(1, star).split(',');
}

/** Rebuilds a sentence with some fields replaced, and a correct checksum. */
export function withFields(line: string, patch: Partial<Record<number, string>>): string {
  const f = fields(line);
  for (const [i, v] of Object.entries(patch)) if (v !== undefined) f[Number(i)] = v;
  return sentence(f.join(','));
}

/**
 * The sentences of complete messages in a log: runs of fragments 1..n with the same channel and
 * sequence id, in order.
 */
export function messageGroups(lines: readonly string[]): string[][] {
  const groups: string[][] = [];
  let run: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('!')) continue;
    const f = fields(line.trimEnd());
    const count = Number(f[1]);
    const number = Number(f[2]);
    if (number === 1) run = [];
    run.push(line.trimEnd());
    if (number === count) {
      if (run.length === count) groups.push(run);
      run = [];
    }
  }
  return groups;
}

/** Independent reference for a payload's bits, as a '0'/'1' string (slow on purpose). */
export function payloadBitString(payload: string, fill: number): string {
  let s = '';
  for (const ch of payload) {
    let v = ch.charCodeAt(0) - 48;
    if (v > 40) v -= 8;
    s += v.toString(2).padStart(6, '0');
  }
  return s.slice(0, s.length - fill);
}
