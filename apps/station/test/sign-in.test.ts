// Sign-in throttling (issue 16) on a real station: guesses at a name slow it by a bounded delay
// but never lock its owner out; an address that keeps failing backs off exponentially; the
// throttle's arithmetic and its bounded memory. The station sees other hosts as other loopback
// addresses (127.0.0.2 …).
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, SignInThrottle } from '@parley/station';
import type { Station } from '@parley/station';
import { makeStation, startInProcess, tempRoot, withDb } from './harness.js';

/** The station's clock, moved by the test (back-off windows). */
const clock = { offset: 0, now: () => Date.now() + clock.offset };
const MIN = 60_000;
const PW = { olga: 'olga the watch officer' };

let a: { station: Station; url: string };

beforeAll(async () => {
  const root = await tempRoot('parley-sign-in-');
  const A = await makeStation(root, 'Alpha');
  await withDb(A, (store) =>
    createUser(store, { name: 'olga', role: 'operator', password: PW.olga }, Date.now()),
  );
  a = await startInProcess(A, { clock, deadlineTickMs: 0 });
});
afterAll(async () => a?.station.close());

// Responses are checked field by field; `any` keeps those checks short.
/* eslint-disable @typescript-eslint/no-explicit-any */
/** Signs in from a given loopback address (another host, as the station sees it). */
function loginFrom(
  localAddress: string,
  name: string,
  password: string,
): Promise<{ status: number; json: any; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(a.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        localAddress,
        method: 'POST',
        path: '/api/v1/login',
        headers: { 'content-type': 'application/json' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, json: JSON.parse(text), headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ name, password }));
  });
}

describe('sign-in throttling, never a lockout', () => {
  it('wrong passwords for a name slow it but never lock it: the owner, elsewhere, signs in with the right one within the bounded delay', async () => {
    clock.offset += 16 * MIN; // a fresh window
    // Seven guesses at olga from another address: the first five answered at once, then held.
    for (let i = 1; i <= 7; i++) {
      const r = await loginFrom('127.0.0.2', 'olga', `wrong password ${i}`);
      expect(r.status, `attempt ${i}`).toBe(401);
      expect(r.json.code).toBe('PARLEY_E_LOGIN_FAILED');
    }
    expect(a.station.operators.signIn.accountDelay('olga', clock.now())).toBe(3000);
    // The owner is held (at most 3 s) and then signed in: slowed, not locked out.
    const t0 = Date.now();
    const owner = await loginFrom('127.0.0.1', 'olga', PW.olga);
    expect(owner.status, JSON.stringify(owner.json)).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    // Her success clears the name.
    expect(a.station.operators.signIn.accountDelay('olga', clock.now())).toBe(0);
  });

  it('an address past twenty failures must wait, 1 s then doubling (429 + Retry-After), whatever name it tries; other addresses are served', async () => {
    clock.offset += 16 * MIN;
    for (let i = 0; i < 20; i++)
      expect((await loginFrom('127.0.0.3', `ghost${i}`, 'guessing passwords')).status).toBe(401);
    const next = await loginFrom('127.0.0.3', 'olga', PW.olga);
    expect(next.status).toBe(429);
    expect(next.json.code).toBe('PARLEY_E_RATE_LIMITED');
    expect(next.headers['retry-after']).toBe('1');
    expect((await loginFrom('127.0.0.1', 'olga', PW.olga)).status).toBe(200);
    clock.offset += 1100;
    expect((await loginFrom('127.0.0.3', 'ghost20', 'guessing passwords')).status).toBe(401);
    const after = await loginFrom('127.0.0.3', 'olga', PW.olga);
    expect(after.status).toBe(429);
    expect(after.headers['retry-after']).toBe('2');
    // The back-off is forgotten after 15 minutes without a failure.
    clock.offset += 16 * MIN;
    expect((await loginFrom('127.0.0.3', 'olga', PW.olga)).status).toBe(200);
  });
});

describe('sign-in throttle', () => {
  it('backs an address off exponentially, delays a name by a bounded amount, never refuses a name, and keeps at most maxKeys keys', () => {
    const t = new SignInThrottle({
      freePerAddress: 3,
      freePerAccount: 2,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      accountMaxDelayMs: 2000,
      windowMs: 60_000,
      maxKeys: 100,
    });
    for (let i = 0; i < 3; i++) t.fail('10.0.0.9', 'olga', 10);
    expect(t.addressWait('10.0.0.9', 10)).toBe(1000);
    expect(() => t.check('10.0.0.9', 500)).toThrow(
      expect.objectContaining({ code: 'PARLEY_E_RATE_LIMITED', details: { retryAfter: 1 } }),
    );
    t.fail('10.0.0.9', 'olga', 1010);
    expect(t.addressWait('10.0.0.9', 1010)).toBe(2000);
    for (let i = 0; i < 10; i++) t.fail('10.0.0.9', 'olga', 5000);
    expect(t.addressWait('10.0.0.9', 5000)).toBe(8000); // capped
    // The name: held, never more than accountMaxDelayMs, and never refused elsewhere.
    expect(t.accountDelay('olga', 5000)).toBe(2000);
    expect(t.addressWait('10.0.0.1', 5000)).toBe(0);
    t.succeed('10.0.0.1', 'olga', 5000);
    expect(t.accountDelay('olga', 5000)).toBe(0);
    // Forgotten after the window.
    expect(t.addressWait('10.0.0.9', 5000 + 60_000)).toBe(0);
    for (let i = 0; i < 10_000; i++) t.fail(`spray${i}`, `name${i}`, 70_000);
    expect(t.size).toBeLessThanOrEqual(200);
  });
});
