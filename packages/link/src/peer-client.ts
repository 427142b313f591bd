import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { isParleyError, ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import type { Signer } from '@parley/ledger';
import { H, parseKnown, signRequest, verifyResponse } from './request-auth.js';

/** The largest response body a station accepts from a peer. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** One transport path to a peer: a base URL, and for https the peer's self-signed certificate to pin. */
export interface PathTarget {
  url: string;
  tlsCert?: string | null;
}

export interface PeerClientOptions {
  self: StationId;
  peer: StationId;
  /**
   * The signer of this station's key in force after `peerKnows` entries of its own feed (what
   * the peer last said it holds verified, §7), or its current key while that is not known yet.
   */
  signer: (peerKnows: number | undefined) => Signer | Promise<Signer>;
  /** How many entries of the peer's feed this station holds verified (sent as `Parley-Known`). */
  known: () => number;
  /** Keys the peer may sign a response with, given the `Parley-Known` the request carried. */
  peerKeys: (known: number) => readonly PublicKeyB64[];
  now: () => number;
}

export interface PeerResponse {
  status: number;
  json: unknown;
}

/** Per request: `deadlineMs` bounds the whole exchange (connect, headers and body), not idle time. */
export interface RequestOptions {
  deadlineMs: number;
  signal?: AbortSignal;
}

interface Sent extends PeerResponse {
  /**
   * The response's `Parley-Known`: entries of this station's feed the peer holds verified. In a
   * response that did not verify, only a hint (undefined if absent or malformed).
   */
  known: number | undefined;
  /** The key the request was signed with. */
  signedWith: string;
  /** Set when the response did not verify: the error to throw unless it is used as a retry hint. */
  refused?: unknown;
}

/** Parses and checks a transport URL (http or https, no credentials), or throws `PARLEY_E_BAD_URL`. */
export function parsePathUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ParleyError('PARLEY_E_BAD_URL', `${JSON.stringify(text)} is not a URL`, {
      value: text,
    });
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password ||
    url.search ||
    url.hash
  ) {
    throw new ParleyError(
      'PARLEY_E_BAD_URL',
      `${JSON.stringify(text)} is not a plain http:// or https:// base URL`,
      { value: text },
    );
  }
  return url;
}

/**
 * Signed HTTP requests to one peer over any of its paths. Each path keeps its own keep-alive
 * agent; https paths trust exactly the peer's pinned self-signed certificate (by chain and by
 * SHA-256 fingerprint), never the system CAs, and ignore host names (a station is its key).
 */
export class PeerClient {
  private readonly agents = new Map<string, HttpAgent | HttpsAgent>();
  /** What the peer last said it holds of this station's feed; undefined until it has answered. */
  private peerKnows: number | undefined;

  constructor(private readonly opts: PeerClientOptions) {}

  /** The peer's last `Parley-Known`: entries of this station's feed it holds verified. */
  get peerKnowsOfMe(): number | undefined {
    return this.peerKnows;
  }

  private agentFor(path: PathTarget, url: URL): HttpAgent | HttpsAgent {
    let agent = this.agents.get(path.url);
    if (!agent) {
      if (url.protocol === 'https:') {
        if (!path.tlsCert)
          throw new ParleyError(
            'PARLEY_E_BAD_URL',
            `${path.url} is https but no certificate is pinned for it`,
            {},
          );
        const pinned = new X509Certificate(path.tlsCert).fingerprint256;
        agent = new HttpsAgent({
          keepAlive: true,
          maxSockets: 8,
          ca: path.tlsCert,
          checkServerIdentity: (_host, cert) =>
            cert.fingerprint256 === pinned
              ? undefined
              : new Error(`peer certificate ${cert.fingerprint256} is not the pinned ${pinned}`),
        });
      } else {
        agent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
      }
      this.agents.set(path.url, agent);
    }
    return agent;
  }

  /**
   * Sends a signed request on one path and checks the signed response. The request is signed
   * with the key the peer trusts as far as it last said it holds this station's feed. If the
   * peer refuses the signature (401) and says it holds a count that implies another key (a
   * rotation it has not seen, or has seen since), the request is sent once more, with a fresh
   * nonce, under that key. That count may come in an unsigned reply (a station does not sign its
   * answers to requests that did not authenticate, docs/PROTOCOL.md §7): it is then only a hint
   * for that one retry, never remembered. Any answer that does not verify is refused
   * (`PARLEY_E_LINK_AUTH_SIGNATURE`), and so is one not complete within `deadlineMs`
   * (`PARLEY_E_LINK_UNREACHABLE`): headers and body together, however slowly they trickle.
   */
  async request(
    path: PathTarget,
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    opts: RequestOptions,
  ): Promise<PeerResponse> {
    const first = await this.send(path, method, route, body, opts, this.peerKnows);
    const code = (first.json as { code?: unknown } | null)?.code;
    if (
      first.status === 401 &&
      code === 'PARLEY_E_LINK_AUTH_SIGNATURE' &&
      first.known !== undefined
    ) {
      const implied = await this.opts.signer(first.known);
      if (implied.publicKey !== first.signedWith) {
        const again = await this.send(path, method, route, body, opts, first.known);
        if (again.refused) throw again.refused;
        return { status: again.status, json: again.json };
      }
    }
    if (first.refused) throw first.refused;
    return { status: first.status, json: first.json };
  }

  private async send(
    path: PathTarget,
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    opts: RequestOptions,
    peerKnows: number | undefined,
  ): Promise<Sent> {
    const base = parsePathUrl(path.url);
    const target = new URL(route, base.href.endsWith('/') ? base.href : `${base.href}/`);
    const pathAndQuery = target.pathname + target.search;
    const bytes = body === undefined ? new Uint8Array(0) : Buffer.from(JSON.stringify(body));
    const signer = await this.opts.signer(peerKnows);
    const known = this.opts.known();
    const headers = signRequest(signer, {
      method,
      path: pathAndQuery,
      from: this.opts.self,
      target: this.opts.peer,
      known,
      body: bytes,
      now: this.opts.now(),
    });
    const nonce = headers[H.nonce]!;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Sent>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        fn();
      };
      const fail = (err: unknown) => finish(() => reject(err));
      const req = send(
        target,
        {
          method,
          agent: this.agentFor(path, base),
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(bytes.length),
          },
          signal: opts.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              const err = new ParleyError(
                'PARLEY_E_LINK_BODY_TOO_LARGE',
                `response from ${path.url} exceeds ${MAX_RESPONSE_BYTES} bytes`,
                {},
              );
              fail(err);
              req.destroy(err);
            } else chunks.push(c);
          });
          res.on('error', fail);
          res.on('end', () => {
            let sent: Sent;
            try {
              sent = this.check(path, route, res, Buffer.concat(chunks), nonce, known, signer);
            } catch (err) {
              return fail(err);
            }
            finish(() => resolve(sent));
          });
        },
      );
      // The whole exchange, not idle time: a peer (or a path) that trickles bytes cannot hold it.
      // (Declared after the request: `finish` runs only from its callbacks, which come later.)
      const deadline = setTimeout(() => {
        const err = new ParleyError(
          'PARLEY_E_LINK_UNREACHABLE',
          `${path.url} did not answer in full within ${opts.deadlineMs} ms`,
          {},
        );
        fail(err);
        req.destroy(err);
      }, opts.deadlineMs);
      req.on('error', fail);
      req.end(bytes);
    });
  }

  /**
   * Checks a complete response: its signature (bound to the request's nonce, under the key the
   * peer signs with for what this station holds) and its JSON. A response that does not verify
   * comes back with `refused` set and its unsigned `Parley-Known` as a hint; nothing of it is kept.
   */
  private check(
    path: PathTarget,
    route: string,
    res: IncomingMessage,
    raw: Buffer,
    nonce: string,
    known: number,
    signer: Signer,
  ): Sent {
    const status = res.statusCode ?? 0;
    const headers = res.headers as IncomingHttpHeaders;
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      json = undefined;
    }
    let answer: { known: number };
    try {
      answer = verifyResponse({
        headers,
        status,
        peer: this.opts.peer,
        keys: this.opts.peerKeys(known),
        requestNonce: nonce,
        body: raw,
      });
    } catch (err) {
      const as = isParleyError(err) ? err.details.answeredAs : undefined;
      let refused = err;
      if (typeof as === 'string' && /^stn_[0-9a-f]{24}$/.test(as)) {
        refused = new ParleyError(
          'PARLEY_E_PEER_KEY_NOT_GENESIS',
          `${path.url} answers as station ${as}, but the key pinned for this peer derives ${this.opts.peer}: pin the peer's genesis key (\`parley key --genesis\` on the peer; compare the safety number of its genesis key), not a later one`,
          { station: this.opts.peer, answeredAs: as },
        );
      } else if (isParleyError(err) && err.code === 'PARLEY_E_LINK_AUTH_SIGNATURE') {
        const code = (json as { code?: unknown } | undefined)?.code;
        refused = new ParleyError(
          'PARLEY_E_LINK_AUTH_SIGNATURE',
          `${err.message} (${path.url}${route} answered ${status}${typeof code === 'string' ? ` ${code}` : ''})`,
          err.details,
        );
      }
      return {
        status,
        json,
        known: parseKnown(headers[H.known]),
        signedWith: signer.publicKey,
        refused,
      };
    }
    this.peerKnows = answer.known;
    if (json === undefined)
      throw new ParleyError(
        'PARLEY_E_LINK_MALFORMED',
        `response from ${path.url}${route} is not JSON`,
        {},
      );
    return { status, json, known: answer.known, signedWith: signer.publicKey };
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
