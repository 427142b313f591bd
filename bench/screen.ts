// `npm run bench -- screen [--json] [--naive-max=N] [--runs=R]`: ms per full near-miss screen of a
// seeded synthetic South China Sea picture, the fast screen beside the naive all-pairs screen
// measured in the same run, with both encounter counts (checked equal, hit by hit). The fast
// screen is measured on the calling thread alone (`ms_fast`, the ratio's figure) and with a
// helper thread sharing its pair search (`ms_fast_threads`, as a station runs it; its hits are
// checked equal too). The naive screen at 100k takes about a minute; --naive-max=50000 skips it.
import { loadavg } from 'node:os';
import { TrackSet, screen, screenNaive } from '@parley/geo';
import { ScreenThreads } from '@parley/station';
import type { ScreenStats, TrackReport } from '@parley/geo';
import { fmt, median, prng, report } from './util.js';

const SIZES = [10_000, 50_000, 100_000];
const NOW = Date.UTC(2025, 5, 1, 4, 0, 0);

// Ports and anchorages, [lat, lon, weight]: the picture's densest clusters.
const PORTS: [number, number, number][] = [
  [22.3, 114.15, 5], // Hong Kong
  [22.55, 114.3, 3], // Shenzhen (Yantian)
  [22.65, 113.65, 3], // Guangzhou (Nansha)
  [22.6, 120.25, 3], // Kaohsiung
  [14.55, 120.9, 3], // Manila
  [14.8, 120.25, 1], // Subic Bay
  [10.4, 107.05, 3], // Vung Tau / Cai Mep
  [16.1, 108.25, 1], // Da Nang
  [20.8, 106.75, 2], // Haiphong
  [18.2, 109.5, 1], // Sanya
  [21.2, 110.45, 1], // Zhanjiang
  [21.45, 109.1, 1], // Beihai
  [5.95, 116.05, 1], // Kota Kinabalu
  [5.05, 115.05, 1], // Muara
  [3.25, 113.05, 1], // Bintulu
];

// Shipping lanes as waypoints [lat, lon].
const LANES: [number, number][][] = [
  // Singapore Strait to Hong Kong
  [
    [3.0, 105.3],
    [6.0, 107.2],
    [10.0, 109.6],
    [15.0, 111.6],
    [19.5, 113.6],
    [22.1, 114.3],
  ],
  // Singapore Strait to the Luzon Strait
  [
    [3.0, 105.6],
    [8.0, 111.0],
    [12.0, 116.0],
    [18.5, 119.6],
    [21.5, 120.9],
  ],
  // Vietnam coastal
  [
    [10.3, 107.3],
    [12.0, 109.5],
    [16.0, 108.7],
    [20.5, 107.1],
  ],
  // Hong Kong to Manila
  [
    [22.1, 114.4],
    [18.0, 117.5],
    [14.6, 120.4],
  ],
];

// Fishing grounds [lat, lon, spread in degrees].
const GROUNDS: [number, number, number][] = [
  [19.5, 107.6, 1.0], // Gulf of Tonkin
  [16.5, 112.0, 1.2], // Paracels
  [10.0, 114.5, 1.8], // Spratlys
  [18.0, 110.8, 1.0], // off Hainan
  [7.5, 109.0, 1.5], // Sunda Shelf
];

/** A seeded synthetic picture of n tracks in roughly 3–23°N, 105–121°E. */
function picture(n: number, seed = 7): TrackSet {
  const rand = prng(seed);
  const gauss = () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const portWeights = PORTS.reduce((s, p) => s + p[2], 0);
  const port = () => {
    let r = rand() * portWeights;
    for (const p of PORTS) if ((r -= p[2]) < 0) return p;
    return PORTS[0]!;
  };
  const set = new TrackSet(n);
  for (let i = 0; i < n; i++) {
    const u = rand();
    // Parties: 1 and 2 are the two states on the hotline (their navies, coast guards, maritime
    // militia and state aircraft: 10 % of the picture each); 0 is everyone else, screened against
    // both but not against itself (the default: different parties only).
    const party = u < 0.1 ? 1 : u < 0.2 ? 2 : 0;
    const kind = rand();
    let lat: number;
    let lon: number;
    let sog: number;
    let cog: number;
    let air = false;
    let altFt: number | undefined;
    let vsFpm: number | undefined;
    if (kind < 0.25) {
      // On a lane, either way, a few miles off its axis.
      const lane = pick(LANES);
      const k = Math.floor(rand() * (lane.length - 1));
      const [a, b] = [lane[k]!, lane[k + 1]!];
      const f = rand();
      // Traffic separation: each direction keeps to its own side of the axis.
      const back = rand() < 0.5;
      const off = (back ? -1 : 1) * (0.1 + Math.abs(gauss()) * 0.4);
      const dLat = b[0] - a[0];
      const dLon = b[1] - a[1];
      const len = Math.hypot(dLat, dLon);
      lat = a[0] + f * dLat - (off * dLon) / len;
      lon = a[1] + f * dLon + (off * dLat) / len;
      const course = (Math.atan2(dLon, dLat) * 180) / Math.PI;
      cog = (course + (back ? 180 : 0) + gauss() * 3 + 720) % 360;
      sog = 10 + rand() * 12;
    } else if (kind < 0.45) {
      // Port approaches and anchorages: a third at anchor.
      const p = port();
      lat = p[0] + gauss() * 0.8;
      lon = p[1] + gauss() * 0.8;
      sog = rand() < 0.33 ? 0 : 2 + rand() * 12;
      cog = rand() * 360;
    } else if (kind < 0.7) {
      // Open sea: anywhere in the box, any course, passage speeds.
      lat = 3 + rand() * 20;
      lon = 105 + rand() * 16;
      sog = 6 + rand() * 14;
      cog = rand() * 360;
    } else if (kind < 0.96) {
      // Fishing: slow, any course.
      const g = pick(GROUNDS);
      lat = g[0] + gauss() * g[2];
      lon = g[1] + gauss() * g[2];
      sog = rand() < 0.3 ? 0 : rand() * 8;
      cog = rand() * 360;
    } else {
      // Aircraft: airliners on flight levels, patrol aircraft and helicopters low.
      air = true;
      lat = 3 + rand() * 20;
      lon = 105 + rand() * 16;
      cog = rand() * 360;
      if (rand() < 0.7) {
        sog = 380 + rand() * 100;
        altFt = 1000 * (28 + Math.floor(rand() * 13));
        vsFpm = 0;
      } else {
        sog = 90 + rand() * 200;
        altFt = 500 + Math.floor(rand() * 20) * 250;
        vsFpm = rand() < 0.2 ? (rand() - 0.5) * 2000 : 0;
      }
    }
    const r: TrackReport = {
      id: 100_000_000 + i,
      party,
      domain: air ? 'air' : 'surface',
      lat: Math.max(-90, Math.min(90, lat)),
      lon,
      sog,
      cog: cog % 360,
      time: NOW - Math.floor(rand() * 120_000),
    };
    if (altFt !== undefined) {
      r.altFt = altFt;
      r.vsFpm = vsFpm ?? 0;
    }
    set.add(r);
  }
  return set;
}

/** One line of --json output. */
interface Row {
  n: number;
  ms_fast: number;
  /** With a helper thread (`ScreenThreads`). */
  ms_fast_threads: number;
  ms_naive: number;
  ratio: number;
  encounters_fast: number;
  /** null when the naive screen was not run at this n (--naive-max). */
  encounters_naive: number | null;
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 7);
  const naiveMax = Number(args.find((a) => a.startsWith('--naive-max='))?.slice(12) ?? 100_000);
  // With --json, stdout carries only the JSON objects; the commentary goes to stderr.
  const say = (s: string) => (json ? console.error(s) : console.log(s));
  say(
    `screen benchmark: seeded South China Sea picture; fast = swept boxes in a uniform grid, ` +
      `naive = all n(n−1)/2 pairs through the same pair test (cheap rejects, then the CPA); ` +
      `median of ${runs} fast runs, naive median of 3 at 10k and one run above; ` +
      `naive run up to n = ${fmt(naiveMax)}; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  const threads = await ScreenThreads.start();
  let naiveAt: { n: number; ms: number } | undefined;
  for (const n of SIZES) {
    const set = picture(n);
    const opts = { now: NOW };
    const stats: ScreenStats = { candidates: 0, cpaCalls: 0 };
    // Warm-up (the compiler settles in a few screens), and the counters.
    let fastHits = screen(set, opts, stats);
    for (let r = 0; r < 2; r++) fastHits = screen(set, opts);
    const fastMs: number[] = [];
    // CPU time of the process (the main thread and the collector's helpers) beside the wall
    // time: on a shared machine the gap is time spent waiting for a core.
    const cpuMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const c = process.cpuUsage();
      const t = performance.now();
      fastHits = screen(set, opts);
      fastMs.push(performance.now() - t);
      const dc = process.cpuUsage(c);
      cpuMs.push((dc.user + dc.system) / 1000);
    }
    const msFast = median(fastMs);
    // The same screens with the helper thread, after a few to warm its compiler too.
    const helped: ScreenStats = { candidates: 0, cpaCalls: 0 };
    for (let r = 0; r < 3; r++) screen(set, { ...opts, threads }, helped);
    const threadMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const hits = screen(set, { ...opts, threads }, helped);
      threadMs.push(performance.now() - t);
      if (hits.length !== fastHits.length) throw new Error(`n = ${n}: the helper changed the hits`);
    }
    if (JSON.stringify(screen(set, { ...opts, threads })) !== JSON.stringify(fastHits))
      throw new Error(`n = ${n}: the screen with a helper thread disagrees`);
    const msThreads = median(threadMs);
    let msNaive: number;
    let naiveCount: number | null = null;
    let note = '';
    if (n <= naiveMax) {
      const naiveMs: number[] = [];
      let naiveHits = fastHits;
      for (let r = 0; r < (n <= 10_000 ? 3 : 1); r++) {
        const t = performance.now();
        naiveHits = screenNaive(set, opts);
        naiveMs.push(performance.now() - t);
      }
      msNaive = median(naiveMs);
      naiveCount = naiveHits.length;
      if (JSON.stringify(naiveHits) !== JSON.stringify(fastHits))
        throw new Error(`n = ${n}: the fast and naive screens disagree`);
      naiveAt = { n, ms: msNaive };
    } else {
      // Not run (--naive-max): the naive time at the largest n measured, which understates the
      // naive cost here by about (n / that n)², so the ratio is a lower bound.
      if (!naiveAt) throw new Error('no naive measurement to fall back on');
      msNaive = naiveAt.ms;
      note = `naive not run at ${fmt(n)}: ms_naive is its time at ${fmt(naiveAt.n)}, so the ratio is a lower bound`;
    }
    const row: Row = {
      n,
      ms_fast: +msFast.toFixed(2),
      ms_fast_threads: +msThreads.toFixed(2),
      ms_naive: +msNaive.toFixed(1),
      ratio: +(msNaive / msFast).toFixed(1),
      encounters_fast: fastHits.length,
      encounters_naive: naiveCount,
    };
    if (json) {
      console.log(JSON.stringify(row));
      if (note) console.error(`n = ${n}: ${note}`);
      continue;
    }
    console.log(
      `n = ${fmt(n)}: fast ${fmt(msFast, 1)} ms (best ${fmt(Math.min(...fastMs), 1)}, ` +
        `CPU ${fmt(median(cpuMs), 1)}), with a helper thread ${fmt(msThreads, 1)} ms ` +
        `(it judged ${Math.round((100 * (helped.helped ?? 0)) / helped.candidates)} % of the pairs` +
        `${n < 20_000 ? '; below its 20,000-track minimum the screen runs alone' : ''}), ` +
        `naive ${fmt(msNaive, 0)} ms; encounters fast ` +
        `${fmt(row.encounters_fast)}, naive ${naiveCount === null ? '—' : fmt(naiveCount)}; ` +
        `${fmt(stats.candidates)} box-overlap pairs, ${fmt(stats.cpaCalls)} to the CPA` +
        (note ? ` (${note})` : ''),
    );
    report({
      name: `  full screens, n = ${fmt(n)}`,
      value: 1000 / msFast,
      unit: 'screens/s',
      baseline: { name: 'naive', value: 1000 / msNaive },
      ...(n === 100_000 ? { target: { ratio: 100 } } : {}),
    });
    if (n === 100_000)
      console.log(
        `  target ≤ 100 ms per full screen at 100k: ${msFast <= 100 ? 'met' : 'NOT MET'} ` +
          `(${fmt(msFast, 1)} ms on one thread, ${fmt(msThreads, 1)} ms with the helper thread)`,
      );
  }
  await threads.stop();
}
