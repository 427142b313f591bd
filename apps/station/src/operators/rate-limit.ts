import { ParleyError } from '@parley/core';

export interface SignInThrottleOptions {
  /** Failures from one client address before it must wait (default 20: a watch floor may share one). */
  freePerAddress?: number;
  /** Failures on one operator name before attempts on it are held (default 5). */
  freePerAccount?: number;
  /** The first wait, ms; it doubles with every further failure (default 1 s). */
  baseDelayMs?: number;
  /** The longest an address must wait, ms (default 15 min). */
  maxDelayMs?: number;
  /** The longest an attempt on one name is held, ms (default 3 s). */
  accountMaxDelayMs?: number;
  /** Failures under a key are forgotten after this long without one, ms (default 15 min). */
  windowMs?: number;
  /** Keys remembered at most (default 10,000); the least recently failed are forgotten first. */
  maxKeys?: number;
}

interface Tally {
  failures: number;
  last: number;
}

/**
 * Sign-in throttling that slows a password guesser without ever locking the owner out
 * (issue 16; docs/api.md, docs/deploy.md):
 *
 * - per client address, exponential back-off: after `freePerAddress` failures an address must wait
 *   `baseDelayMs`, then twice as long after each further failure, up to `maxDelayMs`, counted from
 *   its last failure; an attempt before then is refused (429 PARLEY_E_RATE_LIMITED, Retry-After);
 * - per operator name, a bounded delay: after `freePerAccount` failures every attempt on that name,
 *   from anywhere, is held before its password is checked — `baseDelayMs` doubling per failure,
 *   never more than `accountMaxDelayMs` — and then answered on its merits. Guesses at a name cost
 *   time; the owner, from another address, signs in with the right password at most that much later.
 *
 * Failures are counted before the (slow) password check, so parallel guesses cannot outrun the
 * back-off; a success takes its own count back and clears the name. Memory is bounded: at most
 * `maxKeys` addresses and names, the least recently failed forgotten first.
 */
export class SignInThrottle {
  readonly freePerAddress: number;
  readonly freePerAccount: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly accountMaxDelayMs: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  private readonly addresses = new Map<string, Tally>();
  private readonly accounts = new Map<string, Tally>();

  constructor(opts: SignInThrottleOptions = {}) {
    this.freePerAddress = opts.freePerAddress ?? 20;
    this.freePerAccount = opts.freePerAccount ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 15 * 60_000;
    this.accountMaxDelayMs = opts.accountMaxDelayMs ?? 3000;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  private tally(map: Map<string, Tally>, key: string, now: number): Tally | undefined {
    const t = map.get(key);
    if (t && now - t.last >= this.windowMs) {
      map.delete(key);
      return undefined;
    }
    return t;
  }

  private backoff(failures: number, free: number, cap: number): number {
    if (failures < free) return 0;
    return Math.min(cap, this.baseDelayMs * 2 ** Math.min(failures - free, 40));
  }

  /** How long, ms, the address must still wait before it may try; 0 if it may try now. */
  addressWait(address: string, now: number): number {
    const t = this.tally(this.addresses, address, now);
    if (!t) return 0;
    const delay = this.backoff(t.failures, this.freePerAddress, this.maxDelayMs);
    return delay === 0 ? 0 : Math.max(0, t.last + delay - now);
  }

  /** Failures on record for the address (0 for an address in good standing). */
  failures(address: string, now: number): number {
    return this.tally(this.addresses, address, now)?.failures ?? 0;
  }

  /** How long, ms, an attempt on the name is held before its password is checked (never a refusal). */
  accountDelay(name: string, now: number): number {
    const t = this.tally(this.accounts, name, now);
    return t ? this.backoff(t.failures, this.freePerAccount, this.accountMaxDelayMs) : 0;
  }

  /** Throws `PARLEY_E_RATE_LIMITED` (details.retryAfter, s) if the address must still wait. */
  check(address: string, now: number): void {
    const wait = this.addressWait(address, now);
    if (wait > 0) {
      const retryAfter = Math.ceil(wait / 1000);
      throw new ParleyError(
        'PARLEY_E_RATE_LIMITED',
        `too many failed sign-ins from this address; try again in ${retryAfter} s`,
        { retryAfter },
      );
    }
  }

  /** Counts a failure (or an attempt in advance) for the address and the name. */
  fail(address: string, name: string, now: number): void {
    for (const [map, key] of [
      [this.addresses, address],
      [this.accounts, name],
    ] as const) {
      const t = this.tally(map, key, now);
      map.delete(key); // re-inserted last: Map order is recency order
      map.set(key, { failures: (t?.failures ?? 0) + 1, last: now });
      if (map.size > this.maxKeys) map.delete(map.keys().next().value!);
    }
  }

  /** A sign-in succeeded: the name's failures are cleared, the address's in-advance count taken back. */
  succeed(address: string, name: string, now: number): void {
    this.accounts.delete(name);
    const t = this.tally(this.addresses, address, now);
    if (!t) return;
    if (t.failures <= 1) this.addresses.delete(address);
    else t.failures--;
  }

  /** Addresses and names remembered (for tests and metrics). */
  get size(): number {
    return this.addresses.size + this.accounts.size;
  }
}

/**
 * Password checks (scrypt, ~32 MiB and tens of milliseconds each) run at most `concurrency` at a
 * time, and an attempt from an address with no failures on record goes before those from
 * addresses that have failed: guessers queue behind each other, not in front of the owner.
 * Each address has at most `perAddress` attempts in progress; more are refused at once.
 */
export class PasswordGate {
  private running = 0;
  private readonly clean: (() => void)[] = [];
  private readonly suspect: (() => void)[] = [];
  private readonly inProgress = new Map<string, number>();

  constructor(
    readonly concurrency = 2,
    readonly perAddress = 2,
  ) {}

  /** Whether the address may start another attempt now (and, if so, takes a place for it). */
  enter(address: string): boolean {
    const n = this.inProgress.get(address) ?? 0;
    if (n >= this.perAddress) return false;
    this.inProgress.set(address, n + 1);
    return true;
  }

  /** Gives back the place `enter` took. */
  leave(address: string): void {
    const n = (this.inProgress.get(address) ?? 1) - 1;
    if (n <= 0) this.inProgress.delete(address);
    else this.inProgress.set(address, n);
  }

  /** Runs a password check when a place is free, clean addresses first. */
  async run<T>(clean: boolean, check: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency)
      await new Promise<void>((resolve) => (clean ? this.clean : this.suspect).push(resolve));
    else this.running++;
    try {
      return await check();
    } finally {
      const next = this.clean.shift() ?? this.suspect.shift();
      if (next) next();
      else this.running--;
    }
  }
}
