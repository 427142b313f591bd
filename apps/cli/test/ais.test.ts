/**
 * `parley ais decode`: the real bin/parley on every gpsd fixture log, scaled and `--unscaled`,
 * compared line by line with gpsd 3.22's `gpsdecode -j` / `gpsdecode -u -j` output under the
 * golden test's rules (packages/geo/test/ais-compare.ts); and hostile input.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AisDecoder } from '@parley/geo';
import type { AisStats } from '@parley/geo';
import { comparable } from '../../../packages/geo/test/ais-compare.js';
import type { Json } from '../../../packages/geo/test/ais-compare.js';
import {
  AIS_LOGS,
  allSentences,
  fixtureLines,
  gpsdRecords,
  sentence,
} from '../../../packages/geo/test/ais-fixtures.js';
import { parley, tempDir } from './helpers.js';

const fixture = (log: string): string =>
  fileURLToPath(new URL(`../../../packages/geo/test/fixtures/ais/${log}`, import.meta.url));

const SUMMARY =
  /^ais decode: (\d+) lines, (\d+) sentences, (\d+) messages; dropped (\d+): checksum=(\d+) armor=(\d+) length=(\d+) orphan=(\d+) malformed=(\d+) type=(\d+) unpaired=(\d+); ignored=(\d+) partial=(\d+) internal=0\n$/;

function jsonLines(stdout: string): Json[] {
  expect(stdout === '' || stdout.endsWith('\n')).toBe(true);
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

/** The library's run over a log: each message's JSON line and the line that completed it. */
function library(log: string, scaled: boolean): { json: string; line: string }[] {
  const d = new AisDecoder({ scaled });
  const out: { json: string; line: string }[] = [];
  for (const line of fixtureLines(log)) {
    const m = d.push(line);
    if (m !== null) out.push({ json: JSON.stringify(m), line });
  }
  return out;
}

describe.each(AIS_LOGS)('parley ais decode %s', (log) => {
  it('prints what gpsdecode -j and gpsdecode -u -j print, one JSON object per line', async () => {
    const [scaledRun, unscaledRun] = await Promise.all([
      parley(['ais', 'decode', fixture(log)]),
      parley(['ais', 'decode', '--unscaled', fixture(log)]),
    ]);
    for (const r of [scaledRun, unscaledRun]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(SUMMARY);
    }
    const unscaled = jsonLines(unscaledRun.stdout);
    for (const [run, scaled] of [
      [scaledRun, true],
      [unscaledRun, false],
    ] as const) {
      const got = jsonLines(run.stdout);
      const expected = gpsdRecords(log, scaled);
      const lib = library(log, scaled);
      expect(got.length).toBe(expected.length);
      // The CLI prints exactly what the library returns, serialised.
      expect(run.stdout).toBe(lib.map((r) => r.json + '\n').join(''));
      const g: Json[] = [];
      const e: Json[] = [];
      got.forEach((msg, i) => {
        const [a, b] = comparable(msg, expected[i] as Json, lib[i]?.line ?? '', unscaled[i]);
        g.push(a);
        e.push(b);
      });
      expect(g).toEqual(e);
    }
  });
});

describe('parley ais decode: input handling', () => {
  it('reads standard input, and the summary counts what the library counts', async () => {
    const log = 'daemon/ais-nmea.log';
    const text = fixtureLines(log).join('\n');
    const r = await parley(['ais', 'decode', '--stats'], { input: text });
    expect(r.code, r.stderr).toBe(0);
    const d = new AisDecoder();
    // The text ends with a newline: a file of n lines, not n + 1 with an empty last one.
    for (const line of fixtureLines(log).slice(0, -1)) d.push(line);
    expect(JSON.parse(r.stderr) as AisStats).toEqual(d.stats);
    expect(jsonLines(r.stdout)).toHaveLength(d.stats.decoded);
  });

  it('CRLF and lone CR line endings decode the same messages as LF', async () => {
    const lines = fixtureLines('daemon/ais-18-27.log');
    const lf = await parley(['ais', 'decode'], { input: lines.join('\n') });
    const crlf = await parley(['ais', 'decode'], { input: lines.join('\r\n') });
    const cr = await parley(['ais', 'decode'], { input: lines.join('\r') });
    expect(lf.stdout.split('\n').length).toBeGreaterThan(100);
    for (const r of [crlf, cr]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(lf.stdout);
    }
  });

  it('hostile input (random bytes, 1 MB lines, CRLF) exits 0 and reports the counts', async () => {
    const dir = await tempDir('parley-ais-');
    let seed = 7;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const noise = Buffer.from(Array.from({ length: 200_000 }, rand));
    const good = allSentences().slice(0, 60);
    const expected = new AisDecoder();
    for (const line of good) expected.push(line);
    const ok = sentence('AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0');
    const bad = [
      ok.slice(0, -2) + (ok.endsWith('00') ? '01' : '00'), // checksum
      sentence('AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D~,0'), // armor: '~'
      sentence('AIVDM,1,1,,A,13u?et,0'), // length: a 36-bit type 1
      sentence('AIVDM,2,2,3,B,00000000000,2'), // orphan: part 2 of 2 without part 1
    ];
    const file = join(dir, 'hostile.nmea');
    await writeFile(
      file,
      Buffer.concat([
        noise,
        Buffer.from('\n!AIVDM,1,1,,A,' + 'x'.repeat(1 << 20) + '\r\n'), // a 1 MB sentence
        Buffer.from('x'.repeat(1 << 20) + '\r\n'), // a 1 MB line of junk
        Buffer.from([...bad, ...good].join('\r\n') + '\r\n'),
        noise.subarray(0, 5000),
      ]),
    );
    const r = await parley(['ais', 'decode', '--stats', file]);
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stderr) as AisStats;
    const e = expected.stats;
    expect(stats.internal).toBe(0);
    expect(stats.decoded).toBe(e.decoded);
    expect(jsonLines(r.stdout)).toHaveLength(e.decoded);
    expect(stats.checksum).toBe(e.checksum + 1);
    expect(stats.armor).toBe(e.armor + 1);
    expect(stats.length).toBe(e.length + 1);
    expect(stats.orphan).toBe(e.orphan + 1);
    expect(stats.malformed).toBeGreaterThanOrEqual(e.malformed + 2);
    const text = await parley(['ais', 'decode', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(r.stdout);
    const m = SUMMARY.exec(text.stderr);
    expect(m?.slice(5, 9).map(Number)).toEqual([
      stats.checksum,
      stats.armor,
      stats.length,
      stats.orphan,
    ]);
  });

  it('an unreadable input file is a coded error, exit 2', async () => {
    const dir = await tempDir('parley-ais-');
    for (const path of [join(dir, 'missing.nmea'), dir]) {
      const r = await parley(['ais', 'decode', path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('PARLEY_E_INVALID_ARGUMENT');
      expect(r.stdout).toBe('');
    }
  });
});
