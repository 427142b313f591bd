// `npm run bench -- ledger`: durable signed appends per second and bundle verification rate,
// each beside the raw node:crypto Ed25519 rate measured in the same run.
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportBundle, initStation, StationHandle, verifyBundleDir } from '@parley/store';
import { fmt, median, messageText, prng, report, timeRuns } from './util.js';

const RUNS = 3;

function messageBody(rand: () => number, i: number) {
  return { precedence: 'ROUTINE', text: messageText(rand, i) };
}

/** Raw Ed25519 sign and verify rates of node:crypto on messages the size of an entry. */
function rawRates(n: number): { sign: number; verify: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const msgs = Array.from({ length: 256 }, (_, i) =>
    Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(280) })),
  );
  const sigs = msgs.map((m) => sign(null, m, privateKey));
  const signMs: number[] = [];
  const verifyMs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) sign(null, msgs[i & 255]!, privateKey);
    signMs.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < n; i++) verify(null, msgs[i & 255]!, publicKey, sigs[i & 255]!);
    verifyMs.push(performance.now() - t);
  }
  return { sign: n / (median(signMs) / 1000), verify: n / (median(verifyMs) / 1000) };
}

export async function run(args: string[]): Promise<void> {
  const entries = Number(args.find((a) => a.startsWith('--entries='))?.slice(10) ?? 100_000);
  const batch = Number(args.find((a) => a.startsWith('--batch='))?.slice(8) ?? 1000);
  const appendCount = Math.min(entries, 50_000);
  const dir = await mkdtemp(join(tmpdir(), 'parley-bench-ledger-'));
  try {
    console.log(
      `ledger benchmark: ${fmt(appendCount)} durable appends in batches of ${batch}; verify a ${fmt(entries)}-entry bundle; median of ${RUNS} runs`,
    );
    const raw = rawRates(20_000);

    // Appends: real station, real SQLite file (WAL, synchronous=FULL), one transaction per batch.
    const rand = prng(42);
    const appendRates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const data = join(dir, `append-${r}`);
      await initStation(data, `Bench ${r}`);
      const st = await StationHandle.open(data);
      const t = performance.now();
      for (let i = 0; i < appendCount; i += batch) {
        const n = Math.min(batch, appendCount - i);
        await st.writer.appendMany(
          Array.from({ length: n }, (_, k) => ({
            kind: 'message',
            channel: 'ops',
            body: messageBody(rand, i + k),
          })),
        );
      }
      appendRates.push(appendCount / ((performance.now() - t) / 1000));
      await st.close();
    }
    report({
      name: 'durable signed appends',
      value: median(appendRates),
      unit: 'entries/s',
      baseline: { name: 'raw Ed25519 sign', value: raw.sign },
      target: { ratio: 0.5 },
    });

    // Verification of an exported bundle of `entries` entries.
    const data = join(dir, 'verify');
    await initStation(data, 'Bench verify');
    const st = await StationHandle.open(data);
    for (let i = 1; i < entries; i += 5000) {
      const n = Math.min(5000, entries - i);
      await st.writer.appendMany(
        Array.from({ length: n }, (_, k) => ({
          kind: 'message',
          channel: 'ops',
          body: messageBody(rand, i + k),
        })),
      );
      await st.writer.checkpoint();
    }
    const bundle = join(dir, 'bundle');
    await exportBundle(st.store, bundle, { exporter: st.exporter });
    await st.close();
    let total = 0;
    const verifyMs = await timeRuns(RUNS, async () => {
      const res = await verifyBundleDir(bundle);
      if (!res.ok) throw new Error(`bench bundle failed to verify: ${res.failure.message}`);
      total = res.entries;
    });
    report({
      name: `verify ${fmt(total)}-entry bundle`,
      value: total / (median(verifyMs) / 1000),
      unit: 'entries/s',
      baseline: { name: 'raw Ed25519 verify', value: raw.verify },
      target: { ratio: 0.7 },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
