/**
 * CoT over TCP, both ways.
 *
 * `CotListener` is a TAK-style plain TCP input: peers stream CoT XML events; each connection has
 * its own `TakFramer`, and every whole event goes to `onEvent`. It is off unless the station is
 * configured to start one. A callback that throws a `ParleyError` (a malformed or unsupported
 * event) is counted by code and the connection carries on. Idle or hung connections cannot hold
 * the port (issue 16): a connection silent for `idleMs`, or stuck mid-event for `eventTimeoutMs`,
 * is closed; one address holds at most `maxPerSource` connections; and when the port is full
 * (`maxConnections`) a newcomer takes the place of a connection that has gone `evictAfterMs`
 * without a whole event from an address holding more than the newcomer's — places even out
 * between addresses, so a new sender gets in however many others hold idle connections — and is
 * refused otherwise.
 *
 * `CotPushClient` pushes the deconfliction picture into a party's own TAK server's plain TCP
 * input: it keeps one connection, reconnects with exponential backoff after any failure, and
 * while disconnected keeps the latest `maxQueue` events (older ones are dropped and counted:
 * the picture is latest-state, so stale positions are not worth replaying).
 */
import net from 'node:net';
import { isParleyError } from '@parley/core';
import { TakFramer } from './tak-framer.js';
import type { TakDropReason } from './tak-framer.js';

export interface CotListenerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Called with every whole event and the peer's address. */
  onEvent: (xml: string, peer: string) => void;
  /** Longest event accepted, bytes (see TakFramer). Default 256 KiB. */
  maxEventBytes?: number;
  /** Connections held at once. Default 64. */
  maxConnections?: number;
  /** Connections held at once from one address. Default 8. */
  maxPerSource?: number;
  /** A connection silent for this long is closed, ms. Default 2 min; 0 never. */
  idleMs?: number;
  /** A connection holding part of an event for this long without finishing it is closed, ms. Default 30 s. */
  eventTimeoutMs?: number;
  /** When full, a connection without a whole event for this long gives way to a newcomer, ms. Default 5 s. */
  evictAfterMs?: number;
}

/** The listener's defaults (docs/deploy.md). */
export const COT_LISTENER_DEFAULTS = {
  maxConnections: 64,
  maxPerSource: 8,
  idleMs: 120_000,
  eventTimeoutMs: 30_000,
  evictAfterMs: 5000,
} as const;

/** A connection's bookkeeping. */
interface Conn {
  socket: net.Socket;
  source: string;
  framer: TakFramer;
  /** Last bytes received, and last whole event (or the connection's start), ms. */
  lastDataAt: number;
  lastEventAt: number;
  /** Since when part of an event has been waiting, ms; 0 when none. */
  partialSince: number;
}

export interface CotListenerStats {
  connections: number;
  /** Connections refused (port full, or their address at its share). */
  refused: number;
  /** Connections closed: silent for `idleMs`, stuck mid-event, or evicted for a newcomer. */
  closedIdle: number;
  closedStuck: number;
  evicted: number;
  events: number;
  /** Events `onEvent` accepted (did not throw). */
  accepted: number;
  /** Events `onEvent` threw for, by error code (`other` for anything not a ParleyError). */
  rejected: Record<string, number>;
  dropped: Record<TakDropReason, { count: number; bytes: number }>;
}

/**
 * A plain TCP CoT input.
 *
 * @example
 * const listener = new CotListener({ port: 8087, onEvent: (xml) => ingest(cotToTrack(xml).report) });
 * const { port } = await listener.listen();
 */
export class CotListener {
  readonly stats: CotListenerStats = {
    connections: 0,
    refused: 0,
    closedIdle: 0,
    closedStuck: 0,
    evicted: 0,
    events: 0,
    accepted: 0,
    rejected: {},
    dropped: { garbage: { count: 0, bytes: 0 }, oversize: { count: 0, bytes: 0 } },
  };
  private readonly server: net.Server;
  private readonly conns = new Set<Conn>();
  private readonly opts: CotListenerOptions & typeof COT_LISTENER_DEFAULTS;
  private readonly sweeper: NodeJS.Timeout;

  constructor(opts: CotListenerOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    this.opts = { ...COT_LISTENER_DEFAULTS, ...given } as CotListenerOptions &
      typeof COT_LISTENER_DEFAULTS;
    this.server = net.createServer((socket) => this.accept(socket));
    // Idle and stuck connections are looked for every second, whatever the others do.
    this.sweeper = setInterval(() => this.sweep(Date.now()), 1000);
    this.sweeper.unref();
  }

  /** Connections held now. */
  get open(): number {
    return this.conns.size;
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve(this.address()!);
      });
    });
  }

  /** The bound address, or undefined before `listen`. */
  address(): { host: string; port: number } | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sweep(now: number): void {
    for (const c of this.conns) {
      if (this.opts.idleMs > 0 && now - c.lastDataAt >= this.opts.idleMs) {
        this.stats.closedIdle++;
        c.socket.destroy();
      } else if (c.partialSince > 0 && now - c.partialSince >= this.opts.eventTimeoutMs) {
        this.stats.closedStuck++;
        c.socket.destroy();
      }
    }
  }

  /**
   * Makes room for a newcomer from `source`, which holds `held` connections: closes a connection
   * that has gone `evictAfterMs` without a whole event, from an address holding more than the
   * newcomer's would (so places even out between addresses and a new sender always gets one);
   * the heaviest address's longest-silent connection first. False if there is none.
   */
  private evict(source: string, held: number, now: number): boolean {
    const count = new Map<string, number>();
    for (const c of this.conns) count.set(c.source, (count.get(c.source) ?? 0) + 1);
    let worst: Conn | undefined;
    for (const c of this.conns) {
      const n = count.get(c.source)!;
      if (now - c.lastEventAt < this.opts.evictAfterMs) continue;
      if (c.source !== source && n < held + 2) continue;
      const w = worst ? count.get(worst.source)! : -1;
      if (n > w || (n === w && c.lastEventAt < worst!.lastEventAt)) worst = c;
    }
    if (!worst) return false;
    this.stats.evicted++;
    this.conns.delete(worst);
    worst.socket.destroy();
    return true;
  }

  /** Closes the address's own connection longest without a whole event, if `evictAfterMs` long. */
  private evictOwn(source: string, now: number): boolean {
    let worst: Conn | undefined;
    for (const c of this.conns)
      if (c.source === source && (!worst || c.lastEventAt < worst.lastEventAt)) worst = c;
    if (!worst || now - worst.lastEventAt < this.opts.evictAfterMs) return false;
    this.stats.evicted++;
    this.conns.delete(worst);
    worst.socket.destroy();
    return true;
  }

  private accept(socket: net.Socket): void {
    const now = Date.now();
    const source = socket.remoteAddress ?? '?';
    let fromSource = 0;
    for (const c of this.conns) if (c.source === source) fromSource++;
    // An address at its share may replace one of its own silent connections (a TAK server
    // reconnecting over a half-open one); a full port makes room from the heaviest address.
    const room =
      fromSource < this.opts.maxPerSource
        ? this.conns.size < this.opts.maxConnections || this.evict(source, fromSource, now)
        : this.evictOwn(source, now);
    if (!room) {
      this.stats.refused++;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.stats.connections++;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const framer = new TakFramer({ maxEventBytes: this.opts.maxEventBytes });
    const conn: Conn = {
      socket,
      source,
      framer,
      lastDataAt: now,
      lastEventAt: now,
      partialSince: 0,
    };
    this.conns.add(conn);
    const settle = () => {
      for (const r of ['garbage', 'oversize'] as const) {
        this.stats.dropped[r].count += framer.stats.dropped[r].count;
        this.stats.dropped[r].bytes += framer.stats.dropped[r].bytes;
        framer.stats.dropped[r].count = 0;
        framer.stats.dropped[r].bytes = 0;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const at = Date.now();
      conn.lastDataAt = at;
      for (const xml of framer.push(chunk)) {
        conn.lastEventAt = at;
        this.stats.events++;
        try {
          this.opts.onEvent(xml, peer);
          this.stats.accepted++;
        } catch (err) {
          const code = isParleyError(err) ? err.code : 'other';
          this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
        }
      }
      if (framer.buffered === 0) conn.partialSince = 0;
      else if (conn.partialSince === 0 || conn.lastEventAt === at) conn.partialSince = at;
      settle();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      settle();
      this.conns.delete(conn);
    });
  }
}

export interface CotPushClientOptions {
  host: string;
  port: number;
  /** First reconnect delay, ms. Default 500. */
  minBackoffMs?: number;
  /** Longest reconnect delay, ms. Default 30 000. */
  maxBackoffMs?: number;
  /** Events kept while disconnected. Default 1000. */
  maxQueue?: number;
  /** Gives up on a connection attempt after this long, ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** A connection up this long resets the backoff to its minimum, ms. Default 5000. */
  stableMs?: number;
  /** Told when the connection comes up or goes down. */
  onState?: (connected: boolean) => void;
}

export interface CotPushStats {
  /** Events written to a connection. */
  sent: number;
  /** Events dropped from a full queue. */
  dropped: number;
  /** Connections made. */
  connects: number;
  /** Connection attempts that failed, and connections that broke. */
  failures: number;
}

/**
 * Pushes CoT events to a TAK server's TCP input, reconnecting with backoff.
 *
 * @example
 * const push = new CotPushClient({ host: '10.0.0.5', port: 8087 });
 * push.start();
 * push.send(trackToCot(track, { now: Date.now() }));
 */
export class CotPushClient {
  readonly stats: CotPushStats = { sent: 0, dropped: 0, connects: 0, failures: 0 };
  private readonly opts: CotPushClientOptions;
  private readonly queue: string[] = [];
  private socket: net.Socket | undefined;
  private up = false;
  private stopped = true;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: CotPushClientOptions) {
    this.opts = opts;
    this.backoff = opts.minBackoffMs ?? 500;
  }

  get connected(): boolean {
    return this.up;
  }

  /** Events waiting for a connection. */
  get queued(): number {
    return this.queue.length;
  }

  /** Starts connecting (and reconnecting until `close`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Writes an event now if connected, else queues it. Returns whether it was written. */
  send(xml: string): boolean {
    if (this.up && this.socket) {
      this.socket.write(xml);
      this.stats.sent++;
      return true;
    }
    this.queue.push(xml);
    const max = this.opts.maxQueue ?? 1000;
    while (this.queue.length > max) {
      this.queue.shift();
      this.stats.dropped++;
    }
    return false;
  }

  /** Stops reconnecting and closes the connection (after writing what it holds). */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.socket;
    this.socket = undefined;
    this.setUp(false);
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => s.destroy(), 2000).unref();
      });
    }
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.opts.onState?.(up);
  }

  private connect(): void {
    if (this.stopped) return;
    const s = net.connect({ host: this.opts.host, port: this.opts.port });
    this.socket = s;
    s.setTimeout(this.opts.connectTimeoutMs ?? 10_000, () => s.destroy(new Error('timeout')));
    s.setNoDelay(true);
    let connectedAt = 0;
    s.once('connect', () => {
      s.setTimeout(0);
      connectedAt = Date.now();
      this.stats.connects++;
      this.setUp(true);
      for (const xml of this.queue.splice(0)) {
        s.write(xml);
        this.stats.sent++;
      }
    });
    // A TAK input may send pings back; they are not needed here.
    s.on('data', () => {});
    s.on('error', () => {});
    s.once('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.setUp(false);
      this.stats.failures++;
      if (this.stopped) return;
      // Only a connection that stayed up resets the backoff: a server that accepts and hangs up
      // at once must not be hammered.
      if (connectedAt > 0 && Date.now() - connectedAt >= (this.opts.stableMs ?? 5000))
        this.backoff = this.opts.minBackoffMs ?? 500;
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 30_000);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.connect();
      }, delay);
      this.timer.unref();
    });
  }
}
