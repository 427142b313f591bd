// Shared benchmark helpers: seeded PRNG, timing, and the ratio-against-baseline report format
// (STYLE.md §7: a ratio survives a noisy shared machine; an absolute time does not).

/** mulberry32: a small seeded PRNG so every run sees the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `fn` `runs` times and returns each duration in ms. */
export async function timeRuns(runs: number, fn: () => Promise<void> | void): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: { ratio: number };
}

/** Prints a figure with its ratio to the same-run baseline and whether it meets its target. */
export function report(f: Figure): void {
  let line = `${f.name.padEnd(44)} ${fmt(f.value).padStart(12)} ${f.unit}`;
  if (f.baseline) {
    const ratio = f.value / f.baseline.value;
    line += `   ${fmt(ratio, 2)}× ${f.baseline.name} (${fmt(f.baseline.value)} ${f.unit})`;
    if (f.target)
      line +=
        ratio >= f.target.ratio
          ? `   target ≥ ${f.target.ratio}×: met`
          : `   target ≥ ${f.target.ratio}×: NOT MET`;
  }
  console.log(line);
}

const WORDS = [
  'maneuvering',
  'avoid',
  'intentions',
  'keep',
  'clear',
  'reduce',
  'speed',
  'bow',
  'astern',
  'flight',
];

/** A seeded message text of twelve hotline words, numbered `i` (the size of a typical entry). */
export function messageText(rand: () => number, i: number): string {
  return `${i}: ${Array.from({ length: 12 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')}`;
}
