/**
 * "A crash never leaves a half-written entry": a child process appends to a station's feed in a
 * loop and is killed with SIGKILL at random moments, many times. After every kill the stored
 * feed must be a valid prefix: seq 1..n with no gap, every entry verifying with `FeedVerifier`,
 * every stored checkpoint checking against it, and n never shrinking.
 *
 * The child (`fixtures/append-loop.mjs`) imports the built packages: run `tsc -b` first (as
 * `npm test` does). Set PARLEY_CRASH_SEED to replay a run's kill timings and batch sizes.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationId } from '@parley/core';
import { FeedVerifier, GENESIS_PREV, KIND, parseEntryLine } from '@parley/ledger';
import type { Checkpoint } from '@parley/ledger';
import { DB_FILE, SqliteStore, StationHandle, initStation } from '@parley/store';
import { readAll } from './store-contract.js';
// mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed.
import { prng } from '../../../bench/util.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/append-loop.mjs', import.meta.url));
const MIN_ROUNDS = 25;
const MAX_ROUNDS = 30;
/** Past this, no new round starts once MIN_ROUNDS are done. */
const TIME_BUDGET_MS = 35_000;
const READY_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Child = ChildProcessByStdio<null, Readable, Readable>;

function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what()} (after ${ms} ms)`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Everything verified so far: the stored feed must keep these exact lines as its prefix, so
 * each round only the entries added since the last round need their signatures checked.
 */
class FeedChecker {
  readonly verifier: FeedVerifier;
  readonly lines: string[] = [];
  readonly hashes: string[] = [];
  private readonly seenCheckpoints = new Set<string>();
  private latest: Checkpoint | undefined;

  constructor(readonly station: StationId) {
    this.verifier = new FeedVerifier(station);
  }

  get size(): number {
    return this.lines.length;
  }

  get checkpoints(): number {
    return this.seenCheckpoints.size;
  }

  /** Reads the whole stored feed and checks it; returns its size. */
  async check(store: SqliteStore, round: string): Promise<number> {
    const rows = await readAll(store, this.station, 5000);
    const before = this.size;
    expect(rows.length, `${round}: the feed shrank`).toBeGreaterThanOrEqual(before);

    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const where = `${round}: seq ${i + 1}`;
      if (r.seq !== i + 1) expect.fail(`${where}: found seq ${r.seq} (a gap or a duplicate)`);
      const prev = i === 0 ? GENESIS_PREV : this.hashes[i - 1]!;
      if (r.prev !== prev) expect.fail(`${where}: prev ${r.prev} is not ${prev}`);
      if (i < before) {
        // Already verified: it must still be byte for byte what was verified.
        if (r.line !== this.lines[i] || r.hash !== this.hashes[i])
          expect.fail(`${where}: an entry verified earlier has changed`);
        continue;
      }
      const entry = parseEntryLine(r.line);
      const hash = this.verifier.push(entry);
      if (hash !== r.hash)
        expect.fail(`${where}: stored hash ${r.hash} is not the entry's ${hash}`);
      if (r.ts !== entry.ts || r.kind !== entry.kind || r.channel !== (entry.channel ?? null))
        expect.fail(`${where}: stored columns disagree with the signed line`);
      if (entry.kind === KIND.message && entry.body.n !== entry.seq)
        expect.fail(`${where}: message ${String(entry.body.n)} is stored at the wrong seq`);
      this.lines.push(r.line);
      this.hashes.push(r.hash);
    }
    const n = this.size;
    expect(this.verifier.size).toBe(n);

    const last = rows[n - 1]!;
    expect(await store.head(this.station)).toEqual({ seq: n, hash: last.hash, ts: last.ts });
    expect(await store.feeds()).toEqual([{ station: this.station, size: n }]);

    // Every stored checkpoint checks against the feed; none seen before has gone missing.
    const cps = await store.checkpoints(this.station);
    const sigs = new Set(cps.map((c) => c.sig));
    for (const s of this.seenCheckpoints)
      if (!sigs.has(s)) expect.fail(`${round}: a stored checkpoint disappeared`);
    for (const cp of cps) {
      if (this.seenCheckpoints.has(cp.sig)) continue;
      this.verifier.checkCheckpoint(cp);
      this.seenCheckpoints.add(cp.sig);
    }
    // Each commit stores a checkpoint in its own transaction, so the latest covers everything.
    const latest = await store.latestCheckpoint(this.station);
    expect(latest, `${round}: no checkpoint`).not.toBeNull();
    expect(latest!.size, `${round}: the latest checkpoint does not cover the feed`).toBe(n);
    if (this.latest) this.verifier.checkConsistency(this.latest, latest!);
    this.latest = latest!;
    return n;
  }
}

describe('crash safety', () => {
  let parent: string;
  let child: Child | undefined;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'parley-crash-'));
  });

  afterEach(async () => {
    // A failed round must not leave its child appending in the background.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    await rm(parent, { recursive: true, force: true });
  });

  it('kill -9 at random moments, many times: the feed is always a valid prefix with no gap', async () => {
    const seed = Number(process.env.PARLEY_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`crash test seed ${seed} (PARLEY_CRASH_SEED=${seed} to replay)`);
    const random = prng(seed);
    const started = performance.now();

    const dir = join(parent, 'station');
    const { config } = await initStation(dir, 'Crash test');
    const checker = new FeedChecker(config.station);
    {
      const store = await SqliteStore.open(join(dir, DB_FILE));
      try {
        expect(await checker.check(store, 'after init')).toBe(1);
      } finally {
        await store.close();
      }
    }

    const sizes: number[] = [1];
    let rounds = 0;
    while (
      rounds < MAX_ROUNDS &&
      (rounds < MIN_ROUNDS || performance.now() - started < TIME_BUDGET_MS)
    ) {
      rounds++;
      const label = `round ${rounds} (seed ${seed})`;
      const childSeed = 1 + Math.floor(random() * 2 ** 31);
      const killAfter = 20 + Math.floor(random() * 281);

      const proc: Child = spawn(process.execPath, [FIXTURE, dir, String(childSeed)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let stdout = '';
      let stderr = '';
      proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const ready = new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', () => {
          if (stdout.includes('ready\n')) resolve();
        });
        void exited.then(({ code, signal }) =>
          reject(new Error(`${label}: child exited (${code ?? signal}) before ready: ${stderr}`)),
        );
      });

      await withTimeout(ready, READY_TIMEOUT_MS, () => `${label}: child not ready: ${stderr}`);
      await sleep(killAfter);
      if (proc.exitCode !== null || proc.signalCode !== null)
        expect.fail(`${label}: the child stopped on its own: ${stderr}`);
      proc.kill('SIGKILL');
      const { signal } = await withTimeout(exited, EXIT_TIMEOUT_MS, () => `${label}: no exit`);
      child = undefined;
      expect(signal, `${label}: ${stderr}`).toBe('SIGKILL');
      expect(stdout, `${label}: the child printed more than "ready"`).toBe('ready\n');

      const store = await SqliteStore.open(join(dir, DB_FILE));
      try {
        sizes.push(await checker.check(store, `${label}, killed after ${killAfter} ms`));
      } finally {
        await store.close();
      }
    }

    // The writer recovers at the stored head after the last crash.
    const handle = await StationHandle.open(dir);
    let n: number;
    try {
      n = handle.writer.size;
      expect(n).toBe(checker.size);
      const sealed = await handle.writer.append({
        kind: KIND.message,
        body: { n: n + 1, text: 'after the last crash' },
      });
      expect(sealed.entry.seq).toBe(n + 1);
      const cp = await handle.writer.checkpoint();
      expect(cp.size).toBe(n + 1);
    } finally {
      await handle.close();
    }
    const store = await SqliteStore.open(join(dir, DB_FILE));
    try {
      expect(await checker.check(store, 'after recovery')).toBe(n + 1);
    } finally {
      await store.close();
    }

    const grew = sizes.filter((s, i) => i > 0 && s > sizes[i - 1]!).length;
    const elapsed = Math.round(performance.now() - started);
    console.log(
      `crash test: seed ${seed}, ${rounds} kills, feed grew in ${grew} rounds to ${n} entries ` +
        `(+1 after recovery), ${checker.checkpoints} checkpoints checked, ${elapsed} ms`,
    );
    expect(rounds).toBeGreaterThanOrEqual(MIN_ROUNDS);
    // Otherwise the test proves nothing: the child must have been writing when it was killed.
    expect(n).toBeGreaterThan(1000);
    expect(grew).toBeGreaterThanOrEqual(Math.ceil(rounds / 2));
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeGreaterThanOrEqual(sizes[i - 1]!);
  }, 120_000);
});
