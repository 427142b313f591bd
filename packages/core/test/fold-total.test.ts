// The hotline fold is total (issue 15: a hostile peer cannot break, stall or mislead a station):
// whatever bodies a validly signed entry carries, `HotlineFolder.add` and `snapshot` never throw,
// an entry whose body fails its schema stays out of the state (and is listed as a violation),
// and valid entries interleaved with such junk fold to exactly the state of the valid ones alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BODY_SCHEMAS,
  checkBody,
  HotlineFolder,
  overdue,
  parseAgreement,
  parseCatalogueMessage,
  refKey,
} from '@parley/core';
import type { HotlineEntry, HotlineState } from '@parley/core';

const A = 'stn_aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'stn_bbbbbbbbbbbbbbbbbbbbbbbb';
const AUD = 'aud_abababababababababababab';
const KEY = 'u0PODO5isH9ex87RV-og4tALRdgia_cb5vArpxgGroQ';
const HX = 'f'.repeat(64);
const MIN = 60_000;

/** A valid exchange on two channels (one of them leader tier) covering every hotline kind. */
function scenario(): HotlineEntry[] {
  const seqs: Record<string, number> = { [A]: 0, [B]: 0 };
  const out: HotlineEntry[] = [];
  const add = (
    station: string,
    ts: number,
    kind: string,
    channel: string | null,
    body: Record<string, unknown>,
  ) => {
    const seq = ++seqs[station]!;
    const hash = `${station.slice(-2)}${seq}`.padEnd(64, '0');
    out.push({ station, audience: AUD, seq, hash, ts, kind, channel, body });
    return { station, audience: AUD, seq, hash };
  };
  add(A, 0, 'genesis', null, { name: 'A', key: KEY, members: [A, B] });
  add(B, 0, 'genesis', null, { name: 'B', key: KEY, members: [A, B] });
  const ops = parseAgreement({ tier: 'theater', escalation: 'top' });
  const top = parseAgreement({ tier: 'leader' });
  const p1 = add(A, 100, 'channel-propose', 'ops', { agreement: ops, by: 'a' });
  add(B, 200, 'channel-accept', 'ops', { proposal: p1, by: 'b' });
  const p2 = add(B, 300, 'channel-propose', 'top', { agreement: top, by: 'b' });
  add(A, 400, 'channel-accept', 'top', { proposal: p2, by: 'a' });
  const m1 = add(A, 1000, 'message', 'ops', { precedence: 'FLASH', text: 'hello', author: 'a' });
  const catalogue = parseCatalogueMessage({
    v: 1,
    code: 'ESC-01',
    params: { time: 1000, channel: 'ops', duration: 5 },
  });
  const m2 = add(B, 1100, 'message', 'ops', {
    precedence: 'IMMEDIATE',
    catalogue,
    replyTo: m1,
    author: 'b',
  });
  add(B, 1200, 'receipt', null, { level: 'delivered', station: A, upTo: 4, hash: HX });
  add(A, 1300, 'receipt', null, { level: 'delivered', station: B, upTo: 4, hash: HX });
  add(B, 1400, 'receipt', 'ops', { level: 'read', of: m1, by: 'b' });
  add(A, 1500, 'translation', 'ops', { of: m2, lang: 'en', text: 'reply', by: 'l' });
  const call = add(A, 1600, 'call-request', 'ops', {
    precedence: 'PRIORITY',
    slots: [5 * MIN, 6 * MIN],
    medium: 'voice',
    by: 'a',
  });
  add(B, 1700, 'call-response', 'ops', { of: call, action: 'accept', slot: 5 * MIN, by: 'b' });
  add(A, 1800, 'message', 'top', { precedence: 'ROUTINE', text: 'leader', author: 'a' });
  add(A, 2000 + 10 * MIN, 'alarm', 'ops', {
    type: 'understood-overdue',
    of: m1,
    reason: 'no answer',
    parties: [B],
  });
  add(B, 3000 + 10 * MIN, 'channel-suspend', 'ops', { reason: 'talks', by: 'b' });
  add(A, 4000 + 10 * MIN, 'channel-resume', 'ops', { reason: 'resumed', by: 'a' });
  add(B, 5000 + 10 * MIN, 'receipt', 'ops', { level: 'understood', of: m1, by: 'b' });
  return out;
}

const VALID = scenario();
for (const e of VALID) if (checkBody(e)) throw new Error(`scenario entry ${refKey(e)} fails`);
/** Keys of the scenario's messages that are delivered, so have a deadline. */
const DELIVERED = VALID.filter((e) => e.kind === 'message' && e.channel === 'ops').map((e) =>
  refKey(e),
);
const KINDS = [...Object.keys(BODY_SCHEMAS), 'unknown-kind', 'reply'];

/** A deeply nested value (built, not generated: generators keep depth small). */
const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { x: v };
  return v;
};

/** Values a hostile peer might put anywhere in a body. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { withCrossShrink: true },
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(
    null,
    [],
    {},
    '',
    0,
    -1,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 64,
    0.5,
    true,
    'FLASH',
    { toString: 1 },
    { valueOf: 1, toString: 1 },
    { toJSON: 1 },
    JSON.parse('{"__proto__": {"polluted": 1}}') as unknown,
    JSON.parse('{"__proto__": null}') as unknown,
    { constructor: { prototype: 1 } },
    { hasOwnProperty: 1 },
    deep(2000),
    'x'.repeat(9000),
    { station: A, seq: 1, hash: HX },
    { station: A, audience: AUD, seq: 1e300, hash: HX },
  ),
);

/** A body: wholly hostile, or a valid body of the scenario with one field made hostile. */
const body: fc.Arbitrary<unknown> = fc.oneof(
  hostile,
  fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 5 }),
  fc.tuple(fc.constantFrom(...VALID), fc.string({ maxLength: 12 }), hostile).map(([e, k, v]) => {
    const keys = Object.keys(e.body);
    const key = keys.length > 0 && k.length % 3 !== 0 ? keys[k.length % keys.length]! : k;
    return { ...e.body, [key]: v };
  }),
);

/** Junk entries at seqs the scenario does not use, of any kind, with hostile bodies. */
const junk = (n: number) =>
  fc.array(
    fc.record({
      station: fc.constantFrom(A, B),
      kind: fc.constantFrom(...KINDS),
      channel: fc.constantFrom<string | null>('ops', 'top', 'bad', null),
      body: body,
      ts: fc.integer({ min: 0, max: 20 * MIN }),
    }),
    { maxLength: n },
  );

const toEntries = (
  js: { station: string; kind: string; channel: string | null; body: unknown; ts: number }[],
): HotlineEntry[] =>
  js.map((j, i) => ({
    station: j.station,
    audience: AUD,
    seq: 1000 + i,
    hash: `${i.toString(16)}`.padStart(64, 'e'),
    ts: j.ts,
    kind: j.kind,
    channel: j.channel,
    body: j.body as Record<string, unknown>,
  }));

/** A comparable copy of the state (maps sorted by key). */
function norm(s: HotlineState): string {
  const sorted = <V>(m: Map<string, V>) => [...m.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
  return JSON.stringify({
    channels: sorted(s.channels),
    messages: sorted(s.messages),
    calls: sorted(s.calls),
    alarms: s.alarms,
  });
}

const reference = (() => {
  const f = new HotlineFolder();
  f.add(VALID);
  return norm(f.snapshot());
})();

describe('the hotline fold is total', () => {
  it('rejects the reported bodies with the failing path', () => {
    const m = VALID.find((e) => e.kind === 'channel-propose')!;
    expect(checkBody({ ...m, body: { agreement: null } })).toMatchObject({
      path: '/body/agreement',
    });
    const a = VALID.find((e) => e.kind === 'alarm')!;
    expect(checkBody({ ...a, body: { ...a.body, reason: { toString: 1 } } })).toMatchObject({
      path: '/body/reason',
    });
    expect(
      checkBody({ kind: 'message', channel: null, body: { precedence: 'FLASH', text: 'x' } }),
    ).toMatchObject({ path: '/channel' });
    expect(
      checkBody({ kind: 'message', channel: 'ops', body: { precedence: 'FLASH' } }),
    ).toMatchObject({ path: '/body' });
    expect(checkBody({ kind: 'some-future-kind', body: { anything: 1 } })).toBeNull();
    for (const e of VALID) expect(checkBody(e), refKey(e)).toBeNull();
  });

  it('never throws and never loses state, whatever the bodies (100,000 cases)', () => {
    fc.assert(
      fc.property(junk(3), fc.integer({ min: 0, max: VALID.length }), (js, at) => {
        const folder = new HotlineFolder();
        const bad = toEntries(js);
        // Junk before, among and after the valid entries, and a snapshot in between.
        folder.add([...VALID.slice(0, at), ...bad]);
        folder.snapshot();
        folder.add(VALID.slice(at));
        const s = folder.snapshot();
        overdue(s, A, 30 * MIN);
        overdue(s, B, 30 * MIN);
        // Every channel of the scenario is there with its agreement, whatever came with it.
        // (A "junk" proposal whose body passes its schema is a valid proposal, which may come
        // first and so rightly hold the name: only the channels no such proposal names count.)
        const proposed = new Set(
          bad.filter((e) => e.kind === 'channel-propose' && !checkBody(e)).map((e) => e.channel),
        );
        const ops = s.channels.get('ops');
        const top = s.channels.get('top');
        if (!proposed.has('ops') && ops?.agreement.tier !== 'theater') return false;
        if (!proposed.has('top') && top?.agreement.tier !== 'leader') return false;
        // The scenario's own messages keep their deadlines (a valid extra message may have none).
        for (const k of DELIVERED) if (s.messages.get(k)?.deadline == null) return false;
        for (const e of bad) {
          const k = refKey(e);
          if (checkBody(e) && !folder.violations.has(k)) return false;
        }
        return true;
      }),
      { numRuns: 100_000 },
    );
  }, 180_000);

  it('valid entries interleaved with junk fold to the state of the valid entries alone', () => {
    fc.assert(
      fc.property(junk(6), fc.array(fc.nat(), { maxLength: 6 }), (js, places) => {
        const bad = toEntries(js).filter((e) => checkBody(e) !== null);
        const mixed = [...VALID];
        bad.forEach((e, i) => mixed.splice((places[i] ?? 0) % (mixed.length + 1), 0, e));
        const folder = new HotlineFolder();
        folder.add(mixed);
        expect(norm(folder.snapshot())).toBe(reference);
        expect([...folder.violations.keys()].sort()).toEqual(bad.map((e) => refKey(e)).sort());
      }),
      { numRuns: 10_000 },
    );
  }, 120_000);
});
