// A seeded synthetic picture (the console bench and the worker's synthetic mode): `n` surface
// tracks in the South China Sea, each moving on its course; the first is own, the second other.
import type { Track } from '../api/types.js';

export function syntheticTracks(n: number, seed: number): Track[] {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const out: Track[] = [];
  for (let i = 0; i < n; i++) {
    const party = i === 0 ? 'own' : i === 1 ? 'other' : 'third';
    out.push({
      id: `ais:${412000000 + i}`,
      name: i < 2 ? (i === 0 ? 'DDG-93' : 'DDG-170') : i % 3 === 0 ? `MV SYNTH ${i}` : null,
      party,
      source: i < 2 ? 'station' : 'ais',
      domain: 'surface',
      lat: 6 + rnd() * 14,
      lon: 108 + rnd() * 12,
      cog: rnd() * 360,
      sog: 5 + rnd() * 20,
      heading: null,
      altFt: null,
      vsFpm: null,
      at: 0,
      stale: false,
    });
  }
  return out;
}

/** Moves every track on by `ms` along its course (flat earth; it is only a test picture). */
export function advance(tracks: Track[], ms: number, now: number): void {
  const dt = ms / 3600_000;
  for (const t of tracks) {
    const c = (t.cog * Math.PI) / 180;
    t.lat += (Math.cos(c) * t.sog * dt) / 60;
    t.lon += (Math.sin(c) * t.sog * dt) / 60 / Math.cos((t.lat * Math.PI) / 180);
    t.at = now;
  }
}
