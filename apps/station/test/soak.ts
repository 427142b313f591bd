// Soak-test kit (issue 16): a station process under attack on loopback, its memory and file
// descriptors read from /proc, and probes showing that operators and the paired peer are served
// meanwhile. The attackers connect from other loopback addresses (127.0.0.2 …), the operators
// and the peer from 127.0.0.1, as they would from different hosts.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { createToken, createUser } from '@parley/station';
import type { Station } from '@parley/station';
import {
  addPeer,
  makeStation,
  spawnStation,
  startInProcess,
  tempRoot,
  waitFor,
  withDb,
} from './harness.js';
import type { StationDir, StationProcess } from './harness.js';

export const OLGA = { name: 'olga', password: 'olga keeps the watch 2026' };

/** Resident memory (MiB) and open file descriptors of a process. */
export function procUse(pid: number): { rssMiB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
  return { rssMiB: kb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

export interface Soak {
  A: StationDir;
  /** The station under attack, its own process. */
  a: StationProcess;
  /** Its paired peer, in this process: it heartbeats and pulls A all along. */
  b: { station: Station; url: string };
  operator: string;
  viewers: string[];
  close(): Promise<void>;
}

/**
 * Station A (a `parley start` process with `--limit` args) with the operator olga, an operator
 * token and `viewers` viewer tokens, paired both ways with station B running in this process.
 */
export async function startSoak(
  prefix: string,
  opts: { args?: string[]; viewers?: number } = {},
): Promise<Soak> {
  const root = await tempRoot(prefix);
  const A = await makeStation(root, 'Target');
  const B = await makeStation(root, 'Partner');
  const now = Date.now();
  const { operator, viewers } = await withDb(A, async (store) => {
    await createUser(store, { ...OLGA, role: 'operator' }, now);
    const viewers: string[] = [];
    for (let i = 0; i < (opts.viewers ?? 0); i++)
      viewers.push(await createToken(store, 'viewer', `soak viewer ${i}`, now));
    return { operator: await createToken(store, 'operator', 'soak operator', now), viewers };
  });
  const b = await startInProcess(B, { deadlineTickMs: 0 });
  // A learns of B once running (it re-reads its peers), after B knows A: A's first line on
  // stdout must be its URL, not a warning about an unknown peer.
  const a = await spawnStation(A, { heartbeatMs: 500, pullWaitMs: 2000, args: opts.args ?? [] });
  await addPeer(B, A, [a.url]);
  await addPeer(A, B, [b.url]);
  await waitFor('the pair linked', async () => {
    const peer = b.station.links.status().find((p) => p.station === A.station);
    return peer?.lastExchangeAt ? true : false;
  });
  return {
    A,
    a,
    b,
    operator,
    viewers,
    async close() {
      await Promise.allSettled([a.stop(), b.station.close()]);
    },
  };
}

/** Samples a process's memory and descriptors every `everyMs` until stopped; keeps the peaks. */
export function sampler(pid: number, everyMs = 250) {
  const base = procUse(pid);
  const peak = { ...base };
  const timer = setInterval(() => {
    try {
      const u = procUse(pid);
      peak.rssMiB = Math.max(peak.rssMiB, u.rssMiB);
      peak.fds = Math.max(peak.fds, u.fds);
    } catch {
      // the process is gone; the probes will say so
    }
  }, everyMs);
  return {
    base,
    peak,
    stop() {
      clearInterval(timer);
      return { base, peak, now: procUse(pid) };
    },
  };
}

export interface ProbeRound {
  health: number;
  authenticated: number;
  signIn: number;
  /** Milliseconds since B last exchanged with A (a heartbeat or pull answered). */
  peerAgeMs: number;
  /** The slowest of the three answers, ms, and each one's. */
  slowestMs: number;
  ms: { health: number; authenticated: number; signIn: number };
}

/**
 * One round of what must keep working during an attack: /health, an authenticated GET, the real
 * operator signing in with the right password, each answered within `withinMs`; and B's link to A.
 */
export async function probe(s: Soak, withinMs = 10_000): Promise<ProbeRound> {
  const timed = async (f: () => Promise<Response>) => {
    const t0 = Date.now();
    try {
      const r = await f();
      await r.arrayBuffer();
      return { status: r.status, ms: Date.now() - t0 };
    } catch {
      return { status: 0, ms: Date.now() - t0 };
    }
  };
  const signal = () => AbortSignal.timeout(withinMs);
  const [health, auth, signIn] = await Promise.all([
    timed(() => fetch(`${s.a.url}/api/v1/health`, { signal: signal() })),
    timed(() =>
      fetch(`${s.a.url}/api/v1/feeds`, {
        headers: { authorization: `Bearer ${s.operator}` },
        signal: signal(),
      }),
    ),
    timed(() =>
      fetch(`${s.a.url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(OLGA),
        signal: signal(),
      }),
    ),
  ]);
  const peer = s.b.station.links.status().find((p) => p.station === s.A.station);
  return {
    health: health.status,
    authenticated: auth.status,
    signIn: signIn.status,
    peerAgeMs: peer?.lastExchangeAt ? Date.now() - peer.lastExchangeAt : Infinity,
    slowestMs: Math.max(health.ms, auth.ms, signIn.ms),
    ms: { health: health.ms, authenticated: auth.ms, signIn: signIn.ms },
  };
}

/** Probes every `everyMs` while `attack` runs; resolves to every round. */
export async function probeDuring(
  s: Soak,
  attack: Promise<unknown>,
  everyMs = 1000,
  withinMs = 10_000,
): Promise<ProbeRound[]> {
  const rounds: ProbeRound[] = [];
  let done = false;
  void attack.finally(() => (done = true));
  while (!done) {
    rounds.push(await probe(s, withinMs));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  await attack;
  rounds.push(await probe(s, withinMs));
  return rounds;
}

/** Opens a raw TCP connection to the station from a given loopback address. */
export function connectFrom(url: string, localAddress: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: hostname, port: Number(port), localAddress }, () =>
      resolve(sock),
    );
    sock.once('error', reject);
  });
}

/** The value of `parley_resource{what=…}` on the station's /metrics. */
export async function resource(url: string, what: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^parley_resource\\{what="${what}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}
