// A hostile transport path for the link tests: a TCP proxy on 127.0.0.1 (port 0) in front of one
// loopback station, that frames HTTP/1.1 messages (Content-Length bodies, as stations send) so it
// can attack them one by one. It holds no key. Its mode can be switched while traffic flows:
//
//   pass       forward both ways
//   tamper     rewrite each pull request's body: `"after":N` becomes `"after":0N` (Content-Length
//              fixed up), as a path that edits bytes would
//   trickle    forward requests, and send responses back one byte every 500 ms
//   trickle-pulls  the same for answers to pulls only: heartbeats pass, promptly
//   reorder    deliver every response late and to the wrong request: each response is held until
//              the next one arrives, and that next request receives the held one (the first
//              request gets nothing)
//   duplicate  forward each request, then replay it byte for byte on the same connection, and
//              answer the client with the replay's answer (the original answer is dropped)
//   blackhole  accept and read, never forward or answer; connections that were open freeze
//
// Everything is bounded: connections, bytes buffered per connection. Only loopback targets.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export type PathMode =
  'pass' | 'tamper' | 'trickle' | 'trickle-pulls' | 'reorder' | 'duplicate' | 'blackhole';

const MAX_BUFFERED = 16 * 1024 * 1024;
const MAX_CONNECTIONS = 128;
export const TRICKLE_MS = 500;

/** What the proxy did to the traffic, to check that an attack really happened. */
export interface PathStats {
  requests: number;
  tampered: number;
  trickledBytes: number;
  misdelivered: number;
  replayed: number;
  /** Requests (or chunks of them) a black hole took in. */
  swallowed: number;
}

/** Splits a byte stream into HTTP/1.1 messages with Content-Length bodies (or none). */
class Framer {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_BUFFERED) throw new Error('hostile path: message too large');
    const out: Buffer[] = [];
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return out;
      const head = this.buf.subarray(0, end).toString('latin1');
      if (/\r\ntransfer-encoding:/i.test(head))
        throw new Error('hostile path: chunked messages are not framed');
      const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      const total = end + 4 + len;
      if (this.buf.length < total) return out;
      out.push(this.buf.subarray(0, total));
      this.buf = this.buf.subarray(total);
    }
  }
}

/** `"after":N` → `"after":0N` in a pull request's body, Content-Length fixed up. */
function tamper(msg: Buffer): Buffer | undefined {
  const end = msg.indexOf('\r\n\r\n');
  const head = msg.subarray(0, end).toString('latin1');
  if (!/^POST \S*\/link\/v1\/pull /.test(head)) return undefined;
  const body = msg.subarray(end + 4).toString('utf8');
  const changed = body.replace(/"after":(\d+)/g, '"after":0$1');
  if (changed === body) return undefined;
  const bytes = Buffer.from(changed);
  const fixed = head.replace(/\r\ncontent-length:\s*\d+/i, `\r\ncontent-length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${fixed}\r\n\r\n`, 'latin1'), bytes]);
}

interface Conn {
  client: Socket;
  upstream: Socket;
  requests: Framer;
  responses: Framer;
  /** Per response expected from upstream, in order: deliver it to the client or drop it, and whether it answers a pull. */
  pending: { drop: boolean; pull: boolean }[];
  /** Frozen by a black hole: nothing more is forwarded or answered. */
  dead: boolean;
  trickle: Buffer;
  timer: NodeJS.Timeout | undefined;
}

export class HostilePath {
  private readonly conns = new Set<Conn>();
  private current: PathMode = 'pass';
  /** reorder: the response held for the next request. */
  private held: Buffer | undefined;
  private closed = false;
  readonly stats: PathStats = {
    requests: 0,
    tampered: 0,
    trickledBytes: 0,
    misdelivered: 0,
    replayed: 0,
    swallowed: 0,
  };
  /** Every response delivered intact to a client in pass, tamper or duplicate mode (bounded). */
  private passed: Buffer[] = [];
  private passedBytes = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly target: { host: string; port: number },
  ) {}

  /** A proxy on 127.0.0.1 in front of the station at `target` (a loopback base URL). */
  static async start(target: string): Promise<HostilePath> {
    const u = new URL(target);
    if (u.hostname !== '127.0.0.1') throw new Error(`hostile path: ${target} is not loopback`);
    const server = createServer({ allowHalfOpen: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const path = new HostilePath(server, `http://127.0.0.1:${port}`, {
      host: '127.0.0.1',
      port: Number(u.port),
    });
    server.on('connection', (s) => path.accept(s));
    return path;
  }

  get mode(): PathMode {
    return this.current;
  }

  /** Switches the attack; connections frozen by a black hole are reset when it ends. */
  set(mode: PathMode): void {
    if (this.current === 'blackhole' && mode !== 'blackhole')
      for (const c of [...this.conns]) if (c.dead) this.drop(c);
    this.current = mode;
    if (mode === 'blackhole') for (const c of this.conns) c.dead = true;
  }

  /** Whether `text` appeared in a response this path delivered intact to a client. */
  delivered(text: string): boolean {
    if (this.passedBytes > MAX_BUFFERED) throw new Error('hostile path: too much traffic to tell');
    return Buffer.concat(this.passed).includes(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.conns]) this.drop(c);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.closed || this.conns.size >= MAX_CONNECTIONS) return void client.destroy();
    const upstream = connect({ host: this.target.host, port: this.target.port });
    upstream.on('error', () => undefined);
    const c: Conn = {
      client,
      upstream,
      requests: new Framer(),
      responses: new Framer(),
      pending: [],
      dead: this.current === 'blackhole',
      trickle: Buffer.alloc(0),
      timer: undefined,
    };
    this.conns.add(c);
    client.on('data', (chunk: Buffer) => {
      if (c.dead) return void this.stats.swallowed++;
      try {
        for (const msg of c.requests.push(chunk)) this.onRequest(c, msg);
      } catch {
        this.drop(c);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (c.dead) return;
      try {
        for (const msg of c.responses.push(chunk)) this.onResponse(c, msg);
      } catch {
        this.drop(c);
      }
    });
    client.on('close', () => this.drop(c));
    // A black hole keeps the client's connection open whatever the far end does.
    upstream.on('close', () => {
      if (!c.dead && c.trickle.length === 0) this.drop(c);
    });
  }

  private onRequest(c: Conn, msg: Buffer): void {
    this.stats.requests++;
    const pull = /^POST \S*\/link\/v1\/pull /.test(msg.subarray(0, 200).toString('latin1'));
    switch (this.current) {
      case 'blackhole':
        c.dead = true;
        this.stats.swallowed++;
        return;
      case 'tamper': {
        const t = tamper(msg);
        if (t) this.stats.tampered++;
        c.pending.push({ drop: false, pull });
        c.upstream.write(t ?? msg);
        return;
      }
      case 'duplicate':
        // The original and its byte-for-byte replay, pipelined: the client gets the replay's answer.
        c.pending.push({ drop: true, pull }, { drop: false, pull });
        c.upstream.write(msg);
        c.upstream.write(msg);
        this.stats.replayed++;
        return;
      default:
        c.pending.push({ drop: false, pull });
        c.upstream.write(msg);
    }
  }

  private onResponse(c: Conn, msg: Buffer): void {
    const expected = c.pending.shift();
    if (expected?.drop) return;
    const mode = this.current === 'trickle-pulls' && expected?.pull ? 'trickle' : this.current;
    switch (mode) {
      case 'blackhole':
        c.dead = true;
        this.stats.swallowed++;
        return;
      case 'trickle':
        c.trickle = Buffer.concat([c.trickle, msg]);
        this.dribble(c);
        return;
      case 'reorder': {
        const held = this.held;
        this.held = msg;
        if (held) {
          this.stats.misdelivered++;
          c.client.write(held);
        }
        return;
      }
      default:
        this.passed.push(msg);
        this.passedBytes += msg.length;
        c.client.write(msg);
    }
  }

  /** Sends one byte of what is queued for the client every TRICKLE_MS. */
  private dribble(c: Conn): void {
    if (c.timer || c.trickle.length === 0) return;
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (c.client.destroyed) return;
      c.client.write(c.trickle.subarray(0, 1));
      c.trickle = c.trickle.subarray(1);
      this.stats.trickledBytes++;
      this.dribble(c);
    }, TRICKLE_MS);
  }

  private drop(c: Conn): void {
    clearTimeout(c.timer);
    c.client.destroy();
    c.upstream.destroy();
    this.conns.delete(c);
  }
}
