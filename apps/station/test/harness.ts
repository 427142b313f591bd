// Test harness for real stations: data directories, station processes on loopback (port 0),
// pairing, tokens, an API client and polling. Used by the two-station, outage and hostile tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { initStation, openStationStore } from '@parley/store';
import type { PeerRecord, Store } from '@parley/store';
import { buildStation, createToken } from '@parley/station';
import type { Role, Station, StationOptions } from '@parley/station';

export const PARLEY = fileURLToPath(new URL('../../../bin/parley', import.meta.url));

export async function tempRoot(prefix = 'parley-st-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface StationDir {
  name: string;
  dir: string;
  station: string;
  key: string;
}

/** A new station directory; with `storeUrl` its store is that PostgreSQL database. */
export async function makeStation(
  root: string,
  name: string,
  opts: { storeUrl?: string } = {},
): Promise<StationDir> {
  const dir = join(root, name.toLowerCase().replace(/\W+/g, '-'));
  const { config, publicKey } = await initStation(dir, name, opts);
  return { name, dir, station: config.station, key: publicKey };
}

/** Opens a station's store beside a running station (SQLite WAL or PostgreSQL) for a short task. */
export async function withDb<T>(s: StationDir, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStationStore(s.dir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Pairs `a` with `b` (one direction): `a` will pull `b` over `urls`. */
export async function addPeer(
  a: StationDir,
  b: StationDir,
  urls: string[],
  extra: Partial<PeerRecord> = {},
): Promise<void> {
  await withDb(a, (store) =>
    store.addPeer({
      name: b.name,
      station: b.station,
      key: b.key,
      urls,
      tlsCert: null,
      added: Date.now(),
      ...extra,
    }),
  );
}

export async function token(s: StationDir, role: Role = 'operator'): Promise<string> {
  return withDb(s, (store) => createToken(store, role, 'test', Date.now()));
}

/** A station running as its own process (`parley start`), so it can be killed with SIGKILL. */
export interface StationProcess {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM and wait for a clean exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill9(): Promise<void>;
}

export async function spawnStation(
  s: StationDir,
  opts: {
    port?: number;
    heartbeatMs?: number;
    pullWaitMs?: number;
    /** More `parley start` options, e.g. `['--lease-ms', '1500']`. */
    args?: string[];
  } = {},
): Promise<StationProcess> {
  const args = [
    PARLEY,
    'start',
    '--data',
    s.dir,
    '--port',
    String(opts.port ?? 0),
    '--heartbeat-ms',
    String(opts.heartbeatMs ?? 250),
    '--pull-wait-ms',
    String(opts.pullWaitMs ?? 2000),
    '--log-level',
    'warn',
    ...(opts.args ?? []),
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`station ${s.name} did not print its URL: ${err}`)),
      20_000,
    );
    rl.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    proc.once('exit', (code) => reject(new Error(`station ${s.name} exited with ${code}: ${err}`)));
  });
  return {
    url,
    proc,
    stderr: () => err,
    async stop() {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** A station in this process (faster; used where no process must die). */
export async function startInProcess(
  s: StationDir,
  opts: Partial<StationOptions> = {},
): Promise<{ station: Station; url: string }> {
  const station = await buildStation({
    dataDir: s.dir,
    heartbeatMs: 250,
    pullWaitMs: 2000,
    peerReloadMs: 200,
    ...opts,
  });
  const url = await station.listen({ port: 0 });
  return { station, url };
}

export interface ApiMessage {
  id: string;
  station: string;
  seq: number;
  ts: number;
  channel: string;
  precedence: string;
  text: string;
  status: { delivered: boolean; deliveredAt: number | null };
}

// Responses are checked field by field in the tests; `any` keeps those checks short.
/* eslint-disable @typescript-eslint/no-explicit-any */
/** A tiny operator API client. */
export function api(url: string, bearer?: string) {
  const headers = (json: boolean): Record<string, string> => ({
    ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    ...(json ? { 'content-type': 'application/json' } : {}),
  });
  return {
    async post(path: string, body: unknown): Promise<{ status: number; json: any }> {
      const r = await fetch(url + path, {
        method: 'POST',
        headers: headers(true),
        body: JSON.stringify(body),
      });
      return { status: r.status, json: await r.json() };
    },
    async get(path: string): Promise<{ status: number; json: any }> {
      const r = await fetch(url + path, { headers: headers(false) });
      const text = await r.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON (metrics)
      }
      return { status: r.status, json };
    },
    async messages(channel = 'ops'): Promise<ApiMessage[]> {
      const r = await this.get(`/api/v1/messages?channel=${channel}`);
      if (r.status !== 200) throw new Error(`GET messages: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.messages as ApiMessage[];
    },
    async send(
      text: string,
      precedence = 'FLASH',
      channel = 'ops',
    ): Promise<{ id: string; seq: number }> {
      const r = await this.post('/api/v1/messages', { channel, precedence, text });
      if (r.status !== 201) throw new Error(`POST message: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json as { id: string; seq: number };
    },
  };
}

/**
 * Opens a channel by agreement between two running stations: A (an admin token) proposes it, B
 * accepts the proposal once it has arrived, and A sees it open. Returns the channel as A lists it.
 */
export async function openChannel(
  a: { url: string; token: string },
  b: { url: string; token: string },
  name: string,
  agreement: Record<string, unknown>,
  /** The members' station ids, where the proposer has several peers. */
  members?: string[],
): Promise<{ name: string; status: string; agreement: Record<string, any> }> {
  const p = await api(a.url, a.token).post('/api/v1/channels', {
    name,
    agreement,
    ...(members ? { members } : {}),
  });
  if (p.status !== 201) throw new Error(`propose ${name}: ${p.status} ${JSON.stringify(p.json)}`);
  await waitFor(`${name} proposed at B`, async () =>
    ((await api(b.url, b.token).get('/api/v1/channels')).json.channels as { name: string }[]).some(
      (c) => c.name === name,
    ),
  );
  const acc = await api(b.url, b.token).post(`/api/v1/channels/${name}/accept`, {});
  if (acc.status !== 201)
    throw new Error(`accept ${name}: ${acc.status} ${JSON.stringify(acc.json)}`);
  return waitFor(`${name} open at A`, async () =>
    (
      (await api(a.url, a.token).get('/api/v1/channels')).json.channels as {
        name: string;
        status: string;
        agreement: Record<string, any>;
      }[]
    ).find((c) => c.name === name && c.status === 'open'),
  );
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The outage-matrix invariant: every message present exactly once on both stations, in each
 * sender's order, all delivered, and identical size/root for both feeds on both stations.
 */
export async function assertSettled(
  a: { url: string; token: string; station: string },
  b: { url: string; token: string; station: string },
  expected: { fromA: string[]; fromB: string[] },
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    'both stations settled',
    async () => {
      for (const side of [a, b]) {
        const msgs = await api(side.url, side.token).messages();
        const fromA = msgs.filter((m) => m.station === a.station);
        const fromB = msgs.filter((m) => m.station === b.station);
        const texts = (xs: ApiMessage[]) =>
          [...xs].sort((x, y) => x.seq - y.seq).map((m) => m.text);
        if (JSON.stringify(texts(fromA)) !== JSON.stringify(expected.fromA)) return false;
        if (JSON.stringify(texts(fromB)) !== JSON.stringify(expected.fromB)) return false;
        if (!msgs.every((m) => m.status.delivered)) return false;
      }
      type FeedRow = { station: string; audience?: string; size: number; root: string };
      const fa = (await api(a.url, a.token).get('/api/v1/feeds')).json as FeedRow[];
      const fb = (await api(b.url, b.token).get('/api/v1/feeds')).json as FeedRow[];
      const norm = (xs: FeedRow[]) =>
        JSON.stringify([...xs].map((x) => [x.station, x.audience, x.size, x.root]).sort());
      // Both identity feeds and both feeds of the pair's audience (ADR 0003), the same on both sides.
      return fa.length === 4 && norm(fa) === norm(fb);
    },
    timeoutMs,
    100,
  );
}
