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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
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
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const del = <T>(path: string) => api<T>('DELETE', path);
