import type { LinkOptions, LinkState, PathStatus } from './link-host.js';
import type { PathTarget } from './peer-client.js';

/**
 * Deadlines of link requests (docs/PROTOCOL.md §7): each bounds the whole exchange, headers and
 * body, so a path that trickles bytes is given up at the deadline, not kept alive byte by byte.
 *
 * - heartbeat: one heartbeat interval, at least 500 ms, at most 10 s;
 * - pull: the long poll's `wait`, plus a grace of one heartbeat interval (at least 1 s, at most
 *   10 s) to carry the answer;
 * - probe (a pull with `wait` 0 on a path that failed a pull, see `PathSet.pick`): the grace.
 */
export function linkDeadlines(o: LinkOptions): { heartbeat: number; pull: number; probe: number } {
  const grace = Math.max(1000, Math.min(o.heartbeatMs, 10_000));
  return {
    heartbeat: Math.max(500, Math.min(o.heartbeatMs, 10_000)),
    pull: o.pullWaitMs + grace,
    probe: grace,
  };
}

/** Consecutive failed exchanges after which a path is DOWN. */
export const DOWN_AFTER_MISSES = 3;
/** A path whose pulls fail is probed again after 1, 2, 4, then every 8 heartbeat intervals. */
const MAX_PROBE_BACKOFF = 3;

export interface PathRuntime extends PathStatus {
  target: PathTarget;
  /**
   * False from a failed pull on this path (an error of any kind: no answer, a deadline, an answer
   * that does not verify, a coded error, a refused batch) until a pull on it verifies and stores,
   * or verifies empty. Heartbeats alone do not clear it: they prove the path carries heartbeats,
   * not that it carries the feed.
   */
  pullOk: boolean;
  /** Consecutive failed pulls (probes included) on this path. */
  pullFailures: number;
  /** When a path that failed a pull may be probed again. */
  probeAt: number;
}

/**
 * The paths to one peer and their states (docs/PROTOCOL.md §8):
 *
 * - UP: its last exchange was verified progress (a heartbeat reply that verified, or a pull
 *   answer that verified and was stored, or verified empty), and no pull on it has failed since
 *   its last good pull;
 * - DEGRADED: it answers, but not with progress: one or two consecutive exchanges failed, or its
 *   heartbeats verify while a pull on it failed (a path that tampers with pulls, say);
 * - DOWN: three consecutive exchanges failed, whatever the failure (no answer, a deadline, an
 *   answer that does not verify, a coded error), or nothing was exchanged yet.
 */
export class PathSet {
  readonly paths: PathRuntime[];
  private failover = 0;

  constructor(
    targets: PathTarget[],
    private readonly heartbeatMs: number,
    private readonly now: () => number,
    private readonly changed: (url: string, state: LinkState) => void,
  ) {
    this.paths = targets.map((target) => ({
      url: target.url,
      state: 'DOWN',
      lastOkAt: null,
      misses: 0,
      lastError: null,
      target,
      pullOk: true,
      pullFailures: 0,
      probeAt: 0,
    }));
  }

  /** A heartbeat reply that verified. */
  heartbeatOk(p: PathRuntime): void {
    p.lastOkAt = this.now();
    p.misses = 0;
    // While a pull on the path is failing, its error stays shown: that is why it is not UP.
    if (p.pullOk) p.lastError = null;
    this.settle(p);
  }

  /** A pull answer that verified and was stored, or verified empty. */
  pullOk(p: PathRuntime): void {
    p.lastOkAt = this.now();
    p.misses = 0;
    p.lastError = null;
    p.pullOk = true;
    p.pullFailures = 0;
    this.settle(p);
  }

  /** A heartbeat that failed, however. */
  heartbeatFailed(p: PathRuntime, err: unknown): void {
    p.misses++;
    p.lastError = message(err);
    this.settle(p);
  }

  /** A pull (or probe) that failed, however: the path is not UP until a pull on it succeeds. */
  pullFailed(p: PathRuntime, err: unknown): void {
    p.misses++;
    p.lastError = message(err);
    p.pullOk = false;
    p.pullFailures++;
    p.probeAt =
      this.now() + this.heartbeatMs * 2 ** Math.min(p.pullFailures - 1, MAX_PROBE_BACKOFF);
    this.settle(p);
  }

  /** Whether a path other than `p` is UP (a pull held on `p` may then be abandoned for it). */
  otherUp(p: PathRuntime): boolean {
    return this.paths.some((q) => q !== p && q.state === 'UP');
  }

  /**
   * The path to pull on, in order of preference: the first UP path, unless another path whose
   * heartbeats verify but whose last pull failed is due for a probe (a pull with `wait` 0, to
   * find out whether it carries the feed again: if so it is UP, ready for a failover, and gets
   * the pull back if it comes first); else the first DEGRADED path whose pulls do not fail, else
   * the first DEGRADED one; else each DOWN one in turn.
   */
  pick(): { path: PathRuntime; probe: boolean } {
    const up = this.paths.find((p) => p.state === 'UP');
    if (up) {
      const now = this.now();
      const due = this.paths.find(
        (p) => p.state === 'DEGRADED' && !p.pullOk && p.misses === 0 && now >= p.probeAt,
      );
      return due ? { path: due, probe: true } : { path: up, probe: false };
    }
    const degraded =
      this.paths.find((p) => p.state === 'DEGRADED' && p.pullOk) ??
      this.paths.find((p) => p.state === 'DEGRADED');
    if (degraded) return { path: degraded, probe: false };
    return { path: this.paths[this.failover++ % this.paths.length]!, probe: false };
  }

  /** The peer's state: UP when all its paths are UP, DOWN when all are DOWN, else DEGRADED. */
  state(): LinkState {
    const states = this.paths.map((p) => p.state);
    return states.every((s) => s === 'UP')
      ? 'UP'
      : states.every((s) => s === 'DOWN')
        ? 'DOWN'
        : 'DEGRADED';
  }

  status(): PathStatus[] {
    return this.paths.map(({ url, state, lastOkAt, misses, lastError }) => ({
      url,
      state,
      lastOkAt,
      misses,
      lastError,
    }));
  }

  private settle(p: PathRuntime): void {
    const state: LinkState =
      p.misses >= DOWN_AFTER_MISSES
        ? 'DOWN'
        : p.misses === 0 && p.pullOk && p.lastOkAt !== null
          ? 'UP'
          : 'DEGRADED';
    if (p.state !== state) {
      p.state = state;
      this.changed(p.url, state);
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
