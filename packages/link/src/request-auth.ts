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
  /**
   * In a request: how many entries of the responder's feed the requester holds verified. In a
   * response: how many entries of the requester's feed the responder holds verified. Each side
   * signs with the key the other already trusts at that count (docs/PROTOCOL.md §7).
   */
  known: 'parley-known',
} as const;

const KNOWN_RE = /^\d{1,16}$/;

/** Parses a `Parley-Known` value: a decimal count, or undefined if absent or malformed. */
export function parseKnown(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !KNOWN_RE.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

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
  known: number;
  body: Uint8Array;
}): Uint8Array {
  return utf8.encode(
    `parley-request/v2\n${r.method.toUpperCase()}\n${r.path}\n${r.from}\n${r.target}\n${r.date}\n${r.nonce}\n${r.known}\n${toHex(sha256(r.body))}\n`,
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
  known: number;
  body: Uint8Array;
}): Uint8Array {
  return utf8.encode(
    `parley-response/v2\n${r.status}\n${r.from}\n${r.date}\n${r.requestNonce}\n${r.known}\n${toHex(sha256(r.body))}\n`,
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
    /** Entries of the target's feed the sender holds verified. */
    known: number;
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
    [H.known]: String(r.known),
    [H.signature]: toBase64Url(sig),
  };
}

/** Headers for a signed response to a request that carried `requestNonce`. */
export function signResponse(
  signer: Signer,
  r: {
    status: number;
    from: StationId;
    requestNonce: string;
    /** Entries of the requester's feed the responder holds verified. */
    known: number;
    body: Uint8Array;
    now: number;
  },
): Record<string, string> {
  const sig = signer.sign(responseBytes({ ...r, date: r.now }));
  return {
    [H.station]: r.from,
    [H.date]: String(r.now),
    [H.known]: String(r.known),
    [H.signature]: toBase64Url(sig),
  };
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
 * failure: missing headers, unknown station, clock skew, a malformed `Parley-Known` or one past
 * this station's feed (`selfSize`), bad signature, replay. Returns the sender and its
 * `Parley-Known`.
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
  /** Size of this station's own feed: a larger `Parley-Known` is refused. */
  selfSize?: number;
}): { station: StationId; known: number } {
  const from = header(r.headers, H.station);
  const dateText = header(r.headers, H.date);
  const nonce = header(r.headers, H.nonce);
  const sigText = header(r.headers, H.signature);
  const knownText = header(r.headers, H.known);
  if (!from || !dateText || !nonce || !sigText || knownText === undefined) {
    throw new ParleyError(
      'PARLEY_E_LINK_AUTH_MISSING',
      'request is not signed (Parley-Station, Parley-Date, Parley-Nonce, Parley-Known, Parley-Signature)',
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
  const known = parseKnown(knownText);
  if (known === undefined || (r.selfSize !== undefined && known > r.selfSize)) {
    throw new ParleyError(
      'PARLEY_E_LINK_MALFORMED',
      `Parley-Known ${JSON.stringify(knownText)} is not a count of entries of this station's feed${r.selfSize !== undefined ? ` (it holds ${r.selfSize})` : ''}`,
      { station: from },
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
        known,
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
  return { station: from as StationId, known };
}

/**
 * Checks a signed response from `peer` to our request with `requestNonce`, under `keys` (the
 * key the peer signs with for the `Parley-Known` the request carried). Returns the response's
 * `Parley-Known`: how many entries of our feed the peer holds verified. Throws
 * `PARLEY_E_LINK_AUTH_SIGNATURE`.
 */
export function verifyResponse(r: {
  headers: Record<string, string | string[] | undefined>;
  status: number;
  peer: StationId;
  keys: readonly PublicKeyB64[];
  requestNonce: string;
  body: Uint8Array;
}): { known: number } {
  const from = header(r.headers, H.station);
  const date = Number(header(r.headers, H.date));
  const known = parseKnown(r.headers[H.known]);
  const sig = fromBase64Url(header(r.headers, H.signature) ?? '');
  const ok =
    from === r.peer &&
    Number.isSafeInteger(date) &&
    known !== undefined &&
    sig !== undefined &&
    r.keys.some((k) =>
      verifySignature(
        k,
        responseBytes({
          status: r.status,
          from,
          date,
          requestNonce: r.requestNonce,
          known,
          body: r.body,
        }),
        sig,
      ),
    );
  if (!ok)
    throw new ParleyError(
      'PARLEY_E_LINK_AUTH_SIGNATURE',
      `response claiming to be from ${r.peer} is not signed by its key`,
      { station: r.peer, ...(from !== undefined && from !== r.peer ? { answeredAs: from } : {}) },
    );
  return { known: known! };
}
