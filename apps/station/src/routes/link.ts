import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import { ParleyError } from '@parley/core';
import type { StationId } from '@parley/core';
import {
  H,
  HeartbeatReplySchema,
  HeartbeatSchema,
  LinkErrorSchema,
  NonceCache,
  parseKnown,
  PullRequestSchema,
  PullResponseSchema,
  serveHeartbeat,
  servePull,
  signResponse,
  verifyRequest,
} from '@parley/link';
import type { Heartbeat, LinkManager, PullRequest, ServeContext } from '@parley/link';
import type { Clock } from '@parley/store';
import { httpError } from '../http-errors.js';
import type { StationMetrics } from '../metrics.js';

/** Link request bodies are tiny (heartbeats); anything larger is refused before it is parsed. */
export const LINK_BODY_LIMIT = 64 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
    peerStation?: StationId;
    /** The request's verified `Parley-Known`: entries of this station's feed the peer holds. */
    peerKnown?: number;
  }
}

export interface LinkRouteDeps {
  serve: ServeContext;
  links: LinkManager;
  clock: Clock;
  metrics: StationMetrics;
}

/**
 * The station-to-station routes (`/link/v1/*`). Every request must be signed by a paired peer's
 * key (docs/PROTOCOL.md §7), and every response to a request that authenticated is signed by this
 * station, bound to the request's nonce; a request that did not gets an unsigned coded error.
 * Anything refused is counted in `parley_link_rejected_total` and stores nothing.
 */
export async function linkRoutes(app: FastifyInstance, deps: LinkRouteDeps): Promise<void> {
  const nonces = new NonceCache();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: LINK_BODY_LIMIT },
    (req, body: Buffer, done) => {
      req.rawBody = body;
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch {
        done(new ParleyError('PARLEY_E_LINK_MALFORMED', 'request body is not JSON', {}), undefined);
      }
    },
  );
  // Any other content type would escape the limit above and the body signature (no rawBody: the
  // signature would be checked over an empty body): refuse it, within the same limit.
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: LINK_BODY_LIMIT },
    (req, body: Buffer, done) => {
      req.rawBody = body;
      if (body.length === 0) return done(null, undefined);
      done(
        new ParleyError('PARLEY_E_LINK_MALFORMED', 'request body is not application/json', {}),
        undefined,
      );
    },
  );

  // Authenticate before validation, so an unsigned or forged request learns nothing about the schema.
  const { writer } = deps.serve;
  app.addHook('preValidation', async (req: FastifyRequest) => {
    // A peer may hold more of this feed than this process has seen (another process appended,
    // e.g. `parley rotate-key` beside the running station): catch up before judging the count.
    const claimed = parseKnown(req.headers[H.known]);
    if (claimed !== undefined && claimed > writer.size)
      // Best effort: if the store cannot be read, the request is judged on what this process
      // holds (a count beyond it is then refused with a coded error), and the failure is logged.
      await writer.refresh().catch((err: unknown) => req.log.warn({ err }, 'feed refresh failed'));
    const { station, known } = verifyRequest({
      headers: req.headers,
      method: req.method,
      path: req.url,
      body: req.rawBody ?? new Uint8Array(0),
      self: deps.serve.station,
      now: deps.clock.now(),
      keysOf: (s) => deps.links.keysOf(s),
      nonces,
      selfSize: writer.size,
    });
    req.peerStation = station;
    req.peerKnown = known;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const body =
      typeof payload === 'string'
        ? Buffer.from(payload)
        : Buffer.isBuffer(payload)
          ? payload
          : Buffer.alloc(0);
    const from = req.headers[H.station];
    // How much of the requester's feed is held here: it signs its next requests to match.
    const known = (typeof from === 'string' ? deps.links.knownOf(from) : undefined) ?? 0;
    if (req.peerStation === undefined) {
      // The request did not authenticate: its coded error goes out unsigned. Signing it, over
      // whatever nonce the caller sent, would hand anyone a signing oracle: a signed refusal to
      // swap for the answer to a real request on the path. `Parley-Known` is left as a hint for
      // a peer whose key this station has not verified yet (§7); the requester trusts nothing else in it.
      reply.header(H.station, deps.serve.station);
      reply.header(H.known, String(known));
      return body;
    }
    // Signed with the key the requester already trusts: the one in force after as many entries
    // of this feed as it says it holds.
    const signer = await writer.signerAfter(req.peerKnown ?? 0);
    const headers = signResponse(signer, {
      status: reply.statusCode,
      from: deps.serve.station,
      requestNonce: req.headers[H.nonce] as string,
      known,
      body,
      now: deps.clock.now(),
    });
    for (const [k, v] of Object.entries(headers)) reply.header(k, v);
    return body;
  });

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = httpError(err);
    const claimed = req.headers[H.station];
    // Label only paired stations: an attacker must not be able to mint metric series.
    const from = typeof claimed === 'string' && deps.links.keysOf(claimed) ? claimed : 'unpaired';
    deps.metrics.linkRejected.inc({ direction: 'inbound-request', peer: from, code: body.code });
    req.log.warn({ code: body.code, from }, `link request refused: ${body.message}`);
    return reply.status(status).send(body);
  });

  app.post<{ Body: PullRequest }>(
    '/link/v1/pull',
    {
      schema: {
        description:
          "Entries of this station's feeds that the requester may read (its identity feed, and each audience feed the requester is a member of) after the requester's cursors; long poll with `wait`. Signed request from a paired peer.",
        tags: ['link'],
        body: PullRequestSchema,
        response: { 200: PullResponseSchema, '4xx': LinkErrorSchema },
      },
    },
    async (req, reply) => {
      // The response's close, not the request's: a request with a body closes once it is read.
      const aborted = new AbortController();
      reply.raw.on('close', () => aborted.abort());
      return servePull(deps.serve, req.peerStation!, req.body, aborted.signal);
    },
  );

  app.post<{ Body: Heartbeat }>(
    '/link/v1/heartbeat',
    {
      schema: {
        description: 'Service traffic proving a path is alive. Signed request from a paired peer.',
        tags: ['link'],
        body: HeartbeatSchema,
        response: { 200: HeartbeatReplySchema, '4xx': LinkErrorSchema },
      },
    },
    async (req) => serveHeartbeat(deps.serve, req.body, deps.clock.now()),
  );
}
