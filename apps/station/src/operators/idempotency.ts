import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ParleyError } from '@parley/core';
import { canonicalize } from '@parley/ledger';
import type { Clock, Store } from '@parley/store';

// Retries that do not duplicate: the Idempotency-Key request header (IETF httpapi
// draft-ietf-httpapi-idempotency-key-header) on the operator API's POST routes. The first
// request with a key runs and its response is stored durably in the station store, per operator,
// for 24 hours; a retry with the same key and the same request gets that response again
// (`Idempotent-Replayed: true`) and signs nothing new. The same key with another request is
// 422 PARLEY_E_IDEMPOTENCY_KEY_REUSED; while the first is still running, 409
// PARLEY_E_IDEMPOTENCY_IN_FLIGHT.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route ignores Idempotency-Key (its response holds a secret, e.g. a new token). */
    idempotency?: false;
  }
  interface FastifyRequest {
    /** The key this request claimed, to store its response under. */
    idempotency?: { owner: string; key: string };
    /** Set when the response is a stored one, replayed: nothing was done again. */
    idempotentReplay?: boolean;
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long a stored response answers retries. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** A claim still unanswered after this long is taken as abandoned (its process died). */
export const IDEMPOTENCY_STALE_MS = 5 * 60_000;
const SWEEP_MS = 10 * 60_000;

/**
 * The key of a request: a structured-field string (`"…"`) or, leniently, a bare token; 1–255
 * visible ASCII characters. Else `PARLEY_E_IDEMPOTENCY_KEY_INVALID`.
 */
export function parseIdempotencyKey(value: string | string[]): string {
  const raw = Array.isArray(value) ? value.join(',') : value;
  const m = /^"([\x20-\x21\x23-\x5b\x5d-\x7e]{1,255})"$/.exec(raw.trim());
  const key = m ? m[1]! : raw.trim();
  if (!/^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$/.test(key) || (!m && key.includes('"'))) {
    throw new ParleyError(
      'PARLEY_E_IDEMPOTENCY_KEY_INVALID',
      'the Idempotency-Key header must be 1–255 visible ASCII characters, e.g. "8e03978e-40d5-43e8-bc93-6894a57f9324"',
      {},
    );
  }
  return key;
}

/** What makes two requests "the same": method, route, path parameters and the body (canonical JSON). */
export function requestFingerprint(req: FastifyRequest): string {
  // Parsed bodies and params are null-prototype objects: made plain JSON first.
  const plain = (v: unknown): string => {
    const json = JSON.stringify(v ?? null);
    try {
      return canonicalize(JSON.parse(json) as never);
    } catch {
      return json;
    }
  };
  return createHash('sha256')
    .update(`${req.method} ${req.routeOptions.url ?? req.url}\n`)
    .update(plain(req.params ?? {}))
    .update('\n')
    .update(plain(req.body))
    .digest('hex');
}

/**
 * Installs the Idempotency-Key hooks in the API scope: every authenticated POST (but routes
 * configured `idempotency: false`) honours the header. Registered before the audit hook, so a
 * replayed response is not audited a second time.
 */
export function installIdempotency(app: FastifyInstance, store: Store, clock: Clock): void {
  let lastSweep = 0;

  // The header in each POST route's schema, so the OpenAPI document shows it.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (
      !methods.includes('POST') ||
      !route.config?.permission ||
      route.config.idempotency === false ||
      !route.schema ||
      route.schema.headers
    )
      return;
    route.schema = {
      ...route.schema,
      headers: Type.Object({
        [IDEMPOTENCY_HEADER]: Type.Optional(
          Type.String({
            maxLength: 300,
            description:
              'Idempotency-Key (IETF draft): a retry with the same key and request gets the stored answer (Idempotent-Replayed: true); another request 422, one in flight 409. Kept 24 h per operator.',
          }),
        ),
      }),
    };
  });

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers[IDEMPOTENCY_HEADER];
    if (
      header === undefined ||
      req.method !== 'POST' ||
      !req.actor ||
      req.routeOptions.config.idempotency === false
    )
      return;
    const key = parseIdempotencyKey(header);
    const owner = req.actor.name;
    const fingerprint = requestFingerprint(req);
    const now = clock.now();
    if (now - lastSweep > SWEEP_MS) {
      lastSweep = now;
      await store.deleteExpiredIdempotency(now).catch(() => 0);
    }
    const found = await store.claimIdempotency({
      owner,
      key,
      fingerprint,
      now,
      expires: now + IDEMPOTENCY_TTL_MS,
      staleMs: IDEMPOTENCY_STALE_MS,
    });
    if (found.state === 'claimed') {
      req.idempotency = { owner, key };
      return;
    }
    if (found.fingerprint !== fingerprint) {
      throw new ParleyError(
        'PARLEY_E_IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request; use a new key for a new request',
        {},
      );
    }
    if (found.state === 'in-flight') {
      throw new ParleyError(
        'PARLEY_E_IDEMPOTENCY_IN_FLIGHT',
        'a request with this Idempotency-Key is still being processed; retry after it answers',
        {},
      );
    }
    req.idempotentReplay = true;
    return reply
      .code(found.status)
      .header(REPLAYED_HEADER, 'true')
      .header('content-type', 'application/json; charset=utf-8')
      .send(found.response);
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = req.idempotency;
    if (!claim) return payload;
    req.idempotency = undefined;
    // A 5xx (the store was unavailable, the process is shutting down) releases the key, so the
    // retry runs; any other answer is what every retry gets.
    const keep = reply.statusCode < 500 && (typeof payload === 'string' || payload == null);
    await store
      .finishIdempotency(
        claim.owner,
        claim.key,
        keep ? { status: reply.statusCode, body: (payload as string | null) ?? '' } : null,
      )
      .catch((err: unknown) => req.log.error({ err }, 'idempotency response not stored'));
    return payload;
  });

  // A request that ended without a response (the client went away) releases its claim.
  app.addHook('onResponse', async (req: FastifyRequest) => {
    const claim = req.idempotency;
    if (!claim) return;
    req.idempotency = undefined;
    await store.finishIdempotency(claim.owner, claim.key, null).catch(() => undefined);
  });
}
