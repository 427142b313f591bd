// `npm start`: two stations on loopback, paired, with a little scripted traffic and a printout of
// what crosses the link, until Ctrl-C. SQLite under ./data/ (created on first run, reused after).
//   npm start -- --once         run the script once, check both stations agree, export and verify, exit
//   npm start -- --no-traffic   run the two stations idle
// PARLEY_DEMO_DATA (default ./data) and PARLEY_DEMO_PORT (default 7301, and the next one) move it.
// Every step uses the real `parley` command and the stations' real HTTP API.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatDtg } from '@parley/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const parley = join(root, 'bin', 'parley');
const dataRoot = process.env.PARLEY_DEMO_DATA ?? join(root, 'data');
const args = new Set(process.argv.slice(2));
const once = args.has('--once');
const traffic = !args.has('--no-traffic');
const basePort = Number(process.env.PARLEY_DEMO_PORT ?? 7301);

const STATIONS = [
  { id: 'alpha', name: 'Alpha (US INDOPACOM JOC)', port: basePort },
  { id: 'bravo', name: 'Bravo (PLA Southern Theater Command JOC)', port: basePort + 1 },
];

function cli(argv, { quiet = false } = {}) {
  const r = spawnSync(process.execPath, [parley, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`parley ${argv[0]} failed (${r.status})`);
  }
  if (!quiet) process.stdout.write(r.stdout.trimEnd().replace(/^/gm, '  ') + '\n');
  return r.stdout.trim();
}

const stamp = () => formatDtg(Date.now());
const say = (line) => console.log(`[${stamp()}] ${line}`);

// 1. Stations: created and paired on the first run, reused after.
mkdirSync(dataRoot, { recursive: true });
const demoFile = join(dataRoot, 'demo.json');
for (const s of STATIONS) {
  s.dir = join(dataRoot, s.id);
  s.url = `http://127.0.0.1:${s.port}`;
  if (!existsSync(join(s.dir, 'station.json'))) {
    say(`creating station ${s.name} in data/${s.id}`);
    cli(['init', '--data', s.dir, '--name', s.name]);
  }
  s.key = cli(['key', '--data', s.dir], { quiet: true });
}
let demo = existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : null;
if (!demo) {
  const [a, b] = STATIONS;
  say("pairing the stations (each pins the other's key; compare the safety numbers out of band)");
  cli(['peer', 'add', '--data', a.dir, '--name', 'Bravo', '--key', b.key, '--url', b.url]);
  cli(['peer', 'add', '--data', b.dir, '--name', 'Alpha', '--key', a.key, '--url', a.url]);
  demo = { tokens: {} };
  for (const s of STATIONS)
    demo.tokens[s.id] = cli(
      ['token', 'create', '--data', s.dir, '--role', 'operator', '--label', 'npm start demo'],
      { quiet: true },
    );
  writeFileSync(demoFile, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
}

// 2. Start both stations as real processes.
const procs = [];
async function startStation(s) {
  const proc = spawn(
    process.execPath,
    [
      parley,
      'start',
      '--data',
      s.dir,
      '--port',
      String(s.port),
      '--heartbeat-ms',
      '1000',
      '--pull-wait-ms',
      '10000',
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  procs.push(proc);
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) =>
      reject(
        new Error(`${s.name} exited with ${code} (is port ${s.port} free? set PARLEY_DEMO_PORT)`),
      ),
    );
  });
  say(`${s.name} listening on ${url}`);
}

let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    procs.map(
      (p) =>
        new Promise((resolve) => {
          if (p.exitCode !== null) return resolve();
          p.once('exit', resolve);
          p.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}
process.on('SIGINT', () => {
  console.log('');
  say('Ctrl-C: stopping both stations');
  void stopAll(0);
});
process.on('SIGTERM', () => void stopAll(0));

const api = async (s, method, path, body) => {
  const r = await fetch(s.url + path, {
    method,
    headers: {
      authorization: `Bearer ${demo.tokens[s.id]}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${json.code}: ${json.message}`);
  return json;
};

async function waitUntil(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Posts on one station and prints when the other's delivered receipt comes back. */
async function exchange(from, to, precedence, text) {
  const t0 = Date.now();
  const { id, seq } = await api(from, 'POST', '/api/v1/messages', {
    channel: 'theater-ops',
    precedence,
    text,
  });
  say(`${from.id} → ${to.id}  ${precedence.padEnd(9)} seq ${String(seq).padEnd(4)} "${text}"`);
  const msg = await waitUntil(`delivery of ${id}`, async () => {
    const { messages } = await api(from, 'GET', '/api/v1/messages?channel=theater-ops');
    return messages.find((m) => m.id === id && m.status.delivered);
  });
  say(
    `${' '.repeat(from.id.length + to.id.length + 4)}delivered: ${to.id}'s signed receipt back at ${from.id} after ${msg.status.deliveredAt - msg.ts} ms (round trip seen here ${Date.now() - t0} ms)`,
  );
}

const SCRIPT = [
  [
    0,
    1,
    'FLASH',
    'Your destroyer is closing my bow at 45 yards. I am maneuvering to avoid you. State your intentions.',
  ],
  [1, 0, 'FLASH', 'Your message received. Our unit will keep clear and maintain 2 nautical miles.'],
  [0, 1, 'IMMEDIATE', 'Request you reduce speed and keep well clear of me.'],
  [1, 0, 'ROUTINE', 'Hourly link test. Acknowledge.'],
];

async function main() {
  for (const s of STATIONS) await startStation(s);
  const [a, b] = STATIONS;
  await waitUntil('the link to come up', async () => {
    const h = await (await fetch(a.url + '/api/v1/health')).json();
    return h.peers[0]?.state === 'UP';
  });
  say('link UP on every path; heartbeats every second');
  if (!traffic) {
    say('no scripted traffic (--no-traffic); Ctrl-C to stop');
    return;
  }
  let round = 0;
  do {
    for (const [f, t, precedence, text] of SCRIPT) {
      if (stopping) return;
      await exchange(STATIONS[f], STATIONS[t], precedence, round ? `${text} (${round + 1})` : text);
      if (!once) await new Promise((r) => setTimeout(r, 2000));
    }
    round++;
  } while (!once && !stopping);

  // --once: both stations must agree on both feeds, and an export must verify offline.
  const feeds = await waitUntil('both stations to agree on both feeds', async () => {
    const fa = await api(a, 'GET', '/api/v1/feeds');
    const fb = await api(b, 'GET', '/api/v1/feeds');
    const norm = (xs) => JSON.stringify(xs.map((x) => [x.station, x.size, x.root]).sort());
    return fa.length === 2 && norm(fa) === norm(fb) ? fa : undefined;
  });
  for (const f of feeds)
    say(
      `feed ${f.station}: size ${f.size} root ${f.root.slice(0, 16)}… identical at both stations`,
    );
  await stopAllButStay();
  const bundle = join(
    dataRoot,
    'exports',
    `bundle-${new Date().toISOString().replace(/[:.]/g, '')}`,
  );
  mkdirSync(join(dataRoot, 'exports'), { recursive: true });
  cli(['export', '--data', a.dir, '--out', bundle]);
  cli(['verify', bundle, '--key', a.key, '--key', b.key]);
  process.exit(0);
}

async function stopAllButStay() {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise((resolve) =>
          p.exitCode !== null ? resolve() : (p.once('exit', resolve), p.kill('SIGTERM')),
        ),
    ),
  );
}

main().catch(async (err) => {
  console.error(`demo failed: ${err.message}`);
  await stopAll(1);
});
