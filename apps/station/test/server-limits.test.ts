// HTTP server limits (issue 16) on a real station on loopback: a client that sends its headers
// too slowly is cut off; one address cannot hold more than its share of connections (503 with a
// code, other addresses still served); the last places are kept for light clients; and answers
// may still take longer than the request deadline (the live stream, long polls).
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLimits } from '@parley/station';
import type { Station } from '@parley/station';
import { addPeer, api, makeStation, startInProcess, tempRoot, token } from './harness.js';
import { connectFrom } from './soak.js';

let s: { station: Station; url: string };
let viewer: string;
let operator: string;

beforeAll(async () => {
  const root = await tempRoot('parley-limits-');
  const S = await makeStation(root, 'Limited');
  await addPeer(S, await makeStation(root, 'Elsewhere'), ['http://127.0.0.1:9']);
  viewer = await token(S, 'viewer');
  operator = await token(S, 'operator');
  s = await startInProcess(S, {
    limits: {
      headersTimeoutMs: 1000,
      requestTimeoutMs: 1500,
      maxConnections: 40,
      maxConnectionsPerSource: 6,
      reservedConnections: 10,
      lightSourceConnections: 3,
    },
  });
}, 60_000);
afterAll(async () => s?.station.close());

/** Reads a socket until it closes (or `ms` pass); resolves to what came and whether it closed. */
function drain(sock: net.Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const t = setTimeout(() => resolve({ text, closed: false }), ms);
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.once('close', () => {
      clearTimeout(t);
      resolve({ text, closed: true });
    });
  });
}

describe('HTTP server limits', () => {
  it('defaults: timeouts set, a connection cap below the open-file limit with headroom', () => {
    const l = resolveLimits();
    expect(l.headersTimeoutMs).toBe(10_000);
    expect(l.requestTimeoutMs).toBe(30_000);
    // Longer than the longest long-poll wait (60 s), so held pulls are not cut.
    expect(l.connectionTimeoutMs).toBeGreaterThan(60_000);
    expect(l.maxConnections).toBeGreaterThan(0);
    expect(l.maxConnections).toBeLessThanOrEqual(4096);
    expect(() => resolveLimits({ nonsense: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_INVALID_ARGUMENT' }),
    );
    expect(s.station.app.server.headersTimeout).toBe(1000);
    expect(s.station.app.server.requestTimeout).toBe(1500);
  });

  it('a request whose headers trickle in is cut off after headersTimeoutMs', async () => {
    const sock = await connectFrom(s.url, '127.0.0.2');
    sock.write('POST /api/v1/login HTTP/1.1\r\nhost: x\r\n');
    const trickle = setInterval(() => sock.write('x-slow: 1\r\n'), 200);
    const t0 = Date.now();
    const r = await drain(sock, 8000);
    clearInterval(trickle);
    expect(r.closed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('one address holds at most its share: the next gets 503 PARLEY_E_CONNECTION_LIMIT, another address is served', async () => {
    const held = [];
    for (let i = 0; i < 6; i++) held.push(await connectFrom(s.url, '127.0.0.3'));
    const over = await connectFrom(s.url, '127.0.0.3');
    const r = await drain(over, 5000);
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(r.text).toContain('"code":"PARLEY_E_CONNECTION_LIMIT"');
    expect((await api(s.url, viewer).get('/api/v1/health')).status).toBe(200);
    for (const h of held) h.destroy();
  });

  it('near the cap, heavy addresses are refused while a light client (operator, peer) gets in', async () => {
    // Five addresses with six connections each: 30 of 40, the reserve's edge.
    const heavy = [];
    for (let a = 10; a < 15; a++)
      for (let i = 0; i < 6; i++) heavy.push(await connectFrom(s.url, `127.0.0.${a}`));
    await new Promise((r) => setTimeout(r, 100));
    expect(s.station.connections.connections).toBeGreaterThanOrEqual(30);
    const more = await connectFrom(s.url, '127.0.0.20');
    const moreHeavy = [
      more,
      await connectFrom(s.url, '127.0.0.20'),
      await connectFrom(s.url, '127.0.0.20'),
      await connectFrom(s.url, '127.0.0.20'),
    ];
    const refused = await drain(moreHeavy[3]!, 5000);
    expect(refused.text).toContain('PARLEY_E_CONNECTION_LIMIT');
    expect((await api(s.url, viewer).get('/api/v1/health')).status).toBe(200);
    for (const h of [...heavy, ...moreHeavy]) h.destroy();
  });

  it('an answer may take longer than the request deadline: the live stream outlives requestTimeoutMs and delivers', async () => {
    const abort = new AbortController();
    const r = await fetch(`${s.url}/api/v1/stream`, {
      headers: { authorization: `Bearer ${viewer}` },
      signal: abort.signal,
    });
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 3000)); // twice requestTimeoutMs
    const sent = await api(s.url, operator).send('still streaming', 'ROUTINE', 'ops');
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const end = Date.now() + 10_000;
    while (!text.includes(`"seq":${sent.seq}`) && Date.now() < end) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect(text).toContain(`"seq":${sent.seq}`);
  });
});
