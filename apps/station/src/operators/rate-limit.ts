import { ParleyError } from '@parley/core';

export interface RateLimitOptions {
  /** Failures allowed per key within the window (default 5). */
  maxFailures?: number;
  /** The window, ms (default 5 minutes). */
  windowMs?: number;
  /** Keys remembered at most (default 10,000); the oldest are forgotten first. */
  maxKeys?: number;
}

/**
 * Failed-login counter per key (an operator name, a client address): after `maxFailures`
 * failures within `windowMs`, further attempts under that key are refused until the oldest
 * failure leaves the window. Memory is bounded: at most `maxKeys` keys, each with at most
 * `maxFailures` timestamps; expired keys are swept and, when full, the oldest keys go first.
 */
export class LoginLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  private readonly failures = new Map<string, number[]>();

  constructor(opts: RateLimitOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 5 * 60_000;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  private recent(key: string, now: number): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const kept = list.filter((t) => t > now - this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept.length !== list.length) this.failures.set(key, kept);
    return kept;
  }

  /** Seconds until an attempt under every key is allowed again; 0 if allowed now. */
  retryAfter(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.recent(key, now);
      if (list.length >= this.maxFailures) {
        const until = list[list.length - this.maxFailures]! + this.windowMs;
        wait = Math.max(wait, Math.ceil((until - now) / 1000));
      }
    }
    return wait;
  }

  /** Throws `PARLEY_E_RATE_LIMITED` (with `retryAfter` seconds in its details) if any key is over its limit. */
  check(keys: readonly string[], now: number): void {
    const retryAfter = this.retryAfter(keys, now);
    if (retryAfter > 0) {
      throw new ParleyError(
        'PARLEY_E_RATE_LIMITED',
        `too many failed sign-ins; try again in ${retryAfter} s`,
        { retryAfter },
      );
    }
  }

  /** Records a failure under every key. */
  fail(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const list = this.recent(key, now);
      this.failures.delete(key); // re-inserted last: Map order is age order
      this.failures.set(key, [...list, now].slice(-this.maxFailures));
    }
    if (this.failures.size > this.maxKeys) this.sweep(now);
  }

  /** Takes back one failure recorded at `at` (an attempt counted in advance that succeeded). */
  forgive(key: string, at: number): void {
    const list = this.failures.get(key);
    const i = list ? list.lastIndexOf(at) : -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.failures.delete(key);
  }

  /** Forgets the failures under a key (a successful sign-in clears its operator name). */
  clear(key: string): void {
    this.failures.delete(key);
  }

  /** Keys currently remembered (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  private sweep(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}
