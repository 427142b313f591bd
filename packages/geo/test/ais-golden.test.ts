/**
 * Golden test: every message of every gpsd fixture log, decoded by us, equals what gpsd 3.22's
 * `gpsdecode -j` (scaled) and `gpsdecode -u -j` (unscaled) print, compared as parsed JSON under
 * the allowed differences of `ais-compare.ts` (each checked rather than skipped).
 */
import { describe, expect, it } from 'vitest';
import { AisDecoder } from '@parley/geo';
import type { AisMessage } from '@parley/geo';
import { comparable } from './ais-compare.js';
import type { Json } from './ais-compare.js';
import { AIS_LOGS, fixtureLines, fixtureText, gpsdRecords } from './ais-fixtures.js';

/** Messages per log (the same scaled and unscaled). */
const EXPECTED_COUNTS: Record<(typeof AIS_LOGS)[number], number> = {
  'sample.aivdm': 97,
  'daemon/ais-18-27.log': 138,
  'daemon/ais-nmea-type6-fid55.log': 1265,
  'daemon/ais-nmea.log': 166,
  'daemon/ais-raw-messages.log': 108,
  'daemon/ais_unpack_sixbit.log': 12,
};

/** Decodes a log; returns each message (as JSON) with the line that completed it. */
function decodeLog(log: string, scaled: boolean): { msg: Json; line: string }[] {
  const decoder = new AisDecoder({ scaled });
  const out: { msg: Json; line: string }[] = [];
  for (const line of fixtureLines(log)) {
    const m: AisMessage | null = decoder.push(line);
    if (m !== null) out.push({ msg: JSON.parse(JSON.stringify(m)) as Json, line });
  }
  expect(decoder.stats.internal).toBe(0);
  return out;
}

describe.each(AIS_LOGS)('gpsd 3.22 golden output: %s', (log) => {
  const unscaledRun = decodeLog(log, false);

  it.each([false, true])('scaled=%s: every message equals gpsdecode', (scaled) => {
    const run = scaled ? decodeLog(log, true) : unscaledRun;
    const expected = gpsdRecords(log, scaled);
    expect(expected.length).toBe(EXPECTED_COUNTS[log]);
    expect(run.length).toBe(expected.length);
    const got: Json[] = [];
    const exp: Json[] = [];
    run.forEach(({ msg, line }, i) => {
      const [g, e] = comparable(msg, expected[i] as Json, line, unscaledRun[i]?.msg);
      got.push(g);
      exp.push(e);
    });
    expect(got).toEqual(exp);
    console.log(`${log} ${scaled ? 'scaled' : 'unscaled'}: ${run.length} messages compared`);
  });
});

describe('type 27 positions against newer gpsd (sample.aivdm.js.chk)', () => {
  it('match exactly, up to the "manoeuverability" spelling', () => {
    const newer = fixtureText('sample.aivdm.js.chk')
      .split('\n')
      .filter((l) => l.includes('"type":27'))
      .map((l) => JSON.parse(l) as Json)
      .map(({ device: _device, ...rest }) => rest);
    const ours = decodeLog('sample.aivdm', true)
      .map((r) => r.msg)
      .filter((m) => m.type === 27)
      .map((m) => ({
        ...m,
        status_text: String(m.status_text).replace('manoeuverability', 'maneuverability'),
      }));
    expect(newer).toHaveLength(2);
    expect(ours).toEqual(newer);
  });
});

describe('coverage of the fixtures', () => {
  it('decodes every message type 1..27 at least once', () => {
    const types = new Set(
      AIS_LOGS.flatMap((log) => decodeLog(log, false).map((r) => r.msg.type as number)),
    );
    expect([...types].sort((a, b) => a - b)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });
});
