// `npm run bench -- link`: two durable stations paired on 127.0.0.1. Station A runs in this
// process (so its link can be watched without polling the API); station B, the receiver, runs
// as its own process (`bin/parley start`), so the two sides use two cores as they would on two
// machines. Figures: sustained replication rate beside the raw Ed25519 verify rate; POST to
// delivered latency at 50 messages/s beside one durable append; catch-up of a backlog after B
// was down beside the raw verify time of as many signatures. All measured in the same run.
// `-- --store postgres`: the same figures with each station on its own PostgreSQL database
// (PARLEY_TEST_PG names a server, else a throwaway cluster is started as for the tests).
// `-- --peers N` (3 to 8; `--peers=N` too): then, in the same run, N stations every pair paired
// and one channel whose audience is all N; its latency (POST to A holding every receiver's
// delivered receipt) and sustained rate (until every receiver has stored and receipted) beside
// the pair's, and the fan-out cost of each member beyond two. The N − 1 receivers are child
// processes as B is, so on a 2-core machine they share the cores (SQLite only).
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { PgStore } from '@parley/store';
import type { EntryDraft } from '@parley/store';
import { freshDatabase, stopTestServer, testServer } from '../packages/store/test/pg-helper.js';
import {
  addPeer,
  api,
  makeStation,
  PARLEY,
  tempRoot,
  token,
  waitFor,
} from '../apps/station/test/harness.js';
import type { StationDir } from '../apps/station/test/harness.js';
import { fmt, median, messageText, prng, report } from './util.js';

const RUNS = 3;
/** The production defaults (LINK_DEFAULTS): a heartbeat times out at min(interval, 10 s). */
const HEARTBEAT_MS = 60_000;
const PULL_WAIT_MS = 20_000;
/** Bounds: one sustained run, the catch-up, and one POST-to-delivered wait. */
const RUN_BOUND_MS = 90_000;
const CATCHUP_BOUND_MS = 120_000;
const MESSAGE_BOUND_MS = 10_000;
/** Absolute targets from the issue. */
const TARGET_RATE = 5000;
const TARGET_RATE_RATIO = 0.3;
const TARGET_P99_MS = 25;
const TARGET_CATCHUP_MS = 30_000;
/** Issue 13: each member beyond two may cost at most 1.5× the 2-station cost. */
const TARGET_FANOUT_COST = 1.5;

function drafts(rand: () => number, channel: string, from: number, n: number): EntryDraft[] {
  return Array.from({ length: n }, (_, k) => ({
    kind: 'message',
    channel,
    body: { precedence: 'ROUTINE', text: messageText(rand, from + k) },
  }));
}

/** `--store postgres` or `--store=postgres` (default sqlite). */
function storeArg(args: string[]): 'sqlite' | 'postgres' {
  const i = args.findIndex((x) => x === '--store' || x.startsWith('--store='));
  if (i < 0) return 'sqlite';
  const v = args[i]!.includes('=') ? args[i]!.slice(8) : args[i + 1];
  if (v !== 'sqlite' && v !== 'postgres') throw new Error('--store must be sqlite or postgres');
  return v;
}

/**
 * B's stored head of A's feed, read as the bench polls it: a read-only SQLite connection
 * (synchronous, beside B's writer in WAL), or for PostgreSQL a LISTEN on B's database that
 * re-reads the head at each of B's commits.
 */
interface HeadWatch {
  current(): number;
  close(): Promise<void>;
}

function sqliteHeadWatch(file: string, station: string): HeadWatch {
  const reader: Db = new Database(file, { readonly: true, fileMustExist: true });
  const head = reader
    .prepare('SELECT head_seq FROM feeds WHERE station = ?')
    .pluck() as unknown as {
    get(station: string): number | undefined;
  };
  return {
    current: () => head.get(station) ?? 0,
    close: async () => {
      reader.close();
    },
  };
}

async function pgHeadWatch(url: string, station: string): Promise<HeadWatch> {
  const store = await PgStore.open(url, { max: 2 });
  let seq = (await store.head(station))?.seq ?? 0;
  let reading = Promise.resolve();
  const read = () => {
    reading = reading
      .then(async () => {
        seq = Math.max(seq, (await store.head(station))?.seq ?? 0);
      })
      .catch(() => undefined);
  };
  store.onAppend((s) => {
    if (s === station || s === '*') read();
  });
  // A slow poll as well, in case a notification is missed while the listener reconnects.
  const t = setInterval(read, 250);
  return {
    current: () => seq,
    async close() {
      clearInterval(t);
      await reading;
      await store.close();
    },
  };
}

/** `--name=value` or `--name value`. */
function arg(args: string[], name: string, dflt: number): number {
  const i = args.findIndex((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  const v =
    i < 0 ? undefined : args[i]!.includes('=') ? args[i]!.slice(name.length + 3) : args[i + 1];
  const n = i < 0 ? dflt : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Raw node:crypto Ed25519 verification on messages the size of an entry's signing bytes:
 * `runs` passes of `n`; the rate is the median pass, the time is all `runs × n` verifications.
 */
function rawVerify(n: number, runs: number, bytes: number): { rate: number; totalMs: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const msgs = Array.from({ length: 256 }, (_, i) =>
    Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(Math.max(0, bytes - 20)) })),
  );
  const sigs = msgs.map((m) => sign(null, m, privateKey));
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      if (!verify(null, msgs[i & 255]!, publicKey, sigs[i & 255]!)) throw new Error('bad sig');
    }
    ms.push(performance.now() - t);
  }
  return { rate: n / (median(ms) / 1000), totalMs: ms.reduce((a, b) => a + b, 0) };
}

/** A free loopback port, so B can be restarted at the URL A holds for it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Child {
  url: string;
  pid: number | undefined;
  stderr(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves at exit. */
  stop(): Promise<void>;
  /** SIGKILL, without waiting. */
  kill(): void;
}

/**
 * What `parley start` does, minus the hotline's deadline watch (which the command cannot turn
 * off): the built station, its URL on stdout, a clean close on SIGTERM.
 */
const NO_WATCH_STATION = `
import { buildStation } from '@parley/station';
const [dataDir, port, heartbeatMs, pullWaitMs] = process.argv.slice(1);
const s = await buildStation({ dataDir, heartbeatMs: +heartbeatMs, pullWaitMs: +pullWaitMs,
  deadlineTickMs: 0, logger: { level: 'warn' } });
console.log(await s.listen({ port: +port }));
process.once('SIGTERM', () => void s.close());
`;

/**
 * Station B in a child process: `bin/parley start`, or with `watch` false the same station
 * without its deadline watch; `--cpu-prof` into `profDir` if given.
 */
async function startChild(
  s: StationDir,
  port: number,
  watch: boolean,
  profDir?: string,
): Promise<Child> {
  const hb = String(HEARTBEAT_MS);
  const wait = String(PULL_WAIT_MS);
  const station = watch
    ? [PARLEY, 'start', '--data', s.dir, '--port', String(port), '--heartbeat-ms', hb].concat([
        '--pull-wait-ms',
        wait,
        '--log-level',
        'warn',
      ])
    : ['--input-type=module', '-e', NO_WATCH_STATION, s.dir, String(port), hb, wait];
  const args = [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), ...station];
  const proc = spawn(process.execPath, args, {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (err.length < 100_000) err += d;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`station ${s.name} did not start: ${err}`));
    }, 20_000);
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`station ${s.name} exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    pid: proc.pid,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
    kill() {
      proc.kill('SIGKILL');
    },
  };
}

/**
 * Checks `cond` every `everyMs` (1 ms timers, in this process) until it holds or `timeoutMs`
 * passes; resolves to performance.now() when it was first seen to hold, or null on timeout.
 */
function when(cond: () => boolean, timeoutMs: number, everyMs = 1): Promise<number | null> {
  if (cond()) return Promise.resolve(performance.now());
  const end = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve(performance.now());
      } else if (performance.now() > end) {
        clearInterval(t);
        resolve(null);
      }
    }, everyMs);
  });
}

/**
 * CPU time (user + system, all threads, ms) of a process so far: this one from
 * process.cpuUsage() (so with the bench's own client and timers), a child from /proc (Linux,
 * USER_HZ 100); NaN where /proc is missing.
 */
function cpuMs(pid?: number): number {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function verdict(what: string, ok: boolean): string {
  return `${what}: ${ok ? 'met' : 'NOT MET'}`;
}

type Link = NonNullable<ReturnType<Station['links']['link']>>;

interface Options {
  entries: number;
  backlog: number;
  batch: number;
  rateHz: number;
  seconds: number;
  profDir: string | undefined;
  watch: boolean;
  engine: 'sqlite' | 'postgres';
}

/** One receiver as A sees it: A's link to it, and its stored head of A's audience feed. */
interface Receiver {
  dir: StationDir;
  port: number;
  child: Child | undefined;
  head: HeadWatch;
  link: Link;
}

/** What one topology measured (times in ms, rates in entries/s). */
interface Figures {
  n: number;
  p50: number;
  p99: number;
  max: number;
  delivered: number;
  total: number;
  appendMedianUs: number;
  /** Median sustained rate until every receiver has stored (so verified) A's last entry. */
  stored: number;
  /** Median sustained rate until A holds every receiver's receipt of its last entry. */
  receipted: number;
  latOk: boolean;
  rateOk: boolean;
  /** CPU ms of all n stations per POSTed message (latency run) and per entry (sustained runs). */
  cpuPerMessage: number;
  cpuPerEntry: number;
  catchup?: { ms: number; ok: boolean; reached: boolean };
}

/**
 * Entries per sustained run: the pair's `--entries`, divided among the receivers with more
 * stations, so that the receivers verify as many in all and a run stays within RUN_BOUND_MS on
 * a 2-core machine. The rates are per entry, so the two stay comparable.
 */
function runEntries(o: Options, n: number): number {
  return Math.ceil(o.entries / (n - 1));
}

const NAMES = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf', 'Hotel'];
const MAX_PEERS = NAMES.length;

/** Children and data directories to clean up on SIGINT/SIGTERM. */
const live = { children: new Set<Child>(), roots: new Set<string>() };

/**
 * One link topology on 127.0.0.1: station A in this process and `n − 1` receivers, each its own
 * process, every pair paired (members replicate pairwise, ADR 0003). With `n` = 2 this is the
 * pair bench (A writes the informal channel `ops`, the audience of the two) and ends with the
 * catch-up; with more, A proposes channel `all` to the others, each accepts, and the same
 * latency and sustained measures run against all receivers: an entry counts only once every
 * receiver holds it (and, for `receipted`, A holds every receiver's receipt).
 */
async function linkBench(
  o: Options,
  n: number,
  raw: { rate: number },
  rawBacklogMs: number,
): Promise<Figures> {
  const root = await tempRoot('parley-bench-link-');
  live.roots.add(root);
  let a: Station | undefined;
  const receivers: Receiver[] = [];
  /** Receivers' processes running now (stopped in `finally`, even if a sibling failed to start). */
  const started = new Set<Child>();
  const drops: (() => Promise<void>)[] = [];
  const others = n === 2 ? 'B' : `the ${n - 1} others`;
  try {
    const dbs =
      o.engine === 'postgres'
        ? await Promise.all(
            NAMES.slice(0, n).map((x) => freshDatabase(`parley_bench_${x.toLowerCase()}`)),
          )
        : undefined;
    for (const d of dbs ?? []) drops.push(d.drop);
    const dirs: StationDir[] = [];
    for (let i = 0; i < n; i++)
      dirs.push(await makeStation(root, NAMES[i]!, dbs ? { storeUrl: dbs[i]!.url } : {}));
    const [A, ...rest] = dirs as [StationDir, ...StationDir[]];
    a = await buildStation({
      dataDir: A.dir,
      heartbeatMs: HEARTBEAT_MS,
      pullWaitMs: PULL_WAIT_MS,
      peerReloadMs: 100,
      ...(o.watch ? {} : { deadlineTickMs: 0 }),
    });
    const station = a;
    const aUrl = await station.listen({ port: 0 });
    const urls = [aUrl];
    for (let i = 1; i < n; i++) urls.push(`http://127.0.0.1:${await freePort()}`);
    for (let i = 1; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j) await addPeer(dirs[i]!, dirs[j]!, [urls[j]!]);
    for (let j = 1; j < n; j++) await addPeer(A, dirs[j]!, [urls[j]!]);
    const admins = n === 2 ? [] : await Promise.all(dirs.map((d) => token(d, 'admin')));
    const spawnAt = async (r: { dir: StationDir; port: number }) => {
      const c = await startChild(r.dir, r.port, o.watch, o.profDir);
      live.children.add(c);
      started.add(c);
      return c;
    };
    const ports = urls.slice(1).map((u) => Number(new URL(u).port));
    // All settled before going on, so that `finally` stops every one that did start.
    const spawned = await Promise.allSettled(
      rest.map((d, i) => spawnAt({ dir: d, port: ports[i]! })),
    );
    const children = spawned.map((x) => {
      if (x.status === 'rejected') throw x.reason;
      return x.value;
    });
    if (
      (await when(() => rest.every((d) => station.links.link(d.station) !== undefined), 10_000)) ===
      null
    )
      throw new Error(`A did not pick up its peers`);

    // With several peers a channel must be proposed to its members and accepted by each.
    const channel = n === 2 ? 'ops' : 'all';
    let proposed = 0;
    if (n > 2) {
      const p = await api(aUrl, admins[0]).post('/api/v1/channels', {
        name: channel,
        members: rest.map((d) => d.station),
        agreement: { tier: 'theater' },
      });
      if (p.status !== 201) throw new Error(`propose: ${p.status} ${JSON.stringify(p.json)}`);
      proposed = (p.json as { entry: { seq: number } }).entry.seq;
      const list = async (i: number) =>
        (await api(urls[i]!, admins[i]).get('/api/v1/channels')).json.channels as {
          name: string;
          status: string;
        }[];
      for (let i = 1; i < n; i++) {
        await waitFor(`${channel} proposed at ${dirs[i]!.name}`, async () =>
          (await list(i)).some((c) => c.name === channel),
        );
        const acc = await api(urls[i]!, admins[i]).post(`/api/v1/channels/${channel}/accept`, {});
        if (acc.status !== 201)
          throw new Error(`accept: ${acc.status} ${JSON.stringify(acc.json)}`);
      }
      await waitFor(`${channel} open at A`, async () =>
        (await list(0)).some((c) => c.name === channel && c.status === 'open'),
      );
    }
    // Traffic goes in A's feed for the audience of all n (ADR 0003); the hotline writes the
    // channel's messages through this same writer.
    const writer = await station.handle.audienceWriter(rest.map((d) => d.station));
    const audience = writer.audience!;
    const feed = writer.feed;
    for (let i = 0; i < rest.length; i++)
      receivers.push({
        dir: rest[i]!,
        port: ports[i]!,
        child: children[i],
        // A receiver's committed (so verified and durable) copy of A's feed, read beside it.
        head: dbs
          ? await pgHeadWatch(dbs[i + 1]!.url, feed)
          : sqliteHeadWatch(join(rest[i]!.dir, 'parley.db'), feed),
        link: station.links.link(rest[i]!.station)!,
      });
    let storedAtAll = 0;
    const allHold = (seq: number) => () => {
      storedAtAll = Math.min(...receivers.map((r) => r.head.current()));
      return storedAtAll >= seq;
    };
    const deliveredToAll = () => Math.min(...receivers.map((r) => r.link.deliveredUpTo(audience)));
    const delivered = (seq: number) => () => deliveredToAll() >= seq;
    const stderrs = () =>
      receivers.map((r) => `${r.dir.name}: ${r.child?.stderr().slice(-3000) ?? ''}`).join('\n');

    const rand = prng(7);
    let appended = 0;
    // A's own last receipted entry. (A's feed may end in a cosignature of a peer's checkpoint,
    // or a receipt of a peer's entry, which are never receipted, or the two would echo forever.)
    let lastMine = n === 2 ? writer.size : proposed;
    /** Appends `n` bench messages in batches; resolves to the last one's seq. */
    const appendN = async (count: number): Promise<number> => {
      for (let i = 0; i < count; i += o.batch) {
        const sealed = await writer.appendMany(
          drafts(rand, channel, appended + i, Math.min(o.batch, count - i)),
        );
        lastMine = sealed[sealed.length - 1]!.entry.seq;
      }
      appended += count;
      return lastMine;
    };
    if ((await when(delivered(lastMine), 20_000)) === null)
      throw new Error(`the link did not come up: ${stderrs()}`);

    // 1. Latency. Baseline: one durable single-entry append on A (sign, checkpoint, one
    // commit), spaced so the link traffic each one causes has settled before the next.
    const appendUs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      lastMine = (await writer.append(drafts(rand, channel, i, 1)[0]!)).entry.seq;
      appendUs.push((performance.now() - t) * 1000);
      await sleep(25);
    }
    const appendMedianUs = median(appendUs);
    await when(delivered(lastMine), 10_000);

    // POST /api/v1/messages on A at a fixed rate (open loop: a slow answer does not delay the
    // next send); each latency runs from POST start to A holding the delivered receipt of every
    // receiver.
    const bearer = await token(A);
    const url = `${aUrl}/api/v1/messages`;
    const total = Math.round(o.rateHz * o.seconds);
    const pending = new Map<number, (t: number) => void>();
    const settle = () => {
      const upTo = deliveredToAll();
      const now = performance.now();
      for (const [seq, resolve] of pending)
        if (seq <= upTo) {
          pending.delete(seq);
          resolve(now);
        }
    };
    // A's link raises its `delivered` event the moment it stores a new receipt from a peer; the
    // station wires that event to the parley_peer_delivered_up_to gauge, so a hook there times
    // each receipt exactly. A 1 ms in-process poll of PeerLink.delivered backs it up.
    const gauge = station.metrics.deliveredUpTo;
    const gaugeSet = gauge.set;
    gauge.set = function (this: typeof gauge, ...xs: unknown[]) {
      (gaugeSet as (...ys: unknown[]) => void).apply(this, xs);
      settle();
    } as typeof gaugeSet;
    const watcher = setInterval(settle, 1);
    const lat: number[] = [];
    // The two halves of each delivered message: A answering the POST (operator API, the
    // hotline's checks, one durable append) and the link (each receiver pulls, verifies,
    // stores, receipts; A pulls the receipt and stores it).
    const answered: number[] = [];
    const linked: number[] = [];
    let failed = 0;
    const sends: Promise<void>[] = [];
    const cpuAll = () => cpuMs() + receivers.reduce((sum, r) => sum + cpuMs(r.child?.pid), 0);
    const cpuBefore = cpuAll();
    const sizesBefore =
      `A's feed ${fmt(writer.size)} entries, ` +
      receivers.map((r) => `${r.dir.name}'s ${fmt(r.link.status().size)}`).join(', ');
    const tStart = performance.now();
    for (let i = 0; i < total; i++) {
      const due = tStart + (i * 1000) / o.rateHz;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sends.push(
        (async () => {
          const t0 = performance.now();
          const signal = AbortSignal.timeout(MESSAGE_BOUND_MS);
          try {
            const res = await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
              body: JSON.stringify({ channel, precedence: 'FLASH', text: messageText(rand, i) }),
              signal,
            });
            if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
            const { seq } = (await res.json()) as { seq: number };
            lastMine = Math.max(lastMine, seq);
            const tAnswered = performance.now();
            const left = MESSAGE_BOUND_MS - (performance.now() - t0);
            const tDone = await Promise.race([
              deliveredToAll() >= seq
                ? Promise.resolve(performance.now())
                : new Promise<number>((resolve) => pending.set(seq, resolve)),
              sleep(Math.max(0, left)).then(() => null),
            ]);
            pending.delete(seq);
            if (tDone === null) failed++;
            else {
              lat.push(tDone - t0);
              answered.push(tAnswered - t0);
              linked.push(tDone - tAnswered);
            }
          } catch {
            failed++;
          }
        })(),
      );
    }
    await Promise.all(sends);
    const sendSeconds = (performance.now() - tStart) / 1000;
    const cpuPerMessage = (cpuAll() - cpuBefore) / total;
    clearInterval(watcher);
    gauge.set = gaugeSet;
    lat.sort((x, y) => x - y);
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    const max = lat[lat.length - 1] ?? NaN;
    const baseline = { name: 'durable single append on A', value: appendMedianUs };
    const to = n === 2 ? 'delivered' : 'all delivered';
    console.log(
      `  ${fmt(lat.length)} of ${fmt(total)} messages delivered to ${others} within ${fmt(MESSAGE_BOUND_MS / 1000)} s ` +
        `(${failed} not), all done ${fmt(sendSeconds, 1)} s after the first POST; ${sizesBefore} before; ` +
        `receipts timed in-process at A's delivered event`,
    );
    report({ name: `latency POST → ${to}: p50`, value: p50 * 1000, unit: 'µs', baseline });
    report({ name: `latency POST → ${to}: p99`, value: p99 * 1000, unit: 'µs', baseline });
    report({ name: `latency POST → ${to}: max`, value: max * 1000, unit: 'µs', baseline });
    answered.sort((x, y) => x - y);
    linked.sort((x, y) => x - y);
    console.log(
      `  of which POST answered: p50 ${fmt(percentile(answered, 50), 1)} ms, p99 ${fmt(percentile(answered, 99), 1)} ms; ` +
        `answered → ${to} (the link): p50 ${fmt(percentile(linked, 50), 1)} ms, p99 ${fmt(percentile(linked, 99), 1)} ms; ` +
        `CPU of all ${n} stations from the first POST until the last was delivered or timed out: ` +
        `${fmt(cpuPerMessage, 1)} ms per message`,
    );
    // The absolute targets are the pair's; with more stations the target is the fan-out cost.
    const latOk = failed === 0 && p99 <= TARGET_P99_MS;
    if (n === 2) console.log(`  ${verdict(`target p99 ≤ ${TARGET_P99_MS} ms, none lost`, latOk)}`);

    // 2. Sustained: append `entries` on A as fast as it signs them; the rate runs until every
    // receiver has committed A's last one (a station commits only verified entries), and the
    // receipted rate until A holds every receiver's receipt of it.
    await when(delivered(lastMine), 10_000);
    const rates: number[] = [];
    const receiptedRates: number[] = [];
    const holder = n === 2 ? 'B' : 'every receiver';
    const cpuSustained = cpuAll();
    let sustainedEntries = 0;
    for (let run = 0; run < RUNS; run++) {
      const from = writer.size;
      const t0 = performance.now();
      const head = await appendN(runEntries(o, n));
      sustainedEntries += head - from;
      const tAppended = performance.now();
      const tStored = await when(allHold(head), RUN_BOUND_MS - (tAppended - t0));
      const tEnd = tStored ?? performance.now();
      const got = tStored === null ? Math.max(0, storedAtAll - from) : head - from;
      const rate = got / ((tEnd - t0) / 1000);
      rates.push(rate);
      const tDelivered = tStored === null ? null : await when(delivered(head), 10_000);
      // Cut short (a bound passed): the rate of what had been receipted by then.
      receiptedRates.push(
        tDelivered !== null
          ? (head - from) / ((tDelivered - t0) / 1000)
          : Math.max(0, deliveredToAll() - from) / ((performance.now() - t0) / 1000),
      );
      console.log(
        `  run ${run + 1}: ${fmt(head - from)} entries; A appended them in ${fmt(tAppended - t0)} ms; ` +
          (tStored === null
            ? `${n === 2 ? 'B' : 'the slowest receiver'} stored only ${fmt(got)} within the ${fmt(RUN_BOUND_MS / 1000)} s bound`
            : `${holder} stored A's head at ${fmt(tStored - t0)} ms, ${n === 2 ? 'its receipt was' : 'all receipts were'} back at A ` +
              (tDelivered === null ? 'after > 10 s' : `at ${fmt(tDelivered - t0)} ms`)) +
          `: ${fmt(rate)} entries/s`,
      );
      if (tStored === null) {
        console.log(`  receivers' logs (last 3,000 characters each):\n${stderrs()}`);
        break;
      }
    }
    const cpuPerEntry = (cpuAll() - cpuSustained) / sustainedEntries;
    console.log(
      `  CPU of all ${n} stations over the runs: ${fmt(cpuPerEntry * 1000)} µs per entry`,
    );
    const rate = median(rates);
    const receipted = median(receiptedRates);
    report({
      name: `sustained: entries/s verified and stored at ${n === 2 ? 'B' : 'all'}`,
      value: rate,
      unit: 'entries/s',
      baseline: { name: 'raw Ed25519 verify', value: raw.rate },
      ...(n === 2 ? { target: { ratio: TARGET_RATE_RATIO } } : {}),
    });
    report({
      name: `sustained: and receipted back at A`,
      value: receipted,
      unit: 'entries/s',
      baseline: { name: 'raw Ed25519 verify', value: raw.rate },
    });
    const rateOk = rate >= TARGET_RATE && rate >= TARGET_RATE_RATIO * raw.rate;
    if (n === 2)
      console.log(
        `  ${verdict(`target ≥ ${fmt(TARGET_RATE)} entries/s and ≥ ${TARGET_RATE_RATIO}× raw verify`, rateOk)}`,
      );
    const figures: Figures = {
      n,
      p50,
      p99,
      max,
      delivered: lat.length,
      total,
      appendMedianUs,
      stored: rate,
      receipted,
      latOk,
      rateOk,
      cpuPerMessage,
      cpuPerEntry,
    };
    if (n > 2) return figures;

    // 3. Catch-up: stop B, append the backlog on A, restart B; time until B has committed all of it.
    const B = receivers[0]!;
    await when(allHold(lastMine), RUN_BOUND_MS);
    if (B.child) {
      await B.child.stop();
      live.children.delete(B.child);
      started.delete(B.child);
    }
    B.child = undefined;
    const from = storedAtAll;
    const head = await appendN(o.backlog);
    const t0 = performance.now();
    B.child = await spawnAt(B);
    const tUp = performance.now();
    const tCaught = await when(allHold(head), CATCHUP_BOUND_MS, 2);
    const catchupMs = tCaught === null ? performance.now() - t0 : tCaught - t0;
    console.log(
      `  B restarted (URL printed) ${fmt(tUp - t0)} ms after spawn, holding ${fmt(from)} of A's entries; ` +
        (tCaught === null
          ? `B stored only ${fmt(storedAtAll - from)} of ${fmt(head - from)} within the ${fmt(CATCHUP_BOUND_MS / 1000)} s bound`
          : `B stored A's head (${fmt(head)}) at ${fmt(catchupMs)} ms`) +
        `: ${fmt((storedAtAll - from) / (catchupMs / 1000))} entries/s`,
    );
    report({
      name: `catch-up: ${fmt(o.backlog)}-entry backlog at B`,
      value: catchupMs,
      unit: 'ms',
      baseline: { name: `raw verify of ${fmt(o.backlog)} sigs`, value: rawBacklogMs },
    });
    const catchOk = tCaught !== null && catchupMs <= TARGET_CATCHUP_MS;
    console.log(`  ${verdict(`target ≤ ${fmt(TARGET_CATCHUP_MS / 1000)} s`, catchOk)}`);
    return { ...figures, catchup: { ms: catchupMs, ok: catchOk, reached: tCaught !== null } };
  } finally {
    await Promise.all(
      [...started].map(async (c) => {
        await c.stop().catch(() => undefined);
        live.children.delete(c);
      }),
    );
    await a?.close().catch(() => undefined);
    for (const r of receivers) await r.head.close();
    for (const drop of drops) await drop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    live.roots.delete(root);
  }
}

export async function run(args: string[]): Promise<void> {
  const o: Options = {
    entries: Math.round(arg(args, 'entries', 50_000)),
    backlog: Math.round(arg(args, 'backlog', 100_000)),
    batch: Math.round(arg(args, 'batch', 1000)),
    rateHz: arg(args, 'rate', 50),
    seconds: arg(args, 'seconds', 10),
    // --cpu-prof=DIR: each receiver writes a CPU profile there at each exit (for finding what
    // limits the rate).
    profDir: args.find((x) => x.startsWith('--cpu-prof='))?.slice(11),
    // --no-deadline-watch: all stations without the hotline's once-a-second deadline watch, to
    // see the link apart from it (receivers then run the same station code, not through the CLI).
    watch: !args.includes('--no-deadline-watch'),
    engine: storeArg(args),
  };
  // --peers N: after the pair, the same measures with N stations in one audience (fan-out).
  const peers = Math.round(arg(args, 'peers', 2));
  if (peers < 2 || peers > MAX_PEERS)
    throw new Error(`--peers must be between 2 and ${MAX_PEERS} (stations, A included)`);
  if (peers > 2 && o.engine !== 'sqlite') throw new Error('--peers runs on SQLite only');

  // An interrupted run still stops the receivers and removes the data directories.
  const onSignal = (sig: NodeJS.Signals) => {
    for (const c of live.children) c.kill();
    for (const r of live.roots) rmSync(r, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(
      `link benchmark: station A in this process, station B (the receiver) a child process ` +
        `(${o.watch ? 'bin/parley start' : 'the same station with no deadline watch on either side'}), ` +
        `so each side has a core; ` +
        (o.engine === 'sqlite'
          ? 'SQLite WAL synchronous=FULL on both; '
          : `PostgreSQL on both, one database each (synchronous_commit on): ${(await testServer()).url.replace(/:[^:@/]*@/, ':***@')}; `) +
        `127.0.0.1; link defaults (heartbeat ${fmt(HEARTBEAT_MS / 1000)} s, pull wait ${fmt(PULL_WAIT_MS / 1000)} s, pull limit 1,000)`,
    );
    console.log(
      `  latency: POST at ${o.rateHz}/s for ${o.seconds} s on young feeds; sustained: ${fmt(o.entries)} entries ` +
        `appended on A in batches of ${fmt(o.batch)}, median of ${RUNS} runs; catch-up: ` +
        `${fmt(o.backlog)}-entry backlog appended while B is down`,
    );
    console.log(
      `  machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((x) => fmt(x, 2))
        .join(' ')} at start (shared: other work skews absolute figures more than ratios)`,
    );

    // Baselines first. The signing bytes of a bench entry are about 330 bytes.
    const raw = rawVerify(Math.ceil(o.backlog / 5), 5, 330);
    const rawBacklogMs = (raw.totalMs * o.backlog) / (5 * Math.ceil(o.backlog / 5));

    const pair = await linkBench(o, 2, raw, rawBacklogMs);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    const c = pair.catchup!;
    console.log(
      `summary: latency p50 ${fmt(pair.p50, 1)} ms, p99 ${fmt(pair.p99, 1)} ms, max ${fmt(pair.max, 1)} ms, ` +
        `${pair.delivered}/${pair.total} delivered (durable append ${fmt(pair.appendMedianUs / 1000, 2)} ms) [${met(pair.latOk)}]; ` +
        `sustained ${fmt(pair.stored)} entries/s = ${fmt(pair.stored / raw.rate, 2)}× raw verify ${fmt(raw.rate)}/s [${met(pair.rateOk)}]; ` +
        `catch-up ${fmt(o.backlog)} in ${c.reached ? '' : '> '}${fmt(c.ms / 1000, 1)} s ` +
        `(raw verify ${fmt(rawBacklogMs / 1000, 1)} s) [${met(c.ok)}]`,
    );
    if (peers > 2) await fanOut(o, peers, pair, raw, rawBacklogMs);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (o.engine === 'postgres') await stopTestServer();
  }
}

/**
 * `--peers N`: the latency and sustained measures again with N stations in one audience, each
 * beside the pair's figure from the same run, and the cost of each member beyond two.
 */
async function fanOut(
  o: Options,
  n: number,
  pair: Figures,
  raw: { rate: number },
  rawBacklogMs: number,
): Promise<void> {
  console.log(
    `fan-out: ${n} stations, every pair paired; A in this process proposes channel "all" to the ` +
      `${n - 1} others, each accepts; each receiver a child process as B is above, so the pair's ` +
      `figures are measured the same way. On this ${cpus().length}-CPU machine A and the ${n - 1} ` +
      `receivers share the cores (separate machines would not), so the cost below includes that ` +
      `CPU contention; load average ${loadavg()
        .map((x) => fmt(x, 2))
        .join(' ')} now`,
  );
  console.log(
    `  an entry counts once every receiver has stored it (verified), and for "receipted" once A ` +
      `holds every receiver's delivered receipt; latency as above; sustained: ${fmt(runEntries(o, n))} ` +
      `entries per run (the pair's ${fmt(o.entries)} ÷ ${n - 1}: the receivers verify as many in all, ` +
      `and a run stays within its ${fmt(RUN_BOUND_MS / 1000)} s bound), median of ${RUNS} runs; no catch-up`,
  );
  const fan = await linkBench(o, n, raw, rawBacklogMs);
  const two = (name: string, value: number) => ({ name: `2-station ${name}`, value });
  report({
    name: `${n} stations: POST → all delivered p50`,
    value: fan.p50 * 1000,
    unit: 'µs',
    baseline: two('p50', pair.p50 * 1000),
  });
  report({
    name: `${n} stations: POST → all delivered p99`,
    value: fan.p99 * 1000,
    unit: 'µs',
    baseline: two('p99', pair.p99 * 1000),
  });
  report({
    name: `${n} stations: POST → all delivered max`,
    value: fan.max * 1000,
    unit: 'µs',
    baseline: two('max', pair.max * 1000),
  });
  // Time per entry, in µs, so that more is worse as for the latency.
  const perEntry = (rate: number) => (rate > 0 ? 1e6 / rate : Infinity);
  report({
    name: `${n} stations: sustained µs/entry, stored at all`,
    value: perEntry(fan.stored),
    unit: 'µs',
    baseline: two('µs/entry', perEntry(pair.stored)),
  });
  report({
    name: `${n} stations: sustained µs/entry, receipted`,
    value: perEntry(fan.receipted),
    unit: 'µs',
    baseline: two('µs/entry', perEntry(pair.receipted)),
  });
  // The cost of each member beyond two, in units of the pair's cost:
  // (N-station / 2-station − 1) / (N − 2). Target: at most 1.5 (issue 13).
  const cost = (fanValue: number, pairValue: number) => (fanValue / pairValue - 1) / (n - 2);
  const latCost = cost(fan.p99, pair.p99);
  const rateCost = cost(perEntry(fan.receipted), perEntry(pair.receipted));
  const lost = fan.total - fan.delivered;
  const latOk = lost === 0 && latCost <= TARGET_FANOUT_COST;
  const rateOk = Number.isFinite(rateCost) && rateCost <= TARGET_FANOUT_COST;
  console.log(
    `  fan-out cost per extra member, (${n}-station / 2-station − 1) / ${n - 2}: ` +
      `latency p99 ${lost ? '≥ ' : ''}${fmt(latCost, 2)}× the 2-station p99 (${fmt(pair.p99, 1)} → ${fmt(fan.p99, 1)} ms` +
      `${lost ? `, of the delivered; ${lost} of ${fan.total} not delivered to all within ${fmt(MESSAGE_BOUND_MS / 1000)} s` : ''}); ` +
      `sustained time per entry (receipted) ${fmt(rateCost, 2)}× (${fmt(pair.receipted)} → ${fmt(fan.receipted)} entries/s)`,
  );
  console.log(
    `  CPU of all stations (the work, apart from how the cores are shared): ` +
      `${fmt(pair.cpuPerMessage, 1)} → ${fmt(fan.cpuPerMessage, 1)} ms per message ` +
      `(${fmt(fan.cpuPerMessage / pair.cpuPerMessage, 1)}×), ${fmt(pair.cpuPerEntry * 1000)} → ` +
      `${fmt(fan.cpuPerEntry * 1000)} µs per sustained entry (${fmt(fan.cpuPerEntry / pair.cpuPerEntry, 1)}×); ` +
      `per station ${fmt(pair.cpuPerMessage / 2, 1)} → ${fmt(fan.cpuPerMessage / n, 1)} ms per message` +
      (lost ? ` (per message: low, the work of the messages not delivered was still queued)` : ''),
  );
  console.log(
    `  ${verdict(`target fan-out cost ≤ ${TARGET_FANOUT_COST}× the 2-station cost per extra member (so ${n} stations ≤ ${fmt(1 + TARGET_FANOUT_COST * (n - 2), 1)}× the pair), latency p99 (none lost)`, latOk)}; ` +
      `${verdict('sustained', rateOk)}`,
  );
  const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  console.log(
    `summary (${n} stations): latency p50 ${fmt(fan.p50, 1)} ms, p99 ${fmt(fan.p99, 1)} ms, max ${fmt(fan.max, 1)} ms, ` +
      `${fan.delivered}/${fan.total} delivered to all; sustained ${fmt(fan.stored)} entries/s stored at all, ` +
      `${fmt(fan.receipted)}/s receipted; fan-out cost per extra member: latency ${fmt(latCost, 2)}× [${met(latOk)}], ` +
      `sustained ${fmt(rateCost, 2)}× [${met(rateOk)}] (target ≤ ${TARGET_FANOUT_COST}×)`,
  );
}
