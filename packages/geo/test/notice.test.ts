import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isParleyError, formatDtg, DEFAULT_LEAD_MS } from '@parley/core';
import type { HotlineEntry, NoticeKind } from '@parley/core';
import {
  NoticeFolder,
  noticeGeoJson,
  noticeStatus,
  parseNotice,
  renderCancellation,
  renderNotice,
} from '@parley/geo';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 0, 0);

const boxPoints = (s: number, w: number, n: number, e: number) => [
  { lat: s, lon: w },
  { lat: s, lon: e },
  { lat: n, lon: e },
  { lat: n, lon: w },
];

export function sample(over: Record<string, unknown> = {}) {
  return {
    kind: 'live-fire',
    issuer: { party: 'Alpha', unit: 'DDG 89' },
    areas: [{ area: { type: 'polygon', points: boxPoints(10, 114, 11, 115) } }],
    band: { type: 'altitude', lowerFt: 0, upperFt: 25000 },
    windows: [{ start: T0 + 72 * H, end: T0 + 80 * H }],
    remark: 'Vessels are requested to keep clear.',
    contact: 'channel theater-ops',
    ...over,
  };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('parseNotice', () => {
  it('accepts a notice and sorts its windows', () => {
    const n = parseNotice(
      sample({
        windows: [
          { start: T0 + 100 * H, end: T0 + 101 * H },
          { start: T0 + 72 * H, end: T0 + 80 * H },
        ],
      }),
    );
    expect(n.windows.map((w) => w.start)).toEqual([T0 + 72 * H, T0 + 100 * H]);
    expect(n.areas[0]!.role).toBeNull();
  });

  it('refuses a window ending before it starts, bad kinds, bands and fields with coded errors', () => {
    expect(code(() => parseNotice(sample({ windows: [{ start: T0 + H, end: T0 }] })))).toBe(
      'PARLEY_E_NOTICE_WINDOW',
    );
    expect(code(() => parseNotice(sample({ windows: [{ start: T0, end: T0 }] })))).toBe(
      'PARLEY_E_NOTICE_WINDOW',
    );
    expect(code(() => parseNotice(sample({ windows: [] })))).toBe('PARLEY_E_NOTICE_WINDOW');
    expect(code(() => parseNotice(sample({ kind: 'party' })))).toBe('PARLEY_E_NOTICE_MALFORMED');
    expect(
      code(() => parseNotice(sample({ band: { type: 'altitude', lowerFt: 5, upperFt: 5 } }))),
    ).toBe('PARLEY_E_NOTICE_MALFORMED');
    expect(code(() => parseNotice(sample({ extra: 1 })))).toBe('PARLEY_E_NOTICE_MALFORMED');
    expect(code(() => parseNotice(sample({ contact: '' })))).toBe('PARLEY_E_NOTICE_MALFORMED');
    expect(
      code(() =>
        parseNotice(
          sample({
            areas: [
              { area: { type: 'circle', centre: { lat: 1, lon: 1 }, radius: 0, unit: 'km' } },
            ],
          }),
        ),
      ),
    ).toBe('PARLEY_E_AREA_RADIUS');
  });

  it('hostile input: anything either parses or throws a coded error', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        for (const v of [a, sample({ areas: a }), sample({ windows: b }), sample({ band: a })]) {
          try {
            parseNotice(v);
          } catch (err) {
            expect(isParleyError(err)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('renderNotice (NAVAREA style)', () => {
  it('English: preamble, polygon clockwise from the north-west corner, band, postscript', () => {
    const n = parseNotice(sample());
    const en = renderNotice(n, 'en', { ref: 'ALPHA NTC 3/26' });
    expect(en.split('\n')).toEqual([
      'NOTICE OF PLANNED ACTIVITY ALPHA NTC 3/26',
      'FROM ALPHA (DDG 89).',
      `1. LIVE FIRING ${formatDtg(T0 + 72 * H)} TO ${formatDtg(T0 + 80 * H)}, SURFACE TO 25000 FT:`,
      '   IN AREA BOUNDED BY 11-00.00N 114-00.00E, 11-00.00N 115-00.00E, 10-00.00N 115-00.00E, 10-00.00N 114-00.00E.',
      '2. Vessels are requested to keep clear.',
      '3. CONTACT channel theater-ops.',
      `4. CANCEL THIS NOTICE ${formatDtg(T0 + 81 * H)}.`,
    ]);
    expect(formatDtg(T0 + 72 * H)).toBe('240000Z NOV 26');
  });

  it('Chinese: the same positions, circle radius in 海里, launch and impact areas, cancellation', () => {
    const n = parseNotice(
      sample({
        kind: 'launch',
        band: { type: 'unlimited' },
        areas: [
          {
            role: 'launch',
            area: { type: 'circle', centre: { lat: 19.6, lon: 110.95 }, radius: 5, unit: 'nm' },
          },
          { role: 'impact', area: { type: 'polygon', points: boxPoints(15, 116, 16, 117) } },
        ],
      }),
    );
    const zh = renderNotice(n, 'zh', {
      ref: 'ALPHA NTC 4/26',
      cancelled: { ts: T0, reason: 'postponed' },
    });
    expect(zh).toContain('活动通报 ALPHA NTC 4/26');
    expect(zh).toContain('进行导弹或火箭发射，垂直范围不限高度');
    expect(zh).toContain('A. 发射区：以19-36.00N 110-57.00E为中心、半径5海里的圆形区域内。');
    expect(zh).toContain(
      'B. 落区：以下各点连线范围内：16-00.00N 116-00.00E、16-00.00N 117-00.00E、15-00.00N 117-00.00E、15-00.00N 116-00.00E。',
    );
    expect(zh).toContain('本通报已于2026年11月21日0000Z撤销：postponed');
    const en = renderNotice(n, 'en', { ref: 'ALPHA NTC 4/26' });
    expect(en).toContain('A. LAUNCH AREA WITHIN 5 NM OF 19-36.00N 110-57.00E.');
    expect(renderCancellation('ALPHA NTC 4/26', T0, 'postponed', 'en')).toContain(
      'CANCEL ALPHA NTC 4/26 (210000Z NOV 26): postponed',
    );
  });

  it('GeoJSON: one feature per area with its definition', () => {
    const n = parseNotice(sample());
    const gj = noticeGeoJson(n, { id: 'x' });
    expect(gj.features).toHaveLength(1);
    expect(gj.features[0]!.properties).toMatchObject({ id: 'x', kind: 'live-fire', role: null });
    expect(gj.features[0]!.geometry.type).toBe('Polygon');
  });
});

// ---------------------------------------------------------------------------------------------
// The fold.

const A = 'stn_aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'stn_bbbbbbbbbbbbbbbbbbbbbbbb';
let n = 0;
const AUD = 'aud_abababababababababababab';
const entry = (
  station: string,
  seq: number,
  ts: number,
  kind: string,
  body: Record<string, unknown>,
): HotlineEntry => ({
  station,
  // Notices live in the feeds of the channel's audience (ADR 0003).
  audience: AUD,
  seq,
  hash: `${station.slice(4, 5)}${seq}`.padEnd(64, '0') + String(n++).slice(0, 0),
  ts,
  kind,
  channel: 'ops',
  body,
});
/** The two stations' genesis entries of the pair's audience: they name its members. */
const genesis = (): HotlineEntry[] =>
  [A, B].map((station) => ({
    station,
    audience: AUD,
    seq: 0,
    hash: `g${station.slice(4, 5)}`.padEnd(64, '0'),
    ts: T0,
    kind: 'genesis',
    channel: null,
    body: { name: station, key: 'u0PODO5isH9ex87RV-og4tALRdgia_cb5vArpxgGroQ', members: [A, B] },
  }));
const ref = (e: HotlineEntry) => ({
  station: e.station,
  audience: AUD,
  seq: e.seq,
  hash: e.hash,
});
const lead = (_c: string, k: NoticeKind) => DEFAULT_LEAD_MS[k];

describe('NoticeFolder', () => {
  const launch = sample({ kind: 'launch', windows: [{ start: T0 + 10 * H, end: T0 + 12 * H }] });
  const e1 = entry(A, 1, T0, 'notice', { notice: launch, by: 'alice' });
  const e2 = entry(A, 2, T0 + H, 'notice', {
    notice: { ...launch, windows: [{ start: T0 + 11 * H, end: T0 + 13 * H }] },
    amends: ref(e1),
  });
  const r1 = entry(B, 1, T0 + 2 * H, 'receipt', {
    level: 'delivered',
    station: A,
    upTo: 2,
    hash: 'f'.repeat(64),
  });
  const r2 = entry(B, 2, T0 + 3 * H, 'receipt', { level: 'understood', of: ref(e2), by: 'bob' });
  const bad = entry(A, 3, T0 + 3 * H, 'notice', {
    notice: { ...launch, windows: [{ start: 5, end: 1 }] },
  });
  const c1 = entry(A, 4, T0 + 4 * H, 'notice-cancel', { of: ref(e1), reason: 'postponed' });
  const amendFromB = entry(B, 3, T0 + 4 * H, 'notice', { notice: launch, amends: ref(e1) });

  it('late launch notice: 10 h of lead against 24 h is 14 h late; an amendment moving the start later keeps the first notification time', () => {
    const f = new NoticeFolder();
    f.add(genesis());
    f.add([e1, e2, r1, r2, bad, amendFromB]);
    const s = f.snapshot(lead);
    const v = s.get(e1.hash)!;
    expect(v.versions).toHaveLength(2);
    expect(v.versions[0]!.lateness).toEqual({
      requiredMs: 24 * H,
      leadMs: 10 * H,
      lateMs: 14 * H,
      late: true,
    });
    // The amendment starts at +11 h; the activity was notified at T0, so 11 h lead, 13 h late.
    expect(v.current.notifiedAt).toBe(T0);
    expect(v.current.lateness.lateMs).toBe(13 * H);
    expect(v.current.receipts.delivered!.ts).toBe(T0 + 2 * H);
    expect(v.current.receipts.understood).toEqual({ ts: T0 + 3 * H, by: 'bob' });
    expect(v.current.receipts.read!.ts).toBe(T0 + 3 * H);
    expect(f.invalid.get(`${A}/${AUD}:3`)).toMatch(/ends/);
    // The other station's "amendment" is a separate notice of its own, not a change to A's.
    expect([...s.values()].filter((x) => x.station === B)).toHaveLength(0);
    expect(noticeStatus(v, T0 + 11.5 * H)).toBe('active');
    expect(noticeStatus(v, T0 + 5 * H)).toBe('upcoming');
    expect(noticeStatus(v, T0 + 14 * H)).toBe('expired');
  });

  it('a cancellation ends the notice and voids later amendments', () => {
    const e5 = entry(A, 5, T0 + 5 * H, 'notice', { notice: launch, amends: ref(e1) });
    const f = new NoticeFolder();
    f.add(genesis());
    f.add([e1, e2, c1, e5]);
    const v = f.snapshot(lead).get(e1.hash)!;
    expect(v.cancelled).toMatchObject({ reason: 'postponed', ts: T0 + 4 * H });
    expect(v.versions.map((x) => x.ref.seq)).toEqual([1, 2]);
    expect(noticeStatus(v, T0)).toBe('cancelled');
  });

  it('gives the same view in any order', () => {
    // A second delivered receipt, earlier in time, covering only the first version.
    const r0 = entry(B, 4, T0 + 1.5 * H, 'receipt', {
      level: 'delivered',
      station: A,
      upTo: 1,
      hash: 'f'.repeat(64),
    });
    const all = [e1, e2, r1, r0, r2, bad, c1, amendFromB];
    const whole = new NoticeFolder();
    whole.add(genesis());
    whole.add(all);
    const view = whole.snapshot(lead).get(e1.hash)!;
    // Each version is delivered at the earliest receipt that covers its seq.
    expect(view.versions.map((v) => v.receipts.delivered?.ts)).toEqual([T0 + 1.5 * H, T0 + 2 * H]);
    const want = JSON.stringify([...whole.snapshot(lead)]);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        fc.integer({ min: 1, max: 8 }),
        (xs, cut) => {
          const f = new NoticeFolder();
          f.add(genesis());
          f.add(xs.slice(0, cut));
          f.snapshot(lead); // builds indexes that the rest must extend or rebuild
          f.add(xs.slice(cut));
          expect(JSON.stringify([...f.snapshot(lead)])).toBe(want);
        },
      ),
      { numRuns: 100 },
    );
  });
});
