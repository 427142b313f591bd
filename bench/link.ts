// `npm run bench -- link`: two durable stations paired on 127.0.0.1. Station A runs in this
// process (so its link can be watched without polling the API); station B, the receiver, runs
// as its own process (`bin/parley start`), so the two sides use two cores as they would on two
// machines. Figures: sustained replication rate beside the raw Ed25519 verify rate; POST to
// delivered latency at 50 messages/s beside one durable append; catch-up of a backlog after B
// was down beside the raw verify time of as many signatures. All measured in the same run.
// `-- --store postgres`: the same figures with each station on its own PostgreSQL database
// (PARLEY_TEST_PG names a server, else a throwaway cluster is started as for the tests).
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { rmSync } from 'node:fs';
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
import { addPeer, makeStation, PARLEY, tempRoot, token } from '../apps/station/test/harness.js';
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

function drafts(rand: () => number, from: number, n: number): EntryDraft[] {
  return Array.from({ length: n }, (_, k) => ({
    kind: 'message',
    channel: 'ops',
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

function arg(args: string[], name: string, dflt: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  const n = a ? Number(a.slice(name.length + 3)) : dflt;
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function verdict(what: string, ok: boolean): string {
  return `${what}: ${ok ? 'met' : 'NOT MET'}`;
}

export async function run(args: string[]): Promise<void> {
  const entries = Math.round(arg(args, 'entries', 50_000));
  const backlog = Math.round(arg(args, 'backlog', 100_000));
  const batch = Math.round(arg(args, 'batch', 1000));
  const rateHz = arg(args, 'rate', 50);
  const seconds = arg(args, 'seconds', 10);
  // --cpu-prof=DIR: B writes a CPU profile there at each exit (for finding what limits the rate).
  const profDir = args.find((x) => x.startsWith('--cpu-prof='))?.slice(11);
  // --no-deadline-watch: both stations without the hotline's once-a-second deadline watch, to
  // see the link apart from it (B then runs the same station code, not through the CLI).
  const watch = !args.includes('--no-deadline-watch');
  const engine = storeArg(args);

  const root = await tempRoot('parley-bench-link-');
  let a: Station | undefined;
  let b: Child | undefined;
  let reader: HeadWatch | undefined;
  const drops: (() => Promise<void>)[] = [];
  // An interrupted run still stops B and removes the data directories.
  const onSignal = (sig: NodeJS.Signals) => {
    b?.kill();
    rmSync(root, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(
      `link benchmark: station A in this process, station B (the receiver) a child process ` +
        `(${watch ? 'bin/parley start' : 'the same station with no deadline watch on either side'}), ` +
        `so each side has a core; ` +
        (engine === 'sqlite'
          ? 'SQLite WAL synchronous=FULL on both; '
          : `PostgreSQL on both, one database each (synchronous_commit on): ${(await testServer()).url.replace(/:[^:@/]*@/, ':***@')}; `) +
        `127.0.0.1; link defaults (heartbeat ${fmt(HEARTBEAT_MS / 1000)} s, pull wait ${fmt(PULL_WAIT_MS / 1000)} s, pull limit 1,000)`,
    );
    console.log(
      `  latency: POST at ${rateHz}/s for ${seconds} s on young feeds; sustained: ${fmt(entries)} entries ` +
        `appended on A in batches of ${fmt(batch)}, median of ${RUNS} runs; catch-up: ` +
        `${fmt(backlog)}-entry backlog appended while B is down`,
    );
    console.log(
      `  machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((x) => fmt(x, 2))
        .join(' ')} at start (shared: other work skews absolute figures more than ratios)`,
    );

    // Baselines first. The signing bytes of a bench entry are about 330 bytes.
    const raw = rawVerify(Math.ceil(backlog / 5), 5, 330);
    const rawBacklogMs = (raw.totalMs * backlog) / (5 * Math.ceil(backlog / 5));

    const dbs =
      engine === 'postgres'
        ? await Promise.all([freshDatabase('parley_bench_a'), freshDatabase('parley_bench_b')])
        : undefined;
    for (const d of dbs ?? []) drops.push(d.drop);
    const A = await makeStation(root, 'Alpha', dbs ? { storeUrl: dbs[0].url } : {});
    const B = await makeStation(root, 'Bravo', dbs ? { storeUrl: dbs[1].url } : {});
    a = await buildStation({
      dataDir: A.dir,
      heartbeatMs: HEARTBEAT_MS,
      pullWaitMs: PULL_WAIT_MS,
      peerReloadMs: 100,
      ...(watch ? {} : { deadlineTickMs: 0 }),
    });
    const station = a;
    // Traffic between the two goes in A's feed for the pair's audience (ADR 0003).
    const writer = await station.handle.audienceWriter([B.station]);
    const feed = writer.feed;
    const aUrl = await station.listen({ port: 0 });
    const bPort = await freePort();
    await addPeer(B, A, [aUrl]);
    await addPeer(A, B, [`http://127.0.0.1:${bPort}`]);
    const startB = () => startChild(B, bPort, watch, profDir);
    b = await startB();
    // B's committed (so verified and durable) copy of A's feed, read from B's database beside B.
    reader = dbs
      ? await pgHeadWatch(dbs[1].url, feed)
      : sqliteHeadWatch(join(B.dir, 'parley.db'), feed);
    const headAtB = reader;
    let storedAtB = 0;
    const bHolds = (seq: number) => () => {
      storedAtB = headAtB.current();
      return storedAtB >= seq;
    };
    if ((await when(() => station.links.link(B.station) !== undefined, 10_000)) === null)
      throw new Error('A did not pick up its peer B');
    const link = station.links.link(B.station)!;
    const delivered = (seq: number) => () => link.deliveredUpTo(writer.audience!) >= seq;

    const rand = prng(7);
    let appended = 0;
    // A's own last receipted entry. (A's feed may end in a cosignature of B's checkpoint, which
    // B never receipts: cosignatures and receipts get no receipt, or the two would echo forever.)
    let lastMine = writer.size;
    /** Appends `n` bench messages in batches; resolves to the last one's seq. */
    const appendN = async (n: number): Promise<number> => {
      for (let i = 0; i < n; i += batch) {
        const sealed = await writer.appendMany(drafts(rand, appended + i, Math.min(batch, n - i)));
        lastMine = sealed[sealed.length - 1]!.entry.seq;
      }
      appended += n;
      return lastMine;
    };
    if ((await when(delivered(lastMine), 20_000)) === null)
      throw new Error(`the link did not come up: ${b.stderr()}`);

    // 1. Latency. Baseline: one durable single-entry append on A (sign, checkpoint, one
    // commit), spaced so the link traffic each one causes has settled before the next.
    const appendUs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      lastMine = (await writer.append(drafts(rand, i, 1)[0]!)).entry.seq;
      appendUs.push((performance.now() - t) * 1000);
      await sleep(25);
    }
    const appendMedianUs = median(appendUs);
    await when(delivered(lastMine), 10_000);

    // POST /api/v1/messages on A at a fixed rate (open loop: a slow answer does not delay the
    // next send); each latency runs from POST start to A holding B's delivered receipt.
    const bearer = await token(A);
    const url = `${aUrl}/api/v1/messages`;
    const total = Math.round(rateHz * seconds);
    const pending = new Map<number, (t: number) => void>();
    const settle = () => {
      const upTo = link.deliveredUpTo(writer.audience!);
      const now = performance.now();
      for (const [seq, resolve] of pending)
        if (seq <= upTo) {
          pending.delete(seq);
          resolve(now);
        }
    };
    // A's link raises its `delivered` event the moment it stores a new receipt from B; the
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
    // hotline's checks, one durable append) and the link (B pulls, verifies, stores, receipts;
    // A pulls the receipt and stores it).
    const answered: number[] = [];
    const linked: number[] = [];
    let failed = 0;
    const sends: Promise<void>[] = [];
    const sizesBefore = `A's feed ${fmt(writer.size)} entries, B's ${fmt(link.status().size)}`;
    const tStart = performance.now();
    for (let i = 0; i < total; i++) {
      const due = tStart + (i * 1000) / rateHz;
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
              body: JSON.stringify({
                channel: 'ops',
                precedence: 'FLASH',
                text: messageText(rand, i),
              }),
              signal,
            });
            if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
            const { seq } = (await res.json()) as { seq: number };
            lastMine = Math.max(lastMine, seq);
            const tAnswered = performance.now();
            const left = MESSAGE_BOUND_MS - (performance.now() - t0);
            const tDone = await Promise.race([
              link.deliveredUpTo(writer.audience!) >= seq
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
    clearInterval(watcher);
    gauge.set = gaugeSet;
    lat.sort((x, y) => x - y);
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    const max = lat[lat.length - 1] ?? NaN;
    const baseline = { name: 'durable single append on A', value: appendMedianUs };
    console.log(
      `  ${fmt(lat.length)} of ${fmt(total)} messages delivered within ${fmt(MESSAGE_BOUND_MS / 1000)} s ` +
        `(${failed} not), all done ${fmt(sendSeconds, 1)} s after the first POST; ${sizesBefore} before; ` +
        `receipts timed in-process at A's delivered event`,
    );
    report({ name: 'latency POST → delivered: p50', value: p50 * 1000, unit: 'µs', baseline });
    report({ name: 'latency POST → delivered: p99', value: p99 * 1000, unit: 'µs', baseline });
    report({ name: 'latency POST → delivered: max', value: max * 1000, unit: 'µs', baseline });
    answered.sort((x, y) => x - y);
    linked.sort((x, y) => x - y);
    console.log(
      `  of which POST answered: p50 ${fmt(percentile(answered, 50), 1)} ms, p99 ${fmt(percentile(answered, 99), 1)} ms; ` +
        `answered → delivered (the link): p50 ${fmt(percentile(linked, 50), 1)} ms, p99 ${fmt(percentile(linked, 99), 1)} ms`,
    );
    const latOk = failed === 0 && p99 <= TARGET_P99_MS;
    console.log(`  ${verdict(`target p99 ≤ ${TARGET_P99_MS} ms, none lost`, latOk)}`);

    // 2. Sustained: append `entries` on A as fast as it signs them; the rate runs until B has
    // committed A's last one (B commits only verified entries).
    await when(delivered(lastMine), 10_000);
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const from = writer.size;
      const t0 = performance.now();
      const head = await appendN(entries);
      const tAppended = performance.now();
      const tStored = await when(bHolds(head), RUN_BOUND_MS - (tAppended - t0));
      const tEnd = tStored ?? performance.now();
      const got = tStored === null ? Math.max(0, storedAtB - from) : head - from;
      const rate = got / ((tEnd - t0) / 1000);
      rates.push(rate);
      const tDelivered = tStored === null ? null : await when(delivered(head), 10_000);
      console.log(
        `  run ${run + 1}: ${fmt(head - from)} entries; A appended them in ${fmt(tAppended - t0)} ms; ` +
          (tStored === null
            ? `B stored only ${fmt(got)} within the ${fmt(RUN_BOUND_MS / 1000)} s bound`
            : `B stored A's head at ${fmt(tStored - t0)} ms, its receipt was back at A ` +
              (tDelivered === null ? 'after > 10 s' : `at ${fmt(tDelivered - t0)} ms`)) +
          `: ${fmt(rate)} entries/s`,
      );
      if (tStored === null) {
        console.log(`  B's log (last 3,000 characters):\n${b.stderr().slice(-3000)}`);
        break;
      }
    }
    const rate = median(rates);
    report({
      name: 'sustained: entries/s verified and stored at B',
      value: rate,
      unit: 'entries/s',
      baseline: { name: 'raw Ed25519 verify', value: raw.rate },
      target: { ratio: TARGET_RATE_RATIO },
    });
    const rateOk = rate >= TARGET_RATE && rate >= TARGET_RATE_RATIO * raw.rate;
    console.log(
      `  ${verdict(`target ≥ ${fmt(TARGET_RATE)} entries/s and ≥ ${TARGET_RATE_RATIO}× raw verify`, rateOk)}`,
    );

    // 3. Catch-up: stop B, append the backlog on A, restart B; time until B has committed all of it.
    await when(bHolds(lastMine), RUN_BOUND_MS);
    await b.stop();
    b = undefined;
    const from = storedAtB;
    const head = await appendN(backlog);
    const t0 = performance.now();
    b = await startB();
    const tUp = performance.now();
    const tCaught = await when(bHolds(head), CATCHUP_BOUND_MS, 2);
    const catchupMs = tCaught === null ? performance.now() - t0 : tCaught - t0;
    console.log(
      `  B restarted (URL printed) ${fmt(tUp - t0)} ms after spawn, holding ${fmt(from)} of A's entries; ` +
        (tCaught === null
          ? `B stored only ${fmt(storedAtB - from)} of ${fmt(head - from)} within the ${fmt(CATCHUP_BOUND_MS / 1000)} s bound`
          : `B stored A's head (${fmt(head)}) at ${fmt(catchupMs)} ms`) +
        `: ${fmt((storedAtB - from) / (catchupMs / 1000))} entries/s`,
    );
    report({
      name: `catch-up: ${fmt(backlog)}-entry backlog at B`,
      value: catchupMs,
      unit: 'ms',
      baseline: { name: `raw verify of ${fmt(backlog)} sigs`, value: rawBacklogMs },
    });
    const catchOk = tCaught !== null && catchupMs <= TARGET_CATCHUP_MS;
    console.log(`  ${verdict(`target ≤ ${fmt(TARGET_CATCHUP_MS / 1000)} s`, catchOk)}`);

    const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
    console.log(
      `summary: latency p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(max, 1)} ms, ` +
        `${lat.length}/${total} delivered (durable append ${fmt(appendMedianUs / 1000, 2)} ms) [${met(latOk)}]; ` +
        `sustained ${fmt(rate)} entries/s = ${fmt(rate / raw.rate, 2)}× raw verify ${fmt(raw.rate)}/s [${met(rateOk)}]; ` +
        `catch-up ${fmt(backlog)} in ${tCaught === null ? '> ' : ''}${fmt(catchupMs / 1000, 1)} s ` +
        `(raw verify ${fmt(rawBacklogMs / 1000, 1)} s) [${met(catchOk)}]`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await b?.stop().catch(() => undefined);
    await a?.close().catch(() => undefined);
    await reader?.close();
    for (const drop of drops) await drop().catch(() => undefined);
    if (engine === 'postgres') await stopTestServer();
    await rm(root, { recursive: true, force: true });
  }
}
