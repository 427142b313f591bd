import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ParleyError } from '@parley/core';
import type { Store } from '@parley/store';

/** Operator roles. What each may do is `GRANTS`; channel membership narrows it further. */
export const ROLES = ['viewer', 'operator', 'linguist', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Things an operator may be allowed to do. */
export const PERMISSIONS = [
  'read',
  'send',
  'acknowledge',
  'translate',
  'approve',
  'channels',
  'audit',
  'users',
  'keys',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What each role may do. A watch officer (operator) sends and acknowledges; a linguist reads and
 * attaches translations; an approver is the second person of the two-person rule and may also
 * send; an admin manages channels, operators and reads the audit log.
 */
export const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  operator: ['read', 'send', 'acknowledge'],
  linguist: ['read', 'translate'],
  approver: ['read', 'send', 'acknowledge', 'approve'],
  admin: PERMISSIONS,
};

/** Who is making a request. */
export interface Actor {
  /** Operator name, or `token:<label>#<hash prefix>` for an automation token. */
  name: string;
  role: Role;
  via: 'token' | 'session';
  /** Channels the operator is a member of; '*' for all. */
  channels: '*' | readonly string[];
  /** The session's CSRF token (sessions only). */
  csrf?: string;
}

export function parseRole(value: unknown): Role {
  if (typeof value === 'string' && (ROLES as readonly string[]).includes(value))
    return value as Role;
  throw new ParleyError(
    'PARLEY_E_BAD_ROLE',
    `role ${JSON.stringify(value)} is not one of ${ROLES.join(', ')}`,
    { value },
  );
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Creates a bearer token for a role; only its SHA-256 is stored, the token is shown once. With
 * `expires` (UTC ms) it stops working then.
 */
export async function createToken(
  store: Store,
  role: Role,
  label: string,
  now: number,
  expires: number | null = null,
): Promise<string> {
  const token = `pt_${randomBytes(32).toString('base64url')}`;
  await store.addToken({
    hash: hashToken(token),
    role,
    label,
    created: now,
    expires,
    revoked: null,
  });
  return token;
}

/** The actor name of a token: `token:<label>#<hash prefix>`. */
export const tokenActorName = (record: { label: string; hash: string }) =>
  `token:${record.label ? `${record.label}#` : ''}${record.hash.slice(0, 8)}`;

/**
 * Resolves a bearer token to its actor, or null when the request carries none. Throws
 * `PARLEY_E_AUTH_REQUIRED` for a bad, revoked or expired one: the store is read on every
 * request, so a revocation or an expiry takes effect on the next request.
 */
export async function tokenActor(
  store: Store,
  req: FastifyRequest,
  now: number = Date.now(),
): Promise<Actor | null> {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer (pt_[A-Za-z0-9_-]{43})$/.exec(header);
  const record = m ? await store.tokenByHash(hashToken(m[1]!)) : null;
  if (!record) throw new ParleyError('PARLEY_E_AUTH_REQUIRED', 'the bearer token is not valid', {});
  if (record.revoked != null)
    throw new ParleyError('PARLEY_E_AUTH_REQUIRED', 'the bearer token was revoked', {});
  if (record.expires != null && record.expires <= now)
    throw new ParleyError('PARLEY_E_AUTH_REQUIRED', 'the bearer token has expired', {});
  return {
    name: tokenActorName(record),
    role: parseRole(record.role),
    via: 'token',
    channels: '*',
  };
}

/** Throws `PARLEY_E_FORBIDDEN` (403) unless the actor's role grants `permission`. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!GRANTS[actor.role].includes(permission)) {
    throw new ParleyError(
      'PARLEY_E_FORBIDDEN',
      `${permission} needs a role that grants it; ${actor.name} is ${actor.role}`,
      {
        role: actor.role,
        permission,
      },
    );
  }
}

/** Throws `PARLEY_E_NOT_MEMBER` (403) unless the actor is a member of `channel`. */
export function requireMember(actor: Actor, channel: string): void {
  if (actor.channels !== '*' && !actor.channels.includes(channel)) {
    throw new ParleyError(
      'PARLEY_E_NOT_MEMBER',
      `${actor.name} is not a member of channel ${channel}`,
      { channel },
    );
  }
}

/** Whether the actor is a member of `channel` (`null`: a thing of no channel, seen by everyone). */
export function isMember(actor: Actor, channel: string | null | undefined): boolean {
  return channel == null || actor.channels === '*' || actor.channels.includes(channel);
}

/**
 * For a thing found by id: unless the actor is a member of its channel, throws what a missing
 * one gets (`notFound`), so that neither the thing nor its channel's name is confirmed.
 */
export function requireMemberOr(actor: Actor, channel: string, notFound: () => ParleyError): void {
  if (!isMember(actor, channel)) throw notFound();
}

/**
 * Throws `PARLEY_E_NOT_MEMBER` (403) unless the actor is a member of every channel: for what
 * spans all channels (the audit log, operator accounts).
 */
export function requireAllChannels(actor: Actor, what: string): void {
  if (actor.channels !== '*')
    throw new ParleyError(
      'PARLEY_E_NOT_MEMBER',
      `${what} spans every channel; ${actor.name} is a member of some channels only`,
      {},
    );
}
