/**
 * The screen's helper thread (`ScreenThreads`): a real worker thread sharing the full screen's
 * pair search. Whatever share it takes, the hits are exactly the screen's on one thread and the
 * naive all-pairs screen's: on a dense picture where it certainly takes part, on random traffic,
 * when it fails mid-screen, when it has been stopped and below its minimum size.
 *
 * Whether the worker joins a given screen is a race, so the share itself (`Plan.view`,
 * `judgeShare`, the merge) is also driven deterministically: `Alternate` is a second, in-process
 * implementation of the same `PairHelper` contract that gives every other chunk to the helper's
 * share, so every random picture below (antimeridian, poles, several time slices) is split.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIR_CHUNK, TrackSet, judgeShare, screen, screenNaive } from '@parley/geo';
import type {
  PairHelper,
  PairJob,
  PairResult,
  ScreenOptions,
  ScreenStats,
  TrackReport,
} from '@parley/geo';
import { ScreenThreads } from '../src/tracks/screen-threads.js';

/**
 * The `PairHelper` contract on one thread: chunks 0, 2, 4… go to the screen, 1, 3, 5… to the
 * helper's share, judged at `finish` from a structured clone of the job (as a worker gets it).
 */
class Alternate implements PairHelper {
  jobs = 0;
  private job: PairJob | undefined;
  private next = 0;
  constructor(private readonly failAt = -1) {}
  wants(): boolean {
    return true;
  }
  offer(job: PairJob): void {
    this.job = structuredClone(job);
    this.next = 0;
  }
  claim(): number {
    const c = this.next * PAIR_CHUNK;
    this.next += 2;
    return c < this.job!.cells ? c : -1;
  }
  finish(): PairResult {
    const job = this.job!;
    let odd = 1;
    const share = judgeShare(job, () => {
      const c = odd * PAIR_CHUNK;
      odd += 2;
      return c < job.cells ? c : -1;
    });
    if (this.jobs++ === this.failAt) throw new Error('the helper failed');
    return share;
  }
}

const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const NM_DEG = 1 / 60;

let threads: ScreenThreads;
beforeAll(async () => {
  threads = await ScreenThreads.start({ minTracks: 0 });
});
afterAll(async () => {
  await threads.stop();
});

/** `n` tracks of parties 0–2 in a square `sideNm` across at 12°N 114°E, one in 25 aircraft. */
function dense(n: number, sideNm: number, seed: number): TrackSet {
  let x = seed;
  const rand = () => (x = (x * 48271) % 2147483647) / 2147483647;
  const set = new TrackSet(n);
  for (let i = 0; i < n; i++) {
    const air = i % 25 === 0;
    const r: TrackReport = {
      id: 200_000_000 + i,
      party: i % 3,
      domain: air ? 'air' : 'surface',
      lat: 12 + rand() * sideNm * NM_DEG,
      lon: 114 + rand() * sideNm * NM_DEG,
      sog: air ? 150 + rand() * 300 : rand() < 0.2 ? 0 : rand() * 25,
      cog: rand() * 360,
      time: T0 - Math.floor(rand() * 120_000),
    };
    if (air) r.altFt = 1000 * Math.floor(rand() * 12);
    set.add(r);
  }
  return set;
}

const stats = (): ScreenStats => ({ candidates: 0, cpaCalls: 0 });

describe('screen with a helper thread', () => {
  it('on a dense picture the helper judges a share, and the hits are the naive screen’s', async () => {
    const set = dense(12_000, 240, 7);
    const opts = { now: T0 };
    const alone = stats();
    const hits = screen(set, opts, alone);
    expect(hits).toEqual(screenNaive(set, opts));
    expect(hits.length).toBeGreaterThan(1000);
    expect(alone.helped).toBe(0);
    // The worker takes part once it is awake and compiled: within a few screens.
    let shared = stats();
    for (let i = 0; i < 40 && !(shared.helped! > 0); i++) {
      shared = stats();
      expect(screen(set, { ...opts, threads }, shared)).toEqual(hits);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(shared.helped).toBeGreaterThan(0);
    expect(shared.helped).toBeLessThan(shared.candidates);
    expect([shared.candidates, shared.cpaCalls]).toEqual([alone.candidates, alone.cpaCalls]);
  });

  it('identical hits to the naive screen on random traffic, every screen split in two', () => {
    const spot = fc.record({
      lat: fc.constantFrom(0, 45, -62, 86, -88.5),
      lon: fc.constantFrom(114, 179.9, -179.95, 0),
      spreadNm: fc.constantFrom(2, 20, 120),
      n: fc.integer({ min: 2, max: 1500 }),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
      horizon: fc.constantFrom(30, 60, 90),
    });
    fc.assert(
      fc.property(spot, (sp) => {
        let x = sp.seed;
        const rand = () => (x = (x * 48271) % 2147483647) / 2147483647;
        const set = new TrackSet(sp.n);
        for (let i = 0; i < sp.n; i++) {
          const lat = Math.max(-90, Math.min(90, sp.lat + (rand() - 0.5) * sp.spreadNm * NM_DEG));
          const c = Math.max(0.02, Math.cos((lat * Math.PI) / 180));
          let lon = sp.lon + ((rand() - 0.5) * sp.spreadNm * NM_DEG) / c;
          lon = ((((lon + 180) % 360) + 360) % 360) - 180;
          const air = rand() < 0.15;
          set.add({
            id: 1000 + i,
            party: Math.floor(rand() * 3),
            domain: air ? 'air' : 'surface',
            lat,
            lon,
            sog: air ? 100 + rand() * 400 : rand() * 30,
            cog: rand() * 360,
            ...(air ? { altFt: 500 * Math.floor(rand() * 20) } : {}),
            time: T0 - Math.floor(rand() * 60_000),
          });
        }
        const opts: ScreenOptions = { now: T0, horizonMin: sp.horizon };
        // Windows past 30 min: the full screen cuts its boxes into several time slices.
        if (sp.horizon > 30)
          opts.thresholds = {
            surface: [{ level: 'caution', cpaNm: 2, withinMin: sp.horizon }],
            air: [{ level: 'danger', cpaNm: 1, withinMin: 40, vsepFt: 1000 }],
          };
        const naive = screenNaive(set, opts);
        const alternate = new Alternate();
        expect(screen(set, { ...opts, threads: alternate })).toEqual(naive);
        expect(alternate.jobs).toBeGreaterThan(0);
        // And the worker, whatever share it gets.
        expect(screen(set, { ...opts, threads })).toEqual(naive);
      }),
      { seed: 20250602, numRuns: 60 },
    );
    // 60 pictures, each screened three ways: about 25 s alone, over 90 s beside other test files
    // on two cores.
  }, 240_000);

  it('a helper that fails mid-screen: the slice is judged again on the calling thread', () => {
    const set = dense(4000, 150, 5);
    const opts = { now: T0, horizonMin: 60 };
    const failing = new Alternate(0);
    expect(screen(set, { ...opts, threads: failing })).toEqual(screenNaive(set, opts));
    expect(failing.jobs).toBeGreaterThan(0);
  });

  it('a worker that does not answer in time is given up for good; the answer stays whole', async () => {
    const impatient = await ScreenThreads.start({ minTracks: 0, timeoutMs: 0 });
    try {
      const set = dense(12_000, 240, 3);
      const alone = screen(set, { now: T0 });
      for (let i = 0; i < 100 && !impatient.failure; i++) {
        expect(screen(set, { now: T0, threads: impatient })).toEqual(alone);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(impatient.failure?.message).toMatch(/did not answer within 0 ms/);
      expect(impatient.wants(1_000_000)).toBe(false);
      expect(screen(set, { now: T0, threads: impatient })).toEqual(alone);
    } finally {
      await impatient.stop();
    }
  });

  it('a stopped helper is not offered work: the screen runs on the calling thread alone', async () => {
    const spare = await ScreenThreads.start({ minTracks: 0 });
    await spare.stop();
    const set = dense(3000, 120, 11);
    const s = stats();
    expect(screen(set, { now: T0, threads: spare }, s)).toEqual(screen(set, { now: T0 }));
    expect(s.helped).toBe(0);
  });

  it('below its minimum picture size the helper is not offered work', async () => {
    const small = await ScreenThreads.start({ minTracks: 5000 });
    try {
      const set = dense(3000, 120, 13);
      const s = stats();
      expect(screen(set, { now: T0, threads: small }, s)).toEqual(screen(set, { now: T0 }));
      expect([s.helped, small.joinedJobs]).toEqual([0, 0]);
    } finally {
      await small.stop();
    }
  });
});
