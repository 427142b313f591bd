import { ParleyError } from '@parley/core';
import type { Store, TokenRecord } from '@parley/store';
import { parseRole, tokenActorName } from '../auth.js';
import type { Role } from '../auth.js';
import { userView } from './users.js';
import type { UserView } from './users.js';

// Taking access back: token expiry and revocation, disabling operators and changing roles.
// Shared by the admin routes and the `parley token` / `parley user` commands.

/** How a token is shown: never the token, never its whole hash; `id` is a 16-hex prefix of it. */
export interface TokenView {
  id: string;
  /** The actor name its requests carry in the audit log. */
  actor: string;
  label: string;
  role: string;
  created: number;
  expires: number | null;
  revoked: number | null;
  state: 'active' | 'expired' | 'revoked';
}

export const TOKEN_ID_LENGTH = 16;

export function tokenView(t: TokenRecord, now: number): TokenView {
  const expires = t.expires ?? null;
  const revoked = t.revoked ?? null;
  return {
    id: t.hash.slice(0, TOKEN_ID_LENGTH),
    actor: tokenActorName(t),
    label: t.label,
    role: t.role,
    created: t.created,
    expires,
    revoked,
    state: revoked !== null ? 'revoked' : expires !== null && expires <= now ? 'expired' : 'active',
  };
}

export async function listTokens(store: Store, now: number): Promise<TokenView[]> {
  return (await store.tokens()).map((t) => tokenView(t, now));
}

/**
 * Revokes the token whose hash starts with `id` (at least 8 hex digits, unique). Its next
 * request is refused. Revoking a revoked token changes nothing and is not an error.
 */
export async function revokeToken(store: Store, id: string, now: number): Promise<TokenView> {
  const prefix = id.toLowerCase();
  const matches = /^[0-9a-f]{8,64}$/.test(prefix)
    ? (await store.tokens()).filter((t) => t.hash.startsWith(prefix))
    : [];
  if (matches.length !== 1) {
    throw new ParleyError(
      'PARLEY_E_TOKEN_NOT_FOUND',
      matches.length === 0
        ? `no token has the id ${JSON.stringify(id)} (8–64 hex digits of its hash; see parley token list)`
        : `the id ${id} matches ${matches.length} tokens; give more of it`,
      { id },
    );
  }
  const t = matches[0]!;
  if (t.revoked == null) await store.revokeToken(t.hash, now);
  return tokenView((await store.tokenByHash(t.hash))!, now);
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A token expiry: a duration from now (`90m`, `12h`, `30d`, `2w`) or an ISO 8601 time with a
 * zone (`2027-01-31T00:00Z`). It must be in the future and within 5 years; else `PARLEY_E_BAD_EXPIRY`.
 */
export function parseExpiry(value: string, now: number): number {
  const d = /^(\d{1,6})([mhdw])$/.exec(value.trim());
  let at: number;
  if (d) at = now + Number(d[1]) * UNITS[d[2]!]!;
  else if (/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)$/.test(value.trim()))
    at = Date.parse(value.trim());
  else at = NaN;
  if (!Number.isFinite(at) || at <= now || at > now + 5 * 365 * 86_400_000) {
    throw new ParleyError(
      'PARLEY_E_BAD_EXPIRY',
      `expiry ${JSON.stringify(value)} is not a future duration (90m, 12h, 30d, 2w) or ISO 8601 UTC time within 5 years`,
      { value },
    );
  }
  return at;
}

async function mustUser(store: Store, name: string) {
  const u = await store.user(name);
  if (!u)
    throw new ParleyError('PARLEY_E_USER_NOT_FOUND', `no operator is named ${name}`, { name });
  return u;
}

/** Enabled admins other than `name`. */
async function otherAdmins(store: Store, name: string): Promise<number> {
  return (await store.users()).filter((u) => u.name !== name && u.role === 'admin' && !u.disabled)
    .length;
}

/**
 * Disables or enables an operator. Disabling ends every session of theirs at once (and a session
 * of a disabled operator is refused on its next request anyway). `by` is the acting operator: an
 * admin cannot disable themselves, and the last enabled admin cannot be disabled
 * (`PARLEY_E_LAST_ADMIN`), so a station is never left without one.
 */
export async function setUserDisabled(
  store: Store,
  name: string,
  disabled: boolean,
  by: string | null,
): Promise<{ user: UserView; sessionsEnded: number }> {
  const u = await mustUser(store, name);
  if (disabled && (by === name || (u.role === 'admin' && (await otherAdmins(store, name)) === 0))) {
    throw new ParleyError(
      'PARLEY_E_LAST_ADMIN',
      by === name
        ? `${name} cannot disable their own account`
        : `${name} is the last enabled admin; enable or create another admin first`,
      { name },
    );
  }
  await store.updateUser(name, { disabled });
  const sessionsEnded = disabled ? await store.deleteSessionsOf(name) : 0;
  return { user: userView((await store.user(name))!), sessionsEnded };
}

/**
 * Changes an operator's role; it applies to their sessions on the next request (the role is read
 * from the account on every request). The last enabled admin cannot be demoted, nor can an admin
 * demote themselves (`PARLEY_E_LAST_ADMIN`).
 */
export async function setUserRole(
  store: Store,
  name: string,
  roleArg: unknown,
  by: string | null,
): Promise<UserView> {
  const role: Role = parseRole(roleArg);
  const u = await mustUser(store, name);
  if (u.role === 'admin' && role !== 'admin') {
    if (by === name || (!u.disabled && (await otherAdmins(store, name)) === 0)) {
      throw new ParleyError(
        'PARLEY_E_LAST_ADMIN',
        by === name
          ? `${name} cannot demote their own account`
          : `${name} is the last enabled admin; make another operator admin first`,
        { name },
      );
    }
  }
  await store.updateUser(name, { role });
  return userView((await store.user(name))!);
}
