// `npm run bench -- notices [--runs=R]`: the notice checks on a seeded picture. Tracks into a
// live-fire notice (a 1°×1° box and a 20 nm circle, 60 min horizon) with the swept-box filter,
// beside the naive check that samples every track (same run, results checked equal); and the
// space-time check of one notice against 200 others.
import { noticeConflicts, parseNotice, tracksIntoNotice, tracksIntoNoticeNaive } from '@parley/geo';
import type { NoticeContent, TrackMotion } from '@parley/geo';
import { fmt, median, prng, report, timeRuns } from './util.js';

const NOW = Date.UTC(2026, 5, 1, 4, 0, 0);
const H = 3_600_000;

function picture(n: number, seed: number): TrackMotion[] {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    lat: 3 + rand() * 20,
    lon: 105 + rand() * 16,
    sog: rand() * 25,
    cog: rand() * 360,
    time: NOW - Math.floor(rand() * 120_000),
  }));
}

function notice(lat: number, lon: number, start: number, end: number): NoticeContent {
  return parseNotice({
    kind: 'live-fire',
    issuer: { party: 'Alpha', unit: 'DDG 89' },
    areas: [
      {
        area: {
          type: 'polygon',
          points: [
            { lat, lon },
            { lat, lon: lon + 1 },
            { lat: lat + 1, lon: lon + 1 },
            { lat: lat + 1, lon },
          ],
        },
      },
      { area: { type: 'circle', centre: { lat: lat - 1, lon: lon - 1 }, radius: 20, unit: 'nm' } },
    ],
    band: { type: 'altitude', lowerFt: 0, upperFt: 25000 },
    windows: [{ start, end }],
    contact: 'theater-ops',
  });
}

export async function run(args: string[]): Promise<void> {
  const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 5);
  const fire = notice(12, 113, NOW - H, NOW + 6 * H);
  const opts = { now: NOW, horizonMs: H };
  for (const n of [10_000, 50_000]) {
    const tracks = picture(n, n);
    const fast = tracksIntoNotice(fire, tracks, opts);
    const naive = tracksIntoNoticeNaive(fire, tracks, opts);
    if (JSON.stringify(fast) !== JSON.stringify(naive))
      throw new Error(`filtered and naive checks disagree at ${n} tracks`);
    const tf = median(await timeRuns(runs, () => void tracksIntoNotice(fire, tracks, opts)));
    const tn = median(
      await timeRuns(Math.min(runs, 3), () => void tracksIntoNoticeNaive(fire, tracks, opts)),
    );
    report({
      name: `tracks into notice, ${fmt(n)} tracks (${fast.length} hits)`,
      value: n / (tf / 1000),
      unit: 'tracks/s',
      baseline: { name: 'naive', value: n / (tn / 1000) },
    });
  }
  const rand = prng(7);
  const others = Array.from({ length: 200 }, (_, i) => ({
    id: `n${i}`,
    name: `n${i}`,
    content: notice(
      4 + rand() * 18,
      106 + rand() * 14,
      NOW + Math.floor(rand() * 48) * H,
      NOW + (48 + Math.floor(rand() * 48)) * H,
    ),
  }));
  const target = notice(12, 113, NOW, NOW + 96 * H);
  let found = 0;
  const tc = median(
    await timeRuns(runs, () => {
      found = noticeConflicts(target, others).length;
    }),
  );
  report({ name: `notice against 200 notices (${found} conflicts)`, value: tc, unit: 'ms' });
}
