// Issue 15: a real peer, signing with its own key, writes entries whose bodies fail their schema
// (docs/PROTOCOL.md §2.2). They are validly signed and chained, so the link stores them; every
// fold leaves them out, the station records an alarm naming each one, and nothing of this
// station's own rules (channels, agreements, the two-person rule) changes, before or after a
// restart. The hostile entries are built and signed here WITHOUT Parley's signing code: the
// signing bytes are RFC 8785 canonical JSON of the entry without `sig` (§2.1), signed with raw
// `node:crypto`, so the test does not share a bug with the code under test.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PublicKeyB64 } from '@parley/core';
import { exportBundle, stationExporter, verifyBundleDir } from '@parley/store';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import {
  addPeer,
  api,
  makeStation,
  openChannel,
  tempRoot,
  token,
  waitFor,
  withDb,
} from './harness.js';
import type { StationDir } from './harness.js';

const WAIT_MS = 20_000;

const running = new Set<Station>();
afterEach(async () => {
  await Promise.allSettled([...running].map((s) => s.close()));
  running.clear();
});

async function start(s: StationDir, port = 0): Promise<{ station: Station; url: string }> {
  const station = await buildStation({
    dataDir: s.dir,
    heartbeatMs: 250,
    pullWaitMs: 2000,
    peerReloadMs: 200,
    deadlineTickMs: 0,
  });
  running.add(station);
  const url = await station.listen({ port });
  return { station, url };
}

/** RFC 8785 canonical JSON for what entries hold (strings, safe integers, null, arrays, objects). */
function jcs(v: unknown): string {
  if (v === null || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`test canonicaliser: ${v} is not an integer`);
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const o = v as Record<string, unknown>;
  // UTF-16 code unit order, as RFC 8785 §3.2.3 (the default sort of JS strings).
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(o[k])}`).join(',')}}`;
}

interface Signed {
  seq: number;
  hash: string;
  line: string;
}

/**
 * Appends entries to `peer`'s feed for `audience` directly in its store (as `parley post` beside
 * a running station would; the running station catches up), each built and signed by hand.
 */
async function inject(
  peer: StationDir,
  audience: string,
  drafts: { kind: string; channel?: string; body: unknown }[],
): Promise<Signed[]> {
  const keysDir = join(peer.dir, 'keys');
  const [file] = (await readdir(keysDir)).filter((f) => f.endsWith('.key'));
  const key = createPrivateKey(await readFile(join(keysDir, file!), 'utf8'));
  const feed = `${peer.station}/${audience}`;
  // The station may commit a receipt meanwhile: retry on a lost race for the head.
  for (let attempt = 0; ; attempt++) {
    try {
      return await withDb(peer, async (store) => {
        const size = (await store.feeds()).find((f) => f.station === feed)?.size ?? 0;
        const [last] = await store.entries(feed, size - 1, 1);
        let prev = last!.hash;
        let ts = Math.max(Date.now(), last!.ts);
        const out: Signed[] = [];
        const rows = drafts.map((d, i) => {
          const unsigned = {
            v: 1,
            station: peer.station,
            seq: size + 1 + i,
            prev,
            ts: ts++,
            kind: d.kind,
            ...(d.channel ? { channel: d.channel } : {}),
            audience,
            body: d.body,
          };
          const bytes = Buffer.from(jcs(unsigned), 'utf8');
          const hash = createHash('sha256').update(bytes).digest('hex');
          const sig = sign(null, bytes, key).toString('base64url');
          const line = jcs({ ...unsigned, sig });
          prev = hash;
          out.push({ seq: unsigned.seq, hash, line });
          return {
            seq: unsigned.seq,
            hash,
            prev: unsigned.prev,
            ts: unsigned.ts,
            kind: d.kind,
            channel: d.channel ?? null,
            line,
          };
        });
        await store.append(feed, rows);
        return out;
      });
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface Pair {
  A: StationDir;
  B: StationDir;
  a: { station: Station; url: string };
  b: { station: Station; url: string };
  ta: string;
  tb: string;
  /** The pair's audience, where channel `ops` lives. */
  audience: string;
}

/** Alpha and Bravo, paired, with channel `ops` (theater) open and, if asked, `top` (leader). */
async function pair(withLeader = false): Promise<Pair> {
  const root = await tempRoot('parley-bodies-');
  const A = await makeStation(root, 'Alpha');
  const B = await makeStation(root, 'Bravo');
  const a = await start(A);
  const b = await start(B);
  await addPeer(A, B, [b.url]);
  await addPeer(B, A, [a.url]);
  const ta = await token(A, 'admin');
  const tb = await token(B, 'admin');
  const ops = await openChannel({ url: a.url, token: ta }, { url: b.url, token: tb }, 'ops', {
    tier: 'theater',
  });
  if (withLeader)
    await openChannel({ url: a.url, token: ta }, { url: b.url, token: tb }, 'top', {
      tier: 'leader',
    });
  return { A, B, a, b, ta, tb, audience: (ops as unknown as { audience: string }).audience };
}

// API bodies are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The protocol-violation alarm Alpha recorded for `e`, once there is one. */
async function violationAlarm(p: Pair, e: Signed): Promise<Json> {
  return waitFor(
    `Alpha's alarm naming Bravo's seq ${e.seq}`,
    async () => {
      const r = await api(p.a.url, p.ta).get('/api/v1/alarms');
      return (r.json.alarms as Json[]).find(
        (x) => x.type === 'protocol-violation' && x.of?.hash === e.hash,
      );
    },
    WAIT_MS,
  );
}

async function channels(p: Pair): Promise<Json[]> {
  const r = await api(p.a.url, p.ta).get('/api/v1/channels');
  expect(r.status).toBe(200);
  return r.json.channels as Json[];
}

describe('a peer signing entries whose bodies fail their schema', () => {
  it('a proposal with agreement null and a message on it: channels stay 200, own FLASH keeps its deadline', async () => {
    const p = await pair();
    const [bad] = await inject(p.B, p.audience, [
      { kind: 'channel-propose', channel: 'bad', body: { agreement: null, by: 'mallory' } },
      {
        kind: 'message',
        channel: 'bad',
        body: { precedence: 'FLASH', text: 'on a channel nobody agreed', author: 'mallory' },
      },
    ]);
    const alarm = await violationAlarm(p, bad!);
    expect(alarm).toMatchObject({
      station: p.B.station,
      of: { station: p.B.station, audience: p.audience, seq: bad!.seq, hash: bad!.hash },
      channel: 'bad',
    });
    expect(alarm.reason).toContain('/body/agreement');
    expect(alarm.ref.station).toBe(p.A.station);

    const list = await channels(p);
    expect(list.map((c) => c.name)).toEqual(['ops']);
    expect(list[0]).toMatchObject({ status: 'open', tier: 'theater' });

    const sent = await api(p.a.url, p.ta).send(
      'own flash after the hostile proposal',
      'FLASH',
      'ops',
    );
    const mine = await waitFor(
      'own FLASH delivered with a deadline',
      async () =>
        (
          (await api(p.a.url, p.ta).get('/api/v1/messages?channel=ops')).json.messages as Json[]
        ).find((m) => m.id === sent.id && m.status.delivered && m.status.deadline !== null),
      WAIT_MS,
    );
    // FLASH: the theater agreement's FLASH objective from its delivery.
    const flash = list[0].agreement.handling.FLASH as number;
    expect(mine.status.deadline).toBe(mine.status.deliveredAt + flash);
    expect((await api(p.a.url, p.ta).get('/api/v1/channels')).status).toBe(200);

    // `parley verify` of Alpha's bundle: the log is intact, the hostile body is reported with its code.
    const out = join(await tempRoot('parley-bodies-bundle-'), 'bundle');
    await exportBundle(p.a.station.handle.store, out, {
      exporter: await stationExporter(p.A.dir, p.a.station.handle.store),
    });
    const res = await verifyBundleDir(out, { trustedKeys: [p.A.key, p.B.key] as PublicKeyB64[] });
    if (!res.ok) throw new Error(`bundle refused: ${JSON.stringify(res.failure)}`);
    expect(res.violations).toEqual([
      expect.objectContaining({
        code: 'PARLEY_E_ENTRY_BODY',
        station: p.B.station,
        audience: p.audience,
        seq: bad!.seq,
        kind: 'channel-propose',
        path: '/body/agreement',
      }),
    ]);
    expect(res.violationCount).toBe(1);
  }, 60_000);

  it('an alarm whose reason is {"toString":1}, then a FLASH: the FLASH is listed', async () => {
    const p = await pair();
    const [bad, flash] = await inject(p.B, p.audience, [
      {
        kind: 'alarm',
        channel: 'ops',
        body: { type: 'understood-overdue', reason: { toString: 1 } },
      },
      {
        kind: 'message',
        channel: 'ops',
        body: { precedence: 'FLASH', text: 'after the bad alarm', author: 'bob' },
      },
    ]);
    const alarm = await violationAlarm(p, bad!);
    expect(alarm.reason).toContain('/body/reason');
    const listed = await waitFor(
      'the FLASH after the bad alarm listed at Alpha',
      async () =>
        (
          (await api(p.a.url, p.ta).get('/api/v1/messages?channel=ops')).json.messages as Json[]
        ).find((m) => m.seq === flash!.seq && m.station === p.B.station),
      WAIT_MS,
    );
    expect(listed).toMatchObject({ precedence: 'FLASH', text: 'after the bad alarm' });
    // The hostile alarm itself is not in the hotline's alarms (only Alpha's alarm about it).
    const alarms = (await api(p.a.url, p.ta).get('/api/v1/alarms')).json.alarms as Json[];
    expect(alarms.some((x) => x.ref.hash === bad!.hash)).toBe(false);
  }, 60_000);

  it('after a restart, channels are intact and the leader tier still needs a second person', async () => {
    const p = await pair(true);
    const [badAlarm, badProposal] = await inject(p.B, p.audience, [
      { kind: 'alarm', channel: 'ops', body: { type: 'x', reason: { toString: 1 } } },
      // The same name as an agreed channel, with a tier that would drop the two-person rule.
      {
        kind: 'channel-propose',
        channel: 'top',
        body: { agreement: { tier: 'tactical', handling: null }, by: 'mallory' },
      },
    ]);
    await violationAlarm(p, badAlarm!);
    await violationAlarm(p, badProposal!);

    // Restart Alpha on the same port (Bravo's peer record names it).
    const port = Number(new URL(p.a.url).port);
    await p.a.station.close();
    running.delete(p.a.station);
    p.a = await start(p.A, port);

    const list = await channels(p);
    expect(list.map((c) => [c.name, c.status, c.tier]).sort()).toEqual([
      ['ops', 'open', 'theater'],
      ['top', 'open', 'leader'],
    ]);
    const operator = await token(p.A, 'operator');
    const r = await api(p.a.url, operator).post('/api/v1/messages', {
      channel: 'top',
      precedence: 'FLASH',
      text: 'needs a second person',
    });
    expect(r.status).toBe(202);
    expect(r.json.draft).toMatchObject({ channel: 'top' });
    // Each violation is alarmed once, also across the restart.
    const alarms = (await api(p.a.url, p.ta).get('/api/v1/alarms')).json.alarms as Json[];
    for (const e of [badAlarm!, badProposal!])
      expect(alarms.filter((x) => x.of?.hash === e.hash)).toHaveLength(1);
  }, 60_000);
});
