// Soak (issue 16): 300 live streams that never read, while a flood of track updates goes out.
// Before: every stream buffered without bound (349 MiB → 1.6 GiB in 45 s). Now: at most
// `streamsPerUser` per viewer and `streamsTotal` in all (429 + code), and a stream whose client
// has more than `streamBufferBytes` waiting is closed; memory and descriptors stay bounded and
// operators and the peer are served throughout.
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectFrom, probeDuring, resource, sampler, startSoak } from './soak.js';
import type { Soak } from './soak.js';

const STREAMS = 300;
const TOTAL = 256; // the default streamsTotal
const PER_USER = 4; // the default streamsPerUser
/** Growth of the station's resident memory allowed while the streams are open and flooded. */
const RSS_BOUND_MIB = 200;
const FD_BOUND = 400;

let s: Soak;
beforeAll(async () => {
  s = await startSoak('parley-soak-stream-', { viewers: STREAMS / 3 + 1 });
}, 60_000);
afterAll(async () => s?.close());

/** Opens a live stream that reads only its status line and then never reads again. */
async function stuckStream(
  token: string,
  from: string,
): Promise<{ status: number; code: string | null; sock: net.Socket }> {
  const sock = await connectFrom(s.a.url, from);
  sock.on('error', () => undefined);
  sock.write(`GET /api/v1/stream HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\n\r\n`);
  const head = await new Promise<string>((resolve) => {
    let text = '';
    const t = setTimeout(() => resolve(text), 10_000);
    sock.on('data', function first(d: Buffer) {
      text += d.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      sock.off('data', first);
      // A refusal's body follows its headers; a stream's first comment may not.
      setTimeout(() => {
        clearTimeout(t);
        sock.pause(); // never read again
        resolve(text);
      }, 50);
      sock.on('data', (more: Buffer) => (text += more.toString('latin1')));
    });
  });
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
  return { status, code: /"code":"(PARLEY_E_\w+)"/.exec(head)?.[1] ?? null, sock };
}

/** Track reports spread over the sea, all own units (nothing to screen, only to stream). */
function reports(n: number, round: number) {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: `soak:${i}`,
    name: `SOAK UNIT ${i} ROUND ${round}`,
    party: 'own',
    domain: 'surface',
    lat: 10 + (i % 100) / 50,
    lon: 110 + Math.floor(i / 100) / 50 + round / 10_000,
    sog: 10,
    cog: (i * 7) % 360,
    time: now,
  }));
}

describe('soak: live streams that never read', () => {
  it(`${STREAMS} stuck streams and a track flood: capped with coded refusals, slow ones closed, memory and descriptors bounded, operators and the peer served`, async () => {
    const from = (i: number) => `127.0.0.${2 + (i % 3)}`;
    // One viewer may hold PER_USER streams; the next is refused with its code.
    const mine = [];
    for (let i = 0; i < PER_USER; i++) mine.push(await stuckStream(s.viewers[0]!, from(i)));
    expect(mine.map((m) => m.status)).toEqual(Array(PER_USER).fill(200));
    const extra = await stuckStream(s.viewers[0]!, from(0));
    expect(extra.status).toBe(429);
    expect(extra.code).toBe('PARLEY_E_STREAM_LIMIT_USER');
    for (const m of [...mine, extra]) m.sock.destroy();
    await expect.poll(() => resource(s.a.url, 'streams_open'), { timeout: 10_000 }).toBe(0);

    const use = sampler(s.a.proc.pid!);
    // 300 streams by 100 viewers, three each, from three addresses.
    const opened: Awaited<ReturnType<typeof stuckStream>>[] = [];
    for (let i = 0; i < STREAMS; i += 20)
      opened.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, k) =>
            stuckStream(s.viewers[1 + Math.floor((i + k) / 3)]!, from(i + k)),
          ),
        )),
      );
    const ok = opened.filter((o) => o.status === 200).length;
    const refused = opened.filter((o) => o.status === 429);
    expect(ok).toBe(TOTAL);
    expect(refused).toHaveLength(STREAMS - TOTAL);
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['PARLEY_E_STREAM_LIMIT_TOTAL']));

    // The flood: 2,000 tracks changed every 300 ms for 15 s (each tick's event is ~0.5 MB, to
    // every stream); the operator, the real user and the peer are probed all along.
    const flood = (async () => {
      const end = Date.now() + 15_000;
      for (let round = 0; Date.now() < end && round < 60; round++) {
        await fetch(`${s.a.url}/api/v1/tracks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.operator}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reports: reports(2000, round) }),
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const rounds = await probeDuring(s, flood);
    const closedSlow = await resource(s.a.url, 'streams_closed_slow');
    const { base, peak, now } = use.stop();
    for (const o of opened) o.sock.destroy();

    console.log(
      `stream soak: ${ok} streams served, ${refused.length} refused; ${closedSlow} closed for not reading; ` +
        `RSS ${base.rssMiB.toFixed(0)} → peak ${peak.rssMiB.toFixed(0)} MiB (now ${now.rssMiB.toFixed(0)}); ` +
        `fds ${base.fds} → peak ${peak.fds} (now ${now.fds}); ${rounds.length} probe rounds, slowest ` +
        `${Math.max(...rounds.map((r) => r.slowestMs))} ms, oldest peer exchange ${Math.max(...rounds.map((r) => r.peerAgeMs))} ms`,
    );
    // The stuck streams fell behind by more than their bound and were closed.
    expect(closedSlow).toBe(TOTAL);
    expect(peak.rssMiB - base.rssMiB).toBeLessThan(RSS_BOUND_MIB);
    expect(peak.fds).toBeLessThan(FD_BOUND);
    for (const r of rounds) {
      expect(r).toMatchObject({ health: 200, authenticated: 200, signIn: 200 });
      expect(r.peerAgeMs).toBeLessThan(10_000);
    }
  }, 120_000);
});
