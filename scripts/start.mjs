// `npm start`: three stations on loopback, each serving its operator console, and a scripted
// scenario modelled on the public record of 30 September 2018 near Gaven Reef (Spratly Islands),
// until Ctrl-C. Alpha (US) and Bravo (China) are paired over two paths and share two bilateral
// channels; Charlie (Philippines) is paired with each over one direct path, and the three share a
// trilateral channel. SQLite under ./data/ (created on first run, reused after).
//   npm start -- --once          a compressed run of the scenario, then check that the stations
//                                agree on every feed they share and that Charlie holds nothing of
//                                the US–China channels, export a bundle and verify it offline, exit
//   npm start -- --no-scenario   run the three stations idle (also --no-traffic)
// PARLEY_DEMO_DATA (default ./data) and PARLEY_DEMO_PORT (default 7301: stations on it and the
// next two, the second-path proxies on the two after) move it.
// Every step uses the real `parley` command and the stations' real HTTP API; the scripted
// operators sign in like people do (session cookie + CSRF token).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatDtg, formatPosition } from '@parley/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const parley = join(root, 'bin', 'parley');
const dataRoot = process.env.PARLEY_DEMO_DATA ?? join(root, 'data');
const args = new Set(process.argv.slice(2));
const once = args.has('--once');
const scenario = !args.has('--no-scenario') && !args.has('--no-traffic');
const basePort = Number(process.env.PARLEY_DEMO_PORT ?? 7301);
/** --once compresses the story's clock (the test cannot wait minutes); the physics stays honest otherwise. */
const SPEED = once ? 8 : 1;
const DEMO_VERSION = 3;
const PASSWORD = 'parley-demo-watch';
const LOGINS = [
  ['watch', 'operator', 'the watch officer: sends, reads, acknowledges'],
  ['approver', 'approver', 'second person of the two-person rule'],
  ['linguist', 'linguist', 'attaches translations'],
  ['viewer', 'viewer', 'reads only'],
];

// Bravo is addressed as localhost, Alpha as 127.0.0.1, Charlie as charlie.localhost (browsers
// resolve *.localhost to loopback): browsers do not separate cookies by port, so the consoles
// must be on different host names to be signed in side by side.
const STATIONS = [
  {
    id: 'alpha',
    name: 'Alpha (US INDOPACOM JOC)',
    short: 'Alpha',
    port: basePort,
    host: '127.0.0.1',
    lang: 'en',
  },
  {
    id: 'bravo',
    name: 'Bravo (PLA Southern Theater Command JOC)',
    short: 'Bravo',
    port: basePort + 1,
    host: 'localhost',
    lang: 'zh',
  },
  {
    id: 'charlie',
    name: 'Charlie (Philippine Navy NAVFORWEST MOC)',
    short: 'Charlie',
    port: basePort + 2,
    host: 'charlie.localhost',
    lang: 'en',
  },
];

function cli(argv, { quiet = false, input } = {}) {
  const r = spawnSync(process.execPath, [parley, ...argv], { encoding: 'utf8', input });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`parley ${argv[0]} failed (${r.status})`);
  }
  if (!quiet) process.stdout.write(r.stdout.trimEnd().replace(/^/gm, '  ') + '\n');
  return r.stdout.trim();
}

const stamp = () => formatDtg(Date.now());
const say = (line) => console.log(`[${stamp()}] ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// 1. Stations: created and paired on the first run, reused after.

mkdirSync(dataRoot, { recursive: true });
const demoFile = join(dataRoot, 'demo.json');
let demo = existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : null;
if (demo && demo.version !== DEMO_VERSION) {
  // Data of an earlier demo (two stations, or one path and no operator accounts): kept aside,
  // not reused.
  const aside = join(dataRoot, `previous-${new Date().toISOString().replace(/[:.]/g, '')}`);
  mkdirSync(aside, { recursive: true });
  for (const f of ['alpha', 'bravo', 'charlie', 'demo.json'])
    if (existsSync(join(dataRoot, f))) renameSync(join(dataRoot, f), join(aside, f));
  say(`data of an earlier demo moved to ${aside}`);
  demo = null;
}
for (const s of STATIONS) {
  s.dir = join(dataRoot, s.id);
  s.url = `http://127.0.0.1:${s.port}`;
  s.console = `http://${s.host}:${s.port}/`;
  if (!existsSync(join(s.dir, 'station.json'))) {
    say(`creating station ${s.name} in data/${s.id}`);
    cli(['init', '--data', s.dir, '--name', s.name]);
  }
  s.key = cli(['key', '--data', s.dir], { quiet: true });
}
const [A, B, C] = STATIONS;
// The second path of each direction between Alpha and Bravo goes through a small TCP proxy in
// this script, so the scenario can cut it and restore it.
A.proxyPort = basePort + 3;
B.proxyPort = basePort + 4;
const peerAdd = (s, peer, urls) =>
  cli([
    'peer',
    'add',
    '--data',
    s.dir,
    '--name',
    peer.short,
    '--key',
    peer.key,
    ...urls.flatMap((u) => ['--url', u]),
  ]);
if (!demo) {
  say("pairing Alpha and Bravo over two paths (each pins the other's key; compare safety numbers)");
  peerAdd(A, B, [B.url, `http://127.0.0.1:${B.proxyPort}`]);
  peerAdd(B, A, [A.url, `http://127.0.0.1:${A.proxyPort}`]);
  say('pairing Charlie with Alpha and with Bravo, over one direct path each');
  peerAdd(C, A, [A.url]);
  peerAdd(A, C, [C.url]);
  peerAdd(C, B, [B.url]);
  peerAdd(B, C, [C.url]);
  // One automation token per station (admin: it agrees the channels and creates the demo
  // accounts); the pictures are reported with it too.
  demo = { version: DEMO_VERSION, tokens: {} };
  for (const s of STATIONS)
    demo.tokens[s.id] = cli(
      ['token', 'create', '--data', s.dir, '--role', 'admin', '--label', 'npm start demo'],
      { quiet: true },
    );
  writeFileSync(demoFile, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// 2. The second-path proxies and the stations, as real processes.

function tcpProxy(listenPort, targetPort) {
  let up = true;
  const sockets = new Set();
  const server = createServer((c) => {
    if (!up) return c.destroy();
    const u = connect(targetPort, '127.0.0.1');
    sockets.add(c).add(u);
    const done = () => {
      c.destroy();
      u.destroy();
      sockets.delete(c);
      sockets.delete(u);
    };
    for (const s of [c, u]) s.on('error', done).on('close', done);
    c.pipe(u);
    u.pipe(c);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () =>
      resolve({
        cut() {
          up = false;
          for (const s of sockets) s.destroy();
        },
        restore() {
          up = true;
        },
        close() {
          up = false;
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    );
  });
}

const procs = [];
const proxies = [];
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
    { stdio: ['ignore', 'pipe', 'inherit'] },
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
async function stopStations() {
  for (const p of proxies) p.close();
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
}
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await stopStations();
  process.exit(code);
}
process.on('SIGINT', () => {
  console.log('');
  say('Ctrl-C: stopping the stations');
  void stopAll(0);
});
process.on('SIGTERM', () => void stopAll(0));

// ---------------------------------------------------------------------------------------------
// 3. API clients: automation tokens for the pictures and set-up, sessions for the operators.

async function request(s, method, path, body, headers) {
  const r = await fetch(s.url + path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) {
    const err = new Error(`${method} ${path}: ${r.status} ${json?.code}: ${json?.message}`);
    err.status = r.status;
    err.code = json?.code;
    throw err;
  }
  return json;
}
const api = (s, method, path, body) =>
  request(s, method, path, body, { authorization: `Bearer ${demo.tokens[s.id]}` });
const admin = api;

/** The demo accounts on every station (created once, through the admin API). */
async function ensureUsers() {
  for (const s of STATIONS) {
    const { users } = await admin(s, 'GET', '/api/v1/users');
    for (const [name, role] of [
      ...LOGINS,
      ['scripted-watch', 'operator'],
      ['scripted-linguist', 'linguist'],
    ])
      if (!users.some((u) => u.name === name))
        await admin(s, 'POST', '/api/v1/users', { name, role, password: PASSWORD });
  }
}

/** A scripted operator, signed in with a session like a person at the console. */
async function operator(s, name = 'scripted-watch') {
  const r = await fetch(s.url + '/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`scripted operator cannot sign in at ${s.short}: ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf } = await r.json();
  return (method, path, body) =>
    request(s, method, path, body, {
      cookie,
      ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }),
    });
}

async function waitUntil(what, fn, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** "Alpha", "Alpha and Bravo", "Alpha, Bravo and Charlie". */
const names = (xs) =>
  xs.length < 3
    ? xs.map((x) => x.short).join(' and ')
    : `${xs
        .slice(0, -1)
        .map((x) => x.short)
        .join(', ')} and ${xs.at(-1).short}`;

/** A station's short name by its id, and station ids in the script's order (Alpha, Bravo, Charlie). */
const label = (id) => STATIONS.find((x) => x.station === id)?.short ?? id;
const byStation = (a, b) =>
  STATIONS.findIndex((x) => x.station === a) - STATIONS.findIndex((x) => x.station === b);

/**
 * A channel proposed by `by` to `members` (named by station id: a station with several peers
 * must say who the channel is for), accepted by each of them, and open at all.
 */
async function ensureChannel(name, tier, by, members) {
  const listed = async (s) =>
    (await admin(s, 'GET', '/api/v1/channels')).channels.find((c) => c.name === name);
  const mine = await listed(by);
  if (mine?.status === 'open' || mine?.status === 'suspended') return;
  if (!mine)
    await admin(by, 'POST', '/api/v1/channels', {
      name,
      members: members.map((m) => m.station),
      agreement: { tier },
    });
  for (const m of members) {
    await waitUntil(`${name} proposed at ${m.short}`, () => listed(m));
    await admin(m, 'POST', `/api/v1/channels/${name}/accept`, {}).catch((err) => {
      if (err.code !== 'PARLEY_E_CHANNEL_STATE') throw err;
    });
  }
  for (const s of [by, ...members])
    await waitUntil(`${name} open at ${s.short}`, async () => (await listed(s))?.status === 'open');
  say(`channel #${name} (${tier}) proposed by ${by.short} to ${names(members)}, agreed by all`);
}

/** Waits for every recipient's signed delivered receipt of a message and prints them. */
async function delivered(from, to, id, t0) {
  const msg = await waitUntil(`delivery of ${id}`, async () => {
    const { messages } = await api(from, 'GET', '/api/v1/messages');
    return messages.find((m) => m.id === id && m.status.delivered);
  });
  if (to.length === 1)
    say(
      `    delivered: ${to[0].short}'s signed receipt back at ${from.short} after ${msg.status.deliveredAt - msg.ts} ms (round trip seen here ${Date.now() - t0} ms)`,
    );
  else
    say(
      `    delivered: signed receipts back at ${from.short} from ${to.map((s) => `${s.short} after ${msg.status.parties.find((p) => p.station === s.station)?.deliveredAt - msg.ts} ms`).join(', ')}`,
    );
  return msg;
}

// ---------------------------------------------------------------------------------------------
// 4. The picture: the two destroyers and AIS background traffic, reported every two seconds.

const NM_LAT = 1 / 60;
const RAD = Math.PI / 180;
/** Gaven Reef (Nanxun Jiao), Spratly Islands. */
const GAVEN = { lat: 10 + 12.5 / 60, lon: 114 + 13.3 / 60 };

/** A point `nm` from `p` on `bearing` (flat earth: fine over a few miles). */
function offset(p, bearing, nm) {
  return {
    lat: p.lat + nm * Math.cos(bearing * RAD) * NM_LAT,
    lon: p.lon + (nm * Math.sin(bearing * RAD) * NM_LAT) / Math.cos(p.lat * RAD),
  };
}
const velocity = (cog, sog) => ({ e: sog * Math.sin(cog * RAD), n: sog * Math.cos(cog * RAD) });
const motion = (v) => ({
  sog: Math.hypot(v.e, v.n),
  cog: (Math.atan2(v.e, v.n) / RAD + 360) % 360,
});

/**
 * The story, in seconds of the scenario clock (SPEED compresses it for --once). DECATUR transits
 * north-west past Gaven Reef at 12 kn. LANZHOU 170 shadows her a mile off the port beam (caution),
 * then turns across her bow, set to pass about 45 yd ahead of it: a crossing in which LANZHOU,
 * with DECATUR on her starboard side, is the give-way vessel (Rule 15) and DECATUR stands on
 * (Rule 17). LANZHOU holds on; DECATUR manoeuvres to avoid collision (Rule 17(b)): to starboard
 * (Rule 17(c): not to port for a ship on her own port side) onto 000 and down to 6 kn, so LANZHOU
 * passes clear ahead. LANZHOU then turns away.
 */
const T = {
  shadow: 0,
  turn: 30,
  send: 40,
  manoeuvre: 70,
  cut: 75,
  restore: 120,
  trilateral: 130,
  notice: 150,
  cpa: 210,
  away: 226,
};
// Track ids are new on every run, so a run never inherits the previous run's encounter.
const RUN = Date.now().toString(36);
const DECATUR = { id: `stn:DDG-73.${RUN}`, name: 'DECATUR', cog: 315, sog: 12 };
/** DECATUR's manoeuvre to avoid collision: to starboard, slowing. */
const AVOID = { cog: 0, sog: 6 };
const LANZHOU = { id: `stn:DDG-170.${RUN}`, name: 'LANZHOU 170' };

/**
 * The turn waits until the caution has been seen (a loaded machine can screen slower than the
 * compressed --once clock); `late` shifts it and every later step by as many scenario seconds.
 */
const turnGate = { open: false, late: 0 };

function destroyers(startMs, nowMs) {
  const ts = ((nowMs - startMs) / 1000) * SPEED; // scenario seconds
  const h = (s) => s / 3600 / SPEED; // scenario seconds to hours of real motion
  const d0 = offset(GAVEN, 135, 4); // 4 nm south-east of the reef
  const vd = velocity(DECATUR.cog, DECATUR.sog);
  const dAt = (s) => ({
    lat: d0.lat + vd.n * h(s) * NM_LAT,
    lon: d0.lon + (vd.e * h(s) * NM_LAT) / Math.cos(d0.lat * RAD),
  });
  // DECATUR herself: on 315 at 12 kn until she manoeuvres, then on AVOID.
  const man = turnGate.open ? T.manoeuvre + turnGate.late : Infinity;
  const va = velocity(AVOID.cog, AVOID.sog);
  const dm = dAt(Math.min(ts, man));
  const d =
    ts < man
      ? dm
      : {
          lat: dm.lat + va.n * h(ts - man) * NM_LAT,
          lon: dm.lon + (va.e * h(ts - man) * NM_LAT) / Math.cos(dm.lat * RAD),
        };
  const dMotion = ts < man ? { cog: DECATUR.cog, sog: DECATUR.sog } : AVOID;
  // LANZHOU: 1 nm off DECATUR's port beam, 45 yd ahead of her bow line, matching her motion.
  const beam = (s) => offset(offset(dAt(s), DECATUR.cog, 45 / 2025.4), DECATUR.cog - 90, 1.0);
  let l;
  let lm;
  const turn = turnGate.open ? T.turn + turnGate.late : Infinity;
  const away = T.away + turnGate.late;
  if (ts < turn) {
    l = beam(ts);
    lm = { cog: DECATUR.cog, sog: DECATUR.sog };
  } else {
    // Across the bow: the mile closed in (cpa - turn) seconds, relative motion to starboard.
    const rel = 1.0 / h(T.cpa - T.turn);
    const side = velocity(DECATUR.cog + 90, rel);
    const vl = { e: vd.e + side.e, n: vd.n + side.n };
    const p = beam(turn);
    const until = Math.min(ts, away);
    l = {
      lat: p.lat + vl.n * h(until - turn) * NM_LAT,
      lon: p.lon + (vl.e * h(until - turn) * NM_LAT) / Math.cos(p.lat * RAD),
    };
    lm = motion(vl);
    if (ts >= away) {
      // Turned away to the south-west at 16 kn.
      const va = velocity(225, 16);
      l = {
        lat: l.lat + va.n * h(ts - away) * NM_LAT,
        lon: l.lon + (va.e * h(ts - away) * NM_LAT) / Math.cos(l.lat * RAD),
      };
      lm = { cog: 225, sog: 16 };
    }
  }
  return [
    { ...DECATUR, ...d, ...dMotion, heading: dMotion.cog },
    { ...LANZHOU, ...l, cog: lm.cog, sog: lm.sog, heading: Math.round(lm.cog) },
  ];
}

/** A seeded picture of merchant traffic in the shipping lanes west of the Spratlys. */
function aisTraffic(n = 120, seed = 20180930) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  const kinds = ['MV', 'MT', 'CSCL', 'EVER', 'MSC', 'COSCO', 'PACIFIC', 'OCEAN', 'SEA'];
  const ships = [];
  for (let i = 0; i < n; i++) {
    const lane = rnd() < 0.5;
    ships.push({
      id: `ais:${(412000000 + Math.floor(rnd() * 150000000)) % 999999999}`,
      name: `${kinds[i % kinds.length]} ${String.fromCharCode(65 + (i % 26))}${Math.floor(rnd() * 900 + 100)}`,
      lat: 7 + rnd() * 8,
      lon: lane ? 110.5 + rnd() * 3 : 112 + rnd() * 5,
      cog: lane ? (rnd() < 0.5 ? 30 : 210) + (rnd() - 0.5) * 20 : rnd() * 360,
      sog: 8 + rnd() * 10,
    });
  }
  return ships;
}

function backgroundAt(ships, startMs, nowMs) {
  const hrs = (nowMs - startMs) / 3600_000;
  return ships.map((v) => {
    const vv = velocity(v.cog, v.sog);
    return {
      ...v,
      lat: v.lat + vv.n * hrs * NM_LAT,
      lon: v.lon + (vv.e * hrs * NM_LAT) / Math.cos(v.lat * RAD),
    };
  });
}

/** Each station reports the picture from its side: its own destroyer is `own`. */
async function report(startMs, ships) {
  const now = Date.now();
  const [d, l] = destroyers(startMs, now);
  const bg = backgroundAt(ships, startMs, now).map((v) => ({
    id: v.id,
    name: v.name,
    party: 'third',
    domain: 'surface',
    lat: v.lat,
    lon: v.lon,
    sog: v.sog,
    cog: v.cog,
    time: now,
  }));
  const unit = (u, party) => ({
    id: u.id,
    name: u.name,
    party,
    domain: 'surface',
    lat: u.lat,
    lon: u.lon,
    sog: u.sog,
    cog: u.cog,
    heading: u.heading,
    time: now,
  });
  await Promise.all([
    api(A, 'POST', '/api/v1/tracks', { reports: [unit(d, 'own'), unit(l, 'other'), ...bg] }),
    api(B, 'POST', '/api/v1/tracks', { reports: [unit(l, 'own'), unit(d, 'other'), ...bg] }),
  ]);
  return { d, l };
}

// ---------------------------------------------------------------------------------------------
// 5. The scenario.

async function encounterAt(s, level) {
  const { encounters } = await api(s, 'GET', '/api/v1/encounters');
  return encounters.find(
    (e) =>
      e.level === level &&
      (e.state === 'projected' || e.state === 'active') &&
      [e.a, e.b].includes(DECATUR.id) &&
      [e.a, e.b].includes(LANZHOU.id),
  );
}

async function encounterById(s, id) {
  const { encounters } = await api(s, 'GET', '/api/v1/encounters');
  return encounters.find((e) => e.id === id);
}

async function runScenario() {
  const start = Date.now();
  const at = (s) => sleep(Math.max(0, start + ((s + turnGate.late) * 1000) / SPEED - Date.now()));
  const ships = aisTraffic();
  let feeding = true;
  const feed = (async () => {
    while (feeding && !stopping) {
      await report(start, ships).catch((err) => say(`track report failed: ${err.message}`));
      await sleep(2000 / SPEED);
    }
  })();
  const alpha = await operator(A);
  const bravo = await operator(B);
  const linguist = await operator(A, 'scripted-linguist');
  const charlie = await operator(C);

  say(
    `SCENARIO 30 Sep 2018, Gaven Reef (${formatPosition(GAVEN.lat, GAVEN.lon)}): DECATUR (Alpha) transits north-west at 12 kn; LANZHOU 170 (Bravo) shadows her a mile off the port beam; ${ships.length} AIS contacts in the area`,
  );
  const caution = await waitUntil('the caution encounter', () => encounterAt(A, 'caution'));
  turnGate.late = Math.max(0, ((Date.now() - start) / 1000) * SPEED - T.turn);
  turnGate.open = true;
  say(
    `  both screens: CAUTION ${caution.aName} / ${caution.bName}, range ${caution.rangeNm.toFixed(2)} nm`,
  );

  await at(T.turn);
  say('LANZHOU 170 turns to starboard across DECATUR’s bow at 23 kn');
  const danger = await waitUntil('the danger encounter at Alpha', () => encounterAt(A, 'danger'));
  say(
    `  Alpha's screen: DANGER, CPA ${Math.round(danger.cpaNm * 2025.4)} yd in ${danger.tcpaMin.toFixed(1)} min (time to act ${danger.timeToActMin.toFixed(1)} min), ${danger.situation}, give way: ${danger.giveWay === 'b' ? danger.bName : danger.giveWay}; draft ${danger.draft?.code} on #${danger.draft?.channel}: "${danger.draft?.text.en}"`,
  );
  const bDanger = await waitUntil('the danger encounter at Bravo', () => encounterAt(B, 'danger'));
  say(
    `  Bravo's screen sees it too: ${bDanger.situation}, give way: ${bDanger.giveWay === 'a' ? bDanger.aName : bDanger.giveWay}; draft ${bDanger.draft?.code}: "${bDanger.draft?.text.en}" / "${bDanger.draft?.text.zh}"`,
  );

  await at(T.send);
  const t0 = Date.now();
  const sent = await alpha('POST', `/api/v1/encounters/${encodeURIComponent(danger.id)}/send`, {
    precedence: 'FLASH',
  });
  say(
    `Alpha's watch sends the drafted warning as FLASH (seq ${sent.seq})${danger.draft?.forRecord ? ', for record: the ships act bridge-to-bridge' : ''}`,
  );
  await delivered(A, [B], sent.id, t0);
  if (bDanger.draft?.status === 'pending')
    await bravo('POST', `/api/v1/encounters/${encodeURIComponent(bDanger.id)}/discard`).catch(
      () => undefined,
    );

  await sleep(5000 / SPEED);
  const zh = await bravo('GET', '/api/v1/messages?lang=zh');
  const seen = zh.messages.find((m) => m.id === sent.id);
  say(`Bravo's watch reads it in Chinese: "${seen?.text}"`);
  await bravo('POST', `/api/v1/messages/${sent.id}/read`, {});
  await sleep(6000 / SPEED);
  await bravo('POST', `/api/v1/messages/${sent.id}/understood`, {
    readback: '收到。我舰正在航行，将注意保持安全距离。',
  });
  say(
    '  Bravo marks it understood, read-back in Chinese: "收到。我舰正在航行，将注意保持安全距离。"',
  );
  const t1 = Date.now();
  const reply = await bravo('POST', '/api/v1/messages', {
    channel: danger.draft?.channel ?? 'scs-tactical',
    precedence: 'FLASH',
    catalogue: { code: 'LNK-14', params: { time: seen?.ts ?? Date.now() } },
    replyTo: sent.id,
  });
  say('  Bravo answers with LNK-14 (each side reads it in its own language)');
  await delivered(B, [A], reply.id, t1);
  await sleep(4000 / SPEED);
  await alpha('POST', `/api/v1/messages/${reply.id}/read`, {});
  await alpha('POST', `/api/v1/messages/${reply.id}/understood`, {
    readback: 'Your acknowledgement received.',
  });
  say('  Alpha reads the answer in English and marks it understood');
  const t3 = Date.now();
  const plain = await bravo('POST', '/api/v1/messages', {
    channel: danger.draft?.channel ?? 'scs-tactical',
    precedence: 'IMMEDIATE',
    text: '我舰正在进行例行航行，请你舰保持安全距离。',
    lang: 'zh',
  });
  say('Bravo adds in free text, in Chinese: "我舰正在进行例行航行，请你舰保持安全距离。"');
  await delivered(B, [A], plain.id, t3);
  await sleep(4000 / SPEED);
  await linguist('POST', `/api/v1/messages/${plain.id}/translations`, {
    lang: 'en',
    text: 'My ship is on a routine passage; request your ship keep a safe distance.',
  });
  say("  Alpha's linguist attaches an English translation (signed; the original stays beside it)");
  await alpha('POST', `/api/v1/messages/${plain.id}/read`, {});
  await alpha('POST', `/api/v1/messages/${plain.id}/understood`, {});

  await at(T.manoeuvre);
  say(
    'LANZHOU 170 holds on; DECATUR manoeuvres to avoid collision (Rule 17(b)): to starboard onto 000, down to 6 kn',
  );
  const acting = await waitUntil("Alpha's draft for DECATUR's manoeuvre", async () => {
    const e = await encounterById(A, danger.id);
    return e?.draft?.code === 'MAN-22' ? e : undefined;
  });
  say(`  Alpha's new draft ${acting.draft.code}: "${acting.draft.text.en}"`);
  const bNow = await encounterById(B, bDanger.id);
  say(
    `  Bravo's draft stays ${bNow?.draft?.code} (${bNow?.situation}, give way: ${bNow?.giveWay === 'a' ? bNow?.aName : bNow?.giveWay}): "${bNow?.draft?.text.en}"`,
  );
  if (acting.draft.status === 'pending') {
    const t4 = Date.now();
    const sent2 = await alpha('POST', `/api/v1/encounters/${encodeURIComponent(acting.id)}/send`, {
      precedence: 'FLASH',
    });
    say(`  Alpha's watch sends it as FLASH (seq ${sent2.seq})`);
    await delivered(A, [B], sent2.id, t4);
  }

  await at(T.cut);
  for (const p of proxies) p.cut();
  say('LINK: path 2 (through the relay) is cut; the link runs on path 1 (DEGRADED)');
  await sleep(3000 / SPEED);
  const t2 = Date.now();
  const keepOut = await alpha('POST', '/api/v1/messages', {
    channel: 'theater-ops',
    precedence: 'IMMEDIATE',
    catalogue: { code: 'INT-08', params: { distance: { value: 2, unit: 'nm' } } },
  });
  say('Alpha on #theater-ops, IMMEDIATE: "Request you keep outside 2 nm of me"');
  await delivered(A, [B], keepOut.id, t2);
  await sleep(8000 / SPEED);
  await bravo('POST', `/api/v1/messages/${keepOut.id}/read`, {});
  await bravo('POST', `/api/v1/messages/${keepOut.id}/understood`, {
    readback: '明白，请求我舰保持2海里以外。',
  });
  say('  Bravo reads it in Chinese and marks it understood: "明白，请求我舰保持2海里以外。"');

  await at(T.restore);
  for (const p of proxies) p.restore();
  say('LINK: path 2 restored');

  // The trilateral channel: Charlie's patrol tells both of the others where it is going. Each
  // reads it in its own language; Charlie sees each party's receipts.
  await at(T.trilateral);
  const dest = offset(GAVEN, 200, 12);
  const t4 = Date.now();
  const tri = await charlie('POST', '/api/v1/messages', {
    channel: 'scs-trilateral',
    precedence: 'IMMEDIATE',
    catalogue: { code: 'INT-12', params: { position: { lat: dest.lat, lon: dest.lon } } },
  });
  say(
    `Charlie on #scs-trilateral, IMMEDIATE, to Alpha and Bravo: "I intend to proceed to ${formatPosition(dest.lat, dest.lon)}"`,
  );
  await delivered(C, [A, B], tri.id, t4);
  await sleep(4000 / SPEED);
  const triZh = (await bravo('GET', '/api/v1/messages?lang=zh')).messages.find(
    (m) => m.id === tri.id,
  );
  await bravo('POST', `/api/v1/messages/${tri.id}/read`, {});
  await bravo('POST', `/api/v1/messages/${tri.id}/understood`, {});
  say(`  Bravo reads it in Chinese and marks it understood: "${triZh?.text}"`);
  await alpha('POST', `/api/v1/messages/${tri.id}/read`, {});
  await alpha('POST', `/api/v1/messages/${tri.id}/understood`, {});
  say('  Alpha reads it in English and marks it understood');
  const triSeen = await waitUntil('both parties to understand the trilateral message', async () => {
    const { messages } = await charlie('GET', '/api/v1/messages?channel=scs-trilateral');
    const m = messages.find((x) => x.id === tri.id);
    return m?.status.understood ? m : undefined;
  });
  const parties = [...triSeen.status.parties].sort((a, b) => byStation(a.station, b.station));
  say(
    `  at Charlie: understood by ${parties.filter((p) => p.understood).length} of ${parties.length} (${parties.map((p) => `${label(p.station)} ${p.understood ? 'understood' : p.read ? 'read' : p.deliveredAt ? 'delivered' : 'pending'}`).join(', ')})`,
  );

  await at(T.notice);
  const fireAt = offset(GAVEN, 250, 25);
  const from = Date.now() + 45 * 60_000;
  try {
    const n = await bravo('POST', '/api/v1/notices', {
      channel: 'theater-ops',
      send: true,
      notice: {
        kind: 'live-fire',
        issuer: { party: 'Bravo', unit: 'LANZHOU 170' },
        areas: [
          {
            role: 'danger',
            area: {
              type: 'circle',
              centre: { lat: fireAt.lat, lon: fireAt.lon },
              radius: 5,
              unit: 'nm',
            },
          },
        ],
        band: { type: 'surface' },
        windows: [{ start: from, end: from + 3 * 3600_000 }],
        remark: 'Naval gunnery live firing. 舰炮实弹射击。',
        contact: 'theater-ops',
      },
    });
    say(
      `Bravo issues a live-fire notice for ${formatDtg(from)}, 5 nm around ${formatPosition(fireAt.lat, fireAt.lon)}: ${n.lateness?.late ? `LATE (${n.lateness.text})` : 'on time'}`,
    );
    const notice = await waitUntil('the notice at Alpha', async () => {
      const { notices } = await alpha('GET', '/api/v1/notices');
      return notices.find((x) => x.id === n.id);
    });
    await sleep(5000 / SPEED);
    await alpha('POST', `/api/v1/notices/${encodeURIComponent(notice.id)}/understood`, {});
    say('  Alpha acknowledges the notice');
  } catch (err) {
    if (err.status !== 404) throw err;
    say('(this build serves no notices yet: the live-fire notice is left out)');
  }

  if (once) {
    feeding = false;
    await feed;
    await charlieSees();
    return;
  }
  await at(T.cpa);
  const past = await api(A, 'GET', '/api/v1/encounters');
  const e = past.encounters.find((x) => x.id === danger.id);
  say(
    `CPA: LANZHOU 170 passes ${e ? Math.round(e.cpaNm * 2025.4) : '~45'} yd ahead of DECATUR's bow`,
  );
  await at(T.away);
  say('LANZHOU 170 turns away to the south-west; the encounter closes');
  await charlieSees();
  say('scenario complete; the picture keeps moving. Ctrl-C to stop');
  await feed;
}

// ---------------------------------------------------------------------------------------------

/**
 * What Charlie holds after the scenario: only the trilateral channel, its traffic, and no byte of
 * the Alpha–Bravo channels (their messages by id or text in either language, their notices, their
 * audience's feeds). Printed, and a failure ends the demo.
 */
async function charlieSees() {
  const { channels } = await api(C, 'GET', '/api/v1/channels');
  say(
    `Charlie's channels: ${channels.map((c) => `#${c.name} (${c.status}; members ${[...c.members].sort(byStation).map(label).join(', ')})`).join(', ')}`,
  );
  if (channels.length !== 1 || channels[0].name !== 'scs-trilateral')
    throw new Error(`Charlie lists ${channels.map((c) => c.name).join(', ')}`);
  const bilateral = (await api(A, 'GET', '/api/v1/channels')).channels.filter(
    (c) => c.name !== 'scs-trilateral',
  );
  const theirs = new Set(bilateral.map((c) => c.name));
  const abAudiences = new Set(bilateral.map((c) => c.audience));
  const secrets = new Set();
  let count = 0;
  for (const [s, lang] of [
    [A, 'en'],
    [B, 'zh'],
  ])
    for (const m of (await api(s, 'GET', `/api/v1/messages?lang=${lang}`)).messages)
      if (theirs.has(m.channel)) {
        if (s === A) count++;
        secrets.add(m.id);
        for (const t of [
          m.text,
          m.rendered?.en,
          m.rendered?.zh,
          ...m.translations.map((x) => x.text),
        ])
          if (t) secrets.add(t);
      }
  const held = (await api(C, 'GET', '/api/v1/messages?lang=en')).messages;
  const heldZh = (await api(C, 'GET', '/api/v1/messages?lang=zh')).messages;
  const leaked = [...held, ...heldZh].filter(
    (m) =>
      m.channel !== 'scs-trilateral' ||
      secrets.has(m.id) ||
      secrets.has(m.text) ||
      m.translations.some((x) => secrets.has(x.text)),
  );
  const notices = await api(C, 'GET', '/api/v1/notices').then(
    (r) => r.notices,
    (err) => (err.status === 404 ? [] : Promise.reject(err)),
  );
  const feeds = (await api(C, 'GET', '/api/v1/feeds')).filter((f) => abAudiences.has(f.audience));
  if (!count) throw new Error('no Alpha–Bravo traffic to compare with');
  if (leaked.length || notices.length || feeds.length)
    throw new Error(
      `Charlie holds Alpha–Bravo traffic: ${leaked.length} message(s), ${notices.length} notice(s), ${feeds.length} feed(s)`,
    );
  say(
    `  Charlie holds ${held.length} message(s), all on #scs-trilateral; none of the ${count} Alpha–Bravo messages (by id or text, in English or Chinese), no notice, no feed of their audience ${[...abAudiences].join(', ')}`,
  );
}

async function main() {
  proxies.push(await tcpProxy(A.proxyPort, A.port), await tcpProxy(B.proxyPort, B.port));
  for (const s of STATIONS) await startStation(s);
  // Every link UP on every path: Alpha–Bravo on two, Charlie–Alpha and Charlie–Bravo on one.
  await waitUntil(
    'every link to come up on all its paths',
    async () => {
      for (const s of STATIONS) {
        const h = await (await fetch(s.url + '/api/v1/health')).json();
        s.station = h.station;
        if (
          h.peers.length !== STATIONS.length - 1 ||
          !h.peers.every((p) => p.state === 'UP' && p.paths.every((x) => x.state === 'UP'))
        )
          return false;
      }
      return true;
    },
    30_000,
  );
  say(
    'links UP: Alpha–Bravo on both paths, Charlie–Alpha and Charlie–Bravo; heartbeats every second',
  );
  await ensureUsers();
  // Alpha has two peers now: its bilateral channels name their member.
  await ensureChannel('theater-ops', 'theater', A, [B]);
  await ensureChannel('scs-tactical', 'tactical', A, [B]);
  await ensureChannel('scs-trilateral', 'theater', C, [A, B]);
  console.log('');
  console.log('  Consoles (sign in on each; one browser can hold all three):');
  for (const s of STATIONS)
    console.log(`    ${s.short.padEnd(7)} ${s.console.padEnd(32)} ${s.name}`);
  console.log(`  Logins on every station (password ${PASSWORD}):`);
  for (const [name, role, what] of LOGINS)
    console.log(`    ${name.padEnd(9)} ${role.padEnd(9)} ${what}`);
  console.log('');
  if (!scenario) {
    say('no scenario (--no-scenario); Ctrl-C to stop');
    return;
  }
  await runScenario();
  if (!once) return;

  // --once: the stations must agree on every feed they share: every station's identity feed, and
  // each member's feed of every audience (ADR 0003: Alpha–Bravo, and the three), each held by
  // exactly the stations that should hold it. Then an export must verify offline.
  const key = (f) => `${f.station}/${f.audience ?? ''}`;
  const feeds = await waitUntil('the stations to agree on their feeds', async () => {
    const held = new Map();
    for (const s of STATIONS) {
      const rows = await api(s, 'GET', '/api/v1/feeds');
      held.set(s, new Map(rows.map((f) => [key(f), f])));
      // What this station must hold: the three identity feeds, and for each of its channels'
      // audiences the feed of every member.
      const { channels } = await api(s, 'GET', '/api/v1/channels');
      const must = STATIONS.map((x) => `${x.station}/`);
      for (const c of channels)
        for (const m of new Set([s.station, ...c.members])) must.push(`${m}/${c.audience}`);
      if (!must.every((k) => held.get(s).has(k))) return undefined;
    }
    const all = new Map();
    for (const [s, rows] of held)
      for (const [k, f] of rows) {
        const seen = all.get(k);
        if (seen && (seen.f.size !== f.size || seen.f.root !== f.root)) return undefined;
        all.set(k, { f, at: [...(seen?.at ?? []), s] });
      }
    return all;
  });
  const channelsOf = new Map();
  for (const c of (await api(A, 'GET', '/api/v1/channels')).channels)
    channelsOf.set(c.audience, [...(channelsOf.get(c.audience) ?? []), `#${c.name}`]);
  for (const { f, at } of feeds.values())
    if (f.audience)
      say(
        `feed ${label(f.station)}/${f.audience} (${(channelsOf.get(f.audience) ?? []).join(', ')}): size ${f.size} root ${f.root.slice(0, 16)}… identical at ${names(at)}`,
      );
  await stopStations();
  const bundle = join(
    dataRoot,
    'exports',
    `bundle-${new Date().toISOString().replace(/[:.]/g, '')}`,
  );
  mkdirSync(join(dataRoot, 'exports'), { recursive: true });
  cli(['export', '--data', A.dir, '--out', bundle]);
  cli(['verify', bundle, '--key', A.key, '--key', B.key, '--key', C.key]);
  process.exit(0);
}

main().catch(async (err) => {
  console.error(`demo failed: ${err.message}`);
  await stopAll(1);
});
