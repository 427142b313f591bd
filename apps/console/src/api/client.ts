// The console's only way out: same-origin requests to its own station's /api/v1.

/** An error answer of the station: its PARLEY_E_* code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf: string | undefined;
let unauthorized: () => void = () => {};

/** Called when the station says the session is gone (expired, signed out elsewhere). */
export function onUnauthorized(fn: () => void): void {
  unauthorized = fn;
}

/** Remembers the session's CSRF token (from login or /me); sent on every state-changing request. */
export function setCsrf(token: string | undefined): void {
  csrf = token;
}

/** A fresh Idempotency-Key: one per operator action, reused by every retry of that action. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** How often, and after how long, a POST is retried when the answer did not arrive or was 5xx / 409 in flight. */
const RETRY_DELAYS_MS = [500, 1500, 4000];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(
  method: string,
  path: string,
  body: unknown,
  key: string | undefined,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  if (key !== undefined) headers['idempotency-key'] = `"${key}"`;
  return fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * One request to the station. A POST carries an Idempotency-Key (`key`, or a new one): when the
 * answer is lost (network error), a 5xx, or 409 "still in flight", it is sent again with the
 * same key, so the station does it once and every retry gets the one stored answer.
 */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  key: string | undefined = method === 'POST' &&
  path !== '/api/v1/login' &&
  path !== '/api/v1/logout'
    ? newIdempotencyKey()
    : undefined,
): Promise<T> {
  let res: Response | undefined;
  for (let attempt = 0; ; attempt++) {
    const retry = key !== undefined && attempt < RETRY_DELAYS_MS.length;
    try {
      res = await once(method, path, body, key);
    } catch (err) {
      if (!retry) throw err;
      await sleep(RETRY_DELAYS_MS[attempt]!);
      continue;
    }
    const inFlight =
      res.status === 409 && res.headers.get('content-type')?.includes('json')
        ? ((await res.clone().json()) as { code?: string }).code ===
          'PARLEY_E_IDEMPOTENCY_IN_FLIGHT'
        : false;
    if (retry && (res.status >= 500 || inFlight)) {
      await sleep(RETRY_DELAYS_MS[attempt]!);
      continue;
    }
    break;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string };
    if (res.status === 401 && path !== '/api/v1/login' && path !== '/api/v1/me') unauthorized();
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
/** A POST for one operator action; pass `key` to tie several calls to one action. */
export const post = <T>(path: string, body?: unknown, key?: string) =>
  api<T>(
    'POST',
    path,
    body ?? {},
    key ??
      (path === '/api/v1/login' || path === '/api/v1/logout' ? undefined : newIdempotencyKey()),
  );
export const del = <T>(path: string) => api<T>('DELETE', path);
