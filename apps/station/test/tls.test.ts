import { afterEach, describe, expect, it } from 'vitest';
import { generateTlsIdentity } from '@parley/station';
import type { Station } from '@parley/station';
import { addPeer, api, makeStation, startInProcess, tempRoot, token, waitFor } from './harness.js';

const running: Station[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((s) => s.close()));
});

describe('TLS with a pinned self-signed certificate', () => {
  it('replicates over https to a station whose certificate is pinned, and refuses any other certificate', async () => {
    const root = await tempRoot('parley-tls-');
    const A = await makeStation(root, 'Alpha');
    const B = await makeStation(root, 'Bravo');
    const C = await makeStation(root, 'Charlie');
    const tlsA = await generateTlsIdentity(`parley ${A.station}`);
    const impostor = await generateTlsIdentity(`parley ${A.station}`);

    const a = await startInProcess(A, { tls: { cert: tlsA.cert, key: tlsA.key } });
    running.push(a.station);
    expect(a.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const b = await startInProcess(B);
    running.push(b.station);
    const c = await startInProcess(C);
    running.push(c.station);

    // B pins A's real certificate; C pins a different one for the same URL.
    await addPeer(B, A, [a.url], { tlsCert: tlsA.cert });
    await addPeer(A, B, [b.url]);
    await addPeer(C, A, [a.url], { tlsCert: impostor.cert });
    await addPeer(A, C, [c.url]);

    const ta = await token(A);
    const tb = await token(B);
    const tc = await token(C, 'viewer');
    // A has two peers: its channel with B names B (ADR 0003); B accepts over http.
    const propose = await a.station.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: { authorization: `Bearer ${await token(A, 'admin')}` },
      payload: { name: 'ops', members: [B.station], agreement: { tier: 'tactical' } },
    });
    expect(propose.statusCode, propose.body).toBe(201);
    const adminB = api(b.url, await token(B, 'admin'));
    await waitFor('B sees the proposal', async () =>
      ((await adminB.get('/api/v1/channels')).json.channels as { name: string }[]).some(
        (x) => x.name === 'ops',
      ),
    );
    expect((await adminB.post('/api/v1/channels/ops/accept', {})).status).toBe(201);
    await waitFor('ops open at A', async () => {
      const r = await a.station.app.inject({
        method: 'GET',
        url: '/api/v1/channels',
        headers: { authorization: `Bearer ${ta}` },
      });
      return (r.json().channels as { name: string; status: string }[]).some(
        (x) => x.name === 'ops' && x.status === 'open',
      );
    });
    const fromA = ['over TLS 1', 'over TLS 2'];
    // A's API is on the same https listener, whose self-signed certificate Node's fetch rejects:
    // A's operator posts through inject, the same route and code path.
    for (const text of fromA) {
      const r = await a.station.app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: { authorization: `Bearer ${ta}` },
        payload: { channel: 'ops', precedence: 'FLASH', text },
      });
      expect(r.statusCode).toBe(201);
    }
    const fromB = ['back over http'];
    await api(b.url, tb).send(fromB[0]!);

    // Settled between A and B: read A through inject (https + self-signed), B over http.
    await waitFor("B holds A's messages, delivered", async () => {
      const msgs = await api(b.url, tb).messages();
      return (
        msgs.filter((m) => m.station === A.station).length === 2 &&
        msgs.every((m) => m.status.delivered)
      );
    });
    const atA = await a.station.app.inject({
      method: 'GET',
      url: '/api/v1/messages?channel=ops',
      headers: { authorization: `Bearer ${ta}` },
    });
    const msgsA = atA.json().messages as { station: string; status: { delivered: boolean } }[];
    expect(msgsA.filter((m) => m.station === A.station)).toHaveLength(2);
    expect(msgsA.find((m) => m.station === B.station)?.status.delivered).toBe(true);

    // C pinned the wrong certificate: its path to A never comes up and nothing of A's is stored.
    const health = await waitFor('C sees its path to A down', async () => {
      const h = (await api(c.url).get('/api/v1/health')).json;
      return h.peers[0]?.paths[0]?.state === 'DOWN' ? h : undefined;
    });
    expect(health.peers[0].size).toBe(0);
    expect(health.peers[0].paths[0].state).toBe('DOWN');
    const atC = await api(c.url, tc).messages();
    expect(atC.filter((m) => m.station === A.station)).toEqual([]);
  });
});
