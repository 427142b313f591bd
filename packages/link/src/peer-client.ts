import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { ParleyError } from '@parley/core';
import type { PublicKeyB64, StationId } from '@parley/core';
import type { Signer } from '@parley/ledger';
import { H, signRequest, verifyResponse } from './request-auth.js';

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
  signer: () => Signer;
  /** Keys the peer may sign responses with (its current key first). */
  peerKeys: () => readonly PublicKeyB64[];
  now: () => number;
}

export interface PeerResponse {
  status: number;
  json: unknown;
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

  constructor(private readonly opts: PeerClientOptions) {}

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

  /** Sends a signed request on one path and checks the signed response. */
  request(
    path: PathTarget,
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<PeerResponse> {
    const base = parsePathUrl(path.url);
    const target = new URL(route, base.href.endsWith('/') ? base.href : `${base.href}/`);
    const pathAndQuery = target.pathname + target.search;
    const bytes = body === undefined ? new Uint8Array(0) : Buffer.from(JSON.stringify(body));
    const headers = signRequest(this.opts.signer(), {
      method,
      path: pathAndQuery,
      from: this.opts.self,
      target: this.opts.peer,
      body: bytes,
      now: this.opts.now(),
    });
    const nonce = headers[H.nonce]!;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
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
          timeout: opts.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(
                new ParleyError(
                  'PARLEY_E_LINK_BODY_TOO_LARGE',
                  `response from ${path.url} exceeds ${MAX_RESPONSE_BYTES} bytes`,
                  {},
                ),
              );
            } else chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            try {
              const raw = Buffer.concat(chunks);
              verifyResponse({
                headers: res.headers as IncomingHttpHeaders,
                status: res.statusCode ?? 0,
                peer: this.opts.peer,
                keys: this.opts.peerKeys(),
                requestNonce: nonce,
                body: raw,
              });
              let json: unknown;
              try {
                json = JSON.parse(raw.toString('utf8'));
              } catch {
                throw new ParleyError(
                  'PARLEY_E_LINK_MALFORMED',
                  `response from ${path.url}${route} is not JSON`,
                  {},
                );
              }
              resolve({ status: res.statusCode ?? 0, json });
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(
          new ParleyError(
            'PARLEY_E_LINK_UNREACHABLE',
            `${path.url} did not answer within ${opts.timeoutMs} ms`,
            {},
          ),
        ),
      );
      req.on('error', reject);
      req.end(bytes);
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
