// Key rotation across the link (issue 13): a rotation reaches the peer over the link with nothing
// re-pinned by hand, during steady traffic, across restarts, before pairing; an emergency
// rotation waits for the peer's re-pin; a superseded key no longer passes the link.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { keyId, safetyNumber, signerFromPem, stationIdFromKey } from '@parley/ledger';
import type { PublicKeyB64, StationId } from '@parley/core';
import { exportBundle, openStationStore, stationExporter, verifyBundleDir } from '@parley/store';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import { FakeClient } from './fake-peer.js';
import {
  addPeer,
  api,
  assertSettled,
  makeStation,
  PARLEY,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationDir } from './harness.js';

const run = promisify(execFile);

const running: Station[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((s) => s.close()));
});

/** Starts a station in this process (on `port`, 0 for any) and records every path that went DOWN. */
async function start(s: StationDir, port = 0) {
  const station = await buildStation({
    dataDir: s.dir,
    heartbeatMs: 250,
    pullWaitMs: 2000,
    peerReloadMs: 200,
  });
  running.push(station);
  const url = await station.listen({ port });
  const down: string[] = [];
  station.bus.subscribe((e) => {
    if (e.type === 'link' && e.state === 'DOWN') down.push(e.url);
  });
  return { station, url, down, port: Number(new URL(url).port) };
}

async function stop(x: { station: Station }) {
  running.splice(running.indexOf(x.station), 1);
  await x.station.close();
}

/** `parley rotate-key` (the real command), beside a running station or not. */
async function cliRotate(s: StationDir, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [PARLEY, 'rotate-key', '--data', s.dir, ...args]);
  return stdout;
}

/** The key history of `peer` as `at` has verified it (`GET /api/v1/peers`). */
async function peerKeysAt(url: string, tok: string, peer: string) {
  const r = await api(url, tok).get('/api/v1/peers');
  expect(r.status).toBe(200);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (r.json.peers as any[]).find((p) => p.station === peer);
}

async function rejected(url: string, code: string): Promise<number> {
  const text = String((await api(url).get('/metrics')).json);
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('parley_link_rejected_total') && line.includes(`code="${code}"`))
      n += Number(line.split(' ').pop());
  return n;
}

describe('key rotation across the link', () => {
  it('A rotates, then B rotates, under steady traffic both ways: nothing lost or repeated, the link stays UP', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    const a = await start(A);
    const b = await start(B);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const ta = await token(A, 'admin');
    const tb = await token(B, 'admin');
    await waitFor('link up', async () => {
      const h = (await api(a.url).get('/api/v1/health')).json;
      return h.peers[0]?.state === 'UP';
    });
    const fromA = Array.from({ length: 200 }, (_, i) => `A says ${i}`);
    const fromB = Array.from({ length: 200 }, (_, i) => `B says ${i}`);
    const rotations: Record<string, unknown>[] = [];
    await Promise.all([
      (async () => {
        for (const [i, t] of fromA.entries()) {
          if (i === 50) {
            const r = await api(a.url, ta).post('/api/v1/station/rotate-key', {});
            expect(r.status, JSON.stringify(r.json)).toBe(201);
            rotations.push(r.json);
          }
          await api(a.url, ta).send(t);
        }
      })(),
      (async () => {
        for (const [i, t] of fromB.entries()) {
          if (i === 120) {
            const r = await api(b.url, tb).post('/api/v1/station/rotate-key', {});
            expect(r.status, JSON.stringify(r.json)).toBe(201);
            rotations.push(r.json);
          }
          await api(b.url, tb).send(t, 'ROUTINE');
        }
      })(),
    ]);
    // Exactly once, in order, every message delivered (receipted), identical feeds both sides.
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA, fromB },
    );
    expect(rotations).toHaveLength(2);
    expect(a.down).toEqual([]);
    expect(b.down).toEqual([]);
    for (const [at, tok, peer, who] of [
      [b.url, tb, A.station, A],
      [a.url, ta, B.station, B],
    ] as const) {
      const p = await peerKeysAt(at, tok, peer);
      expect(p.state).toBe('UP');
      expect(p.keys.map((k: { key: string }) => k.key)[0]).toBe(who.key);
      expect(p.keys).toHaveLength(2);
      expect(p.keys[1]).toMatchObject({ to: null, emergency: false });
      expect(p.keys[1].since).toBeGreaterThan(0);
      expect(p.currentKey).toBe(p.keys[1].key);
    }
  });

  it('rotating twice (CLI, beside the running station and while stopped), restarting both: still links', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    let a = await start(A);
    let b = await start(B);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const ta = await token(A);
    const tb = await token(B);
    const fromA = ['one'];
    const fromB = ['uno'];
    await api(a.url, ta).send('one');
    await api(b.url, tb).send('uno', 'ROUTINE');
    // `parley rotate-key` while A runs (SQLite WAL: a second process on the same database).
    expect(await cliRotate(A)).toMatch(/^rotated stn_/);
    for (const t of ['two', 'three']) {
      fromA.push(t);
      await api(a.url, ta).send(t);
    }
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA, fromB },
    );
    expect((await peerKeysAt(b.url, tb, A.station)).keys).toHaveLength(2);
    // Both stop; A rotates again and B rotates, neither peer having seen it (issue 13).
    await stop(a);
    await stop(b);
    await cliRotate(A);
    await cliRotate(B);
    a = await start(A, a.port);
    b = await start(B, b.port);
    // A started before B listened: its path was DOWN until then. Count only what follows.
    for (const x of [a, b])
      await waitFor('link up after restart', async () =>
        (await api(x.url).get('/api/v1/health')).json.peers[0]?.state === 'UP' ? true : undefined,
      );
    a.down.length = 0;
    b.down.length = 0;
    for (const t of ['four', 'five']) {
      fromA.push(t);
      await api(a.url, ta).send(t);
    }
    fromB.push('dos');
    await api(b.url, tb).send('dos', 'ROUTINE');
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA, fromB },
    );
    expect((await peerKeysAt(b.url, tb, A.station)).keys).toHaveLength(3);
    expect((await peerKeysAt(a.url, ta, B.station)).keys).toHaveLength(2);
    expect(a.down).toEqual([]);
    expect(b.down).toEqual([]);
  });

  it('a station rotated before it was paired is paired with its genesis key and links; a later key is refused with a clear code', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    const C = await makeStation(root, 'Charlie');
    await cliRotate(A);
    const out = await cliRotate(A);
    const current = /to (\S+) at seq/.exec(out)![1]!;
    const a = await start(A);
    const b = await start(B);
    const c = await start(C);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]); // A.key is the genesis key
    // Charlie pins A's current key instead: it derives another station id.
    await addPeer(C, { ...A, key: current, station: stationIdFromKey(current as PublicKeyB64) }, [
      a.url,
    ]);
    const ta = await token(A);
    const tb = await token(B);
    await api(a.url, ta).send('after two rotations');
    await api(b.url, tb).send('hello', 'ROUTINE');
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA: ['after two rotations'], fromB: ['hello'] },
    );
    const p = await peerKeysAt(b.url, tb, A.station);
    expect(p.pinned).toBe(A.key);
    expect(p.currentKey).toBe(current);
    await waitFor('Charlie refuses the non-genesis pin', async () =>
      (await rejected(c.url, 'PARLEY_E_PEER_KEY_NOT_GENESIS')) > 0 ? true : undefined,
    );
  });

  it('after the peer verified a rotation, a request signed by the superseded key is refused', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    const a = await start(A);
    const b = await start(B);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const ta = await token(A, 'admin');
    const tb = await token(B);
    const old = signerFromPem(
      await readFile(join(A.dir, 'keys', `${keyId(A.key as PublicKeyB64)}.key`), 'utf8'),
    );
    const r = await api(a.url, ta).post('/api/v1/station/rotate-key', {});
    const fresh = signerFromPem(
      await readFile(join(A.dir, 'keys', `${keyId(r.json.key as PublicKeyB64)}.key`), 'utf8'),
    );
    await api(a.url, ta).send('after rotation');
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA: ['after rotation'], fromB: [] },
    );
    const bSize = (await api(b.url).get('/api/v1/health')).json.size as number;
    const asA = (signer: typeof old) =>
      new FakeClient(
        { station: A.station as StationId, signer },
        { url: b.url, station: B.station, key: B.key },
      );
    const refused = await asA(old).heartbeat();
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('PARLEY_E_LINK_AUTH_SIGNATURE');
    // Unsigned (the request did not authenticate), but it says how much of A's feed B holds:
    // past the rotation, so the new key is due.
    expect(refused.signed).toBe(false);
    expect(Number(refused.headers['parley-known'])).toBeGreaterThanOrEqual(r.json.seq);
    expect((await asA(fresh).heartbeat()).status).toBe(200);
    // A Parley-Known past B's own feed is refused.
    const past = await asA(fresh).heartbeat({ known: bSize + 5 });
    expect(past.status).toBe(400);
    expect(past.json.code).toBe('PARLEY_E_LINK_MALFORMED');
    const missing = await asA(fresh).heartbeat({ omit: ['parley-known'] });
    expect(missing.json.code).toBe('PARLEY_E_LINK_AUTH_MISSING');
  });

  it('emergency rotation: refused without a re-pin; a wrong safety number is refused; after the re-pin it links and verifies offline', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    const a = await start(A);
    const b = await start(B);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const ta = await token(A, 'admin');
    const tb = await token(B, 'admin');
    await api(a.url, ta).send('before');
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA: ['before'], fromB: [] },
    );
    const r = await api(a.url, ta).post('/api/v1/station/rotate-key', { emergency: true });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json.emergency).toBe(true);
    const next = r.json.key as string;
    await api(a.url, ta).send('after the compromise');
    await waitFor('B refuses the emergency rotation', async () =>
      (await rejected(b.url, 'PARLEY_E_KEY_REPIN_REQUIRED')) > 0 ? true : undefined,
    );
    expect((await peerKeysAt(b.url, tb, A.station)).keys).toHaveLength(1);
    const texts = (await api(b.url, tb).messages()).map((m) => m.text);
    expect(texts).not.toContain('after the compromise');

    const wrong = await api(b.url, tb).post('/api/v1/peers/Alpha/repin', {
      key: next,
      safetyNumber: safetyNumber(A.key as PublicKeyB64),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.code).toBe('PARLEY_E_SAFETY_NUMBER_MISMATCH');
    const viewer = await token(B, 'operator');
    expect(
      (
        await api(b.url, viewer).post('/api/v1/peers/Alpha/repin', {
          key: next,
          safetyNumber: safetyNumber(next as PublicKeyB64),
        })
      ).status,
    ).toBe(403);

    const ok = await api(b.url, tb).post('/api/v1/peers/Alpha/repin', {
      key: next,
      safetyNumber: safetyNumber(next as PublicKeyB64).replace(/ /g, '  '),
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    await api(b.url, tb).send('re-pinned', 'ROUTINE');
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA: ['before', 'after the compromise'], fromB: ['re-pinned'] },
    );
    const p = await peerKeysAt(b.url, tb, A.station);
    expect(p.currentKey).toBe(next);
    expect(p.keys[1]).toMatchObject({ key: next, emergency: true });
    expect(p.repins).toEqual([expect.objectContaining({ key: next, applied: true })]);

    // Offline: B's bundle holds B's key-repin for A's new key, so A's emergency rotation verifies.
    await stop(b);
    const store = await openStationStore(B.dir);
    const bundle = join(root, 'bundle-b');
    await exportBundle(store, bundle, { exporter: await stationExporter(B.dir, store) });
    await store.close();
    const res = await verifyBundleDir(bundle);
    expect(res.ok, JSON.stringify(res)).toBe(true);
  });
});
