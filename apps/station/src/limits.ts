/**
 * The station's resource limits (issue 16): how long a client may take to send a request, how
 * many connections it may hold, how many live streams it may open and how far a stream may fall
 * behind. Every limit is configurable (`StationOptions.limits`, `parley start --limit name=value`);
 * docs/deploy.md lists them with their defaults.
 */
import { readFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { ParleyError } from '@parley/core';
import type { ErrorCode } from '@parley/core';

export interface StationLimits {
  /** The request line and headers must arrive within this, ms. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this, ms (answering may take longer: long polls). */
  requestTimeoutMs: number;
  /**
   * A socket with no traffic either way for this long is closed, ms. Must exceed the longest
   * long-poll wait (a link pull waits up to 60 s) and the live stream's keepalive (15 s).
   */
  connectionTimeoutMs: number;
  /** An idle keep-alive socket between requests is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Requests served on one keep-alive socket before it is closed. */
  maxRequestsPerSocket: number;
  /** Largest request body, bytes (the link routes keep their own, smaller limit). */
  bodyLimitBytes: number;
  /**
   * Connections held at once; more are answered 503 PARLEY_E_CONNECTION_LIMIT and closed. 0 picks
   * the default: 4096, or less where the open-file limit is lower, keeping `fdHeadroom` free.
   */
  maxConnections: number;
  /** File descriptors kept free for the database, the links, the CoT port and logs. */
  fdHeadroom: number;
  /** Connections held at once from one client address. */
  maxConnectionsPerSource: number;
  /**
   * The last of `maxConnections` kept for light clients — an address holding fewer than
   * `lightSourceConnections` (an operator's console, a peer's link) — so that heavy ones cannot
   * take every place.
   */
  reservedConnections: number;
  lightSourceConnections: number;
  /** Live streams (`/api/v1/stream`) one operator or token may hold open. */
  streamsPerUser: number;
  /** Live streams the station serves at once. */
  streamsTotal: number;
  /**
   * Bytes a live stream may have waiting for a client that does not read; past it the stream is
   * closed (the client reconnects and resyncs).
   */
  streamBufferBytes: number;
  /** CoT input: connections held at once; when full, one without a whole event for `cotEvictAfterMs` gives way. */
  cotMaxConnections: number;
  /** CoT input: connections held at once from one address. */
  cotMaxPerSource: number;
  /** CoT input: a connection silent this long is closed, ms (0: never). */
  cotIdleMs: number;
  /** CoT input: a connection holding part of an event this long without finishing it is closed, ms. */
  cotEventTimeoutMs: number;
  /** CoT input: how long without a whole event before a connection gives way to a newcomer, ms. */
  cotEvictAfterMs: number;
  /** Sign-in: failures from one address before it must wait (then 1, 2, 4 … s). */
  signInFreePerAddress: number;
  /** Sign-in: failures on one operator name before attempts on it are held (bounded, never refused). */
  signInFreePerAccount: number;
  /** Sign-in: the first wait of an address, ms; it doubles with every further failure. */
  signInBaseDelayMs: number;
  /** Sign-in: the longest wait of an address, ms. */
  signInMaxDelayMs: number;
  /** Sign-in: the longest an attempt on one operator name is held, ms — slowed, never locked out. */
  signInAccountMaxDelayMs: number;
  /** Sign-in: failures are forgotten after this long without one, ms. */
  signInWindowMs: number;
  /** Sign-in: password checks run at once; addresses in good standing go first. */
  signInConcurrentChecks: number;
  /** Sign-in: attempts in progress from one address; more are refused at once (429). */
  signInInProgressPerAddress: number;
}

export const LIMIT_DEFAULTS: Readonly<StationLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 90_000,
  keepAliveTimeoutMs: 10_000,
  maxRequestsPerSocket: 1000,
  bodyLimitBytes: 1024 * 1024,
  maxConnections: 0,
  fdHeadroom: 256,
  maxConnectionsPerSource: 256,
  reservedConnections: 128,
  lightSourceConnections: 8,
  streamsPerUser: 4,
  streamsTotal: 256,
  streamBufferBytes: 256 * 1024,
  cotMaxConnections: 64,
  cotMaxPerSource: 8,
  cotIdleMs: 120_000,
  cotEventTimeoutMs: 30_000,
  cotEvictAfterMs: 5000,
  signInFreePerAddress: 20,
  signInFreePerAccount: 5,
  signInBaseDelayMs: 1000,
  signInMaxDelayMs: 15 * 60_000,
  signInAccountMaxDelayMs: 3000,
  signInWindowMs: 15 * 60_000,
  signInConcurrentChecks: 2,
  signInInProgressPerAddress: 2,
};

/** The soft open-file limit of this process (Linux /proc), or undefined where unknown. */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The limits with defaults filled in; throws PARLEY_E_INVALID_ARGUMENT for a bad value. */
export function resolveLimits(given: Partial<StationLimits> = {}): StationLimits {
  const out: StationLimits = { ...LIMIT_DEFAULTS };
  for (const [k, v] of Object.entries(given)) {
    if (!(k in LIMIT_DEFAULTS))
      throw new ParleyError('PARLEY_E_INVALID_ARGUMENT', `unknown limit ${JSON.stringify(k)}`, {});
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0)
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `limit ${k} must be a whole number ≥ 0, not ${JSON.stringify(v)}`,
        {},
      );
    out[k as keyof StationLimits] = v;
  }
  if (out.maxConnections === 0) {
    const fds = openFileLimit();
    out.maxConnections =
      fds === undefined ? 4096 : Math.max(64, Math.min(4096, fds - out.fdHeadroom));
  }
  out.reservedConnections = Math.min(out.reservedConnections, Math.floor(out.maxConnections / 4));
  // Node requires the headers to be due no later than the whole request.
  out.headersTimeoutMs = Math.min(out.headersTimeoutMs, out.requestTimeoutMs);
  return out;
}

/** Parses `name=value` pairs (`parley start --limit`). */
export function parseLimitArgs(pairs: readonly string[]): Partial<StationLimits> {
  const out: Record<string, number> = {};
  for (const p of pairs) {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(p);
    if (!m)
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `--limit ${JSON.stringify(p)} is not name=number`,
        {},
      );
    out[m[1]!] = Number(m[2]);
  }
  resolveLimits(out as Partial<StationLimits>); // validates names and values
  return out as Partial<StationLimits>;
}

/** A refusal written straight to a socket, before HTTP parsing: a coded 503 JSON answer. */
function refuse(socket: Socket, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ code, message });
  socket.on('error', () => undefined);
  socket.resume(); // what the client sent is not read, only discarded
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `retry-after: 5\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // The descriptor is given back soon after the answer is out, whether or not the client closes.
  socket.once('finish', () => setTimeout(() => socket.destroy(), 100).unref());
  setTimeout(() => socket.destroy(), 1000).unref();
}

export interface ConnectionGuardStats {
  /** Connections refused because their address held `maxConnectionsPerSource` already. */
  refusedPerSource: number;
  /** Connections refused because the station held `maxConnections` already. */
  refusedTotal: number;
}

/**
 * Caps the connections of an HTTP server, in total and per client address. Node's own
 * `server.maxConnections` drops a connection silently; here a connection over a cap is answered
 * 503 with a code and closed at once, so the descriptor is back within a second. One address
 * filling its share leaves the rest for operators and peers elsewhere.
 */
export class ConnectionGuard {
  readonly stats: ConnectionGuardStats = { refusedPerSource: 0, refusedTotal: 0 };
  private readonly bySource = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly limits: StationLimits,
    /** Plain HTTP: a refusal is a 503 answer; over TLS the connection is just closed. */
    private readonly plain: boolean,
  ) {}

  /** Stands in front of the server's own `connection` listeners: only admitted sockets reach them. */
  install(server: Server): void {
    const inner = server.listeners('connection') as ((s: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (this.admit(socket)) for (const l of inner) l.call(server, socket);
    });
  }

  /** Connections held now. */
  get connections(): number {
    return this.open;
  }

  private refuse(socket: Socket, message: string): false {
    if (this.plain) refuse(socket, 'PARLEY_E_CONNECTION_LIMIT', message);
    else socket.destroy();
    return false;
  }

  private admit(socket: Socket): boolean {
    const source = socket.remoteAddress ?? '?';
    const held = this.bySource.get(source) ?? 0;
    if (this.open >= this.limits.maxConnections) {
      this.stats.refusedTotal++;
      return this.refuse(
        socket,
        `the station holds ${this.limits.maxConnections} connections; retry shortly`,
      );
    }
    if (
      this.open >= this.limits.maxConnections - this.limits.reservedConnections &&
      held >= this.limits.lightSourceConnections
    ) {
      this.stats.refusedTotal++;
      return this.refuse(
        socket,
        `the station is near its ${this.limits.maxConnections} connections; the rest are kept for operators and peers`,
      );
    }
    if (held >= this.limits.maxConnectionsPerSource) {
      this.stats.refusedPerSource++;
      return this.refuse(
        socket,
        `${this.limits.maxConnectionsPerSource} connections from ${source} are open; retry shortly`,
      );
    }
    this.open++;
    this.bySource.set(source, held + 1);
    socket.once('close', () => {
      this.open--;
      const n = (this.bySource.get(source) ?? 1) - 1;
      if (n <= 0) this.bySource.delete(source);
      else this.bySource.set(source, n);
    });
    return true;
  }
}
