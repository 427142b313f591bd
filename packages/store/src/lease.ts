import { ParleyError } from '@parley/core';
import type { Lease } from './store.js';

/** The error a fenced write gets when its lease is no longer the live one. */
export function leaseLost(fence: Lease, current: Lease | null): ParleyError {
  const now = current
    ? `now held by ${current.holder} with token ${current.token}`
    : 'now not held by anyone';
  return new ParleyError(
    'PARLEY_E_LEASE_LOST',
    `lease ${fence.name} (token ${fence.token}, holder ${fence.holder}) is no longer held: ${now}`,
    { lease: fence.name, token: fence.token, current: current?.token ?? null },
  );
}
