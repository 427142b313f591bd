import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ParleyError } from '@parley/core';
import type { Store } from '@parley/store';

/** Operator API roles, weakest first; each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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

/** Creates a bearer token for a role; only its SHA-256 is stored, the token is shown once. */
export async function createToken(
  store: Store,
  role: Role,
  label: string,
  now: number,
): Promise<string> {
  const token = `pt_${randomBytes(32).toString('base64url')}`;
  await store.addToken({ hash: hashToken(token), role, label, created: now });
  return token;
}

/** Resolves the bearer token of a request to its role, or throws `PARLEY_E_AUTH_REQUIRED` (401). */
export async function authenticate(store: Store, req: FastifyRequest): Promise<Role> {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer (pt_[A-Za-z0-9_-]{43})$/.exec(header) : null;
  const record = m ? await store.tokenByHash(hashToken(m[1]!)) : null;
  if (!record)
    throw new ParleyError(
      'PARLEY_E_AUTH_REQUIRED',
      'a valid bearer token is required (Authorization: Bearer TOKEN)',
      {},
    );
  return parseRole(record.role);
}

/** Throws `PARLEY_E_FORBIDDEN` (403) unless `role` is at least `needed`. */
export function requireRole(role: Role, needed: Role): void {
  if (ROLES.indexOf(role) < ROLES.indexOf(needed)) {
    throw new ParleyError(
      'PARLEY_E_FORBIDDEN',
      `this needs the ${needed} role; the token is ${role}`,
      { role, needed },
    );
  }
}
