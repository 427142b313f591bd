// A TCP fault proxy for the outage tests. It listens on 127.0.0.1 (port 0) and forwards every
// connection to one loopback target; its behaviour can be switched while traffic flows:
//
//   pass        forward both ways (heals a partition: held bytes are delivered, in order)
//   delay(ms)   forward each chunk ms later, both directions, order kept
//   drop        reset every connection, existing and new: the client sees ECONNRESET at once
//   blackhole   the far end has vanished: connections are accepted and read but nothing is
//               forwarded or answered; existing ones freeze (a held long poll just hangs), so
//               only a timeout or a heartbeat notices. When the blackhole ends its connections
//               are reset, as a restarted host answers segments of connections it never knew.
//   partition   nothing crosses in either direction, on existing or new connections; bytes and
//               closes are held (bounded) and delivered when the partition heals, as TCP would
//               retransmit them. A new connection is only opened to the target at the heal.
//
// Everything is bounded: connections, bytes held per direction, delays. Only loopback targets.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export type FaultMode = 'pass' | 'delay' | 'drop' | 'blackhole' | 'partition';

/** Bytes held per connection and direction (delay or partition); beyond that the connection is reset. */
export const MAX_HELD_BYTES = 8 * 1024 * 1024;
/** Open connections; further ones are reset on accept. */
export const MAX_CONNECTIONS = 256;
export const MAX_DELAY_MS = 10_000;

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

type Item = { at: number; chunk: Buffer } | { at: number; fin: 'end' | 'reset' };

interface Direction {
  queue: Item[];
  held: number;
  timer: NodeJS.Timeout | undefined;
  finQueued: boolean;
}

interface Conn {
  id: number;
  client: Socket;
  upstream: Socket | null;
  upstreamReady: boolean;
  /** Blackholed: reads and discards, never forwards, never closes the client by itself. */
  dead: boolean;
  /** client → target */
  up: Direction;
  /** target → client */
  down: Direction;
  /** Since when the last bytes forwarded went to the target with no answer yet (a request in flight). */
  awaitingSince: number | null;
}

export interface FaultProxyStats {
  mode: FaultMode;
  accepted: number;
  open: number;
  /** Blackholed connections still open. */
  dead: number;
  bytesUp: number;
  bytesDown: number;
}

const newDirection = (): Direction => ({
  queue: [],
  held: 0,
  timer: undefined,
  finQueued: false,
});

function checkLoopback(host: string): string {
  if (!LOOPBACK.has(host)) throw new Error(`fault proxy: target ${host} is not loopback`);
  return host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
}

export class FaultProxy {
  private readonly conns = new Set<Conn>();
  private current: FaultMode = 'pass';
  private delayMs = 0;
  private target: { host: string; port: number } | undefined;
  private nextId = 1;
  private closed = false;
  private accepted = 0;
  private bytesUp = 0;
  private bytesDown = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /**
   * Starts a proxy on 127.0.0.1, port 0. `target` is a base URL or a port on loopback; without
   * it (until `setTarget`) connections are reset, so a proxy's URL can be handed out first.
   */
  static async start(target?: string | number): Promise<FaultProxy> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0, backlog: 128 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const proxy = new FaultProxy(server, `http://127.0.0.1:${port}`);
    server.on('connection', (s) => proxy.onConnection(s));
    server.on('error', () => undefined);
    if (target !== undefined) proxy.setTarget(target);
    return proxy;
  }

  /** Where to forward: a loopback base URL (`http://127.0.0.1:7300`) or a port on 127.0.0.1. */
  setTarget(target: string | number): void {
    if (typeof target === 'number') {
      this.target = { host: '127.0.0.1', port: target };
      return;
    }
    const u = new URL(target);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    this.target = { host: checkLoopback(u.hostname), port };
  }

  get mode(): FaultMode {
    return this.current;
  }

  pass(): void {
    this.setMode('pass', 0);
  }

  delay(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_DELAY_MS)
      throw new Error(`fault proxy: delay ${ms} is not 0–${MAX_DELAY_MS} ms`);
    this.setMode('delay', ms);
  }

  drop(): void {
    this.setMode('drop', 0);
  }

  blackhole(): void {
    this.setMode('blackhole', 0);
  }

  partition(): void {
    this.setMode('partition', 0);
  }

  stats(): FaultProxyStats {
    let dead = 0;
    for (const c of this.conns) if (c.dead) dead++;
    return {
      mode: this.current,
      accepted: this.accepted,
      open: this.conns.size,
      dead,
      bytesUp: this.bytesUp,
      bytesDown: this.bytesDown,
    };
  }

  /** Ids of live connections carrying a request that has waited at least `minMs` for its answer (a held long poll). */
  awaiting(minMs = 0): number[] {
    const now = Date.now();
    return [...this.conns]
      .filter((c) => !c.dead && c.awaitingSince !== null && now - c.awaitingSince >= minMs)
      .map((c) => c.id);
  }

  /** Whether the connection with this id is still open (its client has not given up on it). */
  isOpen(id: number): boolean {
    return [...this.conns].some((c) => c.id === id);
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.conns]) this.reset(c);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private setMode(mode: FaultMode, delayMs: number): void {
    if (this.closed) return;
    this.current = mode;
    this.delayMs = delayMs;
    for (const c of [...this.conns]) {
      if (mode === 'drop') {
        this.reset(c);
      } else if (mode === 'blackhole') {
        if (!c.dead) this.kill(c);
      } else if (mode === 'pass' || mode === 'delay') {
        if (c.dead) {
          this.reset(c);
          continue;
        }
        if (!c.upstream) this.connectUpstream(c);
        this.pump(c, c.up);
        this.pump(c, c.down);
      }
      // partition: pumps hold everything until the next pass or delay.
    }
  }

  private onConnection(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (
      this.closed ||
      this.current === 'drop' ||
      !this.target ||
      this.conns.size >= MAX_CONNECTIONS
    ) {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const c: Conn = {
      id: this.nextId++,
      client,
      upstream: null,
      upstreamReady: false,
      dead: this.current === 'blackhole',
      up: newDirection(),
      down: newDirection(),
      awaitingSince: null,
    };
    this.conns.add(c);
    client.on('data', (chunk: Buffer) => {
      if (!c.dead) this.enqueue(c, c.up, { at: this.releaseAt(), chunk });
    });
    // A client giving up on a connection nobody on the far side knows (blackholed, or not yet
    // opened in a partition) just goes away.
    client.on('end', () => {
      if (c.dead || !c.upstream) return this.discard(c);
      this.enqueueFin(c, c.up, 'end');
    });
    client.on('close', (hadError) => {
      if (c.dead || !c.upstream) return this.discard(c);
      this.enqueueFin(c, c.up, hadError ? 'reset' : 'end');
      this.forgetIfClosed(c);
    });
    if (!c.dead && this.current !== 'partition') this.connectUpstream(c);
  }

  private connectUpstream(c: Conn): void {
    const t = this.target;
    if (!t || this.closed) return this.reset(c);
    const up = connect({ host: t.host, port: t.port, allowHalfOpen: true });
    c.upstream = up;
    up.setNoDelay(true);
    up.on('error', () => undefined);
    up.on('connect', () => {
      c.upstreamReady = true;
      this.pump(c, c.up);
    });
    up.on('data', (chunk: Buffer) => {
      if (!c.dead) this.enqueue(c, c.down, { at: this.releaseAt(), chunk });
    });
    up.on('end', () => {
      if (!c.dead) this.enqueueFin(c, c.down, 'end');
    });
    up.on('close', (hadError) => {
      // A blackholed client keeps its half-open connection: the far end's close never reaches it.
      if (!c.dead) this.enqueueFin(c, c.down, hadError ? 'reset' : 'end');
      this.forgetIfClosed(c);
    });
  }

  private releaseAt(): number {
    return Date.now() + (this.current === 'delay' ? this.delayMs : 0);
  }

  private enqueue(c: Conn, d: Direction, item: Item): void {
    if (d.finQueued) return;
    d.queue.push(item);
    if ('chunk' in item) {
      d.held += item.chunk.length;
      if (d.held > MAX_HELD_BYTES) return this.reset(c);
    }
    this.pump(c, d);
  }

  private enqueueFin(c: Conn, d: Direction, fin: 'end' | 'reset'): void {
    if (d.finQueued) return;
    this.enqueue(c, d, { at: this.releaseAt(), fin });
    d.finQueued = true;
  }

  /** Delivers what is due in one direction, in order; schedules itself for the next item. */
  private pump(c: Conn, d: Direction): void {
    clearTimeout(d.timer);
    d.timer = undefined;
    if (this.closed || c.dead || this.current === 'partition' || this.current === 'drop') return;
    const to = d === c.up ? c.upstream : c.client;
    if (!to || (d === c.up && !c.upstreamReady)) return;
    const now = Date.now();
    while (d.queue.length > 0) {
      const item = d.queue[0]!;
      if (item.at > now) {
        d.timer = setTimeout(() => this.pump(c, d), item.at - now);
        d.timer.unref();
        return;
      }
      d.queue.shift();
      if ('chunk' in item) {
        d.held -= item.chunk.length;
        if (to.destroyed || !to.writable) continue;
        to.write(item.chunk);
        if (d === c.up) {
          this.bytesUp += item.chunk.length;
          c.awaitingSince ??= now;
        } else {
          this.bytesDown += item.chunk.length;
          c.awaitingSince = null;
        }
      } else if (item.fin === 'end') {
        if (!to.destroyed) to.end();
      } else {
        if (!to.destroyed) to.resetAndDestroy();
      }
    }
  }

  /** Blackholes a live connection: drops what it holds and forwards nothing more. */
  private kill(c: Conn): void {
    c.dead = true;
    c.awaitingSince = null;
    for (const d of [c.up, c.down]) {
      clearTimeout(d.timer);
      d.timer = undefined;
      d.queue = [];
      d.held = 0;
    }
  }

  /** Resets both sides of a connection at once. */
  private reset(c: Conn): void {
    this.kill(c);
    if (!c.client.destroyed) c.client.resetAndDestroy();
    if (c.upstream && !c.upstream.destroyed) c.upstream.resetAndDestroy();
    this.forget(c);
  }

  /** Closes both sides quietly. */
  private discard(c: Conn): void {
    this.kill(c);
    c.client.destroy();
    c.upstream?.destroy();
    this.forget(c);
  }

  private forgetIfClosed(c: Conn): void {
    if (c.client.destroyed && (!c.upstream || c.upstream.destroyed)) this.forget(c);
  }

  private forget(c: Conn): void {
    clearTimeout(c.up.timer);
    clearTimeout(c.down.timer);
    this.conns.delete(c);
  }
}
