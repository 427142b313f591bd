/**
 * Golden test: every message of every gpsd fixture log, decoded by us, equals what gpsd 3.22's
 * `gpsdecode -j` (scaled) and `gpsdecode -u -j` (unscaled) print, compared as parsed JSON.
 *
 * Allowed differences, each checked rather than skipped:
 * - `device` (gpsdecode's input name) is not ours to print.
 * - Types 6 and 8: only the generic fields (and `data` where gpsd has it) are compared; gpsd
 *   decodes some application payloads (DAC/FI) into fields of their own, which we leave as `data`.
 * - Type 27 scaled: gpsd 3.22 prints the status as text and lat/lon with 1 decimal (the shared
 *   README says not to use these as truth); we print status + status_text and 4 decimals like
 *   newer gpsd (`sample.aivdm.js.chk`). We check 3.22's text and rounding are consistent with ours.
 * - Type 26 `radio`: gpsd never fills it in (always 0); we decode the 20-bit communication state
 *   and check it against an independent reading of the sentence's last 20 bits.
 */
import { describe, expect, it } from 'vitest';
import { AisDecoder } from '@parley/geo';
import type { AisMessage } from '@parley/geo';
import {
  AIS_LOGS,
  fields,
  fixtureLines,
  fixtureText,
  gpsdRecords,
  payloadBitString,
} from './ais-fixtures.js';

/** Messages per log (the same scaled and unscaled). */
const EXPECTED_COUNTS: Record<(typeof AIS_LOGS)[number], number> = {
  'sample.aivdm': 97,
  'daemon/ais-18-27.log': 138,
  'daemon/ais-nmea-type6-fid55.log': 1265,
  'daemon/ais-nmea.log': 166,
  'daemon/ais-raw-messages.log': 108,
  'daemon/ais_unpack_sixbit.log': 12,
};

type Json = Record<string, unknown>;

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

const GENERIC_6 = ['class', 'type', 'repeat', 'mmsi', 'scaled', 'seqno', 'dest_mmsi', 'retransmit'];
const GENERIC_8 = ['class', 'type', 'repeat', 'mmsi', 'scaled'];

function pick(o: Json, keys: readonly string[]): Json {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/** Applies the allowed differences (see the file comment), asserting each one holds. */
function comparable(got: Json, exp: Json, line: string, unscaled: Json | undefined): [Json, Json] {
  if (exp.type === 6 || exp.type === 8) {
    const keys = [...(exp.type === 6 ? GENERIC_6 : GENERIC_8), 'dac', 'fid'];
    if ('data' in exp) keys.push('data');
    else expect(got.data, 'we always give the raw payload').toMatch(/^\d+:[0-9a-f]*$/);
    return [pick(got, keys), pick(exp, keys)];
  }
  if (exp.type === 27 && exp.scaled === true) {
    expect(got.status_text).toBe(exp.status);
    expect(Math.abs((got.lat as number) - (exp.lat as number))).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.abs((got.lon as number) - (exp.lon as number))).toBeLessThanOrEqual(0.05 + 1e-9);
    const raw = unscaled as Json;
    expect(Math.abs((got.lat as number) - (raw.lat as number) / 600)).toBeLessThan(0.00005);
    expect(Math.abs((got.lon as number) - (raw.lon as number) / 600)).toBeLessThan(0.00005);
    return [
      got,
      { ...exp, status: got.status, status_text: got.status_text, lat: got.lat, lon: got.lon },
    ];
  }
  if (exp.type === 26) {
    expect(exp.radio).toBe(0);
    const f = fields(line.trimEnd());
    expect(f[1]).toBe('1');
    const bits = payloadBitString(f[5] ?? '', Number(f[6]));
    expect(got.radio).toBe(parseInt(bits.slice(-20), 2));
    return [got, { ...exp, radio: got.radio }];
  }
  return [got, exp];
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
