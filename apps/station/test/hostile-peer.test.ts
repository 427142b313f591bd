// Hostile peers and bad input. A real station (Alpha) is paired with an honest real station
// (Bravo) and with a scriptable fake peer (Foxtrot, ./fake-peer.ts) that signs with its own key.
// Every attack must be refused with a coded error and counted in /metrics, store nothing, and
// leave the link to the honest peer working.
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseEntryLine } from '@parley/ledger';
import type { PublicKeyB64 } from '@parley/core';
import { H, POOL_MIN_BATCH } from '@parley/link';
import { exportBundle, verifyBundleDir } from '@parley/store';
import type { StoredEntry } from '@parley/store';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import type { StationLinks } from '../src/ha.js';
import { addPeer, api, makeStation, tempRoot, token, waitFor } from './harness.js';
import type { StationDir } from './harness.js';
import { DAY_MS, FakePeer, newIdentity, scripts, TOLERATED_SKEW_MS } from './fake-peer.js';
import type { FakeClient, PullScript, Reply } from './fake-peer.js';

const running: { close: () => Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((r) => r.close()));
});

/** Bounded: every wait in this file gives up after this long. */
const WAIT_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  A: StationDir;
  B: StationDir;
  a: { station: Station; url: string };
  b: { station: Station; url: string };
  ta: string;
  tb: string;
  fake: FakePeer;
  /** The fake peer's client, aimed at Alpha. */
  client: FakeClient;
}

/** Starts a station's server only (its links start once every pairing is in place). */
async function serve(s: StationDir): Promise<{ station: Station; url: string }> {
  const station = await buildStation({
    dataDir: s.dir,
    heartbeatMs: 250,
    pullWaitMs: 2000,
    peerReloadMs: 200,
  });
  running.push(station);
  await station.app.listen({ host: '127.0.0.1', port: 0 });
  return { station, url: `http://127.0.0.1:${(station.app.server.address() as AddressInfo).port}` };
}

/**
 * Alpha pulls Bravo and Foxtrot (fake); Bravo pulls Alpha; Foxtrot trusts Alpha's requests. Both
 * stations are paired before either link starts, so no first pull is refused as unknown.
 */
async function setup(): Promise<Ctx> {
  const root = await tempRoot('parley-hostile-');
  const A = await makeStation(root, 'Alpha');
  const B = await makeStation(root, 'Bravo');
  const fake = await FakePeer.start('Foxtrot');
  running.push(fake);
  fake.trust(A.station, A.key);
  fake.feed.messages(2, 'honest');
  const a = await serve(A);
  const b = await serve(B);
  await addPeer(A, B, [b.url]);
  await addPeer(A, fake.dir as StationDir, [fake.url]);
  await addPeer(B, A, [a.url]);
  // What listen() does after binding: load the peers, then lead (SQLite: this process alone).
  await Promise.all(
    [a.station, b.station].map(async (st) => {
      await st.links.start();
      await (st.links as StationLinks).lead(undefined);
    }),
  );
  const c: Ctx = {
    A,
    B,
    a,
    b,
    ta: await token(A),
    tb: await token(B),
    fake,
    client: fake.client({ url: a.url, station: A.station, key: A.key }),
  };
  await waitFor(
    'Alpha holds Foxtrot and Bravo is up',
    async () => {
      const h = await health(c.a.url);
      const f = peer(h, 'Foxtrot');
      const br = peer(h, 'Bravo');
      return f?.size === fake.feed.size && br?.state === 'UP' && br.size > 0;
    },
    WAIT_MS,
  );
  await settle(c);
  return c;
}

// Health and metrics bodies are checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function health(url: string): Promise<Json> {
  const r = await api(url).get('/api/v1/health');
  if (r.status !== 200) throw new Error(`health ${r.status}`);
  return r.json;
}

function peer(h: Json, name: string): Json {
  return (h.peers as Json[]).find((p) => p.name === name);
}

/** Sum of `parley_link_rejected_total` series matching `labels`, from GET /metrics. */
async function rejected(url: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^parley_link_rejected_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const ls = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => ls[k] === v)) n += Number(m[2]);
  }
  return n;
}

const dataRejected = (c: Ctx, code?: string) =>
  rejected(c.a.url, { direction: 'inbound-data', peer: 'Foxtrot', ...(code ? { code } : {}) });

const requestRejected = (c: Ctx, code: string, from: string) =>
  rejected(c.a.url, { direction: 'inbound-request', peer: from, code });

/** Foxtrot's feed as Alpha stores it. */
const held = (c: Ctx): Promise<StoredEntry[]> =>
  c.a.station.handle.store.entries(c.fake.station, 0, 10_000);

/** Alpha's own feeds: its identity feed and its audience feeds (ADR 0003). */
async function own(c: Ctx): Promise<StoredEntry[]> {
  const { store } = c.a.station.handle;
  const out: StoredEntry[] = [];
  for (const f of await store.feeds())
    if (f.station === c.A.station || f.station.startsWith(`${c.A.station}/`))
      out.push(...(await store.entries(f.station, 0, 100_000)));
  return out;
}

/** Waits until nothing moves: both stations' own feeds and Alpha's copies keep their sizes over a few polls. */
async function settle(c: Ctx): Promise<void> {
  let last = '';
  let same = 0;
  const end = Date.now() + WAIT_MS;
  while (same < 3) {
    if (Date.now() > end) throw new Error('stations did not settle');
    const [ha, hb] = await Promise.all([health(c.a.url), health(c.b.url)]);
    const now = JSON.stringify([
      ha.size,
      hb.size,
      ha.peers.map((p: Json) => p.size),
      hb.peers.map((p: Json) => p.size),
    ]);
    same = now === last ? same + 1 : 0;
    last = now;
    await sleep(100);
  }
}

/**
 * Foxtrot's feed held by Alpha is exactly Foxtrot's first `n` honest entries: the same lines,
 * seq 1..n once each, each chained to the one before (gap-free, nothing twice).
 */
async function expectHeld(c: Ctx, n: number): Promise<void> {
  const rows = await held(c);
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(rows.map((r) => r.line)).toEqual(c.fake.feed.entries.slice(0, n).map((e) => e.line));
  rows.forEach((r, i) => expect(r.prev).toBe(i === 0 ? '0'.repeat(64) : rows[i - 1]!.hash));
  expect(peer(await health(c.a.url), 'Foxtrot').size).toBe(n);
}

/**
 * Alpha's own feed holds nothing stray: no alarm (unless `alarms` are expected), only the kinds
 * a station writes by itself, and its receipts and cosignatures for Foxtrot cover only entries
 * it holds (nothing was answered for refused data).
 */
async function expectNoStray(c: Ctx, alarms = 0): Promise<void> {
  const rows = await own(c);
  const heldRows = await held(c);
  const kinds = new Set(rows.map((r) => r.kind));
  for (const k of kinds) expect(['genesis', 'receipt', 'cosignature', 'alarm']).toContain(k);
  expect(rows.filter((r) => r.kind === 'alarm')).toHaveLength(alarms);
  for (const r of rows) {
    const body = parseEntryLine(r.line).body;
    if (body.station !== c.fake.station) continue;
    if (r.kind === 'receipt') {
      expect(body.upTo).toBeLessThanOrEqual(heldRows.length);
      expect(body.hash).toBe(c.fake.feed.hashAt(body.upTo as number));
    }
    if (r.kind === 'cosignature') {
      expect(body.size).toBeLessThanOrEqual(heldRows.length);
      expect(body.root).toBe(c.fake.feed.root(body.size as number));
    }
  }
}

/** The honest peer still gets through: a message from Bravo is stored by Alpha and receipted back. */
let sent = 0;
async function expectHonestLinkWorks(c: Ctx, what: string): Promise<void> {
  const text = `${what} #${++sent}`;
  await api(c.b.url, c.tb).send(text);
  await waitFor(
    `Alpha holds "${text}" from Bravo, and Bravo sees it delivered`,
    async () => {
      const atA = (await api(c.a.url, c.ta).messages()).some(
        (m) => m.station === c.B.station && m.text === text,
      );
      const atB = (await api(c.b.url, c.tb).messages()).find((m) => m.text === text);
      return atA && atB?.status.delivered;
    },
    WAIT_MS,
  );
}

/**
 * A refusal as the spec says: the status and the code in the JSON body; signed by Alpha only if
 * the request authenticated (`signed`), else unsigned: no signing oracle for anyone (§7).
 */
function expectRefused(r: Reply, status: number, code: string, signed = false): void {
  expect({ status: r.status, code: r.json?.code }).toEqual({ status, code });
  expect(typeof r.json.message).toBe('string');
  expect(r.signed).toBe(signed);
  if (!signed) expect(r.headers[H.signature]).toBeUndefined();
}

describe('inbound requests from a hostile peer', () => {
  /**
   * Runs `attack` against a settled pair and checks the common outcome: the expected codes are
   * counted (by how many), Alpha's own feed and its copies of both peers are unchanged, and
   * Bravo still gets through.
   */
  async function attackRequests(
    c: Ctx,
    counted: { code: string; from: string; n: number }[],
    attack: () => Promise<void>,
  ): Promise<void> {
    const before = await Promise.all(counted.map((x) => requestRejected(c, x.code, x.from)));
    const h0 = await health(c.a.url);
    const own0 = await own(c);
    await attack();
    const after = await Promise.all(counted.map((x) => requestRejected(c, x.code, x.from)));
    expect(after.map((n, i) => n - before[i]!)).toEqual(counted.map((x) => x.n));
    const h1 = await health(c.a.url);
    expect(h1.size).toBe(h0.size);
    expect(h1.peers.map((p: Json) => [p.name, p.size, p.halted])).toEqual(
      h0.peers.map((p: Json) => [p.name, p.size, p.halted]),
    );
    expect((await own(c)).map((r) => r.line)).toEqual(own0.map((r) => r.line));
    await expectHeld(c, c.fake.feed.size);
    await expectNoStray(c);
    await expectHonestLinkWorks(c, `after ${expect.getState().currentTestName}`);
  }

  it('accepts the fake peer when it behaves (control)', async () => {
    const c = await setup();
    await attackRequests(c, [], async () => {
      const hb = await c.client.heartbeat();
      expect(hb.status).toBe(200);
      expect(hb.signed).toBe(true);
      expect(hb.json).toEqual({
        station: c.A.station,
        ts: expect.any(Number),
        head: expect.any(Number),
      });
      const pull = await c.client.pull(0);
      expect(pull.status).toBe(200);
      expect(pull.json.station).toBe(c.A.station);
      // The station's identity feed, and no audience feed: none is shared with the fake peer.
      expect(pull.json.feeds.map((f: { audience: string | null }) => f.audience)).toEqual([null]);
      expect(pull.json.feeds[0].entries.length).toBeGreaterThan(0);
      // A date within the replay window is fine.
      expect((await c.client.heartbeat({ skewMs: TOLERATED_SKEW_MS })).status).toBe(200);
      expect((await c.client.heartbeat({ skewMs: -TOLERATED_SKEW_MS })).status).toBe(200);
    });
  });

  it('refuses a forged request signature (401 PARLEY_E_LINK_AUTH_SIGNATURE), which burns no nonce', async () => {
    const c = await setup();
    const intruder = newIdentity();
    const F = c.fake.station;
    await attackRequests(
      c,
      [
        { code: 'PARLEY_E_LINK_AUTH_SIGNATURE', from: F, n: 4 },
        { code: 'PARLEY_E_LINK_AUTH_SIGNATURE', from: c.B.station, n: 1 },
      ],
      async () => {
        const nonce = 'AAAAAAAAAAAAAAAAAAAAAA';
        const forged = await c.client.heartbeat({ signer: intruder.signer, nonce });
        expectRefused(forged, 401, 'PARLEY_E_LINK_AUTH_SIGNATURE');
        // A body changed on the path, a request signed for another station, a garbage signature.
        expectRefused(
          await c.client.heartbeat({ signBody: '{"ts":1,"head":1}' }),
          401,
          'PARLEY_E_LINK_AUTH_SIGNATURE',
        );
        expectRefused(
          await c.client.pull(0, { target: c.B.station }),
          401,
          'PARLEY_E_LINK_AUTH_SIGNATURE',
        );
        const bad = await c.client.replay({
          ...forged.request,
          headers: { ...forged.request.headers, [H.signature]: 'not base64url!' },
        });
        expectRefused(bad, 401, 'PARLEY_E_LINK_AUTH_SIGNATURE');
        // Impersonating the honest peer with the fake's key.
        expectRefused(
          await c.client.heartbeat({ station: c.B.station }),
          401,
          'PARLEY_E_LINK_AUTH_SIGNATURE',
        );
        // The forger could not spend the nonce: the real station may still use it.
        expect((await c.client.heartbeat({ nonce })).status).toBe(200);
      },
    );
  });

  it('refuses a replayed request byte for byte (401 PARLEY_E_LINK_AUTH_REPLAY)', async () => {
    const c = await setup();
    await attackRequests(
      c,
      [{ code: 'PARLEY_E_LINK_AUTH_REPLAY', from: c.fake.station, n: 3 }],
      async () => {
        const hb = await c.client.heartbeat();
        expect(hb.status).toBe(200);
        expectRefused(await c.client.replay(hb.request), 401, 'PARLEY_E_LINK_AUTH_REPLAY');
        expectRefused(await c.client.replay(hb.request), 401, 'PARLEY_E_LINK_AUTH_REPLAY');
        const pull = await c.client.pull(1);
        expect(pull.status).toBe(200);
        expectRefused(await c.client.replay(pull.request), 401, 'PARLEY_E_LINK_AUTH_REPLAY');
      },
    );
  });

  it('refuses an unknown station (403 PARLEY_E_LINK_UNKNOWN_STATION), labelled "unpaired"', async () => {
    const c = await setup();
    const stranger = new FakePeer('Stranger');
    const client = stranger.client({ url: c.a.url, station: c.A.station, key: c.A.key });
    await attackRequests(
      c,
      [{ code: 'PARLEY_E_LINK_UNKNOWN_STATION', from: 'unpaired', n: 3 }],
      async () => {
        expectRefused(await client.heartbeat(), 403, 'PARLEY_E_LINK_UNKNOWN_STATION');
        expectRefused(await client.pull(0), 403, 'PARLEY_E_LINK_UNKNOWN_STATION');
        expectRefused(
          await client.heartbeat({ station: 'stn_000000000000000000000000' }),
          403,
          'PARLEY_E_LINK_UNKNOWN_STATION',
        );
      },
    );
    // No metric series was minted for the stranger's id.
    expect(await rejected(c.a.url, { peer: stranger.station })).toBe(0);
  });

  it('refuses an oversized body (413 PARLEY_E_LINK_BODY_TOO_LARGE) before reading it', async () => {
    const c = await setup();
    const big = JSON.stringify({ ts: Date.now(), head: 1, pad: 'x'.repeat(70 * 1024) });
    expect(big.length).toBeGreaterThan(64 * 1024);
    await attackRequests(
      c,
      [{ code: 'PARLEY_E_LINK_BODY_TOO_LARGE', from: c.fake.station, n: 3 }],
      async () => {
        expectRefused(
          await c.client.heartbeat({ rawBody: big }),
          413,
          'PARLEY_E_LINK_BODY_TOO_LARGE',
        );
        // 1 MiB, even signed by nobody.
        expectRefused(
          await c.client.heartbeat({ rawBody: 'y'.repeat(1 << 20), omit: [H.signature] }),
          413,
          'PARLEY_E_LINK_BODY_TOO_LARGE',
        );
        // Another content type is held to the same limit (it once escaped it, up to 1 MiB).
        expectRefused(
          await c.client.heartbeat({
            rawBody: 'z'.repeat(200 * 1024),
            contentType: 'text/plain',
            signBody: '',
          }),
          413,
          'PARLEY_E_LINK_BODY_TOO_LARGE',
        );
      },
    );
  });

  it('refuses a malformed JSON body (400 PARLEY_E_LINK_MALFORMED) and a body of the wrong shape (400)', async () => {
    const c = await setup();
    await attackRequests(
      c,
      [
        { code: 'PARLEY_E_LINK_MALFORMED', from: c.fake.station, n: 4 },
        { code: 'PARLEY_E_BAD_REQUEST', from: c.fake.station, n: 2 },
      ],
      async () => {
        expectRefused(
          await c.client.heartbeat({ rawBody: '{"ts": 1, "head":' }),
          400,
          'PARLEY_E_LINK_MALFORMED',
        );
        expectRefused(
          await c.client.heartbeat({ rawBody: '\u0000\u00ff garbage' }),
          400,
          'PARLEY_E_LINK_MALFORMED',
        );
        // A body of another type, signed as if empty: once verified over no body at all.
        expectRefused(
          await c.client.heartbeat({
            rawBody: '{"ts":1,"head":1}',
            contentType: 'text/plain',
            signBody: '',
          }),
          400,
          'PARLEY_E_LINK_MALFORMED',
        );
        expectRefused(
          await c.client.heartbeat({ contentType: null }),
          400,
          'PARLEY_E_LINK_MALFORMED',
        );
        // Valid JSON, validly signed, but not a heartbeat; and a pull with a bad query.
        expectRefused(
          await c.client.heartbeat({ body: { ts: 'soon', head: -1, extra: true } }),
          400,
          'PARLEY_E_BAD_REQUEST',
          true,
        );
        expectRefused(
          await c.client.send({
            path: '/link/v1/pull',
            body: { feeds: [{ audience: null, after: -1 }], limit: 999999 },
          }),
          400,
          'PARLEY_E_BAD_REQUEST',
          true,
        );
      },
    );
  });

  it('refuses a clock skewed by a day either way (401 PARLEY_E_LINK_CLOCK_SKEW)', async () => {
    const c = await setup();
    await attackRequests(
      c,
      [{ code: 'PARLEY_E_LINK_CLOCK_SKEW', from: c.fake.station, n: 4 }],
      async () => {
        for (const skewMs of [DAY_MS, -DAY_MS]) {
          expectRefused(await c.client.heartbeat({ skewMs }), 401, 'PARLEY_E_LINK_CLOCK_SKEW');
          expectRefused(await c.client.pull(0, { skewMs }), 401, 'PARLEY_E_LINK_CLOCK_SKEW');
        }
      },
    );
  });

  it('refuses requests with missing headers (401 PARLEY_E_LINK_AUTH_MISSING)', async () => {
    const c = await setup();
    const all = [H.station, H.date, H.nonce, H.signature];
    await attackRequests(
      c,
      [
        { code: 'PARLEY_E_LINK_AUTH_MISSING', from: c.fake.station, n: 3 },
        { code: 'PARLEY_E_LINK_AUTH_MISSING', from: 'unpaired', n: 2 },
      ],
      async () => {
        for (const h of all) {
          expectRefused(await c.client.heartbeat({ omit: [h] }), 401, 'PARLEY_E_LINK_AUTH_MISSING');
        }
        expectRefused(await c.client.pull(0, { omit: all }), 401, 'PARLEY_E_LINK_AUTH_MISSING');
      },
    );
  });
});

describe('bad data served by a hostile peer', () => {
  /**
   * Foxtrot serves `script` while it has `append` new entries: Alpha must count `code` at least
   * `times` times, store none of it (its copy stays at the old size, its own feed unchanged), and
   * not halt. Then Foxtrot turns honest and the entries arrive, gap-free and once each.
   */
  async function refusedThenRecovered(
    c: Ctx,
    script: PullScript,
    code: string,
    opts: { append?: number; times?: number } = {},
  ): Promise<void> {
    const size0 = c.fake.feed.size;
    const own0 = (await own(c)).length;
    const before = await dataRejected(c, code);
    c.fake.script(script);
    c.fake.feed.messages(opts.append ?? 3, 'withheld');
    await waitFor(
      `${code} counted ${opts.times ?? 2} times`,
      async () => (await dataRejected(c, code)) - before >= (opts.times ?? 2),
      WAIT_MS,
    );
    await expectHeld(c, size0);
    expect((await own(c)).length).toBe(own0);
    await expectNoStray(c);
    expect(peer(await health(c.a.url), 'Foxtrot').halted).toBeNull();

    const pulls = c.fake.pullCount;
    c.fake.script(scripts.honest());
    await waitFor(
      'Foxtrot caught up honestly',
      async () => peer(await health(c.a.url), 'Foxtrot').size === c.fake.feed.size,
      WAIT_MS,
    );
    await waitFor('Alpha pulls again', async () => c.fake.pullCount > pulls, WAIT_MS);
    await expectHeld(c, c.fake.feed.size);
    await settle(c);
    await expectNoStray(c);
    await expectHonestLinkWorks(c, `after ${code}`);
  }

  it('a served entry with a gap: PARLEY_E_ENTRY_SEQ, nothing stored', async () => {
    const c = await setup();
    await refusedThenRecovered(c, scripts.gap(), 'PARLEY_E_ENTRY_SEQ');
  });

  it('a gap after a good first entry: the whole batch is refused, the good entry too', async () => {
    const c = await setup();
    await refusedThenRecovered(c, scripts.gapAfterFirst(), 'PARLEY_E_ENTRY_SEQ', { append: 4 });
  });

  it('a wrong prev-hash, not validly signed: PARLEY_E_ENTRY_PREV_HASH, a plain rejection (no alarm)', async () => {
    const c = await setup();
    await refusedThenRecovered(
      c,
      scripts.wrongPrev(newIdentity().signer),
      'PARLEY_E_ENTRY_PREV_HASH',
    );
    expect(await c.a.station.handle.store.entriesOfKind(c.A.station, ['alarm'])).toEqual([]);
  });

  it('a forged entry signature: PARLEY_E_ENTRY_SIGNATURE', async () => {
    const c = await setup();
    await refusedThenRecovered(
      c,
      scripts.forgeSignature(newIdentity().signer),
      'PARLEY_E_ENTRY_SIGNATURE',
    );
  });

  it('a forged signature deep in a large batch (verified on the pool): PARLEY_E_ENTRY_SIGNATURE, nothing stored', async () => {
    const c = await setup();
    const n = POOL_MIN_BATCH * 4;
    await refusedThenRecovered(
      c,
      scripts.forgeSignatureAt(newIdentity().signer, n - 10),
      'PARLEY_E_ENTRY_SIGNATURE',
      { append: n },
    );
  });

  it('an entry timestamped a day in the future: PARLEY_E_LINK_CLOCK_SKEW', async () => {
    const c = await setup();
    await refusedThenRecovered(c, scripts.futureTs(DAY_MS), 'PARLEY_E_LINK_CLOCK_SKEW');
  });

  it("an entry of another station's feed: PARLEY_E_ENTRY_WRONG_STATION", async () => {
    const c = await setup();
    await refusedThenRecovered(
      c,
      scripts.wrongStation(newIdentity()),
      'PARLEY_E_ENTRY_WRONG_STATION',
    );
  });

  it('duplicated entries: refused (PARLEY_E_ENTRY_SEQ), never stored twice', async () => {
    const c = await setup();
    await refusedThenRecovered(c, scripts.duplicate(), 'PARLEY_E_ENTRY_SEQ');
  });

  it('reordered entries: refused (PARLEY_E_ENTRY_SEQ), then stored in order once', async () => {
    const c = await setup();
    await refusedThenRecovered(c, scripts.reorder(), 'PARLEY_E_ENTRY_SEQ');
  });

  it('re-sent entries already held: harmless, stored once, nothing refused', async () => {
    const c = await setup();
    const before = await dataRejected(c);
    c.fake.script(scripts.resend());
    c.fake.feed.messages(3, 'resent');
    await waitFor(
      'the new entries arrive',
      async () => peer(await health(c.a.url), 'Foxtrot').size === c.fake.feed.size,
      WAIT_MS,
    );
    c.fake.feed.messages(1, 'resent again');
    await waitFor(
      'and the next one',
      async () => peer(await health(c.a.url), 'Foxtrot').size === c.fake.feed.size,
      WAIT_MS,
    );
    await expectHeld(c, c.fake.feed.size);
    expect(await dataRejected(c)).toBe(before);
    await settle(c);
    await expectNoStray(c);
    await expectHonestLinkWorks(c, 'after re-sent entries');
  });

  it('withheld entries: nothing breaks, nothing is refused, they arrive once released', async () => {
    const c = await setup();
    const size0 = c.fake.feed.size;
    const before = await dataRejected(c);
    c.fake.script(scripts.withhold());
    c.fake.feed.messages(3, 'withheld');
    const pulls = c.fake.pullCount;
    await waitFor('Alpha keeps pulling', async () => c.fake.pullCount >= pulls + 2, WAIT_MS);
    await expectHeld(c, size0);
    const h = await health(c.a.url);
    expect(peer(h, 'Foxtrot')).toMatchObject({ state: 'UP', halted: null, size: size0 });
    expect(await dataRejected(c)).toBe(before);
    await expectHonestLinkWorks(c, 'while Foxtrot withholds');
    c.fake.script(scripts.honest());
    await waitFor(
      'the withheld entries arrive',
      async () => peer(await health(c.a.url), 'Foxtrot').size === c.fake.feed.size,
      WAIT_MS,
    );
    await expectHeld(c, c.fake.feed.size);
    expect(await dataRejected(c)).toBe(before);
    await settle(c);
    await expectNoStray(c);
  });

  it('a response signed by the wrong key, unsigned, or replayed: PARLEY_E_LINK_AUTH_SIGNATURE', async () => {
    const c = await setup();
    await refusedThenRecovered(
      c,
      scripts.signWith(newIdentity().signer),
      'PARLEY_E_LINK_AUTH_SIGNATURE',
    );
    await refusedThenRecovered(c, scripts.unsigned(), 'PARLEY_E_LINK_AUTH_SIGNATURE');
    // A validly signed response captured for an earlier pull, replayed to a new one.
    const captured = c.fake.lastResponse;
    expect(captured).toBeDefined();
    await refusedThenRecovered(
      c,
      scripts.replayResponse(captured!),
      'PARLEY_E_LINK_AUTH_SIGNATURE',
    );
    // Heartbeat replies signed by the wrong key are refused too; the path recovers once they stop.
    const before = await dataRejected(c, 'PARLEY_E_LINK_AUTH_SIGNATURE');
    c.fake.heartbeatSigner = newIdentity().signer;
    await waitFor(
      'forged heartbeat replies refused',
      async () => (await dataRejected(c, 'PARLEY_E_LINK_AUTH_SIGNATURE')) > before,
      WAIT_MS,
    );
    c.fake.heartbeatSigner = undefined;
    await waitFor(
      "Foxtrot's path is UP again",
      async () => peer(await health(c.a.url), 'Foxtrot').state === 'UP',
      WAIT_MS,
    );
    await expectHeld(c, c.fake.feed.size);
    await expectNoStray(c);
  });

  it('a malformed response body (not JSON, wrong shape): PARLEY_E_LINK_MALFORMED', async () => {
    const c = await setup();
    await refusedThenRecovered(c, scripts.notJson(), 'PARLEY_E_LINK_MALFORMED');
    await refusedThenRecovered(c, scripts.wrongShape(), 'PARLEY_E_LINK_MALFORMED');
  });

  it('a checkpoint signed by another key: PARLEY_E_CHECKPOINT_SIGNATURE, no alarm', async () => {
    const c = await setup();
    await refusedThenRecovered(
      c,
      scripts.forgeCheckpoint(newIdentity().signer),
      'PARLEY_E_CHECKPOINT_SIGNATURE',
      { append: 0 },
    );
    expect(await c.a.station.handle.store.entriesOfKind(c.A.station, ['alarm'])).toEqual([]);
  });
});

describe('an equivocating peer', () => {
  /**
   * Foxtrot equivocates with `script`: Alpha counts `code`, writes one alarm entry in its own
   * feed (with the signed evidence), shows Foxtrot halted, stores nothing of it, and from then on
   * takes nothing from Foxtrot, while Bravo still gets through.
   */
  async function halts(c: Ctx, script: PullScript, code: string, reason: RegExp): Promise<Json> {
    const size0 = c.fake.feed.size;
    const before = await dataRejected(c, code);
    const eqBefore = await rejected(c.a.url, {});
    c.fake.script(script);
    await waitFor(`${code} counted`, async () => (await dataRejected(c, code)) > before, WAIT_MS);
    const h = await waitFor(
      'Foxtrot halted',
      async () => {
        const f = peer(await health(c.a.url), 'Foxtrot');
        return f.halted ? f : undefined;
      },
      WAIT_MS,
    );
    expect(h.halted.reason).toMatch(reason);
    expect(h.size).toBe(size0);
    expect(await rejected(c.a.url, {})).toBeGreaterThan(eqBefore);
    const metrics = await (await fetch(`${c.a.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_equivocations_total\{peer="Foxtrot"\} 1$/m);

    // The alarm is in Alpha's feed for the audience of Alpha and Foxtrot, where the two meet.
    const alarms = (await own(c)).filter((r) => r.kind === 'alarm');
    expect(alarms).toHaveLength(1);
    const alarm = parseEntryLine(alarms[0]!.line);
    expect(alarm.body).toMatchObject({ type: 'equivocation', station: c.fake.station });
    expect(typeof alarm.body.evidence).toBe('string');
    await expectHeld(c, size0);
    await expectNoStray(c, 1);

    // Its feed is no longer accepted, even honest entries; no further pull is even made.
    c.fake.script(scripts.honest());
    c.fake.feed.messages(2, 'after the halt');
    const pulls = c.fake.pullCount;
    const t0 = Date.now();
    await expectHonestLinkWorks(c, `after ${code}`);
    // A link that was not halted would pull again within its longest back-off (1 s).
    await sleep(Math.max(0, 1500 - (Date.now() - t0)));
    expect(c.fake.pullCount).toBe(pulls);
    await expectHeld(c, size0);
    expect(peer(await health(c.a.url), 'Foxtrot').halted).not.toBeNull();
    return alarm.body;
  }

  it('a different validly signed entry for a seq already served: alarm, halted', async () => {
    const c = await setup();
    const body = await halts(
      c,
      scripts.equivocateAt(2),
      'PARLEY_E_LINK_EQUIVOCATION',
      /two different entries signed for seq 2/,
    );
    const evidence = parseEntryLine(body.evidence as string);
    expect(evidence.seq).toBe(2);
    expect(evidence.sig).not.toBe(c.fake.feed.at(2).entry.sig);
  });

  it('two different validly signed entries for the same new seq in one answer: alarm, halted', async () => {
    const c = await setup();
    const body = await halts(
      c,
      scripts.twoVersionsOfNext(),
      'PARLEY_E_LINK_EQUIVOCATION',
      /two different entries signed for seq/,
    );
    const evidence = parseEntryLine(body.evidence as string);
    expect(evidence.sig).not.toBe(c.fake.feed.at(evidence.seq).entry.sig);
  });

  it('a fork at head (validly signed, chained to another history): alarm, halted; the bundle verifies', async () => {
    const c = await setup();
    const size0 = c.fake.feed.size;
    const body = await halts(c, scripts.forkAtHead(), 'PARLEY_E_ENTRY_PREV_HASH', /a fork/);
    const evidence = parseEntryLine(body.evidence as string);
    expect(evidence.seq).toBe(size0 + 1);
    expect(evidence.prev).not.toBe(c.fake.feed.hashAt(size0));
    // The alarm is part of Alpha's signed feed: an export shows it and verifies offline.
    await settle(c);
    const out = join(await tempRoot('parley-hostile-bundle-'), 'bundle');
    await exportBundle(c.a.station.handle.store, out, { exporter: c.a.station.handle.exporter });
    const res = await verifyBundleDir(out, {
      trustedKeys: [c.A.key, c.B.key, c.fake.key] as PublicKeyB64[],
    });
    expect(res.ok, JSON.stringify(res)).toBe(true);
  });

  it('a validly signed checkpoint with a wrong root: alarm, halted', async () => {
    const c = await setup();
    const body = await halts(
      c,
      scripts.wrongRootCheckpoint(),
      'PARLEY_E_CHECKPOINT_ROOT',
      /checkpoint of size \d+ contradicts/,
    );
    expect(JSON.parse(body.evidence as string)).toMatchObject({ station: c.fake.station });
  });
});
