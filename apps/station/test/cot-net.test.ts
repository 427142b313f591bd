/**
 * CoT over real TCP on 127.0.0.1: the listener frames what peers stream (in pieces, with garbage,
 * from several connections) and counts what its callback refuses; the push client delivers,
 * queues while the server is down and reconnects with backoff; and the two together carry a
 * track from `trackToCot` to `cotToTrack`.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CotListener, CotPushClient } from '../src/tracks/cot-net.js';
import { cotToTrack, trackToCot } from '../src/tracks/cot.js';
import type { CotTrackReport } from '../src/tracks/cot.js';
import { TakFramer } from '../src/tracks/tak-framer.js';

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);

function ev(uid: string, type = 'a-h-S'): string {
  return (
    `<event version="2.0" uid="${uid}" type="${type}" how="m-g" time="2025-06-01T08:00:00Z" ` +
    `start="2025-06-01T08:00:00Z" stale="2025-06-01T08:05:00Z">` +
    `<point lat="16.25" lon="112.5" hae="0" ce="9999999.0" le="9999999.0"/>` +
    `<detail><track course="90" speed="5"/></detail></event>`
  );
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** A stand-in TAK server input: a TCP server framing what it receives. */
class FakeTak {
  readonly events: string[] = [];
  connections = 0;
  private readonly server = net.createServer((s) => this.accept(s));
  private readonly sockets = new Set<net.Socket>();
  /** Close each new connection at once (a server refusing). */
  slam = false;

  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () =>
        resolve((this.server.address() as net.AddressInfo).port),
      );
    });
  }

  private accept(s: net.Socket): void {
    this.connections++;
    if (this.slam) {
      s.destroy();
      return;
    }
    this.sockets.add(s);
    const f = new TakFramer();
    s.on('data', (c: Buffer) => this.events.push(...f.push(c)));
    s.on('error', () => {});
    s.on('close', () => this.sockets.delete(s));
  }

  /** Drops every live connection. */
  kick(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.kick();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('CotListener', () => {
  it('frames events streamed in pieces by several peers and counts garbage and refusals', async () => {
    const got: { xml: string; peer: string }[] = [];
    const listener = new CotListener({
      onEvent: (xml, peer) => {
        cotToTrack(xml); // throws a coded error for what is not a surface or air unit
        got.push({ xml, peer });
      },
    });
    const { host, port } = await listener.listen();
    cleanups.push(() => listener.close());
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);

    const a = await connect(port);
    const b = await connect(port);
    const streamA = `<?xml version="1.0"?>\n${ev('A1')}junk${ev('A2')}`;
    for (let i = 0; i < streamA.length; i += 7) a.write(streamA.slice(i, i + 7));
    b.write(`${ev('B1', 't-x-c-t')}${ev('B2', 'a-f-G')}<event bad`);
    b.write(`="x"></event>${ev('B3')}`);
    await until(() => listener.stats.events === 6, 'six events');

    expect(got.map((g) => g.xml)).toEqual(expect.arrayContaining([ev('A1'), ev('A2'), ev('B3')]));
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.peer)).size).toBe(2);
    expect(got[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(listener.stats).toMatchObject({
      connections: 2,
      events: 6,
      accepted: 3,
      rejected: { PARLEY_E_COT_UNSUPPORTED: 2, PARLEY_E_COT_MALFORMED: 1 },
    });
    a.end();
    b.end();
    await until(() => listener.stats.dropped.garbage.count === 1, 'garbage counted on close');
    expect(listener.stats.dropped.garbage.bytes).toBe(4);
  });

  it('refuses connections beyond the limit and drops oversize events', async () => {
    const got: string[] = [];
    const listener = new CotListener({
      onEvent: (xml) => got.push(xml),
      maxConnections: 1,
      maxEventBytes: 1024,
    });
    const { port } = await listener.listen();
    cleanups.push(() => listener.close());
    const a = await connect(port);
    const b = await connect(port);
    const closed = new Promise<void>((r) => b.once('close', () => r()));
    b.on('error', () => {});
    await closed;
    expect(listener.stats.refused).toBe(1);
    a.write(`<event uid="big">${'x'.repeat(5000)}</event>${ev('small')}`);
    await until(() => got.length === 1, 'the small event');
    expect(got).toEqual([ev('small')]);
    a.destroy();
    await until(() => listener.stats.dropped.oversize.count === 1, 'oversize counted');
  });
});

describe('CotListener under idle and hung connections (issue 16)', () => {
  const from = (port: number, localAddress: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
      s.once('error', reject);
    });
  const closed = (s: net.Socket) =>
    new Promise<void>((r) => {
      s.on('error', () => {});
      if (s.destroyed) r();
      else s.once('close', () => r());
    });

  it('16 idle connections from one address hold only its share; a sender from elsewhere is taken', async () => {
    const got: string[] = [];
    const listener = new CotListener({ onEvent: (xml) => got.push(xml) });
    const { port } = await listener.listen();
    cleanups.push(() => listener.close());
    const idle = [];
    for (let i = 0; i < 16; i++) idle.push(await from(port, '127.0.0.2'));
    await until(() => listener.stats.refused === 8, 'eight refused');
    expect(listener.open).toBe(8);
    const feed = await from(port, '127.0.0.1');
    feed.write(ev('F1'));
    await until(() => got.length === 1, 'the sender taken');
    for (const s of [...idle, feed]) s.destroy();
  });

  it('a full port makes room from the heaviest address for a newcomer; silent and hung connections are closed', async () => {
    const got: string[] = [];
    const listener = new CotListener({
      onEvent: (xml) => got.push(xml),
      maxConnections: 6,
      maxPerSource: 3,
      evictAfterMs: 200,
      idleMs: 1500,
      eventTimeoutMs: 800,
    });
    const { port } = await listener.listen();
    cleanups.push(() => listener.close());
    const squat = [];
    for (const a of ['127.0.0.3', '127.0.0.4'])
      for (let i = 0; i < 3; i++) squat.push(await from(port, a));
    await until(() => listener.open === 6, 'the port full');
    await new Promise((r) => setTimeout(r, 300));
    const feed = await from(port, '127.0.0.1');
    feed.write(ev('F2'));
    await until(() => got.length === 1, 'the newcomer taken');
    expect(listener.stats.evicted).toBe(1);
    // A connection that starts an event and never ends it is closed, though it keeps sending.
    const hung = await from(port, '127.0.0.5');
    hung.write('<event uid="never"');
    const drip = setInterval(() => hung.write(' '), 100);
    await closed(hung);
    clearInterval(drip);
    expect(listener.stats.closedStuck).toBe(1);
    // The silent squatters are closed after idleMs.
    await Promise.all(squat.map(closed));
    expect(listener.stats.closedIdle).toBeGreaterThanOrEqual(4);
    feed.destroy();
  });
});

describe('CotPushClient', () => {
  it('delivers, reconnects with backoff after the server drops it, and flushes what it queued', async () => {
    const tak = new FakeTak();
    const port = await tak.listen();
    cleanups.push(() => tak.close());
    const states: boolean[] = [];
    const push = new CotPushClient({
      host: '127.0.0.1',
      port,
      minBackoffMs: 20,
      maxBackoffMs: 100,
      onState: (up) => states.push(up),
    });
    cleanups.push(() => push.close());
    expect(push.send(ev('early'))).toBe(false); // not started: queued
    push.start();
    await until(() => push.connected, 'connected');
    expect(push.send(ev('1'))).toBe(true);
    await until(() => tak.events.length === 2, 'two events');
    expect(tak.events).toEqual([ev('early'), ev('1')]);

    tak.kick();
    await until(() => states.includes(false), 'disconnected');
    push.send(ev('while-down'));
    await until(() => push.connected, 'reconnected');
    push.send(ev('2'));
    await until(() => tak.events.length === 4, 'four events');
    expect(tak.events.slice(2)).toEqual([ev('while-down'), ev('2')]);
    expect(push.stats).toMatchObject({ sent: 4, connects: 2, failures: 1, dropped: 0 });
    expect(states).toEqual([true, false, true]);
  });

  it('keeps retrying while the server is down, keeping only the newest events', async () => {
    // A port with nothing listening: bind one, then free it.
    const probe = new FakeTak();
    const port = await probe.listen();
    await probe.close();
    const push = new CotPushClient({
      host: '127.0.0.1',
      port,
      minBackoffMs: 10,
      maxBackoffMs: 40,
      maxQueue: 3,
    });
    cleanups.push(() => push.close());
    push.start();
    for (let i = 0; i < 5; i++) push.send(ev(`q${i}`));
    await until(() => push.stats.failures >= 3, 'three failed attempts');
    expect(push.connected).toBe(false);
    expect(push.queued).toBe(3);
    expect(push.stats.dropped).toBe(2);

    const tak = new FakeTak();
    await tak.listen(port);
    cleanups.push(() => tak.close());
    await until(() => tak.events.length === 3, 'the queued events');
    expect(tak.events).toEqual([ev('q2'), ev('q3'), ev('q4')]);
  });

  it('a server that hangs up at once is retried with growing delays, not in a tight loop', async () => {
    const tak = new FakeTak();
    tak.slam = true;
    const port = await tak.listen();
    cleanups.push(() => tak.close());
    const push = new CotPushClient({
      host: '127.0.0.1',
      port,
      minBackoffMs: 50,
      maxBackoffMs: 200,
    });
    cleanups.push(() => push.close());
    const t0 = Date.now();
    push.start();
    await until(() => tak.connections >= 4, 'four attempts');
    // 50 + 100 + 200 ms of backoff at least between the first and the fourth attempt.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    await push.close();
    const n = tak.connections;
    await new Promise((r) => setTimeout(r, 300));
    expect(tak.connections).toBe(n); // closed: no more attempts
  });
});

describe('CoT end to end', () => {
  it('trackToCot → CotPushClient → CotListener → cotToTrack', async () => {
    const reports: CotTrackReport[] = [];
    const listener = new CotListener({ onEvent: (xml) => reports.push(cotToTrack(xml).report) });
    const { port } = await listener.listen();
    cleanups.push(() => listener.close());
    const push = new CotPushClient({ host: '127.0.0.1', port, minBackoffMs: 20 });
    cleanups.push(() => push.close());
    push.start();
    const tracks = Array.from({ length: 50 }, (_, i) => ({
      id: `ais:41200${String(i).padStart(4, '0')}`,
      name: `SHIP ${i} 船`,
      party: (['own', 'other', 'third'] as const)[i % 3]!,
      domain: i % 5 === 0 ? ('air' as const) : ('surface' as const),
      lat: 10 + i / 10,
      lon: 179.5 + i / 50 > 180 ? 179.5 + i / 50 - 360 : 179.5 + i / 50,
      sog: i,
      cog: (i * 37) % 360,
      altFt: i % 5 === 0 ? 1000 * i : null,
      vsFpm: i % 5 === 0 ? 500 : null,
      at: T0 + i * 1000,
    }));
    for (const t of tracks) push.send(trackToCot(t));
    await until(() => reports.length === tracks.length, 'every track');
    for (const [i, t] of tracks.entries()) {
      const r = reports[i]!;
      expect(r).toMatchObject({
        id: `cot:parley.${t.id}`,
        name: t.name,
        party: t.party,
        domain: t.domain,
        lat: t.lat,
        lon: t.lon,
        time: t.at,
      });
      expect(r.sog).toBeCloseTo(t.sog, 6);
      if (t.domain === 'air') expect(r.altFt).toBeCloseTo(t.altFt!, 6);
    }
    expect(listener.stats).toMatchObject({ events: 50, accepted: 50, rejected: {} });
  });
});
