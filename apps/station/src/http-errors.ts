import { isParleyError } from '@parley/core';
import type { ErrorCode } from '@parley/core';

/**
 * The one place where error codes become HTTP statuses (core errors carry no status).
 * Codes not listed are client errors (400) when raised on purpose.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  PARLEY_E_AUTH_REQUIRED: 401,
  PARLEY_E_LOGIN_FAILED: 401,
  PARLEY_E_USER_EXISTS: 409,
  PARLEY_E_USER_NOT_FOUND: 404,
  PARLEY_E_LAST_ADMIN: 409,
  PARLEY_E_TOKEN_NOT_FOUND: 404,
  PARLEY_E_IDEMPOTENCY_KEY_REUSED: 422,
  PARLEY_E_IDEMPOTENCY_IN_FLIGHT: 409,
  PARLEY_E_LINK_AUTH_MISSING: 401,
  PARLEY_E_LINK_AUTH_SIGNATURE: 401,
  PARLEY_E_LINK_AUTH_REPLAY: 401,
  PARLEY_E_LINK_CLOCK_SKEW: 401,
  PARLEY_E_FORBIDDEN: 403,
  PARLEY_E_LINK_UNKNOWN_STATION: 403,
  PARLEY_E_NOT_FOUND: 404,
  PARLEY_E_CHANNEL_NOT_FOUND: 404,
  PARLEY_E_MESSAGE_NOT_FOUND: 404,
  PARLEY_E_DRAFT_NOT_FOUND: 404,
  PARLEY_E_CALL_NOT_FOUND: 404,
  PARLEY_E_NOTICE_NOT_FOUND: 404,
  PARLEY_E_NOTICE_STATE: 409,
  PARLEY_E_ENCOUNTER_NOT_FOUND: 404,
  PARLEY_E_ENCOUNTER_DRAFT: 409,
  PARLEY_E_CHANNEL_EXISTS: 409,
  PARLEY_E_CHANNEL_STATE: 409,
  PARLEY_E_CHANNEL_NOT_OPEN: 409,
  PARLEY_E_CHANNEL_SUSPENDED: 409,
  PARLEY_E_CALL_STATE: 409,
  PARLEY_E_SELF_APPROVAL: 403,
  PARLEY_E_NOT_MEMBER: 403,
  PARLEY_E_CSRF: 403,
  PARLEY_E_RATE_LIMITED: 429,
  PARLEY_E_STREAM_LIMIT_USER: 429,
  PARLEY_E_STREAM_LIMIT_TOTAL: 429,
  PARLEY_E_CONNECTION_LIMIT: 503,
  PARLEY_E_PEER_NOT_FOUND: 404,
  PARLEY_E_PEER_EXISTS: 409,
  PARLEY_E_STORE_CONFLICT: 409,
  PARLEY_E_LINK_BODY_TOO_LARGE: 413,
  PARLEY_E_ENTRY_TOO_LARGE: 413,
  PARLEY_E_TEXT_TOO_LONG: 413,
  PARLEY_E_GEOJSON_TOO_LARGE: 413,
  PARLEY_E_STORE_CLOSED: 503,
  PARLEY_E_STORE_UNAVAILABLE: 503,
  PARLEY_E_LEASE_LOST: 503,
  // The witness route (c2sp.org/tlog-witness statuses).
  PARLEY_E_NOTE_TOO_LARGE: 413,
  PARLEY_E_NOTE_SIGNATURE: 403,
  PARLEY_E_NOTE_UNKNOWN_KEY: 403,
  PARLEY_E_WITNESS_UNKNOWN_LOG: 404,
  PARLEY_E_WITNESS_CONFLICT: 409,
  PARLEY_E_WITNESS_PROOF: 422,
};

/** HTTP status and JSON body for any error reaching the server's edge. */
export function httpError(err: unknown): {
  status: number;
  body: { code: string; message: string };
} {
  if (isParleyError(err))
    return { status: STATUS[err.code] ?? 400, body: { code: err.code, message: err.message } };
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (e.validation)
    return {
      status: 400,
      body: { code: 'PARLEY_E_BAD_REQUEST', message: e.message ?? 'bad request' },
    };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      status: 413,
      body: { code: 'PARLEY_E_LINK_BODY_TOO_LARGE', message: e.message ?? 'body too large' },
    };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { code: 'PARLEY_E_BAD_REQUEST', message: e.message ?? 'bad request' },
    };
  }
  return { status: 500, body: { code: 'PARLEY_E_INTERNAL', message: 'internal error' } };
}
