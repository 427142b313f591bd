import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { PublicKeyB64 } from '@parley/core';
import { ParleyError } from '@parley/core';
import { LinkManager, haltKey } from '@parley/link';
import type { LinkHost, LinkOptions, PathStatus, PeerStatus } from '@parley/link';
import { keyHistory, repinsFor } from '@parley/store';
import type { Lease, PeerRecord, Store } from '@parley/store';

/** The lease that makes one process of a station its leader. */
export const LEADER_LEASE = 'station.leader';
/** Where the leader publishes its link status for the other processes to show. */
const STATUS_META = 'ha.links';

/** A store whose appends are fenced by `lease`: a process that lost the lease stores nothing. */
export function fencedStore(store: Store, lease: Lease): Store {
  const append: Store['append'] = (station, entries, checkpoint, opts) =>
    store.append(station, entries, checkpoint, { ...opts, fence: lease });
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'append') return append;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

interface Passive {
  peer: PeerRecord;
  /** The peer's key periods as its stored (verified) feed has them. */
  periods: { key: PublicKeyB64; from: number }[];
  /** Keys re-pinned for the peer that its feed has not rotated onto yet. */
  repins: PublicKeyB64[];
  size: number;
}

/**
 * The station's links as every process of it sees them. Exactly one process — the leader — runs
 * the peer links (pull, receipts, witness cosignatures, heartbeats) through an inner
 * `LinkManager` whose writes are fenced by its lease. Every process, leading or not, answers
 * the peers' link requests from the shared database: for that it knows each peer's current key
 * from the stored copy of the peer's feed. Followers show the status the leader publishes.
 *
 * It extends `LinkManager` so that the routes and the hotline, which take a `LinkManager`, use it
 * unchanged; every public method is overridden, and the base class's own loops never start.
 */
export class StationLinks extends LinkManager {
  private active: LinkManager | undefined;
  private readonly passive = new Map<string, Passive>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private offAppend: (() => void) | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private published = '';
  private lease: Lease | undefined;

  constructor(
    private readonly linkHost: LinkHost,
    private readonly linkOpts: LinkOptions,
    private readonly reload: number,
  ) {
    super(linkHost, linkOpts, reload);
  }

  /** Loads the peers and keeps their keys current; runs no link until `lead`. */
  override async start(): Promise<void> {
    await this.refresh();
    this.offAppend = this.linkHost.store.onAppend((station) => {
      if (station === '*' || this.passive.has(station)) this.schedule();
    });
    this.refreshTimer = setInterval(() => {
      this.schedule();
      void this.publish();
      this.refreshLeaderStatus().catch((err: unknown) =>
        this.linkHost.events.failed('reading the leader status', err),
      );
    }, this.reload);
    this.refreshTimer.unref();
  }

  private schedule(): void {
    // The leader's links know the peers' keys themselves; followers read them from the store.
    if (this.active) return;
    this.refreshing = this.refreshing
      .then(() => this.refresh())
      .catch((err: unknown) => this.linkHost.events.failed("reading the peers' keys", err));
  }

  private async refresh(): Promise<void> {
    const { store } = this.linkHost;
    for (const peer of await store.peers()) {
      const head = await store.head(peer.station);
      const periods = head
        ? (await keyHistory(store, peer.station)).keys
        : [{ key: peer.key as PublicKeyB64, from: 1 }];
      const repins = (await repinsFor(store, this.linkHost.station, peer.station)).filter(
        (k) => !periods.some((p) => p.key === k),
      );
      this.passive.set(peer.station, { peer, periods, repins, size: head?.seq ?? 0 });
    }
  }

  /** This process leads: runs the peer links, every write fenced by `lease` (none for SQLite). */
  async lead(lease: Lease | undefined): Promise<void> {
    if (this.active) return;
    this.lease = lease;
    const host: LinkHost = lease
      ? {
          ...this.linkHost,
          store: fencedStore(this.linkHost.store, lease),
          writer: this.linkHost.writer.fenced(lease),
          audienceWriter: async (members) =>
            (await this.linkHost.audienceWriter(members)).fenced(lease),
          sharedWith: async (peer) =>
            (await this.linkHost.sharedWith(peer)).map((w) => w.fenced(lease)),
        }
      : this.linkHost;
    const active = new LinkManager(host, this.linkOpts, this.reload);
    this.active = active;
    await active.start();
  }

  /** This process no longer leads: stops its peer links (a held pull is aborted). */
  async follow(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    this.published = '';
    await active?.stop();
    if (active) this.schedule();
  }

  get leading(): boolean {
    return this.active !== undefined;
  }

  /**
   * The leader picks up a halt cleared in the store (`parley peer resume`, or a resume through
   * a follower) and, with a lease (PostgreSQL), writes its link status where followers read it.
   */
  private async publish(): Promise<void> {
    const active = this.active;
    if (!active) return;
    const { store, clock } = this.linkHost;
    try {
      const status = active.status();
      for (const s of status) {
        if (s.halted && (await store.getMeta(haltKey(s.station))) === '')
          await active.resume(s.name);
      }
      if (!this.lease) return;
      const text = JSON.stringify(status);
      if (text === this.published) return;
      await store.setMeta(STATUS_META, JSON.stringify({ at: clock.now(), status }));
      this.published = text;
    } catch {
      // The next tick tries again; status is informative only.
    }
  }

  override async stop(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.offAppend?.();
    await this.refreshing;
    await this.follow();
  }

  /**
   * The keys a peer's request must be signed with: its current key as its stored (verified) feed
   * has it, before any entry the pinned key, plus a re-pinned key not yet rotated onto.
   */
  override keysOf(station: string): readonly PublicKeyB64[] | undefined {
    const led = this.active?.keysOf(station);
    if (led) return led;
    const p = this.passive.get(station);
    if (!p) return undefined;
    return [p.periods[p.periods.length - 1]!.key, ...p.repins];
  }

  override knownOf(station: string): number | undefined {
    return this.active?.knownOf(station) ?? this.passive.get(station)?.size;
  }

  override status(): PeerStatus[] {
    if (this.active) return this.active.status();
    return [...this.passive.values()].map(({ peer, size }) => {
      const shown = this.leaderStatus.find((s) => s.station === peer.station);
      if (shown) return { ...shown, size: Math.max(size, shown.size) };
      const paths: PathStatus[] = peer.urls.map((url) => ({
        url,
        state: 'DOWN',
        lastOkAt: null,
        misses: 0,
        lastError: 'this process does not lead; no leader has published link status',
      }));
      return {
        name: peer.name,
        station: peer.station,
        state: 'DOWN',
        lastExchangeAt: null,
        paths,
        size,
        feeds: [],
        halted: null,
      };
    });
  }

  /** The status the leader published last (kept fresh by `refreshLeaderStatus`). */
  private leaderStatus: PeerStatus[] = [];

  /** Reads the leader's published status (followers call it on their refresh tick). */
  async refreshLeaderStatus(): Promise<void> {
    if (this.active) return;
    const text = await this.linkHost.store.getMeta(STATUS_META);
    if (!text) return;
    this.leaderStatus = (JSON.parse(text) as { status: PeerStatus[] }).status;
  }

  override link(station: string) {
    return this.active?.link(station);
  }

  override async resume(name: string): Promise<void> {
    if (this.active) return this.active.resume(name);
    const p = [...this.passive.values()].find((x) => x.peer.name === name);
    if (!p)
      throw new ParleyError('PARLEY_E_PEER_NOT_FOUND', `no peer named ${JSON.stringify(name)}`, {
        name,
      });
    // The leader sees the cleared halt on its next tick and resumes the link.
    await this.linkHost.store.setMeta(haltKey(p.peer.station), '');
  }
}

export interface LeadershipOptions {
  store: Store;
  /** How long a lease lasts without renewal; the leader renews it three times as often. */
  leaseMs: number;
  /** Called when this process becomes the leader, with its lease. */
  onLead: (lease: Lease) => Promise<void>;
  /** Called when it stops being the leader (lost, lapsed or released). */
  onFollow: () => Promise<void>;
  /** Warnings (leadership lost); `info` for becoming the leader. */
  log: (msg: string, err?: unknown) => void;
  info?: (msg: string) => void;
}

/**
 * The lease loop of one process. It tries to take or renew `station.leader` every third of the
 * lease time. The database's clock decides when a lease lapses. This process also steps down on
 * its own clock once no renewal has succeeded for a whole lease time (another may lead by now).
 * Safety does not rest on clocks: once another process holds the lease, every fenced write of
 * this one is refused, whatever it believes.
 */
export class Leadership {
  readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  private lease: Lease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastRenew = 0;
  private stopped = false;

  constructor(private readonly opts: LeadershipOptions) {}

  get leading(): boolean {
    return this.lease !== undefined;
  }

  start(): void {
    const every = Math.max(50, Math.floor(this.opts.leaseMs / 3));
    const tick = () => {
      // A renewal stuck on an unresponsive database must not keep this process acting as leader.
      if (this.lease && Date.now() - this.lastRenew > this.opts.leaseMs) {
        this.opts.log('lease not renewed in time: stepping down');
        void this.stepDown();
      }
      // `tick` handles the database's failures itself; anything else is logged, and the next tick runs.
      this.chain = this.chain
        .then(() => this.tick())
        .catch((err: unknown) => this.opts.log('leadership tick failed', err));
    };
    tick();
    this.timer = setInterval(tick, every);
    this.timer.unref();
  }

  /** Resolves once the first attempt to lead has been made. */
  async settled(): Promise<void> {
    await this.chain;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const sent = Date.now();
    let got: Lease | null;
    try {
      got = await this.opts.store.acquireLease(LEADER_LEASE, this.holder, this.opts.leaseMs);
    } catch (err) {
      // Cannot reach the database: keep leading only while the lease surely still holds.
      if (this.lease && Date.now() - this.lastRenew > this.opts.leaseMs) {
        this.opts.log('lease not renewed in time: stepping down', err);
        await this.stepDown();
      }
      return;
    }
    if (this.stopped) return;
    if (got && this.lease && got.token === this.lease.token) {
      this.lastRenew = sent;
      this.lease = got;
      return;
    }
    if (this.lease) {
      this.opts.log(`lease lost to ${got ? 'a new term of this process' : 'another process'}`);
      await this.stepDown();
    }
    if (got) {
      this.lastRenew = sent;
      this.lease = got;
      this.opts.info?.(`leading with token ${got.token}`);
      try {
        await this.opts.onLead(got);
      } catch (err) {
        this.opts.log('could not start leading', err);
        await this.stepDown();
        // Best effort: an unreleased lease expires by itself after its term.
        await this.opts.store
          .releaseLease(got)
          .catch((e: unknown) => this.opts.log('releasing the lease failed', e));
      }
    }
  }

  private async stepDown(): Promise<void> {
    if (!this.lease) return;
    this.lease = undefined;
    await this.opts.onFollow();
  }

  /** Stops leading and releases the lease, so another process takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
    const lease = this.lease;
    await this.stepDown();
    // Best effort: an unreleased lease expires by itself after its term.
    if (lease)
      await this.opts.store
        .releaseLease(lease)
        .catch((err: unknown) => this.opts.log('releasing the lease failed', err));
  }
}

/** What the station sees of its leadership. */
export interface StationLeadership {
  start(): Promise<void>;
  /** Stops leading (and releases the lease). */
  stop(): Promise<void>;
  leading(): boolean;
}

/**
 * Leadership for a station's store: on PostgreSQL a lease loop (`Leadership`); on SQLite, which
 * one process owns, this process simply leads from start to stop (`lease` undefined: no fence).
 */
export function stationLeadership(
  store: Store,
  opts: {
    leaseMs: number;
    onLead: (lease: Lease | undefined) => Promise<void>;
    onFollow: () => Promise<void>;
    log: (msg: string, err?: unknown) => void;
    info?: (msg: string) => void;
  },
): StationLeadership {
  if (store.engine === 'sqlite') {
    let leading = false;
    return {
      async start() {
        leading = true;
        await opts.onLead(undefined);
      },
      async stop() {
        if (!leading) return;
        leading = false;
        await opts.onFollow();
      },
      leading: () => leading,
    };
  }
  const l = new Leadership({ store, ...opts });
  return {
    async start() {
      l.start();
      await l.settled();
    },
    stop: () => l.stop(),
    leading: () => l.leading,
  };
}
