import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HotlineFolder,
  foldHotline,
  formatAge,
  overdue,
  parseAgreement,
  refKey,
} from '@parley/core';
import type { HotlineEntry } from '@parley/core';

const A = 'stn_aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'stn_bbbbbbbbbbbbbbbbbbbbbbbb';
const MIN = 60_000;
/** The hash a delivered receipt names (the fold does not check it against the feed). */
const HX = 'f'.repeat(64);
/** A genesis key of the right shape (the fold does not verify keys: the ledger does). */
const KEY = 'u0PODO5isH9ex87RV-og4tALRdgia_cb5vArpxgGroQ';
const agreement = parseAgreement({ tier: 'theater', escalation: 'ministry-ops' });

/** The pair's audience (ADR 0003): any id works for the fold, which takes members from genesis. */
const AUD = 'aud_abababababababababababab';

/** Builds the two stations' feeds for the pair's audience, each opened by its genesis entry. */
function feeds() {
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
    const e = {
      station,
      audience: AUD,
      seq,
      hash: `${station.slice(-2)}${seq}`.padEnd(64, '0'),
      ts,
      kind,
      channel,
      body,
    };
    out.push(e);
    return { station, audience: AUD, seq, hash: e.hash };
  };
  add(A, 0, 'genesis', null, { name: 'A', key: KEY, members: [A, B] });
  add(B, 0, 'genesis', null, { name: 'B', key: KEY, members: [A, B] });
  return { out, add };
}

function openChannel(f: ReturnType<typeof feeds>, t0 = 0) {
  const p = f.add(A, t0, 'channel-propose', 'theater-ops', { agreement });
  f.add(B, t0 + 1000, 'channel-accept', 'theater-ops', { proposal: p });
  return p;
}

/** Asserts the whole view is the same whatever the arrival order and chunking. */
function expectOrderIndependent(entries: HotlineEntry[]) {
  const norm = (st: ReturnType<typeof foldHotline>) => ({
    channels: [...st.channels.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    messages: [...st.messages.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    calls: [...st.calls.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    alarms: st.alarms,
  });
  const reference = norm(foldHotline(entries));
  fc.assert(
    fc.property(
      fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
      fc.integer({ min: 1, max: 4 }),
      (shuffled, chunk) => {
        const folder = new HotlineFolder();
        for (let i = 0; i < shuffled.length; i += chunk) {
          folder.add(shuffled.slice(i, i + chunk));
          folder.snapshot();
        }
        expect(norm(folder.snapshot())).toEqual(reference);
      },
    ),
    { numRuns: 200 },
  );
}

describe('hotline state', () => {
  it('opens a channel by proposal and acceptance, suspends and resumes it with reasons', () => {
    const f = feeds();
    const p = f.add(A, 0, 'channel-propose', 'theater-ops', { agreement });
    expect(foldHotline(f.out).channels.get('theater-ops')?.status).toBe('proposed');
    f.add(A, 500, 'channel-accept', 'theater-ops', { proposal: p });
    expect(
      foldHotline(f.out).channels.get('theater-ops')?.status,
      'a station cannot accept its own proposal',
    ).toBe('proposed');
    f.add(B, 700, 'channel-accept', 'theater-ops', { proposal: { ...p, hash: 'f'.repeat(64) } });
    expect(
      foldHotline(f.out).channels.get('theater-ops')?.status,
      'an acceptance names the exact proposal',
    ).toBe('proposed');
    f.add(B, 1000, 'channel-accept', 'theater-ops', { proposal: p });
    f.add(B, 2000, 'channel-suspend', 'theater-ops', { reason: 'talks suspended by the ministry' });
    let c = foldHotline(f.out).channels.get('theater-ops')!;
    expect(c.status).toBe('suspended');
    expect(c.suspension).toEqual({
      station: B,
      reason: 'talks suspended by the ministry',
      ts: 2000,
    });
    f.add(A, 3000, 'channel-resume', 'theater-ops', { reason: 'resumed' });
    c = foldHotline(f.out).channels.get('theater-ops')!;
    expect(c.status).toBe('open');
    expect(c.history.map((h) => h.kind)).toEqual(['proposed', 'accepted', 'suspended', 'resumed']);
    expectOrderIndependent(f.out);
  });

  it('tracks delivered, read and understood with their times, and the deadline from delivery', () => {
    const f = feeds();
    openChannel(f);
    const m = f.add(A, 10_000, 'message', 'theater-ops', {
      precedence: 'FLASH',
      text: 'State your intentions',
    });
    f.add(B, 10_050, 'receipt', null, {
      level: 'delivered',
      station: A,
      upTo: m.seq,
      hash: m.hash,
    });
    let s = foldHotline(f.out);
    let v = s.messages.get(refKey(m))!;
    expect(v.receipts.delivered?.ts).toBe(10_050);
    expect(v.deadline).toBe(10_050 + 10 * MIN);
    expect(overdue(s, A, 10_050 + 10 * MIN)).toEqual([]);
    expect(overdue(s, A, 10_051 + 10 * MIN)).toEqual([
      expect.objectContaining({ kind: 'understood-overdue', ref: m }),
    ]);
    f.add(B, 11_000, 'receipt', 'theater-ops', { level: 'read', of: m, by: 'Lt Wang' });
    f.add(B, 12_000, 'receipt', 'theater-ops', {
      level: 'understood',
      of: m,
      by: 'Lt Wang',
      readback: '你方将保持航向',
    });
    s = foldHotline(f.out);
    v = s.messages.get(refKey(m))!;
    expect(v.receipts.read).toEqual({ ts: 11_000, by: 'Lt Wang' });
    expect(v.receipts.understood).toEqual({
      ts: 12_000,
      by: 'Lt Wang',
      readback: '你方将保持航向',
    });
    expect(overdue(s, A, 10 * 3_600_000)).toEqual([]);
  });

  it('a message never delivered is overdue once its objective has passed since sending', () => {
    const f = feeds();
    openChannel(f);
    const m = f.add(A, 10_000, 'message', 'theater-ops', { precedence: 'IMMEDIATE', text: 'x' });
    const s = foldHotline(f.out);
    expect(overdue(s, A, 10_000 + 30 * MIN)).toEqual([]);
    expect(overdue(s, A, 10_001 + 30 * MIN)).toEqual([
      expect.objectContaining({ kind: 'undelivered-overdue', ref: m }),
    ]);
    expect(overdue(s, B, 10_001 + 30 * MIN), 'only the sender owns the deadline').toEqual([]);
  });

  it('receipts only count from the receiving side, and a receipt must name the exact message', () => {
    const f = feeds();
    openChannel(f);
    const m = f.add(A, 10_000, 'message', 'theater-ops', { precedence: 'FLASH', text: 'x' });
    f.add(A, 10_100, 'receipt', 'theater-ops', { level: 'understood', of: m });
    f.add(B, 10_200, 'receipt', 'theater-ops', {
      level: 'understood',
      of: { ...m, hash: 'f'.repeat(64) },
    });
    const v = foldHotline(f.out).messages.get(refKey(m))!;
    expect(v.receipts.understood).toBeUndefined();
  });

  it('translations, replies and call requests attach to what they answer', () => {
    const f = feeds();
    openChannel(f);
    const m = f.add(A, 10_000, 'message', 'theater-ops', {
      precedence: 'ROUTINE',
      text: 'Keep well clear of me',
      lang: 'en',
    });
    f.add(B, 10_500, 'translation', null, {
      of: m,
      lang: 'zh',
      text: '请与我保持安全距离',
      by: 'linguist Li',
    });
    const r = f.add(B, 11_000, 'message', 'theater-ops', {
      precedence: 'ROUTINE',
      text: '收到',
      replyTo: m,
    });
    const call = f.add(A, 12_000, 'call-request', 'theater-ops', {
      precedence: 'PRIORITY',
      slots: [100 * MIN, 200 * MIN],
      medium: 'voice',
    });
    f.add(B, 12_100, 'receipt', null, {
      level: 'delivered',
      station: A,
      upTo: call.seq,
      hash: call.hash,
    });
    let s = foldHotline(f.out);
    expect(s.messages.get(refKey(m))!.translations).toEqual([
      expect.objectContaining({
        lang: 'zh',
        text: '请与我保持安全距离',
        translator: 'linguist Li',
      }),
    ]);
    expect(s.messages.get(refKey(m))!.replies).toEqual([r]);
    expect(s.calls.get(refKey(call))!.deadline).toBe(12_100 + 3 * 3_600_000);
    expect(overdue(s, A, 12_101 + 3 * 3_600_000)).toEqual([
      expect.objectContaining({ kind: 'call-unanswered' }),
    ]);
    f.add(B, 13_000, 'call-response', 'theater-ops', {
      of: call,
      action: 'accept',
      slot: 200 * MIN,
    });
    s = foldHotline(f.out);
    expect(s.calls.get(refKey(call))!.status).toBe('accepted');
    expectOrderIndependent(f.out);
    expect(overdue(s, A, 12_101 + 3 * 3_600_000)).toEqual([]);
  });

  it('dormancy counts substantive traffic only', () => {
    const f = feeds();
    openChannel(f);
    const m = f.add(A, 50_000, 'message', 'theater-ops', { precedence: 'ROUTINE', text: 'x' });
    f.add(B, 60_000, 'receipt', null, {
      level: 'delivered',
      station: A,
      upTo: m.seq,
      hash: m.hash,
    });
    f.add(B, 70_000, 'cosignature', null, {});
    expect(foldHotline(f.out).channels.get('theater-ops')!.lastSubstantiveAt).toBe(50_000);
  });

  it('the fold does not depend on the order entries arrive in (clocks of two stations differ)', () => {
    const f = feeds();
    openChannel(f);
    const msgs = Array.from({ length: 6 }, (_, i) =>
      f.add(A, 10_000 + i * 1000, 'message', 'theater-ops', { precedence: 'FLASH', text: `m${i}` }),
    );
    // B's clock runs 5 s behind: its receipts look older than the messages they answer.
    f.add(B, 9_000, 'receipt', null, { level: 'delivered', station: A, upTo: 4, hash: HX });
    f.add(B, 12_000, 'receipt', null, { level: 'delivered', station: A, upTo: 8, hash: HX });
    f.add(B, 12_500, 'receipt', 'theater-ops', { level: 'understood', of: msgs[4] });
    // The same view, whatever the arrival order, all at once or in chunks as replication
    // delivers them (map iteration order is not part of the view).
    const view = (s: ReturnType<typeof foldHotline>) =>
      [...s.messages.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const reference = view(foldHotline(f.out));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(f.out, { minLength: f.out.length, maxLength: f.out.length }),
        fc.integer({ min: 1, max: 5 }),
        (shuffled, chunk) => {
          expect(view(foldHotline(shuffled))).toEqual(reference);
          const folder = new HotlineFolder();
          for (let i = 0; i < shuffled.length; i += chunk) {
            folder.add(shuffled.slice(i, i + chunk));
            folder.snapshot();
          }
          expect(view(folder.snapshot())).toEqual(reference);
        },
      ),
    );
    const s = foldHotline(f.out);
    expect(s.messages.get(refKey(msgs[0]!))!.receipts.delivered?.ts).toBe(9_000);
    expect(s.messages.get(refKey(msgs[5]!))!.receipts.delivered?.ts).toBe(12_000);
  });

  it('formats ages for people', () => {
    expect(formatAge(32 * 3_600_000)).toBe('32 h');
    expect(formatAge(45 * MIN)).toBe('45 min');
    expect(formatAge(3 * 24 * 3_600_000 + 2 * 3_600_000)).toBe('3 d 2 h');
  });

  it('agreements get defaults and refuse bad values with a coded error', () => {
    expect(parseAgreement({ tier: 'leader' })).toMatchObject({
      tier: 'leader',
      languages: ['en', 'zh'],
      handling: { FLASH: 10 * MIN },
      escalation: null,
    });
    for (const bad of [
      {},
      { tier: 'captain' },
      { tier: 'theater', handling: { FLASH: 5 } },
      { tier: 'theater', escalation: 'Bad Name' },
      { tier: 'theater', languages: ['fr'] },
    ]) {
      expect(() => parseAgreement(bad)).toThrow(
        expect.objectContaining({ code: 'PARLEY_E_BAD_AGREEMENT' }),
      );
    }
  });
});

describe('hotline state with audiences of several parties', () => {
  const C = 'stn_cccccccccccccccccccccccc';
  const TRI = 'aud_cdcdcdcdcdcdcdcdcdcdcdcd';
  const OTHER = 'aud_efefefefefefefefefefefef';
  function tri() {
    const seqs: Record<string, number> = {};
    const out: HotlineEntry[] = [];
    const add = (
      station: string,
      audience: string | null,
      ts: number,
      kind: string,
      channel: string | null,
      body: Record<string, unknown>,
    ) => {
      const k = `${station}/${audience}`;
      const seq = (seqs[k] = (seqs[k] ?? 0) + 1);
      const hash = `${station.slice(-2)}${audience?.slice(-2) ?? 'id'}${seq}`.padEnd(64, '0');
      out.push({ station, audience, seq, hash, ts, kind, channel, body });
      return audience ? { station, audience, seq, hash } : { station, seq, hash };
    };
    for (const s of [A, B, C])
      add(s, TRI, 0, 'genesis', null, { name: s, key: KEY, members: [A, B, C] });
    for (const s of [A, C])
      add(s, OTHER, 0, 'genesis', null, { name: s, key: KEY, members: [A, C] });
    const p = add(A, TRI, 0, 'channel-propose', 'tri', { agreement });
    return { out, add, p };
  }

  it("a peer's back-dated proposal of a name in another audience does not take over the channel this station holds", () => {
    const f = tri();
    // A and C's own channel "ac" in OTHER; then C proposes "ac" again in TRI, dated before A's.
    const p = f.add(A, OTHER, 5_000, 'channel-propose', 'ac', { agreement });
    f.add(C, OTHER, 6_000, 'channel-accept', 'ac', { proposal: p });
    f.add(C, TRI, 1, 'channel-propose', 'ac', { agreement });
    const m = f.add(A, OTHER, 7_000, 'message', 'ac', { precedence: 'FLASH', text: 'A to C' });
    const s = foldHotline(f.out, A);
    const ac = s.channels.get('ac')!;
    expect(ac.audience).toBe(OTHER);
    expect(ac.status).toBe('open');
    expect(s.messages.get(refKey(m))).toBeDefined();
    // Without this station's own acts to go by, the back-dated proposal would have won.
    expect(foldHotline(f.out).channels.get('ac')!.audience).toBe(TRI);
    // B holds no "ac" of its own: for B the earliest proposal holds the name, C's in TRI.
    expect(foldHotline(f.out, B).channels.get('ac')!.audience).toBe(TRI);
    // And whatever the arrival order, A's view is the same.
    const reference = foldHotline(f.out, A).channels.get('ac');
    fc.assert(
      fc.property(
        fc.shuffledSubarray(f.out, { minLength: f.out.length, maxLength: f.out.length }),
        (shuffled) => {
          const folder = new HotlineFolder(A);
          for (const e of shuffled) folder.add([e]);
          expect(folder.snapshot().channels.get('ac')).toEqual(reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('opens only when every member accepts; receipts, deadlines and alarms are per recipient', () => {
    const f = tri();
    f.add(B, TRI, 1000, 'channel-accept', 'tri', { proposal: f.p });
    expect(foldHotline(f.out).channels.get('tri')!.status).toBe('proposed');
    f.add(C, TRI, 2000, 'channel-accept', 'tri', { proposal: f.p });
    const open = foldHotline(f.out).channels.get('tri')!;
    expect(open.status).toBe('open');
    expect(open.members).toEqual([A, B, C]);
    expect(open.accepted.sort()).toEqual([A, B, C]);

    const m = f.add(A, TRI, 10_000, 'message', 'tri', { precedence: 'FLASH', text: 'all' });
    f.add(B, TRI, 11_000, 'receipt', null, {
      level: 'delivered',
      station: A,
      upTo: m.seq,
      hash: HX,
    });
    f.add(C, TRI, 12_000, 'receipt', null, {
      level: 'delivered',
      station: A,
      upTo: m.seq,
      hash: HX,
    });
    f.add(B, TRI, 13_000, 'receipt', 'tri', {
      level: 'understood',
      of: m,
      by: 'b',
      readback: 'rb',
    });
    // Hostile or misplaced receipts: C's receipt in another audience, and one in an identity feed.
    f.add(C, OTHER, 13_500, 'receipt', 'tri', { level: 'understood', of: m, by: 'c' });
    f.add(C, null, 13_600, 'receipt', 'tri', { level: 'understood', of: m, by: 'c' });
    const s = foldHotline(f.out);
    const view = s.messages.get(refKey(m))!;
    expect(Object.keys(view.recipients).sort()).toEqual([B, C]);
    expect(view.recipients[B]!.understood).toMatchObject({ ts: 13_000, readback: 'rb' });
    expect(view.recipients[C]!.understood).toBeUndefined();
    expect(view.receipts.delivered?.ts).toBe(12_000);
    expect(view.receipts.understood).toBeUndefined();
    const handling = agreement.handling.FLASH;
    expect(view.recipients[C]!.deadline).toBe(12_000 + handling);
    const late = overdue(s, A, 12_000 + handling + 1);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ kind: 'understood-overdue', parties: [C] });
    expectOrderIndependent(f.out);
  });

  it('a name first proposed in one audience is not taken over by a proposal in another', () => {
    const f = tri();
    f.add(C, OTHER, 5000, 'channel-propose', 'tri', { agreement });
    const c = foldHotline(f.out).channels.get('tri')!;
    expect(c.audience).toBe(TRI);
  });
});
