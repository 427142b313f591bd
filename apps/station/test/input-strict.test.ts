// Issue 16: operator input is taken as sent and checked before anything is signed. Each case
// here was accepted (coerced, or signed as is) before the fix; a refusal writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStation } from '@parley/station';
import type { Station } from '@parley/station';
import { addPeer, makeStation, tempRoot, token } from './harness.js';
import type { StationDir } from './harness.js';

let S: StationDir;
let station: Station;
let op: string;
let admin: string;

beforeAll(async () => {
  const root = await tempRoot('parley-input-');
  S = await makeStation(root, 'Input Test');
  const peer = await makeStation(root, 'Input Peer');
  await addPeer(S, peer, ['http://127.0.0.1:9']);
  op = await token(S, 'operator');
  admin = await token(S, 'admin');
  station = await buildStation({ dataDir: S.dir });
});
afterAll(async () => station.close());

export const post = (url: string, body: unknown, who = op) =>
  station.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
const get = (url: string, who = op) =>
  station.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${who}` } });

/** Expects every request to be refused with `status` and `code`, and the feeds not to grow. */
async function refused(
  cases: [string, unknown][],
  status: number,
  code: string,
  who = op,
): Promise<void> {
  const before = await station.handle.totalSize();
  for (const [url, body] of cases) {
    const r = await post(url, body, who);
    expect(r.statusCode, `${url} ${JSON.stringify(body)}: ${r.body}`).toBe(status);
    expect(r.json().code, r.body).toBe(code);
  }
  expect(await station.handle.totalSize()).toBe(before);
}

const message = { channel: 'ops', precedence: 'FLASH', text: 'Request you reduce speed' };

describe('no type coercion of bodies', () => {
  it('refuses a boolean text, an array precedence, scalar slots and a numeric reason', async () => {
    await refused(
      [
        ['/api/v1/messages', { ...message, text: true }],
        ['/api/v1/messages', { ...message, text: 12 }],
        ['/api/v1/messages', { ...message, precedence: ['FLASH'] }],
        ['/api/v1/calls', { channel: 'ops', slots: Date.now() + 3_600_000, medium: 'voice' }],
        [
          '/api/v1/calls',
          { channel: 'ops', slots: [String(Date.now() + 3_600_000)], medium: 'voice' },
        ],
        ['/api/v1/channels/ops/suspend', { reason: 42 }],
      ],
      400,
      'PARLEY_E_BAD_REQUEST',
      admin,
    );
  });

  it('still accepts the well-typed request', async () => {
    const r = await post('/api/v1/messages', message);
    expect(r.statusCode, r.body).toBe(201);
  });

  it('keeps coercion for query strings: ?limit=2 is an integer, ?limit=x is refused', async () => {
    const ok = await get('/api/v1/audit?limit=2', admin);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().records.length).toBeLessThanOrEqual(2);
    const bad = await get('/api/v1/audit?limit=x', admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('PARLEY_E_BAD_REQUEST');
  });
});
