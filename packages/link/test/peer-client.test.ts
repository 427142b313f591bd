// PeerClient against hostile servers on 127.0.0.1 written here (issue 15): every request has a
// deadline over the whole exchange, so a trickled or withheld answer is given up at it; an answer
// that does not verify is refused whatever its status; an unsigned refusal's Parley-Known is a
// hint for one key retry only, never remembered.
import { createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isParleyError } from '@parley/core';
import type { StationId } from '@parley/core';
import { signerFromSeed, stationIdFromKey } from '@parley/ledger';
import { H, NonceCache, PeerClient, verifyRequest } from '@parley/link';

const signer = (label: string) => signerFromSeed(createHash('sha256').update(label).digest());
const aGenesis = signer('alpha genesis');
const aNow = signer('alpha now');
const b = signer('bravo');
const A = stationIdFromKey(aGenesis.publicKey);
const B = stationIdFromKey(b.publicKey);

const servers: (Server | HttpServer)[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<T extends Server | HttpServer>(server: T): Promise<string> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A's client for B: signs with A's genesis key after 0 entries, with its current key otherwise. */
function client(): PeerClient {
  return new PeerClient({
    self: A,
    peer: B,
    signer: (n) => (n === 0 ? aGenesis : aNow),
    known: () => 0,
    peerKeys: () => [b.publicKey],
    now: () => Date.now(),
  });
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isParleyError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('the request was not refused');
}

/** Bytes sent one by one, every `ms`, until all are sent or the client goes away. */
function trickle(socket: Socket, bytes: Buffer, ms: number, sent: { n: number; closed: boolean }) {
  socket.on('close', () => (sent.closed = true));
  const timer = setInterval(() => {
    if (sent.n >= bytes.length || socket.destroyed) return clearInterval(timer);
    socket.write(bytes.subarray(sent.n, ++sent.n));
  }, ms);
  socket.on('close', () => clearInterval(timer));
}

const ANSWER = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n' +
    '{"station":"x","ts":1,"head":1,"pad":""}',
);

describe('PeerClient deadlines', () => {
  it('gives up on an answer trickled byte by byte, headers included, at the deadline', async () => {
    const sent = { n: 0, closed: false };
    const url = await listen(
      createServer((s) => s.once('data', () => trickle(s, ANSWER, 50, sent))),
    );
    const c = client();
    const r = await refusal(
      c.request({ url }, 'POST', 'link/v1/heartbeat', { ts: 1, head: 0 }, { deadlineMs: 600 }),
    );
    expect(r.code).toBe('PARLEY_E_LINK_UNREACHABLE');
    expect(r.message).toMatch(/did not answer in full within 600 ms/);
    // Bytes kept coming (an idle timeout would never fire), and the client hung up mid-answer.
    expect(sent.n).toBeGreaterThan(1);
    expect(sent.n).toBeLessThan(ANSWER.length);
    c.close();
    await eventually(() => sent.closed);
  });

  it('gives up on a body trickled after prompt headers, at the deadline', async () => {
    const sent = { n: 0, closed: false };
    const body = Buffer.from(JSON.stringify({ station: B, feeds: [], pad: 'x'.repeat(200) }));
    const url = await listen(
      createHttpServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        res.flushHeaders();
        trickle(res.socket!, body, 50, sent);
      }),
    );
    const c = client();
    const r = await refusal(
      c.request({ url }, 'POST', 'link/v1/pull', { feeds: [] }, { deadlineMs: 600 }),
    );
    expect(r).toMatchObject({ code: 'PARLEY_E_LINK_UNREACHABLE' });
    expect(sent.n).toBeGreaterThan(0);
    expect(sent.n).toBeLessThan(body.length);
    c.close();
  });

  it('gives up on a path that accepts and never answers', async () => {
    let got = 0;
    const url = await listen(createServer((s) => s.on('data', (d) => (got += d.length))));
    const c = client();
    const r = await refusal(
      c.request({ url }, 'POST', 'link/v1/heartbeat', { ts: 1, head: 0 }, { deadlineMs: 300 }),
    );
    expect(r.code).toBe('PARLEY_E_LINK_UNREACHABLE');
    expect(got).toBeGreaterThan(0);
    c.close();
  });
});

describe('PeerClient and answers that do not verify', () => {
  it('refuses an unsigned 200, and takes an unsigned 401 only as a hint for one retry', async () => {
    const seen: { key: string | undefined; headers: IncomingHttpHeaders }[] = [];
    let mode: '200' | '401' = '200';
    const nonces = new NonceCache();
    const url = await listen(
      createHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          // Which of A's keys signed the request?
          const key = [aGenesis, aNow].find((k) => {
            try {
              verifyRequest({
                headers: req.headers,
                method: req.method!,
                path: req.url!,
                body: Buffer.concat(chunks),
                self: B as StationId,
                now: Date.now(),
                keysOf: () => [k.publicKey],
                nonces,
              });
              return true;
            } catch {
              return false;
            }
          })?.publicKey;
          seen.push({ key, headers: req.headers });
          const body =
            mode === '200'
              ? JSON.stringify({ station: B, ts: 1, head: 1 })
              : JSON.stringify({ code: 'PARLEY_E_LINK_AUTH_SIGNATURE', message: 'no' });
          // Unsigned, as a station answers a request that did not authenticate.
          res.writeHead(mode === '200' ? 200 : 401, {
            'content-type': 'application/json',
            [H.station]: B,
            [H.known]: '0',
          });
          res.end(body);
        });
      }),
    );
    const c = client();
    const hb = () =>
      c.request({ url }, 'POST', 'link/v1/heartbeat', { ts: 1, head: 0 }, { deadlineMs: 5000 });
    const ok = await refusal(hb());
    expect(ok.code).toBe('PARLEY_E_LINK_AUTH_SIGNATURE');
    expect(ok.message).toMatch(/answered 200/);
    expect(seen).toHaveLength(1);

    mode = '401';
    seen.length = 0;
    const r = await refusal(hb());
    expect(r.code).toBe('PARLEY_E_LINK_AUTH_SIGNATURE');
    // Signed with the current key, then once more with the key the hint (0 entries) implies.
    expect(seen.map((s) => s.key)).toEqual([aNow.publicKey, aGenesis.publicKey]);
    expect(seen[0]!.headers[H.nonce]).not.toBe(seen[1]!.headers[H.nonce]);
    // The hint is not remembered: the next request starts from the current key again.
    expect(c.peerKnowsOfMe).toBeUndefined();
    seen.length = 0;
    await refusal(hb());
    expect(seen[0]!.key).toBe(aNow.publicKey);
    c.close();
  });
});

/** Polls `ok` for up to 2 s. */
async function eventually(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(ok()).toBe(true);
}
