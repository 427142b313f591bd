// An attacker on one path, with no keys (issue 15). Two real stations on loopback: Alpha pulls
// Bravo over two paths, path 1 through a hostile proxy (./hostile-path.ts) and path 2 direct;
// Bravo pulls Alpha directly. For each attack on path 1 — tampered bytes, a trickle, reordered
// answers, replayed requests, a black hole — path 1 must be reported not UP, the pull must move
// to path 2, a FLASH must arrive within the objective, and nothing may be lost or duplicated.
// And a station must not sign its refusals of requests that did not authenticate.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicKeyB64, StationId } from '@parley/core';
import { keyId, signerFromPem } from '@parley/ledger';
import { H, linkDeadlines } from '@parley/link';
import type { PathStatus, PeerStatus } from '@parley/link';
import { FakeClient, newIdentity } from './fake-peer.js';
import { HostilePath } from './hostile-path.js';
import type { PathMode } from './hostile-path.js';
import {
  addPeer,
  api,
  assertSettled,
  makeStation,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationDir } from './harness.js';
import type { Station } from '@parley/station';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

const HEARTBEAT_MS = 500;
const PULL_WAIT_MS = 2000;
const DEADLINES = linkDeadlines({
  heartbeatMs: HEARTBEAT_MS,
  pullWaitMs: PULL_WAIT_MS,
  pullLimit: 1000,
});
/**
 * The objective: a FLASH arrives within two heartbeat intervals (the hostile path is found out
 * within one, by a heartbeat or a pull that fails, plus that request's deadline) and one pull.
 */
const OBJECTIVE_MS = 2 * HEARTBEAT_MS + DEADLINES.pull;
/** Path 1 is DOWN after three failed exchanges: three heartbeat intervals and deadlines, and slack. */
const DOWN_MS = 3 * (HEARTBEAT_MS + DEADLINES.heartbeat) + DEADLINES.pull;

interface Side {
  dir: StationDir;
  url: string;
  token: string;
}

interface Ctx {
  a: Side;
  b: Side;
  path1: HostilePath;
  /** Alpha, in this process: its links' status carries each path's last error. */
  alpha: Station;
}

/** Alpha pulls Bravo over [hostile path 1, direct path 2]; Bravo pulls Alpha directly. Both paths UP. */
async function pair(): Promise<Ctx> {
  const root = await tempRoot('parley-hpath-');
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const [A, B] = [await makeStation(root, 'Alpha'), await makeStation(root, 'Bravo')];
  const opts = { heartbeatMs: HEARTBEAT_MS, pullWaitMs: PULL_WAIT_MS };
  const b = await startInProcess(B, opts);
  cleanup.push(() => b.station.close());
  const path1 = await HostilePath.start(b.url);
  cleanup.push(() => path1.close());
  await addPeer(A, B, [path1.url, b.url]);
  const a = await startInProcess(A, opts);
  cleanup.push(() => a.station.close());
  await addPeer(B, A, [a.url]);
  const ctx: Ctx = {
    a: { dir: A, url: a.url, token: await token(A) },
    b: { dir: B, url: b.url, token: await token(B) },
    path1,
    alpha: a.station,
  };
  await bravoAt(
    ctx,
    'both paths UP',
    (p) => p.state === 'UP' && p.paths.every((x) => x.state === 'UP'),
  );
  return ctx;
}

/** Alpha's view of its link to Bravo, once `ok` holds (bounded). */
async function bravoAt(
  c: Ctx,
  what: string,
  ok: (p: PeerStatus) => boolean,
  timeoutMs = 15_000,
): Promise<PeerStatus> {
  let last: PeerStatus | undefined;
  try {
    return await waitFor(
      `Alpha sees Bravo: ${what}`,
      async () => {
        // The public health shows each path's state; the links' own status also says why.
        const h = (await api(c.a.url).get('/api/v1/health')).json as { peers: PeerStatus[] };
        const shown = h.peers.find((x) => x.name === 'Bravo');
        last = c.alpha.links.status().find((x) => x.name === 'Bravo');
        if (!shown || !last) return undefined;
        return ok(shown) && ok(last) ? last : undefined;
      },
      timeoutMs,
      25,
    );
  } catch (err) {
    throw new Error(`${String(err)}; last seen: ${JSON.stringify(last?.paths)}`, { cause: err });
  }
}

/** Waits until Alpha holds Bravo's message `text`; returns how long that took from `t0`. */
async function arrival(c: Ctx, text: string, t0: number, timeoutMs: number): Promise<number> {
  await waitFor(
    `"${text}" at Alpha`,
    async () =>
      (await api(c.a.url, c.a.token).messages()).some(
        (m) => m.station === c.b.dir.station && m.text === text,
      ),
    timeoutMs,
    25,
  );
  return Date.now() - t0;
}

const ref = (s: Side) => ({ url: s.url, token: s.token, station: s.dir.station });

/** How each attack shows: path 1's state once found out, its last error, and the proxy's own count. */
const EXPECT: Record<
  Exclude<PathMode, 'pass'>,
  { state: 'DEGRADED' | 'DOWN'; error: RegExp; did: (p: HostilePath) => number }
> = {
  // Heartbeats still pass and verify; every pull is refused (its answer is an unsigned 400).
  tamper: {
    state: 'DEGRADED',
    error: /not signed.*answered 400 PARLEY_E_LINK_MALFORMED/,
    did: (p) => p.stats.tampered,
  },
  trickle: {
    state: 'DOWN',
    error: /did not answer in full|abandoned/,
    did: (p) => p.stats.trickledBytes,
  },
  // Heartbeats still pass and verify; a pull is given up at its deadline.
  'trickle-pulls': {
    state: 'DEGRADED',
    error: /did not answer in full within \d+ ms/,
    did: (p) => p.stats.trickledBytes,
  },
  reorder: {
    state: 'DOWN',
    error: /not signed|did not answer in full|abandoned/,
    did: (p) => p.stats.misdelivered,
  },
  // The replay's answer is an unsigned 401 PARLEY_E_LINK_AUTH_REPLAY.
  duplicate: {
    state: 'DOWN',
    error: /not signed.*PARLEY_E_LINK_AUTH_REPLAY|abandoned/,
    did: (p) => p.stats.replayed,
  },
  blackhole: {
    state: 'DOWN',
    error: /did not answer in full|abandoned/,
    did: (p) => p.stats.swallowed,
  },
};

describe('a hostile path among two', () => {
  for (const mode of Object.keys(EXPECT) as (keyof typeof EXPECT)[]) {
    it(`path 1 ${mode}: path 1 not UP, pulls move to path 2, FLASH within the objective, nothing lost or repeated`, async () => {
      const c = await pair();
      const bravo = api(c.b.url, c.b.token);
      const fromB = ['before 1', 'before 2', 'before 3'];
      for (const t of fromB) await bravo.send(t, 'ROUTINE');
      await assertSettled(ref(c.a), ref(c.b), { fromA: [], fromB }, 20_000);

      // The attack starts while a pull is held on path 1; a FLASH is sent at that moment.
      c.path1.set(mode);
      const t0 = Date.now();
      const first = `FLASH at the ${mode}`;
      await bravo.send(first, 'FLASH');
      fromB.push(first);
      const found = await bravoAt(
        c,
        'path 1 not UP, path 2 UP',
        (p) => p.paths[0]!.state !== 'UP' && p.paths[1]!.state === 'UP',
        OBJECTIVE_MS,
      );
      const detectMs = Date.now() - t0;
      expect(found.state).toBe('DEGRADED');
      const firstMs = await arrival(c, first, t0, OBJECTIVE_MS + DEADLINES.pull);

      // Found out: the next FLASH goes over path 2, within the objective, and not over path 1.
      const second = `FLASH after the ${mode} was found out`;
      const t1 = Date.now();
      await bravo.send(second, 'FLASH');
      fromB.push(second);
      const secondMs = await arrival(c, second, t1, OBJECTIVE_MS);
      expect(c.path1.delivered(second)).toBe(false);

      for (const t of ['after 1', 'after 2']) {
        await bravo.send(t, 'ROUTINE');
        fromB.push(t);
      }
      await assertSettled(ref(c.a), ref(c.b), { fromA: [], fromB }, 20_000);

      // Path 1 stays not UP while the attack lasts, and says why; the attack did happen.
      const want = EXPECT[mode];
      const end = await bravoAt(
        c,
        `path 1 ${want.state}`,
        (p) => p.paths[0]!.state === want.state && p.paths[1]!.state === 'UP',
        DOWN_MS,
      );
      const [p1, p2] = end.paths as [PathStatus, PathStatus];
      expect(p1.lastError).toMatch(want.error);
      expect(p2.lastError).toBeNull();
      expect(end.state).toBe('DEGRADED');
      expect(want.did(c.path1)).toBeGreaterThan(0);
      expect(c.path1.delivered(second)).toBe(false);
      console.log(
        `path 1 ${mode}: found out in ${detectMs} ms; FLASH at the attack in ${firstMs} ms, ` +
          `FLASH after in ${secondMs} ms (objective ${OBJECTIVE_MS} ms)`,
      );
    });
  }

  it('path 1 recovers once the attack ends: probed, UP again, preferred again', async () => {
    const c = await pair();
    c.path1.set('tamper');
    await bravoAt(c, 'path 1 DEGRADED', (p) => p.paths[0]!.state === 'DEGRADED', OBJECTIVE_MS);
    const tampered = c.path1.stats.tampered;
    c.path1.set('pass');
    await bravoAt(c, 'both paths UP again', (p) => p.paths.every((x) => x.state === 'UP'), DOWN_MS);
    // The pull is back on path 1: a new message comes through it.
    const text = 'over path 1 again';
    await api(c.b.url, c.b.token).send(text, 'FLASH');
    await arrival(c, text, Date.now(), OBJECTIVE_MS);
    await waitFor('path 1 delivered it', async () => c.path1.delivered(text), OBJECTIVE_MS);
    expect(tampered).toBeGreaterThan(0);
  });
});

describe('refusals of requests that did not authenticate', () => {
  it('are unsigned coded errors; an authenticated request still gets signed answers, errors included', async () => {
    const c = await pair();
    const A = c.a.dir;
    const B = c.b.dir;
    const target = { url: c.b.url, station: B.station, key: B.key };

    // Anonymous: no Parley headers but a nonce of the caller's choosing.
    const anon = await fetch(`${c.b.url}/link/v1/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [H.nonce]: 'AAAAAAAAAAAAAAAAAAAAAA' },
      body: JSON.stringify({ ts: Date.now(), head: 0 }),
    });
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { code: string }).code).toBe('PARLEY_E_LINK_AUTH_MISSING');
    expect(anon.headers.get(H.signature)).toBeNull();
    expect(anon.headers.get(H.date)).toBeNull();

    // In Alpha's name, signed by another key: unsigned too, but the hint of what Bravo holds of
    // Alpha's feed is there (what a rotated peer needs to find the key Bravo trusts, §7).
    const forger = new FakeClient(
      { station: A.station as StationId, signer: newIdentity().signer },
      target,
    );
    const forged = await forger.heartbeat({ nonce: 'BBBBBBBBBBBBBBBBBBBBBB' });
    expect({ status: forged.status, code: forged.json.code }).toEqual({
      status: 401,
      code: 'PARLEY_E_LINK_AUTH_SIGNATURE',
    });
    expect(forged.signed).toBe(false);
    expect(forged.headers[H.signature]).toBeUndefined();
    expect(Number(forged.headers[H.known])).toBeGreaterThan(0);
    // A body that is not JSON is refused before anyone is authenticated: unsigned.
    const alpha = new FakeClient(
      {
        station: A.station as StationId,
        signer: signerFromPem(
          await readFile(join(A.dir, 'keys', `${keyId(A.key as PublicKeyB64)}.key`), 'utf8'),
        ),
      },
      target,
    );
    const garbled = await alpha.heartbeat({ rawBody: '{"ts":' });
    expect(garbled.json.code).toBe('PARLEY_E_LINK_MALFORMED');
    expect(garbled.signed).toBe(false);
    // A replayed request does not authenticate either: its refusal must not be a signed answer
    // bound to the nonce of the request it copies.
    const ok = await alpha.heartbeat();
    expect({ status: ok.status, signed: ok.signed }).toEqual({ status: 200, signed: true });
    const replayed = await alpha.replay(ok.request);
    expect(replayed.json.code).toBe('PARLEY_E_LINK_AUTH_REPLAY');
    expect(replayed.signed).toBe(false);
    // Alpha, authenticated, with a body of the wrong shape: a signed refusal.
    const wrong = await alpha.heartbeat({ body: { ts: 'soon', head: -1 } });
    expect({ status: wrong.status, code: wrong.json.code, signed: wrong.signed }).toEqual({
      status: 400,
      code: 'PARLEY_E_BAD_REQUEST',
      signed: true,
    });
  });
});
