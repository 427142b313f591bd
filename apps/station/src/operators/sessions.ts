import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ParleyError } from '@parley/core';
import type { Clock, SessionRecord, Store, UserRecord } from '@parley/store';
import { parseRole } from '../auth.js';
import type { Actor } from '../auth.js';

/** The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure over https. */
export const SESSION_COOKIE = 'parley_session';
/** The header a session must send its CSRF token in on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';
/** Sessions end 12 hours after sign-in (one watch and its handover). */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

/** Constant-time string equality (both sides hashed first, so lengths do not leak). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b)) && a === b;
}

/** A new session of `user`: its id (for the cookie, shown once) and CSRF token. Only the id's SHA-256 is stored. */
export async function createSession(
  store: Store,
  user: string,
  now: number,
): Promise<{ id: string; csrf: string; record: SessionRecord }> {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(32).toString('base64url');
  const record: SessionRecord = {
    hash: hashSessionId(id),
    user,
    csrf,
    created: now,
    expires: now + SESSION_TTL_MS,
  };
  await store.addSession(record);
  return { id, csrf, record };
}

/** The `Set-Cookie` value for a session id (`maxAgeMs` 0 clears the cookie). */
export function sessionCookie(id: string, opts: { secure: boolean; maxAgeMs: number }): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeMs / 1000))}`,
    ...(opts.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The value of one cookie in a request, or undefined. */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the request came over TLS (the cookie is then marked Secure). */
export const isSecure = (req: FastifyRequest) => req.protocol === 'https';

/** The session a request's cookie names, with its operator, if it is current and the operator is enabled. */
export async function currentSession(
  store: Store,
  req: FastifyRequest,
  now: number,
): Promise<{ session: SessionRecord; user: UserRecord } | null> {
  const id = readCookie(req, SESSION_COOKIE);
  if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
  const session = await store.sessionByHash(hashSessionId(id));
  if (!session) return null;
  if (session.expires <= now) {
    await store.deleteSession(session.hash);
    return null;
  }
  const user = await store.user(session.user);
  if (!user || user.disabled) return null;
  return { session, user };
}

/** The actor of a signed-in operator: role and channels from the user record, as it is now. */
export function userActor(user: UserRecord, csrf?: string): Actor {
  return {
    name: user.name,
    role: parseRole(user.role),
    via: 'session',
    channels: user.channels === '*' ? '*' : [...user.channels],
    ...(csrf !== undefined ? { csrf } : {}),
  };
}

/**
 * Resolves the session cookie to an actor, or null without a current session. A state-changing
 * request (anything but GET, HEAD, OPTIONS) must carry the session's CSRF token in
 * `x-csrf-token`, else `PARLEY_E_CSRF`.
 */
export async function sessionActor(
  store: Store,
  clock: Clock,
  req: FastifyRequest,
): Promise<Actor | null> {
  const found = await currentSession(store, req, clock.now());
  if (!found) return null;
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, found.session.csrf)) {
      throw new ParleyError(
        'PARLEY_E_CSRF',
        `a ${req.method} request with a session cookie needs the session's CSRF token in the ${CSRF_HEADER} header`,
        {},
      );
    }
  }
  return userActor(found.user, found.session.csrf);
}
