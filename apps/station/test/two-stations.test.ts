import { afterEach, describe, expect, it } from 'vitest';
import { exportBundle, SqliteStore, stationExporter } from '@parley/store';
import { verifyBundleDir } from '@parley/store';
import { join } from 'node:path';
import {
  addPeer,
  api,
  assertSettled,
  makeStation,
  spawnStation,
  startInProcess,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationProcess } from './harness.js';

const running: { close: () => Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((r) => r.close()));
});

function track<T extends { stop?: () => Promise<unknown>; close?: () => Promise<unknown> }>(
  x: T,
): T {
  running.push({ close: () => (x.stop ? x.stop() : x.close!()) });
  return x;
}

describe('two stations on loopback', () => {
  it('exchange messages both ways: exactly once, in order, delivered, identical feeds', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    const a = await startInProcess(A);
    track(a.station);
    const b = await startInProcess(B);
    track(b.station);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const ta = await token(A);
    const tb = await token(B);
    const fromA = Array.from({ length: 25 }, (_, i) => `A says ${i}`);
    const fromB = Array.from({ length: 25 }, (_, i) => `B says ${i}`);
    // Sequential per sender (order is the sender's order), both senders at once.
    await Promise.all([
      (async () => {
        for (const t of fromA) await api(a.url, ta).send(t);
      })(),
      (async () => {
        for (const t of fromB) await api(b.url, tb).send(t, 'ROUTINE');
      })(),
    ]);
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA, fromB },
    );

    const msgs = await api(a.url, ta).messages();
    const mine = msgs.find((m) => m.station === A.station)!;
    expect(mine.status.deliveredAt).toBeGreaterThanOrEqual(mine.ts);
    const health = (await api(a.url).get('/api/v1/health')).json;
    expect(health.station).toBe(A.station);
    expect(health.peers).toEqual([
      expect.objectContaining({
        name: 'Bravo',
        station: B.station,
        state: 'UP',
        paths: [expect.objectContaining({ url: b.url, state: 'UP' })],
      }),
    ]);
    expect(health.peers[0].lastExchangeAt).toBeGreaterThan(0);

    // The whole conversation exports from either station and verifies, cosignatures included.
    await a.station.close();
    const bundle = join(root, 'bundle');
    const store = await SqliteStore.open(join(A.dir, 'parley.db'));
    await exportBundle(store, bundle, { exporter: await stationExporter(A.dir, store) });
    await store.close();
    const res = await verifyBundleDir(bundle, { trustedKeys: [A.key as never, B.key as never] });
    expect(res.ok, JSON.stringify(res)).toBe(true);
    if (res.ok) {
      // Each station's identity feed and its feed for the pair's audience (ADR 0003).
      expect(res.feeds.map((f) => f.station).sort()).toEqual(
        [A.station, A.station, B.station, B.station].sort(),
      );
      const audiences = res.feeds.filter((f) => f.audience !== null);
      expect(audiences).toHaveLength(2);
      expect(audiences[0]!.audience).toBe(audiences[1]!.audience);
      // The audience feeds are witnessed by the other party (identity feeds are repeated in them).
      for (const f of audiences) expect(f.witnessedSize).toBeGreaterThan(1);
    }
  });

  it('catches up after the peer is stopped and restarted, and after the sender restarts', async () => {
    const root = await tempRoot();
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    let a: StationProcess = track(await spawnStation(A));
    let b: StationProcess = await spawnStation(B);
    // Fixed ports so the peers' URLs stay valid across restarts.
    const bPort = Number(new URL(b.url).port);
    const aPort = Number(new URL(a.url).port);
    await addPeer(A, B, [b.url]);
    await addPeer(B, A, [a.url]);
    const ta = await token(A);
    const tb = await token(B);
    const fromA: string[] = [];
    const fromB: string[] = [];
    for (let i = 0; i < 5; i++)
      fromA.push((await api(a.url, ta).send(`before ${i}`), `before ${i}`));
    await b.stop();
    for (let i = 0; i < 5; i++)
      fromA.push((await api(a.url, ta).send(`while B is down ${i}`), `while B is down ${i}`));
    const healthDown = await waitFor('A sees B down', async () => {
      const h = (await api(a.url).get('/api/v1/health')).json;
      return h.peers[0]?.state === 'DOWN' ? h : undefined;
    });
    expect(healthDown.peers[0].paths[0].state).toBe('DOWN');
    b = track(await spawnStation(B, { port: bPort }));
    for (let i = 0; i < 3; i++)
      fromB.push((await api(b.url, tb).send(`B back ${i}`), `B back ${i}`));
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA, fromB },
    );

    // The sender restarts: nothing is lost or repeated.
    expect(await a.stop()).toBe(0);
    a = track(await spawnStation(A, { port: aPort }));
    for (let i = 0; i < 3; i++)
      fromA.push((await api(a.url, ta).send(`after restart ${i}`), `after restart ${i}`));
    await assertSettled(
      { url: a.url, token: ta, station: A.station },
      { url: b.url, token: tb, station: B.station },
      { fromA, fromB },
    );
  });
});
