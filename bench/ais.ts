// `npm run bench -- ais [--sentences=N]`: AIS decoding rate on a 1,000,000-sentence NMEA file
// built from gpsd's fixture sentences (cycled, multi-sentence messages kept whole), beside
// `gpsdecode -j` and `gpsdecode -u -j` (Debian `gpsd-clients`) on the same file, measured in the
// same run. Figures: our full decoder in-process (AisDecoder over the lines, every DAC/FI payload
// gpsd decodes decoded into fields too, each message JSON-serialised as the CLI does), scaled and
// unscaled, and end to end (`bin/parley ais decode < file > /dev/null`). The bench installs
// nothing: without gpsdecode on PATH it says so and reports our rates alone.
import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AisDecoder } from '@parley/geo';
import { AIS_LOGS, fixtureLines, messageGroups } from '../packages/geo/test/ais-fixtures.js';
import { fmt, median, report } from './util.js';

const RUNS = 3;
/** One timed run of a process (ours or gpsdecode) may take at most this long. */
const RUN_BOUND_MS = 120_000;
const TARGET_RATIO = 1.0;
const PARLEY = fileURLToPath(new URL('../bin/parley', import.meta.url));

/** The fixture messages (each its sentences), cycled to exactly `total` sentences. */
function buildLines(total: number): string[] {
  const groups = AIS_LOGS.flatMap((log) => messageGroups(fixtureLines(log)));
  const singles = groups.filter((g) => g.length === 1);
  const out: string[] = [];
  for (let i = 0; out.length < total; i++) {
    const g = groups[i % groups.length]!;
    const fit = out.length + g.length <= total ? g : singles[i % singles.length]!;
    for (const s of fit) out.push(s);
  }
  return out;
}

/** The path of `name` on PATH, if executable there; nothing is installed or downloaded. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs `cmd args < input > /dev/null`; resolves with the wall time in ms. */
function timeProcess(cmd: string, args: string[], input: string): Promise<number> {
  const stdin = openSync(input, 'r');
  const stdout = openSync('/dev/null', 'w');
  const t = performance.now();
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [stdin, stdout, 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_BOUND_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - t;
      clearTimeout(timer);
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? signal}: ${stderr.trim()}`));
    });
  }).finally(() => {
    closeSync(stdin);
    closeSync(stdout);
  });
}

/** Decodes `lines` in this process, serialising each message; returns ms and messages. */
function inProcess(
  lines: readonly string[],
  scaled = true,
): { ms: number; messages: number; bytes: number } {
  const decoder = new AisDecoder({ scaled });
  let bytes = 0;
  const t = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const m = decoder.push(lines[i]!);
    if (m !== null) bytes += JSON.stringify(m).length + 1;
  }
  return { ms: performance.now() - t, messages: decoder.stats.decoded, bytes };
}

export async function run(args: string[]): Promise<void> {
  const total = Number(args.find((a) => a.startsWith('--sentences='))?.slice(12) ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'parley-bench-ais-'));
  try {
    const lines = buildLines(total);
    const file = join(dir, 'ais.nmea');
    writeFileSync(file, lines.join('\n') + '\n', 'latin1');
    const gpsdecode = onPath('gpsdecode');
    console.log(
      `ais benchmark: ${fmt(lines.length)} sentences cycled from gpsd's fixtures; median of ${RUNS} runs; ` +
        (gpsdecode ? `gpsdecode: ${gpsdecode}` : 'gpsdecode not on PATH'),
    );

    // Warm up, and check the file decodes to what the CLI run must print.
    const first = inProcess(lines.slice(0, 50_000));
    if (first.messages === 0) throw new Error('bench file decodes to no messages');

    const ours: number[] = [];
    const oursRaw: number[] = [];
    let messages = 0;
    for (let r = 0; r < RUNS; r++) {
      const res = inProcess(lines);
      ours.push(res.ms);
      messages = res.messages;
      oursRaw.push(inProcess(lines, false).ms);
    }
    const cli: number[] = [];
    const gpsd: number[] = [];
    const gpsdRaw: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      cli.push(await timeProcess(process.execPath, [PARLEY, 'ais', 'decode'], file));
      if (gpsdecode) gpsd.push(await timeProcess(gpsdecode, ['-j'], file));
      if (gpsdecode) gpsdRaw.push(await timeProcess(gpsdecode, ['-u', '-j'], file));
    }
    const rate = (ms: number[]): number => lines.length / (median(ms) / 1000);
    console.log(
      `  ${fmt(messages)} messages per pass; ${fmt(readFileSync(file).length / 1e6, 1)} MB file`,
    );
    const baseline = gpsdecode ? { name: 'gpsdecode -j', value: rate(gpsd) } : undefined;
    if (baseline)
      report({ ...baseline, name: 'gpsdecode -j < file > /dev/null', unit: 'sentences/s' });
    report({
      name: 'our decoder in-process (scaled, JSON)',
      value: rate(ours),
      unit: 'sentences/s',
      ...(baseline ? { baseline, target: { ratio: TARGET_RATIO } } : {}),
    });
    const rawBaseline = gpsdecode ? { name: 'gpsdecode -u -j', value: rate(gpsdRaw) } : undefined;
    if (rawBaseline)
      report({ ...rawBaseline, name: 'gpsdecode -u -j < file > /dev/null', unit: 'sentences/s' });
    report({
      name: 'our decoder in-process (unscaled, JSON)',
      value: rate(oursRaw),
      unit: 'sentences/s',
      ...(rawBaseline ? { baseline: rawBaseline, target: { ratio: TARGET_RATIO } } : {}),
    });
    report({
      name: 'parley ais decode < file > /dev/null',
      value: rate(cli),
      unit: 'sentences/s',
      ...(baseline ? { baseline, target: { ratio: TARGET_RATIO } } : {}),
    });
    if (!gpsdecode) {
      console.log('  gpsdecode not installed (apt-get install gpsd-clients); ratio not measured');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
