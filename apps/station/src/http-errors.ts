import { errorStatus, isParleyError } from '@parley/core';

/**
 * Error codes become HTTP statuses at the server's edge. The status of each code stands beside
 * it in the registry (`packages/core/src/errors.ts`); anything that is not a ParleyError, a
 * schema refusal or a client error fastify itself raised is the station's fault: 500.
 * Returns the HTTP status and JSON body for any error reaching the server's edge.
 */
export function httpError(err: unknown): {
  status: number;
  body: { code: string; message: string };
} {
  if (isParleyError(err))
    return { status: errorStatus(err.code), body: { code: err.code, message: err.message } };
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
