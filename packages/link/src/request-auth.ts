import { randomBytes } from 'node:crypto';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import { fromBase64Url, sha256, toBase64Url, toHex, utf8, verifySignature } from '@parley/ledger';
import type { Signer } from '@parley/ledger';

/** Headers of a signed station-to-station request or response (lower case, as Node delivers them). */
export const H = {
  station: 'parley-station',
  date: 'parley-date',
  nonce: 'parley-nonce',
  signature: 'parley-signature',
} as const;

/** A request dated further than this from the receiver's clock is refused; nonces are kept this long. */
export const REPLAY_WINDOW_MS = 5 * 60_000;

const NONCE_RE = /^[A-Za-z0-9_-]{22}$/;

/**
 * The bytes a station signs for a request: method, path with query, the station it is meant
 * for, the date, a fresh nonce and the SHA-256 of the body. Binding the target stops a request
 * meant for one station from being replayed to another; the nonce and date stop replays.
 */
export function requestBytes(r: {
  method: string;
  path: string;
  from: string;
  target: string;
  date: number;
  nonce: string;
  body: Uint8Array;
}): Uint8Array {
  return utf8.encode(
    `parley-request/v1\n${r.method.toUpperCase()}\n${r.path}\n${r.from}\n${r.target}\n${r.date}\n${r.nonce}\n${toHex(sha256(r.body))}\n`,
  );
}

/**
 * The bytes a station signs for its response: it binds the response body to the request's nonce,
 * so a response cannot be forged, swapped or replayed by anything on the path.
 */
export function responseBytes(r: {
  status: number;
  from: string;
  date: number;
  requestNonce: string;
  body: Uint8Array;
}): Uint8Array {
  return utf8.encode(
    `parley-response/v1\n${r.status}\n${r.from}\n${r.date}\n${r.requestNonce}\n${toHex(sha256(r.body))}\n`,
  );
}

/** Headers for a signed request from `from` to `target`. */
export function signRequest(
  signer: Signer,
  r: {
    method: string;
    path: string;
    from: StationId;
    target: StationId;
    body: Uint8Array;
    now: number;
  },
): Record<string, string> {
  const nonce = toBase64Url(randomBytes(16));
  const sig = signer.sign(requestBytes({ ...r, date: r.now, nonce }));
  return {
    [H.station]: r.from,
    [H.date]: String(r.now),
    [H.nonce]: nonce,
    [H.signature]: toBase64Url(sig),
  };
}

/** Headers for a signed response to a request that carried `requestNonce`. */
export function signResponse(
  signer: Signer,
  r: { status: number; from: StationId; requestNonce: string; body: Uint8Array; now: number },
): Record<string, string> {
  const sig = signer.sign(responseBytes({ ...r, date: r.now }));
  return { [H.station]: r.from, [H.date]: String(r.now), [H.signature]: toBase64Url(sig) };
}

/** Remembers nonces for the replay window, per sending station. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;

  constructor(private readonly windowMs = REPLAY_WINDOW_MS) {}

  /** Records a nonce; false if it was already seen within the window. */
  add(station: string, nonce: string, now: number): boolean {
    if (now - this.lastPrune > 10_000) this.prune(now);
    const key = `${station} ${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    // Dates may be up to one window in the future, so keep each nonce for two windows.
    this.seen.set(key, now + 2 * this.windowMs);
    return true;
  }

  private prune(now: number): void {
    this.lastPrune = now;
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
  }
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Authenticates a signed station-to-station request. `keysOf` gives the keys a paired station
 * may sign with (undefined for an unknown station). Throws the coded error for the first
 * failure: missing headers, unknown station, clock skew, bad signature, replay.
 */
export function verifyRequest(r: {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  path: string;
  body: Uint8Array;
  self: StationId;
  now: number;
  keysOf: (station: string) => readonly PublicKeyB64[] | undefined;
  nonces: NonceCache;
  windowMs?: number;
}): StationId {
  const from = header(r.headers, H.station);
  const dateText = header(r.headers, H.date);
  const nonce = header(r.headers, H.nonce);
  const sigText = header(r.headers, H.signature);
  if (!from || !dateText || !nonce || !sigText) {
    throw new ParleyError(
      'PARLEY_E_LINK_AUTH_MISSING',
      'request is not signed (Parley-Station, Parley-Date, Parley-Nonce, Parley-Signature)',
      {},
    );
  }
  const keys = r.keysOf(from);
  if (!keys || keys.length === 0) {
    throw new ParleyError(
      'PARLEY_E_LINK_UNKNOWN_STATION',
      `station ${JSON.stringify(from)} is not a paired peer`,
      { station: from },
    );
  }
  const date = Number(dateText);
  const window = r.windowMs ?? REPLAY_WINDOW_MS;
  if (!/^\d{1,16}$/.test(dateText) || Math.abs(r.now - date) > window) {
    throw new ParleyError(
      'PARLEY_E_LINK_CLOCK_SKEW',
      `request dated ${JSON.stringify(dateText)} is more than ${window / 1000} s from this station's clock ${r.now}`,
      {
        station: from,
        skewMs: Number.isFinite(date) ? r.now - date : null,
      },
    );
  }
  const sig = fromBase64Url(sigText);
  const bytes = NONCE_RE.test(nonce)
    ? requestBytes({
        method: r.method,
        path: r.path,
        from,
        target: r.self,
        date,
        nonce,
        body: r.body,
      })
    : undefined;
  if (!sig || !bytes || !keys.some((k) => verifySignature(k, bytes, sig))) {
    throw new ParleyError(
      'PARLEY_E_LINK_AUTH_SIGNATURE',
      `request from ${from} is not signed by its key`,
      { station: from },
    );
  }
  // Only a request whose signature verifies may spend a nonce, or a forger could burn real ones.
  if (!r.nonces.add(from, nonce, r.now)) {
    throw new ParleyError(
      'PARLEY_E_LINK_AUTH_REPLAY',
      `request from ${from} reuses nonce ${nonce}`,
      { station: from },
    );
  }
  return from as StationId;
}

/** Checks a signed response from `peer` to our request with `requestNonce`. Throws `PARLEY_E_LINK_AUTH_SIGNATURE`. */
export function verifyResponse(r: {
  headers: Record<string, string | string[] | undefined>;
  status: number;
  peer: StationId;
  keys: readonly PublicKeyB64[];
  requestNonce: string;
  body: Uint8Array;
}): void {
  const from = header(r.headers, H.station);
  const date = Number(header(r.headers, H.date));
  const sig = fromBase64Url(header(r.headers, H.signature) ?? '');
  const ok =
    from === r.peer &&
    Number.isSafeInteger(date) &&
    sig !== undefined &&
    r.keys.some((k) =>
      verifySignature(
        k,
        responseBytes({ status: r.status, from, date, requestNonce: r.requestNonce, body: r.body }),
        sig,
      ),
    );
  if (!ok)
    throw new ParleyError(
      'PARLEY_E_LINK_AUTH_SIGNATURE',
      `response claiming to be from ${r.peer} is not signed by its key`,
      { station: r.peer },
    );
}
