import { ParleyError, nameKey, parseChannel } from '@parley/core';
import type { Store, UserRecord } from '@parley/store';
import { parseRole } from '../auth.js';
import type { Role } from '../auth.js';
import { hashPassword } from './passwords.js';

/** Operator names: 1–64 of [A-Za-z0-9._@-], starting with a letter or digit (never `token:…`). */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function parseUserName(value: unknown): string {
  if (typeof value === 'string' && USER_NAME.test(value)) return value;
  throw new ParleyError(
    'PARLEY_E_INVALID_ARGUMENT',
    `operator name ${JSON.stringify(value)} is not 1–64 characters of [A-Za-z0-9._@-] starting with a letter or digit`,
    { value },
  );
}

/** Channel membership: '*' for all, or a non-empty list of channel names (a comma-separated string is split). */
export function parseChannels(value: unknown): '*' | string[] {
  if (value === '*') return '*';
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 256) {
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `channels ${JSON.stringify(value)} is not '*' or a list of 1–256 channel names`,
      { value },
    );
  }
  return [...new Set(list.map(parseChannel))].sort();
}

/** What an operator account shows: everything but the password hash. */
export interface UserView {
  name: string;
  role: Role;
  channels: '*' | string[];
  created: number;
  disabled: boolean;
}

export function userView(u: UserRecord): UserView {
  return {
    name: u.name,
    role: parseRole(u.role),
    channels: u.channels,
    created: u.created,
    disabled: u.disabled,
  };
}

/**
 * Creates an operator account: checks name, role, channels and password (12–256 characters,
 * else `PARLEY_E_BAD_PASSWORD`), stores an scrypt hash of the password, never the password.
 * Throws `PARLEY_E_USER_EXISTS` if the name is taken.
 */
export async function createUser(
  store: Store,
  input: { name: unknown; role: unknown; channels?: unknown; password: unknown },
  now: number,
): Promise<UserView> {
  const name = parseUserName(input.name);
  const role = parseRole(input.role);
  const channels = parseChannels(input.channels ?? '*');
  // One creation at a time per store, so two names that differ only by case cannot both pass.
  const prev = creating.get(store) ?? Promise.resolve();
  const run = prev.then(async () => {
    // Names are unique case-insensitively (NFC + case folding): `watch` and `WATCH` are one name.
    const key = nameKey(name);
    const clash = (await store.users()).find((u) => nameKey(u.name) === key);
    if (clash)
      throw new ParleyError(
        'PARLEY_E_USER_EXISTS',
        clash.name === name
          ? `an operator named ${name} already exists`
          : `an operator named ${clash.name} already exists (names differ only by case)`,
        { name, existing: clash.name },
      );
    const passwordHash = await hashPassword(input.password as string);
    const record: UserRecord = {
      name,
      role,
      channels,
      passwordHash,
      created: now,
      disabled: false,
    };
    await store.addUser(record);
    return userView(record);
  });
  creating.set(
    store,
    run.then(
      () => undefined,
      () => undefined,
    ),
  );
  return run;
}

const creating = new WeakMap<Store, Promise<void>>();
