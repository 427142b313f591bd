// The outage matrix: two real stations (`parley start` processes on loopback, port 0) through
// crashes, restarts and a faulty network, each ending on the invariant (`assertSettled`): every
// message present exactly once on both stations, in each sender's order, all delivered, and the
// same size/root for both feeds on both stations. A POST answered 201 must be there exactly once;
// a POST that failed because its station died may or may not be there, but at most once.
// Exchange both ways and a peer's stop/restart are in two-stations.test.ts.
import { rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.js';
import {
  addPeer,
  api,
  assertSettled,
  makeStation,
  spawnStation,
  tempRoot,
  token,
  waitFor,
} from './harness.js';
import type { StationDir, StationProcess } from './harness.js';
import { prng } from '../../../bench/util.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Stations and proxies first (newest first), then their directories.
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Side {
  dir: StationDir;
  proc: StationProcess;
  url: string;
  port: number;
  token: string;
}

async function spawnTracked(s: StationDir, port = 0): Promise<StationProcess> {
  const p = await spawnStation(s, { port });
  cleanup.push(() => p.stop());
  return p;
}

async function startProxy(): Promise<FaultProxy> {
  const p = await FaultProxy.start();
  cleanup.push(() => p.close());
  return p;
}

async function freshRoot(): Promise<string> {
  const root = await tempRoot('parley-om-');
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  return root;
}

/** Restarts a side's station on the same port (its peer's URL stays valid). */
async function respawn(side: Side): Promise<void> {
  side.proc = await spawnTracked(side.dir, side.port);
  side.url = side.proc.url;
  expect(Number(new URL(side.url).port)).toBe(side.port);
}

/** Two stations paired directly: each pulls the other at its own URL. */
async function directPair(): Promise<[Side, Side]> {
  const root = await freshRoot();
  const [A, B] = [await makeStation(root, 'Alpha'), await makeStation(root, 'Bravo')];
  const [ta, tb] = [await token(A), await token(B)];
  const [pa, pb] = await Promise.all([spawnTracked(A), spawnTracked(B)]);
  // Peers added while running are picked up by the stations' peer reload (2 s).
  await addPeer(A, B, [pb.url]);
  await addPeer(B, A, [pa.url]);
  const side = (dir: StationDir, proc: StationProcess, t: string): Side => ({
    dir,
    proc,
    url: proc.url,
    port: Number(new URL(proc.url).port),
    token: t,
  });
  return [side(A, pa, ta), side(B, pb, tb)];
}

/**
 * Two stations that reach each other only through fault proxies: `a` pulls `b` over `toB` (one
 * proxy per path, most preferred first) and `b` pulls `a` over `toA`. A proxy carries both the
 * pull and the heartbeats of one station towards the other, in both directions.
 */
async function proxiedPair(paths = 1): Promise<{
  a: Side;
  b: Side;
  toA: FaultProxy[];
  toB: FaultProxy[];
}> {
  const root = await freshRoot();
  const [A, B] = [await makeStation(root, 'Alpha'), await makeStation(root, 'Bravo')];
  const [ta, tb] = [await token(A), await token(B)];
  const toA: FaultProxy[] = [];
  const toB: FaultProxy[] = [];
  for (let i = 0; i < paths; i++) {
    toA.push(await startProxy());
    toB.push(await startProxy());
  }
  // Paired before they start, so the links run from the first second.
  await addPeer(
    A,
    B,
    toB.map((p) => p.url),
  );
  await addPeer(
    B,
    A,
    toA.map((p) => p.url),
  );
  const [pa, pb] = await Promise.all([spawnTracked(A), spawnTracked(B)]);
  for (const p of toA) p.setTarget(pa.url);
  for (const p of toB) p.setTarget(pb.url);
  const side = (dir: StationDir, proc: StationProcess, t: string): Side => ({
    dir,
    proc,
    url: proc.url,
    port: Number(new URL(proc.url).port),
    token: t,
  });
  return { a: side(A, pa, ta), b: side(B, pb, tb), toA, toB };
}

const ref = (s: Side) => ({ url: s.url, token: s.token, station: s.dir.station });

/** One POST and what came of it. */
interface Attempt {
  text: string;
  /** The seq of a 201 answer; null when the POST failed (the station may or may not have it). */
  seq: number | null;
  error?: string;
}

async function post(side: Side, text: string, precedence = 'ROUTINE'): Promise<Attempt> {
  try {
    const { seq } = await api(side.url, side.token).send(text, precedence);
    return { text, seq };
  } catch (err) {
    return { text, seq: null, error: String(err) };
  }
}

/**
 * Posts `prefix 0`, `prefix 1`, … one after another to `side` (its current URL each time) until
 * stopped, `max` POSTs, `maxMs` or, with `stopOnError`, the first failure.
 */
function postLoop(
  side: Side,
  prefix: string,
  opts: { max: number; maxMs: number; gapMs?: number; stopOnError?: boolean },
): {
  attempts: Attempt[];
  stop: () => Promise<Attempt[]>;
  done: Promise<Attempt[]>;
  /** Resolves at the first 201, or fails if the loop ended without one. */
  answering: () => Promise<void>;
} {
  const attempts: Attempt[] = [];
  let stopped = false;
  let finished = false;
  const end = Date.now() + opts.maxMs;
  const done = (async () => {
    for (let i = 0; i < opts.max && !stopped && Date.now() < end; i++) {
      const a = await post(side, `${prefix} ${i}`);
      attempts.push(a);
      if (a.seq === null && opts.stopOnError) break;
      if (opts.gapMs) await sleep(opts.gapMs);
    }
    finished = true;
    return attempts;
  })();
  // A test that fails half-way must not leave a loop posting into the next one.
  cleanup.push(async () => {
    stopped = true;
    await done;
  });
  return {
    attempts,
    done,
    answering: async () => {
      for (const end = Date.now() + 10_000; Date.now() < end; await sleep(5)) {
        if (attempts.some((a) => a.seq !== null)) return;
        if (finished) break;
      }
      throw new Error(`${prefix}: no POST answered: ${JSON.stringify(attempts.slice(0, 3))}`);
    },
    stop: async () => {
      stopped = true;
      return done;
    },
  };
}

/**
 * Checks a sender's own feed against what was posted to it, and returns the texts it holds in
 * seq order (what both stations must end up showing): nothing unknown, nothing twice, every 201
 * there at the seq it was answered with, every failed POST at most once. With `sequential`, the
 * feed holds the posts in the order they were made.
 */
async function ownMessages(
  side: Side,
  attempts: Attempt[],
  sequential: boolean,
): Promise<{ texts: string[]; uncertainPresent: number; uncertainAbsent: number }> {
  const mine = (await api(side.url, side.token).messages())
    .filter((m) => m.station === side.dir.station)
    .sort((x, y) => x.seq - y.seq);
  const texts = mine.map((m) => m.text);
  expect(new Set(texts).size, 'a message is in the feed twice').toBe(texts.length);
  const byText = new Map(attempts.map((a) => [a.text, a]));
  expect(byText.size, 'test bug: texts repeat').toBe(attempts.length);
  for (const m of mine) {
    const a = byText.get(m.text);
    expect(a, `${m.text} was never posted`).toBeDefined();
    if (a?.seq != null) expect(m.seq, `seq of ${m.text}`).toBe(a.seq);
  }
  const present = new Set(texts);
  const lost = attempts.filter((a) => a.seq !== null && !present.has(a.text)).map((a) => a.text);
  expect(lost, 'answered 201 but missing').toEqual([]);
  if (sequential) {
    expect(texts, 'sender order').toEqual(
      attempts.filter((a) => present.has(a.text)).map((a) => a.text),
    );
  }
  const uncertain = attempts.filter((a) => a.seq === null);
  const uncertainPresent = uncertain.filter((a) => present.has(a.text)).length;
  return { texts, uncertainPresent, uncertainAbsent: uncertain.length - uncertainPresent };
}

/** Every POST of a loop whose station stayed up must have been answered 201, in increasing seq. */
function allAnswered(attempts: Attempt[]): string[] {
  const failed = attempts.filter((a) => a.seq === null);
  expect(failed, 'POSTs failed on a running station').toEqual([]);
  const seqs = attempts.map((a) => a.seq!);
  expect(seqs, 'seqs increase in posting order').toEqual([...seqs].sort((x, y) => x - y));
  return attempts.map((a) => a.text);
}

interface HealthPath {
  url: string;
  state: string;
}
interface HealthPeer {
  name: string;
  state: string;
  /** Entries of the peer's feed held here. */
  size: number;
  paths: HealthPath[];
}

async function peerHealth(side: Side): Promise<HealthPeer | undefined> {
  const h = await api(side.url).get('/api/v1/health');
  return (h.json as { peers: HealthPeer[] }).peers[0];
}

/** Waits until `side` reports its peer and paths in these states. */
async function waitHealth(
  side: Side,
  what: string,
  ok: (p: HealthPeer) => boolean,
  timeoutMs = 10_000,
): Promise<HealthPeer> {
  return waitFor(
    `${side.dir.name}: ${what}`,
    async () => {
      const p = await peerHealth(side);
      return p && ok(p) ? p : undefined;
    },
    timeoutMs,
  );
}

/** Milliseconds until `text` (from `from`) is held by `to` and shown delivered at `from`. */
async function deliveryTime(
  from: Side,
  to: Side,
  text: string,
  t0: number,
  timeoutMs: number,
): Promise<number> {
  await waitFor(
    `${text} delivered`,
    async () => {
      const there = (await api(to.url, to.token).messages()).some((m) => m.text === text);
      const here = (await api(from.url, from.token).messages()).find((m) => m.text === text);
      return there && here?.status.delivered;
    },
    timeoutMs,
    25,
  );
  return Date.now() - t0;
}

describe('fault proxy', () => {
  /** An echo server behind a proxy, and a client that collects what comes back. */
  async function echo() {
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.pipe(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const proxy = await FaultProxy.start((server.address() as AddressInfo).port);
    cleanup.push(async () => {
      await proxy.close();
      server.close();
    });
    const open = async () => {
      const s: Socket = connect(Number(new URL(proxy.url).port), '127.0.0.1');
      const got = { data: '', error: '', closed: false };
      s.setEncoding('utf8');
      s.on('data', (d: string) => (got.data += d));
      s.on('error', (e: NodeJS.ErrnoException) => (got.error = e.code ?? e.message));
      s.on('close', () => (got.closed = true));
      // A dropped connection may be reset before its 'connect' is seen.
      await new Promise<void>((r) => {
        s.once('connect', () => r());
        s.once('close', () => r());
      });
      cleanup.push(async () => void s.destroy());
      return { s, got };
    };
    return { proxy, open };
  }

  it('passes, delays in order, drops, blackholes and partitions', async () => {
    const { proxy, open } = await echo();
    const c1 = await open();
    c1.s.write('hello');
    await waitFor('echo', async () => c1.got.data === 'hello', 2000, 5);

    proxy.delay(150);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) c1.s.write(String(i));
    await sleep(50);
    expect(c1.got.data).toBe('hello');
    proxy.pass(); // chunks already held keep their delay, and their order ahead of new ones
    c1.s.write('!');
    await waitFor('delayed echo', async () => c1.got.data === 'hello01234!', 3000, 5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    proxy.partition();
    c1.s.write('held');
    const c2 = await open(); // a connection opened during the partition
    c2.s.write('new');
    await sleep(200);
    expect(c1.got.data).toBe('hello01234!');
    expect(c2.got.data).toBe('');
    proxy.pass();
    await waitFor('partition healed', async () => c1.got.data.endsWith('held'), 2000, 5);
    await waitFor('held connection opened', async () => c2.got.data === 'new', 2000, 5);

    proxy.blackhole();
    c1.s.write('lost');
    const c3 = await open();
    c3.s.write('into the void');
    await sleep(200);
    expect(c1.got.data).toBe('hello01234!held');
    expect(c3.got.data).toBe('');
    expect(c1.got.closed || c3.got.closed).toBe(false);
    expect(proxy.stats().dead).toBe(3);
    proxy.pass(); // the far end "comes back" and knows none of the old connections
    await waitFor('blackholed connections reset', async () => c1.got.closed && c3.got.closed);
    const c4 = await open();
    c4.s.write('again');
    await waitFor('fresh connection passes', async () => c4.got.data === 'again', 2000, 5);

    proxy.drop();
    await waitFor('existing connection reset', async () => c4.got.closed);
    expect(c4.got.error).toBe('ECONNRESET');
    const c5 = await open();
    await waitFor('new connection reset', async () => c5.got.closed);
    expect(proxy.stats().open).toBe(0);
  });
});

describe('outage matrix: two stations on loopback', () => {
  it('kill -9 of the SENDER while it is posting, restarted on the same port, 6 rounds', async () => {
    const [a, b] = await directPair();
    const rand = prng(1);
    const fromA: Attempt[] = [];
    // The other station keeps writing through it all; it never dies, so every POST must succeed.
    const bLoop = postLoop(b, 'B steady', { max: 400, maxMs: 40_000, gapMs: 40 });
    for (let round = 0; round < 6; round++) {
      const loop = postLoop(a, `A r${round}`, { max: 3000, maxMs: 10_000, stopOnError: true });
      await loop.answering();
      await sleep(30 + rand() * 300);
      await a.proc.kill9();
      const attempts = await loop.done;
      expect(attempts.at(-1)?.seq, 'the loop ran into the kill').toBeNull();
      fromA.push(...attempts);
      await respawn(a);
      // The POST in flight at the kill: committed or not, it is there at most once.
      await ownMessages(a, fromA, true);
    }
    const own = await ownMessages(a, fromA, true);
    const expectedA = own.texts;
    const expectedB = allAnswered(await bLoop.stop());
    await assertSettled(ref(a), ref(b), { fromA: expectedA, fromB: expectedB }, 30_000);
    console.log(
      `kill -9 sender: 6 rounds, ${fromA.length} POSTs to A, ${expectedB.length} to B; ` +
        `POSTs cut by the kill: ${own.uncertainPresent} committed, ${own.uncertainAbsent} not`,
    );
  }, 90_000);

  it('kill -9 of the RECEIVER during the sender’s writes, restarted on the same port, 6 rounds', async () => {
    const [a, b] = await directPair();
    const rand = prng(2);
    // A never dies and writes all along; B, pulling and receipting A's feed, is killed repeatedly.
    const aLoop = postLoop(a, 'A steady', { max: 3000, maxMs: 60_000, gapMs: 5 });
    const fromB: Attempt[] = [];
    for (let round = 0; round < 6; round++) {
      const loop = postLoop(b, `B r${round}`, {
        max: 1000,
        maxMs: 10_000,
        gapMs: 20,
        stopOnError: true,
      });
      // B is pulling, storing and receipting A's writes when it dies.
      await loop.answering();
      await sleep(100 + rand() * 400);
      await b.proc.kill9();
      const attempts = await loop.done;
      expect(attempts.at(-1)?.seq, 'the loop ran into the kill').toBeNull();
      fromB.push(...attempts);
      await respawn(b);
    }
    const expectedA = allAnswered(await aLoop.stop());
    const expectedB = (await ownMessages(b, fromB, true)).texts;
    await assertSettled(ref(a), ref(b), { fromA: expectedA, fromB: expectedB }, 30_000);
    console.log(`kill -9 receiver: 6 rounds, ${expectedA.length} POSTs to A, ${fromB.length} to B`);
  }, 90_000);

  it('sender restarted (SIGTERM) in the middle of 200 concurrent POSTs, 2 rounds', async () => {
    const [a, b] = await directPair();
    const fromA: Attempt[] = [];
    const bLoop = postLoop(b, 'B steady', { max: 400, maxMs: 40_000, gapMs: 40 });
    let before = { uncertainPresent: 0, uncertainAbsent: 0 };
    for (let round = 0; round < 2; round++) {
      let answered = 0;
      const batch = Array.from({ length: 200 }, (_, i) => `A batch ${round} ${i}`);
      // All 200 in flight together, started over ~400 ms so that the stop lands inside the batch.
      const results = Promise.allSettled(
        batch.map(async (text, i) => {
          await sleep(i * 2);
          const r = await post(a, text, 'IMMEDIATE');
          if (r.seq !== null) answered++;
          return r;
        }),
      );
      await waitFor('the batch is being answered', async () => answered >= 20, 10_000, 1);
      expect(await a.proc.stop(), 'graceful stop mid-batch exits 0').toBe(0);
      for (const r of await results) if (r.status === 'fulfilled') fromA.push(r.value);
      expect(fromA.length).toBe(200 * (round + 1));
      expect(answered, 'the stop cut the batch').toBeLessThan(200);
      await respawn(a);
      const own = await ownMessages(a, fromA, false);
      console.log(
        `mid-batch SIGTERM round ${round}: ${answered} answered 201, ` +
          `${own.uncertainPresent - before.uncertainPresent} failed but committed, ` +
          `${own.uncertainAbsent - before.uncertainAbsent} failed and absent`,
      );
      before = own;
    }
    const expectedA = (await ownMessages(a, fromA, false)).texts;
    const expectedB = allAnswered(await bLoop.stop());
    await assertSettled(ref(a), ref(b), { fromA: expectedA, fromB: expectedB }, 30_000);
  }, 60_000);

  it('link dropped (connections reset) for 3 s while both keep sending', async () => {
    const { a, b, toA, toB } = await proxiedPair();
    const aLoop = postLoop(a, 'A', { max: 400, maxMs: 20_000, gapMs: 25 });
    const bLoop = postLoop(b, 'B', { max: 400, maxMs: 20_000, gapMs: 25 });
    await waitHealth(a, 'link up', (p) => p.state === 'UP');
    await sleep(500);
    const t0 = Date.now();
    for (const p of [...toA, ...toB]) p.drop();
    const [ha, hb] = await Promise.all([
      waitHealth(a, 'Bravo DOWN', (p) => p.state === 'DOWN', 5000),
      waitHealth(b, 'Alpha DOWN', (p) => p.state === 'DOWN', 5000),
    ]);
    expect(ha.paths[0]!.state).toBe('DOWN');
    expect(hb.paths[0]!.state).toBe('DOWN');
    await sleep(Math.max(0, 3000 - (Date.now() - t0)));
    for (const p of [...toA, ...toB]) p.pass();
    await sleep(500);
    const [fromA, fromB] = [allAnswered(await aLoop.stop()), allAnswered(await bLoop.stop())];
    await assertSettled(ref(a), ref(b), { fromA, fromB }, 20_000);
    await waitHealth(a, 'Bravo UP again', (p) => p.state === 'UP');
    await waitHealth(b, 'Alpha UP again', (p) => p.state === 'UP');
  }, 60_000);

  it('200 ms of latency each way on both links: everything still arrives, in order', async () => {
    const { a, b, toA, toB } = await proxiedPair();
    await waitHealth(a, 'link up', (p) => p.state === 'UP');
    for (const p of [...toA, ...toB]) p.delay(200);
    const aLoop = postLoop(a, 'A', { max: 200, maxMs: 20_000, gapMs: 20 });
    const bLoop = postLoop(b, 'B', { max: 200, maxMs: 20_000, gapMs: 20 });
    await sleep(2500);
    // Delivery happens over the slow link, not only once it is fast again.
    const sentByA = aLoop.attempts[0]!.text;
    const sentByB = bLoop.attempts[0]!.text;
    await deliveryTime(a, b, sentByA, Date.now(), 10_000);
    await deliveryTime(b, a, sentByB, Date.now(), 10_000);
    const slow = [(await peerHealth(a))!, (await peerHealth(b))!].map((p) => p.paths[0]!.state);
    const [fromA, fromB] = [allAnswered(await aLoop.stop()), allAnswered(await bLoop.stop())];
    await assertSettled(ref(a), ref(b), { fromA, fromB }, 30_000);
    for (const p of [...toA, ...toB]) p.pass();
    console.log(`delay 200 ms: ${fromA.length} + ${fromB.length} messages; paths ${slow}`);
  }, 60_000);

  it('half-open link (blackhole) while a long poll is held: heartbeats mark the path DOWN', async () => {
    const { a, b, toB } = await proxiedPair();
    const fromA: string[] = [];
    const fromB: string[] = [];
    for (let i = 0; i < 3; i++) {
      fromA.push((await api(a.url, a.token).send(`A before ${i}`), `A before ${i}`));
      fromB.push((await api(b.url, b.token).send(`B before ${i}`), `B before ${i}`));
    }
    await assertSettled(ref(a), ref(b), { fromA, fromB }, 20_000);
    // A's pull of B is held (long poll), waiting for B's next entry.
    const [held] = await waitFor('a held pull', async () => {
      const ids = toB[0]!.awaiting(300);
      return ids.length > 0 ? ids : undefined;
    });
    const t0 = Date.now();
    toB[0]!.blackhole();
    for (let i = 0; i < 3; i++) {
      fromB.push((await api(b.url, b.token).send(`B during ${i}`), `B during ${i}`));
      fromA.push((await api(a.url, a.token).send(`A during ${i}`), `A during ${i}`));
    }
    const down = await waitHealth(
      a,
      'path to Bravo DOWN',
      (p) => p.paths[0]!.state === 'DOWN' && p.state !== 'UP',
      6000,
    );
    const detectMs = Date.now() - t0;
    expect(down.state).toMatch(/^(DOWN|DEGRADED)$/);
    // The held pull is given up long before its own timeout (pull wait + 10 s).
    await waitFor('the held pull abandoned', async () => !toB[0]!.isOpen(held!), 3000);
    // Nothing crossed: A holds none of B's messages from the blackhole.
    const atA = await api(a.url, a.token).messages();
    expect(atA.some((m) => m.text.startsWith('B during'))).toBe(false);
    toB[0]!.pass();
    const t1 = Date.now();
    await assertSettled(ref(a), ref(b), { fromA, fromB }, 20_000);
    const healMs = Date.now() - t1;
    await waitHealth(a, 'Bravo UP again', (p) => p.state === 'UP');
    console.log(`blackhole: path DOWN after ${detectMs} ms; settled ${healMs} ms after the heal`);
  }, 60_000);

  it('partition both ways for 3 s while BOTH keep sending, then heal', async () => {
    const { a, b, toA, toB } = await proxiedPair();
    const aLoop = postLoop(a, 'A', { max: 400, maxMs: 20_000, gapMs: 25 });
    const bLoop = postLoop(b, 'B', { max: 400, maxMs: 20_000, gapMs: 25 });
    await waitHealth(a, 'link up', (p) => p.state === 'UP');
    await waitHealth(b, 'link up', (p) => p.state === 'UP');
    await sleep(300);
    const t0 = Date.now();
    for (const p of [...toA, ...toB]) p.partition();
    await Promise.all([
      // Only the heartbeats' timeouts can tell (3 misses).
      waitHealth(a, 'Bravo DOWN', (p) => p.state === 'DOWN', 8000),
      waitHealth(b, 'Alpha DOWN', (p) => p.state === 'DOWN', 8000),
    ]);
    const detectMs = Date.now() - t0;
    const [sentA, sentB] = [aLoop.attempts.length, bLoop.attempts.length];
    const [heldByB, heldByA] = [(await peerHealth(b))!, (await peerHealth(a))!];
    await sleep(Math.max(1000, 3000 - (Date.now() - t0)));
    // Both kept writing, and nothing crossed the partition.
    expect(aLoop.attempts.length).toBeGreaterThan(sentA + 2);
    expect(bLoop.attempts.length).toBeGreaterThan(sentB + 2);
    const [nowB, nowA] = [(await peerHealth(b))!, (await peerHealth(a))!];
    expect([nowA.state, nowA.paths[0]!.state, nowB.state, nowB.paths[0]!.state]).toEqual([
      'DOWN',
      'DOWN',
      'DOWN',
      'DOWN',
    ]);
    expect(nowB.size).toBe(heldByB.size);
    expect(nowA.size).toBe(heldByA.size);
    for (const p of [...toA, ...toB]) p.pass();
    await sleep(500);
    const [fromA, fromB] = [allAnswered(await aLoop.stop()), allAnswered(await bLoop.stop())];
    await assertSettled(ref(a), ref(b), { fromA, fromB }, 20_000);
    await waitHealth(a, 'Bravo UP again', (p) => p.state === 'UP');
    await waitHealth(b, 'Alpha UP again', (p) => p.state === 'UP');
    console.log(
      `partition: both peers DOWN after ${detectMs} ms; ${fromA.length} + ${fromB.length} messages`,
    );
  }, 60_000);

  for (const fault of ['drop', 'blackhole'] as const) {
    it(`two paths, the first one ${fault}: DEGRADED, traffic moves to path 2, path 1 comes back`, async () => {
      const { a, b, toA, toB } = await proxiedPair(2);
      const fromA: string[] = [];
      const fromB: string[] = [];
      const bothUp = (p: HealthPeer) => p.state === 'UP' && p.paths.every((x) => x.state === 'UP');
      await waitHealth(a, 'both paths UP', bothUp);
      await waitHealth(b, 'both paths UP', bothUp);
      fromA.push((await api(a.url, a.token).send('A warm-up'), 'A warm-up'));
      fromB.push((await api(b.url, b.token).send('B warm-up'), 'B warm-up'));
      await assertSettled(ref(a), ref(b), { fromA, fromB }, 20_000);

      // Path 1 dies in both directions, while the pulls sit on it.
      const t0 = Date.now();
      toA[0]![fault]();
      toB[0]![fault]();
      // A message sent at the moment of the failure arrives once the path is found dead.
      fromB.push((await api(b.url, b.token).send('B at the fault'), 'B at the fault'));
      const degraded = (p: HealthPeer) =>
        p.state === 'DEGRADED' && p.paths[0]!.state === 'DOWN' && p.paths[1]!.state === 'UP';
      const [ha, hb] = await Promise.all([
        waitHealth(a, 'path 1 DOWN, path 2 UP', degraded, 6000),
        waitHealth(b, 'path 1 DOWN, path 2 UP', degraded, 6000),
      ]);
      expect(ha.paths.map((p) => p.url)).toEqual([toB[0]!.url, toB[1]!.url]);
      expect(hb.paths.map((p) => p.url)).toEqual([toA[0]!.url, toA[1]!.url]);
      const atFault = await deliveryTime(b, a, 'B at the fault', t0, 8000);

      // While path 1 is dead, FLASH traffic flows over path 2 promptly, both ways.
      let t = Date.now();
      fromA.push(
        (await api(a.url, a.token).send('A FLASH over path 2', 'FLASH'), 'A FLASH over path 2'),
      );
      const flashA = await deliveryTime(a, b, 'A FLASH over path 2', t, 3000);
      t = Date.now();
      fromB.push(
        (await api(b.url, b.token).send('B FLASH over path 2', 'FLASH'), 'B FLASH over path 2'),
      );
      const flashB = await deliveryTime(b, a, 'B FLASH over path 2', t, 3000);
      expect((await peerHealth(a))!.paths[0]!.state).toBe('DOWN');

      toA[0]!.pass();
      toB[0]!.pass();
      await waitHealth(a, 'path 1 UP again', bothUp, 5000);
      await waitHealth(b, 'path 1 UP again', bothUp, 5000);
      fromA.push((await api(a.url, a.token).send('A after'), 'A after'));
      fromB.push((await api(b.url, b.token).send('B after'), 'B after'));
      await assertSettled(ref(a), ref(b), { fromA, fromB }, 20_000);
      console.log(
        `two paths, path 1 ${fault}: sent at the fault delivered in ${atFault} ms; ` +
          `FLASH over path 2 delivered in ${flashA} / ${flashB} ms`,
      );
    }, 60_000);
  }
});
