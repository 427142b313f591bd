// The track worker: owns the station's live stream (SSE), keeps the track picture in flat typed
// arrays, and posts a frame to the page on every update. Other stream events are passed through.
/// <reference lib="webworker" />
import type { Track } from '../api/types.js';
import {
  FLAG_AIR,
  FLAG_GONE,
  FLAG_STALE,
  PARTY_CODE,
  PARTIES,
  PARTY_RGB,
} from './track-protocol.js';
import type { FromWorker, ToWorker, TrackMeta } from './track-protocol.js';
import { advance, syntheticTracks } from './synthetic.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/** Nautical miles per mercator world unit at the equator (21,600 nm round the world). */
const NM_PER_WORLD = 21600;
const VECTOR_HOURS = 0.1; // a 6-minute speed vector, as on a radar or ECDIS display
/** Replay history: a picture every 10 s for the last 10 min, every minute before that, 3 h in all. */
const SNAPSHOT_MS = 10_000;
const FINE_MS = 10 * 60_000;
const COARSE_MS = 60_000;
const HISTORY_MS = 3 * 3600_000;

let cap = 1024;
let count = 0;
let lon = new Float64Array(cap);
let lat = new Float64Array(cap);
let cog = new Float32Array(cap);
let sog = new Float32Array(cap);
let party = new Uint8Array(cap);
let flags = new Uint8Array(cap);
const ids: string[] = [];
const names: (string | null)[] = [];
const slotOf = new Map<string, number>();
let pendingMeta: TrackMeta[] = [];
let reset = true;
let now = 0;
let replayAt: number | null = null;

interface Snapshot {
  t: number;
  count: number;
  lon: Float32Array;
  lat: Float32Array;
  cog: Float32Array;
  sog: Float32Array;
  party: Uint8Array;
  flags: Uint8Array;
}
const history: Snapshot[] = [];

function grow(): void {
  cap *= 2;
  const g64 = (a: Float64Array) => {
    const b = new Float64Array(cap);
    b.set(a);
    return b;
  };
  const g32 = (a: Float32Array) => {
    const b = new Float32Array(cap);
    b.set(a);
    return b;
  };
  const g8 = (a: Uint8Array) => {
    const b = new Uint8Array(cap);
    b.set(a);
    return b;
  };
  lon = g64(lon);
  lat = g64(lat);
  cog = g32(cog);
  sog = g32(sog);
  party = g8(party);
  flags = g8(flags);
}

/** Applies track reports (a full picture or the changed tracks of a stream event). */
function apply(tracks: Track[]): void {
  for (const t of tracks) {
    let slot = slotOf.get(t.id);
    const p = PARTY_CODE[t.party] ?? 2;
    if (slot === undefined) {
      if (count === cap) grow();
      slot = count++;
      slotOf.set(t.id, slot);
      ids[slot] = t.id;
      names[slot] = t.name;
      party[slot] = p;
      pendingMeta.push(meta(slot, t));
    } else if (names[slot] !== t.name || party[slot] !== p) {
      names[slot] = t.name;
      party[slot] = p;
      pendingMeta.push(meta(slot, t));
    }
    lon[slot] = t.lon;
    lat[slot] = t.lat;
    cog[slot] = t.cog;
    sog[slot] = t.sog;
    flags[slot] = (t.stale ? FLAG_STALE : 0) | (t.domain === 'air' ? FLAG_AIR : 0);
  }
}

function meta(slot: number, t: Track): TrackMeta {
  return {
    slot,
    id: t.id,
    name: t.name,
    party: PARTIES[PARTY_CODE[t.party] ?? 2]!,
    domain: t.domain,
    source: t.source,
  };
}

function snapshot(): void {
  const last = history[history.length - 1];
  if (last && now - last.t < SNAPSHOT_MS) return;
  history.push({
    t: now,
    count,
    lon: Float32Array.from(lon.subarray(0, count)),
    lat: Float32Array.from(lat.subarray(0, count)),
    cog: cog.slice(0, count),
    sog: sog.slice(0, count),
    party: party.slice(0, count),
    flags: flags.slice(0, count),
  });
  while (history.length > 0 && now - history[0]!.t > HISTORY_MS) history.shift();
  // Thin what is older than FINE_MS to one picture a minute (memory stays ~230 pictures).
  for (let i = history.length - 2; i > 0; i--) {
    const h = history[i]!;
    if (now - h.t <= FINE_MS) continue;
    if (h.t - history[i - 1]!.t < COARSE_MS) history.splice(i, 1);
  }
}

/** Packs a picture into transferable arrays and posts it. */
function emit(
  src: {
    count: number;
    lon: ArrayLike<number>;
    lat: ArrayLike<number>;
    cog: ArrayLike<number>;
    sog: ArrayLike<number>;
    party: Uint8Array;
    flags: Uint8Array;
  },
  t0: number,
): void {
  const n = src.count;
  const xy = new Float32Array(2 * n);
  const vec = new Float32Array(4 * n);
  const lonlat = new Float32Array(2 * n);
  const cogsog = new Float32Array(2 * n);
  const RAD = Math.PI / 180;
  for (let i = 0; i < n; i++) {
    const lo = src.lon[i]!;
    const la = src.lat[i]!;
    const x = (lo + 180) / 360;
    const s = Math.sin(la * RAD);
    const y = 0.5 - (0.25 * Math.log((1 + s) / (1 - s))) / Math.PI;
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    const c = src.cog[i]! * RAD;
    const len = (src.sog[i]! * VECTOR_HOURS) / (NM_PER_WORLD * Math.max(0.01, Math.cos(la * RAD)));
    vec[4 * i] = x;
    vec[4 * i + 1] = y;
    vec[4 * i + 2] = x + Math.sin(c) * len;
    vec[4 * i + 3] = y - Math.cos(c) * len;
    lonlat[2 * i] = lo;
    lonlat[2 * i + 1] = la;
    cogsog[2 * i] = src.cog[i]!;
    cogsog[2 * i + 1] = src.sog[i]!;
  }
  const p = src.party.slice(0, n);
  const f = src.flags.slice(0, n);
  // Colour per vertex: rgb of the party; alpha codes the size (own and other bigger, stale
  // smaller, gone 0: not drawn).
  const dotColour = new Float32Array(4 * n);
  const vecColour = new Float32Array(8 * n);
  for (let i = 0; i < n; i++) {
    const party = p[i]!;
    const fl = f[i]!;
    const rgb = PARTY_RGB[party] ?? PARTY_RGB[2]!;
    const size = fl & FLAG_GONE ? 0 : (party === 2 ? 0.8 : 1.6) * (fl & FLAG_STALE ? 0.7 : 1);
    dotColour.set([rgb[0], rgb[1], rgb[2], size], 4 * i);
    vecColour.set([rgb[0], rgb[1], rgb[2], size, rgb[0], rgb[1], rgb[2], size], 8 * i);
  }
  const frame: FromWorker = {
    type: 'frame',
    now,
    count: n,
    xy,
    vec,
    lonlat,
    cogsog,
    party: p,
    flags: f,
    dotColour,
    vecColour,
    meta: pendingMeta,
    reset,
    replayAt,
    workerMs: performance.now() - t0,
    historyFrom: history[0]?.t ?? null,
  };
  pendingMeta = [];
  reset = false;
  post(frame, [
    xy.buffer,
    vec.buffer,
    lonlat.buffer,
    cogsog.buffer,
    p.buffer,
    f.buffer,
    dotColour.buffer,
    vecColour.buffer,
  ]);
}

function emitLive(t0: number): void {
  snapshot();
  if (replayAt === null) emit({ count, lon, lat, cog, sog, party, flags }, t0);
}

function emitReplay(): void {
  if (replayAt === null) return emitLive(performance.now());
  let best = history[0];
  for (const h of history) if (h.t <= replayAt) best = h;
  if (!best) return;
  emit(best, performance.now());
}

// ---- live: the station's stream ----------------------------------------------------------

async function loadAll(): Promise<void> {
  const t0 = performance.now();
  const res = await fetch('/api/v1/tracks', { credentials: 'same-origin' });
  if (!res.ok) return;
  const body = (await res.json()) as { now: number; tracks: Track[] };
  now = body.now;
  // Slots stay put (the replay history refers to them); a track the station no longer holds
  // is marked gone and not drawn.
  const present = new Set(body.tracks.map((t) => t.id));
  for (let i = 0; i < count; i++) if (!present.has(ids[i]!)) flags[i] = flags[i]! | FLAG_GONE;
  apply(body.tracks);
  emitLive(t0);
}

function startLive(): void {
  const es = new EventSource('/api/v1/stream');
  es.onopen = () => post({ type: 'stream', state: 'open' });
  es.onerror = () => post({ type: 'stream', state: 'error' });
  const pass = (type: string) =>
    es.addEventListener(type, (e) => {
      try {
        post({ type: 'event', event: { ...JSON.parse((e as MessageEvent<string>).data), type } });
      } catch {
        // a malformed event is dropped; the next refresh reads the state anyway
      }
    });
  for (const type of ['entry', 'link', 'alarm', 'channel', 'draft', 'encounter', 'notice'])
    pass(type);
  es.addEventListener('tracks', (e) => {
    const t0 = performance.now();
    const body = JSON.parse((e as MessageEvent<string>).data) as {
      now: number;
      tracks: Track[];
      gone?: string[];
    };
    now = body.now;
    apply(body.tracks);
    for (const id of body.gone ?? []) {
      const slot = slotOf.get(id);
      if (slot !== undefined) flags[slot] = flags[slot]! | FLAG_GONE;
    }
    emitLive(t0);
  });
  void loadAll().catch(() => undefined);
  // A full picture every 30 s drops tracks the station no longer holds.
  setInterval(() => void loadAll().catch(() => undefined), 30_000);
}

// ---- synthetic: the same parse path fed by a generator (bench and tests) ------------------

function startSynthetic(n: number, intervalMs: number, seed: number): void {
  const tracks = syntheticTracks(n, seed);
  now = Date.now();
  const tick = () => {
    now += intervalMs;
    advance(tracks, intervalMs, now);
    // Serialised and parsed like a stream event, so the worker does the work it does live.
    const text = JSON.stringify({ type: 'tracks', now, tracks });
    const t0 = performance.now();
    const body = JSON.parse(text) as { now: number; tracks: Track[] };
    apply(body.tracks);
    emitLive(t0);
  };
  tick();
  setInterval(tick, intervalMs);
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'start') {
    if (m.mode === 'live') startLive();
    else startSynthetic(m.count, m.intervalMs, m.seed);
  } else if (m.type === 'replay') {
    replayAt = m.at;
    reset = true;
    pendingMeta = ids.map((id, slot) => ({
      slot,
      id,
      name: names[slot] ?? null,
      party: PARTIES[party[slot]!]!,
      domain: flags[slot]! & FLAG_AIR ? 'air' : 'surface',
      source: id.split(':')[0] ?? '',
    }));
    emitReplay();
  }
};
