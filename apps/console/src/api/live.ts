// The console's picture of its station: everything the panes show, refreshed when the live
// stream says something changed. Tracks arrive as frames from the track worker, which owns the
// stream; everything else is read over the API (small, and always the station's current view).
import { ApiError, get } from './client.js';
import type {
  Alarms,
  Call,
  Catalogue,
  Channel,
  Draft,
  Encounter,
  Feed,
  Health,
  Lang,
  Message,
  Notice,
  PeerKeys,
} from './types.js';
import type { FeatureCollection } from 'geojson';
import type { Frame, FromWorker, ToWorker, TrackMeta } from '../map/track-protocol.js';

export interface Snapshot {
  health: Health | null;
  /** Each peer's key history as verified here (GET /api/v1/peers); null until read or if refused. */
  peers: PeerKeys[] | null;
  channels: Channel[];
  messages: Message[];
  drafts: Draft[];
  alarms: Alarms;
  calls: Call[];
  feeds: Feed[];
  encounters: Encounter[];
  /** null: the station serves no notices (yet). */
  notices: Notice[] | null;
  /** Each notice's areas as GeoJSON (GET /api/v1/notices/:id/geojson), by notice id. */
  noticeShapes: Record<string, FeatureCollection>;
  catalogue: Catalogue | null;
  stream: 'connecting' | 'open' | 'error';
  /** Link path changes seen since the console opened, newest first (at most 20). */
  linkLog: { ts: number; peer: string; url: string; state: string }[];
  /** Station time of the latest track picture or encounter list. */
  now: number;
  lastError: string | null;
}

const EMPTY: Snapshot = {
  health: null,
  peers: null,
  channels: [],
  messages: [],
  drafts: [],
  alarms: { alarms: [], unanswered: [] },
  calls: [],
  feeds: [],
  encounters: [],
  notices: null,
  noticeShapes: {},
  catalogue: null,
  stream: 'connecting',
  linkLog: [],
  now: 0,
  lastError: null,
};

/** The live track picture: the latest frame and what each slot is. */
export class TrackPicture {
  frame: Frame | null = null;
  meta: (TrackMeta | undefined)[] = [];
  private listeners = new Set<(f: Frame) => void>();

  accept(f: Frame): void {
    if (f.reset) this.meta = [];
    for (const m of f.meta) this.meta[m.slot] = m;
    this.frame = f;
    for (const l of this.listeners) l(f);
  }

  subscribe(fn: (f: Frame) => void): () => void {
    this.listeners.add(fn);
    if (this.frame) fn(this.frame);
    return () => this.listeners.delete(fn);
  }
}

export class Live {
  snap: Snapshot = EMPTY;
  readonly tracks = new TrackPicture();
  /** Station clock minus this browser's clock (ms), from the latest station time seen. */
  offset = 0;
  private listeners = new Set<() => void>();
  private worker: Worker | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private pending = new Set<string>();
  private flush: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private lang: Lang) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<Snapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    void this.refresh(['messages']);
  }

  start(): void {
    // React's development mode starts, stops and starts again: a restart is a fresh start.
    this.closed = false;
    this.worker?.terminate();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.worker = new Worker(new URL('../map/track-worker.ts', import.meta.url), {
      type: 'module',
    });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.onWorker(e.data);
    this.worker.postMessage({ type: 'start', mode: 'live' } satisfies ToWorker);
    void this.refresh([
      'health',
      'peers',
      'channels',
      'messages',
      'drafts',
      'alarms',
      'calls',
      'feeds',
      'encounters',
      'notices',
      'catalogue',
    ]);
    // The stream says when something changed; these timers keep clocks and link health honest
    // even when nothing does.
    this.timers.push(setInterval(() => void this.refresh(['health', 'channels']), 2000));
    this.timers.push(
      setInterval(
        () => void this.refresh(['feeds', 'peers', 'alarms', 'encounters', 'notices', 'calls']),
        10_000,
      ),
    );
  }

  stop(): void {
    this.closed = true;
    this.worker?.terminate();
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.flush);
  }

  /** Asks the worker for the picture at `at` (ms), or live with null. */
  replay(at: number | null): void {
    this.worker?.postMessage({ type: 'replay', at } satisfies ToWorker);
  }

  private onWorker(m: FromWorker): void {
    if (m.type === 'frame') {
      this.tracks.accept(m);
      if (m.replayAt === null && m.now > this.snap.now) {
        this.snap = { ...this.snap, now: m.now };
        this.offset = m.now - Date.now();
      }
      return;
    }
    if (m.type === 'stream') {
      this.set({ stream: m.state });
      if (m.state === 'open')
        void this.refresh([
          'health',
          'peers',
          'channels',
          'messages',
          'drafts',
          'alarms',
          'calls',
          'feeds',
          'encounters',
          'notices',
        ]);
      return;
    }
    const e = m.event;
    switch (e.type) {
      case 'entry':
        this.later(['messages', 'channels', 'calls', 'alarms', 'feeds', 'health']);
        break;
      case 'link': {
        const l = e as unknown as { peer: string; url: string; state: string };
        this.set({
          linkLog: [
            { ts: Date.now(), peer: l.peer, url: l.url, state: l.state },
            ...this.snap.linkLog,
          ].slice(0, 20),
        });
        this.later(['health', 'channels']);
        break;
      }
      case 'alarm':
        this.later(['alarms', 'messages', 'channels']);
        break;
      case 'channel':
        this.later(['channels']);
        break;
      case 'draft':
        this.later(['drafts']);
        break;
      case 'encounter': {
        const enc = (e as unknown as { encounter: Encounter }).encounter;
        if (enc && typeof enc.id === 'string') {
          const list = this.snap.encounters.filter((x) => x.id !== enc.id);
          this.set({ encounters: [...list, enc] });
        } else this.later(['encounters']);
        break;
      }
      case 'notice':
        this.later(['notices']);
        break;
    }
  }

  /** Coalesces refreshes asked for within 150 ms. */
  later(what: string[]): void {
    for (const w of what) this.pending.add(w);
    if (this.flush) return;
    this.flush = setTimeout(() => {
      this.flush = undefined;
      const list = [...this.pending];
      this.pending.clear();
      void this.refresh(list);
    }, 150);
  }

  private shapeKeys = new Map<string, string>();

  /** The areas of each notice, fetched once per version. */
  private async shapes(list: Notice[]): Promise<Record<string, FeatureCollection>> {
    const out: Record<string, FeatureCollection> = {};
    for (const n of list) {
      const key = `${n.versions.length}:${n.status}`;
      const have = this.snap.noticeShapes[n.id];
      if (have && this.shapeKeys.get(n.id) === key) {
        out[n.id] = have;
        continue;
      }
      try {
        out[n.id] = await get<FeatureCollection>(
          `/api/v1/notices/${encodeURIComponent(n.id)}/geojson`,
        );
        this.shapeKeys.set(n.id, key);
      } catch {
        // drawn on the next refresh
      }
    }
    return out;
  }

  async refresh(what: string[]): Promise<void> {
    const patch: Partial<Snapshot> = {};
    const jobs = what.map(async (w) => {
      try {
        switch (w) {
          case 'health':
            patch.health = await get<Health>('/api/v1/health');
            break;
          case 'peers':
            patch.peers = (await get<{ peers: PeerKeys[] }>('/api/v1/peers')).peers;
            break;
          case 'channels':
            patch.channels = (await get<{ channels: Channel[] }>('/api/v1/channels')).channels;
            break;
          case 'messages':
            patch.messages = (
              await get<{ messages: Message[] }>(`/api/v1/messages?lang=${this.lang}`)
            ).messages;
            break;
          case 'drafts':
            patch.drafts = (await get<{ drafts: Draft[] }>('/api/v1/drafts')).drafts;
            break;
          case 'alarms':
            patch.alarms = await get<Alarms>('/api/v1/alarms');
            break;
          case 'calls':
            patch.calls = (await get<{ calls: Call[] }>('/api/v1/calls')).calls;
            break;
          case 'feeds':
            patch.feeds = await get<Feed[]>('/api/v1/feeds');
            break;
          case 'catalogue':
            patch.catalogue = await get<Catalogue>('/api/v1/catalogue');
            break;
          case 'encounters': {
            const r = await get<{ now: number; encounters: Encounter[] }>('/api/v1/encounters');
            patch.encounters = r.encounters;
            this.offset = r.now - Date.now();
            break;
          }
          case 'notices': {
            const r = await get<{ notices: Notice[] }>('/api/v1/notices');
            patch.notices = r.notices;
            patch.noticeShapes = await this.shapes(r.notices);
            break;
          }
        }
      } catch (err) {
        // A route this station does not serve yet (404) just leaves its pane empty.
        if (err instanceof ApiError && err.status === 404) return;
        patch.lastError = err instanceof Error ? err.message : String(err);
      }
    });
    await Promise.all(jobs);
    if (!this.closed) this.set(patch);
  }
}
